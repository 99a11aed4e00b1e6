#pragma once
// A run's status in a results file (/runs/status). Written last, so a set status means every other
// value of the run is on disk.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ricci::io {

enum class RunStatus : std::int8_t { pending = 0, done = 1, failed = 2 };

// "pending", "done", "failed".
std::string_view run_status_name(RunStatus status);
// The status a stored code stands for; nullopt for a code no writer produces.
std::optional<RunStatus> run_status_from_code(std::int64_t code);

}  // namespace ricci::io
