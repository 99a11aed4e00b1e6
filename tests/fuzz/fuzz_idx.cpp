// libFuzzer harness: the IDX loader (src/data/idx.cpp) as the sweep uses it. The first byte picks
// the entry point, the rest is file bytes (raw or gzip; read_idx gunzips transparently):
//   0: read_idx(FILE, 1), a labels file          1: read_idx(FILE, 3), an images file
//   2: an idx:IMAGES,LABELS problem through load_problem (read_idx_pair, the pixel matrix, the
//      split): the next two bytes (big-endian) are the length of the images file, the rest is the
//      labels file.
// ricci::Error is the expected answer to bad input; anything else escaping is a finding, and so is
// a loaded array whose size disagrees with its dimensions.
#include <algorithm>
#include <cstdint>

#include "fuzz_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/idx.hpp"
#include "ricci/data/problems.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_array(const ricci::data::IdxArray& array, std::size_t ndims) {
  check(array.dims.size() == ndims);
  // The dimensions' product in 128 bits: it must equal the values read.
  unsigned __int128 count = 1;
  for (std::uint32_t d : array.dims) count *= d;
  check(count == array.values.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ricci::fuzz::ScratchFile images("images-idx3-ubyte"), labels("labels-idx1-ubyte");
  if (size == 0) return 0;
  const std::uint8_t mode = data[0] % 3;
  ++data;
  --size;
  namespace rd = ricci::data;
  try {
    if (mode == 0) {
      check_array(rd::read_idx(labels.write(data, size), 1), 1);
    } else if (mode == 1) {
      check_array(rd::read_idx(images.write(data, size), 3), 3);
    } else {
      if (size < 2) return 0;
      const std::size_t split =
          std::min<std::size_t>((std::size_t{data[0]} << 8) | data[1], size - 2);
      images.write(data + 2, split);
      labels.write(data + 2 + split, size - 2 - split);
      const auto problem = rd::parse_problem("idx:" + images.path() + "," + labels.path());
      const rd::Dataset d = rd::load_problem(problem, rd::DataOptions{}, 1);
      check(d.train_x.rows() + d.test_x.rows() > 0);
    }
  } catch (const ricci::Error&) {
  }
  return 0;
}
