#include "ricci/io/activations.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <regex>

#include "h5.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

std::string layer_dataset_name(int layer) { return geometry::stack_layer_name(layer); }

namespace {

// Far beyond any network this tool trains (depths are at most 1000).
constexpr long max_layer_number = 1'000'000;

// The NN of a dataset named layer_NN, or nothing for other names. A number beyond any real stack
// (std::stol would throw "stol", or wrap) names the dataset instead.
std::optional<long> layer_number(const std::string& name, const std::string& path,
                                 const std::string& group_path) {
  static const std::regex layer_name(R"(layer_(\d+))");
  std::smatch match;
  if (!std::regex_match(name, match, layer_name)) return std::nullopt;
  const std::string digits = match[1];
  long number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || number > max_layer_number)
    throw Error("io", "group '" + group_path + "' of '" + path + "': dataset '" + name +
                          "' has a layer number larger than " + std::to_string(max_layer_number));
  return number;
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

}  // namespace

ActivationStack read_activation_stack(const std::string& path, const std::string& group_path) {
  const h5::QuietErrors quiet;
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  if (group_path != "/" && !h5::link_exists(file.get(), group_path))
    throw Error("io", "'" + path + "' has no group '" + group_path + "'");
  const h5::Group group(h5::checked(H5Gopen2(file.get(), group_path.c_str(), H5P_DEFAULT),
                                    "'" + group_path + "' in '" + path + "' is not a group"));

  std::vector<std::string> names;
  hsize_t cursor = 0;
  h5::checked(H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_NATIVE, &cursor, collect_name, &names),
              "cannot list '" + group_path + "' in '" + path + "'");

  std::vector<std::pair<long, std::string>> numbered;
  for (const auto& name : names)
    if (const auto number = layer_number(name, path, group_path))
      numbered.emplace_back(*number, name);
  if (numbered.empty())
    throw Error("io", "group '" + group_path + "' of '" + path + "' has no layer_NN datasets");
  std::sort(numbered.begin(), numbered.end());
  // layer_00, the inputs, is optional; the hidden layers are numbered 1, 2, ... without a gap.
  const long first = numbered.front().first == 0 ? 0 : 1;
  for (std::size_t i = 0; i < numbered.size(); ++i)
    if (numbered[i].first != static_cast<long>(i) + first)
      throw Error("io", "group '" + group_path + "' of '" + path + "': expected layer number " +
                            std::to_string(static_cast<long>(i) + first) + " but found '" +
                            numbered[i].second + "'");
  if (first == 0 && numbered.size() == 1)
    throw Error("io", "group '" + group_path + "' of '" + path +
                          "' has layer_00 (the inputs) but no hidden layer layer_01");

  // One dataset as a matrix: 2-D points x units, or (the output) 1-D with one value per point.
  auto read_matrix = [&](const std::string& name, bool is_output) {
    const std::string where =
        "'" + path + "' " + group_path + (group_path.ends_with('/') ? "" : "/") + name;
    const h5::Dataset dataset(
        h5::checked(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), where + " is not a dataset"));
    const h5::Datatype type(
        h5::checked(H5Dget_type(dataset.get()), "cannot read the type of " + where));
    if (H5Tget_class(type.get()) != H5T_FLOAT)
      throw Error("io", where + " is not floating point (expected float32 or float64)");
    const h5::Dataspace space(
        h5::checked(H5Dget_space(dataset.get()), "cannot read the shape of " + where));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (is_output ? rank != 1 && rank != 2 : rank != 2)
      throw Error("io", where + (is_output ? " is not 1-D or 2-D (expected points, or points x 1)"
                                           : " is not 2-D (expected points x units)"));
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (is_output && dims[1] != 1)
      throw Error("io", where + " has " + std::to_string(dims[1]) +
                            " columns: the output is one value per point (points, or points x 1)");
    // The declared size is checked before it is allocated (a small file may claim a huge one).
    shapes::checked_count({dims[0], dims[1]}, sizeof(double), path,
                          group_path + (group_path.ends_with('/') ? "" : "/") + name);
    if (dims[0] > static_cast<hsize_t>(std::numeric_limits<Eigen::Index>::max()) ||
        dims[1] > static_cast<hsize_t>(std::numeric_limits<Eigen::Index>::max()))
      throw Error("io", where + " declares too many rows or columns");
    RowMatrix values(static_cast<Eigen::Index>(dims[0]), static_cast<Eigen::Index>(dims[1]));
    if (values.size() > 0)
      h5::checked(
          H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "cannot read " + where);
    for (Eigen::Index i = 0; i < values.rows(); ++i)
      for (Eigen::Index c = 0; c < values.cols(); ++c)
        if (!std::isfinite(values(i, c)))
          throw Error("io", where + " row " + std::to_string(i) + " column " + std::to_string(c) +
                                " is " + (std::isnan(values(i, c)) ? "NaN" : "infinite"));
    return std::pair{values, where};
  };

  ActivationStack stack;
  std::string first_name;  // the dataset whose row count the others must have
  auto check_rows = [&](const RowMatrix& values, const std::string& where,
                        const std::string& name) {
    const auto* reference = !stack.layers.empty() ? &stack.layers.front()
                            : stack.input         ? &*stack.input
                                                  : nullptr;
    if (!reference) {
      first_name = name;
      return;
    }
    if (values.rows() != reference->rows())
      throw Error("io", where + " has " + std::to_string(values.rows()) + " rows but " +
                            (stack.layers.empty() ? first_name : stack.names.front()) + " has " +
                            std::to_string(reference->rows()));
  };
  for (const auto& [number, name] : numbered) {
    auto [values, where] = read_matrix(name, false);
    check_rows(values, where, name);
    if (number == 0) {
      stack.input = std::move(values);
      continue;
    }
    stack.names.push_back(name);
    stack.layers.push_back(std::move(values));
  }
  if (std::find(names.begin(), names.end(), output_dataset_name) != names.end()) {
    auto [values, where] = read_matrix(output_dataset_name, true);
    check_rows(values, where, output_dataset_name);
    stack.output = std::move(values);
  }
  return stack;
}

void write_matrices(const std::string& path, const std::string& group_path,
                    const std::vector<std::pair<std::string, RowMatrix>>& matrices,
                    Precision precision) {
  const h5::QuietErrors quiet;
  const h5::PropertyList fapl(
      h5::checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
  h5::lock_best_effort(fapl.get());
  h5::File file(std::filesystem::exists(path)
                    ? h5::checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()),
                                  "cannot open '" + path + "' for writing")
                    : h5::checked(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()),
                                  "cannot create '" + path + "'"));
  const h5::PropertyList link_props(
      h5::checked(H5Pcreate(H5P_LINK_CREATE), "cannot create a property list"));
  h5::checked(H5Pset_create_intermediate_group(link_props.get(), 1),
              "cannot set intermediate groups");
  h5::Group group(group_path == "/" || h5::link_exists(file.get(), group_path)
                      ? h5::checked(H5Gopen2(file.get(), group_path.c_str(), H5P_DEFAULT),
                                    "cannot open group '" + group_path + "'")
                      : h5::checked(H5Gcreate2(file.get(), group_path.c_str(), link_props.get(),
                                               H5P_DEFAULT, H5P_DEFAULT),
                                    "cannot create group '" + group_path + "'"));
  const hid_t file_type = precision == Precision::single ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  for (const auto& [name, values] : matrices) {
    const hsize_t dims[2] = {static_cast<hsize_t>(values.rows()),
                             static_cast<hsize_t>(values.cols())};
    const h5::Dataspace space(
        h5::checked(H5Screate_simple(2, dims, nullptr), "cannot create a dataspace"));
    const h5::Dataset dataset(
        h5::checked(H5Dcreate2(group.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT),
                    "cannot create dataset '" + name + "' in '" + path + "'"));
    if (values.size() > 0)
      h5::checked(
          H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "cannot write dataset '" + name + "' in '" + path + "'");
  }
  group.close("cannot close group '" + group_path + "'");
  file.close("cannot close '" + path + "'");
}

}  // namespace ricci::io
