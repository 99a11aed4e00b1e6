#pragma once
// The expanded sweep: one RunSpec per (problem, architecture, depth, seed), identical on every
// rank.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/io/run_record.hpp"
#include "ricci/io/shards.hpp"
#include "ricci/sweep/job.hpp"

namespace ricci::sweep {

// What the plan needs to know of a problem's data before any run (probed once per problem).
struct ProblemShape {
  data::Problem problem;
  index_t n_test = 0;
  int input_dim = 0;
  index_t n_train = 0;
};

struct RunSpec {
  index_t id = 0;            // row in the results file, in plan order
  io::RunIdentity identity;  // what the results file records of the run before it executes
  double cost = 0;           // relative cost estimate, for dispatch order only

  // "problem/architecture/depth": the identity the init and shuffle streams derive from.
  std::string stream_identity() const;
};

struct Plan {
  std::vector<RunSpec> runs;
  std::vector<ProblemShape> shapes;
  int max_depth = 0, max_width = 0, max_epochs = 0;
  int max_snapshots = 0;  // the most snapshot epochs of any run
  int k_slots = 0;        // the longest k list of any run
  index_t max_n_test = 0;
  // Run ids ordered most expensive first (ties by id), the master's dispatch order.
  std::vector<index_t> dispatch_order() const;
  // Which runs belong to `shard` (ricci-sweep --shard i/n), by id. The dispatch order is dealt
  // out over the n shards in a snake (1..n, n..1, 1..n, ...), so each shard gets about as many runs
  // and as much estimated cost as the others, and the plan alone decides: any machine deals the
  // same shards.
  std::vector<bool> shard_members(const io::Shard& shard) const;
  // Bytes of the results file's raw data, from the schema registry (HDF5's metadata comes on top).
  // With `shard`: of that shard's file (every run's table rows, its own runs' per-run data).
  double expected_bytes(const JobSpec& job, const std::optional<io::Shard>& shard = {}) const;
  // The fixed sizes of its results file; `attributes` are stored as they are.
  io::ResultsLayout results_layout(const JobSpec& job,
                                   std::map<std::string, std::string> attributes) const;
};

// Loads (or sizes) each problem once to learn n_test and the input width. Throws ricci::Error
// naming the problem when its data is missing or bad.
std::vector<ProblemShape> probe_problems(const JobSpec& job);

// Expands the job in the order problems x architectures x depths x seeds. Throws ricci::Error for a
// bad architecture/depth pair or a k outside 1..n_test-1.
Plan make_plan(const JobSpec& job, std::vector<ProblemShape> shapes);

}  // namespace ricci::sweep
