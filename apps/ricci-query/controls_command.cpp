// ricci-query controls FILE.h5 [--curvature NOTION] [--local] [--format table|csv|json]: trained
// runs against their untrained controls ([sweep] controls = untrained; docs/method.md §6). Per
// (problem, architecture, depth) and k: the pairs whose trained run beat its threshold and whose
// two values are defined, the mean of each side and a paired t-test of trained minus untrained. The
// value is the paper's global Forman coefficient (/flow), or with --curvature that notion's global
// coefficient, or with --local its mean local coefficient (forman unless --curvature names one).
#include "query.hpp"
#include "ricci/analysis/summary.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

Table controls_table(const analysis::ControlsReport& report) {
  Table table{{"problem", "architecture", "depth", "k", "pairs", "trained_runs", "trained_mean_rho",
               "untrained_mean_rho", "mean_difference", "t", "p"},
              {}};
  for (const auto& row : report.rows)
    table.rows.push_back(
        {row.key.problem, row.key.architecture, static_cast<long long>(row.key.depth),
         static_cast<long long>(row.k), static_cast<long long>(row.test.n),
         static_cast<long long>(row.trained_runs), row.trained_mean_rho, row.untrained_mean_rho,
         row.test.mean_difference, row.test.t, row.test.p});
  return table;
}

// The measure the options name, and its description for the output.
std::pair<analysis::ControlMeasure, std::string> control_measure(const io::ResultsTable& t,
                                                                 const std::string& curvature,
                                                                 bool local) {
  analysis::ControlMeasure measure;
  measure.local = local;
  if (local) require_local_coefficients(t);
  if (curvature.empty() && !local) return {measure, "rho (the global Forman coefficient, /flow)"};
  const std::string name = curvature.empty() ? "forman" : curvature;
  measure.notion = notion_position(t, name);
  return {measure, local ? "the mean local coefficient of " + name + " (/local/mean)"
                         : "the global coefficient of " + name + " (/notions/rho)"};
}

Json controls_json(const io::ResultsTable& t, const analysis::ControlsReport& report,
                   const std::string& measure) {
  Json rows = Json::array();
  for (const auto& row : report.rows)
    rows.push_back({{"problem", row.key.problem},
                    {"architecture", row.key.architecture},
                    {"depth", row.key.depth},
                    {"k", row.k},
                    {"pairs", row.test.n},
                    {"trained_runs", row.trained_runs},
                    {"trained", row.trained},
                    {"untrained", row.untrained},
                    {"trained_mean_rho", number_or_null(row.trained_mean_rho)},
                    {"untrained_mean_rho", number_or_null(row.untrained_mean_rho)},
                    {"mean_difference", number_or_null(row.test.mean_difference)},
                    {"t", number_or_null(row.test.t)},
                    {"p", number_or_null(row.test.p)}});
  return {{"file", t.path},
          {"graph", t.graph},
          {"excluded_by", exclusion_rule(t)},
          {"measure", measure},
          {"test", "paired t-test of trained minus untrained"},
          {"untrained_controls", report.untrained_controls},
          {"unpaired", report.unpaired},
          {"rows", rows}};
}

}  // namespace

int controls_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query controls FILE.h5 options");
  std::string curvature;
  bool local = false;
  options.add()("curvature", boost::program_options::value(&curvature),
                "compare this notion's global coefficient (default: Forman's, from /flow)")(
      "local", boost::program_options::bool_switch(&local),
      "compare the mean local coefficient (of forman, or of --curvature's notion)");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(options.path);
  const auto [measure, measure_text] = control_measure(t, curvature, local);
  const analysis::ControlsReport report = analysis::compare_controls(t, measure);
  switch (options.format) {
    case Format::json:
      out << controls_json(t, report, measure_text).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, controls_table(report));
      break;
    case Format::table:
      out << t.path << ": trained runs against their untrained controls, " << measure_text
          << " (trained_mean_rho, untrained_mean_rho: its means) (" << report.untrained_controls
          << " controls, " << report.unpaired
          << " done runs without a done twin); pairs: trained run above its threshold, both "
             "coefficients defined (runs excluded when "
          << exclusion_rule(t) << ")\n";
      print_text_table(out, controls_table(report));
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
