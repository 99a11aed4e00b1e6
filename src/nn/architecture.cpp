#include "ricci/nn/architecture.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "ricci/core/error.hpp"

namespace ricci::nn {

namespace {

// residual-W and width-W: depth layers of width W, with or without the follow-up's skip
// connections.
constexpr std::string_view residual_prefix = "residual-", uniform_prefix = "width-";

// One width of an explicit list or of residual-W; nullopt unless a whole number in 1..100000.
std::optional<int> parse_width(std::string_view token) {
  int width = 0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), width);
  if (token.empty() || ec != std::errc() || ptr != token.data() + token.size() || width < 1 ||
      width > 100000)
    return std::nullopt;
  return width;
}

Error unknown_architecture(std::string_view architecture) {
  return Error("nn",
               "unknown architecture '" + std::string(architecture) +
                   "' (expected narrow, wide, bottleneck, width-W such as width-15, residual-W "
                   "such as residual-25, or widths such as 64-32-16)");
}

}  // namespace

Architecture parse_architecture(std::string_view architecture, int depth) {
  if (depth < 1 || depth > 1000)
    throw Error("nn", "depth " + std::to_string(depth) + " must be between 1 and 1000");
  const auto all = [depth](int width) {
    return std::vector<int>(static_cast<std::size_t>(depth), width);
  };
  for (const auto& [prefix, residual] :
       {std::pair{residual_prefix, true}, std::pair{uniform_prefix, false}})
    if (architecture.starts_with(prefix)) {
      const auto width = parse_width(architecture.substr(prefix.size()));
      if (!width) throw unknown_architecture(architecture);
      return {all(*width), residual};
    }
  if (architecture == "narrow") return {all(25), false};
  if (architecture == "wide") return {all(50), false};
  if (architecture == "bottleneck") {
    if (depth % 2 == 0)
      throw Error("nn", "bottleneck needs an odd depth (50...50, 25, 50...50), got " +
                            std::to_string(depth));
    std::vector<int> widths = all(50);
    widths[static_cast<std::size_t>(depth / 2)] = 25;
    return {widths, false};
  }
  std::vector<int> widths;
  std::size_t start = 0;
  while (start <= architecture.size()) {
    const std::size_t dash = std::min(architecture.find('-', start), architecture.size());
    const auto width = parse_width(architecture.substr(start, dash - start));
    if (!width) throw unknown_architecture(architecture);
    widths.push_back(*width);
    start = dash + 1;
  }
  if (static_cast<int>(widths.size()) != depth)
    throw Error("nn", "architecture '" + std::string(architecture) + "' has " +
                          std::to_string(widths.size()) + " hidden layers but depth is " +
                          std::to_string(depth));
  return {widths, false};
}

std::vector<int> hidden_widths(std::string_view architecture, int depth) {
  return parse_architecture(architecture, depth).widths;
}

}  // namespace ricci::nn
