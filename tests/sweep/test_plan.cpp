// sweep::make_plan: a job expanded into runs, on synthetic problems (probe_problems draws their
// data, so no files are needed), and the master's dispatch order.
#include <algorithm>
#include <catch2/catch.hpp>

#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/sweep/plan.hpp"

using namespace ricci;

namespace {

// A job on `problems` with their paper thresholds, as ricci-sweep's parser makes it.
sweep::JobSpec job_on(const std::vector<std::string>& problems) {
  sweep::JobSpec job;
  job.problems = problems;
  for (const auto& name : problems)
    job.problem_settings[name].threshold = data::parse_problem(name).default_threshold;
  return job;
}

sweep::Plan plan_of(const sweep::JobSpec& job) {
  return sweep::make_plan(job, sweep::probe_problems(job));
}

std::string plan_error(const sweep::JobSpec& job) {
  try {
    plan_of(job);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("plan: problems x architectures x depths x seeds, ids 0..N-1", "[sweep][plan]") {
  auto job = job_on({"synthetic-c", "synthetic-a"});
  job.architectures = {"wide", "narrow"};
  job.depths = {5, 3};
  job.seeds = {7, 2, 9};
  const auto plan = plan_of(job);
  REQUIRE(plan.runs.size() == 2 * 2 * 2 * 3);
  index_t id = 0;
  for (const auto& problem : job.problems)
    for (const auto& architecture : job.architectures)
      for (int depth : job.depths)
        for (std::uint64_t seed : job.seeds) {
          INFO("run " << id);
          const auto& run = plan.runs[static_cast<std::size_t>(id)];
          CHECK(run.id == id);
          CHECK(run.identity.problem == problem);
          CHECK(run.identity.architecture == architecture);
          CHECK(run.identity.depth == depth);
          CHECK(run.identity.seed == seed);
          CHECK(run.stream_identity() ==
                problem + "/" + architecture + "/" + std::to_string(depth));
          ++id;
        }
  CHECK(plan.max_depth == 5);
  CHECK(plan.max_width == 50);
  CHECK(plan.max_epochs == job.train.epochs);
  REQUIRE(plan.shapes.size() == 2);
  CHECK(plan.shapes[0].problem.name == "synthetic-c");
  CHECK(plan.shapes[1].problem.name == "synthetic-a");
}

TEST_CASE("plan: hidden widths per architecture and depth", "[sweep][plan]") {
  auto job = job_on({"synthetic-a"});
  job.architectures = {"narrow", "wide", "bottleneck"};
  job.depths = {3, 5};
  const auto plan = plan_of(job);
  REQUIRE(plan.runs.size() == 6);
  CHECK(plan.runs[0].identity.widths == std::vector<int>{25, 25, 25});
  CHECK(plan.runs[1].identity.widths == std::vector<int>{25, 25, 25, 25, 25});
  CHECK(plan.runs[2].identity.widths == std::vector<int>{50, 50, 50});
  CHECK(plan.runs[3].identity.widths == std::vector<int>{50, 50, 50, 50, 50});
  CHECK(plan.runs[4].identity.widths == std::vector<int>{50, 25, 50});
  CHECK(plan.runs[5].identity.widths == std::vector<int>{50, 50, 25, 50, 50});

  job.architectures = {"40-30-20"};
  job.depths = {3};
  CHECK(plan_of(job).runs.at(0).identity.widths == std::vector<int>{40, 30, 20});
}

TEST_CASE("plan: k grids, thresholds and n_test per problem", "[sweep][plan]") {
  auto job = job_on({"synthetic-a", "synthetic-c"});
  job.architectures = {"narrow"};
  job.depths = {3};
  job.problem_settings["synthetic-c"].threshold = 0.5;
  const auto plan = plan_of(job);
  REQUIRE(plan.runs.size() == 2);
  const auto paper_grid = data::paper_k_grid(data::parse_problem("synthetic-a"));
  REQUIRE(paper_grid.size() == 17);
  for (const auto& run : plan.runs) {
    CHECK(run.identity.k == paper_grid);
    CHECK(run.identity.n_test == 1000);
  }
  CHECK(plan.runs[0].identity.threshold == 0.99);
  CHECK(plan.runs[1].identity.threshold == 0.5);
  CHECK(plan.k_slots == 17);
  CHECK(plan.max_n_test == 1000);
  CHECK(plan.shapes[0].n_train == 1000);
  CHECK(plan.shapes[0].input_dim == 3);

  // An explicit list replaces every problem's grid.
  job.paper_k = false;
  job.k = {10, 40, 999};
  const auto explicit_k = plan_of(job);
  for (const auto& run : explicit_k.runs)
    CHECK(run.identity.k == std::vector<index_t>{10, 40, 999});
  CHECK(explicit_k.k_slots == 3);

  // A problem without settings falls back to its paper threshold.
  job.problem_settings.erase("synthetic-c");
  CHECK(plan_of(job).runs[1].identity.threshold == 0.91);
}

TEST_CASE("plan: a k outside 1..n_test-1, a bottleneck of even depth, no runs", "[sweep][plan]") {
  auto job = job_on({"synthetic-a"});
  job.architectures = {"narrow"};
  job.depths = {3};
  job.paper_k = false;
  job.k = {10, 1000};
  CHECK(plan_error(job) ==
        "[sweep] k = 1000 is out of range for synthetic-a, which has n_test = 1000 points (need "
        "1 <= k <= 999)");
  job.k = {0};
  CHECK(plan_error(job) ==
        "[sweep] k = 0 is out of range for synthetic-a, which has n_test = 1000 points (need 1 "
        "<= k <= 999)");
  job.k = {999};
  CHECK(plan_error(job) == "(no error)");

  job.architectures = {"bottleneck"};
  job.depths = {5, 4};
  CHECK(plan_error(job) == "[nn] bottleneck needs an odd depth (50...50, 25, 50...50), got 4");

  job.depths = {5};
  job.seeds.clear();
  CHECK(plan_error(job) == "[sweep] the job expands to no runs");
}

TEST_CASE("dispatch order: most expensive first, ties by id", "[sweep][plan]") {
  auto job = job_on({"synthetic-a"});
  job.architectures = {"narrow"};
  job.depths = {3, 11};
  job.seeds = {0, 1, 2};
  const auto plan = plan_of(job);
  // Deeper networks cost more; the seeds of one configuration cost the same.
  CHECK(plan.runs[3].cost > plan.runs[0].cost);
  CHECK(plan.runs[0].cost == plan.runs[1].cost);
  CHECK(plan.dispatch_order() == std::vector<index_t>{3, 4, 5, 0, 1, 2});

  sweep::Plan by_hand;
  for (double cost : {1.0, 3.0, 3.0, 2.0, 3.0}) {
    sweep::RunSpec run;
    run.id = static_cast<index_t>(by_hand.runs.size());
    run.cost = cost;
    by_hand.runs.push_back(run);
  }
  CHECK(by_hand.dispatch_order() == std::vector<index_t>{1, 2, 4, 3, 0});
}

TEST_CASE("plan: shards deal the dispatch order out in a snake, by cost", "[sweep][plan]") {
  // Seven runs whose costs are, by id, 1 7 3 5 2 6 4: the dispatch order (most expensive first) is
  // ids 1 5 3 6 2 4 0, dealt to shards 1 2 3 | 3 2 1 | 1.
  sweep::Plan plan;
  const double costs[] = {1, 7, 3, 5, 2, 6, 4};
  for (index_t id = 0; id < 7; ++id) {
    sweep::RunSpec run;
    run.id = id;
    run.cost = costs[id];
    plan.runs.push_back(run);
  }
  const auto ids = [&](int index) {
    std::vector<index_t> out;
    const auto members = plan.shard_members(io::Shard{index, 3});
    for (index_t id = 0; id < 7; ++id)
      if (members[static_cast<std::size_t>(id)]) out.push_back(id);
    return out;
  };
  CHECK(ids(1) == std::vector<index_t>{0, 1, 4});  // costs 1 + 7 + 2 = 10
  CHECK(ids(2) == std::vector<index_t>{2, 5});     // 3 + 6 = 9
  CHECK(ids(3) == std::vector<index_t>{3, 6});     // 5 + 4 = 9
  // One shard is the whole plan; more shards than runs leave the last ones empty.
  const auto whole = plan.shard_members(io::Shard{1, 1});
  CHECK(std::count(whole.begin(), whole.end(), true) == 7);
  const auto empty = plan.shard_members(io::Shard{9, 9});
  CHECK(std::count(empty.begin(), empty.end(), true) == 0);
}
