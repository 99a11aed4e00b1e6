// libFuzzer harness: the results-file readers (src/io/results_table.cpp, results_validate.cpp),
// which every `ricci-query` subcommand goes through. The input is the raw bytes of an HDF5 file
// (seeds: small results files the sweep wrote, corpus/). read_results_table must read or refuse
// with ricci::Error; validate_results must return its list of problems (it throws only for a file
// it cannot open or a version it does not read). Anything else escaping, or a crash in our code or
// in libhdf5, is a finding.
#include <cstdint>

#include "fuzz_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/results_table.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ricci::fuzz::ScratchFile file("results.h5");
  const std::string& path = file.write(data, size);
  try {
    const auto table = ricci::io::read_results_table(path);
    // Every run's k values lie in its row; indexing them must stay inside the columns.
    for (std::size_t run = 0; run < table.runs; ++run) {
      check(table.k_values(run).size() <= table.k_slots);
      table.is_done(run);
    }
  } catch (const ricci::Error&) {
  }
  try {
    const auto validation = ricci::io::validate_results(path);
    // At most the limit, plus one line saying the listing stopped there.
    check(validation.problems.size() <= ricci::io::default_problem_limit + 1);
  } catch (const ricci::Error&) {
  }
  return 0;
}
