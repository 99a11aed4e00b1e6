// ricci-query runs FILE.h5 [--where KEY=VALUE]... [--format table|csv|json]: one row per run with
// its identity, status, accuracies, and rho and z at every k.
#include <algorithm>
#include <cmath>
#include <set>

#include "cli_util.hpp"
#include "query.hpp"
#include "ricci/analysis/summary.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

const char* status_name(std::int8_t status) {
  switch (status) {
    case 0:
      return "pending";
    case 1:
      return "done";
    case 2:
      return "failed";
    default:
      return "invalid";
  }
}

// KEY=VALUE[,VALUE...]: a run passes when its KEY equals one of the values; filters combine with
// AND. Values are stored in the form field() prints (integers without leading zeros, booleans as
// true/false), so matching a run is a string comparison.
struct Filter {
  std::string key;
  std::vector<std::string> values;
};

const std::vector<std::string> filter_keys{"id",   "problem", "architecture", "depth",
                                           "seed", "status",  "accepted"};

Filter parse_filter(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw Error("cli",
                "--where '" + text + "': expected KEY=VALUE, e.g. --where problem=synthetic-a");
  Filter filter{text.substr(0, equals),
                cli::parse_name_list(text.substr(equals + 1), "--where " + text.substr(0, equals))};
  if (std::find(filter_keys.begin(), filter_keys.end(), filter.key) == filter_keys.end())
    throw Error("cli", "--where: unknown key '" + filter.key +
                           "' (keys: id, problem, architecture, depth, seed, status, accepted)");
  if (filter.key == "status")
    for (const auto& v : filter.values)
      cli::require_one_of("--where status", v, {"pending", "done", "failed"});
  if (filter.key == "accepted")
    for (auto& v : filter.values) v = cli::parse_bool(v, "--where accepted") ? "true" : "false";
  if (filter.key == "id" || filter.key == "depth" || filter.key == "seed")
    for (auto& v : filter.values)
      v = std::to_string(cli::parse_integer(v, "--where " + filter.key));
  return filter;
}

std::string field(const io::ResultsTable& t, std::size_t run, const std::string& key) {
  if (key == "id") return std::to_string(t.id[run]);
  if (key == "problem") return t.problem[run];
  if (key == "architecture") return t.architecture[run];
  if (key == "depth") return std::to_string(t.depth[run]);
  if (key == "seed") return std::to_string(t.seed[run]);
  if (key == "status") return status_name(t.status[run]);
  return analysis::above_threshold(t, run) ? "true" : "false";
}

bool passes(const io::ResultsTable& t, std::size_t run, const std::vector<Filter>& filters) {
  return std::all_of(filters.begin(), filters.end(), [&](const Filter& f) {
    return std::find(f.values.begin(), f.values.end(), field(t, run, f.key)) != f.values.end();
  });
}

double at(const io::ResultsTable& t, const std::vector<double>& column, std::size_t run,
          index_t k) {
  const auto slot = t.slot_of(run, k);
  return slot ? column[t.slot_index(run, *slot)] : NAN;
}

}  // namespace

int runs_command(const std::vector<std::string>& args, std::ostream& out) {
  std::vector<std::string> where;
  SubcommandOptions options("ricci-query runs FILE.h5 options");
  options.add()("where", po::value(&where)->composing(),
                "KEY=VALUE[,VALUE...] filter, repeatable (keys: id, problem, architecture, depth, "
                "seed, status, accepted)");
  if (!options.parse(args, out)) return exit_ok;
  std::vector<Filter> filters;
  for (const auto& text : where) filters.push_back(parse_filter(text));

  const io::ResultsTable t = io::read_results_table(options.path);
  std::vector<std::size_t> selected;
  std::set<index_t> grid;
  for (std::size_t run = 0; run < t.runs; ++run)
    if (passes(t, run, filters)) {
      selected.push_back(run);
      for (index_t k : t.scales(run)) grid.insert(k);
    }

  if (options.format == Format::json) {
    Json rows = Json::array();
    for (std::size_t run : selected) {
      Json rho = Json::array(), z = Json::array();
      const auto scales = t.scales(run);
      for (std::size_t s = 0; s < scales.size(); ++s) {
        rho.push_back(number_or_null(t.rho[t.slot_index(run, s)]));
        z.push_back(number_or_null(t.z[t.slot_index(run, s)]));
      }
      rows.push_back({{"id", t.id[run]},
                      {"problem", t.problem[run]},
                      {"architecture", t.architecture[run]},
                      {"depth", t.depth[run]},
                      {"seed", t.seed[run]},
                      {"status", status_name(t.status[run])},
                      {"accepted", analysis::above_threshold(t, run)},
                      {"threshold", t.threshold[run]},
                      {"test_accuracy", number_or_null(t.test_accuracy[run])},
                      {"train_accuracy", number_or_null(t.train_accuracy[run])},
                      {"val_accuracy", number_or_null(t.val_accuracy[run])},
                      {"epochs", t.epochs[run]},
                      {"train_seconds", number_or_null(t.train_seconds[run])},
                      {"geometry_seconds", number_or_null(t.geometry_seconds[run])},
                      {"error", t.error[run]},
                      {"k", scales},
                      {"rho", rho},
                      {"z", z}});
    }
    out << Json{{"file", t.path}, {"runs", rows}}.dump() << "\n";
    return exit_ok;
  }

  // One column per k of the selected runs; a run without that k leaves the cell empty.
  Table table{
      {"id", "problem", "architecture", "depth", "seed", "status", "accepted", "test_accuracy",
       "train_accuracy", "val_accuracy", "epochs", "train_seconds", "geometry_seconds", "error"},
      {}};
  for (index_t k : grid) table.columns.push_back("rho_k" + std::to_string(k));
  for (index_t k : grid) table.columns.push_back("z_k" + std::to_string(k));
  for (std::size_t run : selected) {
    std::vector<Cell> row{static_cast<long long>(t.id[run]),
                          t.problem[run],
                          t.architecture[run],
                          static_cast<long long>(t.depth[run]),
                          static_cast<long long>(t.seed[run]),
                          std::string(status_name(t.status[run])),
                          std::string(analysis::above_threshold(t, run) ? "true" : "false"),
                          t.test_accuracy[run],
                          t.train_accuracy[run],
                          t.val_accuracy[run],
                          static_cast<long long>(t.epochs[run]),
                          t.train_seconds[run],
                          t.geometry_seconds[run],
                          t.error[run]};
    for (index_t k : grid) row.push_back(at(t, t.rho, run, k));
    for (index_t k : grid) row.push_back(at(t, t.z, run, k));
    table.rows.push_back(std::move(row));
  }
  if (options.format == Format::csv)
    print_csv(out, table);
  else
    print_text_table(out, table);
  return exit_ok;
}

}  // namespace ricci::query
