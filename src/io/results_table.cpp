#include "ricci/io/results_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "checksum.hpp"
#include "h5.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/run_record.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

namespace {

// Files older than schema 4 have no transitions: eta_l = g_{l+1} - g_l as their coefficients were
// computed, no input layer and no baptista-r exclusion, so every reader takes one path.
void derive_transitions(ResultsTable& t) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> eta(t.reals("/flow/g").size(), nan);
  for (std::size_t run = 0; run < t.runs; ++run)
    for (std::size_t slot = 0; slot < t.k_slots; ++slot) {
      const auto derived = geometry::eta_from_geodesic_mass(t.layers_of("/flow/g", run, slot));
      std::copy(derived.begin(), derived.end(),
                eta.begin() + static_cast<std::ptrdiff_t>(t.index(run, slot, 1)));
    }
  t.columns["/flow/eta"] = std::move(eta);
  t.columns["/flow/excluded_at"] = std::vector<std::int64_t>(t.runs * t.k_slots, -1);
  for (const char* input :
       {"/flow/input_edges", "/flow/input_components", "/flow/input_unreachable_pairs"})
    t.columns[input] = std::vector<double>(t.runs * t.k_slots, nan);
}

// Files older than schema 5 have one notion, Forman, whose values are /flow's; they have no local
// coefficients (every /local cell holds its fill).
void derive_notions(ResultsTable& t) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  t.notions = {geometry::CurvatureNotion::forman};
  t.list_layers = t.layers;
  t.columns["/notions/ric"] = t.reals("/flow/ric");
  t.columns["/notions/eta"] = t.reals("/flow/eta");
  for (const char* name : {"rho", "z", "fisher", "p"})
    t.columns[std::string("/notions/") + name] = t.reals(std::string("/flow/") + name);
  t.columns["/notions/reason"] = t.integers("/flow/reason");
  for (const Column& column : results_columns()) {
    if (column.group() != "/local") continue;
    std::size_t cells = 1;
    for (Axis axis : column.axes) cells *= t.extent(axis);
    if (std::holds_alternative<double>(*column.fill))
      t.columns[std::string(column.path)] = std::vector<double>(cells, nan);
    else
      t.columns[std::string(column.path)] =
          std::vector<std::int64_t>(cells, std::get<std::int64_t>(*column.fill));
  }
}

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

std::optional<std::size_t> ResultsTable::notion_position(geometry::CurvatureNotion notion) const {
  for (std::size_t c = 0; c < notions.size(); ++c)
    if (notions[c] == notion) return c;
  return std::nullopt;
}

std::size_t ResultsTable::list_depth(std::size_t run) const {
  const auto depth =
      std::clamp<std::int64_t>(integers("/runs/depth")[run], 0, static_cast<std::int64_t>(layers));
  return std::min(static_cast<std::size_t>(depth) + (all_layers ? 2 : 0), list_layers);
}

std::size_t ResultsTable::extent(Axis axis) const {
  switch (axis) {
    case Axis::runs:
      return runs;
    case Axis::k_slots:
      return k_slots;
    case Axis::layers:
      return layers;
    case Axis::epochs:
      return epochs;
    case Axis::notions:
      return notions.size();
    case Axis::list_layers:
      return list_layers;
    case Axis::snapshots:
      return snapshots;
    case Axis::attempts:
      return attempts;
  }
  return 0;
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
bool ResultsTable::is_running(std::size_t run) const {
  return status_code(run) == static_cast<std::int64_t>(RunStatus::running);
}
bool ResultsTable::untrained(std::size_t run) const {
  return schema_version >= controls_since_version && integers("/runs/untrained").at(run) != 0;
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

bool ResultsTable::excluded(std::size_t run, std::size_t slot) const {
  const std::int64_t reason = integers("/flow/reason")[index(run, slot)];
  return reason == static_cast<std::int64_t>(geometry::CoefficientReason::disconnected) ||
         reason == static_cast<std::int64_t>(geometry::CoefficientReason::reachability_changed);
}

std::span<const double> ResultsTable::eta_of(std::size_t run, std::size_t slot) const {
  return geometry::paired_eta(layers_of("/flow/eta", run, slot));
}

namespace {

// Fixed-length strings as the sweep writes them; variable-length ones (h5py's default) are read
// too.
// `dims`: the column's shape ([runs] or, schema 6, [runs, attempts]); strings in row-major order.
std::vector<std::string> read_strings(hid_t file, const std::string& file_path,
                                      const std::string& path, const std::vector<hsize_t>& dims) {
  shapes::require_shape(file, file_path, path, dims);
  // checked_count bounds the product of a crafted header's dimensions.
  const hsize_t n = shapes::checked_count(dims, sizeof(std::string), file_path, path);
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
    // HDF5 converts no character set into another: the memory type takes the stored one (h5py
    // writes UTF-8, other tools ASCII).
    h5::checked(H5Tset_cset(memory.get(), H5Tget_cset(stored.get())),
                "cannot set the character set of a string type");
    std::vector<char*> raw(n, nullptr);
    h5::checked(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
                "cannot read " + path + " of '" + file_path + "'");
    for (hsize_t i = 0; i < n; ++i) out[i] = raw[i] ? raw[i] : "";
    const h5::Dataspace space(
        h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
    h5::checked(H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, raw.data()),
                "cannot free the strings read from " + path);
    return out;
  }
  const std::size_t width = H5Tget_size(stored.get());
  // checked_count bounds n * width, the bytes of the whole column.
  std::vector<char> raw(shapes::checked_count({n}, width, file_path, path) * width, '\0');
  h5::checked(H5Dread(dataset.get(), stored.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
              "cannot read " + path + " of '" + file_path + "'");
  for (hsize_t i = 0; i < n; ++i) {
    const char* begin = raw.data() + i * width;
    out[i].assign(begin, strnlen(begin, width));
  }
  return out;
}

}  // namespace

std::uint64_t table_checksum(const ResultsTable& t, std::size_t run) {
  RunChecksum sum;
  sum.add(static_cast<std::int64_t>(run));
  for (const Column* column : checksummed_columns(t.schema_version)) {
    std::visit(
        [&](const auto& values) {
          const std::size_t per_run = t.runs == 0 ? 0 : values.size() / t.runs;
          for (std::size_t i = run * per_run; i < (run + 1) * per_run; ++i) {
            using V = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<V, std::string>)
              sum.add(std::string_view(values[i]));
            else
              sum.add(values[i]);
          }
        },
        t.columns.at(std::string(column->path)));
  }
  return sum.value();
}

std::vector<std::size_t> runs_failing_checksum(const ResultsTable& t) {
  std::vector<std::size_t> out;
  if (t.schema_version < checksum_since_version) return out;
  const auto& stored = t.unsigned_integers(checksum_column);
  for (std::size_t i = 0; i < t.runs; ++i)
    if ((t.is_done(i) || t.is_failed(i)) && stored[i] != table_checksum(t, i)) out.push_back(i);
  return out;
}

namespace {

// One per-run dataset read whole in the kind it is stored as, into `sum`.
template <class T>
bool hash_dataset(hid_t file, const std::string& file_path, const std::string& path,
                  hid_t memory_type, RunChecksum& sum, std::string& problem) {
  const auto shape = shapes::describe(file, path);
  if (!shape) {
    problem = path + " is missing";
    return false;
  }
  for (T value : shapes::read_column<T>(file, file_path, path, memory_type, shape->dims))
    sum.add(value);
  return true;
}

}  // namespace

std::optional<std::uint64_t> data_checksum(hid_t file, const ResultsTable& t, std::size_t run,
                                           std::string& problem) {
  RunChecksum sum;
  const std::string group = run_group(static_cast<index_t>(run));
  const auto depth = static_cast<std::size_t>(std::clamp<std::int64_t>(
      t.integers("/runs/depth")[run], 0, static_cast<std::int64_t>(t.layers)));
  for (const RunDataset& dataset : run_datasets()) {
    if (!is_stored(dataset.when, t.store_activations, t.store_nodes, t.local)) continue;
    const std::size_t count = dataset.per_layer ? depth : 1;
    for (std::size_t l = 0; l < count; ++l) {
      const std::string path = group + "/" +
                               (dataset.per_layer ? layer_dataset_name(static_cast<int>(l) + 1)
                                                  : std::string(dataset.name));
      const bool ok =
          dataset.type == ValueType::float32
              ? hash_dataset<float>(file, t.path, path, H5T_NATIVE_FLOAT, sum, problem)
          : dataset.type == ValueType::uint8
              ? hash_dataset<std::uint8_t>(file, t.path, path, H5T_NATIVE_UINT8, sum, problem)
              : hash_dataset<double>(file, t.path, path, H5T_NATIVE_DOUBLE, sum, problem);
      if (!ok) return std::nullopt;
    }
  }
  return sum.value();
}

ResultsTable read_results_table(const std::string& path, AttemptsTable attempts) {
  const h5::QuietErrors quiet;
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  return read_results_table(file.get(), path, /* verify_checksums */ true, attempts);
}

ResultsTable read_results_table_in_use(const std::string& path) {
  const h5::QuietErrors quiet;
  if (!std::filesystem::exists(path)) throw Error("io", "'" + path + "' does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error("io", "'" + path + "' is not an HDF5 file (or is truncated)");
  const h5::PropertyList fapl(
      h5::checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
  h5::checked(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "cannot set the close degree");
  h5::checked(H5Pset_file_locking(fapl.get(), false, true), "cannot turn file locking off");
  const h5::File file(h5::checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()),
                                  "cannot open '" + path + "' to read it while in use"));
  return read_results_table(file.get(), path, /* verify_checksums */ false);
}

void check_run_data(const ResultsTable& t, std::size_t run) {
  const h5::QuietErrors quiet;
  const h5::File file = h5::open_existing(t.path, H5F_ACC_RDONLY);
  const std::string who = "'" + t.path + "' run " + std::to_string(run);
  if (t.schema_version >= checksum_since_version) {
    std::string problem;
    const auto sum = data_checksum(file.get(), t, run, problem);
    if (!sum) throw Error("io", who + ": " + problem);
    if (*sum != t.unsigned_integers(data_checksum_column)[run])
      throw Error("io", who + ": the stored per-run data do not match " +
                            std::string(data_checksum_column) +
                            " (never written, torn or corrupted; 'ricci-query validate' checks the "
                            "file)");
    return;
  }
  // Files before schema 3 have no checksum. The per-run datasets are allocated when the file is
  // created and read as zeros until written: a done run whose outputs and activations are all
  // exactly zero never had them written (a sigmoid output is never exactly 0 for every point).
  if (!t.store_activations) return;
  const std::string group = run_group(static_cast<index_t>(run));
  const auto probability = shapes::describe(file.get(), group + "/probability");
  if (!probability) throw Error("io", who + ": " + group + "/probability is missing");
  const auto values = shapes::read_column<double>(file.get(), t.path, group + "/probability",
                                                  H5T_NATIVE_DOUBLE, probability->dims);
  if (!values.empty() && std::all_of(values.begin(), values.end(), [](double v) { return v == 0; }))
    throw Error("io", who + " is marked done but its per-run data in " + group +
                          " were never written (every output is 0)");
}

StoredRun read_stored_run(const ResultsTable& t, std::size_t run) {
  const std::string who = "'" + t.path + "' run " + std::to_string(run);
  if (!t.store_activations)
    throw Error("io", "'" + t.path +
                          "' was written with store_activations = false: it keeps no activations");
  if (run >= t.runs) throw Error("io", who + ": the file has " + std::to_string(t.runs) + " runs");
  if (!t.is_done(run)) throw Error("io", who + " is not done: it has no stored activations");
  check_run_data(t, run);

  StoredRun out;
  nn::TrainResult& training = out.training;
  training.test_accuracy = t.reals("/runs/test_accuracy")[run];
  training.train_accuracy = t.reals("/runs/train_accuracy")[run];
  training.val_accuracy = t.reals("/runs/val_accuracy")[run];
  training.seconds = t.reals("/runs/train_seconds")[run];
  const auto epochs = t.integers("/runs/epochs")[run];
  if (epochs < minimum_epochs(t) || static_cast<std::size_t>(epochs) > t.epochs)
    throw Error("io", who + ": /runs/epochs is " + std::to_string(epochs) + ", outside " +
                          std::to_string(minimum_epochs(t)) + ".." + std::to_string(t.epochs));
  training.completed = true;  // a done run's training ended (0 epochs for an untrained control)
  for (std::size_t e = 0; e < static_cast<std::size_t>(epochs); ++e) {
    const std::size_t cell = run * t.epochs + e;
    training.history.push_back({t.reals("/history/loss")[cell], t.reals("/history/accuracy")[cell],
                                t.reals("/history/val_loss")[cell],
                                t.reals("/history/val_accuracy")[cell]});
  }

  const h5::QuietErrors quiet;
  const h5::File file = h5::open_existing(t.path, H5F_ACC_RDONLY);
  const std::string group = run_group(static_cast<index_t>(run));
  const auto n_test = static_cast<hsize_t>(t.integers("/runs/n_test")[run]);
  const auto depth = t.integers("/runs/depth")[run];
  for (int l = 1; l <= depth; ++l) {
    const std::string path = group + "/" + layer_dataset_name(l);
    const auto shape = shapes::describe(file.get(), path);
    if (!shape || shape->dims.size() != 2 || shape->dims[0] != n_test)
      throw Error("io",
                  who + ": " + path + " is missing or not " + std::to_string(n_test) + " x width");
    const auto values =
        shapes::read_column<double>(file.get(), t.path, path, H5T_NATIVE_DOUBLE, shape->dims);
    RowMatrix layer(static_cast<Eigen::Index>(shape->dims[0]),
                    static_cast<Eigen::Index>(shape->dims[1]));
    std::copy(values.begin(), values.end(), layer.data());
    out.activations.hidden.push_back(std::move(layer));
  }
  out.activations.probability = shapes::read_column<double>(
      file.get(), t.path, group + "/probability", H5T_NATIVE_DOUBLE, {n_test});
  out.labels = shapes::read_column<std::uint8_t>(file.get(), t.path, group + "/labels",
                                                 H5T_NATIVE_UINT8, {n_test});
  return out;
}

ResultsTable read_results_table(hid_t f, const std::string& path, bool verify_checksums,
                                AttemptsTable attempts) {
  const int version = shapes::readable_version(f, path);

  ResultsTable t;
  t.path = path;
  t.schema_version = version;
  t.runs = shapes::dimension_of(f, path, std::string(status_column), 0, 1);
  t.k_slots = shapes::dimension_of(f, path, "/flow/k", 1, 2);
  t.layers = shapes::dimension_of(f, path, "/flow/g", 2, 3);
  t.epochs = shapes::dimension_of(f, path, "/history/loss", 1, 2);
  if (version >= snapshots_since_version)
    t.snapshots = shapes::dimension_of(f, path, "/snapshots/epoch", 1, 2);
  if (version >= operations_since_version)
    t.attempts = shapes::dimension_of(f, path, "/attempts/outcome", 1, 2);
  // Every run has at least one k and one layer; an empty axis is a corrupted or crafted file, and
  // the per-run accessors (layers_of, k_values) would index past its columns.
  for (const auto& [size, what] :
       {std::pair{t.k_slots, "k slots (/flow/k)"}, std::pair{t.layers, "layers (/flow/g)"},
        std::pair{t.epochs, "epochs (/history/loss)"}})
    if (size == 0) throw Error("io", "'" + path + "' has 0 " + what + ": not a valid results file");
  t.store_activations = h5::integer_attribute(f, "store_activations").value_or(0) != 0;
  t.store_nodes = h5::integer_attribute(f, "store_nodes").value_or(0) != 0;
  t.graph = h5::string_attribute(f, "graph").value_or("");
  if (version >= notions_since_version) {
    t.notions = parse_notion_list(h5::string_attribute(f, "notions").value_or(""), path);
    t.all_layers = h5::string_attribute(f, "layer_list").value_or("") == "all";
    t.local = h5::integer_attribute(f, "local").value_or(0) != 0;
    t.list_layers = shapes::dimension_of(f, path, "/notions/ric", 3, 4);
  }

  for (const Column& column : results_columns()) {
    if (column.since_version > t.schema_version) continue;
    const bool attempts_column =
        std::find(column.axes.begin(), column.axes.end(), Axis::attempts) != column.axes.end();
    if (attempts_column && attempts == AttemptsTable::skip) continue;
    std::vector<hsize_t> dims;
    for (Axis axis : column.axes) dims.push_back(t.extent(axis));
    const std::string name(column.path);
    ResultsTable::ColumnData& data = t.columns[name];
    switch (column.type) {
      case ValueType::string:
        data = read_strings(f, path, name, dims);
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
  // After the columns: a header declaring absurd /flow sizes is refused there first, by name.
  if (t.schema_version >= notions_since_version) {
    if (t.list_layers != t.layers + (t.all_layers ? 2 : 0))
      throw Error("io", "'" + path + "': /notions/ric has " + std::to_string(t.list_layers) +
                            " list layers, but layer_list " + (t.all_layers ? "all" : "hidden") +
                            " and " + std::to_string(t.layers) + " layers make " +
                            std::to_string(t.layers + (t.all_layers ? 2 : 0)));
  }
  if (t.schema_version < transitions_since_version) derive_transitions(t);
  if (t.schema_version < notions_since_version) derive_notions(t);
  if (verify_checksums) {
    const auto failing = runs_failing_checksum(t);
    if (!failing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < failing.size() && i < 10; ++i)
        list += (i ? ", " : "") + std::to_string(failing[i]);
      if (failing.size() > 10) list += ", ...";
      throw Error("io", "'" + path + "': the values of run" + (failing.size() > 1 ? "s " : " ") +
                            list + " do not match " + std::string(checksum_column) +
                            " (torn or corrupted rows; 'ricci-query validate' lists them)");
    }
  }
  return t;
}

}  // namespace ricci::io
