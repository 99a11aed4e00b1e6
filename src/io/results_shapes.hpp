#pragma once
// Private to the io layer: what a dataset of a results file looks like on disk, and reading one
// whole, for the results file, its reader and its validator.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "h5.hpp"
#include "ricci/io/results_table.hpp"

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

// The number of elements of a dataset of these dimensions, refused (an Error naming the file and
// dataset) before anything is allocated when the product overflows or the data would take more
// than memory_bound() bytes of memory at `element_bytes` each: a small file may declare a huge
// dataset (a corrupted or crafted header), and the declared size must not be trusted blindly.
std::size_t checked_count(const std::vector<hsize_t>& dims, std::size_t element_bytes,
                          const std::string& file_path, const std::string& path);
// The most bytes one dataset of a file of `file_bytes` may expand to in memory: 1024 times the
// file (compressed or fill-only chunks of files written by other tools) plus 1 GiB.
std::size_t memory_bound(std::size_t file_bytes);

// The file's schema_version when this build reads it (oldest_readable_schema_version to
// schema_version); an Error naming the file otherwise. The writer and the readers all ask here.
int readable_version(hid_t file, const std::string& file_path);

// The whole dataset, converted to T by HDF5, after require_shape.
template <class T>
std::vector<T> read_column(hid_t file, const std::string& file_path, const std::string& path,
                           hid_t memory_type, const std::vector<hsize_t>& dims) {
  require_shape(file, file_path, path, dims);
  const std::size_t count = checked_count(dims, sizeof(T), file_path, path);
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
// read_results_table on a file the caller holds open (the validator reads it once, and lists the
// rows whose checksums do not match itself instead of refusing the file).
ResultsTable read_results_table(hid_t file, const std::string& path, bool verify_checksums = true,
                                AttemptsTable attempts = AttemptsTable::skip);
// Schema 3: the checksum of run `run`'s table values as stored (checksummed_columns order).
std::uint64_t table_checksum(const ResultsTable& table, std::size_t run);
// Schema 3: the done or failed runs whose stored /runs/checksum differs from table_checksum.
std::vector<std::size_t> runs_failing_checksum(const ResultsTable& table);
// Schema 3: the checksum of done run `run`'s per-run datasets as stored, read from `file`; nullopt
// with `problem` set when one cannot be read.
std::optional<std::uint64_t> data_checksum(hid_t file, const ResultsTable& table, std::size_t run,
                                           std::string& problem);
}  // namespace ricci::io
