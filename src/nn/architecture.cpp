#include "ricci/nn/architecture.hpp"

#include <charconv>
#include <optional>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::nn {

namespace {

constexpr std::string_view residual_prefix = "residual-";

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
  return Error("nn", "unknown architecture '" + std::string(architecture) +
                         "' (expected narrow, wide, bottleneck, residual-W such as residual-25, or "
                         "widths such as 64-32-16)");
}

}  // namespace

Architecture parse_architecture(std::string_view architecture, int depth) {
  if (architecture.starts_with(residual_prefix)) {
    if (depth < 1 || depth > 1000)
      throw Error("nn", "depth " + std::to_string(depth) + " must be between 1 and 1000");
    const auto width = parse_width(architecture.substr(residual_prefix.size()));
    if (!width) throw unknown_architecture(architecture);
    return {std::vector<int>(static_cast<std::size_t>(depth), *width), true};
  }
  return {hidden_widths(architecture, depth), false};
}

std::vector<int> hidden_widths(std::string_view architecture, int depth) {
  if (architecture.starts_with(residual_prefix))
    return parse_architecture(architecture, depth).widths;
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
    const auto width = parse_width(architecture.substr(start, dash - start));
    if (!width) throw unknown_architecture(architecture);
    widths.push_back(*width);
    start = dash + 1;
  }
  if (static_cast<int>(widths.size()) != depth)
    throw Error("nn", "architecture '" + std::string(architecture) + "' has " +
                          std::to_string(widths.size()) + " hidden layers but depth is " +
                          std::to_string(depth));
  return widths;
}

}  // namespace ricci::nn
