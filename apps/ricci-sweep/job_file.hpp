#pragma once
// Job files (INI) and command-line overrides -> sweep::JobSpec. The keys, their bounds and their
// defaults are the rows of job_keys.hpp; this file finds the values and where they came from.
//
// Every key of the file can be given on the command line as --section.key VALUE, which wins over
// the file; per-problem keys are --problem.NAME.threshold, .data_dir and the synthetic problems'
// knobs .noise, .margin and .scale. Errors name the file, line and key (or "the command line").
// With --reanalyze the base is the job stored in the source results file, and the file and
// command line may change only its [geometry] keys.
#include <map>
#include <string>
#include <vector>

#include "ricci/sweep/job.hpp"
#include "ricci/sweep/sweep.hpp"

namespace ricci::sweep_app {

// A job key's value and where it came from, for error messages.
struct KeySetting {
  std::string value;
  std::string where;  // "jobs/x.ini line 7" or "the command line"
};
// By key: "train.epochs", "problem.synthetic-a.threshold".
using KeySettings = std::map<std::string, KeySetting>;

struct SweepCommand {
  std::string job_file;  // "" = command line only
  // --reanalyze FILE: the job is FILE's stored job with `overrides` applied (the command line's
  // and the --job file's keys: [geometry] keys and data paths only), built by reanalysis_job.
  std::string reanalyze;
  KeySettings overrides;
  bool dry_run = false, help = false, print_keys = false;
  sweep::JobSpec job;
  // --deadline and --deadline-margin as given ("" = not given); parse_sweep_command turns them
  // (or SLURM_JOB_END_TIME) into sweep.deadline and sweep.deadline_margin.
  std::string deadline, deadline_margin;
  // --out, --resume, --redo (--retry-failed), --max-attempts, --force, --progress-seconds, the
  // deadline; the app adds the job text, the tool version and the stop signal.
  sweep::SweepOptions sweep;
  std::string redo;  // --redo's comma list, as given
  std::string help_text;
};

// Parses ricci-sweep's arguments (argv without the program name). Throws ricci::Error("job", ...).
SweepCommand parse_sweep_command(const std::vector<std::string>& args);

// The job of a re-analysis: `stored_job_text` (the source's 'job' attribute; `source` names the
// file in messages) with the command's overrides. Throws ricci::Error("job", ...) naming the key.
sweep::JobSpec reanalysis_job(const SweepCommand& command, const std::string& stored_job_text,
                              const std::string& source);

}  // namespace ricci::sweep_app
