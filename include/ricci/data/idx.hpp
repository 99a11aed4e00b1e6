#pragma once
// IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw.
#include <cstdint>
#include <string>
#include <vector>

namespace ricci::data {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<std::uint8_t> values;
};

// The most values an IDX file may hold (16 GiB; MNIST's largest file holds 47 million).
inline constexpr std::uint64_t max_idx_values = std::uint64_t{1} << 34;

// Reads an unsigned-byte IDX file (magic 0x0000 08 NDIMS), transparently gunzipping. Throws
// ricci::Error("data", ...) naming the file when it is missing, a directory or not a regular
// file, not IDX, truncated or corrupt, or when its number of dimensions differs from
// expected_ndims. The size its header declares is checked against the file's size before
// anything is allocated.
IdxArray read_idx(const std::string& path, int expected_ndims);

// Images (n x rows x cols) and labels (n), checked to have the same count.
struct IdxImages {
  std::uint64_t count = 0, pixels = 0;  // 64-bit: rows x cols of 32-bit dimensions
  std::vector<std::uint8_t> images;     // count x pixels
  std::vector<std::uint8_t> labels;     // count
};
IdxImages read_idx_pair(const std::string& images_path, const std::string& labels_path);

// Finds "<dir>/<stem>" or "<dir>/<stem>.gz"; throws naming the directory and stem when neither
// exists.
std::string find_idx_file(const std::string& dir, const std::string& stem,
                          const std::string& dataset_name);

}  // namespace ricci::data
