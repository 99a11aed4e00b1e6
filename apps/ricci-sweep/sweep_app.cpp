#include "sweep_app.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <map>
#include <memory>

#include "deadline.hpp"
#include "job_file.hpp"
#include "job_keys.hpp"
#include "ricci/core/error.hpp"
#include "ricci/sweep/place.hpp"
#include "ricci/sweep/plan.hpp"
#include "ricci/sweep/reanalyze.hpp"
#include "ricci/sweep/sweep.hpp"

#ifndef RICCI_VERSION
#define RICCI_VERSION "dev"
#endif

namespace ricci::sweep_app {

namespace {

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  std::ostringstream s;
  s << std::fixed << std::setprecision(u ? 1 : 0) << bytes << " " << units[u];
  return s.str();
}

void print_plan(std::ostream& out, const SweepCommand& command, const sweep::Plan& plan) {
  const auto& job = command.job;
  out << "job " << job.name << ": " << plan.runs.size() << " runs, graph "
      << geometry::graph_rule_name(job.rule) << ", training "
      << sweep::train_mode_name(job.train.mode) << " ("
      << sweep::optimizer_name(job.train.optimizer.kind) << ", " << job.train.epochs
      << " epochs, batch " << job.train.batch_size << ")\n";
  if (!command.reanalyze.empty())
    out << "re-analysis of " << command.reanalyze
        << ": its stored activations measured again, nothing trained\n";
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const auto& run : plan.runs) ++counts[{run.identity.problem, run.identity.architecture}];
  out << "  " << std::left << std::setw(24) << "problem" << std::setw(14) << "architecture"
      << "runs\n";
  for (const auto& [key, count] : counts)
    out << "  " << std::setw(24) << key.first << std::setw(14) << key.second << count << "\n";
  for (const auto& shape : plan.shapes) {
    out << "  " << shape.problem.name << ": " << shape.n_train << " train / " << shape.n_test
        << " test points, " << shape.input_dim << " features, k =";
    for (index_t k : job.k_for(shape.problem)) out << " " << k;
    out << ", threshold " << job.problem_settings.at(shape.problem.name).threshold << "\n";
  }
  if (const auto& shard = command.sweep.shard) {
    const auto mine = plan.shard_members(*shard);
    out << "shard " << io::shard_text(*shard) << ": " << std::count(mine.begin(), mine.end(), true)
        << " of these runs\n";
  }
  out << std::right
      << "expected output size: " << bytes_text(plan.expected_bytes(job, command.sweep.shard))
      << (command.sweep.shard ? " (this shard's file)" : "") << "\n";
  out << "job keys:\n" << effective_keys(job);
}

}  // namespace

int run_sweep_command(const MpiSession& mpi, int argc, char** argv,
                      const std::function<bool()>& stop_requested, std::ostream& out,
                      std::ostream& err) {
  const int rank = mpi.rank();
  const std::vector<std::string> args(argv + 1, argv + argc);
  // Every rank parses and plans identically, so every rank reaches the same verdict on bad input;
  // only rank 0 speaks.
  auto fail = [&](const std::string& message, int code) {
    if (rank == 0) err << "ricci-sweep: " << message << "\n";
    return code;
  };
  try {
    SweepCommand command = parse_sweep_command(args);
    if (command.help) {
      if (rank == 0) out << command.help_text;
      return sweep_exit_ok;
    }
    if (command.print_keys) {
      if (rank == 0) out << keys_markdown();
      return sweep_exit_ok;
    }
    // A re-analysis: every rank reads the source (the same file, the same verdict) and derives
    // the job from the one stored in it.
    std::shared_ptr<const sweep::ReanalysisSource> source;
    if (!command.reanalyze.empty()) {
      source = std::make_shared<const sweep::ReanalysisSource>(
          sweep::open_reanalysis_source(command.reanalyze));
      command.job = reanalysis_job(command, source->job_text, command.reanalyze);
    }
    sweep::Plan plan = sweep::make_plan(command.job, sweep::probe_problems(command.job));
    if (source) sweep::require_same_runs(*source, plan);
    if (command.dry_run) {
      if (rank == 0) print_plan(out, command, plan);
      return sweep_exit_ok;
    }
    sweep::SweepOptions options = command.sweep;
    options.tool_version = RICCI_VERSION;
    options.job_text = job_text(command.job, true);
    options.job_text_without_paths = job_text(command.job, false);
    options.stop_requested = stop_requested;
    options.reanalysis = source;
    // Testing hook (tests/sweep/test_deadline_sweep.py): every run counts as taking this many
    // seconds in the cost model, so a deadline test does not depend on the machine's speed.
    if (const char* fixed = std::getenv("RICCI_SWEEP_TEST_RUN_SECONDS"))
      options.test_run_seconds = parse_duration(fixed, "RICCI_SWEEP_TEST_RUN_SECONDS");
    std::ostringstream discard;
    const auto summary =
        sweep::run_sweep(command.job, plan, options, rank == 0 ? out : discard, mpi.communicator());
    if (rank == 0) {
      if (summary.stopped_for_deadline)
        out << "[ricci-sweep] stopped for the deadline " << sweep::utc_text(options.deadline)
            << " (less a margin of " << std::lround(options.deadline_margin)
            << " s): " << summary.pending
            << " runs left, none of which is predicted to finish in time\n";
      out << "[ricci-sweep] "
          << (summary.stopped                ? "stopped on request"
              : summary.stopped_for_deadline ? "stopped for the deadline"
                                             : "finished")
          << ": " << summary.done << " done, " << summary.failed << " failed, " << summary.pending
          << " pending of " << summary.total << " runs; " << summary.ran << " run in " << std::fixed
          << std::setprecision(1) << summary.seconds << " s; results in " << command.sweep.output
          << "\n";
      if (summary.pending > 0)
        out << "[ricci-sweep] continue with: --resume (same "
            << (command.reanalyze.empty() ? "job" : "--reanalyze source, keys")
            << (command.sweep.shard ? ", --shard" : "") << " and --out)\n";
    }
    return summary.pending > 0 ? sweep_exit_stopped : sweep_exit_ok;
  } catch (const sweep::RankFailure& e) {
    // Written by the failing rank, which may be any: the others cannot know and may be waiting.
    err << "[ricci-sweep] " << e.message() << " — stopping every rank" << std::endl;
    mpi.abort_all(sweep_exit_internal);
  } catch (const Error& e) {
    return fail(e.what(), sweep_exit_bad_input);
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what(), sweep_exit_internal);
  }
}

}  // namespace ricci::sweep_app
