#include "deadline.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include "ricci/core/error.hpp"

namespace ricci::sweep_app {

namespace {

// Reads the digits at `at` as a number; false when there are none.
bool read_number(const std::string& text, std::size_t& at, long long& value) {
  const char* begin = text.data() + at;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop == begin || value < 0) return false;
  at += static_cast<std::size_t>(stop - begin);
  return true;
}

std::optional<double> duration_seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t at = 0;
  long long value = 0;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    if (!read_number(text, at, value)) return std::nullopt;
    return static_cast<double>(value);
  }
  double total = 0;
  int last_unit = -1;  // units must come in the order h, m, s, each once
  while (at < text.size()) {
    if (!read_number(text, at, value) || at >= text.size()) return std::nullopt;
    const int unit = text[at] == 'h' ? 0 : text[at] == 'm' ? 1 : text[at] == 's' ? 2 : -1;
    if (unit <= last_unit) return std::nullopt;
    last_unit = unit;
    total += static_cast<double>(value) * (unit == 0 ? 3600 : unit == 1 ? 60 : 1);
    ++at;
  }
  return total;
}

bool digits(const std::string& text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return false;
  return std::all_of(text.begin() + static_cast<long>(at),
                     text.begin() + static_cast<long>(at + count),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

int number_at(const std::string& text, std::size_t at, std::size_t count) {
  return std::stoi(text.substr(at, count));
}

// YYYY-MM-DDTHH:MM[:SS][Z] as UTC.
std::optional<double> utc_seconds(const std::string& text) {
  std::string t = text;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) t.pop_back();
  if (!(t.size() == 16 || t.size() == 19)) return std::nullopt;
  if (!digits(t, 0, 4) || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' || !digits(t, 8, 2) ||
      (t[10] != 'T' && t[10] != ' ') || !digits(t, 11, 2) || t[13] != ':' || !digits(t, 14, 2))
    return std::nullopt;
  if (t.size() == 19 && (t[16] != ':' || !digits(t, 17, 2))) return std::nullopt;
  std::tm parts{};
  parts.tm_year = number_at(t, 0, 4) - 1900;
  parts.tm_mon = number_at(t, 5, 2) - 1;
  parts.tm_mday = number_at(t, 8, 2);
  parts.tm_hour = number_at(t, 11, 2);
  parts.tm_min = number_at(t, 14, 2);
  parts.tm_sec = t.size() == 19 ? number_at(t, 17, 2) : 0;
  if (parts.tm_mon > 11 || parts.tm_mday < 1 || parts.tm_mday > 31 || parts.tm_hour > 23 ||
      parts.tm_min > 59 || parts.tm_sec > 60)
    return std::nullopt;
  const int day = parts.tm_mday, month = parts.tm_mon;
  const std::time_t seconds = ::timegm(&parts);
  // timegm normalises 31 February into March: such a date is not one.
  if (seconds == static_cast<std::time_t>(-1) || parts.tm_mday != day || parts.tm_mon != month)
    return std::nullopt;
  return static_cast<double>(seconds);
}

}  // namespace

double parse_duration(const std::string& text, const std::string& what) {
  const auto seconds = duration_seconds(text);
  if (!seconds)
    throw Error("job",
                what + " '" + text +
                    "' is not a duration (write e.g. 90s, 45m, 3h30m or a number of seconds)");
  return *seconds;
}

double parse_deadline(const std::string& text, double now) {
  if (text.starts_with("+")) {
    const auto seconds = duration_seconds(text.substr(1));
    if (seconds && *seconds > 0) return now + *seconds;
  } else if (const auto seconds = utc_seconds(text)) {
    if (*seconds <= now)
      throw Error("job", "--deadline '" + text + "' has already passed (it is a UTC time)");
    return *seconds;
  }
  throw Error("job", "--deadline '" + text +
                         "' is neither a UTC time (2026-11-27T14:00:00Z) nor a positive duration "
                         "from now (+3h30m, +45m, +90s)");
}

double parse_slurm_end_time(const std::string& text) {
  std::size_t at = 0;
  long long value = 0;
  if (!read_number(text, at, value) || at != text.size() || value <= 0)
    throw Error("job", "SLURM_JOB_END_TIME '" + text + "' is not a time in Unix seconds");
  return static_cast<double>(value);
}

double default_deadline_margin(double deadline, double now) {
  return std::max(60.0, 0.02 * std::max(0.0, deadline - now));
}

std::optional<double> effective_deadline(const std::string& deadline_option, const char* slurm_end,
                                         double now) {
  if (!deadline_option.empty()) return parse_deadline(deadline_option, now);
  if (slurm_end != nullptr && *slurm_end != '\0') return parse_slurm_end_time(slurm_end);
  return std::nullopt;
}

}  // namespace ricci::sweep_app
