#pragma once
// The results file's schema, declared once: every file attribute, every table dataset (/runs,
// /flow, /history) and every per-run dataset (/run_data/rNNNNNN), each with its type, shape, fill
// value, meaning and the run field it is written from. Creating, writing, reading and validating
// a file, results_schema/layout.json (printed by `ricci-query schema`, tested equal) and the query
// subcommands' column lists all iterate over these tables, so a new quantity is one entry in
// src/io/schema.cpp (docs/architecture.md shows one).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ricci/core/types.hpp"
#include "ricci/geometry/curvature.hpp"

namespace ricci::io {

struct RunIdentity;
struct RunRecord;

// Version 2 gives every dataset the attributes 'axes', 'meaning' and, for coded columns, 'codes',
// so a file explains itself to h5py users. Version 1 files lack them and are read the same way.
// Version 3 adds the per-run checksums (/runs/checksum, /runs/data_checksum) and writes the
// checksummed HDF5 1.10 file format; files of versions 1-2 are read without them. Version 4 adds
// the transitions (/flow/eta, /flow/excluded_at, the input layer's graph) and computes baptista-r
// coefficients with the reference R rule; readers derive eta from g in older files.
// Version 5 adds the curvature notions (/notions: per notion and layer of the measured list, with
// each notion's global coefficient) and the follow-up's local and layer coefficients (/local),
// along the notions axis whose names the root attribute 'notions' lists; /flow stays the paper's
// Forman geometry of the hidden layers. Readers give older files one notion, forman, from /flow.
// Version 6 adds what running at cluster scale needs: provenance, the runs in flight, the attempts.
inline constexpr int schema_version = 6;
inline constexpr int oldest_readable_schema_version = 1;

// The axes of the table datasets. Sizes: runs = the number of runs; k_slots = the longest k list
// of any run (shorter lists are padded); layers = the largest depth; epochs = the most epochs a
// run may train; notions = the file's curvature notions (root attribute 'notions'); list_layers =
// the layers of the measured list (root attribute 'layer_list': the hidden layers, or all = inputs,
// hidden layers and output, two more), whose transitions t (out of list layer t) share the axis.
// snapshots = the most snapshot epochs of any run (geometry during training, /snapshots).
// attempts = attempt_capacity rows of the attempts table per run (/attempts, schema 6).
enum class Axis { runs, k_slots, layers, epochs, notions, list_layers, snapshots, attempts };
std::string_view axis_name(Axis axis);    // "runs", "k_slots", "layers", "epochs"
std::string_view axis_symbol(Axis axis);  // "N", "K", "L", "E", as layout.json writes shapes
std::string_view axis_meaning(Axis axis);

enum class ValueType { int8, uint8, int32, int64, uint64, float32, float64, string };
// "int8", ..., "float64"; fixed-length strings as "string<width>".
std::string value_type_name(ValueType type, std::size_t string_width);

// One cell's value before it is converted to the column's stored type.
using CellValue = std::variant<std::int64_t, std::uint64_t, double, std::string>;

struct Code {
  std::int64_t value;
  std::string_view name;
  int since_version = 1;  // files of older versions have no such code (and do not list it)
};

// Where a column's cells come from (exactly one source per column):
//  * IdentityCell: written once, when the file is created; `slot` is the k slot of a
//    [runs, k_slots] column.
//  * RecordCell: written by ResultsFile::write_run; `slot` and `inner` index the axes after runs
//    (k slot; layer or epoch). Done runs get every cell they have; failed runs only their
//    [runs] and [runs, epochs] cells, the rest keeps the fill value.
using IdentityCell = CellValue (*)(index_t id, const RunIdentity& run, std::size_t slot);
using RecordCell = CellValue (*)(const RunRecord& run, std::size_t slot, std::size_t inner);
//  * NotionCell (schema 5, /notions and /local): written by write_run for done runs at every k
//    slot, notion of the file's notion axis and layer (or transition) of the measured list; a
//    column without one of those axes gets forman or 0 there. NaN where the run's slot lacks
//    the notion (ollivier_k).
using NotionCell = CellValue (*)(const RunRecord& run, std::size_t slot,
                                 geometry::CurvatureNotion notion, std::size_t layer);

struct Column {
  std::string_view path;  // "/flow/g"
  ValueType type;
  std::size_t string_width;       // bytes of a fixed-length string; 0 for numbers
  std::vector<Axis> axes;         // the first is always runs
  std::optional<CellValue> fill;  // what an unwritten cell reads as; none: written at creation
  std::string_view meaning;
  std::vector<Code> codes;     // the values of a coded integer column (status, reason)
  bool whole_numbers = false;  // float64 only so NaN can mark a missing value: counts and sums
  IdentityCell from_identity = nullptr;
  RecordCell from_record = nullptr;
  int since_version = 1;  // files of older versions lack it; readers skip it there
  NotionCell from_notion = nullptr;

  std::string_view name() const;   // "g"
  std::string_view group() const;  // "/flow"
  bool has_axis(Axis axis) const;
  // "runs,k_slots,layers": the 'axes' attribute every schema 2 dataset carries.
  std::string axes_text() const;
  // "-1 padding, 0 none, ...": the 'codes' attribute of a coded column.
  // "0 pending, 1 done, ..." as the 'codes' attribute of a file of `version` lists them.
  std::string codes_text(int version = schema_version) const;
};

// The table datasets, in creation order; the query subcommands list them in this order too.
const std::vector<Column>& results_columns();
// The entry of `path`; throws ricci::Error("io", ...) naming it when the registry has none.
const Column& results_column(std::string_view path);
// The column a run's status is written to, last of all its values.
inline constexpr std::string_view status_column = "/runs/status";
// Schema 3: checksums of a run's table values and of its per-run datasets, written just before
// its status (results_schema/README.md gives the canonical order).
inline constexpr std::string_view checksum_column = "/runs/checksum";
inline constexpr std::string_view data_checksum_column = "/runs/data_checksum";
inline constexpr int checksum_since_version = 3;
// Version 4: the transitions (/flow/eta, /flow/excluded_at) and the input layer's graph.
inline constexpr int transitions_since_version = 4;
// Version 5: untrained controls (/runs/untrained).
inline constexpr int controls_since_version = 5;
// Version 5: snapshots during training (/snapshots).
inline constexpr int snapshots_since_version = 5;
// The root attribute 'notions': "forman,ollivier-approx". parse_notion_list refuses (an Error
// naming the file, unless file_path is empty) an empty list, an unknown name or a name given twice.
std::string notion_list_text(const std::vector<geometry::CurvatureNotion>& notions);
std::vector<geometry::CurvatureNotion> parse_notion_list(const std::string& text,
                                                         const std::string& file_path);
// Version 5: the notion axis (/notions, /local) and the root attributes notions, layer_list, local.
inline constexpr int notions_since_version = 5;
// Provenance, the runs in flight and the attempts (issue 15's datasets and attributes).
inline constexpr int operations_since_version = 6;
// Schema 6: the session (index into the root attribute 'sessions') that wrote each run.
inline constexpr std::string_view session_column = "/runs/session";
// The attempts table keeps this many attempts per run. Parallel HDF5 creates datasets collectively
// with fixed sizes, so the table is [runs, attempt_capacity]: a run with more attempts keeps its
// first attempt_capacity - 1 and, in the last row, its latest (/runs/attempts counts them all).
// Four rows hold every attempt of a run that the default --max-attempts 3 retries in one session,
// and keep the table (with its 64-byte host names, the Linux limit, and 128-byte messages;
// /runs/error has the whole message) at about 1 KB per run: 42% of a 100,000-run file of tiny
// runs (70% with 8 rows and wider strings before; bench/RESULTS.md §11).
inline constexpr int attempt_capacity = 4;
// The row of the attempts table that 1-based `attempt` is written to.
std::size_t attempt_row(int attempt);
// The columns write_run writes from the run record in a file of `version`, in registry order,
// the status excepted (it is written last).
std::vector<const Column*> record_columns(int version);
// The columns /runs/checksum covers, in their canonical order: the record columns but
// /runs/session, which names a session of the file's list and which `ricci-query merge`
// renumbers when it joins the lists of several shards.
std::vector<const Column*> checksummed_columns(int version);

// A per-run dataset is stored when the file's layout asks for activations or for node values.
// local_nodes (schema 5): with store_nodes, when the file also keeps local coefficients.
enum class StoreOption { activations, nodes, local_nodes };
// Whether a file with these settings keeps a dataset stored under `option`.
bool is_stored(StoreOption option, bool store_activations, bool store_nodes, bool local);
std::string_view store_option_attribute(StoreOption option);  // "store_activations", ...

using RunData = std::variant<std::vector<float>, std::vector<std::uint8_t>, std::vector<double>>;

// A dataset of a run's group (run_group()).
struct RunDataset {
  std::string_view name;  // "labels"; per-layer datasets are named by layer_dataset_name(l)
  bool per_layer;
  ValueType type;
  std::vector<std::string_view> shape;  // symbols, for layout.json
  StoreOption when;
  std::string_view meaning;
  // Dimensions for `run` (layer: 0-based hidden layer of a per-layer dataset).
  std::vector<std::size_t> (*dims)(const RunIdentity& run, std::size_t layer);
  // Values of a done run, row-major, as many as dims() gives.
  RunData (*values)(const RunRecord& run, std::size_t layer);
};
const std::vector<RunDataset>& run_datasets();
// The symbols run_datasets() shapes use, with their meaning.
const std::vector<std::pair<std::string_view, std::string_view>>& run_dataset_symbols();

// The name of run `id`'s group of per-run data: /run_data/r000042.
std::string run_group(index_t id);

// Attributes of the file's root group.
struct FileAttribute {
  std::string_view name;
  bool is_string;  // else int64
  std::string_view meaning;
  bool required = true;  // false: files written before it was added lack it, and stay valid
};
const std::vector<FileAttribute>& file_attributes();

// Bytes of one value of `type` (a fixed-length string: its width).
std::size_t value_bytes(ValueType type, std::size_t string_width);
// Bytes one run takes in the table datasets of a file with these axis sizes.
// `notions`, `list_layers` and `snapshots` size the schema 5 axes (list_layers 0: the same as
// layers).
std::size_t table_bytes_per_run(std::size_t k_slots, std::size_t layers, std::size_t epochs,
                                std::size_t notions = 1, std::size_t list_layers = 0,
                                std::size_t snapshots = 1);
// Bytes of `run`'s per-run datasets, given what the file stores.
std::size_t run_data_bytes(const RunIdentity& run, bool store_activations, bool store_nodes,
                           bool local = false);

// The whole schema as JSON: the text of results_schema/layout.json.
std::string layout_json();

}  // namespace ricci::io
