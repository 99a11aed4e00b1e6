// ricci-query runs FILE.h5 [--where KEY=VALUE]... [--format table|csv|json]: one row per run with
// every per-run column of the results schema, whether it is accepted, and rho and z at every k.
#include <algorithm>
#include <cmath>
#include <set>

#include "cli_util.hpp"
#include "query.hpp"
#include "ricci/analysis/summary.hpp"
#include "ricci/core/error.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

namespace {

// "accepted" is derived (done and above the threshold); it is listed right after the status.
constexpr std::string_view accepted_key = "accepted";

// KEY=VALUE[,VALUE...]: a run passes when its KEY equals one of the values; filters combine with
// AND. KEY is any per-run column of the schema or "accepted". Values are put in the form field()
// prints (integers without leading zeros, booleans as true/false) once, here, so matching a run is
// a string comparison.
struct Filter {
  std::string key;
  const io::Column* column = nullptr;  // null for "accepted"
  std::vector<std::string> values;
};

std::string key_list() {
  std::string out;
  for (const io::Column* column : columns_over({io::Axis::runs}))
    out += (out.empty() ? "" : ", ") + std::string(column->name());
  return out + ", " + std::string(accepted_key);
}

Filter parse_filter(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw Error("cli",
                "--where '" + text + "': expected KEY=VALUE, e.g. --where problem=synthetic-a");
  Filter filter{text.substr(0, equals), nullptr,
                cli::parse_name_list(text.substr(equals + 1), "--where " + text.substr(0, equals))};
  const std::string option = "--where " + filter.key;
  if (filter.key == accepted_key) {
    for (auto& v : filter.values) v = cli::parse_bool(v, option) ? "true" : "false";
    return filter;
  }
  for (const io::Column* column : columns_over({io::Axis::runs}))
    if (column->name() == filter.key) filter.column = column;
  if (!filter.column)
    throw Error("cli", "--where: unknown key '" + filter.key + "' (keys: " + key_list() + ")");
  if (!filter.column->codes.empty()) {
    std::vector<std::string> names;
    for (const io::Code& code : filter.column->codes) names.emplace_back(code.name);
    for (const auto& v : filter.values) cli::require_one_of(option, v, names);
  } else if (filter.column->type != io::ValueType::string) {
    for (auto& v : filter.values)
      v = filter.column->type == io::ValueType::float64
              ? round_trip(cli::parse_double(v, option))
              : std::to_string(cli::parse_integer(v, option));
  }
  return filter;
}

std::string field(const io::ResultsTable& t, std::size_t run, const Filter& filter) {
  if (!filter.column) return analysis::above_threshold(t, run) ? "true" : "false";
  const Cell cell = stored_cell(t, *filter.column, run);
  if (const auto* real = std::get_if<double>(&cell)) return round_trip(*real);
  if (const auto* integer = std::get_if<long long>(&cell)) return std::to_string(*integer);
  return std::get<std::string>(cell);
}

bool passes(const io::ResultsTable& t, std::size_t run, const std::vector<Filter>& filters) {
  return std::all_of(filters.begin(), filters.end(), [&](const Filter& f) {
    return std::find(f.values.begin(), f.values.end(), field(t, run, f)) != f.values.end();
  });
}

double at(const io::ResultsTable& t, std::string_view column, std::size_t run, index_t k) {
  const auto slot = t.k_slot_of(run, k);
  return slot ? t.reals(column)[t.index(run, *slot)] : NAN;
}

}  // namespace

int runs_command(const std::vector<std::string>& args, std::ostream& out) {
  std::vector<std::string> where;
  SubcommandOptions options("ricci-query runs FILE.h5 options");
  options.add()("where", po::value(&where)->composing(),
                ("KEY=VALUE[,VALUE...] filter, repeatable (keys: " + key_list() + ")").c_str());
  if (!options.parse(args, out)) return exit_ok;
  std::vector<Filter> filters;
  for (const auto& text : where) filters.push_back(parse_filter(text));

  const io::ResultsTable t = io::read_results_table(options.path);
  const auto per_run = columns_over({io::Axis::runs}, &t);
  std::vector<std::size_t> selected;
  std::set<index_t> grid;
  for (std::size_t run = 0; run < t.runs; ++run)
    if (passes(t, run, filters)) {
      selected.push_back(run);
      for (index_t k : t.k_values(run)) grid.insert(k);
    }

  if (options.format == Format::json) {
    Json rows = Json::array();
    for (std::size_t run : selected) {
      Json row;
      for (const io::Column* column : per_run) {
        row[std::string(column->name())] = stored_json(t, *column, run);
        if (column->path == io::status_column)
          row[std::string(accepted_key)] = analysis::above_threshold(t, run);
      }
      Json rho = Json::array(), z = Json::array(), excluded = Json::array();
      const auto k_values = t.k_values(run);
      for (std::size_t s = 0; s < k_values.size(); ++s) {
        rho.push_back(number_or_null(t.reals("/flow/rho")[t.index(run, s)]));
        z.push_back(number_or_null(t.reals("/flow/z")[t.index(run, s)]));
        const std::string why = t.is_done(run) ? exclusion_at(t, run, s) : "";
        excluded.push_back(why.empty() ? Json(nullptr) : Json(why));
      }
      row["k"] = k_values;
      row["rho"] = rho;
      row["z"] = z;
      row["excluded_by"] = excluded;
      rows.push_back(std::move(row));
    }
    out << Json{{"file", t.path}, {"graph", t.graph}, {"runs", rows}}.dump() << "\n";
    return exit_ok;
  }

  // One column per k of the selected runs; a run without that k leaves the cell empty.
  Table table;
  for (const io::Column* column : per_run) {
    table.columns.emplace_back(column->name());
    if (column->path == io::status_column) table.columns.emplace_back(accepted_key);
  }
  for (index_t k : grid) table.columns.push_back("rho_k" + std::to_string(k));
  for (index_t k : grid) table.columns.push_back("z_k" + std::to_string(k));
  // Which rule excluded the run at each k (docs/method.md §3-§4), empty when it was kept.
  for (index_t k : grid) table.columns.push_back("excluded_k" + std::to_string(k));
  for (std::size_t run : selected) {
    std::vector<Cell> row;
    for (const io::Column* column : per_run) {
      row.push_back(stored_cell(t, *column, run));
      if (column->path == io::status_column)
        row.push_back(std::string(analysis::above_threshold(t, run) ? "true" : "false"));
    }
    for (index_t k : grid) row.push_back(at(t, "/flow/rho", run, k));
    for (index_t k : grid) row.push_back(at(t, "/flow/z", run, k));
    for (index_t k : grid) {
      const auto slot = t.k_slot_of(run, k);
      row.push_back(slot && t.is_done(run) ? exclusion_at(t, run, *slot) : std::string());
    }
    table.rows.push_back(std::move(row));
  }
  if (options.format == Format::csv)
    print_csv(out, table);
  else
    print_text_table(out, table);
  return exit_ok;
}

}  // namespace ricci::query
