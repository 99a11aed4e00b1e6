// Test-only tool: reads points (one per line, comma-separated numbers), builds the kNN graph for k
// and a graph rule, and prints every edge "i j value" of a curvature notion in edge_curvature's
// order, so that the Python oracles (tests/oracle/) can compare the library edge by edge.
//   edge_curvature_dump POINTS.csv K RULE NOTION [IDLENESS]
#include <charconv>
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

RowMatrix read_points(const std::string& path) { return tools::read_points_csv(path, "test"); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || argc > 6) {
    std::cerr << "usage: edge_curvature_dump POINTS.csv K RULE NOTION [IDLENESS]\n";
    return 2;
  }
  try {
    const RowMatrix points = read_points(argv[1]);
    const index_t k = static_cast<index_t>(std::stoi(argv[2]));
    const GraphRule rule = parse_graph_rule(argv[3]);
    const CurvatureNotion notion = parse_curvature_notion(argv[4]);
    CurvatureOptions options;
    if (argc == 6) options.ollivier_idleness = std::stod(argv[5]);
    const LayerGraph graph = build_knn_graph(exact_knn(points, k), k, rule);
    const auto values = edge_curvature(graph, notion, options);
    const CsrGraph& g = graph.adjacency;
    std::size_t e = 0;
    for (index_t i = 0; i < graph.vertex_count(); ++i)
      for (auto edge : boost::make_iterator_range(out_edges(i, g))) {
        const index_t j = target(edge, g);
        if (j < i) continue;
        std::printf("%d %d %.17g\n", i, j, values[e++]);
      }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
