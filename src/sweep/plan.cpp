#include "ricci/sweep/plan.hpp"

#include <algorithm>
#include <numeric>

#include "ricci/core/error.hpp"
#include "ricci/core/random.hpp"
#include "ricci/io/schema.hpp"
#include "ricci/geometry/knn.hpp"
#include "ricci/nn/architecture.hpp"

namespace ricci::sweep {

std::string RunSpec::stream_identity() const {
  return RunStreams::identity(identity.problem, identity.architecture, identity.depth);
}

std::vector<ProblemShape> probe_problems(const JobSpec& job) {
  std::vector<ProblemShape> shapes;
  for (const auto& name : job.problems) {
    ProblemShape shape;
    shape.problem = data::parse_problem(name);
    // Sizes do not depend on the seed (synthetic draws are fixed-size, splits fixed-fraction).
    const data::Dataset d = data::load_problem(shape.problem, job.data_options(name), 0);
    shape.n_test = static_cast<index_t>(d.test_x.rows());
    shape.n_train = static_cast<index_t>(d.train_x.rows());
    shape.input_dim = static_cast<int>(d.train_x.cols());
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

Plan make_plan(const JobSpec& job, std::vector<ProblemShape> shapes) {
  Plan plan;
  plan.shapes = std::move(shapes);
  // The history axis keeps at least one epoch: HDF5 datasets cannot be created with a zero extent,
  // and a job of untrained networks only leaves that one column NaN.
  plan.max_epochs = std::max(job.train.epochs, 1);
  for (const ProblemShape& shape : plan.shapes) {
    const auto& name = shape.problem.name;
    const auto ks = job.k_for(shape.problem);
    for (index_t k : ks) {
      try {
        geometry::validate_k(k, shape.n_test);
      } catch (const Error&) {
        throw Error("sweep", "k = " + std::to_string(k) + " is out of range for " + name +
                                 ", which has n_test = " + std::to_string(shape.n_test) +
                                 " points (need 1 <= k <= " + std::to_string(shape.n_test - 1) +
                                 ")");
      }
    }
    const auto settings = job.problem_settings.find(name);
    const double threshold = settings != job.problem_settings.end()
                                 ? settings->second.threshold
                                 : shape.problem.default_threshold;
    for (const auto& arch : job.architectures)
      for (int depth : job.depths) {
        const auto widths = nn::hidden_widths(arch, depth);
        // An untrained control follows its trained twin, so the two sit in adjacent rows.
        const std::vector<bool> variants = job.controls == Controls::untrained
                                               ? std::vector<bool>{false, true}
                                               : std::vector<bool>{false};
        for (std::uint64_t seed : job.seeds)
          for (bool untrained : variants) {
            RunSpec run;
            run.id = static_cast<index_t>(plan.runs.size());
            run.identity = {.problem = name,
                            .architecture = arch,
                            .depth = depth,
                            .seed = seed,
                            .threshold = threshold,
                            .n_test = shape.n_test,
                            .widths = widths,
                            .k = ks,
                            .untrained = untrained,
                            .notion_count = job.curvatures.size(),
                            .all_layers = job.all_layers};
            // Training ~ epochs x n_train x parameters; geometry ~ layers x (n^2 x width + |k| x
            // n x k).
            double params = static_cast<double>(shape.input_dim) * widths.front();
            for (std::size_t l = 1; l < widths.size(); ++l)
              params += static_cast<double>(widths[l - 1]) * widths[l];
            const double n = shape.n_test;
            double geometry = 0;
            for (index_t k : ks) geometry += n * k;
            const double epochs = untrained ? 0.0 : job.train.epochs;
            run.cost =
                6.0 * epochs * shape.n_train * params + depth * (n * n * 50.0 + 20.0 * geometry);
            plan.max_snapshots = std::max(
                plan.max_snapshots,
                static_cast<int>(job.snapshots_for(untrained ? 0 : job.train.epochs).size()));
            plan.max_depth = std::max(plan.max_depth, depth);
            plan.max_width =
                std::max(plan.max_width, *std::max_element(widths.begin(), widths.end()));
            plan.runs.push_back(std::move(run));
          }
      }
    plan.k_slots = std::max(plan.k_slots, static_cast<int>(ks.size()));
    plan.max_n_test = std::max(plan.max_n_test, shape.n_test);
  }
  if (plan.runs.empty()) throw Error("sweep", "the job expands to no runs");
  return plan;
}

std::vector<index_t> Plan::dispatch_order() const {
  std::vector<index_t> order(runs.size());
  std::iota(order.begin(), order.end(), index_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](index_t a, index_t b) { return runs[a].cost > runs[b].cost; });
  return order;
}

std::vector<bool> Plan::shard_members(const io::Shard& shard) const {
  std::vector<bool> members(runs.size(), false);
  const auto order = dispatch_order();
  const auto n = static_cast<std::size_t>(shard.count);
  for (std::size_t position = 0; position < order.size(); ++position) {
    const std::size_t round = position / n, seat = position % n;
    const std::size_t dealt_to = round % 2 == 0 ? seat : n - 1 - seat;  // 0-based shard
    if (dealt_to + 1 == static_cast<std::size_t>(shard.index))
      members[static_cast<std::size_t>(order[position])] = true;
  }
  return members;
}

double Plan::expected_bytes(const JobSpec& job, const std::optional<io::Shard>& shard) const {
  const auto table = io::table_bytes_per_run(
      static_cast<std::size_t>(k_slots), static_cast<std::size_t>(max_depth),
      static_cast<std::size_t>(max_epochs), job.curvatures.size(),
      static_cast<std::size_t>(max_depth + (job.all_layers ? 2 : 0)),
      static_cast<std::size_t>(max_snapshots));
  const std::vector<bool> with_data =
      shard ? shard_members(*shard) : std::vector<bool>(runs.size(), true);
  double total = 0;
  for (const RunSpec& run : runs)
    total +=
        static_cast<double>(table + (with_data[static_cast<std::size_t>(run.id)]
                                         ? io::run_data_bytes(run.identity, job.store_activations,
                                                              job.store_nodes, job.local)
                                         : 0));
  return total;
}

io::ResultsLayout Plan::results_layout(const JobSpec& job,
                                       std::map<std::string, std::string> attributes) const {
  io::ResultsLayout layout;
  for (const RunSpec& run : runs) layout.runs.push_back(run.identity);
  layout.k_slots = k_slots;
  layout.layers = max_depth;
  layout.epochs = max_epochs;
  layout.snapshots = max_snapshots;
  layout.store_activations = job.store_activations;
  layout.store_nodes = job.store_nodes;
  layout.notions = job.curvatures;
  layout.all_layers = job.all_layers;
  layout.local = job.local;
  layout.attributes = std::move(attributes);
  return layout;
}

}  // namespace ricci::sweep
