// Layer numbers in activation files (issue 11, defect 14): a number no stack has names the
// dataset instead of failing inside std::stol ("internal error: stol").
#include <catch2/catch.hpp>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/activations.hpp"

using namespace ricci;
using namespace ricci::io;
using Catch::Matchers::StartsWith;

TEST_CASE("a layer number beyond any stack is named, not an internal error", "[io]") {
  const RowMatrix ok = test::points({{1, 2}, {3, 4}});
  for (const std::string name : {"layer_99999999999999999999", "layer_1000001"}) {
    INFO(name);
    const auto path = test::scratch_path("huge_layer_number.h5");
    write_matrices(path, "/", {{"layer_01", ok}, {name, ok}}, Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path),
                      StartsWith("[io] group '/' of '" + path + "': dataset '" + name +
                                 "' has a layer number larger than 1000000"));
  }
}
