// ricci-query local FILE.h5 [--k K] [--curvature LIST] [--group problem,architecture,depth]
//                    [--format table|csv|json]
// ricci-query layers-profile FILE.h5 (the same options)
//
// The follow-up's local coefficients as a sweep stored them (/local, docs/method.md §4
// "Follow-up coefficients"), averaged over the done runs of each group: `local` gives per notion
// the mean of the runs' local mean coefficient and of their negative shares, with the runs and the
// undefined points behind them; `layers-profile` gives the layer coefficients rho(t) by transition
// (depth), each averaged over the runs where it is defined. A run enters a notion's averages at a
// k only where the notion was computed there (geometry.ollivier_k).
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

#include "cli_util.hpp"
#include "query.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

// What both subcommands select: the k values, the notions (positions on the file's notion axis)
// and the identity columns that form a group.
struct Selection {
  std::optional<index_t> k;
  std::vector<std::size_t> notions;
  // "problem", "architecture", "depth", "training", in the order given. Without "training" the
  // untrained controls are left out (they are not the trained groups' runs).
  std::vector<std::string> group_by;
};

// problem, architecture, depth, and "training" (trained or untrained) when the file holds untrained
// controls: the follow-up's comparison of trained networks with their initial state.
std::string default_groups(const io::ResultsTable& t) {
  for (std::size_t run = 0; run < t.runs; ++run)
    if (t.untrained(run)) return "problem,architecture,depth,training";
  return "problem,architecture,depth";
}

Selection parse_selection(const io::ResultsTable& t, const std::string& k_text,
                          const std::string& curvature_text, const std::string& group_text) {
  require_local_coefficients(t);
  Selection out;
  if (!k_text.empty()) {
    const long long k = cli::parse_integer(k_text, "--k");
    bool found = false;
    for (std::size_t run = 0; run < t.runs && !found; ++run)
      found = t.k_slot_of(run, static_cast<index_t>(k)).has_value();
    if (!found) throw Error("cli", "--k " + k_text + ": no run of '" + t.path + "' has this k");
    out.k = static_cast<index_t>(k);
  }
  if (curvature_text.empty()) {
    for (std::size_t c = 0; c < t.notions.size(); ++c) out.notions.push_back(c);
  } else {
    for (const std::string& name : cli::parse_name_list(curvature_text, "--curvature"))
      out.notions.push_back(notion_position(t, name));
  }
  out.group_by =
      cli::parse_name_list(group_text.empty() ? default_groups(t) : group_text, "--group");
  for (const std::string& key : out.group_by)
    cli::require_one_of("group", key, {"problem", "architecture", "depth", "training"});
  return out;
}

// The group of a run: its values of the group-by columns, in order.
std::vector<std::string> group_of(const io::ResultsTable& t, const Selection& s, std::size_t run) {
  std::vector<std::string> out;
  for (const std::string& key : s.group_by)
    out.push_back(key == "depth"      ? std::to_string(t.integers("/runs/depth")[run])
                  : key == "training" ? std::string(t.untrained(run) ? "untrained" : "trained")
                                      : t.strings("/runs/" + key)[run]);
  return out;
}

// Every (group, k, notion) the selection covers, each with the (run, slot) pairs where the notion
// was computed, in first-seen order of groups and ascending k.
struct Cohort {
  std::vector<std::string> group;
  index_t k = 0;
  std::size_t notion = 0;
  std::vector<std::pair<std::size_t, std::size_t>> members;  // (run, slot)
};

std::vector<Cohort> cohorts(const io::ResultsTable& t, const Selection& s) {
  const bool by_training =
      std::find(s.group_by.begin(), s.group_by.end(), "training") != s.group_by.end();
  std::vector<std::vector<std::string>> groups;
  std::map<std::tuple<std::size_t, index_t, std::size_t>, Cohort> found;
  for (std::size_t run = 0; run < t.runs; ++run) {
    if (!t.is_done(run) || (t.untrained(run) && !by_training)) continue;
    const auto group = group_of(t, s, run);
    auto position = std::find(groups.begin(), groups.end(), group);
    if (position == groups.end()) position = groups.insert(groups.end(), group);
    const auto g = static_cast<std::size_t>(position - groups.begin());
    const auto ks = t.k_values(run);
    for (std::size_t slot = 0; slot < ks.size(); ++slot) {
      if (s.k && ks[slot] != *s.k) continue;
      for (std::size_t notion : s.notions) {
        if (!t.has_notion(run, slot, notion)) continue;
        Cohort& cohort = found[{g, ks[slot], notion}];
        cohort.group = group;
        cohort.k = ks[slot];
        cohort.notion = notion;
        cohort.members.emplace_back(run, slot);
      }
    }
  }
  std::vector<Cohort> out;
  for (auto& [key, cohort] : found) out.push_back(std::move(cohort));
  return out;
}

std::string notion_name(const io::ResultsTable& t, std::size_t notion) {
  return std::string(geometry::curvature_notion_name(t.notions[notion]));
}

// The mean of the finite values; NaN (printed empty / null) when there are none.
struct Mean {
  double sum = 0;
  std::size_t count = 0;
  void add(double value) {
    if (std::isfinite(value)) sum += value, ++count;
  }
  double value() const { return count ? sum / static_cast<double>(count) : NAN; }
};

std::vector<std::string> header(const Selection& s, std::initializer_list<const char*> rest) {
  std::vector<std::string> out = s.group_by;
  for (const char* column : rest) out.emplace_back(column);
  return out;
}

std::vector<Cell> group_cells(const Selection& s, const Cohort& cohort) {
  std::vector<Cell> out;
  for (std::size_t i = 0; i < s.group_by.size(); ++i)
    out.push_back(s.group_by[i] == "depth" ? Cell(std::stoll(cohort.group[i]))
                                           : Cell(cohort.group[i]));
  return out;
}

Json group_json(const Selection& s, const Cohort& cohort) {
  Json out = Json::object();
  for (std::size_t i = 0; i < s.group_by.size(); ++i)
    out[s.group_by[i]] =
        s.group_by[i] == "depth" ? Json(std::stoll(cohort.group[i])) : Json(cohort.group[i]);
  return out;
}

// The table, its CSV, or the JSON of both subcommands: the file, its layer list, the grouping and
// the groups.
void print(std::ostream& out, Format format, const Table& table, const io::ResultsTable& t,
           const Selection& s, const Json& groups) {
  switch (format) {
    case Format::json:
      out << Json{{"file", t.path},
                  {"layer_list", t.all_layers ? "all" : "hidden"},
                  {"group_by", s.group_by},
                  {"groups", groups}}
                 .dump()
          << "\n";
      break;
    case Format::csv:
      print_csv(out, table);
      break;
    case Format::table:
      print_text_table(out, table);
      break;
  }
}

struct Parsed {
  SubcommandOptions options;
  std::string k_text, curvature_text, group_text;
  explicit Parsed(const std::string& caption) : options(caption) {
    options.add()("k", po::value(&k_text), "one k value (default: every k of the runs)")(
        "curvature", po::value(&curvature_text),
        "notions, comma-separated (default: every notion of the file)")(
        "group", po::value(&group_text),
        "the columns that form a group: problem, architecture, depth, training (trained or "
        "untrained; without it the untrained controls are left out) (default: problem, "
        "architecture, depth, and training when the file holds untrained controls)");
  }
};

}  // namespace

int local_command(const std::vector<std::string>& args, std::ostream& out) {
  Parsed parsed("ricci-query local FILE.h5 options");
  if (!parsed.options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(parsed.options.path);
  const Selection s = parse_selection(t, parsed.k_text, parsed.curvature_text, parsed.group_text);
  Table table{header(s, {"k", "notion", "runs", "runs_defined", "mean_local_rho",
                         "mean_negative_share", "undefined_points", "unreachable_points"}),
              {}};
  Json groups = Json::array();
  for (const Cohort& cohort : cohorts(t, s)) {
    Mean mean, share;
    double undefined = 0, unreachable = 0;
    for (const auto& [run, slot] : cohort.members) {
      mean.add(t.notion_value("/local/mean", run, slot, cohort.notion));
      share.add(t.notion_value("/local/negative_share", run, slot, cohort.notion));
      undefined += t.notion_value("/local/undefined", run, slot, cohort.notion);
      unreachable += t.notion_value("/local/unreachable", run, slot, cohort.notion);
    }
    std::vector<Cell> row = group_cells(s, cohort);
    const std::vector<Cell> values{static_cast<long long>(cohort.k),
                                   notion_name(t, cohort.notion),
                                   static_cast<long long>(cohort.members.size()),
                                   static_cast<long long>(mean.count),
                                   mean.value(),
                                   share.value(),
                                   whole_or_real(undefined),
                                   whole_or_real(unreachable)};
    row.insert(row.end(), values.begin(), values.end());
    table.rows.push_back(std::move(row));
    Json entry = group_json(s, cohort);
    entry.update({{"k", cohort.k},
                  {"notion", notion_name(t, cohort.notion)},
                  {"runs", cohort.members.size()},
                  {"runs_defined", mean.count},
                  {"mean_local_rho", number_or_null(mean.value())},
                  {"mean_negative_share", number_or_null(share.value())},
                  {"undefined_points", number_or_null(undefined)},
                  {"unreachable_points", number_or_null(unreachable)}});
    groups.push_back(std::move(entry));
  }
  print(out, parsed.options.format, table, t, s, groups);
  return exit_ok;
}

int layers_profile_command(const std::vector<std::string>& args, std::ostream& out) {
  Parsed parsed("ricci-query layers-profile FILE.h5 options");
  if (!parsed.options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(parsed.options.path);
  const Selection s = parse_selection(t, parsed.k_text, parsed.curvature_text, parsed.group_text);
  // Transition t starts at list layer t: layer_00 (the inputs) under layer_list all.
  Table table{header(s, {"k", "notion", "transition", "from_layer", "runs", "mean_layer_rho"}), {}};
  Json groups = Json::array();
  for (const Cohort& cohort : cohorts(t, s)) {
    std::vector<Mean> by_transition;
    for (const auto& [run, slot] : cohort.members) {
      const auto rho = t.list_layers_of("/local/layer_rho", run, slot, cohort.notion);
      // The list's last layer starts no transition.
      const std::size_t transitions = rho.empty() ? 0 : rho.size() - 1;
      if (by_transition.size() < transitions) by_transition.resize(transitions);
      for (std::size_t i = 0; i < transitions; ++i) by_transition[i].add(rho[i]);
    }
    Json profile = Json::array();
    for (std::size_t i = 0; i < by_transition.size(); ++i) {
      const long long from = static_cast<long long>(i) + (t.all_layers ? 0 : 1);
      std::vector<Cell> row = group_cells(s, cohort);
      const std::vector<Cell> values{static_cast<long long>(cohort.k),
                                     notion_name(t, cohort.notion),
                                     static_cast<long long>(i),
                                     from,
                                     static_cast<long long>(by_transition[i].count),
                                     by_transition[i].value()};
      row.insert(row.end(), values.begin(), values.end());
      table.rows.push_back(std::move(row));
      profile.push_back({{"transition", i},
                         {"from_layer", from},
                         {"runs", by_transition[i].count},
                         {"mean_layer_rho", number_or_null(by_transition[i].value())}});
    }
    Json entry = group_json(s, cohort);
    entry.update({{"k", cohort.k},
                  {"notion", notion_name(t, cohort.notion)},
                  {"runs", cohort.members.size()},
                  {"profile", profile}});
    groups.push_back(std::move(entry));
  }
  print(out, parsed.options.format, table, t, s, groups);
  return exit_ok;
}

}  // namespace ricci::query
