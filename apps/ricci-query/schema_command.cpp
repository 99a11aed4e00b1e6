// ricci-query schema: the results file's layout as JSON, generated from the schema registry. It is
// the text of results_schema/layout.json (a test keeps the two equal).
#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/schema.hpp"

namespace ricci::query {

int schema_command(const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << "usage: ricci-query schema\n  prints the results schema (results_schema/layout.json)\n";
    return exit_ok;
  }
  if (!args.empty()) throw Error("cli", "schema takes no arguments, got '" + args[0] + "'");
  out << io::layout_json();
  return exit_ok;
}

}  // namespace ricci::query
