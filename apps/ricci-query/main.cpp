#include <iostream>

#include "query.hpp"
#include "ricci/io/results_table.hpp"

int main(int argc, char** argv) {
  // One line and exit 2 on a damaged file, not HDF5's shutdown complaints after it.
  ricci::io::skip_hdf5_shutdown_at_exit();
  return ricci::query::run_query(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                 std::cerr);
}
