// libFuzzer harness: the input is a job file (INI). parse_sweep_command reads it as `--job FILE
// --dry-run` would, through the job-key table, then the canonical job text is generated from the
// parsed job as every results file stores it. ricci::Error is the expected answer to bad input;
// anything else escaping (another exception, a crash, ASan/UBSan) is a finding.
#include <cstdint>

#include "fuzz_support.hpp"
#include "ricci-sweep/job_file.hpp"
#include "ricci-sweep/job_keys.hpp"
#include "ricci/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ricci::fuzz::ScratchFile file("job.ini");
  const std::string& path = file.write(data, size);
  try {
    const auto command = ricci::sweep_app::parse_sweep_command({"--job", path, "--dry-run"});
    const std::string text = ricci::sweep_app::job_text(command.job, true);
    if (text.empty()) __builtin_trap();  // a parsed job always has a canonical text
  } catch (const ricci::Error&) {
  }
  return 0;
}
