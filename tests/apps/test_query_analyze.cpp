// ricci-query analyze through run_query(), the function main() calls.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../test_support.hpp"
#include "analysis_options.hpp"
#include "query_run.hpp"
#include "ricci/geometry/parallel.hpp"
#include "ricci/io/activations.hpp"

using namespace ricci;
using Catch::Matchers::Contains;

namespace {

// Three identical layers: points on a line at 0 1 2 3.
std::string line_stack() {
  const auto path = test::scratch_path("line_stack.h5");
  const RowMatrix x = test::line({0, 1, 2, 3});
  io::write_matrices(path, "/", {{"layer_01", x}, {"layer_02", 2 * x}, {"layer_03", x}},
                     io::Precision::double_);
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

TEST_CASE("analyze prints the documented JSON - hand-computed", "[query][analyze]") {
  const auto r = test::run_query({"analyze", line_stack(), "--k", "1,2", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["n"] == 4);
  CHECK(j["layers"] == 3);
  REQUIRE(j["results"].size() == 2);
  // k = 1: the path 0-1-2-3 in every layer: 3 edges, Ric = 2, g = 10; constant eta -> zero variance
  const auto& k1 = j["results"][0];
  CHECK(k1["k"] == 1);
  for (const auto& layer : k1["layers"]) {
    CHECK(layer["edges"] == 3);
    CHECK(layer["components"] == 1);
    CHECK(layer["unreachable_pairs"] == 0);
    CHECK(layer["ric"] == 2);
    CHECK(layer["g"] == 10);
  }
  CHECK(k1["layers"][2]["layer"] == 3);
  CHECK(k1["rho"].is_null());
  CHECK(k1["reason"] == "zero-variance");
  // k = 2: all pairs but {0,3}: 5 edges, Ric = -6, g = 5 * 1 + 2
  const auto& k2 = j["results"][1];
  CHECK(k2["layers"][0]["edges"] == 5);
  CHECK(k2["layers"][0]["ric"] == -6);
  CHECK(k2["layers"][0]["g"] == 7);
}

TEST_CASE("analyze: baptista-r doubles g and counts arcs", "[query][analyze]") {
  const auto r = test::run_query(
      {"analyze", line_stack(), "--k", "1", "--convention", "baptista-r", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["results"][0]["layers"][0]["edges"] == 6);
  CHECK(j["results"][0]["layers"][0]["ric"] == -16);
  CHECK(j["results"][0]["layers"][0]["g"] == 20);
}

TEST_CASE("analyze: the CSV of a baptista-r stack with its inputs has the input row",
          "[query][analyze]") {
  const auto path = test::scratch_path("line_stack_with_inputs.h5");
  const RowMatrix x = test::line({0, 1, 2, 3});
  io::write_matrices(path, "/", {{"layer_00", x}, {"layer_01", x}, {"layer_02", 2 * x}},
                     io::Precision::double_);
  const auto r = test::run_query(
      {"analyze", path, "--k", "1", "--convention", "baptista-r", "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The header, then layer 0 (the inputs: 6 arcs, no curvature, so its Ric cells are empty), 1, 2.
  std::istringstream lines(r.out);
  std::string header, input_row;
  std::getline(lines, header);
  std::getline(lines, input_row);
  CHECK(header.ends_with(
      ",curvature_forman,rho_forman,z_forman,fisher_forman,p_forman,reason_forman"));
  CHECK(input_row.starts_with("1,0,layer_00,6,1,0,,"));
  CHECK(input_row.find(",,,") != std::string::npos);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 4);
}

TEST_CASE("analyze: disconnected layers give null g and a reason", "[query][analyze]") {
  const auto path = test::scratch_path("two_clusters.h5");
  const RowMatrix x = test::line({0, 1, 100, 101});
  io::write_matrices(
      path, "/acts",
      {{"layer_01", x}, {"layer_02", x}, {"layer_03", x}, {"layer_04", x}, {"layer_05", x}},
      io::Precision::single);
  const auto r = test::run_query(
      {"analyze", path, "--group", "/acts", "--k", "1", "--graph", "mutual", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& layer = j["results"][0]["layers"][0];
  CHECK(layer["components"] == 2);
  CHECK(layer["unreachable_pairs"] == 4);
  CHECK(layer["g"].is_null());
  CHECK(j["results"][0]["reason"] == "disconnected");
  CHECK(j["results"][0]["p"].is_null());
}

TEST_CASE("analyze: the table view", "[query][analyze]") {
  const auto r = test::run_query({"analyze", line_stack(), "--k", "1-2"});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("n = 4 points, 3 hidden layers, graph union"));
  CHECK_THAT(r.out, Contains("k = 2"));
  CHECK_THAT(r.out, Contains("(zero-variance)"));
}

TEST_CASE("analyze: every bad input is one line on stderr and exit code 2",
          "[query][analyze][errors]") {
  const auto good = line_stack();
  expect_bad_input({"analyze", test::scratch_path("missing.h5"), "--k", "1"}, "does not exist");
  expect_bad_input({"analyze", good, "--group", "/nope", "--k", "1"}, "no group '/nope'");
  expect_bad_input({"analyze", good, "--k", "0"}, "'0' is not a positive integer");
  expect_bad_input({"analyze", good, "--k", "4"}, "k = 4 must satisfy 1 <= k <= n - 1 = 3");
  expect_bad_input({"analyze", good, "--k", "1,x"}, "'x' is not a positive integer");
  expect_bad_input({"analyze", good, "--k", "2,2"}, "--k: '2' is listed twice");
  expect_bad_input({"analyze", good}, "--k is required");
  expect_bad_input({"analyze", "--k", "1"}, "missing FILE.h5");
  expect_bad_input({"analyze", good, "--k", "1", "--graph", "knn"},
                   "--graph 'knn' is not one of: union, mutual");
  expect_bad_input({"analyze", good, "--k", "1", "--convention", "r"},
                   "--convention 'r' is not one of");
  expect_bad_input({"analyze", good, "--k", "1", "--format", "xml"},
                   "--format 'xml' is not one of");
  expect_bad_input({"analyze", good, "--k", "1", "--graph", "mutual", "--convention", "baptista-r"},
                   "conflicts");
  expect_bad_input({"analyze", good, "--k", "1", "--frobnicate"}, "frobnicate");
  expect_bad_input({"explode", good}, "unknown subcommand 'explode'");

  const RowMatrix x = test::points({{0, 1}, {1, 0}, {2, 2}});
  const auto empty = test::scratch_path("no_layers.h5");
  io::write_matrices(empty, "/", {{"weights", x}}, io::Precision::double_);
  expect_bad_input({"analyze", empty, "--k", "1"}, "no layer_NN datasets");

  const auto ragged = test::scratch_path("ragged_cli.h5");
  io::write_matrices(ragged, "/", {{"layer_01", x}, {"layer_02", test::points({{1}, {2}})}},
                     io::Precision::double_);
  expect_bad_input({"analyze", ragged, "--k", "1"}, "layer_02 has 2 rows but layer_01 has 3");

  RowMatrix bad = x;
  bad(1, 0) = std::numeric_limits<double>::quiet_NaN();
  const auto nan = test::scratch_path("nan_cli.h5");
  io::write_matrices(nan, "/", {{"layer_01", bad}}, io::Precision::double_);
  expect_bad_input({"analyze", nan, "--k", "1"}, "layer_01 row 1 column 0 is NaN");
}

TEST_CASE("ricci-query without arguments prints usage and exits 2 and --help exits 0", "[query]") {
  CHECK(test::run_query({}).code == 2);
  const auto help = test::run_query({"--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Contains("analyze"));
  CHECK(test::run_query({"analyze", "--help"}).code == 0);
}

TEST_CASE("analyze reports each finished layer on stderr (issue 11 #17)", "[query][analyze]") {
  const auto quiet = test::run_query({"analyze", line_stack(), "--k", "1,2", "--format", "json"});
  const auto loud = test::run_query(
      {"analyze", line_stack(), "--k", "1,2", "--format", "json", "--progress", "always"});
  REQUIRE(quiet.code == 0);
  REQUIRE(loud.code == 0);
  CHECK(quiet.err.empty());      // small stacks stay quiet by default
  CHECK(loud.out == quiet.out);  // the same numbers, coefficients included
  CHECK_THAT(loud.err, Contains("layer 1 of 3 done"));
  CHECK_THAT(loud.err, Contains("layer 3 of 3 done"));
  CHECK(std::count(loud.err.begin(), loud.err.end(), '\n') == 3);
  expect_bad_input({"analyze", line_stack(), "--k", "1", "--progress", "sometimes"}, "progress");
}

// The geometry's results do not depend on its thread count (geometry/parallel.hpp); the front end
// must not let the count into its output either. A stack big enough for several blocks of every
// parallel stage (rows, (layer, k) cells, BFS batches), two groups (stacks run one after another),
// every notion and the local coefficients.
TEST_CASE("analyze --threads: the same bytes for 1 and 3 threads", "[query][analyze][threads]") {
  const auto path = test::scratch_path("threads_stacks.h5");
  std::mt19937_64 rng(17);
  for (const std::string group : {"/a", "/b"}) {
    std::vector<std::pair<std::string, RowMatrix>> layers;
    for (int l = 1; l <= 4; ++l)
      layers.emplace_back("layer_0" + std::to_string(l), test::lattice_cloud(rng, 300, 3 + l, 6));
    io::write_matrices(path, group, layers, io::Precision::double_);
  }
  const auto run = [&](const std::string& threads, const std::string& format) {
    const auto r = test::run_query(
        {"analyze", path, "--group", "/a", "--group", "/b", "--k", "3,8,20", "--curvature",
         "forman,augmented-forman,balanced-forman,ollivier-approx,ollivier", "--local", "--threads",
         threads, "--format", format});
    INFO(r.err);
    REQUIRE(r.code == 0);
    return r.out;
  };
  const std::string one = run("1", "json");
  CHECK(nlohmann::json::parse(one)["stacks"].size() == 2);
  CHECK(run("3", "json") == one);
  CHECK(run("3", "csv") == run("1", "csv"));
  // The default (every core this process may use) too.
  const auto all = test::run_query(
      {"analyze", path, "--group", "/a", "--group", "/b", "--k", "3,8,20", "--curvature",
       "forman,augmented-forman,balanced-forman,ollivier-approx,ollivier", "--local", "--format",
       "json"});
  REQUIRE(all.code == 0);
  CHECK(all.out == one);
}

TEST_CASE("analyze --threads refuses a count below 1 or not a number, naming it",
          "[query][analyze][threads][errors]") {
  const auto good = line_stack();
  expect_bad_input({"analyze", good, "--k", "1", "--threads", "0"},
                   "--threads '0': threads = 0 must satisfy 1 <= threads <= 4096");
  expect_bad_input({"analyze", good, "--k", "1", "--threads", "-2"},
                   "--threads '-2': threads = -2 must satisfy 1 <= threads <= 4096");
  expect_bad_input({"analyze", good, "--k", "1", "--threads", "abc"},
                   "--threads: 'abc' is not an integer");
  expect_bad_input({"analyze", good, "--k", "1", "--threads", "2.5"},
                   "--threads: '2.5' is not an integer");
  expect_bad_input({"analyze", good, "--k", "1", "--threads", "99999999999"},
                   "--threads '99999999999': threads = ");
  expect_bad_input({"analyze", good, "--k", "1", "--threads", ""}, "--threads");
}

TEST_CASE("analysis options: threads default to the cores this process may use",
          "[query][analyze][threads]") {
  cli::AnalysisOptionText text;
  text.k = "1";
  CHECK(cli::analysis_options_from(text).threads == geometry::available_cores());
  text.threads = "3";
  CHECK(cli::analysis_options_from(text).threads == 3);
  text.threads = "4096";
  CHECK(cli::analysis_options_from(text).threads == 4096);
  text.threads = "4097";
  CHECK_THROWS_WITH(cli::analysis_options_from(text),
                    "[cli] --threads '4097': threads = 4097 must satisfy 1 <= threads <= 4096");
}

TEST_CASE("analyze --memory-limit: units, a refusal with the estimate, bad sizes named",
          "[query][analyze][memory]") {
  cli::AnalysisOptionText text;
  text.k = "1";
  CHECK(cli::analysis_options_from(text).memory_limit == cli::physical_memory());
  CHECK(cli::physical_memory() > 0);
  text.memory_limit = "4G";
  CHECK(cli::analysis_options_from(text).memory_limit == 4000000000u);
  text.memory_limit = "2GiB";
  CHECK(cli::analysis_options_from(text).memory_limit == 2147483648u);
  text.memory_limit = "1.5M";
  CHECK(cli::analysis_options_from(text).memory_limit == 1500000u);
  text.memory_limit = "123456";
  CHECK(cli::analysis_options_from(text).memory_limit == 123456u);

  const auto good = line_stack();
  const auto refused = test::run_query({"analyze", good, "--k", "1", "--memory-limit", "1K"});
  CHECK(refused.code != 0);
  CHECK_THAT(refused.err, Contains("need about") && Contains("memory limit of 1e-06 GB"));
  CHECK(test::run_query({"analyze", good, "--k", "1", "--memory-limit", "1G"}).code == 0);
  for (const char* bad : {"abc", "4X", "0", "G", "-5M", ""})
    expect_bad_input({"analyze", good, "--k", "1", "--memory-limit", bad}, "--memory-limit");
}
