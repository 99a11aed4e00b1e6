#include "ricci/sweep/place.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace ricci::sweep {

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

Place this_place() {
  Place place;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) place.host = host;
  place.pid = static_cast<long>(::getpid());
  place.slurm_job_id = environment("SLURM_JOB_ID");
  const std::string restarts = environment("SLURM_RESTART_COUNT");
  int count = 0;
  const auto parsed = std::from_chars(restarts.data(), restarts.data() + restarts.size(), count);
  if (parsed.ec == std::errc() && count > 0) place.slurm_restart_count = count;
  return place;
}

double unix_seconds_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string utc_text(double unix_seconds) {
  if (!std::isfinite(unix_seconds) || unix_seconds < 0) return "";
  const auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm parts{};
  if (::gmtime_r(&whole, &parts) == nullptr) return "";
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace ricci::sweep
