#include <iostream>

#include "query.hpp"

int main(int argc, char** argv) {
  return ricci::query::run_query(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                 std::cerr);
}
