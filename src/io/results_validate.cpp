// `ricci-query validate`: a results file against the schema registry (ricci/io/schema.hpp) and the
// value rules of results_schema/README.md.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "h5.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/run_record.hpp"
#include "ricci/io/results_table.hpp"
#include "results_shapes.hpp"

namespace ricci::io {

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

bool type_matches(ValueType expected, std::size_t string_width, const shapes::DatasetShape& s) {
  const auto integer = [&](std::size_t bits, bool is_signed) {
    return s.type_class == H5T_INTEGER && s.type_size * 8 == bits && s.is_signed == is_signed;
  };
  switch (expected) {
    case ValueType::int8:
      return integer(8, true);
    case ValueType::uint8:
      return integer(8, false);
    case ValueType::int32:
      return integer(32, true);
    case ValueType::int64:
      return integer(64, true);
    case ValueType::uint64:
      return integer(64, false);
    case ValueType::float32:
      return s.type_class == H5T_FLOAT && s.type_size == 4;
    case ValueType::float64:
      return s.type_class == H5T_FLOAT && s.type_size == 8;
    case ValueType::string:
      return s.type_class == H5T_STRING && !s.variable_string && s.type_size == string_width;
  }
  return false;
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

void check_structure(hid_t file, int version, Problems& problems) {
  for (const FileAttribute& attribute : file_attributes()) {
    const std::string name(attribute.name);
    const htri_t exists = H5Aexists(file, name.c_str());
    if (exists < 0)
      throw Error("io",
                  "cannot read attribute " + name + " (damaged metadata: checksum or format)");
    if (exists == 0) {
      if (attribute.required) problems.add("attribute '" + name + "' is missing");
      continue;
    }
    const h5::Attribute attr(
        h5::checked(H5Aopen(file, name.c_str(), H5P_DEFAULT), "cannot open attribute " + name));
    const h5::Datatype stored(
        h5::checked(H5Aget_type(attr.get()), "cannot read the type of attribute " + name));
    const H5T_class_t want = attribute.is_string ? H5T_STRING : H5T_INTEGER;
    if (H5Tget_class(stored.get()) != want)
      problems.add("attribute '" + name + "' is not of type " +
                   (attribute.is_string ? "string" : "int64"));
  }
  // Each axis takes its size from the first dataset that has it.
  std::map<Axis, hsize_t> size_of;
  for (const Column& column : results_columns()) {
    const auto shape = shapes::describe(file, std::string(column.path));
    if (!shape || shape->dims.size() != column.axes.size()) continue;
    for (std::size_t a = 0; a < column.axes.size(); ++a)
      size_of.emplace(column.axes[a], shape->dims[a]);
  }
  // Schema 5: the notions axis is named by the root attribute 'notions', the list layers by
  // 'layer_list'.
  if (version >= notions_since_version) {
    const std::string names = h5::string_attribute(file, "notions").value_or("");
    try {
      const auto notions = parse_notion_list(names, "");
      if (size_of.count(Axis::notions) && size_of[Axis::notions] != notions.size())
        problems.add("the attribute notions = '" + names + "' names " +
                     std::to_string(notions.size()) + " notions but the notions axis has " +
                     std::to_string(size_of[Axis::notions]));
    } catch (const Error& e) {
      problems.add(e.message());
    }
    const std::string list = h5::string_attribute(file, "layer_list").value_or("");
    if (list != "hidden" && list != "all")
      problems.add("the attribute layer_list = '" + list + "' is neither hidden nor all");
    else if (size_of.count(Axis::list_layers) && size_of.count(Axis::layers) &&
             size_of[Axis::list_layers] != size_of[Axis::layers] + (list == "all" ? 2 : 0))
      problems.add("the list_layers axis has " + std::to_string(size_of[Axis::list_layers]) +
                   " layers, but layer_list " + list + " and " +
                   std::to_string(size_of[Axis::layers]) + " layers make " +
                   std::to_string(size_of[Axis::layers] + (list == "all" ? 2 : 0)));
  }
  for (const Column& column : results_columns()) {
    if (column.since_version > version) continue;
    const std::string path(column.path);
    const auto shape = shapes::describe(file, path);
    if (!shape) {
      problems.add("dataset " + path + " is missing");
      continue;
    }
    if (!type_matches(column.type, column.string_width, *shape))
      problems.add(path + " has type " + type_text(*shape) + ", expected " +
                   value_type_name(column.type, column.string_width));
    std::vector<hsize_t> expected;
    for (Axis axis : column.axes) expected.push_back(size_of[axis]);
    if (shape->dims != expected)
      problems.add(path + " has shape " + shapes::dims_text(shape->dims) + ", expected " +
                   shapes::dims_text(expected));
    if (version >= 2) {
      // Every attribute version 2 promises, so a version-1 file relabelled 2 is not valid.
      const h5::Dataset dataset(
          h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
      const std::string axes = column.axes_text();
      if (h5::string_attribute(dataset.get(), "axes") != axes)
        problems.add(path + " lacks the attribute axes = '" + axes + "' (schema version 2)");
      // A file of an older version carries the texts of its day (a meaning reworded since, codes
      // added since): there the attributes must be present, here they must be today's.
      const auto meaning = h5::string_attribute(dataset.get(), "meaning");
      if (!meaning || (version == schema_version && *meaning != column.meaning))
        problems.add(path + " lacks the attribute meaning = '" + std::string(column.meaning) +
                     "' (schema version 2)");
      const auto codes = h5::string_attribute(dataset.get(), "codes");
      if (!column.codes.empty() &&
          (!codes || (version == schema_version && *codes != column.codes_text(version))))
        problems.add(path + " lacks the attribute codes = '" + column.codes_text(version) +
                     "' (schema version 2)");
    }
  }
}

// The columns the value rules read, looked up once.
struct Columns {
  const ResultsTable& t;
  const std::vector<std::int64_t>& id = t.integers("/runs/id");
  const std::vector<std::string>& problem = t.strings("/runs/problem");
  const std::vector<std::string>& architecture = t.strings("/runs/architecture");
  const std::vector<std::string>& error = t.strings("/runs/error");
  const std::vector<std::int64_t>& depth = t.integers("/runs/depth");
  const std::vector<std::int64_t>& n_test = t.integers("/runs/n_test");
  const std::vector<std::int64_t>& epochs = t.integers("/runs/epochs");
  const std::vector<std::uint64_t>& seed = t.unsigned_integers("/runs/seed");
  const std::vector<double>& threshold = t.reals("/runs/threshold");
  const std::vector<double>& test_accuracy = t.reals("/runs/test_accuracy");
  const std::vector<double>& train_accuracy = t.reals("/runs/train_accuracy");
  const std::vector<std::int64_t>& k = t.integers("/flow/k");
  const std::vector<double>& edges = t.reals("/flow/edges");
  const std::vector<double>& components = t.reals("/flow/components");
  const std::vector<double>& unreachable_pairs = t.reals("/flow/unreachable_pairs");
  const std::vector<double>& g = t.reals("/flow/g");
  const std::vector<double>& ric = t.reals("/flow/ric");
  const std::vector<std::int64_t>& reason = t.integers("/flow/reason");
  const std::vector<double>& eta = t.reals("/flow/eta");  // derived from g before schema 4
  const std::vector<std::int64_t>& excluded_at = t.integers("/flow/excluded_at");
  const std::vector<double>& loss = t.reals("/history/loss");
};

std::string run_name(const Columns& c, std::size_t i) {
  std::ostringstream s;
  s << "run " << i << " (" << c.problem[i] << " " << c.architecture[i] << " depth " << c.depth[i]
    << " seed " << c.seed[i] << ")";
  return s.str();
}

bool same_value(double stored, double recomputed) {
  if (std::isnan(stored) || std::isnan(recomputed))
    return std::isnan(stored) && std::isnan(recomputed);
  return std::abs(stored - recomputed) <= 1e-12 * std::max(1.0, std::abs(recomputed));
}

// "0, 1 or 2".
// "0, 1 or 2": the codes a file of `version` may hold.
std::string code_list(const Column& column, int version) {
  std::vector<std::int64_t> values;
  for (const Code& code : column.codes)
    if (code.since_version <= version) values.push_back(code.value);
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + std::to_string(values[i]);
  return out;
}

bool is_fill(const ResultsTable& t, const Column& column, std::size_t cell) {
  if (std::holds_alternative<double>(*column.fill)) return std::isnan(t.reals(column.path)[cell]);
  return t.integers(column.path)[cell] == std::get<std::int64_t>(*column.fill);
}

void check_identity(const Columns& c, std::size_t i, Problems& problems) {
  const ResultsTable& t = c.t;
  const std::string who = run_name(c, i);
  if (c.id[i] != static_cast<std::int64_t>(i))
    problems.add(who + ": id is " + std::to_string(c.id[i]));
  const auto status = run_status_from_code(t.status_code(i));
  if (!status || (*status == RunStatus::running && t.schema_version < operations_since_version))
    problems.add(who + ": status " + std::to_string(t.status_code(i)) + " is not " +
                 code_list(results_column(status_column), t.schema_version));
  if (c.depth[i] < 1 || static_cast<std::size_t>(c.depth[i]) > t.layers)
    problems.add(who + ": depth " + std::to_string(c.depth[i]) + " outside 1.." +
                 std::to_string(t.layers));
  if (c.n_test[i] < 2)
    problems.add(who + ": n_test " + std::to_string(c.n_test[i]) + " is below 2");
  if (!(c.threshold[i] >= 0 && c.threshold[i] <= 1))
    problems.add(who + ": threshold " + std::to_string(c.threshold[i]) + " outside [0, 1]");
  std::set<std::int64_t> seen;
  bool padding = false;
  for (std::size_t s = 0; s < t.k_slots; ++s) {
    const std::int64_t k = c.k[t.index(i, s)];
    if (k == -1) {
      padding = true;
      continue;
    }
    if (padding)
      problems.add(who + ": k = " + std::to_string(k) + " follows -1 padding in /flow/k");
    else if (k < 1 || k >= c.n_test[i])
      problems.add(who + ": k = " + std::to_string(k) + " outside 1..n_test-1");
    else if (!seen.insert(k).second)
      problems.add(who + ": k = " + std::to_string(k) + " appears twice");
  }
  if (t.k_slots > 0 && c.k[t.index(i, 0)] == -1) problems.add(who + ": no k in /flow/k");
}

// Every value of k slot s of a run that has no measures there (padding, failed run) must still
// hold its column's fill value.
void check_empty_slot(const ResultsTable& t, std::size_t i, std::size_t s, const std::string& where,
                      Problems& problems) {
  for (const Column& column : results_columns()) {
    // Snapshot columns put their axis before k_slots: check_snapshots covers them.
    if (!(column.from_record || column.from_notion) || !column.has_axis(Axis::k_slots) ||
        column.has_axis(Axis::snapshots) || column.since_version > t.schema_version)
      continue;
    // The cells of (run, slot) are contiguous: every axis after k_slots varies inside them.
    std::size_t inner = 1;
    for (std::size_t a = 2; a < column.axes.size(); ++a) inner *= t.extent(column.axes[a]);
    for (std::size_t cell = t.index(i, s) * inner; cell < (t.index(i, s) + 1) * inner; ++cell) {
      if (!is_fill(t, column, cell)) {
        problems.add(where + ": " + std::string(column.path) + " holds a value (cell " +
                     std::to_string(cell - t.index(i, s) * inner) +
                     " of the slot) where its fill value is expected");
        return;
      }
    }
  }
}

// Schema 5: the notions of one done k slot (results_schema/README.md). A notion is computed at a
// slot exactly where its reason is not -1; its Ric is finite on the run's list layers and NaN
// beyond, its coefficient is recomputed from /notions/eta and /notions/ric, and under layer_list
// hidden Forman's values are /flow's.
void check_notion_slot(const Columns& c, std::size_t i, std::size_t s, const std::string& where,
                       Problems& problems) {
  const ResultsTable& t = c.t;
  const std::size_t m = t.list_depth(i);
  const auto& eta_all = t.reals("/notions/eta");
  const auto& ric_all = t.reals("/notions/ric");
  const auto& reason_all = t.integers("/notions/reason");
  const auto& layer_rho = t.reals("/local/layer_rho");
  const auto& local_reason = t.integers("/local/reason");
  const std::size_t eta_begin = t.index(i, s) * t.list_layers;
  const std::vector<double> eta(eta_all.begin() + static_cast<std::ptrdiff_t>(eta_begin),
                                eta_all.begin() + static_cast<std::ptrdiff_t>(eta_begin + m));
  for (std::size_t l = m; l < t.list_layers; ++l)
    if (!std::isnan(eta_all[eta_begin + l]))
      problems.add(where + ": /notions/eta beyond the run's layer list is not NaN");
  if (!t.all_layers) {
    const auto flow_eta = t.layers_of("/flow/eta", i, s);
    for (std::size_t l = 0; l < m && l < flow_eta.size(); ++l)
      if (!(same_value(eta[l], flow_eta[l]) || eta[l] == flow_eta[l]))
        problems.add(where + ": /notions/eta at " + std::to_string(l) +
                     " differs from /flow/eta under layer_list hidden");
  }
  // The list's exclusion: /flow's under layer_list hidden, else a disconnected list layer (its
  // transitions are NaN).
  auto exclusion = geometry::CoefficientReason::none;
  if (!t.all_layers) {
    const auto stored = static_cast<geometry::CoefficientReason>(c.reason[t.index(i, s)]);
    if (t.excluded(i, s)) exclusion = stored;
  } else {
    for (std::size_t l = 1; l < m; ++l)
      if (std::isnan(eta[l])) exclusion = geometry::CoefficientReason::disconnected;
  }
  for (std::size_t n = 0; n < t.notions.size(); ++n) {
    const std::string notion(geometry::curvature_notion_name(t.notions[n]));
    const std::string at = where + ", notion " + notion;
    const std::size_t cell = t.notion_index(i, s, n);
    const bool computed = reason_all[cell] != -1;
    std::vector<double> ric;
    for (std::size_t l = 0; l < t.list_layers; ++l) {
      const double value = ric_all[t.notion_index(i, s, n, l)];
      if (l < m && computed) {
        if (!std::isfinite(value))
          problems.add(at + ": Ric at list layer " + std::to_string(l) + " is not finite");
        ric.push_back(value);
      } else if (!std::isnan(value)) {
        problems.add(at + ": Ric at list layer " + std::to_string(l) + " is set where " +
                     (computed ? "the run's layer list has ended" : "the notion was not computed"));
      }
    }
    if (!computed) {
      for (const char* name :
           {"/notions/rho", "/notions/z", "/notions/fisher", "/notions/p", "/local/mean",
            "/local/negative_share", "/local/defined", "/local/undefined", "/local/unreachable"})
        if (!std::isnan(t.reals(name)[cell]))
          problems.add(at + ": " + name + " is set where the notion was not computed");
      if (local_reason[cell] != -1)
        problems.add(at + ": /local/reason is set where the notion was not computed");
      continue;
    }
    if (ric.size() != m) continue;
    if (!t.all_layers && t.notions[n] == geometry::CurvatureNotion::forman) {
      const auto flow_ric = t.layers_of("/flow/ric", i, s);
      for (std::size_t l = 0; l < m && l < flow_ric.size(); ++l)
        if (!same_value(ric[l], flow_ric[l]))
          problems.add(at + ": Ric at layer " + std::to_string(l + 1) + " differs from /flow/ric");
    }
    geometry::RicciCoefficient expected;
    try {
      if (exclusion != geometry::CoefficientReason::none)
        expected = {NAN, NAN, NAN, NAN, exclusion};
      else
        expected = geometry::coefficient_of_transitions(eta, ric);
    } catch (const std::exception& e) {
      problems.add(at + ": the coefficient cannot be recomputed from eta and Ric (" + e.what() +
                   ")");
      continue;
    }
    if (reason_all[cell] != static_cast<std::int64_t>(expected.reason))
      problems.add(at + ": reason " + std::to_string(reason_all[cell]) + ", expected " +
                   std::to_string(static_cast<int>(expected.reason)) + " (" +
                   std::string(geometry::reason_name(expected.reason)) + ")");
    const std::pair<const char*, double> recomputed[] = {
        {"rho", expected.rho}, {"z", expected.z}, {"fisher", expected.fisher}, {"p", expected.p}};
    for (const auto& [name, value] : recomputed) {
      const double stored = t.reals(std::string("/notions/") + name)[cell];
      if (!same_value(stored, value))
        problems.add(at + ": " + name + " = " + std::to_string(stored) +
                     " disagrees with the value recomputed from eta and Ric (" +
                     std::to_string(value) + ")");
    }
    // The local coefficients: present exactly with local = true, counts adding up to n_test.
    const double mean = t.reals("/local/mean")[cell],
                 share = t.reals("/local/negative_share")[cell],
                 defined = t.reals("/local/defined")[cell],
                 undefined = t.reals("/local/undefined")[cell],
                 unreachable = t.reals("/local/unreachable")[cell];
    if (!t.local) {
      if (!std::isnan(defined) || !std::isnan(mean) || local_reason[cell] != -1)
        problems.add(at + ": /local holds values but the file has local = 0");
      continue;
    }
    if (!(defined >= 0 && undefined >= 0 && unreachable >= 0 && unreachable <= undefined &&
          defined + undefined == static_cast<double>(c.n_test[i])))
      problems.add(at + ": local defined " + std::to_string(defined) + " + undefined " +
                   std::to_string(undefined) + " is not n_test (or unreachable " +
                   std::to_string(unreachable) + " exceeds undefined)");
    if ((defined > 0) != std::isfinite(mean) || (defined > 0) != (share >= 0 && share <= 1) ||
        (defined > 0) == (local_reason[cell] ==
                          static_cast<std::int64_t>(geometry::LocalReason::no_defined_point)))
      problems.add(at + ": local mean " + std::to_string(mean) + " and negative share " +
                   std::to_string(share) + " must be defined exactly when some rho(x) is");
    for (std::size_t l = 0; l < t.list_layers; ++l) {
      const double value = layer_rho[t.notion_index(i, s, n, l)];
      if (l + 1 >= m ? !std::isnan(value) : !(std::isnan(value) || std::abs(value) <= 1))
        problems.add(at + ": layer coefficient at transition " + std::to_string(l) + " = " +
                     std::to_string(value) +
                     (l + 1 >= m ? " where the list has no transition" : " outside [-1, 1]"));
    }
  }
}

void check_done_slot(const Columns& c, std::size_t i, std::size_t s, Problems& problems) {
  const ResultsTable& t = c.t;
  const std::string where = run_name(c, i) + ", k = " + std::to_string(c.k[t.index(i, s)]);
  const auto depth = static_cast<std::size_t>(c.depth[i]);
  bool recomputable = true;  // the coefficient is recomputed only from values that passed
  for (std::size_t l = 0; l < t.layers; ++l) {
    const std::size_t cell = t.index(i, s, l);
    const std::string at = where + ", layer " + std::to_string(l + 1);
    if (l >= depth) {
      if (!std::isnan(c.edges[cell]) || !std::isnan(c.ric[cell]) || !std::isnan(c.g[cell]) ||
          !std::isnan(c.components[cell]))
        problems.add(at + ": beyond the run's depth but not NaN");
      continue;
    }
    if (!std::isfinite(c.edges[cell]) || c.edges[cell] < 0 || !std::isfinite(c.ric[cell]) ||
        !std::isfinite(c.components[cell]) || c.components[cell] < 1 ||
        !std::isfinite(c.unreachable_pairs[cell]) || c.unreachable_pairs[cell] < 0) {
      problems.add(
          at + ": edges, Ric, components and unreachable pairs must be finite (components >= 1)");
      recomputable = false;
      continue;
    }
    if (std::isinf(c.g[cell])) {
      problems.add(at + ": g is infinite (NaN marks a disconnected layer)");
      recomputable = false;
    }
    const bool connected = c.components[cell] == 1;
    if (connected != (c.unreachable_pairs[cell] == 0))
      problems.add(
          at + ": components = " + std::to_string(c.components[cell]) +
          " disagrees with unreachable pairs = " + std::to_string(c.unreachable_pairs[cell]));
    if (connected != std::isfinite(c.g[cell]))
      problems.add(at + ": g must be finite exactly when the layer is connected (components = " +
                   std::to_string(static_cast<long long>(c.components[cell])) + ")");
  }
  if (!recomputable) return;
  const std::size_t slot = t.index(i, s);
  const auto g = t.layers_of("/flow/g", i, s), ric = t.layers_of("/flow/ric", i, s);
  // The series are clamped to the layers axis: a corrupted depth cannot index past it.
  const auto eta = t.layers_of("/flow/eta", i, s);
  // Under baptista-r (schema 4) eta follows the reference R rule and cannot be recomputed from g
  // (only where two consecutive layers are connected does it equal their difference); its
  // exclusion and its coefficient follow from eta. Otherwise eta_l = g_{l+1} - g_l.
  const bool reference_r = t.graph == "baptista-r" && t.schema_version >= transitions_since_version;
  const std::vector<double> from_g = geometry::eta_from_geodesic_mass(g);
  for (std::size_t l = 1; l < eta.size(); ++l) {
    const double difference = from_g[l - 1];
    if (reference_r ? std::isfinite(difference) && eta[l] != difference
                    : !same_value(eta[l], difference))
      problems.add(where + ": eta at transition " + std::to_string(l) + " = " +
                   std::to_string(eta[l]) +
                   " is not g_{l+1} - g_l = " + std::to_string(difference));
  }
  if (t.schema_version >= transitions_since_version) {
    // The input layer (eta_0, /flow/input_*) is measured under baptista-r only.
    const double input_components = t.reals("/flow/input_components")[slot],
                 input_unreachable = t.reals("/flow/input_unreachable_pairs")[slot],
                 input_edges = t.reals("/flow/input_edges")[slot];
    if (!reference_r && !(std::isnan(input_components) && std::isnan(input_unreachable) &&
                          std::isnan(input_edges) && (eta.empty() || std::isnan(eta[0]))))
      problems.add(where + ": the input layer's values are set outside baptista-r");
    if (reference_r && !(input_components >= 1 && input_edges >= 0 && input_unreachable >= 0 &&
                         (input_components == 1) == (input_unreachable == 0)))
      problems.add(where + ": the input layer's graph (components " +
                   std::to_string(input_components) + ", unreachable pairs " +
                   std::to_string(input_unreachable) + ") is not a measured graph");
    for (std::size_t l = depth; l < t.layers; ++l)
      if (!std::isnan(c.eta[t.index(i, s, l)]))
        problems.add(where + ": eta beyond the run's depth (transition " + std::to_string(l) +
                     ") is not NaN");
  }
  const auto first_infinite =
      reference_r ? geometry::first_excluding_transition(eta) : std::nullopt;
  const std::int64_t expected_excluded_at =
      first_infinite ? static_cast<std::int64_t>(*first_infinite) : -1;
  if (c.excluded_at[slot] != expected_excluded_at)
    problems.add(where + ": excluded_at = " + std::to_string(c.excluded_at[slot]) +
                 ", but eta says " + std::to_string(expected_excluded_at));
  geometry::RicciCoefficient expected;
  try {
    if (!reference_r)
      expected = geometry::ricci_coefficient(g, ric);
    else if (first_infinite)
      expected = {NAN, NAN, NAN, NAN, geometry::CoefficientReason::reachability_changed};
    else
      expected = geometry::coefficient_of_transitions(eta, ric);
  } catch (const std::exception& e) {
    // Stored values no sweep can produce may be outside what the statistics accept.
    problems.add(where + ": the coefficient cannot be recomputed from eta and Ric (" + e.what() +
                 ")");
    return;
  }
  if (c.reason[slot] != static_cast<std::int64_t>(expected.reason))
    problems.add(where + ": reason " + std::to_string(c.reason[slot]) + ", expected " +
                 std::to_string(static_cast<int>(expected.reason)) + " (" +
                 std::string(geometry::reason_name(expected.reason)) + ")");
  const std::pair<const char*, double> recomputed[] = {
      {"rho", expected.rho}, {"z", expected.z}, {"fisher", expected.fisher}, {"p", expected.p}};
  for (const auto& [name, value] : recomputed) {
    const double stored = t.reals(std::string("/flow/") + name)[slot];
    if (!same_value(stored, value))
      problems.add(where + ": " + name + " = " + std::to_string(stored) +
                   " disagrees with the value recomputed from eta and Ric (" +
                   std::to_string(value) + ")");
  }
  if (t.schema_version >= notions_since_version) check_notion_slot(c, i, s, where, problems);
}

// Schema 5 snapshots (docs/method.md §6): epochs ascend within 0../runs/epochs and pad with -1
// after; a snapshot's values are set exactly where it exists (every run that is not done has none);
// and a snapshot at the run's last epoch is the final network, so its test accuracy and
// coefficients are /runs/test_accuracy and /flow/rho.
void check_snapshots(const Columns& c, std::size_t i, Problems& problems) {
  const ResultsTable& t = c.t;
  if (t.schema_version < snapshots_since_version) return;
  const std::string who = run_name(c, i);
  const auto& epoch = t.integers("/snapshots/epoch");
  const std::size_t k_count = t.is_done(i) ? t.k_values(i).size() : 0;
  std::int64_t previous = -1;
  bool padding = !t.is_done(i);
  for (std::size_t s = 0; s < t.snapshots; ++s) {
    const std::string where = who + ", snapshot " + std::to_string(s);
    const std::int64_t e = epoch[t.snapshot_index(i, s)];
    if (padding || e < 0) {
      padding = true;
      if (e != -1) problems.add(where + ": epoch " + std::to_string(e) + " where -1 pads");
    } else if (e <= previous || e > c.epochs[i]) {
      problems.add(where + ": epoch " + std::to_string(e) + " is not ascending within 0.." +
                   std::to_string(c.epochs[i]));
    }
    previous = e;
    const bool present = !padding;
    for (const char* name : {"/snapshots/train_loss", "/snapshots/train_accuracy",
                             "/snapshots/test_loss", "/snapshots/test_accuracy"})
      if (present != std::isfinite(t.reals(name)[t.snapshot_index(i, s)]))
        problems.add(where + ": " + name + (present ? " is not finite" : " is set on padding"));
    for (std::size_t slot = 0; slot < t.k_slots; ++slot) {
      const std::size_t cell = t.snapshot_index(i, s, slot);
      const double rho = t.reals("/snapshots/rho")[cell];
      const std::int64_t reason = t.integers("/snapshots/reason")[cell];
      if (!present || slot >= k_count) {
        if (!std::isnan(rho) || reason != -1)
          problems.add(where + ", slot " + std::to_string(slot) + ": a coefficient on padding");
        continue;
      }
      if ((reason == 0) != std::isfinite(rho))
        problems.add(where + ", slot " + std::to_string(slot) + ": rho " + std::to_string(rho) +
                     " with reason " + std::to_string(reason));
      const double final_rho = t.reals("/flow/rho")[t.index(i, slot)];
      if (e == c.epochs[i] && !(rho == final_rho || (std::isnan(rho) && std::isnan(final_rho))))
        problems.add(where + ", slot " + std::to_string(slot) +
                     ": the last epoch's rho differs from /flow/rho");
    }
    if (present && e == c.epochs[i] &&
        t.reals("/snapshots/test_accuracy")[t.snapshot_index(i, s)] != c.test_accuracy[i])
      problems.add(where + ": the last epoch's test accuracy differs from /runs/test_accuracy");
    // Each notion's coefficient and local mean: NaN on padding; at the last epoch /notions/rho and
    // /local/mean.
    for (std::size_t slot = 0; slot < t.k_slots; ++slot)
      for (std::size_t n = 0; n < t.notions.size(); ++n)
        for (const auto& [name, final_name] : {std::pair{"/snapshots/notion_rho", "/notions/rho"},
                                               std::pair{"/snapshots/local_mean", "/local/mean"}}) {
          const double value = t.reals(name)[t.snapshot_index(i, s, slot, n)];
          if (!present || slot >= k_count) {
            if (!std::isnan(value))
              problems.add(where + ", slot " + std::to_string(slot) + ": " + name +
                           " set on padding");
            continue;
          }
          const double final_value = t.notion_value(final_name, i, slot, n);
          if (e == c.epochs[i] &&
              !(value == final_value || (std::isnan(value) && std::isnan(final_value))))
            problems.add(where + ", slot " + std::to_string(slot) + ": the last epoch's " + name +
                         " differs from " + final_name);
        }
    if (problems.full()) return;
  }
}

void check_run_values(const Columns& c, std::size_t i, Problems& problems) {
  const ResultsTable& t = c.t;
  const std::string who = run_name(c, i);
  if (t.is_done(i)) {
    for (const auto& [name, value] : {std::pair{"test_accuracy", c.test_accuracy[i]},
                                      std::pair{"train_accuracy", c.train_accuracy[i]}})
      if (!(value >= 0 && value <= 1))
        problems.add(who + ": done but " + name + " = " + std::to_string(value));
    if (c.epochs[i] < minimum_epochs(t) || static_cast<std::size_t>(c.epochs[i]) > t.epochs)
      problems.add(who + ": done but epochs = " + std::to_string(c.epochs[i]));
    if (t.untrained(i) && c.epochs[i] != 0)
      problems.add(who + ": an untrained control but epochs = " + std::to_string(c.epochs[i]));
    if (!c.error[i].empty()) problems.add(who + ": done but error = '" + c.error[i] + "'");
    for (std::size_t e = 0; e < t.epochs; ++e) {
      const bool trained = e < static_cast<std::size_t>(std::max<std::int64_t>(c.epochs[i], 0));
      if (trained != std::isfinite(c.loss[i * t.epochs + e])) {
        problems.add(who + ": /history/loss at epoch " + std::to_string(e + 1) +
                     (trained ? " is not finite" : " is set beyond the run's epochs"));
        break;
      }
    }
    const std::size_t k_count = t.k_values(i).size();
    for (std::size_t s = 0; s < t.k_slots; ++s) {
      if (s < k_count)
        check_done_slot(c, i, s, problems);
      else
        check_empty_slot(t, i, s, who + ", padding slot " + std::to_string(s), problems);
      if (problems.full()) return;
    }
  } else if (t.is_failed(i)) {
    if (c.error[i].empty()) problems.add(who + ": failed without an error message");
    for (std::size_t s = 0; s < t.k_slots; ++s)
      check_empty_slot(t, i, s, who + " (failed), slot " + std::to_string(s), problems);
  }
  // Pending runs may hold a partial write of an abandoned attempt: no rule applies until status is
  // set.
  if (!problems.full() && (t.is_done(i) || t.is_failed(i))) check_snapshots(c, i, problems);
}

// Activations are finite by construction (the geometry refuses others); a NaN or inf stored
// there is corruption.
void check_finite(hid_t file, const std::string& path, const shapes::DatasetShape& shape,
                  const std::string& file_path, const std::string& who, Problems& problems) {
  const auto values =
      shapes::read_column<double>(file, file_path, path, H5T_NATIVE_DOUBLE, shape.dims);
  const std::size_t width = shape.dims.size() == 2 ? static_cast<std::size_t>(shape.dims[1]) : 1;
  for (std::size_t v = 0; v < values.size(); ++v)
    if (!std::isfinite(values[v])) {
      problems.add(who + ": " + path + " row " + std::to_string(v / width) + " column " +
                   std::to_string(v % width) + " is " +
                   (std::isnan(values[v]) ? "NaN" : "infinite"));
      return;
    }
}

void check_run_group(hid_t file, const Columns& c, std::size_t i, Problems& problems) {
  const ResultsTable& t = c.t;
  const std::string group = run_group(static_cast<index_t>(i)), who = run_name(c, i);
  // A depth outside 1..layers is already a problem (check_identity); taken as a count of layer
  // datasets it could be 2^31 lookups.
  if (c.depth[i] < 1 || static_cast<std::size_t>(c.depth[i]) > t.layers) return;
  // A shard's file leaves the other shards' groups out, and a merge of some shards keeps the rest
  // out until --resume runs them (io/shards.hpp): a run not yet run may lack its group.
  if (!t.is_done(i) && !t.is_failed(i) && !h5::link_exists(file, group)) return;
  RunIdentity run;
  run.n_test = static_cast<index_t>(c.n_test[i]);
  run.widths.assign(static_cast<std::size_t>(std::max<std::int64_t>(c.depth[i], 0)), 0);
  for (index_t k : t.k_values(i)) run.k.push_back(k);
  run.notion_count = t.notions.size();
  run.all_layers = t.all_layers;
  for (const RunDataset& dataset : run_datasets()) {
    if (!is_stored(dataset.when, t.store_activations, t.store_nodes, t.local)) continue;
    const std::size_t count = dataset.per_layer ? run.widths.size() : 1;
    for (std::size_t l = 0; l < count; ++l) {
      const std::string name = dataset.per_layer ? layer_dataset_name(static_cast<int>(l) + 1)
                                                 : std::string(dataset.name);
      const auto shape = shapes::describe(file, group + "/" + name);
      auto expected = dataset.per_layer ? std::vector<std::size_t>{} : dataset.dims(run, l);
      // A layer's width is not recorded elsewhere: any positive width will do.
      const bool fits =
          shape && type_matches(dataset.type, 0, *shape) &&
          (dataset.per_layer
               ? shape->dims.size() == 2 && shape->dims[0] == static_cast<hsize_t>(run.n_test) &&
                     shape->dims[1] > 0
               : std::equal(shape->dims.begin(), shape->dims.end(), expected.begin(),
                            expected.end()));
      if (!fits) {
        problems.add(who + ": " + group + "/" + name + " is missing or not a " +
                     value_type_name(dataset.type, 0) + " dataset of shape " +
                     (dataset.per_layer ? std::string("[n_test, width]")
                                        : shapes::dims_text({expected.begin(), expected.end()})));
        continue;
      }
      if (t.is_done(i) && dataset.type == ValueType::float32 && dataset.per_layer)
        check_finite(file, group + "/" + name, *shape, t.path, who, problems);
    }
    if (dataset.per_layer &&
        shapes::describe(file, group + "/" + layer_dataset_name(static_cast<int>(count) + 1)))
      problems.add(who + ": " + group + " holds more layers than the run's depth");
  }
}

Validation validate_open_file(hid_t f, const std::string& path, Problems& problems) {
  const auto version = h5::integer_attribute(f, "schema_version");
  Validation out;
  out.schema_version = static_cast<int>(version.value_or(0));
  check_structure(f, version ? out.schema_version : schema_version, problems);
  if (!problems.empty()) {
    out.problems = problems.finish();
    return out;
  }
  const ResultsTable t = read_results_table(f, path, /* verify_checksums */ false);
  const Columns c{t};
  // Schema 3: a row whose checksum differs was torn (a write cut short) or flipped afterwards.
  for (std::size_t i : runs_failing_checksum(t))
    problems.add(run_name(c, i) + ": its values do not match " + std::string(checksum_column) +
                 " (torn or corrupted row)");
  if (t.schema_version >= checksum_since_version && (t.store_activations || t.store_nodes))
    for (std::size_t i = 0; i < t.runs && !problems.full(); ++i) {
      if (!t.is_done(i)) continue;
      std::string problem;
      const auto sum = data_checksum(f, t, i, problem);
      if (sum && *sum != t.unsigned_integers(data_checksum_column)[i])
        problems.add(run_name(c, i) + ": its per-run data in " +
                     run_group(static_cast<index_t>(i)) + " do not match " +
                     std::string(data_checksum_column) + " (never written, torn or corrupted)");
    }
  for (std::size_t i = 0; i < t.runs && !problems.full(); ++i) check_identity(c, i, problems);
  for (std::size_t i = 0; i < t.runs && !problems.full(); ++i) check_run_values(c, i, problems);
  if (t.store_activations || t.store_nodes)
    for (std::size_t i = 0; i < t.runs && !problems.full(); ++i) check_run_group(f, c, i, problems);
  out.problems = problems.finish();
  return out;
}

}  // namespace

Validation validate_results(const std::string& path, std::size_t limit) {
  const h5::QuietErrors quiet;
  Problems problems(std::max<std::size_t>(limit, 1));
  const h5::File file = h5::open_existing(path, H5F_ACC_RDONLY);
  try {
    return validate_open_file(file.get(), path, problems);
  } catch (const Error& e) {
    // Most messages name datasets and runs but not the file they are in: it is added here.
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    throw e.with_context("io", "'" + path + "'");
  }
}

}  // namespace ricci::io
