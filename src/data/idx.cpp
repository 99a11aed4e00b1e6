#include "ricci/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
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
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) throw Error("data", path + " does not exist");
  if (fs::is_directory(status)) throw Error("data", path + " is a directory, not an IDX file");
  // Only a regular file has a size to check the header against (a device such as /dev/zero has
  // none and never ends).
  if (!fs::is_regular_file(status))
    throw Error("data", path + " is not a regular file (a device, pipe or socket)");
  const std::uintmax_t file_bytes = fs::file_size(path, error);
  if (error) throw Error("data", "cannot read the size of " + path + " (" + error.message() + ")");
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
  // The product of the dimensions in 64 bits, checked before every multiplication: three 32-bit
  // dimensions can exceed 2^64, and a wrapped product would pass every later check.
  std::uint64_t count = 1;
  bool too_large = false;
  for (int d = 0; d < ndims; ++d) {
    std::uint8_t b[4];
    if (read_bytes(file.get(), b, 4, path) != 4)
      throw Error("data", file_name(path) + " is truncated (in its header)");
    const std::uint32_t dim = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                              (std::uint32_t{b[2]} << 8) | b[3];
    array.dims.push_back(dim);
    if (dim != 0 && count > max_idx_values / dim) too_large = true;
    if (!too_large) count *= dim;
  }
  std::string shape;
  for (auto dim : array.dims) shape += (shape.empty() ? "" : " x ") + std::to_string(dim);
  const bool any_zero = std::find(array.dims.begin(), array.dims.end(), 0u) != array.dims.end();
  if (too_large && !any_zero)
    throw Error("data", file_name(path) + " claims " + shape + " values, more than " +
                            std::to_string(max_idx_values) + " (not an IDX file of this tool)");
  if (any_zero) count = 0;
  const std::uint64_t header_bytes = 4 + 4 * static_cast<std::uint64_t>(ndims);
  // Checked against the file's size before allocating: an uncompressed file holds exactly its
  // values after the header; deflate expands at most 1032-fold, so a gzipped one cannot hold more
  // than that many values per byte.
  const bool raw = gzdirect(file.get()) == 1;
  if (raw && header_bytes + count > file_bytes)
    throw Error("data", file_name(path) + " is truncated (its header claims " + shape +
                            " values, expected " + std::to_string(header_bytes + count) +
                            " bytes, got " + std::to_string(file_bytes) + ")");
  if (!raw && count / 1032 > file_bytes)
    throw Error("data", file_name(path) + " is truncated (its header claims " + shape +
                            " values, more than " + std::to_string(file_bytes) +
                            " compressed bytes can hold)");
  array.values.resize(static_cast<std::size_t>(count));
  const std::size_t got =
      read_bytes(file.get(), array.values.data(), static_cast<std::size_t>(count), path);
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
  // In 64 bits: rows x cols of two 32-bit dimensions wraps in 32.
  out.pixels = std::uint64_t{images.dims[1]} * images.dims[2];
  // Zero images may claim any image size; the pixels must still index a matrix.
  if (out.pixels > max_idx_values)
    throw Error("data", file_name(images_path) + " claims images of " +
                            std::to_string(images.dims[1]) + " x " +
                            std::to_string(images.dims[2]) + " pixels");
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
