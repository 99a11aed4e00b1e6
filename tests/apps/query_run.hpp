#pragma once
// ricci-query through run_query(), the function main() calls: its exit code and both streams. The
// query tests compare them with what they expect.
#include <sstream>
#include <string>
#include <vector>

#include "ricci-query/query.hpp"

namespace ricci::test {

struct QueryOutcome {
  int code;
  std::string out, err;
};

inline QueryOutcome run_query(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = query::run_query(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace ricci::test
