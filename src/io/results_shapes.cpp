#include "results_shapes.hpp"

#include "ricci/io/schema.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>

namespace ricci::io {

namespace shapes {

std::optional<DatasetShape> describe(hid_t file, const std::string& path) {
  if (!h5::link_exists(file, path)) return std::nullopt;
  H5O_info_t info;
  if (H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) < 0 ||
      info.type != H5O_TYPE_DATASET)
    return std::nullopt;
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Dataspace space(
      h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
  const h5::Datatype type(
      h5::checked(H5Dget_type(dataset.get()), "cannot read the type of " + path));
  DatasetShape out;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  out.dims.resize(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), out.dims.data(), nullptr);
  out.type_class = H5Tget_class(type.get());
  out.type_size = H5Tget_size(type.get());
  out.is_signed = out.type_class == H5T_INTEGER && H5Tget_sign(type.get()) == H5T_SGN_2;
  out.variable_string = out.type_class == H5T_STRING && H5Tis_variable_str(type.get()) > 0;
  return out;
}

std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

DatasetShape existing_shape(hid_t file, const std::string& file_path, const std::string& path) {
  auto shape = describe(file, path);
  if (!shape)
    throw Error("io",
                "'" + file_path + "' has no dataset " + path + ": not a ricci-sweep results file");
  return std::move(*shape);
}

hsize_t dimension_of(hid_t file, const std::string& file_path, const std::string& path,
                     std::size_t axis, std::size_t rank) {
  const auto shape = existing_shape(file, file_path, path);
  if (shape.dims.size() != rank)
    throw Error("io", "'" + file_path + "': " + path + " has " + std::to_string(shape.dims.size()) +
                          " dimensions, expected " + std::to_string(rank));
  return shape.dims[axis];
}

std::size_t memory_bound(std::size_t file_bytes) {
  constexpr std::size_t gib = std::size_t{1} << 30;
  constexpr std::size_t most = std::numeric_limits<std::size_t>::max();
  return file_bytes > (most - gib) / 1024 ? most : file_bytes * 1024 + gib;
}

std::size_t checked_count(const std::vector<hsize_t>& dims, std::size_t element_bytes,
                          const std::string& file_path, const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file_path, error);
  const std::size_t bound = memory_bound(error ? 0 : static_cast<std::size_t>(size));
  std::size_t count = 1;
  for (hsize_t d : dims) {
    if (d == 0) return 0;
    if (count > bound / d)
      throw Error("io", "'" + file_path + "': " + path + " declares shape " + dims_text(dims) +
                            ", more than a file of its size can hold (corrupted or crafted?)");
    count *= static_cast<std::size_t>(d);
  }
  if (element_bytes > 0 && count > bound / element_bytes)
    throw Error("io", "'" + file_path + "': " + path + " declares shape " + dims_text(dims) +
                          ", more than a file of its size can hold (corrupted or crafted?)");
  return count;
}

void require_shape(hid_t file, const std::string& file_path, const std::string& path,
                   const std::vector<hsize_t>& expected) {
  const auto shape = existing_shape(file, file_path, path);
  if (shape.dims != expected)
    throw Error("io", "'" + file_path + "': " + path + " has shape " + dims_text(shape.dims) +
                          ", expected " + dims_text(expected) + " (run 'ricci-query validate')");
}

// The file's schema version, when this build reads it; an Error naming the file otherwise.
int readable_version(hid_t file, const std::string& path) {
  std::optional<long long> version;
  try {
    version = h5::integer_attribute(file, "schema_version");
  } catch (const Error& e) {
    throw e.with_context("io", "'" + path + "'");
  }
  if (!version)
    throw Error("io",
                "'" + path + "' has no schema_version attribute: not a ricci-sweep results file");
  if (*version < oldest_readable_schema_version || *version > schema_version)
    throw Error("io", "'" + path + "' has schema_version " + std::to_string(*version) +
                          "; this build reads versions " +
                          std::to_string(oldest_readable_schema_version) + " to " +
                          std::to_string(schema_version));
  return static_cast<int>(*version);
}

}  // namespace shapes

}  // namespace ricci::io
