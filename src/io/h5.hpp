#pragma once
// Private to the io layer: RAII handles for HDF5 objects and one checked-call helper. Nothing
// outside src/io includes hdf5.h.
#include <hdf5.h>

#include <optional>
#include <string>
#include <utility>

#include "ricci/core/error.hpp"

namespace ricci::io::h5 {

// Move-only owner of one HDF5 identifier, closed with the matching H5?close.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0) Close(id_);
    id_ = H5I_INVALID_HID;
  }
  // Closes now and reports failure (a collective close can fail where a destructor must not throw).
  void close(const std::string& context);
  // Forgets the identifier without closing it: after a failure on one MPI rank, a collective close
  // would wait for ranks that never come; the process is about to be ended instead.
  void release() { id_ = H5I_INVALID_HID; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<&H5Fclose>;
using Group = Handle<&H5Gclose>;
using Dataset = Handle<&H5Dclose>;
using Dataspace = Handle<&H5Sclose>;
using Datatype = Handle<&H5Tclose>;
using Attribute = Handle<&H5Aclose>;
using PropertyList = Handle<&H5Pclose>;

// Throws ricci::Error("io", context) when an HDF5 call returned a negative status or identifier.
inline hid_t checked(hid_t result, const std::string& context) {
  if (result < 0) throw Error("io", context);
  return result;
}

template <herr_t (*Close)(hid_t)>
void Handle<Close>::close(const std::string& context) {
  if (id_ < 0) return;
  const herr_t status = Close(std::exchange(id_, H5I_INVALID_HID));
  checked(status, context);
}

// HDF5 prints its own error stack by default; the io layer reports errors through exceptions
// instead. Each public io entry point holds one of these for its duration: it turns the automatic
// printing off (for the calling thread in a thread-safe HDF5 build, for the process otherwise) and
// then puts back whatever the host program had set (h5py, a caller's own handler), so io leaves no
// change behind.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t saved_function_ = nullptr;
  void* saved_data_ = nullptr;
  bool saved_ = false;
};

bool link_exists(hid_t location, const std::string& path);

// Attribute `name` of `location`, when it exists and is an integer / a fixed-length string (NULs
// stripped).
std::optional<long long> integer_attribute(hid_t location, const std::string& name);
std::optional<std::string> string_attribute(hid_t location, const std::string& name);

// The fixed-length, NUL-padded UTF-8 string type every string of a results file has.
Datatype fixed_string(std::size_t width);
// A scalar string attribute of `value`'s length; replace_ deletes one that exists first (a fixed
// length string cannot grow in place).
void write_string_attribute(hid_t location, const std::string& name, const std::string& value);
void replace_string_attribute(hid_t location, const std::string& name, const std::string& value);

// HDF5 file locking, best effort: the library locks files as usual, but where the file system
// does not support flock (NFS without lockd, some Lustre mounts) it goes on without the lock
// instead of failing, so no HDF5_USE_FILE_LOCKING setting is needed there (that variable, when
// set, still wins). The sweep's own lock file guards against a second writer.
void lock_best_effort(hid_t fapl);

// Opens an existing file without MPI (flags H5F_ACC_RDONLY or H5F_ACC_RDWR); a missing, non-HDF5 or
// truncated file is an Error naming the path. The caller holds a QuietErrors.
File open_existing(const std::string& path, unsigned flags);

}  // namespace ricci::io::h5
