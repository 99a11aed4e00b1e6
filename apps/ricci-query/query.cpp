#include "query.hpp"

#include <boost/program_options/errors.hpp>
#include <exception>

#include "ricci/core/error.hpp"

namespace ricci::query {

namespace {

constexpr const char* usage =
    "usage: ricci-query SUBCOMMAND FILE.h5 [options]\n"
    "subcommands:\n"
    "  summary      per (problem, architecture, depth): pooled coefficient per k, k*, per-run rho "
    "at k*, totals\n"
    "  runs         one row per run: identity, status, accuracies, rho and z at every k (--where "
    "KEY=VALUE)\n"
    "  layers       one stored run per layer: edges, components, g, Ric, eta (--run ID [--k K])\n"
    "  association  OLS of test accuracy on z at k* with problem/architecture/depth dummies; "
    "Spearman\n"
    "  controls     trained runs against their untrained controls per group and k: means, paired "
    "t-test\n"
    "  dynamics     the geometry during training: per snapshot epoch, loss, accuracy and rho "
    "(--run ID, or per group)\n"
    "  analyze      geometry and Ricci coefficients of an activation stack (a file's layer_NN, or "
    "--run ID)\n"
    "  local        per group and notion: mean local coefficient, share < 0, undefined points "
    "(--k K --curvature LIST --group COLUMNS)\n"
    "  layers-profile  per group and notion: layer coefficients rho(t) by depth, averaged over "
    "runs\n"
    "  validate     check a results file against the results schema (exit 3 when it is not valid)\n"
    "  provenance   builds, library versions, data files (SHA-256), times and sessions that "
    "wrote the file\n"
    "  attempts     the attempts table: every recorded attempt of each run (--run ID): where, "
    "when, outcome, message\n"
    "  status       a sweep's progress, also while it runs: committed counts per problem, and the "
    "live status file's rate, ETA and deadline\n"
    "  schema       print the results schema (results_schema/layout.json) as JSON; takes no file\n"
    "  merge        merge OUT.h5 SHARD.h5...: shard files (ricci-sweep --shard i/n) as one "
    "results file (--force replaces OUT)\n"
    "every subcommand takes --format table|csv|json\n"
    "run 'ricci-query SUBCOMMAND --help' for a subcommand's options\n";

}  // namespace

int run_query(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << usage;
    return args.empty() ? exit_bad_input : exit_ok;
  }
  const std::string& subcommand = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (subcommand == "analyze") return analyze_command(rest, out, err);
    if (subcommand == "summary") return summary_command(rest, out);
    if (subcommand == "runs") return runs_command(rest, out);
    if (subcommand == "layers") return layers_command(rest, out);
    if (subcommand == "association") return association_command(rest, out);
    if (subcommand == "controls") return controls_command(rest, out);
    if (subcommand == "dynamics") return dynamics_command(rest, out);
    if (subcommand == "local") return local_command(rest, out);
    if (subcommand == "layers-profile") return layers_profile_command(rest, out);
    if (subcommand == "validate") return validate_command(rest, out);
    if (subcommand == "status") return status_command(rest, out);
    if (subcommand == "schema") return schema_command(rest, out);
    if (subcommand == "merge") return merge_command(rest, out);
    if (subcommand == "provenance") return provenance_command(rest, out);
    if (subcommand == "attempts") return attempts_command(rest, out);
    err << "ricci-query: unknown subcommand '" << subcommand << "' (run 'ricci-query --help')\n";
    return exit_bad_input;
  } catch (const Error& e) {
    err << "ricci-query " << subcommand << ": " << e.what() << "\n";
    return exit_bad_input;
  } catch (const boost::program_options::error& e) {
    err << "ricci-query " << subcommand << ": [cli] " << e.what() << "\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    err << "ricci-query " << subcommand << ": internal error: " << e.what() << "\n";
    return exit_internal;
  }
}

}  // namespace ricci::query
