// ricci-query layers FILE.h5 --run ID [--k K] [--format table|csv|json]: a stored run's geometry
// per layer at every k (or one): edges, components, unreachable pairs, g, Ric and eta.
#include <cmath>

#include "query.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

int layers_command(const std::vector<std::string>& args, std::ostream& out) {
  long long id = -1, k_wanted = -1;
  SubcommandOptions options("ricci-query layers FILE.h5 options");
  options.add()("run", po::value(&id), "run id (required)")("k", po::value(&k_wanted),
                                                            "one k (default: every k of the run)");
  if (!options.parse(args, out)) return exit_ok;
  if (!options.given("run")) throw Error("cli", "--run is required (see 'ricci-query runs')");

  const io::ResultsTable t = io::read_results_table(options.path);
  const std::size_t run = done_run(t, id);
  const auto k_values = t.k_values(run);
  std::vector<std::size_t> slots;
  if (options.given("k")) {
    const auto slot = t.k_slot_of(run, static_cast<index_t>(k_wanted));
    if (!slot) {
      std::string list;
      for (index_t k : k_values) list += (list.empty() ? "" : ", ") + std::to_string(k);
      throw Error("cli", "run " + std::to_string(id) + " has no k = " + std::to_string(k_wanted) +
                             " (its k: " + list +
                             "); 'ricci-query analyze --run' computes other k");
    }
    slots.push_back(*slot);
  } else {
    for (std::size_t s = 0; s < k_values.size(); ++s) slots.push_back(s);
  }

  // On layer l's row, eta_l: the change out of layer l that its curvature is paired with (none for
  // the last layer). /flow/eta is indexed by transition, so it is shown this way rather than as
  // stored; its first entry, the change from the inputs, is the row of layer 0 — not listed here.
  auto eta_of = [&](std::size_t slot) {
    const auto stored = t.eta_of(run, slot);
    std::vector<double> eta(stored.begin(), stored.end());
    eta.push_back(NAN);
    return eta;
  };

  // Every per-layer column of the schema but eta (above).
  auto per_layer = columns_over({io::Axis::runs, io::Axis::k_slots, io::Axis::layers}, &t);
  std::erase_if(per_layer, [](const io::Column* column) { return column->path == "/flow/eta"; });
  if (options.format == Format::json) {
    Json results = Json::array();
    for (std::size_t slot : slots) {
      const auto eta = eta_of(slot);
      Json layers = Json::array();
      for (std::size_t l = 0; l < eta.size(); ++l) {
        Json layer{{"layer", l + 1}};
        for (const io::Column* column : per_layer)
          layer[std::string(column->name())] = stored_json(t, *column, t.index(run, slot, l));
        layer["eta"] = number_or_null(eta[l]);
        layers.push_back(std::move(layer));
      }
      const std::size_t i = t.index(run, slot);
      results.push_back({{"k", t.integers("/flow/k")[i]},
                         {"rho", number_or_null(t.reals("/flow/rho")[i])},
                         {"z", number_or_null(t.reals("/flow/z")[i])},
                         {"layers", layers}});
    }
    out << Json{{"run", id},
                {"problem", t.strings("/runs/problem")[run]},
                {"architecture", t.strings("/runs/architecture")[run]},
                {"depth", t.integers("/runs/depth")[run]},
                {"seed", t.unsigned_integers("/runs/seed")[run]},
                {"results", results}}
               .dump()
        << "\n";
    return exit_ok;
  }

  Table table{{"k", "layer"}, {}};
  for (const io::Column* column : per_layer) table.columns.emplace_back(column->name());
  table.columns.insert(table.columns.end(), {"eta", "rho"});
  for (std::size_t slot : slots) {
    const auto eta = eta_of(slot);
    for (std::size_t l = 0; l < eta.size(); ++l) {
      std::vector<Cell> row{static_cast<long long>(t.integers("/flow/k")[t.index(run, slot)]),
                            static_cast<long long>(l + 1)};
      for (const io::Column* column : per_layer)
        row.push_back(stored_cell(t, *column, t.index(run, slot, l)));
      row.push_back(std::isfinite(eta[l]) ? whole_or_real(eta[l]) : Cell(std::string()));
      row.push_back(t.reals("/flow/rho")[t.index(run, slot)]);
      table.rows.push_back(std::move(row));
    }
  }
  if (options.format == Format::csv) {
    print_csv(out, table);
  } else {
    out << t.path << " run " << id << ": " << t.strings("/runs/problem")[run] << " "
        << t.strings("/runs/architecture")[run] << " depth " << t.integers("/runs/depth")[run]
        << " seed " << t.unsigned_integers("/runs/seed")[run] << ", test accuracy "
        << t.reals("/runs/test_accuracy")[run] << "\n";
    print_text_table(out, table);
  }
  return exit_ok;
}

}  // namespace ricci::query
