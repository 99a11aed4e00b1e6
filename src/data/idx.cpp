#include "ricci/data/idx.hpp"

#include <zlib.h>

#include <filesystem>
#include <memory>

#include "ricci/core/error.hpp"

namespace ricci::data {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// Reads exactly `size` bytes or reports how many there were.
std::size_t read_bytes(gzFile_s* file, std::uint8_t* out, std::size_t size,
                       const std::string& path) {
  std::size_t total = 0;
  while (total < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - total, 1u << 30));
    const int got = gzread(file, out + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw Error("data",
                  file_name(path) + " is corrupt (" + (message ? message : "gzip error") + ")");
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_ndims) {
  if (!std::filesystem::exists(path)) throw Error("data", path + " does not exist");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw Error("data", "cannot open " + path);

  std::uint8_t header[4];
  if (read_bytes(file.get(), header, 4, path) != 4)
    throw Error("data", file_name(path) + " is truncated (no IDX header)");
  if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
    throw Error("data", file_name(path) + " is not an unsigned-byte IDX file (bad magic number)");
  const int ndims = header[3];
  if (ndims != expected_ndims)
    throw Error("data", file_name(path) + " has " + std::to_string(ndims) +
                            " dimensions, expected " + std::to_string(expected_ndims));

  IdxArray array;
  std::size_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    std::uint8_t b[4];
    if (read_bytes(file.get(), b, 4, path) != 4)
      throw Error("data", file_name(path) + " is truncated (in its header)");
    const std::uint32_t dim = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                              (std::uint32_t{b[2]} << 8) | b[3];
    array.dims.push_back(dim);
    count *= dim;
  }
  if (count > (std::size_t{1} << 34))
    throw Error("data", file_name(path) + " claims an implausible size");
  array.values.resize(count);
  const std::size_t got = read_bytes(file.get(), array.values.data(), count, path);
  const std::size_t header_bytes = 4 + 4 * static_cast<std::size_t>(ndims);
  if (got != count)
    throw Error("data", file_name(path) + " is truncated (expected " +
                            std::to_string(header_bytes + count) + " bytes, got " +
                            std::to_string(header_bytes + got) + ")");
  std::uint8_t extra;
  if (read_bytes(file.get(), &extra, 1, path) != 0)
    throw Error("data", file_name(path) + " has trailing bytes after " +
                            std::to_string(header_bytes + count));
  return array;
}

IdxImages read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path, 3);
  IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0])
    throw Error("data", file_name(images_path) + " holds " + std::to_string(images.dims[0]) +
                            " images but " + file_name(labels_path) + " holds " +
                            std::to_string(labels.dims[0]) + " labels");
  IdxImages out;
  out.count = images.dims[0];
  out.pixels = images.dims[1] * images.dims[2];
  out.images = std::move(images.values);
  out.labels = std::move(labels.values);
  return out;
}

std::string find_idx_file(const std::string& dir, const std::string& stem,
                          const std::string& dataset_name) {
  namespace fs = std::filesystem;
  if (dir.empty()) throw Error("data", dataset_name + ": no data directory given (data_dir)");
  if (!fs::is_directory(dir))
    throw Error("data", dataset_name + ": data directory " + dir + " does not exist");
  for (const std::string& name : {stem + ".gz", stem}) {
    const fs::path candidate = fs::path(dir) / name;
    if (fs::exists(candidate)) return candidate.string();
  }
  throw Error("data", dataset_name + ": " + dir + " has neither " + stem + " nor " + stem + ".gz");
}

}  // namespace ricci::data
