#pragma once
// Activation stacks in HDF5: a group holding 2-D float32/float64 datasets layer_01, layer_02, ...
// (one row per point, same row count, any widths), optionally layer_00, the inputs, and optionally
// `output`, the network's output (n or n x 1). This is the layout `ricci-query analyze` reads and
// the sweep writes per run (results_schema/README.md).
#include <optional>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/layer_names.hpp"

namespace ricci::io {

struct ActivationStack {
  std::vector<std::string> names;   // layer_01, layer_02, ... in layer order
  std::vector<RowMatrix> layers;    // the hidden layers 1..L
  std::optional<RowMatrix> input;   // layer_00, the raw inputs X_0, when the group has it
  std::optional<RowMatrix> output;  // `output`, n x 1, when the group has it
};

// The name of the output dataset of an activation stack: the analysis's name for the output layer.
inline constexpr const char* output_dataset_name = geometry::output_layer_name;

// Reads every layer_NN dataset of `group` (default "/"). Throws ricci::Error naming the file, group
// or dataset when the file is missing or not HDF5, the group is missing, there are no hidden layer
// datasets, numbering has a gap, a dataset is not 2-D floating point (the output: 1-D, or 2-D with
// one column), row counts differ, or a value is not finite.
ActivationStack read_activation_stack(const std::string& path, const std::string& group = "/");

enum class Precision { single, double_ };

// Writes named 2-D datasets into `group` (created as needed) of a new or existing file. A dataset
// of the same name must not exist. For tests, benchmarks and tools that produce activation files.
void write_matrices(const std::string& path, const std::string& group,
                    const std::vector<std::pair<std::string, RowMatrix>>& matrices,
                    Precision precision);

// The canonical dataset name of hidden layer l (1-based): layer_01 ... layer_99, layer_100 ...
// (layer_00: the inputs), as geometry::stack_layer_name names the analysed layers.
std::string layer_dataset_name(int layer);

}  // namespace ricci::io
