// ricci-query layers FILE.h5 --run ID [--k K] [--format table|csv|json]: a stored run's geometry
// per layer at every k (or one): edges, components, unreachable pairs, g, Ric and eta.
#include <cmath>

#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

int layers_command(const std::vector<std::string>& args, std::ostream& out) {
  long long id = -1, k_wanted = -1;
  SubcommandOptions options("ricci-query layers FILE.h5 options");
  options.add()("run", po::value(&id), "run id (required)")(
      "k", po::value(&k_wanted), "one scale (default: every k of the run)");
  if (!options.parse(args, out)) return exit_ok;
  if (!options.given("run")) throw Error("cli", "--run is required (see 'ricci-query runs')");

  const io::ResultsTable t = io::read_results_table(options.path);
  const std::size_t run = done_run(t, id);
  const auto scales = t.scales(run);
  std::vector<std::size_t> slots;
  if (options.given("k")) {
    const auto slot = t.slot_of(run, static_cast<index_t>(k_wanted));
    if (!slot) {
      std::string list;
      for (index_t k : scales) list += (list.empty() ? "" : ", ") + std::to_string(k);
      throw Error("cli", "run " + std::to_string(id) + " has no k = " + std::to_string(k_wanted) +
                             " (its k: " + list +
                             "); 'ricci-query analyze --run' computes other scales");
    }
    slots.push_back(*slot);
  } else {
    for (std::size_t s = 0; s < scales.size(); ++s) slots.push_back(s);
  }

  // eta_l = g_{l+1} - g_l, the change the curvature of layer l is paired with; none for the last
  // layer.
  auto eta_of = [&](std::size_t slot) {
    const auto g = t.layers_of(t.g, run, slot), ric = t.layers_of(t.ric, run, slot);
    std::vector<double> eta, paired;
    geometry::append_eta_ric_pairs(g, ric, eta, paired);
    eta.push_back(NAN);
    return eta;
  };

  if (options.format == Format::json) {
    Json results = Json::array();
    for (std::size_t slot : slots) {
      const auto eta = eta_of(slot);
      Json layers = Json::array();
      for (std::size_t l = 0; l < eta.size(); ++l) {
        const std::size_t c = t.cell_index(run, slot, l);
        layers.push_back({{"layer", l + 1},
                          {"edges", number_or_null(t.edges[c])},
                          {"components", number_or_null(t.components[c])},
                          {"unreachable_pairs", number_or_null(t.unreachable_pairs[c])},
                          {"g", number_or_null(t.g[c])},
                          {"ric", number_or_null(t.ric[c])},
                          {"eta", number_or_null(eta[l])}});
      }
      const std::size_t i = t.slot_index(run, slot);
      results.push_back({{"k", t.k[i]},
                         {"rho", number_or_null(t.rho[i])},
                         {"z", number_or_null(t.z[i])},
                         {"layers", layers}});
    }
    out << Json{{"run", id},
                {"problem", t.problem[run]},
                {"architecture", t.architecture[run]},
                {"depth", t.depth[run]},
                {"seed", t.seed[run]},
                {"results", results}}
               .dump()
        << "\n";
    return exit_ok;
  }

  Table table{{"k", "layer", "edges", "components", "unreachable_pairs", "g", "ric", "eta", "rho"},
              {}};
  for (std::size_t slot : slots) {
    const auto eta = eta_of(slot);
    for (std::size_t l = 0; l < eta.size(); ++l) {
      const std::size_t c = t.cell_index(run, slot, l);
      auto integral = [](double v) {
        return std::isfinite(v) ? Cell(static_cast<long long>(v)) : Cell(std::string());
      };
      table.rows.push_back(
          {static_cast<long long>(t.k[t.slot_index(run, slot)]), static_cast<long long>(l + 1),
           integral(t.edges[c]), integral(t.components[c]), integral(t.unreachable_pairs[c]),
           integral(t.g[c]), integral(t.ric[c]), integral(eta[l]), t.rho[t.slot_index(run, slot)]});
    }
  }
  if (options.format == Format::csv) {
    print_csv(out, table);
  } else {
    out << t.path << " run " << id << ": " << t.problem[run] << " " << t.architecture[run]
        << " depth " << t.depth[run] << " seed " << t.seed[run] << ", test accuracy "
        << t.test_accuracy[run] << "\n";
    print_text_table(out, table);
  }
  return exit_ok;
}

}  // namespace ricci::query
