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
  }
  return "invalid";
}

std::optional<RunStatus> run_status_from_code(std::int64_t code) {
  for (auto s : {RunStatus::pending, RunStatus::done, RunStatus::failed})
    if (static_cast<std::int64_t>(s) == code) return s;
  return std::nullopt;
}

}  // namespace ricci::io
