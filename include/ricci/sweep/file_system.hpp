#pragma once
// What the file system under the results file means for a sweep. HDF5's own file locking is set
// to best effort by io; what is left is a warning where the file system is known to be unsafe for
// many writers.
#include <string>

namespace ricci::sweep {

// "nfs" for the file system type NFS_SUPER_MAGIC (statfs f_type 0x6969), "lustre" for Lustre's,
// "" for any other.
std::string network_file_system_name(long long file_system_type);

// One line when `output` (its directory, for a file not made yet) lies on NFS, where MPI-IO
// from several nodes needs the noac mount option and working locks; "" elsewhere or when the
// directory cannot be examined.
std::string file_system_warning(const std::string& output);

}  // namespace ricci::sweep
