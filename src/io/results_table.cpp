#include "ricci/io/results_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "h5.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

namespace {

template <class T>
const std::vector<T>& column_of(const ResultsTable& t, std::string_view path, const char* kind) {
  const auto found = t.columns.find(path);
  if (found == t.columns.end())
    throw Error("io", "'" + t.path + "' has no column " + std::string(path));
  if (const auto* values = std::get_if<std::vector<T>>(&found->second)) return *values;
  throw Error("io", "column " + std::string(path) + " of '" + t.path + "' does not hold " + kind);
}

}  // namespace

const std::vector<double>& ResultsTable::reals(std::string_view column) const {
  return column_of<double>(*this, column, "real numbers");
}
const std::vector<std::int64_t>& ResultsTable::integers(std::string_view column) const {
  return column_of<std::int64_t>(*this, column, "integers");
}
const std::vector<std::uint64_t>& ResultsTable::unsigned_integers(std::string_view column) const {
  return column_of<std::uint64_t>(*this, column, "unsigned integers");
}
const std::vector<std::string>& ResultsTable::strings(std::string_view column) const {
  return column_of<std::string>(*this, column, "text");
}

std::int64_t ResultsTable::status_code(std::size_t run) const {
  return integers(status_column)[run];
}
bool ResultsTable::is_done(std::size_t run) const {
  return status_code(run) == static_cast<std::int64_t>(RunStatus::done);
}
bool ResultsTable::is_failed(std::size_t run) const {
  return status_code(run) == static_cast<std::int64_t>(RunStatus::failed);
}

std::vector<index_t> ResultsTable::k_values(std::size_t run) const {
  const auto& k = integers("/flow/k");
  std::vector<index_t> out;
  for (std::size_t s = 0; s < k_slots && k[index(run, s)] >= 0; ++s)
    out.push_back(static_cast<index_t>(k[index(run, s)]));
  return out;
}

std::optional<std::size_t> ResultsTable::k_slot_of(std::size_t run, index_t k_value) const {
  const auto& k = integers("/flow/k");
  for (std::size_t s = 0; s < k_slots; ++s)
    if (k[index(run, s)] == k_value) return s;
  return std::nullopt;
}

std::span<const double> ResultsTable::layers_of(std::string_view column, std::size_t run,
                                                std::size_t slot) const {
  const auto depth =
      std::clamp<std::int64_t>(integers("/runs/depth")[run], 0, static_cast<std::int64_t>(layers));
  return {reals(column).data() + index(run, slot, 0), static_cast<std::size_t>(depth)};
}

bool ResultsTable::connected(std::size_t run, std::size_t slot) const {
  const auto series = layers_of("/flow/g", run, slot);
  return !series.empty() &&
         std::all_of(series.begin(), series.end(), [](double v) { return std::isfinite(v); });
}

namespace {

// Fixed-length strings as the sweep writes them; variable-length ones (h5py's default) are read
// too.
std::vector<std::string> read_strings(hid_t file, const std::string& file_path,
                                      const std::string& path, hsize_t n) {
  shapes::require_shape(file, file_path, path, {n});
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Datatype stored(
      h5::checked(H5Dget_type(dataset.get()), "cannot read the type of " + path));
  if (H5Tget_class(stored.get()) != H5T_STRING)
    throw Error("io", "'" + file_path + "': " + path + " is not a string dataset");
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(stored.get()) > 0) {
    h5::Datatype memory(h5::checked(H5Tcopy(H5T_C_S1), "cannot copy the string type"));
    h5::checked(H5Tset_size(memory.get(), H5T_VARIABLE), "cannot size a string type");
    std::vector<char*> raw(n, nullptr);
    h5::checked(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
                "cannot read " + path);
    for (hsize_t i = 0; i < n; ++i) out[i] = raw[i] ? raw[i] : "";
    const h5::Dataspace space(
        h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
    h5::checked(H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, raw.data()),
                "cannot free the strings read from " + path);
    return out;
  }
  const std::size_t width = H5Tget_size(stored.get());
  std::vector<char> raw(n * width, '\0');
  h5::checked(H5Dread(dataset.get(), stored.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
              "cannot read " + path);
  for (hsize_t i = 0; i < n; ++i) {
    const char* begin = raw.data() + i * width;
    out[i].assign(begin, strnlen(begin, width));
  }
  return out;
}

}  // namespace

namespace {

// The file's schema version, when this build reads it; an Error naming the file otherwise.
int readable_version(hid_t file, const std::string& path) {
  const auto version = h5::integer_attribute(file, "schema_version");
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

}  // namespace

ResultsTable read_results_table(const std::string& path) {
  const h5::QuietErrors quiet;
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  return read_results_table(file.get(), path);
}

ResultsTable read_results_table(hid_t f, const std::string& path) {
  const int version = readable_version(f, path);

  ResultsTable t;
  t.path = path;
  t.schema_version = version;
  t.runs = shapes::dimension_of(f, path, std::string(status_column), 0, 1);
  t.k_slots = shapes::dimension_of(f, path, "/flow/k", 1, 2);
  t.layers = shapes::dimension_of(f, path, "/flow/g", 2, 3);
  t.epochs = shapes::dimension_of(f, path, "/history/loss", 1, 2);
  t.store_activations = h5::integer_attribute(f, "store_activations").value_or(0) != 0;
  t.store_nodes = h5::integer_attribute(f, "store_nodes").value_or(0) != 0;
  t.graph = h5::string_attribute(f, "graph").value_or("");

  for (const Column& column : results_columns()) {
    if (column.since_version > t.schema_version) continue;
    std::vector<hsize_t> dims;
    for (Axis axis : column.axes)
      dims.push_back(axis == Axis::runs      ? t.runs
                     : axis == Axis::k_slots ? t.k_slots
                     : axis == Axis::layers  ? t.layers
                                             : t.epochs);
    const std::string name(column.path);
    ResultsTable::ColumnData& data = t.columns[name];
    switch (column.type) {
      case ValueType::string:
        data = read_strings(f, path, name, dims.front());
        break;
      case ValueType::uint64:
        data = shapes::read_column<std::uint64_t>(f, path, name, H5T_NATIVE_UINT64, dims);
        break;
      case ValueType::float32:
      case ValueType::float64:
        data = shapes::read_column<double>(f, path, name, H5T_NATIVE_DOUBLE, dims);
        break;
      default:
        data = shapes::read_column<std::int64_t>(f, path, name, H5T_NATIVE_INT64, dims);
    }
  }
  return t;
}

}  // namespace ricci::io
