#pragma once
// The shared results file of a sweep (layout: results_schema/README.md,
// results_schema/layout.json).
//
// Parallel HDF5 rules this class follows (verified on these machines, see TOOLCHAIN.md): every rank
// creates every object collectively up front (fixed sizes, early allocation) and the file is
// flushed once; afterwards ranks write raw data independently, a run's data first and its status
// last; all ranks close collectively. A file killed mid-sweep therefore opens, and every run whose
// status is set is complete. create(), open() and close() are collective over MPI_COMM_WORLD;
// write_run() and the readers are independent. Opened with serial=true, no MPI is involved (tools,
// tests).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/nn/train.hpp"

namespace ricci::io {

inline constexpr int schema_version = 1;

enum class RunStatus : std::int8_t { pending = 0, done = 1, failed = 2 };

// What is known of a run before it executes; written when the file is created.
struct RunIdentity {
  std::string problem, architecture;
  int depth = 0;
  std::uint64_t seed = 0;
  double threshold = 0;
  index_t n_test = 0;
  std::vector<int> widths;
  std::vector<index_t> k;
};

struct ResultsLayout {
  std::vector<RunIdentity> runs;
  int max_k = 0, max_depth = 0, max_epochs = 0;
  bool store_activations = true, store_nodes = false;
  std::map<std::string, std::string> attributes;  // job text, tool version, ...
};

// One finished (or failed) run, as the worker hands it to the file.
struct RunRecord {
  index_t id = 0;
  RunStatus status = RunStatus::failed;
  int rank = 0;
  std::string error;
  nn::TrainResult training;
  double geometry_seconds = 0;
  const nn::Activations* activations = nullptr;  // done runs
  const std::vector<std::uint8_t>* labels = nullptr;
  const std::vector<geometry::MeasuresAtK>* flow = nullptr;
};

// Bytes kept of an error message in /runs/error.
inline constexpr std::size_t error_width = 512;

class ResultsFile {
 public:
  ResultsFile();
  ~ResultsFile();
  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;

  // Creates (truncating) `path`. Collective unless serial.
  static ResultsFile create(const std::string& path, const ResultsLayout& layout,
                            bool serial = false);
  // Opens an existing results file for writing (collective unless serial) or reading.
  static ResultsFile open(const std::string& path, bool writable, bool serial = false);

  std::string attribute(const std::string& name) const;
  index_t run_count() const;
  std::vector<RunStatus> statuses() const;

  // Independent: writes everything of one run, the status last.
  void write_run(const RunRecord& record);
  // Collective unless serial.
  void close();

 private:
  // A handle with its transfer properties set up and no file yet.
  static ResultsFile unopened(const std::string& path, bool serial);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The name of run `id`'s group of per-run data: /run_data/r000042.
std::string run_group(index_t id);

}  // namespace ricci::io
