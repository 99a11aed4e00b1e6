// Geometry benchmark: all-pairs geodesics (Boost BFS vs bit-parallel) and the full per-network
// geometry over a k grid, on a ReLU activation stack written to HDF5 so peers can read the same
// data.
//
//   bench_geometry STACK.h5 [--n 2000] [--layers 5] [--width 50] [--k 10,20,...] [--repeats 3]
//                  [--threads 1,2] [--boost 1] [--extras 1] [--write-only 0]
//
// --threads: the full grid is timed at each count (wall time), checked identical to one thread.
// --boost 0 skips the Boost BFS comparison (minutes at n = 10,000); --extras 0 skips the grids with
// the local coefficients and the other notions; --write-only 1 only writes the stack.
//
// The stack is a seeded random Glorot-initialised ReLU MLP applied to two Gaussian classes in 20-D;
// if STACK.h5 exists it is read instead of generated.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/geodesics.hpp"
#include "ricci/geometry/knn.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/geometry/parallel.hpp"
#include "ricci/io/activations.hpp"

using namespace ricci;
using Clock = std::chrono::steady_clock;

namespace {

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Wall and thread CPU time of one call; keep_best keeps the smallest of each.
struct Timing {
  double wall = 1e300, cpu = 1e300;
  void keep_best(const Timing& other) {
    wall = std::min(wall, other.wall);
    cpu = std::min(cpu, other.cpu);
  }
};

template <class F>
Timing time_once(F&& f) {
  const auto t0 = Clock::now();
  const double c0 = thread_cpu_seconds();
  f();
  return {std::chrono::duration<double>(Clock::now() - t0).count(), thread_cpu_seconds() - c0};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: bench_geometry STACK.h5 [--n N] [--layers L] [--width W] [--k LIST] "
                 "[--repeats R]\n");
    return 2;
  }
  const std::string path = argv[1];
  bench::StackArgs args{.threads = {1}};
  bool boost_bfs = true, extras = true, write_only = false;
  for (int a = 2; a + 1 < argc; a += 2) {
    const std::string key = argv[a], value = argv[a + 1];
    if (args.take(key, value)) continue;
    if (key == "--boost")
      boost_bfs = value != "0";
    else if (key == "--extras")
      extras = value != "0";
    else if (key == "--write-only")
      write_only = value != "0";
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  int n = args.n;  // the stored stack's, once read
  const int layers = args.layers, width = args.width, repeats = args.repeats;
  const std::vector<index_t>& ks = args.k;
  const std::vector<int>& thread_counts = args.threads;

  if (!std::filesystem::exists(path)) {
    const auto stack = bench::relu_stack(n, layers, width, bench::stack_seed);
    std::vector<std::pair<std::string, RowMatrix>> named;
    for (int l = 0; l < layers; ++l) named.emplace_back(io::layer_dataset_name(l + 1), stack[l]);
    io::write_matrices(path, "/", named, io::Precision::single);
  }
  if (write_only) return 0;
  const auto stack = io::read_activation_stack(path).layers;
  n = static_cast<int>(stack.front().rows());
  std::printf("stack: %s, n = %d, %zu layers, widths %ld..%ld\n", path.c_str(), n, stack.size(),
              static_cast<long>(stack.front().cols()), static_cast<long>(stack.back().cols()));

  // All-pairs geodesics on layer 1's union graph at k = 30 and 300, both engines.
  const auto lists = geometry::exact_knn(stack.front(), std::min(300, n - 1));
  for (index_t k : {30, 300}) {
    if (!boost_bfs || k > n - 1) break;
    const auto graph = geometry::build_knn_graph(lists, k, geometry::GraphRule::knn_union);
    geometry::GeodesicSummary a, b;
    const double t_boost =
        bench::best_seconds(repeats, [&] { a = geometry::all_pairs_boost_bfs(graph.adjacency); });
    const double t_bits =
        bench::best_seconds(repeats, [&] { b = geometry::all_pairs_geodesics(graph.adjacency); });
    std::printf(
        "apsp k=%d: %ld edges, diameter %d | boost BFS %.4f s | bit-parallel %.4f s | %.0fx | sums "
        "%s\n",
        k, static_cast<long>(graph.edge_count()), b.diameter, t_boost, t_bits, t_boost / t_bits,
        a.distance_sum == b.distance_sum && a.row_sum == b.row_sum ? "equal" : "DIFFER");
  }

  // Stage split for one pass over the grid, then the whole per-network geometry.
  const index_t k_max = *std::max_element(ks.begin(), ks.end());
  double t_knn = 0, t_graph = 0, t_curv = 0, t_bfs = 0;
  for (const auto& x : stack) {
    auto t0 = Clock::now();
    const auto l = geometry::exact_knn(x, k_max);
    t_knn += std::chrono::duration<double>(Clock::now() - t0).count();
    for (index_t k : ks) {
      t0 = Clock::now();
      const auto g = geometry::build_knn_graph(l, k, geometry::GraphRule::knn_union);
      auto t1 = Clock::now();
      t_graph += std::chrono::duration<double>(t1 - t0).count();
      const auto c = geometry::forman_curvature(g);
      auto t2 = Clock::now();
      t_curv += std::chrono::duration<double>(t2 - t1).count();
      const auto s = geometry::all_pairs_geodesics(g.adjacency);
      t_bfs += std::chrono::duration<double>(Clock::now() - t2).count();
      (void)c;
      (void)s;
    }
  }
  std::printf(
      "stages (one pass): knn %.3f s | graphs %.3f s | curvature %.3f s | geodesics %.3f s\n",
      t_knn, t_graph, t_curv, t_bfs);
  {
    // kNN and graph construction alone, best of the repeats, wall and thread CPU time (the one-pass
    // split above is noisy on a shared machine); kNN also on every core this process may use.
    std::vector<geometry::NeighbourLists> all_lists(stack.size());
    const int cores = geometry::available_cores();
    Timing knn_1, knn_all, graphs;
    for (int r = 0; r < repeats; ++r) {
      knn_1.keep_best(time_once([&] {
        for (std::size_t l = 0; l < stack.size(); ++l)
          all_lists[l] = geometry::exact_knn(stack[l], k_max);
      }));
      knn_all.keep_best(time_once([&] {
        for (std::size_t l = 0; l < stack.size(); ++l)
          all_lists[l] = geometry::exact_knn(stack[l], k_max, cores);
      }));
      graphs.keep_best(time_once([&] {
        for (const auto& l : all_lists)
          for (index_t k : ks)
            (void)geometry::build_knn_graph(l, k, geometry::GraphRule::knn_union);
      }));
    }
    std::printf(
        "best of %d: knn %.3f s (%.3f s CPU) on 1 thread, %.3f s on %d | graphs %.3f s (%.3f s "
        "CPU)\n",
        repeats, knn_1.wall, knn_1.cpu, knn_all.wall, cores, graphs.wall, graphs.cpu);
  }

  geometry::MeasureOptions options;
  options.k = ks;
  // The full grid at each thread count, checked field by field against one thread.
  {
    std::vector<geometry::MeasuresAtK> one;
    double one_wall = 0;
    for (int threads : thread_counts) {
      geometry::MeasureOptions threaded = options;
      threaded.threads = threads;
      std::vector<geometry::MeasuresAtK> got;
      double best = 1e300;
      for (int r = 0; r < repeats; ++r)
        best =
            std::min(best, time_once([&] { got = geometry::measure_stack(stack, threaded); }).wall);
      if (one.empty()) {
        one = got;
        one_wall = best;
      }
      const bool same = bench::identical_measures(got, one);
      std::printf(
          "full grid, %d thread(s): %.3f s wall | speed-up %.2fx over the first count | %s\n",
          threads, best, one_wall / best, same ? "identical" : "DIFFERENT");
    }
  }
  if (!extras) return 0;
  // The follow-up's local and layer coefficients on top (docs/method.md §4), and every notion with
  // a closed form beside Forman with the local coefficients: the grid the issue-13 target bounds
  // (at most +50% over the Forman-only grid). Exact Ollivier is timed per layer by bench_ollivier
  // (its cost grows with k^2 per edge; sweeps restrict it to chosen k).
  geometry::MeasureOptions with_local = options;
  with_local.local = true;
  geometry::MeasureOptions with_notions = with_local;
  with_notions.curvatures = {
      geometry::CurvatureNotion::forman, geometry::CurvatureNotion::augmented_forman,
      geometry::CurvatureNotion::balanced_forman, geometry::CurvatureNotion::ollivier_approx};
  // The three grids take turns, so that a busy machine slows each of them alike; best of the
  // repeats, wall and thread CPU time.
  std::vector<geometry::MeasuresAtK> measures, local_measures;
  Timing t_grid, t_local, t_notions;
  for (int r = 0; r < repeats; ++r) {
    t_grid.keep_best(time_once([&] { measures = geometry::measure_stack(stack, options); }));
    t_local.keep_best(
        time_once([&] { local_measures = geometry::measure_stack(stack, with_local); }));
    t_notions.keep_best(time_once([&] { (void)geometry::measure_stack(stack, with_notions); }));
  }
  std::printf("full grid (%zu k x %zu layers, union): %.3f s (%.3f s CPU)\n", ks.size(),
              stack.size(), t_grid.wall, t_grid.cpu);
  std::printf(
      "full grid with local coefficients: %.3f s (%.3f s CPU; +%.0f%% over Forman only, CPU)\n",
      t_local.wall, t_local.cpu, 100.0 * (t_local.cpu / t_grid.cpu - 1.0));
  std::printf(
      "full grid with forman, augmented-forman, balanced-forman, ollivier-approx and local "
      "coefficients: %.3f s (%.3f s CPU; +%.0f%% over Forman only, CPU)\n",
      t_notions.wall, t_notions.cpu, 100.0 * (t_notions.cpu / t_grid.cpu - 1.0));
  constexpr auto forman = geometry::CurvatureNotion::forman;
  for (const auto& s : measures) {
    std::printf("  k=%3d rho=%+.4f ric=[", s.k, s.coefficient(forman).rho);
    for (const auto& l : s.layers) std::printf(" %.0f", l.curvature_total(forman));
    std::printf(" ] g=[");
    for (const auto& l : s.layers) std::printf(" %.0f", l.g);
    std::printf(" ]\n");
  }
  for (const auto& s : local_measures) {
    const auto& local = s.local_of(forman);
    std::printf("  k=%3d local mean rho(x)=%+.4f share<0=%.3f defined=%lld rho(l)=[", s.k,
                local.mean, local.negative_share, static_cast<long long>(local.defined));
    for (double r : local.layer_rho) std::printf(" %+.3f", r);
    std::printf(" ]\n");
  }
  return 0;
}
