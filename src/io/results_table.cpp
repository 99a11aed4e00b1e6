#include "ricci/io/results_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "h5.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

std::vector<index_t> ResultsTable::scales(std::size_t run) const {
  std::vector<index_t> out;
  for (std::size_t s = 0; s < max_k && k[slot_index(run, s)] >= 0; ++s)
    out.push_back(k[slot_index(run, s)]);
  return out;
}

std::optional<std::size_t> ResultsTable::slot_of(std::size_t run, index_t k_value) const {
  for (std::size_t s = 0; s < max_k; ++s)
    if (k[slot_index(run, s)] == k_value) return s;
  return std::nullopt;
}

std::span<const double> ResultsTable::layers_of(const std::vector<double>& column, std::size_t run,
                                                std::size_t slot) const {
  const auto layers =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(depth[run], 0)), max_layers);
  return {column.data() + cell_index(run, slot, 0), layers};
}

bool ResultsTable::connected(std::size_t run, std::size_t slot) const {
  const auto series = layers_of(g, run, slot);
  return !series.empty() &&
         std::all_of(series.begin(), series.end(), [](double v) { return std::isfinite(v); });
}

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

void require_shape(hid_t file, const std::string& file_path, const std::string& path,
                   const std::vector<hsize_t>& expected) {
  const auto shape = existing_shape(file, file_path, path);
  if (shape.dims != expected)
    throw Error("io", "'" + file_path + "': " + path + " has shape " + dims_text(shape.dims) +
                          ", expected " + dims_text(expected) + " (run 'ricci-query validate')");
}

}  // namespace shapes

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
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, raw.data());
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

ResultsTable read_results_table(const std::string& path) {
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  const hid_t f = file.get();
  if (H5Aexists(f, "schema_version") <= 0)
    throw Error("io",
                "'" + path + "' has no schema_version attribute: not a ricci-sweep results file");

  ResultsTable t;
  t.path = path;
  const hsize_t N = shapes::dimension_of(f, path, "/runs/status", 0, 1),
                K = shapes::dimension_of(f, path, "/flow/k", 1, 2),
                L = shapes::dimension_of(f, path, "/flow/ric", 2, 3);
  t.runs = N;
  t.max_k = K;
  t.max_layers = L;
  t.max_epochs = shapes::dimension_of(f, path, "/history/loss", 1, 2);
  t.store_activations = h5::integer_attribute(f, "store_activations").value_or(0) != 0;
  t.store_nodes = h5::integer_attribute(f, "store_nodes").value_or(0) != 0;
  t.graph = h5::string_attribute(f, "graph").value_or("");

  const std::vector<hsize_t> runs{N}, per_k{N, K}, per_layer{N, K, L};
  t.id = shapes::read_column<std::int64_t>(f, path, "/runs/id", H5T_NATIVE_INT64, runs);
  t.problem = read_strings(f, path, "/runs/problem", N);
  t.architecture = read_strings(f, path, "/runs/architecture", N);
  t.error = read_strings(f, path, "/runs/error", N);
  t.depth = shapes::read_column<std::int32_t>(f, path, "/runs/depth", H5T_NATIVE_INT32, runs);
  t.n_test = shapes::read_column<std::int32_t>(f, path, "/runs/n_test", H5T_NATIVE_INT32, runs);
  t.epochs = shapes::read_column<std::int32_t>(f, path, "/runs/epochs", H5T_NATIVE_INT32, runs);
  t.rank = shapes::read_column<std::int32_t>(f, path, "/runs/rank", H5T_NATIVE_INT32, runs);
  t.seed = shapes::read_column<std::uint64_t>(f, path, "/runs/seed", H5T_NATIVE_UINT64, runs);
  t.status = shapes::read_column<std::int8_t>(f, path, "/runs/status", H5T_NATIVE_INT8, runs);
  auto real = [&](const char* name, const std::vector<hsize_t>& dims) {
    return shapes::read_column<double>(f, path, name, H5T_NATIVE_DOUBLE, dims);
  };
  t.threshold = real("/runs/threshold", runs);
  t.test_accuracy = real("/runs/test_accuracy", runs);
  t.train_accuracy = real("/runs/train_accuracy", runs);
  t.val_accuracy = real("/runs/val_accuracy", runs);
  t.train_seconds = real("/runs/train_seconds", runs);
  t.geometry_seconds = real("/runs/geometry_seconds", runs);

  t.k = shapes::read_column<std::int32_t>(f, path, "/flow/k", H5T_NATIVE_INT32, per_k);
  t.edges = real("/flow/edges", per_layer);
  t.components = real("/flow/components", per_layer);
  t.unreachable_pairs = real("/flow/unreachable_pairs", per_layer);
  t.ric = real("/flow/ric", per_layer);
  t.g = real("/flow/g", per_layer);
  t.rho = real("/flow/rho", per_k);
  t.z = real("/flow/z", per_k);
  t.fisher = real("/flow/fisher", per_k);
  t.p = real("/flow/p", per_k);
  t.reason = shapes::read_column<std::int8_t>(f, path, "/flow/reason", H5T_NATIVE_INT8, per_k);
  return t;
}

}  // namespace ricci::io
