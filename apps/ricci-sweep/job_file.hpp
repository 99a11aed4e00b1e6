#pragma once
// Job files (INI) and command-line overrides -> sweep::JobSpec. The keys, their bounds and their
// defaults are the rows of job_keys.hpp; this file finds the values and where they came from.
//
// Every key of the file can be given on the command line as --section.key VALUE, which wins over
// the file; per-problem keys are --problem.NAME.threshold, .data_dir and the synthetic problems'
// knobs .noise, .margin and .scale. Errors name the file, line and key (or "the command line").
#include <string>
#include <vector>

#include "ricci/sweep/job.hpp"
#include "ricci/sweep/sweep.hpp"

namespace ricci::sweep_app {

struct SweepCommand {
  std::string job_file;  // "" = command line only
  bool dry_run = false, help = false, print_keys = false;
  sweep::JobSpec job;
  // --out, --resume, --retry-failed, --force, --progress-seconds; the app adds the job text, the
  // tool version and the stop signal.
  sweep::SweepOptions sweep;
  std::string help_text;
};

// Parses ricci-sweep's arguments (argv without the program name). Throws ricci::Error("job", ...).
SweepCommand parse_sweep_command(const std::vector<std::string>& args);

}  // namespace ricci::sweep_app
