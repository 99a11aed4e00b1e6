// Times every curvature notion (docs/method.md §3) on the kNN graph of one layer, the graph built
// once; exact Ollivier is the one issue 13 targets. bench/bench_ollivier.py writes the points,
// runs this and POT's per-edge ot.emd2 route in the same run and compares the curvatures.
//   bench_ollivier POINTS.csv K RULE IDLENESS REPEATS OLLIVIER_VALUES_OUT
// Prints one JSON object: n, edges, per notion the best and all wall times of REPEATS calls and
// the best thread CPU time.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/knn.hpp"
#include "points_csv.hpp"

using namespace ricci;
using namespace ricci::geometry;

namespace {

// CPU time of this thread: on a loaded machine it is the closer estimate of the unloaded wall time
// (the bench prints both).
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

RowMatrix read_points(const std::string& path) { return tools::read_points_csv(path, "bench"); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: bench_ollivier POINTS.csv K RULE IDLENESS REPEATS OLLIVIER_VALUES_OUT\n";
    return 2;
  }
  try {
    const RowMatrix points = read_points(argv[1]);
    const index_t k = static_cast<index_t>(std::stoi(argv[2]));
    const GraphRule rule = parse_graph_rule(argv[3]);
    const CurvatureOptions options{std::stod(argv[4])};
    const int repeats = std::stoi(argv[5]);
    const LayerGraph graph = build_knn_graph(exact_knn(points, k), k, rule);
    std::printf("{\"n\": %d, \"k\": %d, \"edges\": %lld", graph.vertex_count(), k,
                static_cast<long long>(graph.edge_count()));
    for (CurvatureNotion notion : all_curvature_notions) {
      std::vector<double> seconds;
      std::vector<double> values;
      double cpu_best = 1e300;
      for (int r = 0; r < repeats; ++r) {
        const double cpu_start = thread_cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        values = edge_curvature(graph, notion, options);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        cpu_best = std::min(cpu_best, thread_cpu_seconds() - cpu_start);
      }
      const double best = *std::min_element(seconds.begin(), seconds.end());
      std::printf(", \"%s\": {\"best\": %.6f, \"cpu_best\": %.6f, \"all\": [",
                  std::string(curvature_notion_name(notion)).c_str(), best, cpu_best);
      for (std::size_t r = 0; r < seconds.size(); ++r)
        std::printf("%s%.6f", r ? ", " : "", seconds[r]);
      std::printf("]}");
      if (notion == CurvatureNotion::ollivier) {
        std::ofstream out(argv[6]);
        out.precision(17);
        for (double v : values) out << v << "\n";
      }
    }
    std::printf("}\n");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
