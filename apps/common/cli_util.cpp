#include "cli_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

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
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trimmed(item);
    if (item.empty()) throw Error("cli", what + ": '" + text + "' has an empty item");
    if (std::find(items.begin(), items.end(), item) != items.end())
      throw Error("cli", what + ": '" + item + "' is listed twice");
    items.push_back(item);
  }
  if (items.empty()) throw Error("cli", what + " is empty");
  return items;
}

std::vector<long long> parse_integer_list(const std::string& text, const std::string& what,
                                          long long minimum) {
  std::vector<long long> values;
  std::set<long long> seen;
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
    if (last - first > 10'000'000) throw Error("cli", what + ": range '" + token + "' is too long");
    for (long long v = first; v <= last; ++v) {
      if (!seen.insert(v).second)
        throw Error("cli", what + ": " + std::to_string(v) + " is listed twice");
      values.push_back(v);
    }
  }
  return values;
}

std::vector<index_t> parse_index_list(const std::string& text, const std::string& what) {
  std::vector<index_t> out;
  for (long long v : parse_integer_list(text, what, 1)) {
    if (v > (1LL << 30)) throw Error("cli", what + ": " + std::to_string(v) + " is too large");
    out.push_back(static_cast<index_t>(v));
  }
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
