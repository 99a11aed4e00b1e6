#pragma once
// The ricci-sweep program: options, the plan, the sweep and its exit code. main() owns MPI and the
// stop signals; this file owns the policy of what each outcome means.
#include <functional>
#include <ostream>

#include "mpi_session.hpp"

namespace ricci::sweep_app {

// Exit codes of ricci-sweep: 0 every run finished (done or failed, recorded in the file);
// 2 bad input or a refusal (nothing written); 3 stopped with runs pending, on request or for the
// deadline (--resume continues); 1 an internal error. A rank that fails while the ranks share the
// file ends every rank with exit code 1 (MPI_Abort).
constexpr int sweep_exit_ok = 0, sweep_exit_internal = 1, sweep_exit_bad_input = 2,
              sweep_exit_stopped = 3;

// The whole program after MPI_Init; called by main() on every rank. `stop_requested` reports a
// stop signal.
int run_sweep_command(const MpiSession& mpi, int argc, char** argv,
                      const std::function<bool()>& stop_requested, std::ostream& out,
                      std::ostream& err);

}  // namespace ricci::sweep_app
