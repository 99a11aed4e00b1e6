// ricci-query analyze's issue-13 options (--curvature, --ollivier-idleness, --local, --layers,
// --nodes) through run_query(), the function main() calls. The values are checked against numpy
// by tests/oracle/test_local_oracle.py; here: hand-computed cases, the output's shape and errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../test_support.hpp"
#include "query_run.hpp"
#include "ricci/io/activations.hpp"

using namespace ricci;
using Catch::Matchers::Contains;

namespace {

// Three layers of points on a line at 0 1 2 3 (scaled): at k = 1 every layer's graph is the path
// 0-1-2-3; `with_input` and `with_output` add layer_00 and output.
std::string line_stack(const std::string& name, bool with_input, bool with_output) {
  const auto path = test::scratch_path(name);
  const RowMatrix x = test::line({0, 1, 2, 3});
  std::vector<std::pair<std::string, RowMatrix>> datasets{
      {"layer_01", x}, {"layer_02", 2 * x}, {"layer_03", x}};
  if (with_input) datasets.emplace_back("layer_00", 3 * x);
  if (with_output) datasets.emplace_back("output", x);
  io::write_matrices(path, "/", datasets, io::Precision::double_);
  return path;
}

void expect_bad_input(const std::vector<std::string>& args, const std::string& message) {
  const auto r = test::run_query(args);
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains(message));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("analyze --local: the path that stays a path - hand-computed",
          "[query][analyze][local]") {
  const auto path = line_stack("local_line.h5", false, false);
  const auto r = test::run_query({"analyze", path, "--k", "1", "--local", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["layer_list"] == "hidden");
  const auto& k1 = j["results"][0];
  // Path 0-1-2-3 everywhere: Forman R = 1, 0, 1, total 2; O = (1, 1/2, 1/2, 1).
  for (const auto& layer : k1["layers"]) CHECK(layer["curvature"]["forman"] == 2.0);
  CHECK(k1["global"]["forman"]["reason"] == "zero-variance");
  CHECK(k1["global"]["forman"]["rho"].is_null());
  // Every neighbour stays at distance 1: eta_l(x) = 0 for every x and l, so every rho(x) and
  // both rho(l) have a constant eta (zero variance).
  const auto& local = k1["local"]["forman"];
  CHECK(local["defined"] == 0);
  CHECK(local["undefined"] == 4);
  CHECK(local["unreachable"] == 0);
  CHECK(local["mean"].is_null());
  CHECK(local["negative_share"].is_null());
  CHECK(local["reason"] == "no-defined-point");
  CHECK(local["layer_rho"] == nlohmann::json::array({nullptr, nullptr}));
  CHECK(local["layer_reason"] == nlohmann::json::array({"zero-variance", "zero-variance"}));
}

TEST_CASE("analyze --nodes writes O_l(x), eta_l(x), rho(x) and never overwrites",
          "[query][analyze][local]") {
  const auto path = line_stack("local_nodes.h5", false, false);
  const auto nodes = test::scratch_path("local_nodes.csv");
  std::filesystem::remove(nodes);
  const auto r = test::run_query({"analyze", path, "--k", "1", "--local", "--nodes", nodes});
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::ifstream in(nodes);
  std::string header, line;
  std::getline(in, header);
  CHECK(header ==
        "file,group,k,notion,layer,name,point,scalar_curvature,local_expansion,rho,rho_reason");
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  // 2 transitions x 4 points; point 1 of transition 1 (out of layer_01): O = 1/2, eta = 0.
  REQUIRE(rows.size() == 8);
  CHECK(rows[1] == path + ",/,1,forman,1,layer_01,1,0.5,0,,zero-variance");
  CHECK(rows[7] == path + ",/,1,forman,2,layer_02,3,1,0,,zero-variance");

  expect_bad_input({"analyze", path, "--k", "1", "--local", "--nodes", nodes}, "never overwritten");
  expect_bad_input({"analyze", path, "--k", "1", "--nodes", nodes + ".new"}, "add --local");
  CHECK(!std::filesystem::exists(nodes + ".new"));
}

TEST_CASE("analyze --layers all: layer_00, the hidden layers and output",
          "[query][analyze][local]") {
  const auto path = line_stack("local_all.h5", true, true);
  const auto r = test::run_query(
      {"analyze", path, "--k", "1", "--layers", "all", "--local", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["layer_list"] == "all");
  CHECK(j["layers"] == 3);  // hidden layers
  const auto& k1 = j["results"][0];
  REQUIRE(k1["layers"].size() == 5);
  CHECK(k1["layers"][0]["name"] == "layer_00");
  CHECK(k1["layers"][0]["layer"] == 0);
  CHECK(k1["layers"][4]["name"] == "output");
  CHECK(k1["layers"][4]["layer"] == 4);
  CHECK(k1["eta"].size() == 4);  // four transitions over five layers
  CHECK(k1["local"]["forman"]["layer_rho"].size() == 4);

  const auto hidden = test::run_query({"analyze", path, "--k", "1", "--format", "json"});
  REQUIRE(hidden.code == 0);
  CHECK(nlohmann::json::parse(hidden.out)["results"][0]["layers"].size() == 3);

  SECTION("a missing dataset is named") {
    expect_bad_input(
        {"analyze", line_stack("local_no_input.h5", false, true), "--k", "1", "--layers", "all"},
        "has no layer_00 (");
    expect_bad_input(
        {"analyze", line_stack("local_no_output.h5", true, false), "--k", "1", "--layers", "all"},
        "has no output (");
    expect_bad_input(
        {"analyze", line_stack("local_neither.h5", false, false), "--k", "1", "--layers", "all"},
        "has no layer_00 and output");
  }
  SECTION("an output with more than one column is refused") {
    const auto bad = test::scratch_path("local_wide_output.h5");
    io::write_matrices(bad, "/",
                       {{"layer_00", test::line({0, 1, 2})},
                        {"layer_01", test::line({0, 1, 2})},
                        {"output", test::points({{0, 1}, {1, 2}, {2, 3}})}},
                       io::Precision::double_);
    expect_bad_input({"analyze", bad, "--k", "1", "--layers", "all"}, "2 columns");
  }
}

TEST_CASE("analyze: the issue-13 options' bad input is one line and exit 2",
          "[query][analyze][local]") {
  const auto path = line_stack("local_errors.h5", false, false);
  expect_bad_input({"analyze", path, "--k", "1", "--curvature", "forman,riemann"}, "'riemann'");
  expect_bad_input({"analyze", path, "--k", "1", "--curvature", "forman,forman"}, "forman");
  expect_bad_input({"analyze", path, "--k", "1", "--ollivier-idleness", "1"}, "'1' is outside");
  expect_bad_input({"analyze", path, "--k", "1", "--ollivier-idleness", "-0.1"},
                   "'-0.1' is outside");
  expect_bad_input({"analyze", path, "--k", "1", "--ollivier-idleness", "lazy"}, "'lazy'");
  expect_bad_input({"analyze", path, "--k", "1", "--layers", "some"}, "'some'");
  expect_bad_input({"analyze", path, "--k", "1", "--local", "--convention", "baptista-r"},
                   "--local");
  expect_bad_input({"analyze", path, "--k", "1", "--layers", "all", "--convention", "baptista-r"},
                   "--layers all");
  CHECK(test::run_query({"analyze", path, "--k", "1", "--ollivier-idleness", "0.5"}).code == 0);
}

TEST_CASE("analyze --local: CSV and table carry the same", "[query][analyze][local]") {
  const auto path = line_stack("local_formats.h5", false, false);
  const auto csv = test::run_query({"analyze", path, "--k", "1", "--local", "--format", "csv"});
  REQUIRE(csv.code == 0);
  const std::string header = csv.out.substr(0, csv.out.find('\n'));
  for (const char* column : {"curvature_forman", "rho_forman", "reason_forman", "local_mean_forman",
                             "local_defined_forman", "local_undefined_forman", "layer_rho_forman",
                             "layer_reason_forman"})
    CHECK_THAT(header, Contains(column));
  CHECK_THAT(csv.out, Contains("no-defined-point"));

  const auto table = test::run_query({"analyze", path, "--k", "1", "--local"});
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Contains("global forman: rho = -"));
  CHECK_THAT(table.out, Contains("local forman: mean rho(x) = -"));
  CHECK_THAT(table.out, Contains("undefined = 4"));
}
