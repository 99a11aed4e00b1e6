#include "ricci/sweep/file_system.hpp"

#include <sys/vfs.h>

#include <filesystem>

namespace ricci::sweep {

namespace {

// From <linux/magic.h>; spelled out so the check builds wherever statfs does.
constexpr long long nfs_magic = 0x6969;
constexpr long long lustre_magic = 0x0BD00BD0;

}  // namespace

std::string network_file_system_name(long long file_system_type) {
  if (file_system_type == nfs_magic) return "nfs";
  if (file_system_type == lustre_magic) return "lustre";
  return "";
}

std::string file_system_warning(const std::string& output) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path where = fs::exists(output, error) ? fs::path(output) : fs::path(output).parent_path();
  if (where.empty()) where = ".";
  struct statfs info {};
  if (::statfs(where.c_str(), &info) != 0) return "";
  if (network_file_system_name(static_cast<long long>(info.f_type)) != "nfs") return "";
  return output +
         " lies on NFS: MPI-IO writes from several nodes are correct there only with the noac "
         "mount option and working locks; prefer a parallel file system (Lustre, GPFS) or one "
         "node (slurm/README.md)";
}

}  // namespace ricci::sweep
