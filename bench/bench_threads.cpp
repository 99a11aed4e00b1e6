// Threads and processes on one node, geometry only (no HDF5, no MPI), so that it links statically
// and runs on a borrowed machine as one file (-DRICCI_STATIC_BENCH=ON):
//
//   bench_threads [--n 2000] [--layers 5] [--width 50] [--k 10,20,...,500] [--threads 1,2,4,8,16]
//                 [--processes 1,8,16] [--networks 4] [--repeats 3] [--task-times FILE]
//
// Stack A of bench/RESULTS.md by default (bench_support.hpp, built in memory). --threads: the full
// grid of one network at each thread count, best of --repeats, every count checked field by field
// against one thread. --processes: P forked one-thread processes each measuring --networks
// networks; networks per second of the node. --task-times: instead, the one-thread time of every
// task the threads share (a layer's kNN and the join of its row blocks; a cell's graph build,
// curvature and all-pairs BFS), best of --repeats, one line each, for bench/project_threads.py.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/geometry/parallel.hpp"

using namespace ricci;
using Clock = std::chrono::steady_clock;

namespace {

// "knn <layer> <seconds>", "join <layer> <zeroed allocation seconds> <copy seconds>",
// "cell <layer> <k> <build> <curvature> <bfs> <whole cell>" and "stack <seconds>": what
// measure_stack's tasks, and measure_stack itself, cost on one thread.
int write_task_times(const char* path, const std::vector<RowMatrix>& stack,
                     const geometry::MeasureOptions& options, int repeats) {
  std::FILE* out = std::fopen(path, "w");
  if (!out) {
    std::perror(path);
    return 1;
  }
  const index_t k_max = *std::max_element(options.k.begin(), options.k.end());
  std::fprintf(out, "n %lld\n", static_cast<long long>(stack.front().rows()));
  for (std::size_t l = 0; l < stack.size(); ++l) {
    const geometry::LayerView points(stack[l]);
    geometry::NeighbourLists lists;
    std::fprintf(out, "knn %zu %.9f\n", l,
                 bench::best_seconds(repeats, [&] { lists = geometry::exact_knn(points, k_max); }));
    // The join of threaded row blocks: zeroed arrays of every entry, then the blocks' copies.
    const std::size_t entries = static_cast<std::size_t>(lists.entries());
    std::vector<index_t> from_index(entries, 1);
    std::vector<double> from_distance(entries, 1.0);
    double allocation = 1e300, copy = 1e300;
    for (int r = 0; r < repeats; ++r) {
      auto t0 = Clock::now();
      std::vector<index_t> index(entries);
      std::vector<double> distance(entries);
      allocation = std::min(allocation, bench::seconds_since(t0));
      t0 = Clock::now();
      std::copy(from_index.begin(), from_index.end(), index.begin());
      std::copy(from_distance.begin(), from_distance.end(), distance.begin());
      copy = std::min(copy, bench::seconds_since(t0));
    }
    std::fprintf(out, "join %zu %.9f %.9f\n", l, allocation, copy);
    for (index_t k : options.k) {
      geometry::LayerGraph graph;
      const double build = bench::best_seconds(
          repeats, [&] { graph = geometry::build_knn_graph(lists, k, options.rule); });
      const double curvature = bench::best_seconds(repeats, [&] {
        (void)geometry::measure_curvatures(graph, options.curvatures, options.per_node);
      });
      const double bfs = bench::best_seconds(
          repeats, [&] { (void)geometry::all_pairs_geodesics(graph.adjacency); });
      // The cell as measure_stack runs it: the parts and what joins them (allocations, sums).
      const double whole = bench::best_seconds(repeats, [&] {
        (void)geometry::measure_layer(lists, k, options.rule, options.curvatures, options.per_node);
      });
      std::fprintf(out, "cell %zu %lld %.9f %.9f %.9f %.9f\n", l, static_cast<long long>(k), build,
                   curvature, bfs, whole);
    }
  }
  // The whole stack on one thread: what the tasks above leave out is the difference.
  std::fprintf(out, "stack %.9f\n", bench::best_seconds(repeats, [&] {
                 (void)geometry::measure_stack(stack, options);
               }));
  std::fclose(out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bench::StackArgs args{.threads = {1, 2, 4, 8, 16}};
  int networks = 4;
  std::string task_times;
  std::vector<int> process_counts{1, 8, 16};
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string key = argv[a], value = argv[a + 1];
    if (args.take(key, value)) continue;
    if (key == "--processes")
      process_counts = bench::parse_list(value);
    else if (key == "--networks")
      networks = std::stoi(value);
    else if (key == "--task-times")
      task_times = value;
    else {
      std::fprintf(stderr, "bench_threads: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  const auto stack = bench::relu_stack(args.n, args.layers, args.width, bench::stack_seed);
  geometry::MeasureOptions options;
  options.k.assign(args.k.begin(), args.k.end());
  std::printf("stack: n = %d, %d layers x %d, %zu k; this process may use %d cores\n", args.n,
              args.layers, args.width, args.k.size(), geometry::available_cores());
  if (!task_times.empty())
    return write_task_times(task_times.c_str(), stack, options, args.repeats);

  std::vector<geometry::MeasuresAtK> one;
  double one_wall = 0;
  for (int threads : args.threads) {
    options.threads = threads;
    std::vector<geometry::MeasuresAtK> got;
    double best = 1e300;
    for (int r = 0; r < args.repeats; ++r) {
      const auto t0 = Clock::now();
      got = geometry::measure_stack(stack, options);
      best = std::min(best, bench::seconds_since(t0));
    }
    if (one.empty()) {
      one = got;
      one_wall = best;
    }
    std::printf("%3d threads: %.3f s wall, speed-up %.2fx over %d, %.2f networks/s | %s\n", threads,
                best, one_wall / best, args.threads.front(), 1.0 / best,
                bench::identical_measures(got, one) ? "identical" : "DIFFERENT");
    std::fflush(stdout);
  }

  // One thread in each child: it never enters an OpenMP region, so the parent's thread team (which
  // GCC's libgomp does not carry across a fork) is never needed there.
  options.threads = 1;
  for (int processes : process_counts) {
    std::fflush(stdout);
    const auto t0 = Clock::now();
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
      const pid_t child = fork();
      if (child == 0) {
        for (int i = 0; i < networks; ++i) (void)geometry::measure_stack(stack, options);
        std::_Exit(0);
      }
      if (child < 0) {
        std::perror("bench_threads: fork");
        return 1;
      }
      children.push_back(child);
    }
    bool failed = false;
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    const double wall = bench::seconds_since(t0);
    std::printf("%3d processes x %d networks, 1 thread each: %.3f s wall, %.2f networks/s%s\n",
                processes, networks, wall, processes * networks / wall,
                failed ? " (a process FAILED)" : "");
  }
  return 0;
}
