#include "ricci/io/run_status.hpp"

namespace ricci::io {

std::string_view run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::pending:
      return "pending";
    case RunStatus::done:
      return "done";
    case RunStatus::failed:
      return "failed";
    case RunStatus::running:
      return "running";
  }
  return "invalid";
}

std::optional<RunStatus> run_status_from_code(std::int64_t code) {
  for (auto s : {RunStatus::pending, RunStatus::done, RunStatus::failed, RunStatus::running})
    if (static_cast<std::int64_t>(s) == code) return s;
  return std::nullopt;
}

std::string_view failure_class_name(FailureClass failure) {
  switch (failure) {
    case FailureClass::none:
      return "none";
    case FailureClass::deterministic:
      return "deterministic";
    case FailureClass::transient:
      return "transient";
    case FailureClass::lost:
      return "lost";
  }
  return "invalid";
}

std::string_view attempt_outcome_name(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::running:
      return "running";
    case AttemptOutcome::done:
      return "done";
    case AttemptOutcome::deterministic:
      return "deterministic";
    case AttemptOutcome::transient:
      return "transient";
    case AttemptOutcome::lost:
      return "lost";
    case AttemptOutcome::interrupted:
      return "interrupted";
  }
  return "invalid";
}

}  // namespace ricci::io
