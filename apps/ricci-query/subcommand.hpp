#pragma once
// What every results-file subcommand shares: FILE.h5 as the positional argument, --format, --help.
#include <boost/program_options.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "output.hpp"
#include "ricci/io/results_table.hpp"

namespace ricci::query {

class SubcommandOptions {
 public:
  explicit SubcommandOptions(const std::string& caption);
  // Add the subcommand's own options here before parse().
  boost::program_options::options_description_easy_init add() { return options_.add_options(); }
  // False when --help was printed (the subcommand then exits 0). Throws on bad options.
  bool parse(const std::vector<std::string>& args, std::ostream& out);
  bool given(const std::string& name) const {
    return values_.count(name) > 0 && !values_[name].defaulted();
  }

  // Accept several positional files (paths), before parse(); others take exactly one.
  void accept_several_files() { several_files_ = true; }

  std::string path;                // the first (or only) file
  std::vector<std::string> paths;  // every file, in order
  Format format = Format::table;

 private:
  boost::program_options::options_description options_;
  boost::program_options::variables_map values_;
  std::string format_text_;
  bool several_files_ = false;
};

// A finite value as a whole number when it is one that fits a long long, else as a real.
Cell whole_or_real(double value);
// One stored cell of a registry column as the listings print it: coded integers by their name
// (status "done"), whole-number columns as integers, undefined values empty / null.
Cell stored_cell(const io::ResultsTable& table, const io::Column& column, std::size_t index);
Json stored_json(const io::ResultsTable& table, const io::Column& column, std::size_t index);
// The registry's columns over exactly these axes, in registry order (what a listing shows); with a
// table, only those its file has (a file of an older schema version may lack newer columns).
std::vector<const io::Column*> columns_over(const std::vector<io::Axis>& axes,
                                            const io::ResultsTable* table = nullptr);

// The rule that excludes runs under the file's convention (docs/method.md §3-§4):
// "reachability-changed" for baptista-r files of schema 4 on, "disconnected" otherwise.
std::string exclusion_rule(const io::ResultsTable& table);
// Why `run` is excluded at k slot `slot` ("disconnected", "reachability-changed"), or "".
std::string exclusion_at(const io::ResultsTable& table, std::size_t run, std::size_t slot);

// The position on the file's notions axis of the notion `name` (--curvature's value); an Error
// naming the value when it is no notion or the file does not store it.
std::size_t notion_position(const io::ResultsTable& table, const std::string& name);

// An Error naming the file when it holds no local coefficients (/local is its fill).
void require_local_coefficients(const io::ResultsTable& table);

// Run `id` of the table when it exists and is done; otherwise an Error naming what is wrong.
std::size_t done_run(const io::ResultsTable& table, long long id);

}  // namespace ricci::query
