// ricci-query dynamics FILE.h5 [--run ID] [--format table|csv|json]: the geometry during training
// ([geometry] snapshot_epochs; docs/method.md §6). With --run: one row per snapshot of the run,
// its epoch, training and test loss and accuracy, and at every k the Ricci coefficient (Forman,
// as /flow) and each notion's global coefficient and mean local coefficient. Without:
// per (problem, architecture, depth) and epoch, the mean of the same over the group's done trained
// runs (a mean coefficient over the runs where it is defined).
#include <cmath>
#include <algorithm>
#include <map>
#include <tuple>

#include "query.hpp"
#include "ricci/analysis/statistics.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

constexpr const char* state_columns[] = {"train_loss", "train_accuracy", "test_loss",
                                         "test_accuracy"};

// One row: a run's snapshot, or a group's epoch averaged over its runs.
struct DynamicsRow {
  std::string problem, architecture;
  long long depth = 0, run = -1, runs = 1, epoch = 0;
  std::vector<double> state;  // state_columns' values
  std::vector<double> rho;    // per k of `ks`
  // Per notion of the file, per k of `ks`: the global coefficient and the mean local coefficient.
  std::vector<std::vector<double>> notion_rho, local_mean;
};

// The name of a per-notion column: "rho_augmented-forman_k50", "local_forman_k50".
std::string notion_column(const char* what, geometry::CurvatureNotion notion, index_t k) {
  return std::string(what) + "_" + std::string(geometry::curvature_notion_name(notion)) + "_k" +
         std::to_string(k);
}

Table dynamics_table(const std::vector<DynamicsRow>& rows, const std::vector<index_t>& ks,
                     const std::vector<geometry::CurvatureNotion>& notions, bool per_run) {
  Table table{{"problem", "architecture", "depth", per_run ? "run" : "runs", "epoch"}, {}};
  for (const char* name : state_columns) table.columns.push_back(name);
  for (index_t k : ks) table.columns.push_back("rho_k" + std::to_string(k));
  for (const char* what : {"rho", "local"})
    for (auto notion : notions)
      for (index_t k : ks) table.columns.push_back(notion_column(what, notion, k));
  for (const DynamicsRow& row : rows) {
    std::vector<Cell>& cells = table.rows.emplace_back();
    cells.reserve(5 + row.state.size() + row.rho.size());
    cells.emplace_back(row.problem);
    cells.emplace_back(row.architecture);
    cells.emplace_back(row.depth);
    cells.emplace_back(per_run ? row.run : row.runs);
    cells.emplace_back(row.epoch);
    for (double value : row.state) cells.emplace_back(value);
    for (double value : row.rho) cells.emplace_back(value);
    for (const auto* values : {&row.notion_rho, &row.local_mean})
      for (const auto& per_k : *values)
        for (double value : per_k) cells.emplace_back(value);
  }
  return table;
}

}  // namespace

int dynamics_command(const std::vector<std::string>& args, std::ostream& out) {
  long long id = -1;
  SubcommandOptions options("ricci-query dynamics FILE.h5 options");
  options.add()("run", po::value(&id), "one run (default: every group, averaged over its runs)");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(options.path);
  if (t.schema_version < io::snapshots_since_version)
    throw Error("cli", "'" + t.path + "' is schema version " + std::to_string(t.schema_version) +
                           ": snapshots came with version " +
                           std::to_string(io::snapshots_since_version));
  const auto& epoch = t.integers("/snapshots/epoch");
  const auto snapshots_of = [&](std::size_t run) {
    std::vector<std::size_t> out_snapshots;
    for (std::size_t s = 0; s < t.snapshots; ++s)
      if (epoch[t.snapshot_index(run, s)] >= 0) out_snapshots.push_back(s);
    return out_snapshots;
  };
  const auto state_of = [&](std::size_t run, std::size_t s) {
    std::vector<double> values;
    for (const char* name : state_columns)
      values.push_back(t.reals(std::string("/snapshots/") + name)[t.snapshot_index(run, s)]);
    return values;
  };

  std::vector<index_t> ks;
  std::vector<DynamicsRow> rows;
  const bool per_run = options.given("run");
  if (per_run) {
    const std::size_t run = done_run(t, id);
    ks = t.k_values(run);
    for (std::size_t s : snapshots_of(run)) {
      DynamicsRow row{t.strings("/runs/problem")[run],
                      t.strings("/runs/architecture")[run],
                      t.integers("/runs/depth")[run],
                      id,
                      1,
                      epoch[t.snapshot_index(run, s)],
                      state_of(run, s),
                      {},
                      {},
                      {}};
      for (std::size_t slot = 0; slot < ks.size(); ++slot)
        row.rho.push_back(t.reals("/snapshots/rho")[t.snapshot_index(run, s, slot)]);
      for (std::size_t n = 0; n < t.notions.size(); ++n) {
        auto& rho = row.notion_rho.emplace_back();
        auto& local = row.local_mean.emplace_back();
        for (std::size_t slot = 0; slot < ks.size(); ++slot) {
          rho.push_back(t.reals("/snapshots/notion_rho")[t.snapshot_index(run, s, slot, n)]);
          local.push_back(t.reals("/snapshots/local_mean")[t.snapshot_index(run, s, slot, n)]);
        }
      }
      rows.push_back(std::move(row));
    }
    if (rows.empty())
      throw Error("cli", "run " + std::to_string(id) +
                             " has no snapshot (the job set no [geometry] snapshot_epochs)");
  } else {
    // Groups in order of first appearance; within one, epochs ascending -> (run, snapshot).
    using Group = std::tuple<std::string, std::string, long long>;
    std::vector<Group> groups;
    std::vector<std::map<long long, std::vector<std::pair<std::size_t, std::size_t>>>> members;
    for (std::size_t run = 0; run < t.runs; ++run) {
      if (!t.is_done(run) || t.untrained(run)) continue;
      for (index_t k : t.k_values(run))
        if (std::find(ks.begin(), ks.end(), k) == ks.end()) ks.push_back(k);
      const Group group{t.strings("/runs/problem")[run], t.strings("/runs/architecture")[run],
                        t.integers("/runs/depth")[run]};
      auto found = std::find(groups.begin(), groups.end(), group);
      if (found == groups.end()) {
        groups.push_back(group);
        members.emplace_back();
        found = groups.end() - 1;
      }
      auto& by_epoch = members[static_cast<std::size_t>(found - groups.begin())];
      for (std::size_t s : snapshots_of(run))
        by_epoch[epoch[t.snapshot_index(run, s)]].emplace_back(run, s);
    }
    std::sort(ks.begin(), ks.end());
    using Key = std::tuple<std::string, std::string, long long, long long>;
    std::vector<Key> order;
    std::map<Key, std::vector<std::pair<std::size_t, std::size_t>>> by_key;
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (const auto& [at, runs] : members[g]) {
        const Key key{std::get<0>(groups[g]), std::get<1>(groups[g]), std::get<2>(groups[g]), at};
        order.push_back(key);
        by_key[key] = runs;
      }
    if (order.empty())
      throw Error("cli", "'" + t.path +
                             "' has no snapshot of a done trained run (the job set no [geometry] "
                             "snapshot_epochs)");
    for (const Key& key : order) {
      const auto& runs = by_key[key];
      DynamicsRow row{std::get<0>(key),
                      std::get<1>(key),
                      std::get<2>(key),
                      -1,
                      static_cast<long long>(runs.size()),
                      std::get<3>(key),
                      {},
                      {},
                      {},
                      {}};
      for (std::size_t c = 0; c < std::size(state_columns); ++c) {
        std::vector<double> values;
        for (const auto& [run, s] : runs) values.push_back(state_of(run, s)[c]);
        row.state.push_back(analysis::mean(values));
      }
      // The mean over the group's runs where the value is defined, of cell(run, snapshot, slot).
      const auto mean_over_runs = [&](index_t k, auto cell) {
        std::vector<double> values;
        for (const auto& [run, s] : runs)
          if (const auto slot = t.k_slot_of(run, k)) {
            const double value = cell(run, s, *slot);
            if (std::isfinite(value)) values.push_back(value);
          }
        return analysis::mean(values);
      };
      for (index_t k : ks)
        row.rho.push_back(mean_over_runs(k, [&](std::size_t run, std::size_t s, std::size_t slot) {
          return t.reals("/snapshots/rho")[t.snapshot_index(run, s, slot)];
        }));
      for (std::size_t n = 0; n < t.notions.size(); ++n) {
        auto& rho = row.notion_rho.emplace_back();
        auto& local = row.local_mean.emplace_back();
        for (index_t k : ks) {
          rho.push_back(mean_over_runs(k, [&](std::size_t run, std::size_t s, std::size_t slot) {
            return t.reals("/snapshots/notion_rho")[t.snapshot_index(run, s, slot, n)];
          }));
          local.push_back(mean_over_runs(k, [&](std::size_t run, std::size_t s, std::size_t slot) {
            return t.reals("/snapshots/local_mean")[t.snapshot_index(run, s, slot, n)];
          }));
        }
      }
      rows.push_back(std::move(row));
    }
  }

  switch (options.format) {
    case Format::json: {
      Json list = Json::array();
      for (const DynamicsRow& row : rows) {
        Json item{{"problem", row.problem},
                  {"architecture", row.architecture},
                  {"depth", row.depth},
                  {per_run ? "run" : "runs", per_run ? row.run : row.runs},
                  {"epoch", row.epoch}};
        for (std::size_t c = 0; c < std::size(state_columns); ++c)
          item[state_columns[c]] = number_or_null(row.state[c]);
        Json rho = Json::array();
        for (double value : row.rho) rho.push_back(number_or_null(value));
        item["rho"] = rho;
        Json notions = Json::object();
        for (std::size_t n = 0; n < t.notions.size(); ++n) {
          Json notion_rho = Json::array(), local_mean = Json::array();
          for (double value : row.notion_rho[n]) notion_rho.push_back(number_or_null(value));
          for (double value : row.local_mean[n]) local_mean.push_back(number_or_null(value));
          notions[std::string(geometry::curvature_notion_name(t.notions[n]))] = {
              {"rho", notion_rho}, {"local_mean", local_mean}};
        }
        item["notions"] = notions;
        list.push_back(std::move(item));
      }
      out << Json{{"file", t.path}, {"k", ks}, {"rows", list}}.dump() << "\n";
      break;
    }
    case Format::csv:
      print_csv(out, dynamics_table(rows, ks, t.notions, per_run));
      break;
    case Format::table:
      out << t.path << ": the geometry during training ("
          << (per_run ? "run " + std::to_string(id)
                      : std::string("per group and epoch, means over its done trained runs"))
          << ")\n";
      print_text_table(out, dynamics_table(rows, ks, t.notions, per_run));
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
