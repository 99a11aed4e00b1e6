#pragma once
// A results file read back whole into columns, for post-hoc analysis. Serial: no MPI. Every dataset
// of the schema registry (ricci/io/schema.hpp) is one column, keyed by its path ("/flow/g") and
// kept in the file's row-major order: [runs], [runs, k_slots] or [runs, k_slots, layers], padded
// with the registry's fill values (-1 for k, NaN for values) exactly as stored.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/io/run_status.hpp"
#include "ricci/io/schema.hpp"
#include "ricci/nn/train.hpp"

namespace ricci::io {

struct ResultsTable {
  std::string path;
  int schema_version = 0;
  std::size_t runs = 0, k_slots = 0, layers = 0, epochs = 0;  // the axes' sizes
  std::size_t snapshots = 0;  // the snapshot axis (0 in files before schema 5)
  std::size_t attempts = 0;   // rows of the attempts table per run (0 in files before schema 6)
  bool store_activations = false, store_nodes = false;
  std::string graph;  // the graph rule the sweep used ("" when the attribute is absent)
  // Schema 5: the notions axis (root attribute 'notions'), the measured list's layer count and
  // whether it is [inputs, hidden layers, output], and whether /local was computed. Older files:
  // forman, read from /flow (the reader fills /notions from it and /local with its fill).
  std::vector<geometry::CurvatureNotion> notions{geometry::CurvatureNotion::forman};
  std::size_t list_layers = 0;
  bool all_layers = false, local = false;

  // Integer columns of any width as int64, uint64 as itself, floats as double, strings as text.
  using ColumnData = std::variant<std::vector<std::int64_t>, std::vector<std::uint64_t>,
                                  std::vector<double>, std::vector<std::string>>;
  std::map<std::string, ColumnData, std::less<>> columns;

  // One column by path, in its stored kind; throws ricci::Error("io", ...) naming the path when it
  // is absent or of another kind.
  const std::vector<double>& reals(std::string_view path) const;
  const std::vector<std::int64_t>& integers(std::string_view path) const;
  const std::vector<std::uint64_t>& unsigned_integers(std::string_view path) const;
  const std::vector<std::string>& strings(std::string_view path) const;

  // The position of a cell in a [runs, k_slots, notions] or [runs, k_slots, notions,
  // list_layers] column.
  std::size_t notion_index(std::size_t run, std::size_t slot, std::size_t notion) const {
    return (run * k_slots + slot) * notions.size() + notion;
  }
  std::size_t notion_index(std::size_t run, std::size_t slot, std::size_t notion,
                           std::size_t layer) const {
    return notion_index(run, slot, notion) * list_layers + layer;
  }
  // The notion's position on the notions axis, if the file has it.
  std::optional<std::size_t> notion_position(geometry::CurvatureNotion notion) const;
  // The run's layer count in the measured list: its depth, two more under layer_list all.
  std::size_t list_depth(std::size_t run) const;
  // The extent of `axis` in this file.
  std::size_t extent(Axis axis) const;
  // One cell of a [runs, k_slots, notions] column (/notions/rho, /local/mean, ...).
  double notion_value(std::string_view column, std::size_t run, std::size_t slot,
                      std::size_t notion) const {
    return reals(column)[notion_index(run, slot, notion)];
  }
  // The run's list layers (or transitions) of a [runs, k_slots, notions, list_layers] column.
  std::span<const double> list_layers_of(std::string_view column, std::size_t run, std::size_t slot,
                                         std::size_t notion) const {
    return {reals(column).data() + notion_index(run, slot, notion, 0), list_depth(run)};
  }
  // Whether `notion` was computed at this slot of the run (its /notions/reason is not -1).
  bool has_notion(std::size_t run, std::size_t slot, std::size_t notion) const {
    return integers("/notions/reason")[notion_index(run, slot, notion)] != -1;
  }
  // The position of a cell in a [runs, k_slots] or [runs, k_slots, layers] column.
  std::size_t index(std::size_t run, std::size_t slot) const { return run * k_slots + slot; }
  std::size_t index(std::size_t run, std::size_t slot, std::size_t layer) const {
    return (run * k_slots + slot) * layers + layer;
  }

  // The position of a cell in a [runs, snapshots] or [runs, snapshots, k_slots] column.
  std::size_t snapshot_index(std::size_t run, std::size_t snapshot) const {
    return run * snapshots + snapshot;
  }
  std::size_t snapshot_index(std::size_t run, std::size_t snapshot, std::size_t slot) const {
    return (run * snapshots + snapshot) * k_slots + slot;
  }
  // ... and of a [runs, snapshots, k_slots, notions] column.
  std::size_t snapshot_index(std::size_t run, std::size_t snapshot, std::size_t slot,
                             std::size_t notion) const {
    return snapshot_index(run, snapshot, slot) * notions.size() + notion;
  }

  std::int64_t status_code(std::size_t run) const;  // as stored; validate_results checks it
  bool is_done(std::size_t run) const;
  bool is_failed(std::size_t run) const;
  // Schema 6: marked running (in flight, or lost with its process when no sweep runs).
  bool is_running(std::size_t run) const;
  // The run is an untrained control (/runs/untrained; files older than schema 5 have none).
  bool untrained(std::size_t run) const;
  // The run's k values in k-slot order (the -1 padding dropped).
  std::vector<index_t> k_values(std::size_t run) const;
  // The k slot holding value k of `run`, if the run has it.
  std::optional<std::size_t> k_slot_of(std::size_t run, index_t k) const;
  // Layers 1..depth of a [runs, k_slots, layers] column at one k slot.
  std::span<const double> layers_of(std::string_view path, std::size_t run, std::size_t slot) const;
  // The run is excluded at this k slot by its file's convention (docs/method.md §3-§4): a
  // disconnected layer (paper, mutual) or a change of reachability (baptista-r), as /flow/reason
  // records it.
  bool excluded(std::size_t run, std::size_t slot) const;
  // eta_1..eta_{depth-1} at one k slot (eta_l pairs with Ric_l): from /flow/eta, which the reader
  // derives from /flow/g for files older than schema 4.
  std::span<const double> eta_of(std::size_t run, std::size_t slot) const;
};

// The fewest epochs a done run of the file has: 0 from schema 5 on (untrained controls), 1 before.
inline std::int64_t minimum_epochs(const ResultsTable& table) {
  return table.schema_version >= controls_since_version ? 0 : 1;
}

// Reads every column — the attempts table (/attempts, schema 6) only with `with_attempts`: no
// analysis needs it, and at 100,000 runs its strings would be most of what a query reads. Throws
// ricci::Error("io", ...) naming the path for a missing file, a file that is not HDF5, a file that
// is not a results file (names the missing dataset), a schema version this build does not read,
// inconsistent shapes, declared sizes larger than the file can hold, and (schema 3) done or failed
// runs whose values do not match /runs/checksum.
enum class AttemptsTable { skip, read };
ResultsTable read_results_table(const std::string& path,
                                AttemptsTable attempts = AttemptsTable::skip);

// The same, of a file a running sweep may hold open for writing (`ricci-query status`): opened
// read-only with HDF5's file locking off for this open only, so the writer's open neither refuses
// it nor is refused by it, and without the checksum check: a row being written may be read half
// old, half new, so a reader counts a row only by its status, which the writer sets last.
ResultsTable read_results_table_in_use(const std::string& path);

// Refuses (ricci::Error("io", ...) naming the file and run) a done run whose per-run datasets are
// not what the run wrote: in schema 3 files they must match /runs/data_checksum; in older files a
// run whose outputs are all exactly 0 never had its data written.
void check_run_data(const ResultsTable& table, std::size_t run);

// What a file written with store_activations keeps of a done run: its training outcome and history
// (from the table) and its hidden activations, outputs and test labels (from its /run_data group),
// everything a re-analysis needs instead of training it again.
struct StoredRun {
  nn::TrainResult training;  // seconds: the stored training wall time
  nn::Activations activations;
  std::vector<std::uint8_t> labels;
};

// Reads run `run` of `table` after check_run_data. Throws ricci::Error("io", ...) naming the file
// and run when the file keeps no activations, the run is not done, its data do not match its
// checksum, or a dataset is missing or has a shape the table does not expect.
StoredRun read_stored_run(const ResultsTable& table, std::size_t run);

// Checks a results file against the schema registry and the value rules of
// results_schema/README.md: shapes and types, status values, k padding, NaN exactly where a value
// is undefined, coefficients consistent with the stored g and Ric, per-run groups. Returns at most
// `limit` problems, each one line; none means valid. Throws only when the file cannot be opened or
// has a schema version this build does not read.
struct Validation {
  int schema_version = 0;  // of the file (0 when it has no readable schema_version attribute)
  std::vector<std::string> problems;
  bool valid() const { return problems.empty(); }
};
inline constexpr std::size_t default_problem_limit = 20;
Validation validate_results(const std::string& path, std::size_t limit = default_problem_limit);

// For a program that is about to exit, called before any other io function: HDF5 then skips its
// shutdown at exit. A file whose metadata failed its checksum can leave objects HDF5 cannot close,
// and its shutdown then prints "infinite loop closing library" after our one-line error; the
// operating system reclaims everything anyway.
void skip_hdf5_shutdown_at_exit();

}  // namespace ricci::io
