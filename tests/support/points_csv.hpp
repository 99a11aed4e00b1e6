#pragma once
// Points for the test and benchmark tools that feed the geometry from Python: one point per line,
// comma-separated numbers, every line of the same width. Shared by tests/oracle/edge_curvature_dump
// and bench/bench_ollivier so that both read exactly the same input.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/core/types.hpp"

namespace ricci::tools {

// Throws ricci::Error(`who`, ...) naming the file for a missing file, ragged rows or no points.
inline RowMatrix read_points_csv(const std::string& path, const std::string& who) {
  std::ifstream in(path);
  if (!in) throw Error(who, "cannot read " + path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    if (!rows.empty() && row.size() != rows.front().size())
      throw Error(who, path + ": rows of different widths");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw Error(who, path + ": no points");
  RowMatrix points(static_cast<Eigen::Index>(rows.size()),
                   static_cast<Eigen::Index>(rows[0].size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      points(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
  return points;
}

}  // namespace ricci::tools
