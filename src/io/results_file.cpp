#include "ricci/io/results_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "checksum.hpp"
#include "h5.hpp"
#include "results_shapes.hpp"
#include "ricci/io/activations.hpp"

namespace ricci::io {

namespace {

// The type a value of `type` has in the file (little-endian, as every machine we target).
hid_t stored_numeric_type(ValueType type) {
  switch (type) {
    case ValueType::int8:
      return H5T_STD_I8LE;
    case ValueType::uint8:
      return H5T_STD_U8LE;
    case ValueType::int32:
      return H5T_STD_I32LE;
    case ValueType::int64:
      return H5T_STD_I64LE;
    case ValueType::uint64:
      return H5T_STD_U64LE;
    case ValueType::float32:
      return H5T_IEEE_F32LE;
    case ValueType::float64:
      return H5T_IEEE_F64LE;
    case ValueType::string:
      break;
  }
  throw Error("io", "a string column has no numeric type");
}

// A column's cells in memory, in the widest type of their kind; HDF5 converts them to the stored
// type on write (every registered value fits its column).
class CellBuffer {
 public:
  CellBuffer(const Column& column, std::size_t count) : column_(column) {
    if (column.type == ValueType::string) {
      string_type_ = h5::fixed_string(column.string_width);
      text_.assign(count * column.string_width, '\0');
    } else if (column.type == ValueType::uint64) {
      unsigned_.assign(count, 0);
    } else if (column.type == ValueType::float32 || column.type == ValueType::float64) {
      real_.assign(count, 0.0);
    } else {
      integer_.assign(count, 0);
    }
    if (column.fill)
      for (std::size_t i = 0; i < count; ++i) set(i, *column.fill);
  }

  void set(std::size_t i, const CellValue& value) {
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            if (text_.empty()) throw Error("io", std::string(column_.path) + " holds no text");
            std::memcpy(text_.data() + i * column_.string_width, v.data(),
                        std::min(column_.string_width, v.size()));
          } else if (!unsigned_.empty()) {
            unsigned_[i] = static_cast<std::uint64_t>(v);
          } else if (!real_.empty()) {
            real_[i] = static_cast<double>(v);
          } else if (!integer_.empty()) {
            integer_[i] = static_cast<std::int64_t>(v);
          } else {
            throw Error("io", std::string(column_.path) + " holds no numbers");
          }
        },
        value);
  }

  // The cells [0, count) into `sum`, as the reader will see them (strings up to the first NUL).
  void hash(RunChecksum& sum, std::size_t count) const {
    for (std::size_t i = 0; i < count; ++i) {
      if (!text_.empty()) {
        const char* begin = text_.data() + i * column_.string_width;
        sum.add(std::string_view(begin, strnlen(begin, column_.string_width)));
      } else if (!unsigned_.empty()) {
        sum.add(unsigned_[i]);
      } else if (!real_.empty()) {
        sum.add(real_[i]);
      } else if (!integer_.empty()) {
        sum.add(integer_[i]);
      }
    }
  }

  const void* data() const {
    if (!text_.empty()) return text_.data();
    if (!unsigned_.empty()) return unsigned_.data();
    if (!real_.empty()) return real_.data();
    return integer_.data();
  }
  hid_t memory_type() const {
    if (column_.type == ValueType::string) return string_type_.get();
    if (column_.type == ValueType::uint64) return H5T_NATIVE_UINT64;
    if (column_.type == ValueType::float32 || column_.type == ValueType::float64)
      return H5T_NATIVE_DOUBLE;
    return H5T_NATIVE_INT64;
  }

 private:
  const Column& column_;
  h5::Datatype string_type_;
  std::vector<char> text_;
  std::vector<std::uint64_t> unsigned_;
  std::vector<double> real_;
  std::vector<std::int64_t> integer_;
};

h5::PropertyList file_access(MPI_Comm comm) {
  h5::PropertyList fapl(
      h5::checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
  h5::lock_best_effort(fapl.get());
  if (comm != MPI_COMM_NULL)
    h5::checked(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL),
                "cannot select the MPI-IO driver");
  return fapl;
}

// Fixed size, space allocated at creation: later writes change no metadata, which is what lets
// ranks write independently. With a fill value, unwritten cells read as that value.
h5::Dataset create_dataset(hid_t location, const std::string& name, hid_t type,
                           const std::vector<hsize_t>& dims, hid_t fill_type, const void* fill) {
  const h5::Dataspace space(
      h5::checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                  "cannot create the dataspace of " + name));
  const h5::PropertyList dcpl(
      h5::checked(H5Pcreate(H5P_DATASET_CREATE), "cannot create a dataset creation list"));
  h5::checked(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY),
              "cannot request early allocation");
  if (fill) {
    h5::checked(H5Pset_fill_value(dcpl.get(), fill_type, fill),
                "cannot set the fill value of " + name);
    h5::checked(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC),
                "cannot set the fill time of " + name);
  } else {
    h5::checked(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER),
                "cannot set the fill time of " + name);
  }
  return h5::Dataset(h5::checked(
      H5Dcreate2(location, name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      "cannot create dataset " + name));
}

h5::Group create_group(hid_t location, const std::string& name) {
  return h5::Group(
      h5::checked(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "cannot create group " + name));
}

void write_int_attribute(hid_t location, const std::string& name, long long value) {
  const h5::Dataspace scalar(
      h5::checked(H5Screate(H5S_SCALAR), "cannot create a scalar dataspace"));
  const h5::Attribute attr(h5::checked(
      H5Acreate2(location, name.c_str(), H5T_STD_I64LE, scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
      "cannot create attribute " + name));
  h5::checked(H5Awrite(attr.get(), H5T_NATIVE_LLONG, &value), "cannot write attribute " + name);
}

// Writes `data` into the box [start, start + count) of dataset `path`.
void write_box(hid_t file, const std::string& path, hid_t memory_type,
               const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const void* data, hid_t dxpl) {
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Dataspace file_space(
      h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
  h5::checked(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                  count.data(), nullptr),
              "cannot select a row of " + path);
  const h5::Dataspace memory_space(
      h5::checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                  "cannot create a memory dataspace"));
  h5::checked(
      H5Dwrite(dataset.get(), memory_type, memory_space.get(), file_space.get(), dxpl, data),
      "cannot write " + path);
}

// Writes a whole dataset after checking that `values` has exactly as many elements as it: a run
// whose data does not match the file's layout must not write past (or short of) its buffer.
void write_whole(hid_t file, const std::string& path, const RunData& values, hid_t dxpl,
                 RunChecksum& sum) {
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Dataspace space(
      h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
  const auto expected = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::visit(
      [&](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if (v.size() != expected)
          throw Error("io", path + " holds " + std::to_string(expected) +
                                " values but the run has " + std::to_string(v.size()));
        const hid_t memory_type = std::is_same_v<T, float>          ? H5T_NATIVE_FLOAT
                                  : std::is_same_v<T, std::uint8_t> ? H5T_NATIVE_UINT8
                                                                    : H5T_NATIVE_DOUBLE;
        h5::checked(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, dxpl, v.data()),
                    "cannot write " + path);
        for (const T& value : v) sum.add(value);
      },
      values);
}

}  // namespace

struct ResultsFile::Impl {
  h5::File file;
  h5::PropertyList independent;
  std::string path;
  bool parallel = false;
  int rank = 0;
  int version = schema_version;  // of the file: columns newer than it are not written
  int session = -1;
  index_t runs = 0;
  int k_slots = 0, layers = 0, epochs = 0, snapshots = 0;
  bool store_activations = false, store_nodes = false;
  // Schema 5: the notion axis, in order, and the measured list's layer count.
  std::vector<geometry::CurvatureNotion> notions{geometry::CurvatureNotion::forman};
  int list_layers = 0;
  bool local = false;
  int attempt_rows = attempt_capacity;  // schema 6: the attempts axis

  Impl(const std::string& file_path, MPI_Comm comm)
      : path(file_path), parallel(comm != MPI_COMM_NULL) {
    if (parallel) MPI_Comm_rank(comm, &rank);
    independent =
        h5::PropertyList(h5::checked(H5Pcreate(H5P_DATASET_XFER), "cannot create a transfer list"));
    if (comm != MPI_COMM_NULL)
      h5::checked(H5Pset_dxpl_mpio(independent.get(), H5FD_MPIO_INDEPENDENT),
                  "cannot select independent I/O");
  }

  ~Impl() {
    const h5::QuietErrors quiet;
    independent.reset();
    file.reset();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // A rank that fails while the file is shared must not close it alone (see abandon()).
  void forget_if_parallel() {
    if (parallel) file.release();
  }

  hsize_t extent(Axis axis) const {
    switch (axis) {
      case Axis::runs:
        return static_cast<hsize_t>(runs);
      case Axis::k_slots:
        return static_cast<hsize_t>(k_slots);
      case Axis::layers:
        return static_cast<hsize_t>(layers);
      case Axis::epochs:
        return static_cast<hsize_t>(std::max(epochs, 1));
      case Axis::snapshots:
        return static_cast<hsize_t>(std::max(snapshots, 1));
      case Axis::notions:
        return static_cast<hsize_t>(notions.size());
      case Axis::list_layers:
        return static_cast<hsize_t>(list_layers);
      case Axis::attempts:
        return static_cast<hsize_t>(attempt_rows);
    }
    return 0;
  }
  std::vector<hsize_t> dims(const Column& column) const {
    std::vector<hsize_t> out;
    for (Axis axis : column.axes) out.push_back(extent(axis));
    return out;
  }
  bool stores(StoreOption option) const {
    return is_stored(option, store_activations, store_nodes, local);
  }

  void fill_new_file(const ResultsLayout& layout);
  void read_sizes();
  void create_columns(hid_t root) const;
  void write_identities(hid_t root, const std::vector<RunIdentity>& identities) const;
  void create_run_groups(hid_t root, const std::vector<RunIdentity>& identities,
                         const std::vector<bool>& left_out) const;
  void create_run_group(hid_t root, index_t id, const RunIdentity& run) const;
  void require_fits(const RunRecord& record) const;
  void require_fits(const ResultsLayout& layout) const;
  void write_column(const Column& column, const RunRecord& record, RunChecksum& sum) const;
  void write_notion_cells(const Column& column, const RunRecord& record, CellBuffer& cells,
                          std::size_t first = 0) const;
  void write_cell(std::string_view column_path, index_t id, const CellValue& value,
                  std::size_t slot = 0) const;
  bool has_operations() const { return version >= operations_since_version; }
};

void ResultsFile::Impl::require_fits(const ResultsLayout& layout) const {
  for (std::size_t id = 0; id < layout.runs.size(); ++id) {
    const RunIdentity& run = layout.runs[id];
    if (run.k.size() > static_cast<std::size_t>(k_slots) ||
        run.widths.size() > static_cast<std::size_t>(layers) ||
        run.depth != static_cast<int>(run.widths.size()))
      throw Error(
          "io", "run " + std::to_string(id) + " of the layout has " + std::to_string(run.k.size()) +
                    " k values and " + std::to_string(run.widths.size()) + " widths (depth " +
                    std::to_string(run.depth) + ") but the layout has " + std::to_string(k_slots) +
                    " k slots and " + std::to_string(layers) + " layers");
  }
  for (const auto& [name, value] : layout.attributes) {
    bool registered = false;
    for (const FileAttribute& attribute : file_attributes())
      registered = registered || (attribute.is_string && attribute.name == name);
    if (!registered)
      throw Error("io", "attribute '" + name + "' is not a string attribute of the results schema");
  }
}

// Checked before anything of the run is written: a record that does not fit the file's fixed
// sizes is an Error, never a partial write.
void ResultsFile::Impl::require_fits(const RunRecord& record) const {
  const std::string run = "run " + std::to_string(record.id);
  if (record.id < 0 || record.id >= runs)
    throw Error("io", run + " is outside the file's " + std::to_string(runs) + " runs");
  if (record.measures.size() > static_cast<std::size_t>(k_slots))
    throw Error("io", run + " has " + std::to_string(record.measures.size()) + " k values but " +
                          path + " has " + std::to_string(k_slots) + " k slots");
  for (const auto& at_k : record.measures) {
    if (at_k.layers.size() > static_cast<std::size_t>(layers))
      throw Error("io", run + " has " + std::to_string(at_k.layers.size()) + " layers but " + path +
                            " has " + std::to_string(layers));
    // /flow/eta holds one transition per layer (docs/method.md §4).
    if (record.status == RunStatus::done && at_k.eta.size() != at_k.layers.size())
      throw Error("io", run + " has " + std::to_string(at_k.eta.size()) + " transitions for " +
                            std::to_string(at_k.layers.size()) +
                            " layers at k = " + std::to_string(at_k.k));
  }
  // Files before schema 5 have no snapshot columns: a re-analysis or resume of one writes none.
  const int snapshot_room = version >= snapshots_since_version ? std::max(snapshots, 1) : 0;
  if (record.snapshots.size() > static_cast<std::size_t>(snapshot_room))
    throw Error("io", run + " has " + std::to_string(record.snapshots.size()) + " snapshots but " +
                          path + " has room for " + std::to_string(snapshot_room));
  for (const auto& snapshot : record.snapshots)
    if (snapshot.measures.size() > static_cast<std::size_t>(k_slots))
      throw Error("io", run + " has a snapshot of " + std::to_string(snapshot.measures.size()) +
                            " k values but " + path + " has " + std::to_string(k_slots) +
                            " k slots");
}

// Checked with the rest of require_fits: the measured list of a run (or of one of its snapshots)
// fits /notions.
void require_list_fits(index_t id, const std::vector<geometry::MeasuresAtK>& measures,
                       const std::vector<geometry::MeasuresAtK>& list_measures,
                       std::size_t list_layers, std::size_t k_slots, const std::string& path) {
  const std::string run = "run " + std::to_string(id);
  if (list_measures.empty()) return;
  if (list_measures.size() != measures.size() || list_measures.size() > k_slots)
    throw Error("io", run + " has " + std::to_string(list_measures.size()) +
                          " k slots of its layer list for " + std::to_string(measures.size()) +
                          " k values");
  for (const auto& at_k : list_measures)
    if (at_k.layers.size() > list_layers || at_k.eta.size() != at_k.layers.size())
      throw Error("io", run + " has " + std::to_string(at_k.layers.size()) +
                            " layers in its layer list but " + path + " has " +
                            std::to_string(list_layers));
}

void ResultsFile::Impl::create_columns(hid_t root) const {
  for (const Column& column : results_columns()) {
    const std::string group(column.group());
    if (!h5::link_exists(root, group)) create_group(root, group);
    const h5::Datatype string_type =
        column.type == ValueType::string ? h5::fixed_string(column.string_width) : h5::Datatype();
    const hid_t type =
        column.type == ValueType::string ? string_type.get() : stored_numeric_type(column.type);
    std::optional<CellBuffer> fill;
    if (column.fill) fill.emplace(column, 1);
    const auto dataset = create_dataset(root, std::string(column.path), type, dims(column),
                                        fill ? fill->memory_type() : H5T_NATIVE_INT64,
                                        fill ? fill->data() : nullptr);
    // Schema 2: each dataset says what it is, for readers without this code.
    h5::write_string_attribute(dataset.get(), "axes", column.axes_text());
    h5::write_string_attribute(dataset.get(), "meaning", std::string(column.meaning));
    if (!column.codes.empty())
      h5::write_string_attribute(dataset.get(), "codes", column.codes_text());
  }
}

void ResultsFile::Impl::write_identities(hid_t root,
                                         const std::vector<RunIdentity>& identities) const {
  for (const Column& column : results_columns()) {
    if (!column.from_identity) continue;
    const bool per_slot = column.has_axis(Axis::k_slots);
    const std::size_t width = per_slot ? static_cast<std::size_t>(k_slots) : 1;
    CellBuffer cells(column, identities.size() * width);
    for (std::size_t run = 0; run < identities.size(); ++run) {
      const std::size_t slots = per_slot ? identities[run].k.size() : 1;
      for (std::size_t slot = 0; slot < slots; ++slot)
        cells.set(run * width + slot,
                  column.from_identity(static_cast<index_t>(run), identities[run], slot));
    }
    const auto count = dims(column);
    write_box(root, std::string(column.path), cells.memory_type(),
              std::vector<hsize_t>(count.size(), 0), count, cells.data(), independent.get());
  }
}

void ResultsFile::Impl::create_run_groups(hid_t root, const std::vector<RunIdentity>& identities,
                                          const std::vector<bool>& left_out) const {
  if (!store_activations && !store_nodes) return;
  create_group(root, "run_data");
  for (std::size_t id = 0; id < identities.size(); ++id)
    if (id >= left_out.size() || !left_out[id])
      create_run_group(root, static_cast<index_t>(id), identities[id]);
}

void ResultsFile::Impl::create_run_group(hid_t root, index_t id, const RunIdentity& run) const {
  const auto group = create_group(root, run_group(id));
  for (const RunDataset& dataset : run_datasets()) {
    if (!stores(dataset.when)) continue;
    const std::size_t count = dataset.per_layer ? run.widths.size() : 1;
    for (std::size_t l = 0; l < count; ++l) {
      const auto sizes = dataset.dims(run, l);
      const std::string name = dataset.per_layer ? layer_dataset_name(static_cast<int>(l) + 1)
                                                 : std::string(dataset.name);
      create_dataset(group.get(), name, stored_numeric_type(dataset.type),
                     std::vector<hsize_t>(sizes.begin(), sizes.end()), H5T_NATIVE_INT64, nullptr);
    }
  }
}

// The cells of one column that `record` has, in the file's row order, with the fill elsewhere.
// The whole row is written (fill included), so a row an abandoned attempt left half-written is
// overwritten and matches its checksum.
void ResultsFile::Impl::write_column(const Column& column, const RunRecord& record,
                                     RunChecksum& sum) const {
  const bool done = record.status == RunStatus::done;
  const auto& history = record.training.history;
  auto count = dims(column);
  count.front() = 1;
  std::size_t cells_per_run = 1;
  for (std::size_t a = 1; a < count.size(); ++a) cells_per_run *= count[a];
  CellBuffer cells(column, cells_per_run);
  if (column.from_notion && column.has_axis(Axis::snapshots)) {
    // A snapshot's geometry, written as its own record's would be: the cells of snapshot s follow
    // those of s - 1.
    const std::size_t per_snapshot =
        cells_per_run / static_cast<std::size_t>(extent(Axis::snapshots));
    for (std::size_t s = 0; done && s < record.snapshots.size(); ++s) {
      RunRecord at_snapshot;
      at_snapshot.notions = record.notions;
      at_snapshot.measures = record.snapshots[s].measures;
      at_snapshot.list_measures = record.snapshots[s].list_measures;
      write_notion_cells(column, at_snapshot, cells, s * per_snapshot);
    }
  } else if (column.from_notion) {
    if (done) write_notion_cells(column, record, cells);
  } else if (column.axes.size() == 1) {
    cells.set(0, column.from_record(record, 0, 0));
  } else if (column.has_axis(Axis::epochs)) {
    const std::size_t epochs_kept = std::min<std::size_t>(history.size(), cells_per_run);
    for (std::size_t e = 0; e < epochs_kept; ++e) cells.set(e, column.from_record(record, 0, e));
  } else if (column.has_axis(Axis::snapshots)) {
    const bool per_slot = column.has_axis(Axis::k_slots);
    const std::size_t width = per_slot ? static_cast<std::size_t>(k_slots) : 1;
    for (std::size_t s = 0; done && s < record.snapshots.size(); ++s) {
      if (!per_slot) {
        cells.set(s, column.from_record(record, s, 0));
        continue;
      }
      for (std::size_t slot = 0; slot < record.snapshots[s].measures.size(); ++slot)
        cells.set(s * width + slot, column.from_record(record, s, slot));
    }
  } else if (done) {
    const bool per_layer = column.has_axis(Axis::layers);
    for (std::size_t slot = 0; slot < record.measures.size(); ++slot) {
      if (!per_layer) {
        cells.set(slot, column.from_record(record, slot, 0));
        continue;
      }
      const std::size_t depth = record.measures[slot].layers.size();
      for (std::size_t l = 0; l < depth; ++l)
        cells.set(slot * static_cast<std::size_t>(layers) + l, column.from_record(record, slot, l));
    }
  }
  cells.hash(sum, cells_per_run);
  std::vector<hsize_t> start(count.size(), 0);
  start.front() = static_cast<hsize_t>(record.id);
  write_box(file.get(), std::string(column.path), cells.memory_type(), start, count, cells.data(),
            independent.get());
}

// A schema 5 column's cells of a done run: every k slot, notion of the file's axis and layer of
// the measured list the run has; the rest keeps the fill.
void ResultsFile::Impl::write_notion_cells(const Column& column, const RunRecord& record,
                                           CellBuffer& cells, std::size_t first) const {
  const bool per_notion = column.has_axis(Axis::notions);
  const bool per_layer = column.has_axis(Axis::list_layers);
  const std::size_t notion_count = per_notion ? notions.size() : 1;
  const std::size_t layer_stride = per_layer ? static_cast<std::size_t>(list_layers) : 1;
  const auto& list = record.measured_list();
  for (std::size_t slot = 0; slot < list.size(); ++slot) {
    const std::size_t depth = per_layer ? list[slot].layers.size() : 1;
    for (std::size_t c = 0; c < notion_count; ++c) {
      const auto notion = per_notion ? notions[c] : geometry::CurvatureNotion::forman;
      for (std::size_t l = 0; l < depth; ++l)
        cells.set(first + (slot * notion_count + c) * layer_stride + l,
                  column.from_notion(record, slot, notion, l));
    }
  }
}

// One cell of a [runs] column, or cell [id, slot] of a [runs, X] column.
void ResultsFile::Impl::write_cell(std::string_view column_path, index_t id, const CellValue& value,
                                   std::size_t slot) const {
  const Column& column = results_column(column_path);
  CellBuffer cell(column, 1);
  cell.set(0, value);
  std::vector<hsize_t> start{static_cast<hsize_t>(id)}, count{1};
  if (column.axes.size() == 2) {
    start.push_back(static_cast<hsize_t>(slot));
    count.push_back(1);
  }
  write_box(file.get(), std::string(column_path), cell.memory_type(), start, count, cell.data(),
            independent.get());
}

ResultsFile::ResultsFile() = default;
ResultsFile::~ResultsFile() = default;
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;

ResultsFile ResultsFile::create(const std::string& path, const ResultsLayout& layout,
                                MPI_Comm comm) {
  const h5::QuietErrors quiet;
  ResultsFile out;
  out.impl_ = std::make_unique<Impl>(path, comm);
  Impl& f = *out.impl_;
  f.runs = static_cast<index_t>(layout.runs.size());
  f.k_slots = layout.k_slots;
  f.layers = layout.layers;
  f.epochs = layout.epochs;
  f.snapshots = layout.snapshots;
  f.store_activations = layout.store_activations;
  f.store_nodes = layout.store_nodes;
  f.notions = layout.notions;
  f.local = layout.local;
  f.list_layers = layout.layers + (layout.all_layers ? 2 : 0);
  if (f.notions.empty()) throw Error("io", "a results layout needs at least one curvature notion");
  f.require_fits(layout);

  const auto fapl = file_access(comm);
  // The 1.10 file format checksums the superblock and every object header, so a flipped byte of
  // metadata is an error when the file is opened or an object read, not a crash or a wrong value.
  // Only new files get it: files of earlier versions are opened as they are.
  h5::checked(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
              "cannot select the checksummed file format");
  // The root attributes stay in the root group's object header, whose checksum covers them; past
  // 8 attributes the 1.10 format would move them to dense storage, whose heap blocks it does not
  // checksum.
  const h5::PropertyList fcpl(
      h5::checked(H5Pcreate(H5P_FILE_CREATE), "cannot create a file creation list"));
  h5::checked(H5Pset_attr_phase_change(fcpl.get(), 64, 48),
              "cannot keep the root attributes compact");
  f.file = h5::File(h5::checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                                "cannot create " + path));
  try {
    f.fill_new_file(layout);
  } catch (...) {
    f.forget_if_parallel();
    throw;
  }
  return out;
}

void ResultsFile::Impl::fill_new_file(const ResultsLayout& layout) {
  const hid_t root = file.get();
  // The attributes the layout's own fields decide (schema 5), then the caller's.
  std::map<std::string, std::string> attributes = layout.attributes;
  attributes["notions"] = notion_list_text(layout.notions);
  attributes["layer_list"] = layout.all_layers ? "all" : "hidden";
  for (const FileAttribute& attribute : file_attributes()) {
    const std::string name(attribute.name);
    if (!attribute.is_string) continue;
    const auto value = attributes.find(name);
    h5::write_string_attribute(root, name, value == attributes.end() ? "" : value->second);
  }
  write_int_attribute(root, "schema_version", schema_version);
  write_int_attribute(root, "store_activations", layout.store_activations);
  write_int_attribute(root, "store_nodes", layout.store_nodes);
  write_int_attribute(root, "local", layout.local);
  create_columns(root);
  create_run_groups(root, layout.runs, layout.run_data_left_out);
  // Identity columns: rank 0 writes them; the collective flush below makes them durable.
  if (rank == 0) write_identities(root, layout.runs);
  h5::checked(H5Fflush(root, H5F_SCOPE_GLOBAL), "cannot flush " + path);
}

ResultsFile ResultsFile::open(const std::string& path, bool writable, MPI_Comm comm) {
  const h5::QuietErrors quiet;
  ResultsFile out;
  out.impl_ = std::make_unique<Impl>(path, comm);
  Impl& f = *out.impl_;
  if (!std::filesystem::exists(path)) throw Error("io", "'" + path + "' does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error("io", "'" + path + "' is not an HDF5 file (or is truncated)");
  const auto fapl = file_access(comm);
  f.file = h5::File(
      h5::checked(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()),
                  "cannot open " + path + (writable ? " for writing" : "")));
  try {
    f.read_sizes();
  } catch (...) {
    f.forget_if_parallel();
    throw;
  }
  return out;
}

void ResultsFile::Impl::read_sizes() {
  const hid_t root = file.get();
  version = shapes::readable_version(root, path);
  const hsize_t n = shapes::dimension_of(root, path, "/runs/status", 0, 1);
  const hsize_t k = shapes::dimension_of(root, path, "/flow/k", 1, 2);
  const hsize_t l = shapes::dimension_of(root, path, "/flow/g", 2, 3);
  const hsize_t e = shapes::dimension_of(root, path, "/history/loss", 1, 2);
  // Sizes a corrupted header may declare are checked before they are used as counts.
  shapes::checked_count({n, k, l}, sizeof(double), path, "/flow/g");
  shapes::checked_count({n, e}, sizeof(double), path, "/history/loss");
  constexpr auto most = static_cast<hsize_t>(std::numeric_limits<int>::max());
  if (n > most || k > most || l > most || e > most)
    throw Error(
        "io", "'" + path + "' declares more runs, k slots, layers or epochs than this build reads");
  runs = static_cast<index_t>(n);
  k_slots = static_cast<int>(k);
  layers = static_cast<int>(l);
  epochs = static_cast<int>(e);
  // Files before schema 5 have no snapshot axis (and no snapshot columns are written to them).
  if (version >= snapshots_since_version) {
    const hsize_t s = shapes::dimension_of(root, path, "/snapshots/epoch", 1, 2);
    if (s > most) throw Error("io", "'" + path + "' declares more snapshots than this build reads");
    snapshots = static_cast<int>(s);
  }
  store_activations = h5::integer_attribute(root, "store_activations").value_or(0) != 0;
  store_nodes = h5::integer_attribute(root, "store_nodes").value_or(0) != 0;
  list_layers = layers;
  if (version >= notions_since_version) {
    notions = parse_notion_list(h5::string_attribute(root, "notions").value_or(""), path);
    const hsize_t m = shapes::dimension_of(root, path, "/notions/ric", 3, 4);
    const hsize_t c = shapes::dimension_of(root, path, "/notions/ric", 2, 4);
    if (c != notions.size() || m > most)
      throw Error("io", "'" + path + "': /notions/ric has " + std::to_string(c) +
                            " notions but the attribute 'notions' names " +
                            std::to_string(notions.size()));
    list_layers = static_cast<int>(m);
    local = h5::integer_attribute(root, "local").value_or(0) != 0;
  }
  if (version >= operations_since_version) {
    const hsize_t a = shapes::dimension_of(root, path, "/attempts/outcome", 1, 2);
    if (a < 1 || a > most)
      throw Error("io",
                  "'" + path + "': /attempts/outcome has " + std::to_string(a) + " rows per run");
    attempt_rows = static_cast<int>(a);
  }
}

std::string ResultsFile::attribute(const std::string& name) const {
  const h5::QuietErrors quiet;
  const hid_t root = impl_->file.get();
  if (H5Aexists(root, name.c_str()) <= 0)
    throw Error("io", impl_->path + " has no attribute '" + name + "'");
  if (const auto value = h5::integer_attribute(root, name)) return std::to_string(*value);
  if (auto value = h5::string_attribute(root, name)) return std::move(*value);
  throw Error("io", "attribute " + name + " is neither an integer nor a fixed-length string");
}

bool ResultsFile::has_attribute(const std::string& name) const {
  const h5::QuietErrors quiet;
  return H5Aexists(impl_->file.get(), name.c_str()) > 0;
}

void ResultsFile::set_attribute(const std::string& name, const std::string& value) {
  const h5::QuietErrors quiet;
  bool registered = false;
  for (const FileAttribute& attribute : file_attributes())
    registered = registered || (attribute.is_string && attribute.name == name);
  if (!registered)
    throw Error("io", "attribute '" + name + "' is not a string attribute of the results schema");
  const hid_t root = impl_->file.get();
  // A fixed-length string cannot grow in place: the attribute is replaced. Both steps change the
  // root's object header, so with a communicator every rank makes them, with the same value.
  h5::replace_string_attribute(root, name, value);
}

int ResultsFile::file_version() const { return impl_->version; }
void ResultsFile::set_session(int index) { impl_->session = index; }
int ResultsFile::session() const { return impl_->session; }

index_t ResultsFile::run_count() const { return impl_->runs; }

std::vector<int> ResultsFile::run_sessions() const {
  const h5::QuietErrors quiet;
  if (impl_->version < operations_since_version) return {};
  std::vector<int> out(static_cast<std::size_t>(impl_->runs), -1);
  const std::string path(session_column);
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Dataspace space(
      h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
  if (H5Sget_simple_extent_npoints(space.get()) != static_cast<hssize_t>(out.size()))
    throw Error("io", impl_->path + ": " + path + " does not have one row per run");
  if (!out.empty())
    h5::checked(H5Dread(dataset.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, impl_->independent.get(),
                        out.data()),
                "cannot read " + path);
  return out;
}

std::vector<RunStatus> ResultsFile::statuses() const {
  const h5::QuietErrors quiet;
  std::vector<std::int8_t> raw(static_cast<std::size_t>(impl_->runs));
  const std::string path(status_column);
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), "cannot open " + path));
  if (!raw.empty())
    h5::checked(H5Dread(dataset.get(), H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, impl_->independent.get(),
                        raw.data()),
                "cannot read " + path);
  std::vector<RunStatus> out;
  for (auto code : raw) out.push_back(run_status_from_code(code).value_or(RunStatus::pending));
  return out;
}

std::vector<double> ResultsFile::run_seconds() const {
  const h5::QuietErrors quiet;
  const auto column = [&](const std::string& path) {
    std::vector<double> values(static_cast<std::size_t>(impl_->runs));
    const h5::Dataset dataset(
        h5::checked(H5Dopen2(impl_->file.get(), path.c_str(), H5P_DEFAULT), "cannot open " + path));
    if (!values.empty())
      h5::checked(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                          impl_->independent.get(), values.data()),
                  "cannot read " + path);
    return values;
  };
  const auto train = column("/runs/train_seconds");
  auto out = column("/runs/geometry_seconds");
  for (std::size_t i = 0; i < out.size(); ++i)
    if (std::isfinite(train[i])) out[i] += train[i];
  return out;
}

void ResultsFile::write_run(const RunRecord& record) {
  const h5::QuietErrors quiet;
  Impl& f = *impl_;
  f.require_fits(record);
  const auto list_layers = static_cast<std::size_t>(f.list_layers);
  const auto k_slots = static_cast<std::size_t>(f.k_slots);
  require_list_fits(record.id, record.measures, record.list_measures, list_layers, k_slots, f.path);
  for (const auto& snapshot : record.snapshots)
    require_list_fits(record.id, snapshot.measures, snapshot.list_measures, list_layers, k_slots,
                      f.path);
  // The per-node local datasets follow the record's notion list: it must be the file's axis.
  if (record.status == RunStatus::done && f.stores(StoreOption::local_nodes) &&
      record.notions != f.notions)
    throw Error("io", "run " + std::to_string(record.id) + " has the notions " +
                          notion_list_text(record.notions) + " but " + f.path + " stores " +
                          notion_list_text(f.notions));
  // Canonical order (results_schema/README.md): per-run datasets in registry order into
  // data_sum; the run id, then every checksummed column's row in registry order into table_sum.
  RunChecksum data_sum, table_sum;
  table_sum.add(std::int64_t{record.id});
  if (record.status == RunStatus::done) {
    const std::string group = run_group(record.id);
    for (const RunDataset& dataset : run_datasets()) {
      if (!f.stores(dataset.when)) continue;
      const std::size_t count = dataset.per_layer ? record.activations.hidden.size() : 1;
      for (std::size_t l = 0; l < count; ++l) {
        const std::string name = dataset.per_layer ? layer_dataset_name(static_cast<int>(l) + 1)
                                                   : std::string(dataset.name);
        write_whole(f.file.get(), group + "/" + name, dataset.values(record, l),
                    f.independent.get(), data_sum);
      }
    }
  }
  for (const Column* column : record_columns(f.version)) {
    RunChecksum outside;  // /runs/session is written but not summed (checksummed_columns)
    f.write_column(*column, record, column->path == session_column ? outside : table_sum);
  }
  if (f.version >= checksum_since_version) {
    f.write_cell(checksum_column, record.id, table_sum.value());
    f.write_cell(data_checksum_column, record.id,
                 record.status == RunStatus::done ? data_sum.value() : std::uint64_t{0});
  }
  // Last: a set status means everything above is on disk.
  RunChecksum unused;
  f.write_column(results_column(status_column), record, unused);
}

void ResultsFile::add_run_groups(const std::vector<RunIdentity>& runs,
                                 const std::vector<index_t>& ids) {
  const h5::QuietErrors quiet;
  Impl& f = *impl_;
  if (!f.store_activations && !f.store_nodes) return;
  const hid_t root = f.file.get();
  try {
    bool created = false;
    if (!h5::link_exists(root, "/run_data")) {
      create_group(root, "run_data");
      created = true;
    }
    for (index_t id : ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= runs.size() || id >= f.runs)
        throw Error("io", "run " + std::to_string(id) + " is outside " + f.path);
      if (h5::link_exists(root, run_group(id))) continue;
      f.create_run_group(root, id, runs[static_cast<std::size_t>(id)]);
      created = true;
    }
    // As after creation: the new groups are on disk before any rank writes into them.
    if (created) h5::checked(H5Fflush(root, H5F_SCOPE_GLOBAL), "cannot flush " + f.path);
  } catch (...) {
    f.forget_if_parallel();
    throw;
  }
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

bool ResultsFile::records_attempts() const { return impl_->has_operations(); }

void ResultsFile::write_attempt(const AttemptRecord& attempt) {
  const h5::QuietErrors quiet;
  const Impl& f = *impl_;
  if (!f.has_operations()) return;
  if (attempt.id < 0 || attempt.id >= f.runs || attempt.attempt < 1)
    throw Error("io", "attempt " + std::to_string(attempt.attempt) + " of run " +
                          std::to_string(attempt.id) + " is outside " + f.path);
  const std::size_t row =
      std::min(attempt_row(attempt.attempt), static_cast<std::size_t>(f.attempt_rows) - 1);
  f.write_cell("/attempts/rank", attempt.id, std::int64_t{attempt.rank}, row);
  f.write_cell("/attempts/host", attempt.id, attempt.host, row);
  f.write_cell("/attempts/slurm_job_id", attempt.id, attempt.slurm_job_id, row);
  f.write_cell("/attempts/started_at", attempt.id, attempt.started_at, row);
  f.write_cell("/attempts/ended_at", attempt.id, attempt.ended_at, row);
  f.write_cell("/attempts/message", attempt.id, attempt.message, row);
  f.write_cell("/attempts/outcome", attempt.id, static_cast<std::int64_t>(attempt.outcome), row);
}

void ResultsFile::mark_running(const AttemptRecord& attempt, int slurm_restart_count) {
  const h5::QuietErrors quiet;
  const Impl& f = *impl_;
  if (!f.has_operations()) return;
  write_attempt(attempt);
  f.write_cell("/runs/rank", attempt.id, std::int64_t{attempt.rank});
  f.write_cell("/runs/host", attempt.id, attempt.host);
  f.write_cell("/runs/slurm_job_id", attempt.id, attempt.slurm_job_id);
  f.write_cell("/runs/slurm_restart_count", attempt.id, std::int64_t{slurm_restart_count});
  f.write_cell("/runs/started_at", attempt.id, attempt.started_at);
  f.write_cell("/runs/ended_at", attempt.id, std::numeric_limits<double>::quiet_NaN());
  f.write_cell("/runs/attempts", attempt.id, std::int64_t{attempt.attempt});
  f.write_cell(status_column, attempt.id, static_cast<std::int64_t>(RunStatus::running));
}

void ResultsFile::mark_pending(index_t id) {
  const h5::QuietErrors quiet;
  const Impl& f = *impl_;
  if (!f.has_operations()) return;
  f.write_cell(status_column, id, static_cast<std::int64_t>(RunStatus::pending));
}

namespace {

// A whole [runs] integer column of a schema 6 file; zeros in an older file.
std::vector<std::int64_t> operations_column(hid_t file, const std::string& file_path,
                                            const std::string& path, bool present, index_t runs,
                                            hid_t transfer) {
  const h5::QuietErrors quiet;
  std::vector<std::int64_t> out(static_cast<std::size_t>(runs), 0);
  if (!present || out.empty()) return out;
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  h5::checked(H5Dread(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, transfer, out.data()),
              "cannot read " + path + " of " + file_path);
  return out;
}

}  // namespace

std::vector<std::int64_t> ResultsFile::attempt_counts() const {
  const Impl& f = *impl_;
  return operations_column(f.file.get(), f.path, "/runs/attempts", f.has_operations(), f.runs,
                           f.independent.get());
}

std::vector<FailureClass> ResultsFile::failure_classes() const {
  const Impl& f = *impl_;
  std::vector<FailureClass> out;
  for (std::int64_t code : operations_column(f.file.get(), f.path, "/runs/failure",
                                             f.has_operations(), f.runs, f.independent.get()))
    out.push_back(code >= 0 && code <= static_cast<std::int64_t>(FailureClass::lost)
                      ? static_cast<FailureClass>(code)
                      : FailureClass::none);
  return out;
}

CellValue ResultsFile::read_cell(std::string_view column_path, index_t id, std::size_t slot) const {
  const h5::QuietErrors quiet;
  const Impl& f = *impl_;
  const Column& column = results_column(column_path);
  const std::string path(column_path);
  if (id < 0 || id >= f.runs || (column.axes.size() == 1 && slot != 0) ||
      (column.axes.size() == 2 && slot >= f.extent(column.axes[1])) || column.axes.size() > 2)
    throw Error("io", "cell " + std::to_string(id) + ", " + std::to_string(slot) + " is outside " +
                          path + " of " + f.path);
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(f.file.get(), path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const h5::Dataspace file_space(
      h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + path));
  std::vector<hsize_t> start{static_cast<hsize_t>(id)}, count{1};
  if (column.axes.size() == 2) {
    start.push_back(slot);
    count.push_back(1);
  }
  h5::checked(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                  count.data(), nullptr),
              "cannot select a cell of " + path);
  const hsize_t one = 1;
  const h5::Dataspace memory_space(
      h5::checked(H5Screate_simple(1, &one, nullptr), "cannot create a memory dataspace"));
  const auto read = [&](hid_t memory_type, void* into) {
    h5::checked(H5Dread(dataset.get(), memory_type, memory_space.get(), file_space.get(),
                        f.independent.get(), into),
                "cannot read " + path + " of " + f.path);
  };
  switch (column.type) {
    case ValueType::string: {
      const h5::Datatype type = h5::fixed_string(column.string_width);
      std::vector<char> text(column.string_width, '\0');
      read(type.get(), text.data());
      return std::string(text.data(), strnlen(text.data(), text.size()));
    }
    case ValueType::uint64: {
      std::uint64_t value = 0;
      read(H5T_NATIVE_UINT64, &value);
      return value;
    }
    case ValueType::float32:
    case ValueType::float64: {
      double value = 0;
      read(H5T_NATIVE_DOUBLE, &value);
      return value;
    }
    default: {
      std::int64_t value = 0;
      read(H5T_NATIVE_INT64, &value);
      return value;
    }
  }
}

void ResultsFile::flush() {
  const h5::QuietErrors quiet;
  Impl& f = *impl_;
  try {
    h5::checked(H5Fflush(f.file.get(), H5F_SCOPE_GLOBAL), "cannot flush " + f.path);
  } catch (...) {
    f.forget_if_parallel();
    throw;
  }
}

void ResultsFile::abandon() {
  if (!impl_) return;
  impl_->forget_if_parallel();
  impl_.reset();
}

void ResultsFile::close() {
  if (!impl_) return;
  const h5::QuietErrors quiet;
  impl_->independent.reset();
  impl_->file.close("cannot close " + impl_->path);
}

}  // namespace ricci::io
