#pragma once
// One exception type for every layer. The message names the layer and the offending value, e.g.
// "[geometry] k = 2000 must satisfy 1 <= k <= n - 1 = 1999".
#include <stdexcept>
#include <string>

namespace ricci {

class Error : public std::runtime_error {
 public:
  Error(const std::string& layer, const std::string& message)
      : std::runtime_error("[" + layer + "] " + message) {}
};

}  // namespace ricci
