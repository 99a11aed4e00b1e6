#pragma once
// Private to the io layer: what a dataset looks like on disk, for the reader and the validator.
#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

namespace ricci::io::shapes {

struct DatasetShape {
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
  std::size_t type_size = 0;
  bool is_signed = false;
  bool variable_string = false;
};

// nullopt when `path` is missing or not a dataset.
std::optional<DatasetShape> describe(hid_t file, const std::string& path);
std::string dims_text(const std::vector<hsize_t>& dims);

}  // namespace ricci::io::shapes
