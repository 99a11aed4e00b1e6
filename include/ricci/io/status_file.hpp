#pragma once
// The live status file beside a results file: OUT.status.json, rewritten atomically by the sweep's
// master at each progress report and at the end (counts, rate, ETA, deadline, per-problem
// progress, slowest runs; README "Live status"). `ricci-query status` reads it. One name, here.
#include <string>

namespace ricci::io {

inline std::string status_file_path(const std::string& results_path) {
  return results_path + ".status.json";
}

}  // namespace ricci::io
