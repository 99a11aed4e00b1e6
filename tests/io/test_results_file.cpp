// The results file round trip: ResultsFile writes runs (serially, without MPI), read_results_table
// reads every registered column back, validate_results accepts the file, and each value is the one
// written by hand here.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/io/results_file.hpp"
#include "ricci/io/results_table.hpp"
#include "ricci/io/schema.hpp"

using namespace ricci;
using namespace ricci::io;
using Catch::Matchers::Contains;

namespace {

constexpr index_t n_test = 6;

RunIdentity identity(const std::string& problem, int depth, std::vector<index_t> k) {
  return {.problem = problem,
          .architecture = "narrow",
          .depth = depth,
          .seed = 40u + static_cast<std::uint64_t>(depth),
          .threshold = 0.6,
          .n_test = n_test,
          .widths = std::vector<int>(static_cast<std::size_t>(depth), 2),
          .k = std::move(k)};
}

ResultsLayout three_runs() {
  ResultsLayout layout;
  layout.runs = {identity("synthetic-a", 5, {3, 5}), identity("synthetic-b", 6, {3}),
                 identity("synthetic-a", 5, {3, 5})};
  layout.k_slots = 2;
  layout.layers = 6;
  layout.epochs = 3;
  layout.store_activations = true;
  layout.store_nodes = true;
  layout.attributes = {{"job", "[sweep]\nname = t\n"},
                       {"job_without_paths", "[sweep]\n"},
                       {"tool", "test"},
                       {"tool_version", "0"},
                       {"graph", "union"}};
  return layout;
}

// A done run with hand-made values: at k slot s and layer l, g = 100 - 3l^2 + s and Ric = -(l + s)
// with a kink at layer 2, so the coefficient is defined and not perfect.
RunRecord done_run(index_t id, const RunIdentity& run) {
  RunRecord r;
  r.id = id;
  r.status = RunStatus::done;
  r.rank = 3;
  r.training.completed = true;
  r.training.history = {{0.7, 0.55, 0.69, 0.5}, {0.4, 0.8, 0.45, 0.75}};
  r.training.test_accuracy = 0.875;
  r.training.train_accuracy = 0.9;
  r.training.val_accuracy = 0.85;
  r.training.seconds = 1.5;
  r.geometry_seconds = 0.25;
  for (int l = 0; l < run.depth; ++l) {
    RowMatrix x(n_test, 2);
    for (index_t i = 0; i < n_test; ++i) x.row(i) << 0.5 * i + l, 0.25 * i * i;
    r.activations.hidden.push_back(x);
  }
  r.activations.probability = {0.1, 0.2, 0.3, 0.6, 0.7, 0.8};
  r.labels = {0, 0, 0, 1, 1, 1};
  for (std::size_t s = 0; s < run.k.size(); ++s) {
    geometry::MeasuresAtK at_k;
    at_k.k = run.k[s];
    at_k.notions = {geometry::CurvatureNotion::forman};
    std::vector<double> g, ric;
    for (int l = 0; l < run.depth; ++l) {
      geometry::LayerMeasures layer;
      layer.edges = 10 + l;
      layer.components = 1;
      layer.unreachable_pairs = 0;
      const double total = -(l + static_cast<double>(s)) - (l == 2 ? 3 : 0);
      layer.curvature = {{geometry::CurvatureNotion::forman, total,
                          std::vector<double>(n_test, -static_cast<double>(l))}};
      layer.g = 100.0 - 3 * l * l + static_cast<double>(s);
      layer.node_distance_sum.assign(n_test, 2.0 * l);
      g.push_back(layer.g);
      ric.push_back(total);
      at_k.layers.push_back(layer);
    }
    at_k.eta.assign(1, std::nan(""));  // no input layer: paper convention
    for (double eta : geometry::eta_from_geodesic_mass(g)) at_k.eta.push_back(eta);
    at_k.coefficients = {geometry::ricci_coefficient(g, ric)};
    r.measures.push_back(at_k);
  }
  return r;
}

std::string write_three_runs(const std::string& name) {
  const auto path = test::scratch_path(name);
  const ResultsLayout layout = three_runs();
  auto file = ResultsFile::create(path, layout);
  file.write_run(done_run(0, layout.runs[0]));
  RunRecord failed;
  failed.id = 1;
  failed.status = RunStatus::failed;
  failed.rank = 2;
  failed.error = "[nn] the loss is not finite at epoch 2, batch 7";
  // It trained (one epoch) and then failed: its training outcome is recorded.
  failed.training.completed = true;
  failed.training.history = {{0.9, 0.5, 0.9, 0.5}};
  file.write_run(failed);
  file.close();  // run 2 stays pending
  return path;
}

}  // namespace

TEST_CASE("a results file round-trips every registered column", "[io]") {
  const auto path = write_three_runs("three_runs.h5");
  const ResultsTable t = read_results_table(path, AttemptsTable::read);
  REQUIRE(t.schema_version == schema_version);
  REQUIRE(t.runs == 3);
  CHECK(t.k_slots == 2);
  CHECK(t.layers == 6);
  CHECK(t.epochs == 3);
  CHECK(t.store_activations);
  CHECK(t.store_nodes);
  CHECK(t.graph == "union");
  for (const Column& column : results_columns()) CHECK(t.columns.count(std::string(column.path)));

  // Identity, written at creation for every run.
  CHECK(t.integers("/runs/id") == std::vector<std::int64_t>{0, 1, 2});
  CHECK(t.strings("/runs/problem") ==
        std::vector<std::string>{"synthetic-a", "synthetic-b", "synthetic-a"});
  CHECK(t.integers("/runs/depth") == std::vector<std::int64_t>{5, 6, 5});
  CHECK(t.unsigned_integers("/runs/seed") == std::vector<std::uint64_t>{45, 46, 45});
  CHECK(t.integers("/flow/k") == std::vector<std::int64_t>{3, 5, 3, -1, 3, 5});
  CHECK(t.k_values(1) == std::vector<index_t>{3});
  CHECK(t.k_slot_of(0, 5) == std::optional<std::size_t>{1});
  CHECK_FALSE(t.k_slot_of(1, 5));

  // Status and outcome.
  CHECK(t.is_done(0));
  CHECK(t.is_failed(1));
  CHECK(t.status_code(2) == 0);
  CHECK(t.integers("/runs/rank") == std::vector<std::int64_t>{3, 2, -1});
  CHECK(t.integers("/runs/epochs") == std::vector<std::int64_t>{2, 1, 0});
  CHECK(t.reals("/runs/test_accuracy")[0] == 0.875);
  CHECK(t.reals("/runs/geometry_seconds")[0] == 0.25);
  CHECK(std::isnan(t.reals("/runs/geometry_seconds")[1]));  // failed: no geometry
  CHECK(t.reals("/runs/test_accuracy")[1] == 0.0);          // trained before it failed
  CHECK(std::isnan(t.reals("/runs/test_accuracy")[2]));     // pending
  CHECK(t.strings("/runs/error")[1] == "[nn] the loss is not finite at epoch 2, batch 7");
  CHECK(t.strings("/runs/error")[0].empty());

  // History: two epochs of run 0, one of the failed run, NaN elsewhere.
  const auto& loss = t.reals("/history/loss");
  CHECK(loss[0] == 0.7);
  CHECK(loss[1] == 0.4);
  CHECK(std::isnan(loss[2]));
  CHECK(loss[3] == 0.9);
  CHECK(std::isnan(loss[4]));
  CHECK(t.reals("/history/val_accuracy")[1] == 0.75);

  // Geometry of run 0 at k slot 1, layer 2: g = 100 - 12 + 1, Ric = -(2 + 1) - 3.
  CHECK(t.reals("/flow/g")[t.index(0, 1, 2)] == 89.0);
  CHECK(t.reals("/flow/ric")[t.index(0, 1, 2)] == -6.0);
  CHECK(t.reals("/flow/edges")[t.index(0, 1, 4)] == 14.0);
  CHECK(std::isnan(t.reals("/flow/g")[t.index(0, 1, 5)]));  // beyond depth 5
  CHECK(std::isnan(t.reals("/flow/g")[t.index(1, 0, 0)]));  // failed run
  CHECK_FALSE(t.excluded(0, 0));
  const auto expected =
      geometry::ricci_coefficient(t.layers_of("/flow/g", 0, 1), t.layers_of("/flow/ric", 0, 1));
  REQUIRE(expected.reason == geometry::CoefficientReason::none);
  CHECK(t.reals("/flow/rho")[t.index(0, 1)] == expected.rho);
  CHECK(t.integers("/flow/reason")[t.index(0, 1)] == static_cast<int>(expected.reason));
  CHECK(t.integers("/flow/reason")[t.index(1, 0)] == -1);

  // The file passes every structural and value rule.
  const Validation validation = validate_results(path);
  CHECK(validation.valid());
  CHECK(validation.problems.empty());
  CHECK(validation.schema_version == schema_version);
}

TEST_CASE("a run that does not fit the file is refused before its status is set", "[io]") {
  const auto path = test::scratch_path("misfit.h5");
  const ResultsLayout layout = three_runs();
  auto file = ResultsFile::create(path, layout);
  RunRecord out_of_range = done_run(0, layout.runs[0]);
  out_of_range.id = 3;
  CHECK_THROWS_WITH(file.write_run(out_of_range), Contains("run 3 is outside the file's 3 runs"));
  RunRecord too_few_points = done_run(2, layout.runs[2]);
  too_few_points.labels.pop_back();
  CHECK_THROWS_WITH(file.write_run(too_few_points),
                    Contains("/run_data/r000002/labels holds 6 values but the run has 5"));
  RunRecord too_many_k = done_run(0, identity("synthetic-a", 5, {3, 4, 5}));
  CHECK_THROWS_WITH(file.write_run(too_many_k), Contains("has 3 k values but"));
  file.close();
  const ResultsTable t = read_results_table(path);
  CHECK(t.integers("/runs/status") == std::vector<std::int64_t>{0, 0, 0});
}

TEST_CASE("results_schema/layout.json is the registry's layout", "[io]") {
  std::ifstream in(std::string(RICCI_SOURCE_DIR) + "/results_schema/layout.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  INFO("regenerate it: ricci-query schema > results_schema/layout.json");
  CHECK(text.str() == layout_json());
}

TEST_CASE("io leaves the host program's HDF5 error printing as it found it", "[io]") {
  struct Counter {
    static herr_t count(hid_t, void* calls) {
      ++*static_cast<int*>(calls);
      return 0;
    }
  };
  int calls = 0;
  H5E_auto2_t saved_function = nullptr;
  void* saved_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &saved_function, &saved_data);
  H5Eset_auto2(H5E_DEFAULT, &Counter::count, &calls);

  const auto not_hdf5 = test::scratch_path("not_hdf5.h5");
  std::ofstream(not_hdf5) << "plain text";
  CHECK_THROWS_WITH(read_results_table(not_hdf5), Contains("is not an HDF5 file"));
  CHECK_THROWS_AS(ResultsFile::open(write_three_runs("quiet.h5"), false).attribute("missing"),
                  ricci::Error);
  CHECK(calls == 0);  // io's own failed probes printed nothing through the host's handler

  H5E_auto2_t function = nullptr;
  void* data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &function, &data);
  CHECK(function == &Counter::count);
  CHECK(data == &calls);
  H5Eset_auto2(H5E_DEFAULT, saved_function, saved_data);
}

// Schema 5: the notions axis in the file's order (not the record's), a notion a k slot lacks
// (ollivier_k) as NaN and reason -1, and the local coefficients, each value the one made here.
TEST_CASE("a results file round-trips the notions and local coefficients", "[io]") {
  using geometry::CurvatureNotion;
  const auto path = test::scratch_path("notions.h5");
  ResultsLayout layout = three_runs();
  layout.store_nodes = false;
  layout.notions = {CurvatureNotion::augmented_forman, CurvatureNotion::forman};
  layout.local = true;
  RunRecord record = done_run(0, layout.runs[0]);
  record.notions = layout.notions;
  // Slot 0 has both notions (augmented: Ric doubled), slot 1 Forman only.
  geometry::MeasuresAtK& both = record.measures[0];
  both.notions = {CurvatureNotion::forman, CurvatureNotion::augmented_forman};
  std::vector<double> augmented;
  for (auto& layer : both.layers) {
    layer.curvature.push_back(
        {CurvatureNotion::augmented_forman, 2 * layer.curvature[0].total, {}});
    augmented.push_back(2 * layer.curvature[0].total);
  }
  both.coefficients.push_back(geometry::coefficient_of_transitions(both.eta, augmented));
  const std::size_t transitions = both.layers.size() - 1;
  geometry::LocalCoefficients forman_local;
  forman_local.mean = -0.25;
  forman_local.negative_share = 0.75;
  forman_local.defined = 4;
  forman_local.undefined = 2;
  forman_local.unreachable = 1;
  forman_local.layer_rho.assign(transitions, -0.5);
  forman_local.layer_reason.assign(transitions, geometry::LocalReason::none);
  geometry::LocalCoefficients augmented_local = forman_local;
  augmented_local.notion = CurvatureNotion::augmented_forman;
  augmented_local.mean = NAN;
  augmented_local.negative_share = NAN;
  augmented_local.defined = 0;
  augmented_local.undefined = 6;
  augmented_local.reason = geometry::LocalReason::no_defined_point;
  augmented_local.layer_rho[1] = NAN;
  both.local = {forman_local, augmented_local};
  record.measures[1].local = {forman_local};
  {
    auto file = ResultsFile::create(path, layout);
    file.write_run(record);
    file.close();
  }
  const ResultsTable t = read_results_table(path);
  REQUIRE(t.notions == layout.notions);
  CHECK(t.local);
  CHECK_FALSE(t.all_layers);
  CHECK(t.list_layers == 6);
  const std::size_t forman = 1, aug = 0;
  // Ric per notion: the file's order, whatever the record's.
  CHECK(t.reals("/notions/ric")[t.notion_index(0, 0, forman, 2)] == -5.0);
  CHECK(t.reals("/notions/ric")[t.notion_index(0, 0, aug, 2)] == -10.0);
  CHECK(std::isnan(t.reals("/notions/ric")[t.notion_index(0, 0, aug, 5)]));  // beyond depth 5
  CHECK(std::isnan(t.reals("/notions/ric")[t.notion_index(0, 1, aug, 0)]));  // not at k slot 1
  CHECK(t.integers("/notions/reason")[t.notion_index(0, 1, aug)] == -1);
  CHECK_FALSE(t.has_notion(0, 1, aug));
  CHECK(t.has_notion(0, 1, forman));
  CHECK(t.notion_value("/notions/rho", 0, 0, aug) == both.coefficients[1].rho);
  CHECK(t.notion_value("/notions/rho", 0, 1, forman) == t.reals("/flow/rho")[t.index(0, 1)]);
  // Local coefficients.
  CHECK(t.notion_value("/local/mean", 0, 0, forman) == -0.25);
  CHECK(t.notion_value("/local/negative_share", 0, 1, forman) == 0.75);
  CHECK(t.notion_value("/local/unreachable", 0, 0, forman) == 1.0);
  CHECK(std::isnan(t.notion_value("/local/mean", 0, 0, aug)));
  CHECK(t.integers("/local/reason")[t.notion_index(0, 0, aug)] ==
        static_cast<int>(geometry::LocalReason::no_defined_point));
  const auto rho = t.list_layers_of("/local/layer_rho", 0, 0, aug);
  REQUIRE(rho.size() == 5);
  CHECK(rho[0] == -0.5);
  CHECK(std::isnan(rho[1]));
  CHECK(std::isnan(rho[4]));  // the last layer starts no transition
  // The failed and pending runs hold the fill.
  CHECK(std::isnan(t.notion_value("/local/mean", 2, 0, forman)));
  const Validation validation = validate_results(path);
  INFO((validation.problems.empty() ? std::string() : validation.problems.front()));
  CHECK(validation.valid());

  // A record whose notion list is not the file's cannot store per-node local series.
  layout.store_nodes = true;
  auto file = ResultsFile::create(test::scratch_path("notions_nodes.h5"), layout);
  record.notions = {CurvatureNotion::forman, CurvatureNotion::augmented_forman};
  CHECK_THROWS_WITH(file.write_run(record),
                    Contains("has the notions forman,augmented-forman but") &&
                        Contains("stores augmented-forman,forman"));
  file.close();
}

TEST_CASE("schema 6: provenance attributes are replaced, and /runs/session names the writer",
          "[io]") {
  const auto path = test::scratch_path("provenance.h5");
  const ResultsLayout layout = three_runs();
  auto file = ResultsFile::create(path, layout);
  // Created empty, then replaced by longer and shorter text (a fixed-length string cannot grow).
  CHECK(file.has_attribute("sessions"));
  CHECK(file.attribute("sessions").empty());
  file.set_attribute("sessions", R"([{"action":"create"}])");
  file.set_attribute("sessions", R"([{"action":"create"},{"action":"resume","host":"node7"}])");
  file.set_attribute("completed", "2026-11-27T10:50:08Z");
  // Hundreds of resumes: past the 64 KiB an object header message holds.
  const std::string long_text(200000, 'x');
  file.set_attribute("builds", long_text);
  CHECK_THROWS_WITH(file.set_attribute("schema_version", "7"),
                    Contains("'schema_version' is not a string attribute"));
  CHECK_THROWS_WITH(file.set_attribute("no_such", "x"), Contains("'no_such' is not a string"));
  RunRecord record = done_run(0, layout.runs[0]);
  record.session = 1;
  file.write_run(record);
  file.close();

  {
    const auto reread = ResultsFile::open(path, false);
    CHECK(reread.file_version() == 6);
    CHECK(reread.attribute("sessions") ==
          R"([{"action":"create"},{"action":"resume","host":"node7"}])");
    CHECK(reread.attribute("completed") == "2026-11-27T10:50:08Z");
    CHECK(reread.attribute("builds") == long_text);
    CHECK(reread.run_sessions() == std::vector<int>{1, -1, -1});
    CHECK(!hdf5_library_version().empty());
    CHECK(hdf5_library_version() == std::to_string(H5_VERS_MAJOR) + "." +
                                        std::to_string(H5_VERS_MINOR) + "." +
                                        std::to_string(H5_VERS_RELEASE));
  }
}

TEST_CASE("a run marked running, its attempts and the capacity of the attempts table", "[io]") {
  const auto path = test::scratch_path("attempts.h5");
  const ResultsLayout layout = three_runs();
  auto file = ResultsFile::create(path, layout);
  REQUIRE(file.records_attempts());
  // Run 2: ten attempts; the table keeps attempts 1..3 in rows 0..2 and the latest (10) in row 3.
  for (int a = 1; a <= 10; ++a) {
    AttemptRecord attempt{.id = 2,
                          .attempt = a,
                          .rank = a,
                          .host = "node" + std::to_string(a),
                          .slurm_job_id = "4711",
                          .started_at = 1000.0 + a,
                          .ended_at = std::nan(""),
                          .outcome = AttemptOutcome::running,
                          .message = ""};
    file.mark_running(attempt, 2);
    attempt.ended_at = 1000.5 + a;
    attempt.outcome = a < 10 ? AttemptOutcome::transient : AttemptOutcome::done;
    attempt.message = a < 10 ? "out of memory " + std::to_string(a) : "";
    file.write_attempt(attempt);
  }
  // Run 1: marked running and abandoned on purpose (back to pending); run 0 left running.
  const auto first_attempt = [](index_t id, int rank, double started_at) {
    AttemptRecord attempt;
    attempt.id = id;
    attempt.rank = rank;
    attempt.host = "n" + std::to_string(rank);
    attempt.started_at = started_at;
    return attempt;
  };
  file.mark_running(first_attempt(1, 1, 5.0), 0);
  file.mark_pending(1);
  file.mark_running(first_attempt(0, 4, 7.0), 3);
  CHECK(file.attempt_counts() == std::vector<std::int64_t>{1, 1, 10});
  CHECK(file.failure_classes() == std::vector<FailureClass>(3, FailureClass::none));
  // Run 1 again, failing transiently: its class is recorded with the run (and checksummed).
  RunRecord failed;
  failed.id = 1;
  failed.status = RunStatus::failed;
  failed.error = "std::bad_alloc";
  failed.failure = FailureClass::transient;
  failed.rank = 1;
  failed.attempts = 2;
  file.write_run(failed);
  CHECK(file.failure_classes() ==
        std::vector<FailureClass>{FailureClass::none, FailureClass::transient, FailureClass::none});
  CHECK(std::get<std::string>(file.read_cell("/runs/host", 0)) == "n4");
  CHECK(std::get<std::int64_t>(file.read_cell("/runs/slurm_restart_count", 0)) == 3);
  CHECK(std::get<double>(file.read_cell("/attempts/started_at", 2, 3)) == 1010.0);
  CHECK_THROWS_WITH(file.read_cell("/attempts/started_at", 2, 4), Contains("outside"));
  file.close();

  CHECK(read_results_table(path).columns.count("/attempts/outcome") == 0);  // only when asked for
  const ResultsTable t = read_results_table(path, AttemptsTable::read);
  REQUIRE(t.attempts == static_cast<std::size_t>(attempt_capacity));
  CHECK(t.integers("/runs/status") == std::vector<std::int64_t>{3, 2, 3});
  CHECK(t.integers("/runs/attempts") == std::vector<std::int64_t>{1, 2, 10});
  CHECK(t.integers("/runs/failure") == std::vector<std::int64_t>{0, 2, 0});
  const auto row = [&](std::size_t run, std::size_t a) { return run * t.attempts + a; };
  const auto& outcome = t.integers("/attempts/outcome");
  for (std::size_t a = 0; a < 3; ++a) {
    INFO("row " << a);
    CHECK(outcome[row(2, a)] == static_cast<std::int64_t>(AttemptOutcome::transient));
    CHECK(t.integers("/attempts/rank")[row(2, a)] == static_cast<std::int64_t>(a + 1));
    CHECK(t.strings("/attempts/message")[row(2, a)] == "out of memory " + std::to_string(a + 1));
    CHECK(t.reals("/attempts/ended_at")[row(2, a)] == 1000.5 + static_cast<double>(a + 1));
  }
  CHECK(outcome[row(2, 3)] == static_cast<std::int64_t>(AttemptOutcome::done));
  CHECK(t.strings("/attempts/host")[row(2, 3)] == "node10");
  CHECK(t.strings("/attempts/slurm_job_id")[row(2, 3)] == "4711");
  CHECK(outcome[row(0, 0)] == static_cast<std::int64_t>(AttemptOutcome::running));
  CHECK(outcome[row(0, 1)] == -1);  // padding
  CHECK(t.integers("/attempts/rank")[row(0, 1)] == -1);
  CHECK(std::isnan(t.reals("/runs/ended_at")[0]));
  CHECK(std::isnan(t.reals("/runs/started_at")[1]));  // the failed record has none
  CHECK(t.integers("/runs/rank") == std::vector<std::int64_t>{4, 1, 10});
  // Running rows are not done, and the validator accepts them (no rule applies before status).
  CHECK_FALSE(t.is_done(0));
  CHECK_FALSE(t.is_failed(0));
  CHECK(validate_results(path).valid());
}
