// ricci-query merge OUT.h5 SHARD.h5... [--force] [--format table|csv|json]: the shard files of a
// sweep (ricci-sweep --shard i/n) as one results file, the same as an unsharded sweep of the job.
// The runs of shards not given (or not finished in theirs) stay pending: ricci-sweep --resume of
// OUT with the job (without --shard) finishes them. OUT is written under a temporary name and
// renamed into place, so a failed merge never leaves a half-made file under its name; an existing
// OUT is replaced only with --force.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "query.hpp"
#include "ricci/core/error.hpp"
#include "ricci/io/shards.hpp"
#include "subcommand.hpp"

namespace ricci::query {

namespace {

std::string shard_list(const std::vector<io::Shard>& shards) {
  std::string out;
  for (const io::Shard& shard : shards) out += (out.empty() ? "" : ", ") + io::shard_text(shard);
  return out;
}

// The next steps when runs stay pending: the missing shards to run, or the merged file to resume.
std::string advice(const io::MergeReport& report, const std::string& output) {
  if (report.pending == 0) return "";
  std::string missing;
  for (int index : report.missing)
    missing += (missing.empty() ? "" : ", ") + io::shard_text(io::Shard{index, report.shard_count});
  const std::string resume =
      "ricci-sweep --resume --out " + output + " with the job (without --shard) finishes them";
  if (!missing.empty())
    return "run shard" + std::string(report.missing.size() > 1 ? "s " : " ") + missing +
           " (ricci-sweep --shard) and merge again, or " + resume;
  return "the shards have unfinished runs: resume them (same --shard) and merge again, or " +
         resume;
}

// A shard a sweep is still writing must not be merged (it would be copied mid-write): its lock
// file, SHARD.lock, is held with flock() for as long as that sweep runs (ricci-sweep's lock).
void require_not_in_use(const std::string& shard) {
  const std::string lock = shard + ".lock";
  const int fd = ::open(lock.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;  // never swept here, or moved without its lock file
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  std::string owner(256, '\0');
  if (held)
    owner.resize(static_cast<std::size_t>(
        std::max<ssize_t>(::pread(fd, owner.data(), owner.size() - 1, 0), 0)));
  ::close(fd);
  if (held)
    throw Error("cli", shard + " is in use by a running sweep (" + owner.c_str() +
                           "); merge it when that sweep has ended");
}

}  // namespace

int merge_command(const std::vector<std::string>& args, std::ostream& out) {
  namespace fs = std::filesystem;
  SubcommandOptions options("ricci-query merge OUT.h5 SHARD.h5... options");
  options.accept_several_files();
  options.add()("force", "replace OUT.h5 when it exists");
  if (!options.parse(args, out)) return exit_ok;
  const std::string& output = options.paths.front();
  const std::vector<std::string> shards(options.paths.begin() + 1, options.paths.end());
  if (shards.empty())
    throw Error("cli", "merge takes the merged file OUT.h5 and then the shard files to merge");
  std::error_code error;
  if (fs::exists(output, error) && !options.given("force"))
    throw Error("cli", output + " already exists: pass --force to replace it");
  if (fs::is_directory(output, error)) throw Error("cli", output + " is a directory");
  for (const std::string& shard : shards)
    if (fs::equivalent(output, shard, error))
      throw Error("cli", output + " is one of the shard files (" + shard +
                             "); name a new file for the merge");
  const auto parent = fs::path(output).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error))
    throw Error("cli", "the output directory " + parent.string() + " does not exist");

  for (const std::string& shard : shards) require_not_in_use(shard);

  const std::string merging = output + ".merging";
  ::unlink(merging.c_str());  // a leftover of a merge that failed
  io::MergeReport report;
  try {
    report = io::merge_shards(shards, merging);
  } catch (...) {
    ::unlink(merging.c_str());
    throw;
  }
  if (::rename(merging.c_str(), output.c_str()) != 0) {
    const int reason = errno;
    ::unlink(merging.c_str());
    throw Error("cli", "cannot rename " + merging + " to " + output + ": " + std::strerror(reason));
  }

  const std::string next = advice(report, output);
  switch (options.format) {
    case Format::json: {
      Json merged = Json::array(), missing = Json::array();
      for (const io::Shard& shard : report.merged) merged.push_back(io::shard_text(shard));
      for (int index : report.missing)
        missing.push_back(io::shard_text(io::Shard{index, report.shard_count}));
      out << Json{{"file", output},          {"shards", report.shard_count}, {"merged", merged},
                  {"missing", missing},      {"runs", report.runs},          {"done", report.done},
                  {"failed", report.failed}, {"pending", report.pending},    {"next", next}}
                 .dump()
          << "\n";
      break;
    }
    case Format::csv: {
      Table table{{"file", "shards", "merged", "runs", "done", "failed", "pending"}, {}};
      table.rows.push_back(
          {output, static_cast<long long>(report.shard_count),
           static_cast<long long>(report.merged.size()), static_cast<long long>(report.runs),
           static_cast<long long>(report.done), static_cast<long long>(report.failed),
           static_cast<long long>(report.pending)});
      print_csv(out, table);
      break;
    }
    case Format::table:
      out << "merged " << report.merged.size() << " of " << report.shard_count << " shards ("
          << shard_list(report.merged) << ") into " << output << ": " << report.runs << " runs, "
          << report.done << " done, " << report.failed << " failed, " << report.pending
          << " pending" << (next.empty() ? "" : " — " + next) << "\n";
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
