// ricci-query validate FILE.h5 [--limit N] [--format table|csv|json]: the file against
// the schema registry (the layout `ricci-query schema` prints) and the value rules of
// results_schema/README.md. Exit 0 when valid, 3 with the first problems listed when not, 2 when
// the file cannot be read at all.
#include "query.hpp"
#include "ricci/io/results_table.hpp"
#include "subcommand.hpp"

namespace po = boost::program_options;

namespace ricci::query {

int validate_command(const std::vector<std::string>& args, std::ostream& out) {
  std::size_t limit = io::default_problem_limit;
  SubcommandOptions options("ricci-query validate FILE.h5 options");
  options.add()("limit", po::value(&limit)->default_value(limit),
                "list at most this many problems");
  if (!options.parse(args, out)) return exit_ok;
  const io::Validation validation = io::validate_results(options.path, limit);
  const auto& problems = validation.problems;
  switch (options.format) {
    case Format::json:
      out << Json{{"file", options.path}, {"valid", problems.empty()}, {"problems", problems}}
                 .dump()
          << "\n";
      break;
    case Format::csv: {
      Table table{{"problem"}, {}};
      for (const auto& p : problems) table.rows.push_back({p});
      print_csv(out, table);
      break;
    }
    case Format::table:
      if (problems.empty())
        out << options.path << ": valid (results schema version " << validation.schema_version
            << ")\n";
      else {
        out << options.path << ": NOT valid\n";
        for (const auto& p : problems) out << "  " << p << "\n";
      }
      break;
  }
  return problems.empty() ? exit_ok : exit_invalid_file;
}

}  // namespace ricci::query
