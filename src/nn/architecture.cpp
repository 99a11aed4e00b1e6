#include "ricci/nn/architecture.hpp"

#include <charconv>

#include "ricci/core/error.hpp"

namespace ricci::nn {

std::vector<int> hidden_widths(std::string_view architecture, int depth) {
  if (depth < 1 || depth > 1000)
    throw Error("nn", "depth " + std::to_string(depth) + " must be between 1 and 1000");
  if (architecture == "narrow") return std::vector<int>(static_cast<std::size_t>(depth), 25);
  if (architecture == "wide") return std::vector<int>(static_cast<std::size_t>(depth), 50);
  if (architecture == "bottleneck") {
    if (depth % 2 == 0)
      throw Error("nn", "bottleneck needs an odd depth (50...50, 25, 50...50), got " +
                            std::to_string(depth));
    std::vector<int> widths(static_cast<std::size_t>(depth), 50);
    widths[static_cast<std::size_t>(depth / 2)] = 25;
    return widths;
  }
  std::vector<int> widths;
  std::size_t start = 0;
  while (start <= architecture.size()) {
    const std::size_t dash = std::min(architecture.find('-', start), architecture.size());
    const auto token = architecture.substr(start, dash - start);
    int width = 0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), width);
    if (token.empty() || ec != std::errc() || ptr != token.data() + token.size() || width < 1 ||
        width > 100000)
      throw Error("nn", "unknown architecture '" + std::string(architecture) +
                            "' (expected narrow, wide, bottleneck or widths such as 64-32-16)");
    widths.push_back(width);
    start = dash + 1;
  }
  if (static_cast<int>(widths.size()) != depth)
    throw Error("nn", "architecture '" + std::string(architecture) + "' has " +
                          std::to_string(widths.size()) + " hidden layers but depth is " +
                          std::to_string(depth));
  return widths;
}

}  // namespace ricci::nn
