// ricci-query controls FILE.h5 [--format table|csv|json]: trained runs against their untrained
// controls ([sweep] controls = untrained; docs/method.md §6). Per (problem, architecture, depth)
// and k: the pairs whose trained run beat its threshold and whose two coefficients are defined, the
// mean coefficient of each side and a paired t-test of trained minus untrained.
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

Json controls_json(const io::ResultsTable& t, const analysis::ControlsReport& report) {
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
          {"test", "paired t-test of trained rho minus untrained rho"},
          {"untrained_controls", report.untrained_controls},
          {"unpaired", report.unpaired},
          {"rows", rows}};
}

}  // namespace

int controls_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query controls FILE.h5 options");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(options.path);
  const analysis::ControlsReport report = analysis::compare_controls(t);
  switch (options.format) {
    case Format::json:
      out << controls_json(t, report).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, controls_table(report));
      break;
    case Format::table:
      out << t.path << ": trained runs against their untrained controls ("
          << report.untrained_controls << " controls, " << report.unpaired
          << " done runs without a done twin); pairs: trained run above its threshold, both "
             "coefficients defined (runs excluded when "
          << exclusion_rule(t) << ")\n";
      print_text_table(out, controls_table(report));
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
