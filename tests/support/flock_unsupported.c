/* Preloaded (LD_PRELOAD) by tests/sweep/test_provenance_sweep.py: flock() as on a file system
 * without locks (Lustre mounted without -o flock), where it fails with ENOSYS. HDF5 (best-effort
 * locking) and the sweep's lock file must go on there. */
#include <errno.h>
#include <sys/file.h>

int flock(int fd, int operation) {
  (void)fd;
  (void)operation;
  errno = ENOSYS;
  return -1;
}
