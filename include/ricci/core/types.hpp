#pragma once
// Vocabulary types shared by every layer.
#include <Eigen/Core>
#include <cstdint>

namespace ricci {

using index_t = std::int32_t;  // a point / vertex index; n < 2^31
using count_t = std::int64_t;  // edge, pair and curvature counts

// Activations and data: one point per row, as HDF5 stores them and as the MLP produces them.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace ricci
