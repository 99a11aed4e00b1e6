// libFuzzer harness: the shared command-line parsers of apps/common/cli_util.hpp. The first byte
// picks the parser (and the minimum of parse_integer_list), the rest is the text. ricci::Error is
// the expected answer to bad input; anything else escaping is a finding. Results are checked
// against the documented contract: integers >= minimum, no duplicates, trimmed non-empty names.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

#include "cli_util.hpp"
#include "ricci/core/error.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

template <class T>
bool distinct(const std::vector<T>& values) {
  return std::set<T>(values.begin(), values.end()).size() == values.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace cli = ricci::cli;
  try {
    switch (selector % 6) {
      case 0: {
        // Seeds take minimum 0, depths and k minimum 1; a negative minimum is allowed too.
        const long long minimum = static_cast<long long>(selector / 6) - 10;
        const auto values = cli::parse_integer_list(text, "fuzz", minimum);
        check(!values.empty() && distinct(values));
        for (long long v : values) check(v >= minimum);
        break;
      }
      case 1: {
        const auto values = cli::parse_index_list(text, "fuzz");
        check(!values.empty() && distinct(values));
        for (auto v : values) check(v >= 1);
        break;
      }
      case 2: {
        const auto names = cli::parse_name_list(text, "fuzz");
        check(!names.empty() && distinct(names));
        for (const auto& name : names) check(!name.empty() && name.find(',') == std::string::npos);
        break;
      }
      case 3:
        cli::parse_bool(text, "fuzz");
        break;
      case 4:
        cli::parse_double(text, "fuzz");
        break;
      default:
        cli::parse_integer(text, "fuzz");
        break;
    }
  } catch (const ricci::Error&) {
  }
  return 0;
}
