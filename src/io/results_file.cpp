#include "ricci/io/results_file.hpp"

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "h5.hpp"
#include "results_shapes.hpp"
#include "ricci/io/activations.hpp"

namespace ricci::io {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t problem_width = 256, architecture_width = 64;

h5::Datatype fixed_string(std::size_t width) {
  h5::Datatype type(h5::checked(H5Tcopy(H5T_C_S1), "cannot copy the string type"));
  h5::checked(H5Tset_size(type.get(), width), "cannot size a string type");
  h5::checked(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "cannot set string padding");
  h5::checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot set the string character set");
  return type;
}

h5::PropertyList file_access(bool serial) {
  h5::PropertyList fapl(
      h5::checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
  if (!serial)
    h5::checked(H5Pset_fapl_mpio(fapl.get(), MPI_COMM_WORLD, MPI_INFO_NULL),
                "cannot select the MPI-IO driver");
  return fapl;
}

// Fixed size, space allocated at creation: later writes change no metadata, which is what lets
// ranks write independently. With a fill value, unwritten cells read as that value.
template <class T>
h5::Dataset create_dataset(hid_t location, const std::string& name, hid_t type,
                           std::vector<hsize_t> dims, const T* fill) {
  const h5::Dataspace space(
      h5::checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                  "cannot create the dataspace of " + name));
  const h5::PropertyList dcpl(
      h5::checked(H5Pcreate(H5P_DATASET_CREATE), "cannot create a dataset creation list"));
  h5::checked(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY),
              "cannot request early allocation");
  if (fill) {
    h5::checked(H5Pset_fill_value(dcpl.get(), type, fill), "cannot set the fill value of " + name);
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

void write_string_attribute(hid_t location, const std::string& name, const std::string& value) {
  const auto type = fixed_string(std::max<std::size_t>(value.size(), 1));
  const h5::Dataspace scalar(
      h5::checked(H5Screate(H5S_SCALAR), "cannot create a scalar dataspace"));
  const h5::Attribute attr(h5::checked(
      H5Acreate2(location, name.c_str(), type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
      "cannot create attribute " + name));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  h5::checked(H5Awrite(attr.get(), type.get(), padded.data()), "cannot write attribute " + name);
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

void write_whole(hid_t file, const std::string& path, hid_t memory_type, const void* data,
                 hid_t dxpl) {
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  h5::checked(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, dxpl, data),
              "cannot write " + path);
}

std::vector<char> string_column(const std::vector<std::string>& values, std::size_t width) {
  std::vector<char> out(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(out.data() + i * width, values[i].data(), std::min(width, values[i].size()));
  return out;
}

}  // namespace

std::string run_group(index_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "/run_data/r%06d", id);
  return name;
}

struct ResultsFile::Impl {
  h5::File file;
  h5::PropertyList independent;
  std::string path;
  bool serial = false;
  int rank = 0;
  index_t runs = 0;
  int max_k = 0, max_depth = 0, max_epochs = 0;
  bool store_activations = false, store_nodes = false;

  void prepare(const std::string& file_path, bool serial_mode) {
    path = file_path;
    serial = serial_mode;
    if (!serial) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    independent =
        h5::PropertyList(h5::checked(H5Pcreate(H5P_DATASET_XFER), "cannot create a transfer list"));
    if (!serial)
      h5::checked(H5Pset_dxpl_mpio(independent.get(), H5FD_MPIO_INDEPENDENT),
                  "cannot select independent I/O");
  }
};

ResultsFile::ResultsFile() = default;
ResultsFile::~ResultsFile() = default;
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;

ResultsFile ResultsFile::unopened(const std::string& path, bool serial) {
  h5::silence_library_errors();
  ResultsFile out;
  out.impl_ = std::make_unique<Impl>();
  out.impl_->prepare(path, serial);
  return out;
}

ResultsFile ResultsFile::create(const std::string& path, const ResultsLayout& layout, bool serial) {
  ResultsFile out = unopened(path, serial);
  Impl& f = *out.impl_;
  f.runs = static_cast<index_t>(layout.runs.size());
  f.max_k = layout.max_k;
  f.max_depth = layout.max_depth;
  f.max_epochs = layout.max_epochs;
  f.store_activations = layout.store_activations;
  f.store_nodes = layout.store_nodes;

  const auto fapl = file_access(serial);
  f.file = h5::File(h5::checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                                "cannot create " + path));
  const hid_t root = f.file.get();
  write_int_attribute(root, "schema_version", schema_version);
  write_int_attribute(root, "store_activations", layout.store_activations);
  write_int_attribute(root, "store_nodes", layout.store_nodes);
  for (const auto& [name, value] : layout.attributes) write_string_attribute(root, name, value);

  const hsize_t n = static_cast<hsize_t>(f.runs), K = static_cast<hsize_t>(f.max_k),
                L = static_cast<hsize_t>(f.max_depth),
                E = static_cast<hsize_t>(std::max(f.max_epochs, 1));
  const std::int8_t pending = 0, no_reason = -1;
  const std::int32_t minus_one = -1, zero = 0;
  const auto problem_type = fixed_string(problem_width),
             architecture_type = fixed_string(architecture_width),
             error_type = fixed_string(error_width);
  {
    const auto runs = create_group(root, "runs");
    create_dataset<std::int64_t>(runs.get(), "id", H5T_STD_I64LE, {n}, nullptr);
    create_dataset<char>(runs.get(), "problem", problem_type.get(), {n}, nullptr);
    create_dataset<char>(runs.get(), "architecture", architecture_type.get(), {n}, nullptr);
    create_dataset<std::int32_t>(runs.get(), "depth", H5T_STD_I32LE, {n}, nullptr);
    create_dataset<std::uint64_t>(runs.get(), "seed", H5T_STD_U64LE, {n}, nullptr);
    create_dataset<double>(runs.get(), "threshold", H5T_IEEE_F64LE, {n}, nullptr);
    create_dataset<std::int32_t>(runs.get(), "n_test", H5T_STD_I32LE, {n}, nullptr);
    create_dataset(runs.get(), "status", H5T_STD_I8LE, {n}, &pending);
    for (const char* column :
         {"test_accuracy", "train_accuracy", "val_accuracy", "train_seconds", "geometry_seconds"})
      create_dataset(runs.get(), column, H5T_IEEE_F64LE, {n}, &nan);
    create_dataset(runs.get(), "rank", H5T_STD_I32LE, {n}, &minus_one);
    create_dataset(runs.get(), "epochs", H5T_STD_I32LE, {n}, &zero);
    const std::vector<char> empty(error_width, '\0');
    create_dataset(runs.get(), "error", error_type.get(), {n}, empty.data());
  }
  {
    const auto flow = create_group(root, "flow");
    create_dataset(flow.get(), "k", H5T_STD_I32LE, {n, K}, &minus_one);
    for (const char* column : {"edges", "components", "unreachable_pairs", "ric", "g"})
      create_dataset(flow.get(), column, H5T_IEEE_F64LE, {n, K, L}, &nan);
    for (const char* column : {"rho", "z", "fisher", "p"})
      create_dataset(flow.get(), column, H5T_IEEE_F64LE, {n, K}, &nan);
    const auto reason = create_dataset(flow.get(), "reason", H5T_STD_I8LE, {n, K}, &no_reason);
    write_string_attribute(reason.get(), "codes",
                           "-1 padding/not run, 0 none, 1 disconnected, 2 too-few-layers, 3 "
                           "zero-variance, 4 perfect-correlation");
  }
  {
    const auto history = create_group(root, "history");
    for (const char* column : {"loss", "accuracy", "val_loss", "val_accuracy"})
      create_dataset(history.get(), column, H5T_IEEE_F64LE, {n, E}, &nan);
  }
  if (layout.store_activations || layout.store_nodes) {
    create_group(root, "run_data");
    for (index_t id = 0; id < f.runs; ++id) {
      const RunIdentity& run = layout.runs[static_cast<std::size_t>(id)];
      const auto group = create_group(root, run_group(id));
      const hsize_t n_test = static_cast<hsize_t>(run.n_test);
      if (layout.store_activations) {
        for (std::size_t l = 0; l < run.widths.size(); ++l)
          create_dataset<float>(group.get(), layer_dataset_name(static_cast<int>(l) + 1),
                                H5T_IEEE_F32LE, {n_test, static_cast<hsize_t>(run.widths[l])},
                                nullptr);
        create_dataset<std::uint8_t>(group.get(), "labels", H5T_STD_U8LE, {n_test}, nullptr);
        create_dataset<float>(group.get(), "probability", H5T_IEEE_F32LE, {n_test}, nullptr);
      }
      if (layout.store_nodes) {
        const std::vector<hsize_t> dims{run.k.size(), run.widths.size(), n_test};
        create_dataset<double>(group.get(), "node_curvature", H5T_IEEE_F64LE, dims, nullptr);
        create_dataset<double>(group.get(), "node_distance_sum", H5T_IEEE_F64LE, dims, nullptr);
      }
    }
  }

  // Identity columns: rank 0 writes them; the collective flush below makes them durable.
  if (f.rank == 0) {
    std::vector<std::int64_t> ids(n);
    std::vector<std::string> problems, architectures;
    std::vector<std::int32_t> depths(n), n_tests(n), ks(n * K, -1);
    std::vector<std::uint64_t> seeds(n);
    std::vector<double> thresholds(n);
    for (hsize_t i = 0; i < n; ++i) {
      const RunIdentity& run = layout.runs[i];
      ids[i] = static_cast<std::int64_t>(i);
      problems.push_back(run.problem);
      architectures.push_back(run.architecture);
      depths[i] = run.depth;
      n_tests[i] = run.n_test;
      seeds[i] = run.seed;
      thresholds[i] = run.threshold;
      for (std::size_t s = 0; s < run.k.size(); ++s) ks[i * K + s] = run.k[s];
    }
    const hid_t x = f.independent.get();
    write_whole(root, "/runs/id", H5T_NATIVE_INT64, ids.data(), x);
    write_whole(root, "/runs/problem", problem_type.get(),
                string_column(problems, problem_width).data(), x);
    write_whole(root, "/runs/architecture", architecture_type.get(),
                string_column(architectures, architecture_width).data(), x);
    write_whole(root, "/runs/depth", H5T_NATIVE_INT32, depths.data(), x);
    write_whole(root, "/runs/n_test", H5T_NATIVE_INT32, n_tests.data(), x);
    write_whole(root, "/runs/seed", H5T_NATIVE_UINT64, seeds.data(), x);
    write_whole(root, "/runs/threshold", H5T_NATIVE_DOUBLE, thresholds.data(), x);
    write_whole(root, "/flow/k", H5T_NATIVE_INT32, ks.data(), x);
  }
  h5::checked(H5Fflush(root, H5F_SCOPE_GLOBAL), "cannot flush " + path);
  return out;
}

ResultsFile ResultsFile::open(const std::string& path, bool writable, bool serial) {
  ResultsFile out = unopened(path, serial);
  Impl& f = *out.impl_;
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error("io", "'" + path + "' is not an HDF5 file (or is truncated)");
  const auto fapl = file_access(serial);
  f.file = h5::File(
      h5::checked(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()),
                  "cannot open " + path + (writable ? " for writing" : "")));
  f.runs = static_cast<index_t>(shapes::dimension_of(f.file.get(), path, "/runs/status", 0, 1));
  f.max_k = static_cast<int>(shapes::dimension_of(f.file.get(), path, "/flow/k", 1, 2));
  f.max_depth = static_cast<int>(shapes::dimension_of(f.file.get(), path, "/flow/ric", 2, 3));
  f.max_epochs = static_cast<int>(shapes::dimension_of(f.file.get(), path, "/history/loss", 1, 2));
  f.store_activations = h5::link_exists(f.file.get(), run_group(0) + "/labels");
  f.store_nodes = h5::link_exists(f.file.get(), run_group(0) + "/node_curvature");
  return out;
}

std::string ResultsFile::attribute(const std::string& name) const {
  const hid_t root = impl_->file.get();
  if (H5Aexists(root, name.c_str()) <= 0)
    throw Error("io", impl_->path + " has no attribute '" + name + "'");
  if (const auto value = h5::integer_attribute(root, name)) return std::to_string(*value);
  if (auto value = h5::string_attribute(root, name)) return std::move(*value);
  throw Error("io", "attribute " + name + " is neither an integer nor a fixed-length string");
}

index_t ResultsFile::run_count() const { return impl_->runs; }

std::vector<RunStatus> ResultsFile::statuses() const {
  std::vector<std::int8_t> raw(static_cast<std::size_t>(impl_->runs));
  const h5::Dataset dataset(h5::checked(H5Dopen2(impl_->file.get(), "/runs/status", H5P_DEFAULT),
                                        "cannot open /runs/status"));
  if (!raw.empty())
    h5::checked(H5Dread(dataset.get(), H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, impl_->independent.get(),
                        raw.data()),
                "cannot read /runs/status");
  std::vector<RunStatus> out;
  for (auto s : raw) out.push_back(static_cast<RunStatus>(s));
  return out;
}

void ResultsFile::write_run(const RunRecord& r) {
  Impl& f = *impl_;
  const hid_t file = f.file.get(), x = f.independent.get();
  const hsize_t id = static_cast<hsize_t>(r.id), K = static_cast<hsize_t>(f.max_k),
                L = static_cast<hsize_t>(f.max_depth), E = static_cast<hsize_t>(f.max_epochs);
  if (r.id < 0 || r.id >= f.runs)
    throw Error("io", "run id " + std::to_string(r.id) + " is outside the file's " +
                          std::to_string(f.runs) + " runs");

  if (r.status == RunStatus::done) {
    const std::string group = run_group(r.id);
    if (f.store_activations && r.activations) {
      for (std::size_t l = 0; l < r.activations->hidden.size(); ++l) {
        const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> values =
            r.activations->hidden[l].cast<float>();
        write_whole(file, group + "/" + layer_dataset_name(static_cast<int>(l) + 1),
                    H5T_NATIVE_FLOAT, values.data(), x);
      }
      std::vector<float> probability(r.activations->probability.begin(),
                                     r.activations->probability.end());
      write_whole(file, group + "/probability", H5T_NATIVE_FLOAT, probability.data(), x);
      write_whole(file, group + "/labels", H5T_NATIVE_UINT8, r.labels->data(), x);
    }
    if (f.store_nodes && r.flow) {
      std::vector<double> curvature, distance;
      for (const auto& scale : *r.flow)
        for (const auto& layer : scale.layers) {
          const auto& node = layer.curvature_of(geometry::CurvatureNotion::forman).node;
          curvature.insert(curvature.end(), node.begin(), node.end());
          distance.insert(distance.end(), layer.node_distance_sum.begin(),
                          layer.node_distance_sum.end());
        }
      write_whole(file, group + "/node_curvature", H5T_NATIVE_DOUBLE, curvature.data(), x);
      write_whole(file, group + "/node_distance_sum", H5T_NATIVE_DOUBLE, distance.data(), x);
    }
    if (r.flow) {
      std::vector<double> edges(K * L, nan), components(K * L, nan), unreachable(K * L, nan),
          ric(K * L, nan), g(K * L, nan);
      std::vector<double> rho(K, nan), z(K, nan), fisher(K, nan), p(K, nan);
      std::vector<std::int8_t> reason(K, -1);
      for (std::size_t s = 0; s < r.flow->size(); ++s) {
        const auto& scale = (*r.flow)[s];
        for (std::size_t l = 0; l < scale.layers.size(); ++l) {
          const auto& layer = scale.layers[l];
          const std::size_t cell = s * L + l;
          edges[cell] = static_cast<double>(layer.edges);
          components[cell] = layer.components;
          unreachable[cell] = static_cast<double>(layer.unreachable_pairs);
          ric[cell] = layer.curvature_total(geometry::CurvatureNotion::forman);
          g[cell] = layer.g;
        }
        const auto& coefficient = scale.coefficient(geometry::CurvatureNotion::forman);
        rho[s] = coefficient.rho;
        z[s] = coefficient.z;
        fisher[s] = coefficient.fisher;
        p[s] = coefficient.p;
        reason[s] = static_cast<std::int8_t>(coefficient.reason);
      }
      const std::vector<hsize_t> start3{id, 0, 0}, count3{1, K, L}, start2{id, 0}, count2{1, K};
      write_box(file, "/flow/edges", H5T_NATIVE_DOUBLE, start3, count3, edges.data(), x);
      write_box(file, "/flow/components", H5T_NATIVE_DOUBLE, start3, count3, components.data(), x);
      write_box(file, "/flow/unreachable_pairs", H5T_NATIVE_DOUBLE, start3, count3,
                unreachable.data(), x);
      write_box(file, "/flow/ric", H5T_NATIVE_DOUBLE, start3, count3, ric.data(), x);
      write_box(file, "/flow/g", H5T_NATIVE_DOUBLE, start3, count3, g.data(), x);
      write_box(file, "/flow/rho", H5T_NATIVE_DOUBLE, start2, count2, rho.data(), x);
      write_box(file, "/flow/z", H5T_NATIVE_DOUBLE, start2, count2, z.data(), x);
      write_box(file, "/flow/fisher", H5T_NATIVE_DOUBLE, start2, count2, fisher.data(), x);
      write_box(file, "/flow/p", H5T_NATIVE_DOUBLE, start2, count2, p.data(), x);
      write_box(file, "/flow/reason", H5T_NATIVE_INT8, start2, count2, reason.data(), x);
    }
  }

  const auto& history = r.training.history;
  if (!history.empty() && E > 0) {
    std::vector<double> loss(E, nan), accuracy(E, nan), val_loss(E, nan), val_accuracy(E, nan);
    for (std::size_t e = 0; e < std::min<std::size_t>(history.size(), E); ++e) {
      loss[e] = history[e].loss;
      accuracy[e] = history[e].accuracy;
      val_loss[e] = history[e].val_loss;
      val_accuracy[e] = history[e].val_accuracy;
    }
    const std::vector<hsize_t> start{id, 0}, count{1, E};
    write_box(file, "/history/loss", H5T_NATIVE_DOUBLE, start, count, loss.data(), x);
    write_box(file, "/history/accuracy", H5T_NATIVE_DOUBLE, start, count, accuracy.data(), x);
    write_box(file, "/history/val_loss", H5T_NATIVE_DOUBLE, start, count, val_loss.data(), x);
    write_box(file, "/history/val_accuracy", H5T_NATIVE_DOUBLE, start, count, val_accuracy.data(),
              x);
  }

  const std::vector<hsize_t> row{id}, one{1};
  const bool trained = !history.empty();
  const double test = trained ? r.training.test_accuracy : nan,
               train = trained ? r.training.train_accuracy : nan,
               val = trained ? r.training.val_accuracy : nan,
               train_s = trained ? r.training.seconds : nan,
               geometry_s = r.status == RunStatus::done ? r.geometry_seconds : nan;
  const auto epochs = static_cast<std::int32_t>(history.size());
  write_box(file, "/runs/test_accuracy", H5T_NATIVE_DOUBLE, row, one, &test, x);
  write_box(file, "/runs/train_accuracy", H5T_NATIVE_DOUBLE, row, one, &train, x);
  write_box(file, "/runs/val_accuracy", H5T_NATIVE_DOUBLE, row, one, &val, x);
  write_box(file, "/runs/train_seconds", H5T_NATIVE_DOUBLE, row, one, &train_s, x);
  write_box(file, "/runs/geometry_seconds", H5T_NATIVE_DOUBLE, row, one, &geometry_s, x);
  write_box(file, "/runs/epochs", H5T_NATIVE_INT32, row, one, &epochs, x);
  const std::int32_t rank = r.rank;
  write_box(file, "/runs/rank", H5T_NATIVE_INT32, row, one, &rank, x);
  const auto error_type = fixed_string(error_width);
  const auto error = string_column({r.error}, error_width);
  write_box(file, "/runs/error", error_type.get(), row, one, error.data(), x);
  // Last: a set status means everything above is on disk.
  const auto status = static_cast<std::int8_t>(r.status);
  write_box(file, "/runs/status", H5T_NATIVE_INT8, row, one, &status, x);
}

void ResultsFile::close() {
  if (!impl_) return;
  impl_->independent.reset();
  impl_->file.close("cannot close " + impl_->path);
}

}  // namespace ricci::io
