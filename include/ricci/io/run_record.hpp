#pragma once
// A run as the results file sees it: what is known before it executes (RunIdentity, written when
// the file is created) and what it produced (RunRecord, written by the worker that ran it). The
// sweep plans with RunIdentity and its executor returns a RunRecord; nothing is copied field by
// field between layers.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/io/run_status.hpp"
#include "ricci/nn/train.hpp"

namespace ricci::io {

struct RunIdentity {
  std::string problem, architecture;
  int depth = 0;
  std::uint64_t seed = 0;
  double threshold = 0;  // test accuracy the run must exceed to be accepted
  index_t n_test = 0;
  std::vector<int> widths;  // hidden layer widths, depth entries
  std::vector<index_t> k;   // the run's k values, in k-slot order
  // The untrained control of the run with the same problem, architecture, depth and seed: the
  // same initialised network, trained for 0 epochs (docs/method.md §6).
  bool untrained = false;
};

// Everything one finished (or failed) run hands to the file; owns its data.
struct RunRecord {
  index_t id = 0;
  RunStatus status = RunStatus::failed;
  int rank = 0;              // the MPI rank that ran it
  std::string error;         // failed runs: why
  nn::TrainResult training;  // history empty when training did not finish
  double geometry_seconds = 0;
  nn::Activations activations;                  // done runs
  std::vector<std::uint8_t> labels;             // test labels, done runs
  std::vector<geometry::MeasuresAtK> measures;  // done runs: one per k slot of the run
  // Done runs with snapshot epochs (docs/method.md §6): the network's state and geometry at each,
  // in epoch order; `measures` as above.
  struct Snapshot {
    nn::SnapshotState state;
    std::vector<geometry::MeasuresAtK> measures;
  };
  std::vector<Snapshot> snapshots;

  // Training ran to its end, so its accuracies and time are set: every done run, untrained
  // controls (0 epochs) included.
  bool trained() const { return training.completed; }
};

// The fixed sizes of a results file, decided when it is created.
struct ResultsLayout {
  std::vector<RunIdentity> runs;
  int k_slots = 0;    // the longest k list of any run
  int layers = 0;     // the largest depth
  int epochs = 0;     // the most epochs any run may train
  int snapshots = 0;  // the most snapshot epochs of any run
  bool store_activations = true, store_nodes = false;
  std::map<std::string, std::string> attributes;  // job text, tool version, graph rule
};

}  // namespace ricci::io
