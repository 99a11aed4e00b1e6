#pragma once
// A testing hook, not a feature: RICCI_INJECT_FAULT makes chosen runs fail on purpose, so the tests
// (tests/sweep/test_failures_sweep.py) can show that lost and transient failures are recorded,
// reported and re-run. Comma-separated entries:
//   transient:ID[:TIMES]  attempts 1..TIMES (default 1) of run ID fail with a TransientError
//   deterministic:ID      every attempt of run ID fails with a ricci::Error
//   crash:ID              the worker kills itself (SIGKILL) right after marking run ID running, on
//                         the run's first attempt: what a node failure leaves in the file
// Attempts count across sessions (/runs/attempts), so a resumed run is past TIMES or the crash.
#include <string>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::sweep {

struct InjectedFault {
  enum class Kind { transient, deterministic, crash };
  Kind kind = Kind::transient;
  index_t run = 0;
  int times = 1;  // transient: the attempts that fail
};

// The faults `text` asks for; throws ricci::Error("sweep", ...) quoting a malformed entry.
std::vector<InjectedFault> parse_injected_faults(const std::string& text);
// The faults RICCI_INJECT_FAULT asks for (none when it is unset or empty).
std::vector<InjectedFault> injected_faults_from_environment();

// Throws the failure injected for `attempt` (1-based) of `run`, if any.
void throw_injected_failure(const std::vector<InjectedFault>& faults, index_t run, int attempt);
// Ends this process with SIGKILL when a crash is injected for `attempt` of `run`.
void crash_if_injected(const std::vector<InjectedFault>& faults, index_t run, int attempt);

}  // namespace ricci::sweep
