#pragma once
#include <ostream>

namespace ricci::cli {

// Exit codes of ricci-sweep: 0 every run finished (done or failed, recorded in the file);
// 2 bad input or a refusal (nothing written); 3 stopped on request with runs pending (--resume
// continues); 1 an internal error.
constexpr int sweep_exit_ok = 0, sweep_exit_internal = 1, sweep_exit_bad_input = 2,
              sweep_exit_stopped = 3;

// The whole program after MPI_Init; called by main() on every rank.
int run_sweep_command(int rank, int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace ricci::cli
