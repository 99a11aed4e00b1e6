#pragma once
// One exception type for every layer. The layer and the message are separate fields; what() joins
// them as "[layer] message", e.g. "[geometry] k = 2000 must satisfy 1 <= k <= n - 1 = 1999".
// A caller that knows where a value came from adds that with with_context() instead of cutting
// the string apart.
#include <stdexcept>
#include <string>

namespace ricci {

class Error : public std::runtime_error {
 public:
  Error(const std::string& layer, const std::string& message)
      : std::runtime_error("[" + layer + "] " + message), layer_(layer), message_(message) {}

  // The layer that raised it: "data", "geometry", "io", "sweep", "job", ...
  const std::string& layer() const noexcept { return layer_; }
  // The message without the layer prefix.
  const std::string& message() const noexcept { return message_; }

  // The same message under `layer`, prefixed by `where` ("jobs/x.ini line 7, key train.epochs"):
  // "[layer] where: message".
  Error with_context(const std::string& layer, const std::string& where) const {
    return Error(layer, where + ": " + message_);
  }

 private:
  std::string layer_, message_;
};

}  // namespace ricci
