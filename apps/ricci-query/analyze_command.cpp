// ricci-query analyze FILE.h5 [FILE.h5 ...] [--group PATH ... | --run ID ...] --k LIST
//                     [--graph union|mutual] [--convention paper|baptista-r]
//                     [--progress auto|always|never] [--format table|csv|json]
//
// The geometry of one or several activation stacks (docs/method.md §2-§4) and, per k, the pooled
// coefficient over the stacks that are not excluded, with the scale k* it selects: the paper's
// analysis of any set of networks, without a sweep. A stack is one group of one file; every
// --group (or --run) is read from every file.
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

// One analysed stack: where it came from, its size and its measures at every k.
struct AnalyzedStack {
  std::string file, group;
  index_t n = 0;
  std::size_t layers = 0;
  bool has_input = false;  // layer_00 was read and used (baptista-r)
  std::vector<geometry::MeasuresAtK> at_each_k;
};

// The pooled coefficient at one k over the stacks not excluded there.
struct PooledAtK {
  index_t k = 0;
  std::optional<double> rho;
  std::size_t stacks = 0;
};

struct Pooled {
  std::vector<PooledAtK> at_each_k;  // in the order of --k
  std::optional<index_t> k_star;
};

Pooled pool(const std::vector<AnalyzedStack>& stacks) {
  Pooled out;
  std::vector<geometry::ScaleCoefficient> scales;
  const std::size_t slots = stacks.front().at_each_k.size();
  // Ric_l per stack and slot, kept alive while the series point into them.
  std::vector<std::vector<double>> ric_storage;
  for (std::size_t s = 0; s < slots; ++s) {
    std::vector<geometry::PairSeries> series;
    ric_storage.clear();
    ric_storage.reserve(stacks.size());
    for (const AnalyzedStack& stack : stacks) {
      const geometry::MeasuresAtK& slot = stack.at_each_k[s];
      if (slot.exclusion != geometry::CoefficientReason::none) continue;
      std::vector<double>& ric = ric_storage.emplace_back();
      for (const auto& layer : slot.layers) ric.push_back(layer.curvature_total(forman));
      // eta_1..eta_{L-1} with Ric_1..Ric_{L-1}: the input transition has no curvature partner.
      series.push_back({geometry::paired_eta(slot.eta), ric});
    }
    PooledAtK at_k{stacks.front().at_each_k[s].k, geometry::pooled_ricci_coefficient(series),
                   series.size()};
    scales.push_back({at_k.k, at_k.rho});
    out.at_each_k.push_back(at_k);
  }
  out.k_star = geometry::select_scale(scales);
  return out;
}

// g and Forman's Ric are integer counts whenever they are defined; print them as such.
Json count_or_null(double value) {
  return std::isfinite(value) ? Json(static_cast<std::int64_t>(value)) : Json(nullptr);
}

Json reason_json(geometry::CoefficientReason reason) {
  return reason == geometry::CoefficientReason::none
             ? Json(nullptr)
             : Json(std::string(geometry::reason_name(reason)));
}

// `convention` holds the "convention" and "graph" fields every output object starts with.
Json stack_json(const AnalyzedStack& stack, const Json& convention) {
  Json results = Json::array();
  for (const auto& at_k : stack.at_each_k) {
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
    Json eta = Json::array();
    for (std::size_t l = 1; l < at_k.eta.size(); ++l) eta.push_back(count_or_null(at_k.eta[l]));
    Json input = nullptr;
    if (at_k.input)
      input = {{"edges", at_k.input->edges},
               {"components", at_k.input->components},
               {"unreachable_pairs", at_k.input->unreachable_pairs}};
    const bool excluded = at_k.exclusion != geometry::CoefficientReason::none;
    results.push_back(
        {{"k", at_k.k},
         {"layers", per_layer},
         {"rho", number_or_null(c.rho)},
         {"z", number_or_null(c.z)},
         {"fisher", number_or_null(c.fisher)},
         {"p", number_or_null(c.p)},
         {"reason", reason_json(c.reason)},
         {"excluded", excluded},
         {"excluded_by", reason_json(at_k.exclusion)},
         {"excluded_at", at_k.excluded_at >= 0 ? Json(at_k.excluded_at) : Json(nullptr)},
         {"eta", eta},
         {"eta_input", at_k.eta.empty() ? Json(nullptr) : count_or_null(at_k.eta.front())},
         {"input", input}});
  }
  Json out{{"n", stack.n}, {"layers", stack.layers}};
  out.update(convention);
  out["results"] = results;
  return out;
}

Json pooled_json(const Pooled& pooled) {
  Json at_each_k = Json::array();
  for (const PooledAtK& p : pooled.at_each_k)
    at_each_k.push_back({{"k", p.k},
                         {"rho", p.rho ? number_or_null(*p.rho) : Json(nullptr)},
                         {"stacks", p.stacks}});
  return at_each_k;
}

Json analysis_json(const std::vector<AnalyzedStack>& stacks, const Pooled& pooled,
                   const Json& convention) {
  const Json k_star = pooled.k_star ? Json(*pooled.k_star) : Json(nullptr);
  if (stacks.size() == 1) {
    Json out = stack_json(stacks.front(), convention);
    out["pooled"] = pooled_json(pooled);
    out["k_star"] = k_star;
    return out;
  }
  Json each = Json::array();
  for (const AnalyzedStack& stack : stacks) {
    Json one{{"file", stack.file}, {"group", stack.group}};
    one.update(stack_json(stack, convention));
    each.push_back(std::move(one));
  }
  Json out = convention;
  out["stacks"] = each;
  out["pooled"] = pooled_json(pooled);
  out["k_star"] = k_star;
  return out;
}

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

std::string exclusion_text(const geometry::MeasuresAtK& at_k) {
  if (at_k.exclusion == geometry::CoefficientReason::none) return "";
  std::string text = "excluded: " + std::string(geometry::reason_name(at_k.exclusion));
  if (at_k.excluded_at == 0) text += " (inputs -> layer 1)";
  if (at_k.excluded_at > 0)
    text += " (layer " + std::to_string(at_k.excluded_at) + " -> " +
            std::to_string(at_k.excluded_at + 1) + ")";
  return text;
}

void print_stack_table(std::ostream& out, const AnalyzedStack& stack, geometry::GraphRule rule) {
  out << stack.file << " " << stack.group << ": n = " << stack.n << " points, " << stack.layers
      << " hidden layers, graph " << geometry::graph_rule_name(rule);
  if (rule == geometry::GraphRule::baptista_r)
    out << (stack.has_input ? ", inputs (layer_00) -> layer 1 included"
                            : ", no layer_00: the inputs -> layer 1 transition is absent");
  out << "\n";
  for (const auto& at_k : stack.at_each_k) {
    const auto& c = at_k.coefficient(forman);
    out << "\nk = " << at_k.k << "   rho = " << fixed(c.rho, 4) << "   z = " << fixed(c.z, 4)
        << "   fisher = " << fixed(c.fisher, 4) << "   p = " << fixed(c.p, 4);
    if (c.reason != geometry::CoefficientReason::none)
      out << "   (" << geometry::reason_name(c.reason) << ")";
    if (const std::string excluded = exclusion_text(at_k); !excluded.empty())
      out << "\n  " << excluded;
    // eta on layer l's row is eta_l, the change out of layer l its curvature is paired with.
    out << "\n  " << std::setw(5) << "layer" << std::setw(10) << "edges" << std::setw(12)
        << "components" << std::setw(14) << "unreachable" << std::setw(12) << "Ric" << std::setw(14)
        << "g" << std::setw(12) << "eta"
        << "\n";
    auto row = [&](std::size_t layer, const geometry::LayerMeasures& f, double ric, double eta) {
      out << "  " << std::setw(5) << layer << std::setw(10) << f.edges << std::setw(12)
          << f.components << std::setw(14) << f.unreachable_pairs << std::setw(12) << fixed(ric, 0)
          << std::setw(14) << fixed(f.g, 0) << std::setw(12) << fixed(eta, 0) << "\n";
    };
    if (at_k.input) row(0, *at_k.input, NAN, at_k.eta.front());
    for (std::size_t l = 0; l < at_k.layers.size(); ++l)
      row(l + 1, at_k.layers[l], at_k.layers[l].curvature_total(forman),
          l + 1 < at_k.eta.size() ? at_k.eta[l + 1] : NAN);
  }
}

void print_pooled_table(std::ostream& out, const Pooled& pooled, std::size_t stacks) {
  out << "\npooled over " << stacks << " stacks (the stacks not excluded at each k)\n";
  Table table{{"k", "rho", "stacks"}, {}};
  for (const PooledAtK& p : pooled.at_each_k)
    table.rows.push_back(
        {static_cast<long long>(p.k), p.rho ? *p.rho : NAN, static_cast<long long>(p.stacks)});
  print_text_table(out, table);
  out << "k* = " << (pooled.k_star ? std::to_string(*pooled.k_star) : std::string("-")) << "\n";
}

// One row per (stack, k, layer), the stack's coefficients repeated on each row; layer 0 is the
// input layer where it was measured. The pooled values are in the json and table formats.
Table measures_table(const std::vector<AnalyzedStack>& stacks) {
  Table table{{"k", "layer", "edges", "components", "unreachable_pairs", "ric", "g", "rho", "z",
               "fisher", "p", "reason", "eta", "excluded_by"},
              {}};
  const bool several = stacks.size() > 1;
  if (several) table.columns.insert(table.columns.begin(), {"file", "group"});
  auto text = [](geometry::CoefficientReason r) {
    return r == geometry::CoefficientReason::none ? std::string()
                                                  : std::string(geometry::reason_name(r));
  };
  for (const AnalyzedStack& stack : stacks)
    for (const auto& at_k : stack.at_each_k) {
      const auto& c = at_k.coefficient(forman);
      auto add = [&](long long layer, const geometry::LayerMeasures& f, double ric, double eta) {
        std::vector<Cell> row;
        if (several) row = {stack.file, stack.group};
        const std::vector<Cell> values{
            static_cast<long long>(at_k.k),
            layer,
            static_cast<long long>(f.edges),
            static_cast<long long>(f.components),
            static_cast<long long>(f.unreachable_pairs),
            std::isfinite(ric) ? Cell(static_cast<long long>(ric)) : Cell(std::string()),
            f.g,
            c.rho,
            c.z,
            c.fisher,
            c.p,
            text(c.reason),
            std::isfinite(eta) ? Cell(static_cast<long long>(eta)) : Cell(std::string()),
            text(at_k.exclusion)};
        row.insert(row.end(), values.begin(), values.end());
        table.rows.push_back(std::move(row));
      };
      if (at_k.input) add(0, *at_k.input, NAN, at_k.eta.front());
      for (std::size_t l = 0; l < at_k.layers.size(); ++l)
        add(static_cast<long long>(l + 1), at_k.layers[l], at_k.layers[l].curvature_total(forman),
            l + 1 < at_k.eta.size() ? at_k.eta[l + 1] : NAN);
    }
  return table;
}

// Stacks of this many points take minutes or more: auto progress reports them.
constexpr index_t progress_from_points = 5000;

}  // namespace

int analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> groups;
  std::vector<long long> run_ids;
  std::string k_text, graph, convention, progress = "auto";
  SubcommandOptions options("ricci-query analyze FILE.h5 [FILE.h5 ...] options");
  options.accept_several_files();
  options.add()("group", po::value(&groups)->composing(),
                "group holding layer_01, layer_02, ... (and optionally layer_00, the inputs); "
                "repeat for several (default /)")(
      "run", po::value(&run_ids)->composing(),
      "a results file's run: its stored activations (instead of --group); repeat for several")(
      "k", po::value(&k_text), "k values, e.g. 10,20,30 or 6-10 (required)")(
      "graph", po::value(&graph)->default_value("union"), "union | mutual")(
      "convention", po::value(&convention)->default_value("paper"), "paper | baptista-r")(
      "progress", po::value(&progress)->default_value("auto"),
      "auto | always | never: one line per layer on stderr (auto: from 5000 points)");
  if (!options.parse(args, out)) return exit_ok;
  if (k_text.empty()) throw Error("cli", "--k is required (e.g. --k 10,20,30)");
  cli::require_one_of("graph", graph, {"union", "mutual"});
  cli::require_one_of("convention", convention, {"paper", "baptista-r"});
  cli::require_one_of("progress", progress, {"auto", "always", "never"});
  if (!groups.empty() && !run_ids.empty())
    throw Error("cli", "--run and --group both name stacks: give one kind");

  geometry::MeasureOptions geometry_options;
  geometry_options.k = cli::parse_index_list(k_text, "--k");
  geometry_options.rule = cli::graph_rule_from(graph, convention);
  const bool reference_r = geometry_options.rule == geometry::GraphRule::baptista_r;
  // What the output names the analysis by: the convention and the graph rule it implies.
  const Json convention_json{{"convention", convention},
                             {"graph", geometry::graph_rule_name(geometry_options.rule)}};

  // Every (file, group) in order; each is read, validated and measured in turn, so a bad one
  // stops the analysis before the later ones are computed.
  std::vector<std::pair<std::string, std::string>> sources;
  for (const std::string& path : options.paths) {
    if (!run_ids.empty()) {
      const io::ResultsTable table = io::read_results_table(path);
      for (long long run_id : run_ids) {
        done_run(table, run_id);
        if (!table.store_activations)
          throw Error("cli", "'" + path + "' was written with store_activations = false: run " +
                                 std::to_string(run_id) + " has no stored activations to analyze");
        io::check_run_data(table, static_cast<std::size_t>(run_id));
        sources.emplace_back(path, io::run_group(static_cast<index_t>(run_id)));
      }
    } else if (groups.empty()) {
      sources.emplace_back(path, "/");
    } else {
      for (const std::string& group : groups) sources.emplace_back(path, group);
    }
  }

  std::vector<AnalyzedStack> stacks;
  for (const auto& [path, group] : sources) {
    const io::ActivationStack stack = io::read_activation_stack(path, group);
    // A results file's run groups hold the hidden layers only; its own /flow values include the
    // inputs -> layer 1 transition measured from the regenerated inputs, so say where they differ.
    if (reference_r && !stack.input && !run_ids.empty())
      err << "ricci-query analyze: " << path << " " << group
          << " has no layer_00 (a sweep does not store the inputs): the inputs -> layer 1 "
             "transition is absent here, while the file's /flow values include it\n";
    AnalyzedStack analyzed{path,
                           group,
                           static_cast<index_t>(stack.layers.front().rows()),
                           stack.layers.size(),
                           reference_r && stack.input.has_value(),
                           {}};
    const bool report =
        progress == "always" || (progress == "auto" && analyzed.n >= progress_from_points);
    const auto start = std::chrono::steady_clock::now();
    geometry::MeasureOptions measure = geometry_options;
    if (report)
      measure.on_layer_done = [&, has_input = analyzed.has_input](std::size_t done,
                                                                  std::size_t total) {
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        // With the inputs measured first, the first report is layer 0.
        const std::size_t layer = has_input ? done - 1 : done, last = has_input ? total - 1 : total;
        err << "ricci-query analyze: " << (sources.size() > 1 ? path + " " + group + ": " : "")
            << "layer " << layer << " of " << last << " done (" << fixed(elapsed.count(), 1)
            << " s)" << std::endl;
      };
    analyzed.at_each_k = geometry::measure_stack(
        stack.layers, measure,
        analyzed.has_input ? std::optional<geometry::LayerView>(*stack.input) : std::nullopt);
    stacks.push_back(std::move(analyzed));
  }
  const Pooled pooled = pool(stacks);

  switch (options.format) {
    case Format::json:
      out << analysis_json(stacks, pooled, convention_json).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, measures_table(stacks));
      break;
    case Format::table:
      for (std::size_t i = 0; i < stacks.size(); ++i) {
        if (i) out << "\n";
        print_stack_table(out, stacks[i], geometry_options.rule);
      }
      print_pooled_table(out, pooled, stacks.size());
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
