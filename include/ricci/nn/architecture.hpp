#pragma once
// Hidden-layer widths of the paper's architectures (docs/method.md §6).
#include <string>
#include <string_view>
#include <vector>

namespace ricci::nn {

// A network's hidden layers: their widths and whether it is the residual variant (docs/method.md
// §6).
struct Architecture {
  std::vector<int> widths;
  bool residual = false;
};

// narrow: all 25; wide: all 50; bottleneck: 50...50, 25, 50...50 (odd depth); an explicit list
// "64-32-16" whose length must equal depth; width-W: depth layers of width W; or residual-W: the
// same with the follow-up's skip connections. Throws ricci::Error("nn", ...) naming the bad value.
Architecture parse_architecture(std::string_view architecture, int depth);

// parse_architecture(...).widths.
std::vector<int> hidden_widths(std::string_view architecture, int depth);

}  // namespace ricci::nn
