#include <csignal>
#include <iostream>

#include "ricci-sweep/mpi_session.hpp"
#include "ricci-sweep/sweep_app.hpp"

namespace {

// SIGTERM, SIGINT (Ctrl-C), SIGUSR1 and SIGUSR2 ask the sweep to stop cleanly: the hand-out ends,
// runs in flight stay pending, the file is closed and --resume finishes the job. Under Open MPI's
// mpirun only SIGUSR1/SIGUSR2 give a clean stop with exit 3 (mpirun forwards them); SIGTERM and
// SIGINT it answers by killing the job (SIGTERM to the ranks, SIGKILL a second later, exit 1), so
// SLURM's warning signal and the README name SIGUSR1.
volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int signal) { stop_signal = signal; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaction(s, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  ricci::sweep_app::MpiSession mpi(argc, argv);
  install_stop_handlers();
  return ricci::sweep_app::run_sweep_command(
      mpi, argc, argv, [] { return stop_signal != 0; }, std::cout, std::cerr);
}
