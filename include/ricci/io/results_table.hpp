#pragma once
// A results file read back whole into columns (layout: results_schema/README.md), for post-hoc
// analysis. Serial: no MPI. The flow arrays keep the file's row-major layout, N x K and N x K x L,
// padded with -1 (k) and NaN (values) exactly as stored.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/io/results_file.hpp"

namespace ricci::io {

struct ResultsTable {
  std::string path;
  std::size_t runs = 0, max_k = 0, max_layers = 0, max_epochs = 0;
  bool store_activations = false, store_nodes = false;
  std::string graph;  // the graph rule the sweep used ("" when the attribute is absent)

  // /runs
  std::vector<std::int64_t> id;
  std::vector<std::string> problem, architecture, error;
  std::vector<std::int32_t> depth, n_test, epochs, rank;
  std::vector<std::uint64_t> seed;
  std::vector<double> threshold, test_accuracy, train_accuracy, val_accuracy, train_seconds,
      geometry_seconds;
  std::vector<std::int8_t> status;  // RunStatus values as stored (validate_results checks them)

  // /flow
  std::vector<std::int32_t> k;
  std::vector<double> edges, components, unreachable_pairs, ric, g, rho, z, fisher, p;
  std::vector<std::int8_t> reason;

  std::size_t slot_index(std::size_t run, std::size_t slot) const { return run * max_k + slot; }
  std::size_t cell_index(std::size_t run, std::size_t slot, std::size_t layer) const {
    return (run * max_k + slot) * max_layers + layer;
  }
  bool is_done(std::size_t run) const {
    return status[run] == static_cast<std::int8_t>(RunStatus::done);
  }
  bool is_failed(std::size_t run) const {
    return status[run] == static_cast<std::int8_t>(RunStatus::failed);
  }
  // The run's scales in slot order (the -1 padding dropped).
  std::vector<index_t> scales(std::size_t run) const;
  // The slot holding scale k of `run`, if the run has it.
  std::optional<std::size_t> slot_of(std::size_t run, index_t k_value) const;
  // Layers 1..depth of one column of the N x K x L arrays (`column` is g, ric, edges, ...).
  std::span<const double> layers_of(const std::vector<double>& column, std::size_t run,
                                    std::size_t slot) const;
  // Every layer connected (g finite) at this slot.
  bool connected(std::size_t run, std::size_t slot) const;
};

// Reads every column. Throws ricci::Error("io", ...) naming the path for a missing file, a file
// that is not HDF5, a file that is not a results file (names the missing dataset) and inconsistent
// shapes.
ResultsTable read_results_table(const std::string& path);

// Checks a results file against results_schema/layout.json (embedded at build time) and the value
// rules of results_schema/README.md: shapes and types, status values, k padding, NaN exactly where
// a value is undefined, coefficients consistent with the stored g and Ric, per-run groups. Returns
// at most `limit` problems, each one line; empty means valid. Throws only when the file cannot be
// opened.
std::vector<std::string> validate_results(const std::string& path, std::size_t limit = 20);

}  // namespace ricci::io
