// sweep::provenance and sweep::file_system: the build and session records a results file keeps
// (schema 6), the comparison --resume warns with, and the file systems the sweep warns about.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ricci/core/error.hpp"
#include "ricci/sweep/file_system.hpp"
#include "ricci/sweep/provenance.hpp"

using namespace ricci;
using nlohmann::json;

TEST_CASE("network file systems are told apart by their statfs magic number") {
  CHECK(sweep::network_file_system_name(0x6969) == "nfs");  // NFS_SUPER_MAGIC
  CHECK(sweep::network_file_system_name(0x0BD00BD0) == "lustre");
  CHECK(sweep::network_file_system_name(0xEF53).empty());      // ext4
  CHECK(sweep::network_file_system_name(0x01021994).empty());  // tmpfs
  // A directory that cannot be examined is no warning (nor an error).
  CHECK(sweep::file_system_warning("/nonexistent-ricci-dir/sub/out.h5").empty());
}

TEST_CASE("a build record names its commit, compiler, libraries and an id of 16 hex digits") {
  const json build = json::parse(sweep::this_build_json());
  for (const char* key : {"commit", "dirty", "diff_sha256", "compiler", "compile_flags",
                          "build_type", "instruction_set", "executable_sha256"})
    CHECK(build.contains(key));
  for (const char* library : {"hdf5", "mpi", "eigen", "boost"})
    CHECK(!build.at("libraries").at(library).get<std::string>().empty());
  const std::string id = build.at("id");
  CHECK(id.size() == 16);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  const std::string dirty = build.at("dirty");
  CHECK((dirty == "true" || dirty == "false" || dirty == "unknown"));
  CHECK(build.at("executable_sha256").get<std::string>().size() == 64);
}

TEST_CASE("sessions are appended, and a build is recorded once") {
  const std::string build =
      R"({"id":"00aa","commit":"c0ffee","dirty":"false","compiler":"GNU 12.2.0"})";
  sweep::Place place;
  place.host = "node7";
  place.pid = 41;
  place.slurm_job_id = "9001";
  const auto first =
      sweep::start_session("", "", build, place, {.ranks = 8, .threads_per_rank = 2}, 0);
  CHECK(first.index == 0);
  const json builds = json::parse(first.builds), sessions = json::parse(first.sessions);
  REQUIRE(builds.size() == 1);
  CHECK(builds[0].at("commit") == "c0ffee");
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].at("action") == "create");
  CHECK(sessions[0].at("start") == "1970-01-01T00:00:00Z");
  CHECK(sessions[0].at("end") == "");
  CHECK(sessions[0].at("host") == "node7");
  CHECK(sessions[0].at("pid") == 41);
  CHECK(sessions[0].at("slurm_job_id") == "9001");
  CHECK(sessions[0].at("ranks") == 8);
  CHECK(sessions[0].at("threads_per_rank") == 2);
  CHECK(sessions[0].at("build") == "00aa");
  CHECK(sessions[0].at("commit") == "c0ffee");

  const auto second = sweep::start_session(first.builds, first.sessions, build, place, {}, 3600);
  CHECK(second.index == 1);
  CHECK(json::parse(second.builds).size() == 1);
  const json both = json::parse(second.sessions);
  REQUIRE(both.size() == 2);
  CHECK(both[1].at("action") == "resume");
  CHECK(both[1].at("start") == "1970-01-01T01:00:00Z");
  CHECK(both[1].at("threads_per_rank") == 1);

  const json ended = json::parse(sweep::end_session(second.sessions, 1, 3661));
  CHECK(ended[1].at("end") == "1970-01-01T01:01:01Z");
  CHECK(ended[0].at("end") == "");

  const std::string other = R"({"id":"00bb","commit":"beef","dirty":"true"})";
  CHECK(
      json::parse(sweep::start_session(second.builds, second.sessions, other, place, {}, 0).builds)
          .size() == 2);
  CHECK_THROWS_AS(sweep::start_session("{not json", "", build, place, {}, 0), Error);
}

TEST_CASE("build_difference names every field that differs, libraries by name") {
  const std::string stored =
      R"({"id":"1","commit":"aaaaaaaaaaaaaaaaaaaa","compiler":"GNU 12.2.0","libraries":{"hdf5":"1.10.8","boost":"1.74.0"}})";
  const std::string same_but_id =
      R"({"id":"2","commit":"aaaaaaaaaaaaaaaaaaaa","compiler":"GNU 12.2.0","libraries":{"hdf5":"1.10.8","boost":"1.74.0"}})";
  CHECK(sweep::build_difference(stored, same_but_id).empty());
  const std::string now =
      R"({"id":"3","commit":"bbbbbbbbbbbbbbbbbbbb","compiler":"GNU 13.1.0","libraries":{"hdf5":"1.10.9","boost":"1.74.0"}})";
  CHECK(sweep::build_difference(stored, now) ==
        "commit aaaaaaaaaaaa there, bbbbbbbbbbbb here; compiler GNU 12.2.0 there, GNU 13.1.0 "
        "here; libraries.hdf5 1.10.8 there, 1.10.9 here");
  CHECK(sweep::build_difference("[]", now) == "the stored build is not readable");
}
