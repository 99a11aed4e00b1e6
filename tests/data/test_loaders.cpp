// Hostile input to the data loaders (issue 11, defects 3, 11, 14 and 15): sizes declared in IDX
// headers are checked before anything is allocated, CSV files from spreadsheets (BOM, CRLF) load,
// and every refusal names the file and what is wrong with it.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/idx.hpp"
#include "ricci/data/problems.hpp"

using namespace ricci;
using namespace ricci::data;
using Catch::Matchers::Contains;

namespace {

// An IDX header with `payload` bytes after it (not as many as the header claims).
std::vector<std::uint8_t> idx_header(std::vector<std::uint32_t> dims, std::size_t payload) {
  std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(d >> s));
  out.resize(out.size() + payload, 7);
  return out;
}

std::string write_raw(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string write_gz(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

std::string write_text(const std::string& name, const std::string& text) {
  const auto path = test::scratch_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

Dataset load_csv(const std::string& path) {
  return load_problem(parse_problem("csv:" + path), DataOptions{}, 1);
}

// 20 points, two features, labels 0/1; `end` ends every line.
std::string csv_text(const std::string& end) {
  std::string text = "x,y,label" + end;
  for (int i = 0; i < 20; ++i)
    text += std::to_string(i) + "," + std::to_string(i * 2) + "," + std::to_string(i % 2) + end;
  return text;
}

}  // namespace

TEST_CASE("an IDX header whose dimensions overflow is refused, not allocated", "[data][idx]") {
  // The fuzzed header of the report: 1001 x 2264797345 x 2522423429 wraps in 64 bits.
  const auto bytes = idx_header({1001, 2264797345u, 2522423429u}, 45);
  for (const auto& path : {write_raw(test::scratch_path("crafted-idx3-ubyte"), bytes),
                           write_gz(test::scratch_path("crafted-idx3-ubyte.gz"), bytes)}) {
    INFO(path);
    CHECK_THROWS_WITH(
        read_idx(path, 3),
        Contains("crafted-idx3-ubyte") && Contains("claims 1001 x 2264797345 x 2522423429 values"));
  }
  // As the training images of an mnist: problem (the report's exit 139).
  const auto dir = test::scratch_path("crafted-mnist");
  std::filesystem::create_directories(dir);
  const auto labels = idx_header({1001}, 1001);
  write_raw(dir + "/train-images-idx3-ubyte", bytes);
  write_raw(dir + "/train-labels-idx1-ubyte", labels);
  write_raw(dir + "/t10k-images-idx3-ubyte", bytes);
  write_raw(dir + "/t10k-labels-idx1-ubyte", labels);
  DataOptions options;
  options.data_dir = dir;
  CHECK_THROWS_WITH(load_problem(parse_problem("mnist:0-1"), options, 0),
                    Contains("train-images-idx3-ubyte claims"));
}

TEST_CASE("an IDX header claiming 16 GiB is checked against the file's size", "[data][idx]") {
  const auto bytes = idx_header({16, 1024, 1048576}, 45);  // 2^34 values in 61 bytes
  const auto raw = write_raw(test::scratch_path("huge-idx3-ubyte"), bytes);
  CHECK_THROWS_WITH(read_idx(raw, 3),
                    Contains("huge-idx3-ubyte is truncated (its header claims 16 x 1024 x "
                             "1048576 values, expected 17179869200 bytes, got 61)"));
  const auto gz = write_gz(test::scratch_path("huge-idx3-ubyte.gz"), bytes);
  CHECK_THROWS_WITH(read_idx(gz, 3), Contains("huge-idx3-ubyte.gz is truncated") &&
                                         Contains("compressed bytes can hold"));
}

TEST_CASE("IDX pixel counts are 64-bit", "[data][idx]") {
  // 65536 x 65537 pixels wrap to 65536 in 32 bits; zero images make the file valid.
  const auto images =
      write_raw(test::scratch_path("wide-idx3-ubyte"), idx_header({0, 65536, 65537}, 0));
  const auto labels = write_raw(test::scratch_path("wide-idx1-ubyte"), idx_header({0}, 0));
  const auto pair = read_idx_pair(images, labels);
  CHECK(pair.count == 0);
  CHECK(pair.pixels == 65536ULL * 65537ULL);
}

TEST_CASE("IDX: a directory or a device is named", "[data][idx]") {
  const auto dir = test::scratch_path("idx-dir");
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH(read_idx(dir, 3), Contains(dir + " is a directory"));
  CHECK_THROWS_WITH(read_idx("/dev/zero", 3), Contains("/dev/zero is not a regular file"));
}

TEST_CASE("CSV files with a byte order mark and CRLF line ends load", "[data][csv]") {
  // One file name for every variant: the split's stream is named after the problem, csv:FILE.
  const auto plain = load_csv(write_text("variant.csv", csv_text("\n")));
  for (const auto& [name, text] : {std::pair{"crlf.csv", csv_text("\r\n")},
                                   std::pair{"bom.csv", "\xEF\xBB\xBF" + csv_text("\n")},
                                   std::pair{"both.csv", "\xEF\xBB\xBF" + csv_text("\r\n")}}) {
    INFO(name);
    const auto d = load_csv(write_text("variant.csv", text));
    CHECK(d.train_x == plain.train_x);
    CHECK(d.train_y == plain.train_y);
    CHECK(d.test_x == plain.test_x);
  }
  // The BOM is not part of the first column's name: a label column first still loads.
  std::string text = "\xEF\xBB\xBFlabel,x\r\n";
  for (int i = 0; i < 20; ++i) text += std::to_string(i % 2) + "," + std::to_string(i) + "\r\n";
  const auto first = write_text("label-first.csv", text);
  CHECK(load_csv(first).train_x.cols() == 1);
}

TEST_CASE("CSV errors name the file, line, column and value", "[data][csv]") {
  SECTION("a value beyond single precision") {
    auto text = csv_text("\n");
    text += "1e39,5,0\n";
    const auto path = write_text("huge-value.csv", text);
    CHECK_THROWS_WITH(load_csv(path),
                      Contains(path + " line 22 column 'x': '1e39' is not a finite number in "
                                      "single precision"));
  }
  SECTION("a directory") {
    const auto dir = test::scratch_path("csv-dir");
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH(load_csv(dir), Contains(dir + " is a directory, not a CSV file"));
  }
  SECTION("a device") {
    CHECK_THROWS_WITH(load_csv("/dev/zero"), Contains("/dev/zero is not a regular file"));
  }
  SECTION("a file without line breaks") {
    const auto path = write_text("one-line.csv", std::string((1 << 20) + 10, '0'));
    CHECK_THROWS_WITH(load_csv(path), Contains(path + " line 1 is longer than 1048576 bytes"));
  }
  SECTION("an empty file") {
    const auto path = write_text("empty.csv", "");
    CHECK_THROWS_WITH(load_csv(path), Contains(path + " is empty"));
  }
}

TEST_CASE("a training set of one class is refused, naming the problem", "[data]") {
  Dataset d;
  d.problem = "csv:one-class.csv";
  d.train_x = InputMatrix::Zero(4, 2);
  d.test_x = InputMatrix::Zero(4, 2);
  d.train_y = {1, 1, 1, 1};
  d.test_y = {0, 1, 0, 1};
  CHECK_THROWS_WITH(validate_dataset(d),
                    "[data] csv:one-class.csv: the train set holds only class 1 (all 4 points); "
                    "training needs points of both classes");
  d.train_y = {0, 1, 1, 1};
  CHECK_NOTHROW(validate_dataset(d));
}
