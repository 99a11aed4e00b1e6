#include <iostream>

#include "ricci-sweep/sweep_app.hpp"
#include "ricci/sweep/scheduler.hpp"

int main(int argc, char** argv) {
  ricci::sweep::MpiSession mpi(argc, argv);
  return ricci::cli::run_sweep_command(mpi.rank(), argc, argv, std::cout, std::cerr);
}
