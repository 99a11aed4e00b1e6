// ricci-query provenance FILE.h5 [--format table|csv|json]: where a results file comes from —
// the builds that wrote it (git commit, dirty tree, compiler, flags, instruction set, library
// versions), its data files with their SHA-256, when it was created and completed, and the
// sessions that wrote it (creation and each --resume) with their MPI ranks and threads per rank
// ("-" for sessions recorded before those were; json: absent) and how many runs each wrote. Files
// older than schema 6 print what they have and name what they lack. csv: one row per session.
#include <map>

#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/results_file.hpp"
#include "ricci/sweep/data_identity.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

// A root attribute's text, or "" when the file has none.
std::string attribute_or_empty(const io::ResultsFile& file, const std::string& name) {
  return file.has_attribute(name) ? file.attribute(name) : "";
}

// 'builds' and 'sessions' are JSON arrays; anything else is a damaged file, named.
Json json_array(const std::string& text, const std::string& name, const std::string& path) {
  if (text.empty()) return Json::array();
  Json out = Json::parse(text, nullptr, false);
  if (out.is_discarded() || !out.is_array())
    throw Error("query", "'" + path + "': the attribute '" + name + "' is not a JSON array");
  return out;
}

std::string text_of(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return "";
  return object[key].is_string() ? object[key].get<std::string>() : object[key].dump();
}

// The data files of the identity, in the order the sweep wrote them.
Json data_files(const std::string& identity) {
  Json out = Json::array();
  for (const sweep::DataFileDigest& file : sweep::parse_data_identity(identity).files)
    out.push_back({{"problem", file.problem},
                   {"role", file.role},
                   {"sha256", file.sha256},
                   {"path", file.path}});
  return out;
}

}  // namespace

int provenance_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query provenance FILE.h5 options");
  if (!options.parse(args, out)) return exit_ok;
  const auto file = io::ResultsFile::open(options.path, false);
  const int version = file.file_version();
  const std::string& path = options.path;

  Json report;
  report["file"] = path;
  report["schema_version"] = version;
  report["tool"] = attribute_or_empty(file, "tool");
  report["tool_version"] = attribute_or_empty(file, "tool_version");
  const std::string identity = attribute_or_empty(file, "data_identity");
  report["data_files"] = data_files(identity);

  // What an older file lacks, named instead of printed empty.
  Json lacks = Json::array();
  if (!file.has_attribute("data_identity")) lacks.push_back("data_identity");
  for (const char* name : {"created", "completed", "builds", "sessions"})
    if (!file.has_attribute(name)) lacks.push_back(name);
  if (version < io::operations_since_version) lacks.push_back(std::string(io::session_column));
  report["lacks"] = lacks;

  report["created"] = attribute_or_empty(file, "created");
  report["completed"] = attribute_or_empty(file, "completed");
  report["builds"] = json_array(attribute_or_empty(file, "builds"), "builds", path);
  Json sessions = json_array(attribute_or_empty(file, "sessions"), "sessions", path);

  // Runs per session and status, from /runs/session and /runs/status.
  const auto statuses = file.statuses();
  const auto run_sessions = file.run_sessions();
  std::map<int, std::map<io::RunStatus, long long>> written;
  for (std::size_t row = 0; row < run_sessions.size() && row < statuses.size(); ++row)
    if (statuses[row] != io::RunStatus::pending) ++written[run_sessions[row]][statuses[row]];
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    const auto& counts = written[static_cast<int>(s)];
    const auto count = [&](io::RunStatus status) {
      const auto found = counts.find(status);
      return found == counts.end() ? 0LL : found->second;
    };
    if (sessions[s].is_object()) {
      sessions[s]["runs_done"] = count(io::RunStatus::done);
      sessions[s]["runs_failed"] = count(io::RunStatus::failed);
    }
  }
  report["sessions"] = sessions;
  long long pending = 0;
  for (auto status : statuses) pending += status == io::RunStatus::pending;
  report["runs"] = static_cast<long long>(statuses.size());
  report["runs_pending"] = pending;

  if (options.format == Format::json) {
    out << report.dump(2) << "\n";
    return exit_ok;
  }
  Table session_table{{"session", "action", "start", "end", "host", "pid", "slurm_job", "ranks",
                       "threads_per_rank", "build", "commit", "dirty", "runs_done", "runs_failed"},
                      {}};
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    const Json& session = sessions[s];
    session_table.rows.push_back(
        {static_cast<long long>(s), text_of(session, "action"), text_of(session, "start"),
         text_of(session, "end"), text_of(session, "host"), text_of(session, "pid"),
         text_of(session, "slurm_job_id"), text_of(session, "ranks"),
         text_of(session, "threads_per_rank"), text_of(session, "build"),
         text_of(session, "commit").substr(0, 12), text_of(session, "dirty"),
         session.value("runs_done", 0LL), session.value("runs_failed", 0LL)});
  }
  if (options.format == Format::csv) {
    print_csv(out, session_table);
    return exit_ok;
  }

  const auto or_unknown = [](const std::string& text) { return text.empty() ? "-" : text; };
  out << path << ": results schema version " << version << ", written by "
      << or_unknown(report["tool"].get<std::string>()) << " "
      << report["tool_version"].get<std::string>() << "\n";
  out << "created:   " << or_unknown(report["created"].get<std::string>()) << "\n";
  out << "completed: "
      << (report["completed"].get<std::string>().empty()
              ? "not recorded (" + std::to_string(pending) + " of " +
                    std::to_string(statuses.size()) + " runs pending)"
              : report["completed"].get<std::string>())
      << "\n";
  out << "builds:\n";
  if (report["builds"].empty()) out << "  (none recorded)\n";
  for (const Json& build : report["builds"]) {
    out << "  " << text_of(build, "id") << ": commit " << text_of(build, "commit")
        << (text_of(build, "dirty") == "true"
                ? " (dirty, diff sha256 " + text_of(build, "diff_sha256") + ")"
            : text_of(build, "dirty") == "false" ? " (clean)"
                                                 : "")
        << "\n    compiler " << text_of(build, "compiler") << ", build type "
        << text_of(build, "build_type") << ", instruction set " << text_of(build, "instruction_set")
        << "\n    flags " << text_of(build, "compile_flags") << "\n    libraries";
    if (build.contains("libraries") && build["libraries"].is_object())
      for (const auto& [name, value] : build["libraries"].items())
        out << " " << name << " " << (value.is_string() ? value.get<std::string>() : value.dump());
    out << "\n    executable sha256 " << text_of(build, "executable_sha256") << "\n";
  }
  out << "data files:\n";
  if (report["data_files"].empty())
    out << (identity.empty() ? "  (no data identity recorded)\n" : "  (none: synthetic data)\n");
  else {
    Table files{{"problem", "role", "sha256", "path"}, {}};
    for (const Json& f : report["data_files"])
      files.rows.push_back(
          {text_of(f, "problem"), text_of(f, "role"), text_of(f, "sha256"), text_of(f, "path")});
    print_text_table(out, files);
  }
  out << "sessions:\n";
  if (sessions.empty())
    out << "  (none recorded)\n";
  else
    print_text_table(out, session_table);
  if (!lacks.empty()) {
    out << "this file (schema version " << version << ") lacks:";
    for (const Json& name : lacks) out << " " << name.get<std::string>();
    out << " (recorded from schema version " << io::operations_since_version << " on)\n";
  }
  return exit_ok;
}

}  // namespace ricci::query
