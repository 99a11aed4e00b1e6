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

// "10,20,30" or "6-10,15": integers >= minimum and inclusive ranges, no duplicates. Throws
// ricci::Error("cli", ...) naming the bad token.
std::vector<long long> parse_integer_list(const std::string& text, const std::string& what,
                                          long long minimum);
// The same for indices (minimum 1): k lists.
std::vector<index_t> parse_index_list(const std::string& text, const std::string& what);

// true/false, yes/no, on/off, 1/0.
bool parse_bool(const std::string& text, const std::string& what);
double parse_double(const std::string& text, const std::string& what);
long long parse_integer(const std::string& text, const std::string& what);
// Comma-separated, trimmed, non-empty items.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& what);

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
