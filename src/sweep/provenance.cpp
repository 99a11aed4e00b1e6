#include "ricci/sweep/provenance.hpp"

#include <Eigen/Core>
#include <boost/version.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ricci/core/error.hpp"
#include "ricci/sweep/data_identity.hpp"

namespace ricci::sweep {

namespace {

using nlohmann::json;

// "Open MPI v4.1.4" of "Open MPI v4.1.4, package: Debian OpenMPI, ident: ...": the library and
// its version, without the packaging details.
std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown";
  std::string version(text, static_cast<std::size_t>(std::max(length, 0)));
  version = version.substr(0, version.find_first_of(",\n"));
  while (!version.empty() && (version.back() == ' ' || version.back() == '\0')) version.pop_back();
  return version.empty() ? "unknown" : version;
}

std::string executable_sha256() {
  try {
    return sha256_file("/proc/self/exe");
  } catch (const Error&) {
    return "unknown";
  }
}

// A JSON array of objects from an attribute's text; "" (a new file's) is the empty array.
json parse_array(const std::string& text, const std::string& attribute) {
  if (text.empty()) return json::array();
  json out = json::parse(text, nullptr, false);
  if (out.is_discarded() || !out.is_array())
    throw Error("sweep", "the attribute '" + attribute + "' is not a JSON array");
  return out;
}

std::string text_of(const json& object, const std::string& key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

// The build's fields as "key" -> text; the libraries flattened to "libraries.hdf5" etc.
std::map<std::string, std::string> build_fields(const json& build) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : build.items()) {
    if (key == "id") continue;
    if (value.is_object()) {
      for (const auto& [inner, inner_value] : value.items())
        out[key + "." + inner] =
            inner_value.is_string() ? inner_value.get<std::string>() : inner_value.dump();
    } else {
      out[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return out;
}

// Hashes and commits are long: 12 digits name them well enough in a log line.
std::string shown(const std::string& key, const std::string& value) {
  const bool hash = key == "commit" || key.ends_with("sha256");
  if (value.empty()) return "(none)";
  return hash && value.size() > 12 ? value.substr(0, 12) : value;
}

// Rank 0's text to every rank.
std::string broadcast_text(std::string text, int rank, MPI_Comm comm) {
  unsigned long long size = rank == 0 ? text.size() : 0;
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  text.resize(static_cast<std::size_t>(size));
  if (size > 0) MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, comm);
  return text;
}

}  // namespace

std::string this_build_json() {
  const CompiledBuild compiled = compiled_build();
  json build{
      {"commit", compiled.commit},
      {"dirty", compiled.dirty},
      {"diff_sha256", compiled.diff_sha256},
      {"compiler", compiled.compiler},
      {"compile_flags", compiled.compile_flags},
      {"build_type", compiled.build_type},
      {"instruction_set", compiled.instruction_set},
      {"libraries",
       {{"hdf5", io::hdf5_library_version()},
        {"mpi", mpi_library_version()},
        {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                      "." + std::to_string(EIGEN_MINOR_VERSION)},
        {"boost", std::to_string(BOOST_VERSION / 100000) + "." +
                      std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                      std::to_string(BOOST_VERSION % 100)}}},
      {"executable_sha256", executable_sha256()}};
  build["id"] = sha256_hex(build.dump()).substr(0, 16);
  return build.dump();
}

std::string build_difference(const std::string& stored, const std::string& current) {
  const json there = json::parse(stored, nullptr, false),
             here = json::parse(current, nullptr, false);
  if (there.is_discarded() || !there.is_object()) return "the stored build is not readable";
  const auto old_fields = build_fields(there), new_fields = build_fields(here);
  std::set<std::string> keys;
  for (const auto& [key, value] : old_fields) keys.insert(key);
  for (const auto& [key, value] : new_fields) keys.insert(key);
  std::string out;
  for (const std::string& key : keys) {
    const auto old_value = old_fields.find(key), new_value = new_fields.find(key);
    const std::string a = old_value == old_fields.end() ? "" : old_value->second;
    const std::string b = new_value == new_fields.end() ? "" : new_value->second;
    if (a == b) continue;
    if (!out.empty()) out += "; ";
    out += key + " " + shown(key, a) + " there, " + shown(key, b) + " here";
  }
  return out;
}

std::string resume_build_warning(const io::ResultsFile& file, const std::string& current_build) {
  if (file.file_version() < io::operations_since_version || !file.has_attribute("builds") ||
      !file.has_attribute("sessions"))
    return "";
  const json builds = parse_array(file.attribute("builds"), "builds");
  const json sessions = parse_array(file.attribute("sessions"), "sessions");
  const auto run_sessions = file.run_sessions();
  const auto statuses = file.statuses();
  // The sessions that wrote done runs, with how many each.
  std::map<int, long> done_by_session;
  for (std::size_t row = 0; row < run_sessions.size() && row < statuses.size(); ++row)
    if (statuses[row] == io::RunStatus::done) ++done_by_session[run_sessions[row]];
  // Per build id that wrote done runs: its runs, then one line naming what differs.
  std::map<std::string, long> done_by_build;
  for (const auto& [session, count] : done_by_session) {
    const bool known = session >= 0 && static_cast<std::size_t>(session) < sessions.size();
    done_by_build[known ? text_of(sessions[static_cast<std::size_t>(session)], "build") : ""] +=
        count;
  }
  std::string out;
  for (const auto& [id, count] : done_by_build) {
    std::string difference = "its build is not recorded";
    for (const json& build : builds)
      if (build.is_object() && text_of(build, "id") == id) {
        difference = build_difference(build.dump(), current_build);
        break;
      }
    if (difference.empty()) continue;
    if (!out.empty()) out += " | ";
    out += std::to_string(count) + " done run" + (count == 1 ? "" : "s") + " of build " +
           (id.empty() ? "?" : id) + ": " + difference;
  }
  return out.empty() ? "" : "this build differs from the one that wrote " + out;
}

SessionStart start_session(const std::string& builds_text, const std::string& sessions_text,
                           const std::string& build_text, const Place& place,
                           const SessionShape& shape, double now) {
  json builds = parse_array(builds_text, "builds");
  json sessions = parse_array(sessions_text, "sessions");
  const json build = json::parse(build_text);
  bool known = false;
  for (const json& stored : builds)
    known = known || (stored.is_object() && text_of(stored, "id") == text_of(build, "id"));
  if (!known) builds.push_back(build);
  sessions.push_back({{"action", sessions.empty() ? "create" : "resume"},
                      {"start", utc_text(now)},
                      {"end", ""},
                      {"host", place.host},
                      {"pid", place.pid},
                      {"slurm_job_id", place.slurm_job_id},
                      {"slurm_restart_count", place.slurm_restart_count},
                      {"ranks", shape.ranks},
                      {"threads_per_rank", shape.threads_per_rank},
                      {"build", build.at("id")},
                      {"commit", build.at("commit")},
                      {"dirty", build.at("dirty")}});
  return {builds.dump(), sessions.dump(), static_cast<int>(sessions.size()) - 1};
}

std::string end_session(const std::string& sessions_text, int index, double now) {
  json sessions = parse_array(sessions_text, "sessions");
  if (index < 0 || static_cast<std::size_t>(index) >= sessions.size()) return sessions.dump();
  sessions[static_cast<std::size_t>(index)]["end"] = utc_text(now);
  return sessions.dump();
}

void record_session_start(io::ResultsFile& file, const std::string& build, int threads_per_rank,
                          int rank, MPI_Comm comm) {
  if (file.file_version() < io::operations_since_version) return;
  // Every rank reads (an attribute is metadata every rank may read); rank 0 alone adds to it.
  const std::string stored_builds = file.attribute("builds");
  const std::string stored_sessions = file.attribute("sessions");
  SessionStart start;
  std::string created;
  if (rank == 0) {
    const double now = unix_seconds_now();
    SessionShape shape{.threads_per_rank = threads_per_rank};
    MPI_Comm_size(comm, &shape.ranks);
    start = start_session(stored_builds, stored_sessions, build, this_place(), shape, now);
    if (start.index == 0) created = utc_text(now);
  }
  start.builds = broadcast_text(start.builds, rank, comm);
  start.sessions = broadcast_text(start.sessions, rank, comm);
  created = broadcast_text(created, rank, comm);
  MPI_Bcast(&start.index, 1, MPI_INT, 0, comm);
  file.set_attribute("builds", start.builds);
  file.set_attribute("sessions", start.sessions);
  if (!created.empty()) file.set_attribute("created", created);
  // On disk now: a sweep killed later (node loss, kill -9) must still say who wrote its runs.
  file.flush();
  file.set_session(start.index);
}

void record_session_end(io::ResultsFile& file, bool complete, int rank, MPI_Comm comm) {
  if (file.file_version() < io::operations_since_version || file.session() < 0) return;
  const std::string stored_sessions = file.attribute("sessions");
  const bool completed_before = !file.attribute("completed").empty();
  std::string sessions, completed;
  if (rank == 0) {
    const double now = unix_seconds_now();
    sessions = end_session(stored_sessions, file.session(), now);
    if (complete && !completed_before) completed = utc_text(now);
  }
  sessions = broadcast_text(sessions, rank, comm);
  completed = broadcast_text(completed, rank, comm);
  file.set_attribute("sessions", sessions);
  if (!completed.empty()) file.set_attribute("completed", completed);
}

}  // namespace ricci::sweep
