#pragma once
// A binary classification problem's data, ready for training (docs/method.md §5).
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace ricci::data {

// Inputs one point per row, in single precision: what the network consumes (pixels are exact).
using InputMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  std::string problem;
  InputMatrix train_x, test_x;
  std::vector<std::uint8_t> train_y, test_y;  // 0 = first class, 1 = second
};

// Throws ricci::Error("data", ...) unless shapes agree, labels are 0/1 and every value is finite.
void validate_dataset(const Dataset& data);

}  // namespace ricci::data
