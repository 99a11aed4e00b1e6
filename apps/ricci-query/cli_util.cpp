#include "cli_util.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "ricci/core/error.hpp"

namespace ricci::cli {

namespace {

index_t parse_positive(const std::string& token, const std::string& what) {
  long long value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end || value < 1 || value > (1LL << 30))
    throw Error("cli", what + ": '" + token + "' is not a positive integer");
  return static_cast<index_t>(value);
}

}  // namespace

std::vector<index_t> parse_index_list(const std::string& text, const std::string& what) {
  std::vector<index_t> values;
  std::set<index_t> seen;
  std::size_t start = 0;
  if (text.empty()) throw Error("cli", what + " is empty");
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string token = text.substr(start, comma - start);
    const std::size_t dash = token.find('-');
    index_t first, last;
    if (dash == std::string::npos || dash == 0) {
      first = last = parse_positive(token, what);
    } else {
      first = parse_positive(token.substr(0, dash), what);
      last = parse_positive(token.substr(dash + 1), what);
      if (last < first) throw Error("cli", what + ": range '" + token + "' runs backwards");
    }
    for (index_t v = first; v <= last; ++v) {
      if (!seen.insert(v).second) throw Error("cli", what + ": " + std::to_string(v) + " is listed twice");
      values.push_back(v);
    }
    start = comma + 1;
  }
  return values;
}

void require_one_of(const std::string& option, const std::string& value,
                    const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw Error("cli", "--" + option + " '" + value + "' is not one of: " + list);
}

}  // namespace ricci::cli
