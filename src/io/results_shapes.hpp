#pragma once
// Private to the io layer: what a dataset of a results file looks like on disk, and reading one
// whole, for the results file, its reader and its validator.
#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "h5.hpp"

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

// The shape of `path`; an Error naming the file when it is missing (then it is not a results file).
DatasetShape existing_shape(hid_t file, const std::string& file_path, const std::string& path);
// Extent `axis` of a dataset that must have `rank` dimensions.
hsize_t dimension_of(hid_t file, const std::string& file_path, const std::string& path,
                     std::size_t axis, std::size_t rank);
// An Error naming the file unless `path` exists with exactly these dimensions.
void require_shape(hid_t file, const std::string& file_path, const std::string& path,
                   const std::vector<hsize_t>& expected);

// The whole dataset, converted to T by HDF5, after require_shape.
template <class T>
std::vector<T> read_column(hid_t file, const std::string& file_path, const std::string& path,
                           hid_t memory_type, const std::vector<hsize_t>& dims) {
  require_shape(file, file_path, path, dims);
  std::size_t count = 1;
  for (auto d : dims) count *= d;
  std::vector<T> out(count);
  if (count == 0) return out;
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  h5::checked(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
              "cannot read " + path + " of '" + file_path + "'");
  return out;
}

}  // namespace ricci::io::shapes

namespace ricci::io {
struct ResultsTable;
// read_results_table on a file the caller holds open (the validator reads it once).
ResultsTable read_results_table(hid_t file, const std::string& path);
}  // namespace ricci::io
