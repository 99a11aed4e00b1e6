#include "h5.hpp"

#include <filesystem>

namespace ricci::io::h5 {

void silence_library_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

bool link_exists(hid_t location, const std::string& path) {
  // H5Lexists needs every intermediate link to exist, so walk the path one component at a time.
  std::string prefix;
  std::size_t start = path.starts_with('/') ? 1 : 0;
  if (path.starts_with('/')) prefix = "/";
  while (start < path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) {
      prefix += (prefix.empty() || prefix.ends_with('/')) ? part : "/" + part;
      if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

File open_existing(const std::string& path, unsigned flags) {
  silence_library_errors();
  if (!std::filesystem::exists(path)) throw Error("io", "'" + path + "' does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error("io", "'" + path + "' is not an HDF5 file (or is truncated)");
  return File(checked(H5Fopen(path.c_str(), flags, H5P_DEFAULT), "cannot open '" + path + "'"));
}

}  // namespace ricci::io::h5
