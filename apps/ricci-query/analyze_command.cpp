// ricci-query analyze FILE.h5 [FILE.h5 ...] [--group PATH ... | --run ID ...] --k LIST
//                     [--graph union|mutual] [--convention paper|baptista-r]
//                     [--curvature LIST] [--ollivier-idleness A] [--local] [--layers hidden|all]
//                     [--nodes FILE.csv] [--progress auto|always|never] [--threads N]
//                     [--memory-limit SIZE]
//                     [--format table|csv|json]
//
// The geometry of one or several activation stacks (docs/method.md §2-§4) and, per k, the pooled
// coefficient over the stacks that are not excluded, with the scale k* it selects: the paper's
// analysis of any set of networks, without a sweep. A stack is one group of one file; every
// --group (or --run) is read from every file. Beside the paper's Forman coefficient: the global
// coefficient of every --curvature notion, and with --local the follow-up's local and layer
// coefficients (docs/method.md §4 "Follow-up coefficients"). The stacks are analysed one after
// another, each on --threads threads (default: every core this process may use); the output does
// not depend on the count.
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "analysis_options.hpp"
#include "cli_util.hpp"
#include "output.hpp"
#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/analyze_stack.hpp"
#include "ricci/io/activations.hpp"
#include "ricci/io/results_table.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

// The paper's coefficient, its pooling and k* are Forman's (docs/method.md §4): always computed.
constexpr auto forman = geometry::CurvatureNotion::forman;

// What the user asked for: the notions reported, --local, --layers (and what analyze_stack needs).
using Request = geometry::AnalysisOptions;

// One analysed stack: the file and group it was read from, and its measures.
struct AnalyzedStack {
  std::string file, group;
  const geometry::StackAnalysis& analysis;
};

bool all_layers(const Request& request) { return request.layer_list == geometry::LayerList::all; }

// g and Forman's Ric are integer counts whenever they are defined; print them as such.
Json count_or_null(double value) {
  return std::isfinite(value) ? Json(static_cast<std::int64_t>(value)) : Json(nullptr);
}

Json reason_json(geometry::CoefficientReason reason) {
  return reason == geometry::CoefficientReason::none
             ? Json(nullptr)
             : Json(std::string(geometry::reason_name(reason)));
}

std::string notion_name(geometry::CurvatureNotion notion) {
  return std::string(geometry::curvature_notion_name(notion));
}

Json local_reason_json(geometry::LocalReason reason) {
  return reason == geometry::LocalReason::none
             ? Json(nullptr)
             : Json(std::string(geometry::local_reason_name(reason)));
}

// {NOTION: {"rho", "z", "fisher", "p", "reason"}}: the global coefficient of every notion.
Json global_json(const geometry::MeasuresAtK& at_k, const Request& request) {
  Json out = Json::object();
  for (auto notion : request.notions) {
    const auto& c = at_k.coefficient(notion);
    out[notion_name(notion)] = {{"rho", number_or_null(c.rho)},
                                {"z", number_or_null(c.z)},
                                {"fisher", number_or_null(c.fisher)},
                                {"p", number_or_null(c.p)},
                                {"reason", reason_json(c.reason)}};
  }
  return out;
}

// {NOTION: {"mean", "negative_share", "defined", "undefined", ..., "layer_rho": [...]}}.
Json local_json(const geometry::MeasuresAtK& at_k, const Request& request) {
  Json out = Json::object();
  for (auto notion : request.notions) {
    const auto& l = at_k.local_of(notion);
    Json layer_rho = Json::array(), layer_reason = Json::array();
    for (std::size_t t = 0; t < l.layer_rho.size(); ++t) {
      layer_rho.push_back(number_or_null(l.layer_rho[t]));
      layer_reason.push_back(local_reason_json(l.layer_reason[t]));
    }
    out[notion_name(notion)] = {
        {"mean", number_or_null(l.mean)}, {"negative_share", number_or_null(l.negative_share)},
        {"defined", l.defined},           {"undefined", l.undefined},
        {"unreachable", l.unreachable},   {"reason", local_reason_json(l.reason)},
        {"layer_rho", layer_rho},         {"layer_reason", layer_reason}};
  }
  return out;
}

// `convention` holds the "convention" and "graph" fields every output object starts with.
Json stack_json(const geometry::StackAnalysis& stack, const Json& convention,
                const Request& request) {
  Json results = Json::array();
  for (const auto& at_k : stack.at_each_k) {
    Json per_layer = Json::array();
    for (std::size_t l = 0; l < at_k.layers.size(); ++l) {
      const auto& f = at_k.layers[l];
      Json curvature = Json::object();
      for (auto notion : request.notions)
        curvature[notion_name(notion)] = number_or_null(f.curvature_total(notion));
      per_layer.push_back({{"layer", stack.first_layer + l},
                           {"name", stack.names[l]},
                           {"edges", f.edges},
                           {"components", f.components},
                           {"unreachable_pairs", f.unreachable_pairs},
                           {"ric", count_or_null(f.curvature_total(forman))},
                           {"g", count_or_null(f.g)},
                           {"curvature", curvature}});
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
    Json result = {
        {"k", at_k.k},
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
        {"input", input},
        {"global", global_json(at_k, request)}};
    if (request.local) result["local"] = local_json(at_k, request);
    results.push_back(std::move(result));
  }
  Json out{{"n", stack.n},
           {"layers", stack.hidden_layers},
           {"layer_list", all_layers(request) ? "all" : "hidden"}};
  out.update(convention);
  out["results"] = results;
  return out;
}

Json pooled_json(const geometry::PooledAnalysis& pooled) {
  Json at_each_k = Json::array();
  for (const geometry::PooledAtK& p : pooled.at_each_k)
    at_each_k.push_back({{"k", p.k},
                         {"rho", p.rho ? number_or_null(*p.rho) : Json(nullptr)},
                         {"stacks", p.stacks}});
  return at_each_k;
}

Json analysis_json(const std::vector<AnalyzedStack>& stacks, const geometry::PooledAnalysis& pooled,
                   const Json& convention, const Request& request) {
  const Json k_star = pooled.k_star ? Json(*pooled.k_star) : Json(nullptr);
  if (stacks.size() == 1) {
    Json out = stack_json(stacks.front().analysis, convention, request);
    out["pooled"] = pooled_json(pooled);
    out["k_star"] = k_star;
    return out;
  }
  Json each = Json::array();
  for (const AnalyzedStack& stack : stacks) {
    Json one{{"file", stack.file}, {"group", stack.group}};
    one.update(stack_json(stack.analysis, convention, request));
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

void print_stack_table(std::ostream& out, const AnalyzedStack& stack, geometry::GraphRule rule,
                       const Request& request) {
  out << stack.file << " " << stack.group << ": n = " << stack.analysis.n << " points, "
      << stack.analysis.hidden_layers << " hidden layers, graph "
      << geometry::graph_rule_name(rule);
  if (all_layers(request)) out << ", layers all (layer_00, hidden layers, output)";
  if (rule == geometry::GraphRule::baptista_r)
    out << (stack.analysis.has_input ? ", inputs (layer_00) -> layer 1 included"
                                     : ", no layer_00: the inputs -> layer 1 transition is absent");
  out << "\n";
  for (const auto& at_k : stack.analysis.at_each_k) {
    const auto& c = at_k.coefficient(forman);
    out << "\nk = " << at_k.k << "   rho = " << fixed(c.rho, 4) << "   z = " << fixed(c.z, 4)
        << "   fisher = " << fixed(c.fisher, 4) << "   p = " << fixed(c.p, 4);
    if (c.reason != geometry::CoefficientReason::none)
      out << "   (" << geometry::reason_name(c.reason) << ")";
    if (const std::string excluded = exclusion_text(at_k); !excluded.empty())
      out << "\n  " << excluded;
    for (auto notion : request.notions) {
      const auto& g = at_k.coefficient(notion);
      out << "\n  global " << notion_name(notion) << ": rho = " << fixed(g.rho, 4)
          << "   z = " << fixed(g.z, 4) << "   fisher = " << fixed(g.fisher, 4)
          << "   p = " << fixed(g.p, 4);
      if (g.reason != geometry::CoefficientReason::none)
        out << "   (" << geometry::reason_name(g.reason) << ")";
    }
    if (request.local)
      for (auto notion : request.notions) {
        const auto& l = at_k.local_of(notion);
        out << "\n  local " << notion_name(notion) << ": mean rho(x) = " << fixed(l.mean, 4)
            << "   share < 0 = " << fixed(l.negative_share, 4) << "   defined = " << l.defined
            << "   undefined = " << l.undefined << " (unreachable neighbour: " << l.unreachable
            << ")";
        if (l.reason != geometry::LocalReason::none)
          out << "   (" << geometry::local_reason_name(l.reason) << ")";
      }
    // eta on layer l's row is eta_l, the change out of layer l its curvature is paired with; so
    // is rho(l), the layer coefficient of the transition out of layer l.
    out << "\n  " << std::setw(5) << "layer" << std::setw(10) << "edges" << std::setw(12)
        << "components" << std::setw(14) << "unreachable" << std::setw(12) << "Ric" << std::setw(14)
        << "g" << std::setw(12) << "eta";
    for (auto notion : request.notions) out << std::setw(22) << "Ric " + notion_name(notion);
    if (request.local)
      for (auto notion : request.notions) out << std::setw(22) << "rho(l) " + notion_name(notion);
    out << "\n";
    auto row = [&](std::size_t layer, const geometry::LayerMeasures& f, double ric, double eta,
                   std::optional<std::size_t> transition) {
      out << "  " << std::setw(5) << layer << std::setw(10) << f.edges << std::setw(12)
          << f.components << std::setw(14) << f.unreachable_pairs << std::setw(12) << fixed(ric, 0)
          << std::setw(14) << fixed(f.g, 0) << std::setw(12) << fixed(eta, 0);
      for (auto notion : request.notions)
        out << std::setw(22) << (f.curvature.empty() ? "-" : fixed(f.curvature_total(notion), 4));
      if (request.local)
        for (auto notion : request.notions) {
          // An undefined rho(l) shows its reason; the last layer starts no transition.
          const auto& l = at_k.local_of(notion);
          std::string cell = "-";
          if (transition && *transition < l.layer_rho.size())
            cell = l.layer_reason[*transition] == geometry::LocalReason::none
                       ? fixed(l.layer_rho[*transition], 4)
                       : std::string(geometry::local_reason_name(l.layer_reason[*transition]));
          out << std::setw(22) << cell;
        }
      out << "\n";
    };
    if (at_k.input) row(0, *at_k.input, NAN, at_k.eta.front(), std::nullopt);
    for (std::size_t l = 0; l < at_k.layers.size(); ++l)
      row(stack.analysis.first_layer + l, at_k.layers[l], at_k.layers[l].curvature_total(forman),
          l + 1 < at_k.eta.size() ? at_k.eta[l + 1] : NAN, l);
  }
}

void print_pooled_table(std::ostream& out, const geometry::PooledAnalysis& pooled,
                        std::size_t stacks) {
  out << "\npooled over " << stacks << " stacks (the stacks not excluded at each k)\n";
  Table table{{"k", "rho", "stacks"}, {}};
  for (const geometry::PooledAtK& p : pooled.at_each_k)
    table.rows.push_back(
        {static_cast<long long>(p.k), p.rho ? *p.rho : NAN, static_cast<long long>(p.stacks)});
  print_text_table(out, table);
  out << "k* = " << (pooled.k_star ? std::to_string(*pooled.k_star) : std::string("-")) << "\n";
}

// One row per (stack, k, layer), the stack's coefficients repeated on each row; layer 0 is the
// input layer where it was measured. Per notion: the layer's total curvature, the global
// coefficient and, with --local, the local summaries and the layer coefficient of the transition
// out of the row's layer. The pooled values are in the json and table formats.
Table measures_table(const std::vector<AnalyzedStack>& stacks, const Request& request) {
  Table table{{"k", "layer", "name", "edges", "components", "unreachable_pairs", "ric", "g", "rho",
               "z", "fisher", "p", "reason", "eta", "excluded_by"},
              {}};
  for (auto notion : request.notions)
    for (const char* field : {"curvature", "rho", "z", "fisher", "p", "reason"})
      table.columns.push_back(std::string(field) + "_" + notion_name(notion));
  if (request.local)
    for (auto notion : request.notions)
      for (const char* field :
           {"local_mean", "local_negative_share", "local_defined", "local_undefined",
            "local_unreachable", "local_reason", "layer_rho", "layer_reason"})
        table.columns.push_back(std::string(field) + "_" + notion_name(notion));
  const bool several = stacks.size() > 1;
  if (several) table.columns.insert(table.columns.begin(), {"file", "group"});
  auto text = [](geometry::CoefficientReason r) {
    return r == geometry::CoefficientReason::none ? std::string()
                                                  : std::string(geometry::reason_name(r));
  };
  auto local_text = [](geometry::LocalReason r) {
    return r == geometry::LocalReason::none ? std::string()
                                            : std::string(geometry::local_reason_name(r));
  };
  for (const AnalyzedStack& stack : stacks)
    for (const auto& at_k : stack.analysis.at_each_k) {
      const auto& c = at_k.coefficient(forman);
      auto add = [&](long long layer, const std::string& name, const geometry::LayerMeasures& f,
                     double ric, double eta, std::optional<std::size_t> transition) {
        std::vector<Cell> row;
        if (several) row = {stack.file, stack.group};
        const std::vector<Cell> values{
            static_cast<long long>(at_k.k),
            layer,
            name,
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
        for (auto notion : request.notions) {
          const auto& g = at_k.coefficient(notion);
          // The inputs' row (baptista-r) has no curvature: an empty cell, as in the table view.
          const std::vector<Cell> global{f.curvature.empty() ? NAN : f.curvature_total(notion),
                                         g.rho,
                                         g.z,
                                         g.fisher,
                                         g.p,
                                         text(g.reason)};
          row.insert(row.end(), global.begin(), global.end());
        }
        if (request.local)
          for (auto notion : request.notions) {
            const auto& l = at_k.local_of(notion);
            const bool has_rho = transition && *transition < l.layer_rho.size();
            const std::vector<Cell> local{
                l.mean,
                l.negative_share,
                static_cast<long long>(l.defined),
                static_cast<long long>(l.undefined),
                static_cast<long long>(l.unreachable),
                local_text(l.reason),
                has_rho ? l.layer_rho[*transition] : NAN,
                has_rho ? local_text(l.layer_reason[*transition]) : std::string()};
            row.insert(row.end(), local.begin(), local.end());
          }
        table.rows.push_back(std::move(row));
      };
      if (at_k.input) add(0, "layer_00", *at_k.input, NAN, at_k.eta.front(), std::nullopt);
      for (std::size_t l = 0; l < at_k.layers.size(); ++l)
        add(static_cast<long long>(stack.analysis.first_layer + l), stack.analysis.names[l],
            at_k.layers[l], at_k.layers[l].curvature_total(forman),
            l + 1 < at_k.eta.size() ? at_k.eta[l + 1] : NAN, l);
    }
  return table;
}

// A per-point value of the --nodes file: empty when undefined, "inf" for the +inf of an
// unreachable neighbour (docs/method.md §4: eta_l(x) would be infinite).
Cell node_cell(double value) {
  if (std::isinf(value)) return std::string(value > 0 ? "inf" : "-inf");
  return value;
}

// One row per (stack, k, notion, transition, point): O_l(x), eta_l(x) of the transition out of
// layer l, and rho(x) with its reason (repeated on each of x's rows).
Table nodes_table(const std::vector<AnalyzedStack>& stacks, const Request& request) {
  Table table{{"file", "group", "k", "notion", "layer", "name", "point", "scalar_curvature",
               "local_expansion", "rho", "rho_reason"},
              {}};
  for (const AnalyzedStack& stack : stacks)
    for (const auto& at_k : stack.analysis.at_each_k)
      for (auto notion : request.notions) {
        const auto& l = at_k.local_of(notion);
        for (std::size_t t = 0; t < l.scalar.size(); ++t)
          for (std::size_t x = 0; x < l.scalar[t].size(); ++x) {
            const auto reason = l.rho_reason[x];
            table.rows.push_back(
                {stack.file, stack.group, static_cast<long long>(at_k.k), notion_name(notion),
                 static_cast<long long>(stack.analysis.first_layer + t), stack.analysis.names[t],
                 static_cast<long long>(x), node_cell(l.scalar[t][x]),
                 node_cell(at_k.local_expansion[t][x]), l.rho[x],
                 reason == geometry::LocalReason::none
                     ? std::string()
                     : std::string(geometry::local_reason_name(reason))});
          }
      }
  return table;
}

// Stacks of this many points take minutes or more: auto progress reports them.
constexpr index_t progress_from_points = 5000;

}  // namespace

int analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> groups;
  std::vector<long long> run_ids;
  // The options that choose the analysis, read by the function the Python module shares.
  cli::AnalysisOptionText text;
  std::string progress = "auto", nodes_path, threads, memory_limit;
  SubcommandOptions options("ricci-query analyze FILE.h5 [FILE.h5 ...] options");
  options.accept_several_files();
  options.add()("group", po::value(&groups)->composing(),
                "group holding layer_01, layer_02, ... (and optionally layer_00, the inputs); "
                "repeat for several (default /)")(
      "run", po::value(&run_ids)->composing(),
      "a results file's run: its stored activations (instead of --group); repeat for several")(
      "k", po::value(&text.k), "k values, e.g. 10,20,30 or 6-10 (required)")(
      "graph", po::value(&text.graph)->default_value("union"), "union | mutual")(
      "convention", po::value(&text.convention)->default_value("paper"), "paper | baptista-r")(
      "curvature", po::value(&text.curvature)->default_value("forman"),
      "curvature notions, comma-separated: each gets its global coefficient (and local ones)")(
      "ollivier-idleness", po::value(&text.ollivier_idleness),
      "idleness alpha in [0, 1) of the ollivier notion's lazy measures (default 0)")(
      "local", po::bool_switch(&text.local),
      "also the follow-up's local and layer Ricci coefficients (union and mutual graphs)")(
      "layers", po::value(&text.layers)->default_value("hidden"),
      "hidden (the paper) | all (layer_00, the hidden layers and output: the follow-up)")(
      "nodes", po::value(&nodes_path),
      "with --local: write O_l(x), eta_l(x) and rho(x) per point to this new CSV file")(
      "progress", po::value(&progress)->default_value("auto"),
      "auto | always | never: one line per layer on stderr (auto: from 5000 points)")(
      "threads", po::value(&threads),
      "threads for each stack's geometry, >= 1 (default: every core this process may use); the "
      "results are the same for any count")(
      "memory-limit", po::value(&memory_limit),
      "the most memory one stack's geometry may use, e.g. 4G (default: this machine's memory); a "
      "stack whose estimate exceeds it is refused before any work, naming the estimate");
  if (!options.parse(args, out)) return exit_ok;
  if (options.given("threads")) text.threads = threads;
  if (options.given("memory-limit")) text.memory_limit = memory_limit;
  Request request = cli::analysis_options_from(text);
  cli::require_one_of("progress", progress, {"auto", "always", "never"});
  if (!groups.empty() && !run_ids.empty())
    throw Error("cli", "--run and --group both name stacks: give one kind");
  const bool reference_r = request.rule == geometry::GraphRule::baptista_r;
  if (!nodes_path.empty()) {
    if (!request.local) throw Error("cli", "--nodes writes the local coefficients: add --local");
    if (std::filesystem::exists(nodes_path))
      throw Error("cli", "--nodes '" + nodes_path + "' exists: it is never overwritten");
  }
  request.per_node = !nodes_path.empty();
  // What the output names the analysis by: the convention and the graph rule it implies.
  const Json convention_json{{"convention", text.convention},
                             {"graph", geometry::graph_rule_name(request.rule)}};

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

  std::vector<geometry::StackAnalysis> analyses;
  for (const auto& [path, group] : sources) {
    const io::ActivationStack stack = io::read_activation_stack(path, group);
    // A results file's run groups hold the hidden layers only; its own /flow values include the
    // inputs -> layer 1 transition measured from the regenerated inputs, so say where they differ.
    if (reference_r && !stack.input && !run_ids.empty())
      err << "ricci-query analyze: " << path << " " << group
          << " has no layer_00 (a sweep does not store the inputs): the inputs -> layer 1 "
             "transition is absent here, while the file's /flow values include it\n";
    // The follow-up's list needs layer_00 and output: name what this group lacks.
    if (all_layers(request) && (!stack.input || !stack.output)) {
      std::vector<std::string> missing;
      if (!stack.input) missing.push_back("layer_00");
      if (!stack.output) missing.push_back(io::output_dataset_name);
      std::string names = missing.front();
      if (missing.size() > 1) names += " and " + missing.back();
      throw Error("cli", "--layers all: group '" + group + "' of '" + path + "' has no " + names +
                             " (the list is layer_00, the hidden layers, output)");
    }
    const std::vector<geometry::LayerView> hidden = geometry::layer_views(stack.layers);
    geometry::StackLayers layers{hidden, stack.names, std::nullopt, std::nullopt};
    if (stack.input) layers.input.emplace(*stack.input);
    if (stack.output) layers.output.emplace(*stack.output);
    const auto n = static_cast<index_t>(stack.layers.front().rows());
    const bool report = progress == "always" || (progress == "auto" && n >= progress_from_points);
    const auto start = std::chrono::steady_clock::now();
    Request measure = request;
    if (report)
      measure.on_layer_done = [&, has_input = geometry::measures_input_layer(layers, request)](
                                  std::size_t done, std::size_t total) {
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        // With the inputs measured first, the first report is layer 0.
        const std::size_t layer = has_input ? done - 1 : done, last = has_input ? total - 1 : total;
        err << "ricci-query analyze: " << (sources.size() > 1 ? path + " " + group + ": " : "")
            << "layer " << layer << " of " << last << " done (" << fixed(elapsed.count(), 1)
            << " s)" << std::endl;
      };
    analyses.push_back(geometry::analyze_stack(layers, measure));
  }
  const geometry::PooledAnalysis pooled = geometry::pool_stacks(analyses);
  std::vector<AnalyzedStack> stacks;
  for (std::size_t i = 0; i < sources.size(); ++i)
    stacks.push_back({sources[i].first, sources[i].second, analyses[i]});

  if (!nodes_path.empty()) {
    // "x": created here, never replacing a file that appeared since the check above.
    std::FILE* file = std::fopen(nodes_path.c_str(), "wx");
    if (!file)
      throw Error("cli", "--nodes '" + nodes_path + "' cannot be created (it exists, or the " +
                             "directory is not writable)");
    std::fclose(file);
    std::ofstream nodes(nodes_path);
    print_csv(nodes, nodes_table(stacks, request));
    nodes.close();
    if (!nodes) throw Error("cli", "--nodes '" + nodes_path + "': writing failed");
  }

  switch (options.format) {
    case Format::json:
      out << analysis_json(stacks, pooled, convention_json, request).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, measures_table(stacks, request));
      break;
    case Format::table:
      for (std::size_t i = 0; i < stacks.size(); ++i) {
        if (i) out << "\n";
        print_stack_table(out, stacks[i], request.rule, request);
      }
      print_pooled_table(out, pooled, stacks.size());
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
