#pragma once
// When the sweep must stop handing out runs: the allocation's end (SLURM_JOB_END_TIME, set by
// SLURM >= 21.08 inside a job, or --deadline) less a safety margin (--deadline-margin).
#include <optional>
#include <string>

namespace ricci::sweep_app {

// --deadline: an ISO-8601 UTC time ("2026-11-27T14:00:00Z", "2026-11-27T14:00Z"; the Z may be
// left out, the time is UTC either way) or a duration from `now` ("+3h30m", "+45m", "+90s",
// "+1h"). Returns Unix seconds. Throws ricci::Error("job", ...) naming the value.
double parse_deadline(const std::string& text, double now);

// A duration "3h30m", "45m", "90s", "1h5m10s" or a plain number of seconds ("120"), as seconds.
// Throws ricci::Error("job", ...) naming `what` and the value.
double parse_duration(const std::string& text, const std::string& what);

// SLURM_JOB_END_TIME's value: Unix seconds. Throws ricci::Error("job", ...) naming the variable.
double parse_slurm_end_time(const std::string& text);

// The default margin: 2% of the time left at the start, at least 60 s. The 60 s cover closing the
// file and MPI_Finalize; the 2% a run that takes longer than any run of its group did so far.
double default_deadline_margin(double deadline, double now);

// The deadline in force: --deadline when given, else SLURM_JOB_END_TIME when set (`slurm_end`),
// else none.
std::optional<double> effective_deadline(const std::string& deadline_option, const char* slurm_end,
                                         double now);

}  // namespace ricci::sweep_app
