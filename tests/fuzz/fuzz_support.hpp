#pragma once
// Shared by the libFuzzer harnesses: the loaders under test take paths, so each input is written to
// a file of this process (several harnesses, or libFuzzer's -jobs/-fork workers, may run at once).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace ricci::fuzz {

// A file `name` in a folder of its own under $TMPDIR (else /dev/shm, else /tmp), named after the
// process, removed with the object (a crash leaves it: scripts/fuzz.sh points TMPDIR at a folder
// it removes). The name keeps its extension: the job-file parser names the job after the file's
// stem.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path dir =
        tmp && *tmp ? tmp : (std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp");
    static int count = 0;
    dir /= "ricci-fuzz-" + std::to_string(::getpid()) + "-" + std::to_string(count++);
    std::filesystem::create_directories(dir);
    dir_ = dir.string();
    path_ = (dir / name).string();
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's contents with exactly these bytes; aborts (a harness failure, not a
  // finding) when it cannot.
  const std::string& write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* out = std::fopen(path_.c_str(), "wb");
    if (!out || (size && std::fwrite(data, 1, size, out) != size) || std::fclose(out) != 0) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

}  // namespace ricci::fuzz
