#pragma once
// Small parsers shared by the command-line front ends: strings become typed values here, never in
// the library.
#include <string>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::cli {

// "10,20,30" or "6-10,15": positive integers and inclusive ranges, no duplicates. Throws
// ricci::Error("cli", ...) naming the bad token.
std::vector<index_t> parse_index_list(const std::string& text, const std::string& what);

// Throws ricci::Error("cli", ...) unless value is one of `allowed`.
void require_one_of(const std::string& option, const std::string& value,
                    const std::vector<std::string>& allowed);

}  // namespace ricci::cli
