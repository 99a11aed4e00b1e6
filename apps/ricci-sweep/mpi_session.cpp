#include "mpi_session.hpp"

#include <cstdlib>

namespace ricci::sweep_app {

MpiSession::MpiSession(int& argc, char**& argv) {
  // The geometry runs OpenMP threads inside a worker (threads_per_rank); only the main thread
  // calls MPI, which is what FUNNELED promises.
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort_all(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return in practice; this keeps [[noreturn]] honest
}

}  // namespace ricci::sweep_app
