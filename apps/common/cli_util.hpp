#pragma once
// Small parsers shared by the command-line front ends: strings become typed values here, never in
// the library.
#include <string>
#include <vector>

#include "ricci/core/types.hpp"

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

// Throws ricci::Error("cli", ...) unless value is one of `allowed`.
void require_one_of(const std::string& option, const std::string& value,
                    const std::vector<std::string>& allowed);

}  // namespace ricci::cli
