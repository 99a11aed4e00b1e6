#pragma once
// A run's status in a results file (/runs/status). Written last, so a set status (done or failed)
// means every other value of the run is on disk. Schema 6: `running` marks a run a worker has begun
// (with its rank, host, SLURM job and start time); it is not done, and a clean stop resets it to
// pending, so a `running` row found by --resume is a run lost with its process (node loss, kill
// -9). Schema 6 also classifies failures (/runs/failure) and logs every attempt (/attempts).
#include <cstdint>
#include <optional>
#include <string_view>

namespace ricci::io {

enum class RunStatus : std::int8_t { pending = 0, done = 1, failed = 2, running = 3 };

// "pending", "done", "failed", "running".
std::string_view run_status_name(RunStatus status);
// The status a stored code stands for; nullopt for a code no writer produces.
std::optional<RunStatus> run_status_from_code(std::int64_t code);

// Why a run failed, in a class that says whether running it again may help (/runs/failure).
// deterministic: the same seed fails the same way (divergence, bad data, a geometry error);
// transient: the machine, not the run (out of memory, an I/O error), retried automatically;
// lost: found `running` by --resume (its process ended without finishing it: node loss, kill -9).
enum class FailureClass : std::int8_t { none = 0, deterministic = 1, transient = 2, lost = 3 };
std::string_view failure_class_name(FailureClass failure);  // "none", "deterministic", ...

// What became of one attempt of a run (/attempts/outcome). running: begun and not (yet) ended.
enum class AttemptOutcome : std::int8_t {
  running = 0,
  done = 1,
  deterministic = 2,
  transient = 3,
  lost = 4,
  interrupted = 5  // a stop request abandoned it; the run went back to pending
};
std::string_view attempt_outcome_name(AttemptOutcome outcome);  // "running", "done", ...

}  // namespace ricci::io
