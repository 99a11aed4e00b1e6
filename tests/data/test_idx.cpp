#include <zlib.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/idx.hpp"

using namespace ricci;
using namespace ricci::data;
using Catch::Matchers::Contains;

namespace {

std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> dims, std::uint8_t type = 0x08) {
  std::vector<std::uint8_t> out{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  std::size_t count = 1;
  for (auto d : dims) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(d >> s));
    count *= d;
  }
  for (std::size_t i = 0; i < count; ++i) out.push_back(static_cast<std::uint8_t>(i % 251));
  return out;
}

std::string write_raw(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const auto path = test::scratch_path(name);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string write_gz(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const auto path = test::scratch_path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

}  // namespace

TEST_CASE("IDX files read raw and gzipped", "[data][idx]") {
  const auto bytes = idx_bytes({3, 2, 2});
  for (const auto& path : {write_raw("images.idx", bytes), write_gz("images.idx.gz", bytes)}) {
    const auto a = read_idx(path, 3);
    CHECK(a.dims == std::vector<std::uint32_t>{3, 2, 2});
    REQUIRE(a.values.size() == 12);
    CHECK(a.values[11] == 11);
  }
}

TEST_CASE("IDX errors name the file and the problem", "[data][idx]") {
  SECTION("missing") {
    CHECK_THROWS_WITH(read_idx(test::scratch_path("nothere.gz"), 3),
                      Contains("nothere.gz does not exist"));
  }
  SECTION("truncated data") {
    auto bytes = idx_bytes({10, 2, 2});
    bytes.resize(bytes.size() - 5);
    CHECK_THROWS_WITH(read_idx(write_gz("short.gz", bytes), 3),
                      Contains("short.gz is truncated (expected 56 bytes, got 51)"));
  }
  SECTION("truncated header") {
    CHECK_THROWS_WITH(read_idx(write_raw("tiny.idx", {0, 0}), 3),
                      Contains("tiny.idx is truncated"));
  }
  SECTION("bad magic") {
    CHECK_THROWS_WITH(read_idx(write_raw("magic.idx", idx_bytes({2, 2, 2}, 0x0D)), 3),
                      Contains("bad magic number"));
  }
  SECTION("wrong number of dimensions") {
    CHECK_THROWS_WITH(read_idx(write_raw("labels.idx", idx_bytes({4})), 3),
                      Contains("has 1 dimensions, expected 3"));
  }
  SECTION("trailing bytes") {
    auto bytes = idx_bytes({2});
    bytes.push_back(7);
    CHECK_THROWS_WITH(read_idx(write_raw("long.idx", bytes), 1), Contains("trailing bytes"));
  }
  SECTION("corrupt gzip stream") {
    auto gz = write_gz("corrupt.gz", idx_bytes({50, 4, 4}));
    std::fstream f(gz, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    f.close();
    CHECK_THROWS_WITH(read_idx(gz, 3), Contains("corrupt.gz"));
  }
  SECTION("image and label counts differ") {
    const auto images = write_raw("i.idx", idx_bytes({5, 2, 2}));
    const auto labels = write_raw("l.idx", idx_bytes({4}));
    CHECK_THROWS_WITH(read_idx_pair(images, labels),
                      Contains("holds 5 images but l.idx holds 4 labels"));
  }
  SECTION("missing data directory") {
    CHECK_THROWS_WITH(find_idx_file("/no/such/dir", "train-images-idx3-ubyte", "mnist-1-7"),
                      Contains("mnist-1-7: data directory /no/such/dir does not exist"));
    CHECK_THROWS_WITH(find_idx_file("", "train-images-idx3-ubyte", "mnist-1-7"),
                      Contains("no data directory"));
  }
}
