#include "cli_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include "ricci/core/error.hpp"
#include "ricci/geometry/graph.hpp"

namespace ricci::cli {

namespace {

// "what: " before a message, or nothing where the caller already names the value.
std::string prefix(const std::string& what) { return what.empty() ? "" : what + ": "; }

std::string listed(const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return list;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The comma-separated items of `text`, trimmed.
std::vector<std::string> split_items(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) items.push_back(trimmed(item));
  return items;
}

// Non-empty, none twice, at least one. A hash set, not a search of the list so far: lists of 10^5
// seeds must stay linear.
std::vector<std::string> checked_items(std::vector<std::string> items, const std::string& text,
                                       const std::string& what) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (const auto& item : items) {
    if (item.empty()) throw Error("cli", what + ": '" + text + "' has an empty item");
    if (!seen.insert(item).second) throw Error("cli", what + ": '" + item + "' is listed twice");
  }
  if (items.empty()) throw Error("cli", what + " is empty");
  return items;
}

}  // namespace

long long parse_integer(const std::string& text, const std::string& what) {
  const std::string token = trimmed(text);
  long long value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end)
    throw Error("cli", prefix(what) + "'" + text + "' is not an integer");
  return value;
}

double parse_double(const std::string& text, const std::string& what) {
  const std::string token = trimmed(text);
  char* end = nullptr;
  const double value = std::strtod(token.c_str(), &end);
  if (token.empty() || *end != '\0' || !std::isfinite(value))
    throw Error("cli", prefix(what) + "'" + text + "' is not a number");
  return value;
}

bool parse_bool(const std::string& text, const std::string& what) {
  const std::string t = trimmed(text);
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  throw Error("cli", prefix(what) + "'" + text + "' is not true or false");
}

std::vector<std::string> parse_name_list(const std::string& text, const std::string& what) {
  return checked_items(split_items(text), text, what);
}

std::vector<std::string> parse_problem_list(const std::string& text, const std::string& what) {
  std::vector<std::string> items;
  const auto pieces = split_items(text);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    items.push_back(pieces[i]);
    // idx:IMAGES,LABELS holds a comma of its own: the item after "idx:IMAGES" is its labels file.
    if (pieces[i].starts_with("idx:") && pieces[i].size() > 4 && i + 1 < pieces.size() &&
        !pieces[i + 1].empty())
      items.back() += "," + pieces[++i];
  }
  return checked_items(items, text, what);
}

std::vector<IntegerRange> parse_integer_ranges(const std::string& text, const std::string& what,
                                               long long minimum) {
  std::vector<IntegerRange> ranges;
  unsigned long long items = 0;
  for (const std::string& token : parse_name_list(text, what)) {
    const std::size_t dash = token.find('-', 1);
    long long first, last;
    try {
      if (dash == std::string::npos) {
        first = last = parse_integer(token, what);
      } else {
        first = parse_integer(token.substr(0, dash), what);
        last = parse_integer(token.substr(dash + 1), what);
      }
    } catch (const Error&) {
      throw Error("cli", what + ": '" + token + "' is not " +
                             (minimum == 1 ? "a positive integer" : "an integer or a range A-B"));
    }
    if (first < minimum || last < minimum)
      throw Error("cli", what + ": '" + token + "' is not " +
                             (minimum == 1 ? "a positive integer"
                                           : "an integer >= " + std::to_string(minimum)));
    if (last < first) throw Error("cli", what + ": range '" + token + "' runs backwards");
    // In unsigned arithmetic, last - first cannot overflow for last >= first (count - 1 is
    // compared, so that a range spanning all 2^64 values cannot wrap to 0 either).
    const unsigned long long span =
        static_cast<unsigned long long>(last) - static_cast<unsigned long long>(first);
    if (span >= max_list_items || items + span + 1 > max_list_items)
      throw Error("cli", what + ": '" + token + "' makes the list longer than " +
                             std::to_string(max_list_items) + " items");
    items += span + 1;
    ranges.push_back({first, last});
  }
  // Duplicates: sorted by start, a range that begins at or before the furthest end so far
  // overlaps an earlier one (n log n in the number of ranges, never in the values they expand to).
  std::vector<IntegerRange> sorted = ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](const IntegerRange& a, const IntegerRange& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const long long reach = sorted[i - 1].last;
    if (sorted[i].first <= reach)
      throw Error("cli", what + ": " + std::to_string(sorted[i].first) + " is listed twice");
    sorted[i].last = std::max(sorted[i].last, reach);
  }
  return ranges;
}

std::vector<long long> expand(const std::vector<IntegerRange>& ranges) {
  std::vector<long long> values;
  for (const auto& range : ranges)
    // Stops at `last` before incrementing: a range ending at LLONG_MAX must not overflow.
    for (long long v = range.first;; ++v) {
      values.push_back(v);
      if (v == range.last) break;
    }
  return values;
}

std::vector<long long> parse_integer_list(const std::string& text, const std::string& what,
                                          long long minimum) {
  return expand(parse_integer_ranges(text, what, minimum));
}

std::vector<index_t> parse_index_list(const std::string& text, const std::string& what) {
  const auto ranges = parse_integer_ranges(text, what, 1);
  // Checked before expanding, so that a huge value costs nothing.
  for (const auto& range : ranges)
    if (range.last > max_index_value)
      throw Error("cli", what + ": " + std::to_string(std::max(range.first, max_index_value + 1)) +
                             " is too large");
  std::vector<index_t> out;
  for (long long v : expand(ranges)) out.push_back(static_cast<index_t>(v));
  return out;
}

void require_word(const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  throw Error("cli", "'" + value + "' is not one of: " + listed(allowed));
}

void require_one_of(const std::string& option, const std::string& value,
                    const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  throw Error("cli", "--" + option + " '" + value + "' is not one of: " + listed(allowed));
}

geometry::GraphRule graph_rule_from(const std::string& graph, const std::string& convention) {
  require_word(graph, {"union", "mutual"});
  require_word(convention, {"paper", "baptista-r"});
  if (convention == "baptista-r") {
    if (graph == "mutual")
      throw Error("cli",
                  "graph mutual conflicts with convention baptista-r, which defines its own graph");
    return geometry::GraphRule::baptista_r;
  }
  return graph == "mutual" ? geometry::GraphRule::knn_mutual : geometry::GraphRule::knn_union;
}

}  // namespace ricci::cli
