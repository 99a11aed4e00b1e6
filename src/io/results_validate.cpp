// `ricci-query validate`: a results file against results_schema/layout.json and the value rules of
// results_schema/README.md.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "h5.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/results_table.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

extern const char* const results_layout_json;

namespace {

// Collects problems up to a limit and remembers how many were left out.
class Problems {
 public:
  explicit Problems(std::size_t limit) : limit_(limit) {}
  void add(const std::string& message) {
    if (list_.size() < limit_) list_.push_back(message);
  }
  bool full() const { return list_.size() >= limit_; }
  bool empty() const { return list_.empty(); }
  // The checks stop once the list is full, so more problems may exist than were counted.
  std::vector<std::string> finish() {
    if (full())
      list_.push_back("... listing stopped after the first " + std::to_string(limit_) +
                      " problems");
    return std::move(list_);
  }

 private:
  std::size_t limit_;
  std::vector<std::string> list_;
};

// "int8" / "uint64" / "float64" / "string256" against what is stored.
bool type_matches(const std::string& expected, const shapes::DatasetShape& s) {
  static const std::regex pattern(R"((u?int|float|string)(\d+))");
  std::smatch m;
  if (!std::regex_match(expected, m, pattern)) return false;
  const std::string kind = m[1];
  const auto size = std::stoul(m[2]);
  if (kind == "string")
    return s.type_class == H5T_STRING && !s.variable_string && s.type_size == size;
  if (kind == "float") return s.type_class == H5T_FLOAT && s.type_size * 8 == size;
  return s.type_class == H5T_INTEGER && s.type_size * 8 == size && s.is_signed == (kind == "int");
}

std::string type_text(const shapes::DatasetShape& s) {
  switch (s.type_class) {
    case H5T_INTEGER:
      return std::string(s.is_signed ? "int" : "uint") + std::to_string(s.type_size * 8);
    case H5T_FLOAT:
      return "float" + std::to_string(s.type_size * 8);
    case H5T_STRING:
      return s.variable_string ? "variable-length string" : "string" + std::to_string(s.type_size);
    default:
      return "another type";
  }
}

void check_structure(hid_t file, const nlohmann::json& layout, Problems& problems) {
  for (const auto& [name, type] : layout.at("attributes").items()) {
    if (H5Aexists(file, name.c_str()) <= 0) {
      problems.add("attribute '" + name + "' is missing");
      continue;
    }
    const h5::Attribute attr(
        h5::checked(H5Aopen(file, name.c_str(), H5P_DEFAULT), "cannot open attribute " + name));
    const h5::Datatype stored(
        h5::checked(H5Aget_type(attr.get()), "cannot read the type of attribute " + name));
    const H5T_class_t want = type.get<std::string>() == "string" ? H5T_STRING : H5T_INTEGER;
    if (H5Tget_class(stored.get()) != want)
      problems.add("attribute '" + name + "' is not of type " + type.get<std::string>());
  }
  // The dimension symbols take their sizes from one dataset each.
  std::map<std::string, hsize_t> size_of;
  const std::vector<std::tuple<std::string, std::string, std::size_t>> sources{
      {"N", "/runs/status", 0},
      {"K", "/flow/k", 1},
      {"L", "/flow/ric", 2},
      {"E", "/history/loss", 1}};
  for (const auto& [symbol, path, axis] : sources) {
    const auto shape = shapes::describe(file, path);
    if (shape && shape->dims.size() > axis) size_of[symbol] = shape->dims[axis];
  }
  for (const auto& [path, spec] : layout.at("datasets").items()) {
    const auto shape = shapes::describe(file, path);
    if (!shape) {
      problems.add("dataset " + path + " is missing");
      continue;
    }
    const std::string type = spec.at("type").get<std::string>();
    if (!type_matches(type, *shape))
      problems.add(path + " has type " + type_text(*shape) + ", expected " + type);
    std::vector<hsize_t> expected;
    for (const auto& symbol : spec.at("shape")) {
      const auto found = size_of.find(symbol.get<std::string>());
      expected.push_back(found == size_of.end() ? 0 : found->second);
    }
    if (shape->dims != expected)
      problems.add(path + " has shape " + shapes::dims_text(shape->dims) + ", expected " +
                   shapes::dims_text(expected));
  }
}

std::string run_name(const ResultsTable& t, std::size_t i) {
  std::ostringstream s;
  s << "run " << i << " (" << t.problem[i] << " " << t.architecture[i] << " depth " << t.depth[i]
    << " seed " << t.seed[i] << ")";
  return s.str();
}

bool same_value(double stored, double recomputed) {
  if (std::isnan(stored) || std::isnan(recomputed))
    return std::isnan(stored) && std::isnan(recomputed);
  return std::abs(stored - recomputed) <= 1e-12 * std::max(1.0, std::abs(recomputed));
}

void check_identity(const ResultsTable& t, std::size_t i, Problems& problems) {
  const std::string who = run_name(t, i);
  if (t.id[i] != static_cast<std::int64_t>(i))
    problems.add(who + ": id is " + std::to_string(t.id[i]));
  if (t.status[i] < 0 || t.status[i] > 2)
    problems.add(who + ": status " + std::to_string(t.status[i]) + " is not 0, 1 or 2");
  if (t.depth[i] < 1 || static_cast<std::size_t>(t.depth[i]) > t.max_layers)
    problems.add(who + ": depth " + std::to_string(t.depth[i]) + " outside 1.." +
                 std::to_string(t.max_layers));
  if (t.n_test[i] < 2)
    problems.add(who + ": n_test " + std::to_string(t.n_test[i]) + " is below 2");
  if (!(t.threshold[i] >= 0 && t.threshold[i] <= 1))
    problems.add(who + ": threshold " + std::to_string(t.threshold[i]) + " outside [0, 1]");
  std::set<std::int32_t> seen;
  bool padding = false;
  for (std::size_t s = 0; s < t.max_k; ++s) {
    const std::int32_t k = t.k[t.slot_index(i, s)];
    if (k == -1) {
      padding = true;
      continue;
    }
    if (padding)
      problems.add(who + ": k = " + std::to_string(k) + " follows -1 padding in /flow/k");
    else if (k < 1 || k >= t.n_test[i])
      problems.add(who + ": k = " + std::to_string(k) + " outside 1..n_test-1");
    else if (!seen.insert(k).second)
      problems.add(who + ": k = " + std::to_string(k) + " appears twice");
  }
  if (t.k[t.slot_index(i, 0)] == -1 && t.max_k > 0) problems.add(who + ": no k in /flow/k");
}

// Every value of slot s of a run that has no flow there (padding, failed run) must be NaN.
void check_empty_slot(const ResultsTable& t, std::size_t i, std::size_t s, const std::string& where,
                      Problems& problems) {
  for (const auto* column : {&t.edges, &t.components, &t.unreachable_pairs, &t.ric, &t.g})
    for (std::size_t l = 0; l < t.max_layers; ++l)
      if (!std::isnan((*column)[t.cell_index(i, s, l)])) {
        problems.add(where + ": layer " + std::to_string(l + 1) +
                     " holds a value where NaN is expected");
        return;
      }
  for (const auto* column : {&t.rho, &t.z, &t.fisher, &t.p})
    if (!std::isnan((*column)[t.slot_index(i, s)])) {
      problems.add(where + ": a coefficient holds a value where NaN is expected");
      return;
    }
  if (t.reason[t.slot_index(i, s)] != -1)
    problems.add(where + ": reason is " + std::to_string(t.reason[t.slot_index(i, s)]) +
                 ", expected -1");
}

void check_done_slot(const ResultsTable& t, std::size_t i, std::size_t s, Problems& problems) {
  const std::string where = run_name(t, i) + ", k = " + std::to_string(t.k[t.slot_index(i, s)]);
  const auto depth = static_cast<std::size_t>(t.depth[i]);
  for (std::size_t l = 0; l < t.max_layers; ++l) {
    const std::size_t c = t.cell_index(i, s, l);
    const std::string at = where + ", layer " + std::to_string(l + 1);
    if (l >= depth) {
      if (!std::isnan(t.edges[c]) || !std::isnan(t.ric[c]) || !std::isnan(t.g[c]) ||
          !std::isnan(t.components[c]))
        problems.add(at + ": beyond the run's depth but not NaN");
      continue;
    }
    if (!std::isfinite(t.edges[c]) || t.edges[c] < 0 || !std::isfinite(t.ric[c]) ||
        !std::isfinite(t.components[c]) || t.components[c] < 1 ||
        !std::isfinite(t.unreachable_pairs[c]) || t.unreachable_pairs[c] < 0) {
      problems.add(
          at + ": edges, Ric, components and unreachable pairs must be finite (components >= 1)");
      continue;
    }
    const bool connected = t.components[c] == 1;
    if (connected != (t.unreachable_pairs[c] == 0))
      problems.add(at + ": components = " + std::to_string(t.components[c]) +
                   " disagrees with unreachable pairs = " + std::to_string(t.unreachable_pairs[c]));
    if (connected != std::isfinite(t.g[c]))
      problems.add(at + ": g must be finite exactly when the layer is connected (components = " +
                   std::to_string(static_cast<long long>(t.components[c])) + ")");
  }
  const std::size_t slot = t.slot_index(i, s);
  const auto expected =
      geometry::ricci_coefficient(t.layers_of(t.g, i, s), t.layers_of(t.ric, i, s));
  if (t.reason[slot] != static_cast<std::int8_t>(expected.reason))
    problems.add(where + ": reason " + std::to_string(t.reason[slot]) + ", expected " +
                 std::to_string(static_cast<int>(expected.reason)) + " (" +
                 std::string(geometry::reason_name(expected.reason)) + ")");
  const std::pair<const char*, std::pair<double, double>> values[] = {
      {"rho", {t.rho[slot], expected.rho}},
      {"z", {t.z[slot], expected.z}},
      {"fisher", {t.fisher[slot], expected.fisher}},
      {"p", {t.p[slot], expected.p}}};
  for (const auto& [name, pair] : values)
    if (!same_value(pair.first, pair.second))
      problems.add(where + ": " + name + " = " + std::to_string(pair.first) +
                   " disagrees with the value recomputed from g and Ric (" +
                   std::to_string(pair.second) + ")");
}

void check_run_values(const ResultsTable& t, const std::vector<double>& loss, std::size_t i,
                      Problems& problems) {
  const std::string who = run_name(t, i);
  if (t.is_done(i)) {
    for (const auto& [name, value] : {std::pair{"test_accuracy", t.test_accuracy[i]},
                                      std::pair{"train_accuracy", t.train_accuracy[i]}})
      if (!(value >= 0 && value <= 1))
        problems.add(who + ": done but " + name + " = " + std::to_string(value));
    if (t.epochs[i] < 1 || static_cast<std::size_t>(t.epochs[i]) > t.max_epochs)
      problems.add(who + ": done but epochs = " + std::to_string(t.epochs[i]));
    if (!t.error[i].empty()) problems.add(who + ": done but error = '" + t.error[i] + "'");
    for (std::size_t e = 0; e < t.max_epochs; ++e) {
      const bool trained = e < static_cast<std::size_t>(std::max(t.epochs[i], 0));
      if (trained != std::isfinite(loss[i * t.max_epochs + e])) {
        problems.add(who + ": /history/loss at epoch " + std::to_string(e + 1) +
                     (trained ? " is not finite" : " is set beyond the run's epochs"));
        break;
      }
    }
    const std::size_t scales = t.scales(i).size();
    for (std::size_t s = 0; s < t.max_k; ++s) {
      if (s < scales)
        check_done_slot(t, i, s, problems);
      else
        check_empty_slot(t, i, s, who + ", padding slot " + std::to_string(s), problems);
      if (problems.full()) return;
    }
  } else if (t.is_failed(i)) {
    if (t.error[i].empty()) problems.add(who + ": failed without an error message");
    for (std::size_t s = 0; s < t.max_k; ++s)
      check_empty_slot(t, i, s, who + " (failed), slot " + std::to_string(s), problems);
  }
  // Pending runs may hold a partial write of an abandoned attempt: no rule applies until status is
  // set.
}

void check_run_group(hid_t file, const ResultsTable& t, std::size_t i, Problems& problems) {
  const std::string group = run_group(static_cast<index_t>(i)), who = run_name(t, i);
  const auto n = static_cast<hsize_t>(t.n_test[i]);
  const auto depth = static_cast<std::size_t>(std::max(t.depth[i], 0));
  if (t.store_activations) {
    for (std::size_t l = 1; l <= depth; ++l) {
      const auto shape =
          shapes::describe(file, group + "/" + layer_dataset_name(static_cast<int>(l)));
      if (!shape || shape->dims.size() != 2 || shape->dims[0] != n || shape->dims[1] == 0 ||
          shape->type_class != H5T_FLOAT)
        problems.add(who + ": " + group + "/" + layer_dataset_name(static_cast<int>(l)) +
                     " is missing or not an n_test x width float dataset");
    }
    if (shapes::describe(file, group + "/" + layer_dataset_name(static_cast<int>(depth) + 1)))
      problems.add(who + ": " + group + " holds more layers than the run's depth");
    for (const char* name : {"labels", "probability"}) {
      const auto shape = shapes::describe(file, group + "/" + name);
      if (!shape || shape->dims != std::vector<hsize_t>{n})
        problems.add(who + ": " + group + "/" + name + " is missing or not of length n_test");
    }
  }
  if (t.store_nodes) {
    const std::vector<hsize_t> dims{t.scales(i).size(), depth, n};
    for (const char* name : {"node_curvature", "node_distance_sum"}) {
      const auto shape = shapes::describe(file, group + "/" + name);
      if (!shape || shape->dims != dims)
        problems.add(who + ": " + group + "/" + name + " is missing or not of shape " +
                     shapes::dims_text(dims));
    }
  }
}

}  // namespace

std::vector<std::string> validate_results(const std::string& path, std::size_t limit) {
  Problems problems(std::max<std::size_t>(limit, 1));
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  check_structure(file.get(), nlohmann::json::parse(results_layout_json), problems);
  if (!problems.empty()) return problems.finish();
  const auto loss_dims = shapes::existing_shape(file.get(), path, "/history/loss").dims;
  const auto loss =
      shapes::read_column<double>(file.get(), path, "/history/loss", H5T_NATIVE_DOUBLE, loss_dims);
  const ResultsTable t = read_results_table(path);
  for (std::size_t i = 0; i < t.runs && !problems.full(); ++i) check_identity(t, i, problems);
  for (std::size_t i = 0; i < t.runs && !problems.full(); ++i)
    check_run_values(t, loss, i, problems);
  if (t.store_activations || t.store_nodes)
    for (std::size_t i = 0; i < t.runs && !problems.full(); ++i)
      check_run_group(file.get(), t, i, problems);
  return problems.finish();
}

}  // namespace ricci::io
