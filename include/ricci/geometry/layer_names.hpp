#pragma once
// The names of an activation stack's layers, as activation files store them and the analysis output
// (ricci-query analyze, ricci_flow) reports them: layer_00 (the inputs), layer_01, layer_02, ...
// (the hidden layers), output.
#include <string>

namespace ricci::geometry {

// layer_00, layer_01, ..., layer_99, layer_100, ...
std::string stack_layer_name(int layer);
inline constexpr const char* output_layer_name = "output";

}  // namespace ricci::geometry
