// ricci_flow._core: the geometry engine for numpy arrays. ricci_flow/__init__.py is the public
// face (keyword arguments, documentation); this turns its arrays into views of the geometry,
// runs geometry::analyze_stack and geometry::pool_stacks with the GIL released, and returns the
// fields of `ricci-query analyze --format json` as dicts, lists and numbers (per-point values as
// numpy arrays). The options go through cli::analysis_options_from, the function ricci-query
// calls, so both accept the same values and refuse bad ones with the same messages.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis_options.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/analyze_stack.hpp"

namespace py = pybind11;

namespace ricci::python {

namespace {

using geometry::LayerView;
using StridedMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;

// One layer as the geometry reads it. A C-ordered float64 array, or one whose rows are a strided
// slice of one, is read in place; anything else (float32, Fortran order, a column stride, a
// non-native byte order) is converted once by numpy into a C-ordered float64 array held here.
// Either way `array` keeps the memory alive and `view` binds it without a further copy.
struct HeldLayer {
  py::array array;
  bool in_place = false;  // `array` is the caller's own (no copy)
  const double* data = nullptr;
  Eigen::Index rows = 0, cols = 0, outer_stride = 0;
  StridedMap map() const { return {data, rows, cols, Eigen::OuterStride<>(outer_stride)}; }
};

std::string shape_text(const py::array& a) {
  std::string text = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d)
    text += (d ? ", " : "") + std::to_string(a.shape(d)) + (a.ndim() == 1 ? "," : "");
  return text + ")";
}

// `where` names the argument in messages: "layers[2]", "input", "output".
HeldLayer hold_layer(const py::handle& object, const std::string& where, bool is_output) {
  py::array a = py::array::ensure(object);
  if (!a) throw Error("python", where + " is not an array (expected a 2-D numpy array)");
  const bool vector_output = is_output && a.ndim() == 1;
  if (!vector_output && a.ndim() != 2)
    throw Error("python", where +
                              (is_output ? " is not 1-D or 2-D (expected points, or points x 1)"
                                         : " is not 2-D (expected points x units)") +
                              ": shape " + shape_text(a));
  if (is_output && a.ndim() == 2 && a.shape(1) != 1)
    throw Error("python", where + " has " + std::to_string(a.shape(1)) +
                              " columns: the output is one value per point (points, or points x "
                              "1)");
  const char kind = a.dtype().kind();
  const auto size = a.dtype().itemsize();
  if (kind != 'f' || (size != 4 && size != 8))
    throw Error("python", where + " is not floating point (expected float32 or float64): dtype " +
                              std::string(py::str(a.dtype())));
  const py::ssize_t rows = a.shape(0), cols = vector_output ? 1 : a.shape(1);
  const py::ssize_t row_stride = a.strides(0), column_stride = vector_output ? 8 : a.strides(1);
  const bool in_place =
      py::isinstance<py::array_t<double>>(a) && a.attr("flags").attr("aligned").cast<bool>() &&
      (column_stride == 8 || cols <= 1) && (rows <= 1 || (row_stride > 0 && row_stride % 8 == 0));
  if (!in_place) a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!a) throw py::error_already_set();
  const py::ssize_t outer = in_place && rows > 1 ? row_stride / 8 : cols;
  return {a, in_place, static_cast<const double*>(a.data()), rows, cols, outer};
}

py::object number_or_none(double value) {
  return std::isfinite(value) ? py::object(py::float_(value)) : py::object(py::none());
}

// g, Forman's Ric and eta are integer counts whenever they are defined, as in the JSON.
py::object count_or_none(double value) {
  return std::isfinite(value) ? py::object(py::int_(static_cast<std::int64_t>(value)))
                              : py::object(py::none());
}

py::object reason_or_none(geometry::CoefficientReason reason) {
  return reason == geometry::CoefficientReason::none
             ? py::object(py::none())
             : py::object(py::str(std::string(geometry::reason_name(reason))));
}

py::object local_reason_or_none(geometry::LocalReason reason) {
  return reason == geometry::LocalReason::none
             ? py::object(py::none())
             : py::object(py::str(std::string(geometry::local_reason_name(reason))));
}

std::string notion_name(geometry::CurvatureNotion notion) {
  return std::string(geometry::curvature_notion_name(notion));
}

py::array_t<double> vector_array(const std::vector<double>& values) {
  py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// rows[t][x] as a (transitions x points) array.
py::array_t<double> matrix_array(const std::vector<std::vector<double>>& rows, index_t n) {
  py::array_t<double> out({static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(n)});
  double* data = out.mutable_data();
  for (const auto& row : rows) data = std::copy(row.begin(), row.end(), data);
  return out;
}

py::dict coefficient_dict(const geometry::RicciCoefficient& c) {
  py::dict out;
  out["rho"] = number_or_none(c.rho);
  out["z"] = number_or_none(c.z);
  out["fisher"] = number_or_none(c.fisher);
  out["p"] = number_or_none(c.p);
  out["reason"] = reason_or_none(c.reason);
  return out;
}

py::dict local_dict(const geometry::MeasuresAtK& at_k, const geometry::AnalysisOptions& options,
                    index_t n) {
  py::dict out;
  // eta_l(x) is shared by every notion: one array, referenced from each notion's nodes.
  py::object expansion =
      options.per_node ? py::object(matrix_array(at_k.local_expansion, n)) : py::object(py::none());
  for (auto notion : options.notions) {
    const auto& l = at_k.local_of(notion);
    py::list layer_rho, layer_reason;
    for (std::size_t t = 0; t < l.layer_rho.size(); ++t) {
      layer_rho.append(number_or_none(l.layer_rho[t]));
      layer_reason.append(local_reason_or_none(l.layer_reason[t]));
    }
    py::dict one;
    one["mean"] = number_or_none(l.mean);
    one["negative_share"] = number_or_none(l.negative_share);
    one["defined"] = l.defined;
    one["undefined"] = l.undefined;
    one["unreachable"] = l.unreachable;
    one["reason"] = local_reason_or_none(l.reason);
    one["layer_rho"] = layer_rho;
    one["layer_reason"] = layer_reason;
    if (options.per_node) {
      // The columns of ricci-query analyze --nodes, transition t = row t.
      py::list rho_reason;
      for (auto reason : l.rho_reason) rho_reason.append(local_reason_or_none(reason));
      py::dict nodes;
      nodes["scalar_curvature"] = matrix_array(l.scalar, n);
      nodes["local_expansion"] = expansion;
      nodes["rho"] = vector_array(l.rho);
      nodes["rho_reason"] = rho_reason;
      one["nodes"] = nodes;
    }
    out[py::str(notion_name(notion))] = one;
  }
  return out;
}

// The fields of one stack in the JSON of ricci-query analyze, "convention" and "graph" included.
py::dict stack_dict(const geometry::StackAnalysis& stack, const geometry::AnalysisOptions& options,
                    const py::dict& convention) {
  constexpr auto forman = geometry::CurvatureNotion::forman;
  py::list results;
  for (const auto& at_k : stack.at_each_k) {
    py::list per_layer;
    for (std::size_t l = 0; l < at_k.layers.size(); ++l) {
      const auto& f = at_k.layers[l];
      py::dict curvature;
      for (auto notion : options.notions)
        curvature[py::str(notion_name(notion))] = number_or_none(f.curvature_total(notion));
      py::dict layer;
      layer["layer"] = stack.first_layer + l;
      layer["name"] = stack.names[l];
      layer["edges"] = f.edges;
      layer["components"] = f.components;
      layer["unreachable_pairs"] = f.unreachable_pairs;
      layer["ric"] = count_or_none(f.curvature_total(forman));
      layer["g"] = count_or_none(f.g);
      layer["curvature"] = curvature;
      per_layer.append(layer);
    }
    py::list eta;
    for (std::size_t l = 1; l < at_k.eta.size(); ++l) eta.append(count_or_none(at_k.eta[l]));
    py::object input = py::none();
    if (at_k.input) {
      py::dict d;
      d["edges"] = at_k.input->edges;
      d["components"] = at_k.input->components;
      d["unreachable_pairs"] = at_k.input->unreachable_pairs;
      input = d;
    }
    py::dict result;
    result["k"] = at_k.k;
    result["layers"] = per_layer;
    result.attr("update")(coefficient_dict(at_k.coefficient(forman)));
    result["excluded"] = at_k.exclusion != geometry::CoefficientReason::none;
    result["excluded_by"] = reason_or_none(at_k.exclusion);
    result["excluded_at"] =
        at_k.excluded_at >= 0 ? py::object(py::int_(at_k.excluded_at)) : py::object(py::none());
    result["eta"] = eta;
    result["eta_input"] =
        at_k.eta.empty() ? py::object(py::none()) : count_or_none(at_k.eta.front());
    result["input"] = input;
    py::dict global;
    for (auto notion : options.notions)
      global[py::str(notion_name(notion))] = coefficient_dict(at_k.coefficient(notion));
    result["global"] = global;
    if (options.local) result["local"] = local_dict(at_k, options, stack.n);
    results.append(result);
  }
  py::dict out;
  out["n"] = stack.n;
  out["layers"] = stack.hidden_layers;
  out["layer_list"] = options.layer_list == geometry::LayerList::all ? "all" : "hidden";
  out.attr("update")(convention);
  out["results"] = results;
  return out;
}

py::list pooled_list(const geometry::PooledAnalysis& pooled) {
  py::list out;
  for (const auto& p : pooled.at_each_k) {
    py::dict d;
    d["k"] = p.k;
    d["rho"] = p.rho ? number_or_none(*p.rho) : py::object(py::none());
    d["stacks"] = p.stacks;
    out.append(d);
  }
  return out;
}

// The arguments of analyze/pool after ricci_flow/__init__.py has put the options into the CLI's
// words (k as "10,20", curvature as "forman,ollivier").
py::dict analyze(const py::list& stacks, const py::list& inputs, const py::list& outputs,
                 const cli::AnalysisOptionText& text, bool per_node, const py::object& progress) {
  geometry::AnalysisOptions options = cli::analysis_options_from(text);
  if (per_node && !options.local)
    throw Error("python", "nodes=True gives the local coefficients per point: add local=True");
  options.per_node = per_node;
  if (stacks.empty()) throw Error("python", "no stacks to analyse");

  // Every array is checked and held before any work, so a bad one costs nothing.
  struct HeldStack {
    std::vector<HeldLayer> hidden;
    std::optional<HeldLayer> input, output;
    std::vector<LayerView> views;
  };
  std::vector<HeldStack> held(stacks.size());
  const bool several = stacks.size() > 1;
  for (std::size_t s = 0; s < stacks.size(); ++s) {
    const std::string prefix = several ? "stacks[" + std::to_string(s) + "] " : "";
    const py::handle stack = stacks[s];
    if (py::isinstance<py::str>(stack) || !py::isinstance<py::sequence>(stack) ||
        py::isinstance<py::array>(stack))
      throw Error("python",
                  (several ? "stacks[" + std::to_string(s) + "]" : std::string("layers")) +
                      " is not a list of 2-D arrays (one per hidden layer)");
    const auto layers = py::reinterpret_borrow<py::sequence>(stack);
    for (std::size_t l = 0; l < layers.size(); ++l)
      held[s].hidden.push_back(
          hold_layer(layers[l], prefix + "layers[" + std::to_string(l) + "]", false));
    if (!inputs[s].is_none()) held[s].input = hold_layer(inputs[s], prefix + "input", false);
    if (!outputs[s].is_none()) held[s].output = hold_layer(outputs[s], prefix + "output", true);
    for (const HeldLayer& layer : held[s].hidden) held[s].views.emplace_back(layer.map());
  }

  options.on_layer_done = [&progress](std::size_t done, std::size_t total) {
    // Briefly back in Python: the progress callback, and Ctrl-C. A pending KeyboardInterrupt (or
    // the callback's exception) unwinds the analysis as error_already_set and reaches the caller.
    // gil_scoped_acquire works from any thread, so this holds whichever of the geometry's threads
    // calls it (MeasureOptions::on_layer_done promises the calling one).
    py::gil_scoped_acquire gil;
    if (!progress.is_none()) progress(done, total);
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  };
  std::vector<geometry::StackAnalysis> analyses;
  {
    py::gil_scoped_release release;
    for (HeldStack& stack : held) {
      geometry::StackLayers layers{stack.views, {}, std::nullopt, std::nullopt};
      if (stack.input) layers.input.emplace(stack.input->map());
      if (stack.output) layers.output.emplace(stack.output->map());
      analyses.push_back(geometry::analyze_stack(layers, options));
    }
  }
  const geometry::PooledAnalysis pooled = geometry::pool_stacks(analyses);

  py::dict convention;
  convention["convention"] = text.convention;
  convention["graph"] = std::string(geometry::graph_rule_name(options.rule));
  py::list each;
  for (const auto& analysis : analyses) each.append(stack_dict(analysis, options, convention));
  py::dict out;
  out["convention"] = convention["convention"];
  out["graph"] = convention["graph"];
  out["stacks"] = each;
  out["pooled"] = pooled_list(pooled);
  out["k_star"] = pooled.k_star ? py::object(py::int_(*pooled.k_star)) : py::object(py::none());
  return out;
}

}  // namespace

}  // namespace ricci::python

PYBIND11_MODULE(_core, m) {
  using namespace ricci;
  m.doc() = "The ricci-sweep geometry engine; use it through the ricci_flow package.";
  // The library's one exception type carries the one-line message ricci-query prints (local: other
  // extensions in the process keep their own translations).
  py::register_local_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.def(
      "analyze",
      [](const py::list& stacks, const py::list& inputs, const py::list& outputs,
         const std::string& k, const std::string& graph, const std::string& convention,
         const std::string& curvature, const std::string& ollivier_idleness,
         const std::string& layers, bool local, bool nodes, const py::object& progress,
         const std::optional<std::string>& threads) {
        if (inputs.size() != stacks.size() || outputs.size() != stacks.size())
          throw Error("python", "one input and one output (or None) per stack");
        const cli::AnalysisOptionText text{
            k,      graph, convention, curvature,   ollivier_idleness,
            layers, local, threads,    std::nullopt};
        return python::analyze(stacks, inputs, outputs, text, nodes, progress);
      },
      py::arg("stacks"), py::arg("inputs"), py::arg("outputs"), py::arg("k"), py::arg("graph"),
      py::arg("convention"), py::arg("curvature"), py::arg("ollivier_idleness"), py::arg("layers"),
      py::arg("local"), py::arg("nodes"), py::arg("progress"), py::arg("threads"));
  // For the tests: whether analyze reads this layer in place (true) or converts it once (false).
  m.def("_reads_in_place",
        [](const py::handle& layer) { return python::hold_layer(layer, "layer", false).in_place; });
}
