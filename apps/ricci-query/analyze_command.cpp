// ricci-query analyze FILE.h5 [--group PATH | --run ID] --k LIST [--graph union|mutual]
//                     [--convention paper|baptista-r] [--progress auto|always|never]
//                     [--format table|csv|json]
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "cli_util.hpp"
#include "output.hpp"
#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/results_table.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

constexpr auto forman = geometry::CurvatureNotion::forman;

// g and Forman's Ric are integer counts whenever they are defined; print them as such.
Json count_or_null(double value) {
  return std::isfinite(value) ? Json(static_cast<std::int64_t>(value)) : Json(nullptr);
}

Json measures_json(const std::vector<geometry::MeasuresAtK>& at_each_k, index_t n,
                   std::size_t layers) {
  Json results = Json::array();
  for (const auto& at_k : at_each_k) {
    Json per_layer = Json::array();
    for (std::size_t l = 0; l < at_k.layers.size(); ++l) {
      const auto& f = at_k.layers[l];
      per_layer.push_back({{"layer", l + 1},
                           {"edges", f.edges},
                           {"components", f.components},
                           {"unreachable_pairs", f.unreachable_pairs},
                           {"ric", count_or_null(f.curvature_total(forman))},
                           {"g", count_or_null(f.g)}});
    }
    const auto& c = at_k.coefficient(forman);
    results.push_back({{"k", at_k.k},
                       {"layers", per_layer},
                       {"rho", number_or_null(c.rho)},
                       {"z", number_or_null(c.z)},
                       {"fisher", number_or_null(c.fisher)},
                       {"p", number_or_null(c.p)},
                       {"reason", c.reason == geometry::CoefficientReason::none
                                      ? Json(nullptr)
                                      : Json(std::string(geometry::reason_name(c.reason)))}});
  }
  return Json{{"n", n}, {"layers", layers}, {"results", results}};
}

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

void print_table(std::ostream& out, const std::vector<geometry::MeasuresAtK>& at_each_k,
                 const std::string& path, const std::string& group, index_t n, std::size_t layers,
                 geometry::GraphRule rule) {
  out << path << " " << group << ": n = " << n << " points, " << layers << " hidden layers, graph "
      << geometry::graph_rule_name(rule) << "\n";
  for (const auto& at_k : at_each_k) {
    const auto& c = at_k.coefficient(forman);
    out << "\nk = " << at_k.k << "   rho = " << fixed(c.rho, 4) << "   z = " << fixed(c.z, 4)
        << "   fisher = " << fixed(c.fisher, 4) << "   p = " << fixed(c.p, 4);
    if (c.reason != geometry::CoefficientReason::none)
      out << "   (" << geometry::reason_name(c.reason) << ")";
    out << "\n  " << std::setw(5) << "layer" << std::setw(10) << "edges" << std::setw(12)
        << "components" << std::setw(14) << "unreachable" << std::setw(12) << "Ric" << std::setw(14)
        << "g" << std::setw(12) << "eta"
        << "\n";
    for (std::size_t l = 0; l < at_k.layers.size(); ++l) {
      const auto& f = at_k.layers[l];
      const double eta = l + 1 < at_k.layers.size() ? at_k.layers[l + 1].g - f.g : NAN;
      out << "  " << std::setw(5) << l + 1 << std::setw(10) << f.edges << std::setw(12)
          << f.components << std::setw(14) << f.unreachable_pairs << std::setw(12)
          << fixed(f.curvature_total(forman), 0) << std::setw(14) << fixed(f.g, 0) << std::setw(12)
          << fixed(eta, 0) << "\n";
    }
  }
}

// One row per (k, layer), the run's coefficients repeated on each row.
Table measures_table(const std::vector<geometry::MeasuresAtK>& at_each_k) {
  Table table{{"k", "layer", "edges", "components", "unreachable_pairs", "ric", "g", "rho", "z",
               "fisher", "p", "reason"},
              {}};
  for (const auto& at_k : at_each_k) {
    const auto& c = at_k.coefficient(forman);
    for (std::size_t l = 0; l < at_k.layers.size(); ++l) {
      const auto& f = at_k.layers[l];
      table.rows.push_back({static_cast<long long>(at_k.k), static_cast<long long>(l + 1),
                            static_cast<long long>(f.edges), static_cast<long long>(f.components),
                            static_cast<long long>(f.unreachable_pairs),
                            static_cast<long long>(f.curvature_total(forman)), f.g, c.rho, c.z,
                            c.fisher, c.p,
                            c.reason == geometry::CoefficientReason::none
                                ? std::string()
                                : std::string(geometry::reason_name(c.reason))});
    }
  }
  return table;
}

// Stacks of this many points take minutes or more: auto progress reports them.
constexpr index_t progress_from_points = 5000;

// measure_stack, one layer at a time so that each finished layer can be reported (the geometry
// has no callback; its layers are independent), then the coefficients over all layers as
// measure_stack computes them.
std::vector<geometry::MeasuresAtK> measure_with_progress(const std::vector<RowMatrix>& layers,
                                                         const geometry::MeasureOptions& options,
                                                         bool report, std::ostream& err) {
  if (!report) return geometry::measure_stack(layers, options);
  geometry::validate_layer_stack(layers, options);
  const auto start = std::chrono::steady_clock::now();
  std::vector<geometry::MeasuresAtK> slots;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    auto one = geometry::measure_stack(std::vector<RowMatrix>{layers[l]}, options);
    if (slots.empty()) {
      slots = std::move(one);
    } else {
      for (std::size_t s = 0; s < slots.size(); ++s)
        slots[s].layers.push_back(std::move(one[s].layers.front()));
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    err << "ricci-query analyze: layer " << l + 1 << " of " << layers.size() << " done ("
        << fixed(elapsed.count(), 1) << " s)" << std::endl;
  }
  for (auto& slot : slots) {
    slot.coefficients.clear();
    for (geometry::CurvatureNotion notion : slot.notions)
      slot.coefficients.push_back(geometry::ricci_coefficient(slot.layers, notion));
  }
  return slots;
}

}  // namespace

int analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string group, k_text, graph, convention, progress = "auto";
  long long run_id = -1;
  SubcommandOptions options("ricci-query analyze FILE.h5 options");
  options.add()("group", po::value(&group)->default_value("/"),
                "group holding layer_01, layer_02, ...")(
      "run", po::value(&run_id),
      "a results file's run: its stored activations (instead of --group)")(
      "k", po::value(&k_text), "k values, e.g. 10,20,30 or 6-10 (required)")(
      "graph", po::value(&graph)->default_value("union"), "union | mutual")(
      "convention", po::value(&convention)->default_value("paper"), "paper | baptista-r")(
      "progress", po::value(&progress)->default_value("auto"),
      "auto | always | never: one line per layer on stderr (auto: from 5000 points)");
  if (!options.parse(args, out)) return exit_ok;
  const std::string& path = options.path;
  if (k_text.empty()) throw Error("cli", "--k is required (e.g. --k 10,20,30)");
  cli::require_one_of("graph", graph, {"union", "mutual"});
  cli::require_one_of("convention", convention, {"paper", "baptista-r"});
  cli::require_one_of("progress", progress, {"auto", "always", "never"});

  geometry::MeasureOptions geometry_options;
  geometry_options.k = cli::parse_index_list(k_text, "--k");
  geometry_options.rule = cli::graph_rule_from(graph, convention);

  if (options.given("run")) {
    if (options.given("group"))
      throw Error("cli", "--run and --group name the same thing: give one");
    const io::ResultsTable table = io::read_results_table(path);
    done_run(table, run_id);
    if (!table.store_activations)
      throw Error("cli", "'" + path + "' was written with store_activations = false: run " +
                             std::to_string(run_id) + " has no stored activations to analyze");
    io::check_run_data(table, static_cast<std::size_t>(run_id));
    group = io::run_group(static_cast<index_t>(run_id));
  }
  const io::ActivationStack stack = io::read_activation_stack(path, group);
  const auto n = static_cast<index_t>(stack.layers.front().rows());
  const bool report = progress == "always" || (progress == "auto" && n >= progress_from_points);
  const auto at_each_k = measure_with_progress(stack.layers, geometry_options, report, err);

  switch (options.format) {
    case Format::json:
      out << measures_json(at_each_k, n, stack.layers.size()).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, measures_table(at_each_k));
      break;
    case Format::table:
      print_table(out, at_each_k, path, group, n, stack.layers.size(), geometry_options.rule);
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
