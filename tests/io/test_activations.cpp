#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/activations.hpp"

using namespace ricci;
using namespace ricci::io;
using Catch::Matchers::Contains;

TEST_CASE("activation stacks round-trip in float32 and float64", "[io]") {
  const RowMatrix a = test::points({{0.5, 1.25, -2}, {3, 4, 5}});
  const RowMatrix b = test::points({{1}, {2}});
  for (auto precision : {Precision::single, Precision::double_}) {
    const auto path = test::scratch_path("roundtrip.h5");
    // stored out of order and beside an unrelated dataset: the reader orders by layer number
    write_matrices(path, "/run/acts", {{"layer_02", b}, {"layer_01", a}, {"labels", b}}, precision);
    const auto stack = read_activation_stack(path, "/run/acts");
    REQUIRE(stack.names == std::vector<std::string>{"layer_01", "layer_02"});
    CHECK(stack.layers[0] == a);  // these values are exact in float32 too
    CHECK(stack.layers[1] == b);
  }
  CHECK(layer_dataset_name(3) == "layer_03");
  CHECK(layer_dataset_name(100) == "layer_100");
}

TEST_CASE("activation reader errors name the file - group or dataset", "[io]") {
  const RowMatrix ok = test::points({{0, 1}, {1, 0}, {2, 2}});
  SECTION("missing file") {
    CHECK_THROWS_WITH(read_activation_stack(test::scratch_path("absent.h5")),
                      Contains("absent.h5' does not exist"));
  }
  SECTION("not an HDF5 file") {
    const auto path = test::scratch_path("text.h5");
    std::ofstream(path) << "hello";
    CHECK_THROWS_WITH(read_activation_stack(path), Contains("not an HDF5 file"));
  }
  SECTION("missing group") {
    const auto path = test::scratch_path("group.h5");
    write_matrices(path, "/a", {{"layer_01", ok}}, Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path, "/b/c"), Contains("no group '/b/c'"));
  }
  SECTION("no layer datasets") {
    const auto path = test::scratch_path("nolayers.h5");
    write_matrices(path, "/", {{"weights", ok}}, Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path), Contains("no layer_NN datasets"));
  }
  SECTION("a gap in the numbering") {
    const auto path = test::scratch_path("gap.h5");
    write_matrices(path, "/", {{"layer_01", ok}, {"layer_03", ok}}, Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path),
                      Contains("expected layer number 2") && Contains("layer_03"));
  }
  SECTION("ragged row counts") {
    const auto path = test::scratch_path("ragged.h5");
    write_matrices(path, "/", {{"layer_01", ok}, {"layer_02", test::points({{1}, {2}})}},
                   Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path),
                      Contains("layer_02 has 2 rows but layer_01 has 3"));
  }
  SECTION("NaN and infinity") {
    RowMatrix bad = ok;
    bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
    const auto path = test::scratch_path("nan.h5");
    write_matrices(path, "/", {{"layer_01", ok}, {"layer_02", bad}}, Precision::single);
    CHECK_THROWS_WITH(read_activation_stack(path), Contains("layer_02 row 2 column 1 is NaN"));
    bad(2, 1) = std::numeric_limits<double>::infinity();
    const auto path2 = test::scratch_path("inf.h5");
    write_matrices(path2, "/", {{"layer_01", bad}}, Precision::double_);
    CHECK_THROWS_WITH(read_activation_stack(path2), Contains("is infinite"));
  }
  SECTION("writing never replaces an existing dataset") {
    const auto path = test::scratch_path("nooverwrite.h5");
    write_matrices(path, "/", {{"layer_01", ok}}, Precision::double_);
    CHECK_THROWS_AS(write_matrices(path, "/", {{"layer_01", ok}}, Precision::double_), Error);
  }
}

TEST_CASE("activation stacks: the optional output dataset (n x 1)", "[io]") {
  const RowMatrix hidden = test::points({{1, 2}, {3, 4}, {5, 6}});
  const RowMatrix output = test::line({0.25, 0.5, 0.75});
  const auto with_output = test::scratch_path("with_output.h5");
  write_matrices(with_output, "/", {{"layer_01", hidden}, {"output", output}}, Precision::double_);
  const auto stack = read_activation_stack(with_output);
  REQUIRE(stack.output.has_value());
  CHECK(*stack.output == output);
  CHECK(stack.names == std::vector<std::string>{"layer_01"});

  const auto without = test::scratch_path("without_output.h5");
  write_matrices(without, "/", {{"layer_01", hidden}}, Precision::double_);
  CHECK(!read_activation_stack(without).output.has_value());

  const auto short_output = test::scratch_path("short_output.h5");
  write_matrices(short_output, "/", {{"layer_01", hidden}, {"output", test::line({0.5, 1})}},
                 Precision::double_);
  CHECK_THROWS_WITH(read_activation_stack(short_output),
                    Contains("/output has 2 rows but layer_01 has 3"));

  const auto wide_output = test::scratch_path("wide_output.h5");
  write_matrices(wide_output, "/", {{"layer_01", hidden}, {"output", hidden}}, Precision::double_);
  CHECK_THROWS_WITH(read_activation_stack(wide_output), Contains("/output has 2 columns"));
}
