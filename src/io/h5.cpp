#include "h5.hpp"

#include <algorithm>
#include <filesystem>

#include "ricci/io/results_table.hpp"

namespace ricci::io {
void skip_hdf5_shutdown_at_exit() { H5dont_atexit(); }
}  // namespace ricci::io

namespace ricci::io::h5 {

QuietErrors::QuietErrors() {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &saved_function_, &saved_data_) >= 0;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  if (saved_) H5Eset_auto2(H5E_DEFAULT, saved_function_, saved_data_);
}

bool link_exists(hid_t location, const std::string& path) {
  // H5Lexists needs every intermediate link to exist, so walk the path one component at a time.
  std::string prefix;
  std::size_t start = path.starts_with('/') ? 1 : 0;
  if (path.starts_with('/')) prefix = "/";
  while (start < path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) {
      prefix += (prefix.empty() || prefix.ends_with('/')) ? part : "/" + part;
      if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

namespace {

// The attribute and its type, when it exists and its type is of `wanted` class.
std::optional<std::pair<Attribute, Datatype>> open_attribute(hid_t location,
                                                             const std::string& name,
                                                             H5T_class_t wanted) {
  const htri_t exists = H5Aexists(location, name.c_str());
  // An error is not absence: a checksum failure of the object header lands here.
  if (exists < 0)
    throw Error("io", "cannot read attribute " + name + " (damaged metadata: checksum or format)");
  if (exists == 0) return std::nullopt;
  Attribute attr(
      checked(H5Aopen(location, name.c_str(), H5P_DEFAULT), "cannot open attribute " + name));
  Datatype type(checked(H5Aget_type(attr.get()), "cannot read the type of attribute " + name));
  if (H5Tget_class(type.get()) != wanted) return std::nullopt;
  return std::pair{std::move(attr), std::move(type)};
}

}  // namespace

std::optional<long long> integer_attribute(hid_t location, const std::string& name) {
  const auto attr = open_attribute(location, name, H5T_INTEGER);
  if (!attr) return std::nullopt;
  long long value = 0;
  checked(H5Aread(attr->first.get(), H5T_NATIVE_LLONG, &value), "cannot read attribute " + name);
  return value;
}

std::optional<std::string> string_attribute(hid_t location, const std::string& name) {
  const auto attr = open_attribute(location, name, H5T_STRING);
  if (!attr || H5Tis_variable_str(attr->second.get()) > 0) return std::nullopt;
  std::string value(H5Tget_size(attr->second.get()), '\0');
  checked(H5Aread(attr->first.get(), attr->second.get(), value.data()),
          "cannot read attribute " + name);
  value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  return value;
}

void lock_best_effort(hid_t fapl) {
  checked(H5Pset_file_locking(fapl, /*use_file_locking=*/true, /*ignore_when_disabled=*/true),
          "cannot set best-effort file locking");
}

File open_existing(const std::string& path, unsigned flags) {
  if (!std::filesystem::exists(path)) throw Error("io", "'" + path + "' does not exist");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error("io", "'" + path + "' is not an HDF5 file (or is truncated)");
  // Strong close: closing the file closes every object still open in it, so a file whose damaged
  // metadata made a read fail half-way leaves nothing behind in the library.
  const PropertyList fapl(checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
  checked(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "cannot set the close degree");
  lock_best_effort(fapl.get());
  return File(checked(H5Fopen(path.c_str(), flags, fapl.get()),
                      "cannot open '" + path + "' (not a results file, or damaged metadata)"));
}

Datatype fixed_string(std::size_t width) {
  Datatype type(checked(H5Tcopy(H5T_C_S1), "cannot copy the string type"));
  checked(H5Tset_size(type.get(), width), "cannot size a string type");
  checked(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "cannot set string padding");
  checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot set the string character set");
  return type;
}

void write_string_attribute(hid_t location, const std::string& name, const std::string& value) {
  const auto type = fixed_string(std::max<std::size_t>(value.size(), 1));
  const Dataspace scalar(checked(H5Screate(H5S_SCALAR), "cannot create a scalar dataspace"));
  const Attribute attr(checked(
      H5Acreate2(location, name.c_str(), type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
      "cannot create attribute " + name));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  checked(H5Awrite(attr.get(), type.get(), padded.data()), "cannot write attribute " + name);
}

void replace_string_attribute(hid_t location, const std::string& name, const std::string& value) {
  if (H5Aexists(location, name.c_str()) > 0)
    checked(H5Adelete(location, name.c_str()), "cannot replace attribute " + name);
  write_string_attribute(location, name, value);
}

}  // namespace ricci::io::h5
