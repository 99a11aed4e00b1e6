// sweep::data_identity: the SHA-256 of a sweep's data files (OpenSSL) and the comparison --resume
// makes with the identity stored at creation (issue 11, defect 1).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/sweep/data_identity.hpp"
#include "ricci/sweep/plan.hpp"

using namespace ricci;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = test::scratch_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

sweep::JobSpec job_on(const std::string& problem) {
  sweep::JobSpec job;
  job.problems = {problem};
  job.problem_settings[problem].threshold = data::parse_problem(problem).default_threshold;
  return job;
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-2 test vectors and sha256sum", "[sweep][identity]") {
  CHECK(sweep::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sweep::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // More than one read buffer (64 KiB): 100,000 'a'.
  const std::string path = write_file("a100000", std::string(100000, 'a'));
  CHECK(sweep::sha256_file(path) == sweep::sha256_hex(std::string(100000, 'a')));
  CHECK(sweep::sha256_file(write_file("abc", "abc")) == sweep::sha256_hex("abc"));
  CHECK_THROWS_WITH(sweep::sha256_file(test::scratch_path("missing")),
                    Catch::Contains("cannot read") && Catch::Contains("missing"));
}

TEST_CASE("synthetic problems have shapes and no files", "[sweep][identity]") {
  const auto job = job_on("synthetic-a");
  const auto shapes = sweep::probe_problems(job);
  CHECK(sweep::data_files(job, shapes[0].problem).empty());
  const std::string identity = sweep::data_identity(job, shapes);
  CHECK(identity ==
        "shape\tsynthetic-a\t1000\t1000\t3\n"
        "knobs\tsynthetic-a\tnoise = 0.08, scale = 1\n");
  CHECK(sweep::data_difference(identity, identity, "out.h5").empty());
}

TEST_CASE("a synthetic problem's knobs are part of its data identity", "[sweep][identity]") {
  auto job = job_on("synthetic-b");
  const std::string defaults = sweep::data_identity(job, sweep::probe_problems(job));
  CHECK(defaults ==
        "shape\tsynthetic-b\t1000\t1000\t3\n"
        "knobs\tsynthetic-b\tmargin = 0.5, scale = 1\n");
  // Given at their default values, the knobs are the same data.
  job.problem_settings["synthetic-b"].knobs = {.margin = 0.5, .scale = 1.0};
  CHECK(sweep::data_identity(job, sweep::probe_problems(job)) == defaults);

  job.problem_settings["synthetic-b"].knobs = {.margin = 0.25};
  const std::string thinner = sweep::data_identity(job, sweep::probe_problems(job));
  CHECK(sweep::data_difference(defaults, thinner, "out.h5") ==
        "the data of synthetic-b is now drawn with margin = 0.25, scale = 1 but out.h5 was "
        "created with margin = 0.5, scale = 1");
  CHECK(sweep::data_difference(thinner, defaults, "out.h5") ==
        "the data of synthetic-b is now drawn with margin = 0.5, scale = 1 but out.h5 was "
        "created with margin = 0.25, scale = 1");

  // An identity stored before the knobs existed has no knobs line: it stands for the defaults.
  const std::string before_knobs = "shape\tsynthetic-b\t1000\t1000\t3\n";
  CHECK(sweep::data_difference(before_knobs, defaults, "out.h5").empty());
  CHECK_THAT(sweep::data_difference(before_knobs, thinner, "out.h5"),
             Catch::Contains("now drawn with margin = 0.25, scale = 1") &&
                 Catch::Contains("created with margin = 0.5, scale = 1"));
}

TEST_CASE("a changed or reshaped data file is a difference naming it", "[sweep][identity]") {
  std::string rows = "x,y,label\n";
  for (int i = 0; i < 40; ++i)
    rows +=
        std::to_string(i % 7) + "," + std::to_string(i % 5) + "," + std::to_string(i % 2) + "\n";
  const std::string csv = write_file("d.csv", rows);
  const auto job = job_on("csv:" + csv);
  const std::string before = sweep::data_identity(job, sweep::probe_problems(job));
  CHECK(before.find(sweep::sha256_file(csv)) != std::string::npos);
  const auto parsed = sweep::parse_data_identity(before);
  REQUIRE(parsed.files.size() == 1);
  CHECK(parsed.files[0].problem == "csv:" + csv);
  CHECK(parsed.files[0].role == "csv");
  CHECK(parsed.files[0].sha256 == sweep::sha256_file(csv));
  CHECK(parsed.files[0].path == csv);
  CHECK(sweep::data_difference(before, sweep::data_identity(job, sweep::probe_problems(job)),
                               "out.h5")
            .empty());

  // A tab in a file's name cannot be recorded: refused, naming it, rather than misread later.
  const std::string tabbed = write_file("d\tcopy.csv", rows);
  const auto tabbed_job = job_on("csv:" + tabbed);
  CHECK_THROWS_WITH(sweep::data_identity(tabbed_job, sweep::probe_problems(tabbed_job)),
                    Catch::Contains("problem 'csv:" + tabbed + "' holds a tab"));

  write_file("d.csv", rows.substr(0, rows.size() - 6) + "9,9,1\n");  // one value changed
  const std::string changed = sweep::data_identity(job, sweep::probe_problems(job));
  const std::string difference = sweep::data_difference(before, changed, "out.h5");
  CHECK_THAT(difference, Catch::Contains(csv + " (csv of csv:") &&
                             Catch::Contains("differs from the data out.h5 was created with"));

  // Shapes alone (e.g. a stored identity from another build's loader) are compared too.
  std::string reshaped = before;
  reshaped.replace(reshaped.find("\t20\t20\t2\n"), 9, "\t19\t21\t2\n");
  CHECK_THAT(sweep::data_difference(reshaped, before, "out.h5"),
             Catch::Contains("now has 20 train / 20 test points, 2 features") &&
                 Catch::Contains("created with 19 train / 21 test points"));
}

TEST_CASE("parse_data_identity reads back what data_identity writes", "[sweep][identity]") {
  SECTION("an empty identity (a file without one) has nothing") {
    const auto identity = sweep::parse_data_identity("");
    CHECK(identity.shapes.empty());
    CHECK(identity.knobs.empty());
    CHECK(identity.files.empty());
  }
  SECTION("synthetic data: a shape and knobs, no files") {
    const auto identity = sweep::parse_data_identity(
        "shape\tsynthetic-a\t1000\t1000\t3\n"
        "knobs\tsynthetic-a\tnoise = 0.08, scale = 1\n");
    CHECK(identity.shapes == std::map<std::string, std::string>{
                                 {"synthetic-a", "1000 train / 1000 test points, 3 features"}});
    CHECK(identity.knobs ==
          std::map<std::string, std::string>{{"synthetic-a", "noise = 0.08, scale = 1"}});
    CHECK(identity.files.empty());
  }
  SECTION("data files in the order written, a path with a space whole, other lines skipped") {
    const auto identity = sweep::parse_data_identity(
        "shape\tmnist\t60000\t10000\t784\n"
        "sha256\tmnist\ttrain-images-idx3-ubyte\taaaa\t/data/mnist/train-images-idx3-ubyte.gz\n"
        "future\tline\tof a later release\n"
        "sha256\tcsv:/d/odd name.csv\tcsv\tbbbb\t/d/odd name.csv\n"
        "sha256\ttoo\tfew\n"
        "sha256\tmnist\tt10k-labels-idx1-ubyte\tcccc\t/data/mnist/t10k-labels-idx1-ubyte");
    REQUIRE(identity.files.size() == 3);
    CHECK(identity.files[0].problem == "mnist");
    CHECK(identity.files[0].role == "train-images-idx3-ubyte");
    CHECK(identity.files[0].sha256 == "aaaa");
    CHECK(identity.files[0].path == "/data/mnist/train-images-idx3-ubyte.gz");
    CHECK(identity.files[1].problem == "csv:/d/odd name.csv");
    CHECK(identity.files[1].role == "csv");
    CHECK(identity.files[1].sha256 == "bbbb");
    CHECK(identity.files[1].path == "/d/odd name.csv");
    // The last line needs no newline.
    CHECK(identity.files[2].sha256 == "cccc");
    CHECK(identity.files[2].path == "/data/mnist/t10k-labels-idx1-ubyte");
    CHECK(identity.shapes.at("mnist") == "60000 train / 10000 test points, 784 features");
    CHECK(identity.knobs.empty());
  }
}
