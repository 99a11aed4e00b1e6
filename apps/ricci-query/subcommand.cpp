#include "subcommand.hpp"

#include <cmath>
#include <limits>

#include "ricci/core/error.hpp"
#include "ricci/geometry/coefficients.hpp"

namespace po = boost::program_options;

namespace ricci::query {

SubcommandOptions::SubcommandOptions(const std::string& caption) : options_(caption) {
  options_.add_options()("help,h", "show this help")("file", po::value(&paths),
                                                     "results file (positional)")(
      "format", po::value(&format_text_)->default_value("table"), "table | csv | json");
}

bool SubcommandOptions::parse(const std::vector<std::string>& args, std::ostream& out) {
  po::positional_options_description positional;
  positional.add("file", -1);
  po::store(po::command_line_parser(args).options(options_).positional(positional).run(), values_);
  po::notify(values_);
  if (values_.count("help")) {
    out << options_;
    return false;
  }
  if (paths.empty() || paths.front().empty()) throw Error("cli", "missing FILE.h5");
  if (paths.size() > 1 && !several_files_)
    throw Error("cli", "one FILE.h5 expected, got " + std::to_string(paths.size()) + " ('" +
                           paths[0] + "', '" + paths[1] + "'" + (paths.size() > 2 ? ", ..." : "") +
                           ")");
  path = paths.front();
  format = parse_format(format_text_);
  return true;
}

Cell whole_or_real(double value) {
  // Only a whole number that fits a long long prints as one; a corrupted or out-of-range stored
  // value prints as the number it is, never as a wrapped integer.
  constexpr double limit = 9223372036854775808.0;  // 2^63
  if (value >= -limit && value < limit && value == std::trunc(value))
    return static_cast<long long>(value);
  return value;
}

Cell stored_cell(const io::ResultsTable& table, const io::Column& column, std::size_t index) {
  switch (column.type) {
    case io::ValueType::string:
      return table.strings(column.path)[index];
    case io::ValueType::uint64: {
      const std::uint64_t value = table.unsigned_integers(column.path)[index];
      if (value > static_cast<std::uint64_t>(std::numeric_limits<long long>::max()))
        return std::to_string(value);
      return static_cast<long long>(value);
    }
    case io::ValueType::float32:
    case io::ValueType::float64: {
      const double value = table.reals(column.path)[index];
      if (!column.whole_numbers) return value;
      if (!std::isfinite(value)) return std::string();
      return whole_or_real(value);
    }
    default:
      break;
  }
  const std::int64_t value = table.integers(column.path)[index];
  for (const io::Code& code : column.codes)
    if (code.value == value) return std::string(code.name);
  return static_cast<long long>(value);
}

Json stored_json(const io::ResultsTable& table, const io::Column& column, std::size_t index) {
  // Seeds may use all 64 bits; JSON keeps them exact, a table cell prints them as long long.
  if (column.type == io::ValueType::uint64) return table.unsigned_integers(column.path)[index];
  const Cell cell = stored_cell(table, column, index);
  if (const auto* real = std::get_if<double>(&cell)) return number_or_null(*real);
  if (const auto* integer = std::get_if<long long>(&cell)) return *integer;
  const auto& text = std::get<std::string>(cell);
  if (text.empty() && column.type != io::ValueType::string) return nullptr;
  return text;
}

std::vector<const io::Column*> columns_over(const std::vector<io::Axis>& axes,
                                            const io::ResultsTable* table) {
  std::vector<const io::Column*> out;
  for (const io::Column& column : io::results_columns())
    if (column.axes == axes && (!table || table->columns.count(column.path)))
      out.push_back(&column);
  return out;
}

std::size_t notion_position(const io::ResultsTable& table, const std::string& name) {
  geometry::CurvatureNotion notion;
  try {
    notion = geometry::parse_curvature_notion(name);
  } catch (const Error& e) {
    throw Error("cli", "--curvature: " + e.message());
  }
  const auto position = table.notion_position(notion);
  if (!position)
    throw Error("cli", "--curvature " + name + ": '" + table.path + "' stores the notions " +
                           io::notion_list_text(table.notions));
  return *position;
}

void require_local_coefficients(const io::ResultsTable& table) {
  if (!table.local)
    throw Error("cli", "'" + table.path +
                           "' has no local coefficients (written without geometry.local = true, "
                           "or before schema 5)");
}

std::string exclusion_rule(const io::ResultsTable& table) {
  // Files before schema 4 excluded baptista-r runs by the paper's connectivity rule too.
  const bool reference_r =
      table.graph == "baptista-r" && table.schema_version >= io::transitions_since_version;
  return std::string(geometry::reason_name(reference_r
                                               ? geometry::CoefficientReason::reachability_changed
                                               : geometry::CoefficientReason::disconnected));
}

std::string exclusion_at(const io::ResultsTable& table, std::size_t run, std::size_t slot) {
  if (!table.excluded(run, slot)) return "";
  return std::string(geometry::reason_name(static_cast<geometry::CoefficientReason>(
      table.integers("/flow/reason")[table.index(run, slot)])));
}

std::size_t done_run(const io::ResultsTable& table, long long id) {
  if (id < 0 || static_cast<std::size_t>(id) >= table.runs)
    throw Error("cli", "run " + std::to_string(id) + " does not exist: '" + table.path +
                           "' holds runs 0.." +
                           std::to_string(static_cast<long long>(table.runs) - 1));
  const auto run = static_cast<std::size_t>(id);
  if (table.is_failed(run))
    throw Error("cli",
                "run " + std::to_string(id) + " failed: " + table.strings("/runs/error")[run]);
  if (table.status_code(run) == static_cast<std::int64_t>(io::RunStatus::running))
    throw Error("cli", "run " + std::to_string(id) +
                           " is running (or was lost with its process): resume the sweep first");
  if (!table.is_done(run))
    throw Error("cli",
                "run " + std::to_string(id) + " has not run yet (pending): resume the sweep first");
  return run;
}

}  // namespace ricci::query
