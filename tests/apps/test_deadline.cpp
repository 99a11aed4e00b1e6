// ricci-sweep's deadline: --deadline as a UTC time or a duration from now, --deadline-margin,
// SLURM_JOB_END_TIME, and the default margin; times hand-computed (calendar.timegm).
#include <catch2/catch.hpp>

#include "ricci-sweep/deadline.hpp"
#include "ricci/core/error.hpp"

using namespace ricci;
using namespace ricci::sweep_app;
using Catch::Matchers::Contains;

namespace {

constexpr double now = 1795780000;  // 2026-11-27T11:46:40Z

}  // namespace

TEST_CASE("deadline: durations from now", "[apps][deadline]") {
  CHECK(parse_deadline("+3h30m", now) == now + 3 * 3600 + 30 * 60);
  CHECK(parse_deadline("+45m", now) == now + 45 * 60);
  CHECK(parse_deadline("+90s", now) == now + 90);
  CHECK(parse_deadline("+1h5m10s", now) == now + 3600 + 300 + 10);
  CHECK(parse_deadline("+600", now) == now + 600);
}

TEST_CASE("deadline: UTC times", "[apps][deadline]") {
  CHECK(parse_deadline("2026-11-27T14:00:00Z", now) == 1795788000);
  CHECK(parse_deadline("2026-11-27T14:00Z", now) == 1795788000);
  CHECK(parse_deadline("2026-11-27T14:00:30", now) == 1795788030);
}

TEST_CASE("deadline: bad values are one error naming the value", "[apps][deadline]") {
  for (const std::string bad : {"+", "+0s", "+3x", "+30m3h", "+3h3h", "tomorrow", "",
                                "2026-02-31T00:00:00Z", "2026-11-27T25:00:00Z", "2026-11-27"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_deadline(bad, now), Contains("'" + bad + "'"));
  }
  CHECK_THROWS_WITH(parse_deadline("2026-11-27T10:00:00Z", now), Contains("already passed"));
}

TEST_CASE("deadline: margins and SLURM_JOB_END_TIME", "[apps][deadline]") {
  CHECK(parse_duration("120", "--deadline-margin") == 120);
  CHECK(parse_duration("5m", "--deadline-margin") == 300);
  CHECK_THROWS_WITH(parse_duration("5 m", "--deadline-margin"),
                    Contains("--deadline-margin '5 m'"));
  CHECK(default_deadline_margin(now + 3600, now) == 72);  // 2% of an hour
  CHECK(default_deadline_margin(now + 1000, now) == 60);  // at least a minute
  CHECK(parse_slurm_end_time("1795788000") == 1795788000);
  CHECK_THROWS_WITH(parse_slurm_end_time("12x"), Contains("SLURM_JOB_END_TIME '12x'"));
  CHECK(*effective_deadline("+10m", "1795788000", now) == now + 600);  // --deadline wins
  CHECK(*effective_deadline("", "1795788000", now) == 1795788000);
  CHECK_FALSE(effective_deadline("", nullptr, now).has_value());
  CHECK_FALSE(effective_deadline("", "", now).has_value());
}
