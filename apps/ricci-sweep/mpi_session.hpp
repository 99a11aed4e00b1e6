#pragma once
// MPI for the lifetime of the ricci-sweep program: MPI_Init in the constructor, MPI_Finalize in the
// destructor, and the one place that ends every rank. The application owns MPI; the sweep library
// only borrows its communicator.
#include <mpi.h>

namespace ricci::sweep_app {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  MPI_Comm communicator() const { return MPI_COMM_WORLD; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every rank's process: the application's answer when one rank fails where the others
  // cannot know (they may be waiting in a collective call).
  [[noreturn]] void abort_all(int code) const;

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace ricci::sweep_app
