#pragma once
// What ricci-sweep's command-line parser throws for `args`, in full ("[job] ..."), or "(no error)":
// the job-key and re-analysis tests compare it with the message they expect.
#include <string>
#include <vector>

#include "ricci-sweep/job_file.hpp"
#include "ricci/core/error.hpp"

namespace ricci::test {

inline std::string parse_error(const std::vector<std::string>& args) {
  try {
    sweep_app::parse_sweep_command(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace ricci::test
