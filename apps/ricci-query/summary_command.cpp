// ricci-query summary FILE.h5 [--format table|csv|json]: per (problem, architecture, depth) the
// runs, the pooled coefficient at every k, k* and the per-run aggregates at k*, then the
// paper-style totals.
#include <cmath>
#include <map>
#include <set>

#include "query.hpp"
#include "ricci/analysis/summary.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

// k* as a percentage of the group's test-set size, the unit of the paper's scale statements.
double k_star_percent(const io::ResultsTable& t, const analysis::GroupSummary& group) {
  if (!group.k_star) return NAN;
  for (std::size_t run = 0; run < t.runs; ++run)
    if (t.strings("/runs/problem")[run] == group.key.problem)
      return 100.0 * *group.k_star / static_cast<double>(t.integers("/runs/n_test")[run]);
  return NAN;
}

Json summary_json(const io::ResultsTable& t, const analysis::Summary& summary) {
  Json groups = Json::array();
  for (const auto& group : summary.groups) {
    Json pooled = Json::array();
    for (const auto& pool : group.pooled)
      pooled.push_back({{"k", pool.k},
                        {"rho", pool.rho ? Json(*pool.rho) : Json(nullptr)},
                        {"accepted", pool.accepted}});
    groups.push_back({{"problem", group.key.problem},
                      {"architecture", group.key.architecture},
                      {"depth", group.key.depth},
                      {"runs", group.runs},
                      {"done", group.done},
                      {"failed", group.failed},
                      {"pending", group.pending},
                      {"accepted", group.accepted},
                      {"pooled", pooled},
                      {"k_star", group.k_star ? Json(*group.k_star) : Json(nullptr)},
                      {"k_star_percent", number_or_null(k_star_percent(t, group))},
                      {"at_k_star",
                       {{"accepted", group.accepted_at_k_star.size()},
                        {"rho_defined", group.rho_defined},
                        {"mean_rho", number_or_null(group.mean_rho)},
                        {"median_rho", number_or_null(group.median_rho)},
                        {"negative_share", number_or_null(group.negative_share)},
                        {"runs", group.accepted_at_k_star}}}});
  }
  const auto& totals = summary.totals;
  return {{"file", t.path},
          {"graph", t.graph},
          {"excluded_by", exclusion_rule(t)},
          {"untrained_controls", summary.untrained_controls},
          {"groups", groups},
          {"totals",
           {{"below_threshold_share", number_or_null(totals.below_threshold_share)},
            {"disconnected_share", number_or_null(totals.disconnected_share)},
            // "excluded" is the general name (excluded_by says by which rule); "disconnected"
            // keeps the name of files and scripts made before baptista-r had its own rule.
            {"excluded_share", number_or_null(totals.disconnected_share)},
            {"negative_share", number_or_null(totals.negative_share)},
            {"finished", totals.finished},
            {"below_threshold", totals.below_threshold},
            {"above_threshold_with_k_star", totals.above_threshold_with_k_star},
            {"disconnected", totals.disconnected},
            {"excluded", totals.disconnected},
            {"rho_defined", totals.rho_defined},
            {"negative", totals.negative}}}};
}

// Long format for pandas: one row per group and k, the group's columns repeated.
Table summary_csv(const io::ResultsTable& t, const analysis::Summary& summary) {
  Table table{{"problem", "architecture", "depth", "runs", "done", "failed", "pending", "accepted",
               "k", "accepted_k", "pooled_rho", "is_k_star", "k_star", "k_star_percent", "mean_rho",
               "median_rho", "negative_share"},
              {}};
  for (const auto& group : summary.groups) {
    const double percent = k_star_percent(t, group);
    for (const auto& pool : group.pooled)
      table.rows.push_back(
          {group.key.problem, group.key.architecture, static_cast<long long>(group.key.depth),
           static_cast<long long>(group.runs), static_cast<long long>(group.done),
           static_cast<long long>(group.failed), static_cast<long long>(group.pending),
           static_cast<long long>(group.accepted), static_cast<long long>(pool.k),
           static_cast<long long>(pool.accepted), pool.rho ? *pool.rho : NAN,
           static_cast<long long>(group.k_star && *group.k_star == pool.k),
           group.k_star ? Cell(static_cast<long long>(*group.k_star)) : Cell(std::string()),
           percent, group.mean_rho, group.median_rho, group.negative_share});
  }
  return table;
}

std::string percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%zu of %zu (%.1f%%)", part, whole,
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

void summary_text(std::ostream& out, const io::ResultsTable& t, const analysis::Summary& summary) {
  std::size_t done = 0, failed = 0, pending = 0;
  for (const auto& g : summary.groups) {
    done += g.done;
    failed += g.failed;
    pending += g.pending;
  }
  out << t.path << ": " << t.runs << " runs in " << summary.groups.size() << " groups (" << done
      << " done, " << failed << " failed, " << pending << " pending), graph "
      << (t.graph.empty() ? "?" : t.graph) << ": runs are excluded when "
      << (exclusion_rule(t) == "reachability-changed"
              ? "reachability only shrinks or only grows at a transition (the reference R rule)"
              : "a layer is disconnected")
      << "\n";
  if (summary.untrained_controls)
    out << summary.untrained_controls
        << " untrained controls are set aside here (ricci-query controls compares them)\n";
  out << "\n";
  Table groups{{"problem", "architecture", "depth", "runs", "done", "failed", "accepted", "k*",
                "k*/n %", "at k*", "mean rho", "median rho", "rho<0"},
               {}};
  for (const auto& g : summary.groups)
    groups.rows.push_back({g.key.problem, g.key.architecture, static_cast<long long>(g.key.depth),
                           static_cast<long long>(g.runs), static_cast<long long>(g.done),
                           static_cast<long long>(g.failed), static_cast<long long>(g.accepted),
                           g.k_star ? Cell(static_cast<long long>(*g.k_star)) : Cell(std::string()),
                           k_star_percent(t, g),
                           static_cast<long long>(g.accepted_at_k_star.size()), g.mean_rho,
                           g.median_rho, g.negative_share});
  print_text_table(out, groups);

  // Pooled coefficients, one matrix per problem (its groups share a k grid): * marks k*.
  std::vector<std::string> problems;
  for (const auto& g : summary.groups)
    if (std::find(problems.begin(), problems.end(), g.key.problem) == problems.end())
      problems.push_back(g.key.problem);
  for (const auto& problem : problems) {
    std::set<index_t> grid;
    for (const auto& g : summary.groups)
      if (g.key.problem == problem)
        for (const auto& pool : g.pooled) grid.insert(pool.k);
    Table pooled{{"architecture", "depth"}, {}}, accepted{{"architecture", "depth"}, {}};
    for (index_t k : grid) {
      pooled.columns.push_back("k=" + std::to_string(k));
      accepted.columns.push_back("k=" + std::to_string(k));
    }
    for (const auto& g : summary.groups) {
      if (g.key.problem != problem) continue;
      std::vector<Cell> rho_row{g.key.architecture, static_cast<long long>(g.key.depth)},
          accepted_row = rho_row;
      for (index_t k : grid) {
        const auto pool =
            std::find_if(g.pooled.begin(), g.pooled.end(), [&](const auto& p) { return p.k == k; });
        std::string cell;
        if (pool != g.pooled.end() && pool->rho) {
          char text[32];
          std::snprintf(text, sizeof text, "%.3f%s", *pool->rho,
                        g.k_star && *g.k_star == k ? "*" : " ");
          cell = text;
        }
        rho_row.push_back(cell);
        accepted_row.push_back(pool == g.pooled.end()
                                   ? Cell(std::string())
                                   : Cell(static_cast<long long>(pool->accepted)));
      }
      pooled.rows.push_back(rho_row);
      accepted.rows.push_back(accepted_row);
    }
    out << "\n" << problem << ": pooled coefficient per k (* = k*)\n";
    print_text_table(out, pooled);
    out << problem << ": accepted runs per k (above threshold, not excluded: "
        << (exclusion_rule(t) == "reachability-changed"
                ? "reachability never only shrank or only grew at a transition"
                : "connected at every layer")
        << ")\n";
    print_text_table(out, accepted);
  }
  const auto& totals = summary.totals;
  out << "\ntotals                                   this file                 paper "
         "(docs/method.md "
         "§8)\n"
      << "  below the accuracy threshold           " << std::left << std::setw(26)
      << percent(totals.below_threshold, totals.finished) << "151 of 1,512 (9.9%)\n"
      << (exclusion_rule(t) == "reachability-changed" ? "  reachability changed at k* (R rule)   "
                                                      : "  disconnected at k* (above threshold)   ")
      << std::setw(26) << percent(totals.disconnected, totals.above_threshold_with_k_star)
      << "134 of 1,361 (9.8%)\n"
      << "  rho < 0 at k* (accepted)               " << std::setw(26)
      << percent(totals.negative, totals.rho_defined) << "1,144 of 1,227 (93.2%)\n"
      << std::right;
}

}  // namespace

int summary_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query summary FILE.h5 options");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable table = io::read_results_table(options.path);
  const analysis::Summary summary = analysis::summarize(table);
  switch (options.format) {
    case Format::json:
      out << summary_json(table, summary).dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, summary_csv(table, summary));
      break;
    case Format::table:
      summary_text(out, table, summary);
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
