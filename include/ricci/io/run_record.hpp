#pragma once
// A run as the results file sees it: what is known before it executes (RunIdentity, written when
// the file is created) and what it produced (RunRecord, written by the worker that ran it). The
// sweep plans with RunIdentity and its executor returns a RunRecord; nothing is copied field by
// field between layers.
#include <cstdint>
#include <limits>
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
  // Schema 5's per-node local datasets: the file's notion count and whether the measured list is
  // [inputs, hidden layers, output] (two more layers than widths).
  std::size_t notion_count = 1;
  bool all_layers = false;
};

// Everything one finished (or failed) run hands to the file; owns its data.
struct RunRecord {
  index_t id = 0;
  RunStatus status = RunStatus::failed;
  int rank = 0;       // the MPI rank that ran it
  int session = -1;   // schema 6: the writing session's index in the 'sessions' attribute
  std::string error;  // failed runs: why
  // Schema 6: where and when its last attempt ran (Unix seconds), why it failed, and how many
  // attempts it has had in all sessions (this one included).
  std::string host, slurm_job_id;
  int slurm_restart_count = 0;
  double started_at = std::numeric_limits<double>::quiet_NaN();
  double ended_at = std::numeric_limits<double>::quiet_NaN();
  FailureClass failure = FailureClass::none;
  int attempts = 0;
  nn::TrainResult training;  // history empty when training did not finish
  double geometry_seconds = 0;
  nn::Activations activations;                  // done runs
  std::vector<std::uint8_t> labels;             // test labels, done runs
  std::vector<geometry::MeasuresAtK> measures;  // done runs: one per k slot of the run
  // With the follow-up's layer list (layers = all): the measures of [inputs, hidden layers,
  // output], one per k slot; `measures` then holds the hidden layers' part of them (the paper's
  // coefficient). Empty when the measured list is the hidden layers: `measures` is it.
  std::vector<geometry::MeasuresAtK> list_measures;
  // The file's notion axis (the job's curvatures), in order: the per-node local datasets follow it.
  std::vector<geometry::CurvatureNotion> notions{geometry::CurvatureNotion::forman};
  const std::vector<geometry::MeasuresAtK>& measured_list() const {
    return list_measures.empty() ? measures : list_measures;
  }
  // Done runs with snapshot epochs (docs/method.md §6): the network's state and geometry at each,
  // in epoch order; `measures` as above.
  struct Snapshot {
    nn::SnapshotState state;
    std::vector<geometry::MeasuresAtK> measures, list_measures;
    const std::vector<geometry::MeasuresAtK>& measured_list() const {
      return list_measures.empty() ? measures : list_measures;
    }
  };
  std::vector<Snapshot> snapshots;

  // Training ran to its end, so its accuracies and time are set: every done run, untrained
  // controls (0 epochs) included.
  bool trained() const { return training.completed; }
};

// One attempt of a run, a row of the attempts table (/attempts, schema 6): written by the worker
// that ran it (running when it begins, its outcome when it ends), or by the resuming session for an
// attempt it finds lost.
struct AttemptRecord {
  index_t id = 0;   // the run
  int attempt = 1;  // 1-based, counting every session's attempts of the run
  int rank = -1;
  std::string host, slurm_job_id;
  double started_at = std::numeric_limits<double>::quiet_NaN();
  double ended_at = std::numeric_limits<double>::quiet_NaN();
  AttemptOutcome outcome = AttemptOutcome::running;
  std::string message;  // a failure's error; "" otherwise
};

// The fixed sizes of a results file, decided when it is created.
struct ResultsLayout {
  std::vector<RunIdentity> runs;
  // The notion axis of /notions and /local (schema 5): the job's curvature notions, in order;
  // stored once, as the root attribute 'notions'. all_layers: the measured list is [inputs,
  // hidden layers, output] (root attribute 'layer_list' = all), two more than the hidden layers.
  std::vector<geometry::CurvatureNotion> notions{geometry::CurvatureNotion::forman};
  bool all_layers = false;
  bool local = false;
  int k_slots = 0;    // the longest k list of any run
  int layers = 0;     // the largest depth
  int epochs = 0;     // the most epochs any run may train
  int snapshots = 0;  // the most snapshot epochs of any run
  bool store_activations = true, store_nodes = false;
  std::map<std::string, std::string> attributes;  // job text, tool version, graph rule
  // Schema 6, a shard's file (io/shards.hpp): true for the runs of other shards, whose /run_data
  // groups are not created (ResultsFile::add_run_groups creates them when they are run). Empty:
  // every run has its group.
  std::vector<bool> run_data_left_out;
};

}  // namespace ricci::io
