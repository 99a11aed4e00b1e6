#include "subcommand.hpp"

#include "ricci/core/error.hpp"

namespace po = boost::program_options;

namespace ricci::query {

SubcommandOptions::SubcommandOptions(const std::string& caption) : options_(caption) {
  options_.add_options()("help,h", "show this help")("file", po::value(&path),
                                                     "results file (positional)")(
      "format", po::value(&format_text_)->default_value("table"), "table | csv | json");
}

bool SubcommandOptions::parse(const std::vector<std::string>& args, std::ostream& out) {
  po::positional_options_description positional;
  positional.add("file", 1);
  po::store(po::command_line_parser(args).options(options_).positional(positional).run(), values_);
  po::notify(values_);
  if (values_.count("help")) {
    out << options_;
    return false;
  }
  if (path.empty()) throw Error("cli", "missing FILE.h5");
  format = parse_format(format_text_);
  return true;
}

std::size_t done_run(const io::ResultsTable& table, long long id) {
  if (id < 0 || static_cast<std::size_t>(id) >= table.runs)
    throw Error("cli", "run " + std::to_string(id) + " does not exist: '" + table.path +
                           "' holds runs 0.." +
                           std::to_string(static_cast<long long>(table.runs) - 1));
  const auto run = static_cast<std::size_t>(id);
  if (table.is_failed(run))
    throw Error("cli", "run " + std::to_string(id) + " failed: " + table.error[run]);
  if (!table.is_done(run))
    throw Error("cli",
                "run " + std::to_string(id) + " has not run yet (pending): resume the sweep first");
  return run;
}

}  // namespace ricci::query
