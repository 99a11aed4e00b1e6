#pragma once
// Hidden-layer widths of the paper's architectures (docs/method.md §6).
#include <string>
#include <string_view>
#include <vector>

namespace ricci::nn {

// narrow: all 25; wide: all 50; bottleneck: 50...50, 25, 50...50 (odd depth); or an explicit list
// "64-32-16" whose length must equal depth. Throws ricci::Error("nn", ...) naming the bad value.
std::vector<int> hidden_widths(std::string_view architecture, int depth);

}  // namespace ricci::nn
