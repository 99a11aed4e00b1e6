// libFuzzer harness: io::read_activation_stack (src/io/activations.cpp), the reader of `ricci-query
// analyze`. The input is the raw bytes of an HDF5 file (seeds: small valid stacks, corpus/); the
// reader must refuse anything that is not a stack of 2-D finite floating-point layers with equal
// row counts, naming the file. ricci::Error is the expected answer; anything else escaping, a crash
// in our code or in libhdf5, or a stack that breaks that contract is a finding.
#include <cstdint>

#include "fuzz_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/activations.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ricci::fuzz::ScratchFile file("stack.h5");
  try {
    const auto stack = ricci::io::read_activation_stack(file.write(data, size));
    check(!stack.layers.empty() && stack.layers.size() == stack.names.size());
    for (const auto& layer : stack.layers) {
      check(layer.rows() == stack.layers.front().rows());
      check(layer.allFinite());
    }
  } catch (const ricci::Error&) {
  }
  return 0;
}
