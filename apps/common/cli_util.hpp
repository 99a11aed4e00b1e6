#pragma once
// Small parsers shared by the command-line front ends: strings become typed values here, never in
// the library.
#include <string>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::geometry {
enum class GraphRule;  // ricci/geometry/graph.hpp; declared here to keep Boost.Graph out
}

namespace ricci::cli {

// The most values an integer list may expand to; a longer one is refused, naming the token that
// crosses the bound, before anything is expanded.
inline constexpr unsigned long long max_list_items = 10'000'000;
// The largest value parse_index_list accepts.
inline constexpr long long max_index_value = 1LL << 30;

struct IntegerRange {
  long long first, last;  // inclusive, first <= last
};

// "10,20,30" or "6-10,15": integers >= minimum and inclusive ranges, no value twice, at most
// max_list_items values in all; the ranges as given, unexpanded (n log n in the number of
// tokens). Throws ricci::Error("cli", ...) naming the bad token.
std::vector<IntegerRange> parse_integer_ranges(const std::string& text, const std::string& what,
                                               long long minimum);
// Every value of the ranges, in order; a range may end at LLONG_MAX.
std::vector<long long> expand(const std::vector<IntegerRange>& ranges);
// parse_integer_ranges, expanded.
std::vector<long long> parse_integer_list(const std::string& text, const std::string& what,
                                          long long minimum);
// The same for indices (minimum 1, maximum max_index_value): k lists.
std::vector<index_t> parse_index_list(const std::string& text, const std::string& what);

// true/false, yes/no, on/off, 1/0.
bool parse_bool(const std::string& text, const std::string& what);
double parse_double(const std::string& text, const std::string& what);
long long parse_integer(const std::string& text, const std::string& what);
// Comma-separated, trimmed, non-empty items, none twice.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& what);
// A list of problem names: parse_name_list, except that idx:IMAGES,LABELS is one item (the item
// after one that starts with "idx:" is its labels file), so "idx:a.gz,b.gz,synthetic-a" is two
// problems.
std::vector<std::string> parse_problem_list(const std::string& text, const std::string& what);

// Throws ricci::Error("cli", "'VALUE' is not one of: a, b") unless value is one of `allowed`.
void require_word(const std::string& value, const std::vector<std::string>& allowed);
// The same, naming the option: "--OPTION 'VALUE' is not one of: a, b".
void require_one_of(const std::string& option, const std::string& value,
                    const std::vector<std::string>& allowed);

// The graph rule of the two keys graph (union | mutual) and convention (paper | baptista-r), as
// ricci-sweep's job keys and ricci-query analyze's options give them: baptista-r is a convention
// that defines its own graph, so it wins over union (the default, which a canonical job text
// always states) and conflicts with mutual. Throws ricci::Error("cli", ...) for a word outside
// those lists or for mutual with baptista-r.
geometry::GraphRule graph_rule_from(const std::string& graph, const std::string& convention);

}  // namespace ricci::cli
