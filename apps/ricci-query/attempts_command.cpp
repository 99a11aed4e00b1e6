// ricci-query attempts FILE.h5 [--run ID] [--format table|csv|json]: the attempts table (schema 6,
// /attempts): one row per recorded attempt of a run — its number, then every column of the
// registry's attempts axis (rank, host, SLURM job, start and end in Unix seconds, outcome,
// message). A run keeps its first A-1 attempts and, in the last row, its latest
// (results_schema/README.md), so the last row's number is the run's attempt count.
#include "query.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

// The attempt number row `row` of `run` holds: row + 1, and for the last row the run's count once
// it has had more attempts than the table keeps.
long long attempt_number(const io::ResultsTable& t, std::size_t run, std::size_t row) {
  const auto kept = static_cast<long long>(row) + 1;
  if (row + 1 < t.attempts) return kept;
  return std::max(kept, static_cast<long long>(t.integers("/runs/attempts")[run]));
}

}  // namespace

int attempts_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query attempts FILE.h5 options");
  long long only_run = -1;
  options.add()("run", boost::program_options::value(&only_run),
                "only this run's attempts (its id)");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(options.path, io::AttemptsTable::read);
  if (t.schema_version < io::operations_since_version)
    throw Error("cli", "'" + options.path + "' is results schema version " +
                           std::to_string(t.schema_version) +
                           ", which has no attempts table (it arrived in version " +
                           std::to_string(io::operations_since_version) + ")");
  if (options.given("run") && (only_run < 0 || static_cast<std::size_t>(only_run) >= t.runs))
    throw Error("cli", "--run " + std::to_string(only_run) + ": '" + options.path +
                           "' has runs 0-" + std::to_string(t.runs - 1));
  const auto columns = columns_over({io::Axis::runs, io::Axis::attempts}, &t);
  const auto& outcome = t.integers("/attempts/outcome");

  Table table{{"run", "attempt"}, {}};
  for (const io::Column* column : columns) table.columns.emplace_back(column->name());
  Json rows = Json::array();
  for (std::size_t run = 0; run < t.runs; ++run) {
    if (options.given("run") && run != static_cast<std::size_t>(only_run)) continue;
    for (std::size_t row = 0; row < t.attempts; ++row) {
      const std::size_t cell = run * t.attempts + row;
      if (outcome[cell] < 0) continue;  // padding: no attempt recorded here
      std::vector<Cell> line{static_cast<long long>(run), attempt_number(t, run, row)};
      Json object{{"run", run}, {"attempt", attempt_number(t, run, row)}};
      for (const io::Column* column : columns) {
        line.push_back(stored_cell(t, *column, cell));
        object[std::string(column->name())] = stored_json(t, *column, cell);
      }
      table.rows.push_back(std::move(line));
      rows.push_back(std::move(object));
    }
  }
  switch (options.format) {
    case Format::json:
      out << Json{{"file", t.path}, {"attempts", rows}}.dump() << "\n";
      break;
    case Format::csv:
      print_csv(out, table);
      break;
    case Format::table:
      out << t.path << ": " << table.rows.size()
          << " recorded attempts (times in Unix seconds; a run keeps its first " << t.attempts - 1
          << " and its latest)\n";
      print_text_table(out, table);
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
