#include "query.hpp"

#include <boost/program_options/errors.hpp>
#include <exception>

#include "ricci/core/error.hpp"

namespace ricci::query {

namespace {

constexpr const char* usage =
    "usage: ricci-query SUBCOMMAND FILE.h5 [options]\n"
    "subcommands:\n"
    "  analyze   geometry and Ricci coefficients of an activation stack (layer_01, layer_02, ...)\n"
    "run 'ricci-query SUBCOMMAND --help' for a subcommand's options\n";

}  // namespace

int run_query(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << usage;
    return args.empty() ? exit_bad_input : exit_ok;
  }
  const std::string& subcommand = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (subcommand == "analyze") return analyze_command(rest, out);
    err << "ricci-query: unknown subcommand '" << subcommand << "' (run 'ricci-query --help')\n";
    return exit_bad_input;
  } catch (const Error& e) {
    err << "ricci-query " << subcommand << ": " << e.what() << "\n";
    return exit_bad_input;
  } catch (const boost::program_options::error& e) {
    err << "ricci-query " << subcommand << ": [cli] " << e.what() << "\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    err << "ricci-query " << subcommand << ": internal error: " << e.what() << "\n";
    return exit_internal;
  }
}

}  // namespace ricci::query
