#pragma once
// Private to the io layer: the per-run checksums of a results file (schema version 3). FNV-1a,
// 64 bits, over the run's values in the canonical order results_schema/README.md documents, each
// value as the bytes of its stored kind, little-endian. It detects torn and flipped rows, not
// tampering: it is not a cryptographic hash.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ricci::io {

class RunChecksum {
 public:
  void add_bytes(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash_ ^= bytes[i];
      hash_ *= 0x100000001b3ULL;
    }
  }
  void add(std::uint64_t value) {
    unsigned char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(value >> (8 * b));
    add_bytes(bytes, 8);
  }
  void add(std::int64_t value) { add(static_cast<std::uint64_t>(value)); }
  // Every NaN hashes as the one quiet NaN: its payload is not a value.
  void add(double value) {
    add(std::isnan(value) ? std::uint64_t{0x7ff8000000000000ULL}
                          : std::bit_cast<std::uint64_t>(value));
  }
  void add(float value) {
    const std::uint32_t bits =
        std::isnan(value) ? std::uint32_t{0x7fc00000U} : std::bit_cast<std::uint32_t>(value);
    unsigned char bytes[4];
    for (int b = 0; b < 4; ++b) bytes[b] = static_cast<unsigned char>(bits >> (8 * b));
    add_bytes(bytes, 4);
  }
  void add(std::uint8_t value) { add_bytes(&value, 1); }
  // A string as its length (uint64) and its bytes, up to the first NUL as the file keeps it.
  void add(std::string_view text) {
    add(static_cast<std::uint64_t>(text.size()));
    add_bytes(text.data(), text.size());
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace ricci::io
