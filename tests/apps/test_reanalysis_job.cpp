// ricci-sweep --reanalyze on the command line: the job is the source's stored job with only its
// [geometry] keys (and data paths) changed; other keys and an --out that is the source are refused.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "../test_support.hpp"
#include "sweep_parse_error.hpp"
#include "ricci-sweep/job_file.hpp"
#include "ricci-sweep/job_keys.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/graph.hpp"

using namespace ricci;
using sweep_app::parse_sweep_command;
using sweep_app::reanalysis_job;
using test::parse_error;

namespace {

// The job a source file stores: its canonical text, as the sweep writes it into 'job'.
const std::vector<std::string> source_keys{"--sweep.name",
                                           "paper-like",
                                           "--sweep.problems",
                                           "synthetic-a,synthetic-c",
                                           "--sweep.architectures",
                                           "narrow",
                                           "--sweep.depths",
                                           "5,7",
                                           "--sweep.seeds",
                                           "0-3",
                                           "--train.epochs",
                                           "7",
                                           "--geometry.k",
                                           "10,40",
                                           "--geometry.graph",
                                           "union",
                                           "--problem.synthetic-c.threshold",
                                           "0.75"};

std::string stored_job_text() {
  auto args = source_keys;
  args.push_back("--dry-run");
  return sweep_app::job_text(parse_sweep_command(args).job, true);
}

std::vector<std::string> reanalyze(std::vector<std::string> keys) {
  std::vector<std::string> args{"--reanalyze", "source.h5", "--out", "new.h5"};
  args.insert(args.end(), keys.begin(), keys.end());
  return args;
}

}  // namespace

TEST_CASE("a re-analysis job is the stored job with the geometry keys given", "[apps][reanalyze]") {
  const std::vector<std::string> overrides{"--geometry.graph", "mutual", "--geometry.k", "6,20-22"};
  const auto command = parse_sweep_command(reanalyze(overrides));
  CHECK(command.reanalyze == "source.h5");
  const sweep::JobSpec job = reanalysis_job(command, stored_job_text(), "source.h5");

  // The same job written out in full: the source's keys, then the overrides (later keys win).
  auto full = source_keys;
  full.erase(full.begin() + 12, full.begin() + 16);  // the source's geometry.k and geometry.graph
  full.insert(full.end(), overrides.begin(), overrides.end());
  full.push_back("--dry-run");
  const sweep::JobSpec expected = parse_sweep_command(full).job;
  CHECK(sweep_app::job_text(job, true) == sweep_app::job_text(expected, true));

  CHECK(job.name == "paper-like");
  CHECK(job.rule == geometry::GraphRule::knn_mutual);
  CHECK_FALSE(job.paper_k);
  CHECK(job.k == std::vector<index_t>{6, 20, 21, 22});
  CHECK(job.train.epochs == 7);
  CHECK(job.depths == std::vector<int>{5, 7});
  CHECK(job.problem_settings.at("synthetic-c").threshold == 0.75);
}

TEST_CASE("a re-analysis may switch to the baptista-r convention", "[apps][reanalyze]") {
  const auto command = parse_sweep_command(reanalyze({"--geometry.convention", "baptista-r"}));
  const sweep::JobSpec job = reanalysis_job(command, stored_job_text(), "source.h5");
  CHECK(job.rule == geometry::GraphRule::baptista_r);
  CHECK(job.k == std::vector<index_t>{10, 40});
}

TEST_CASE("a re-analysis refuses keys outside [geometry]", "[apps][reanalyze]") {
  const std::string refusal = ": --reanalyze keeps the source's runs and training";
  CHECK(parse_error(reanalyze({"--train.epochs", "3"})) ==
        "[job] the command line, key train.epochs" + refusal +
            " and may change only geometry.k, geometry.graph, geometry.convention, "
            "geometry.curvatures, geometry.local, geometry.ollivier_idleness, "
            "geometry.ollivier_k, geometry.layers (and sweep.threads_per_rank, "
            "problem.NAME.data_dir)");
  // Snapshots are taken during training: a re-analysis of the final activations cannot add them.
  CHECK_THAT(parse_error(reanalyze({"--geometry.snapshot_epochs", "0"})),
             Catch::Matchers::StartsWith("[job] the command line, key geometry.snapshot_epochs" +
                                         refusal));
  CHECK_THAT(parse_error(reanalyze({"--output.store_nodes", "true"})),
             Catch::Contains("key output.store_nodes" + refusal));
  CHECK_THAT(parse_error(reanalyze({"--problem.synthetic-a.threshold", "0.5"})),
             Catch::Contains("key problem.synthetic-a.threshold" + refusal));
  const auto overlay = test::scratch_path("overlay.ini");
  std::ofstream(overlay) << "[geometry]\nk = 6\n[sweep]\nseeds = 0\n";
  CHECK_THAT(parse_error(reanalyze({"--job", overlay})),
             Catch::Contains("overlay.ini line 4, key sweep.seeds" + refusal));
  // A data path may change (the sweep checks the data against the source's identity).
  CHECK(parse_error(reanalyze({"--problem.fmnist-sandal-boot.data_dir", "/data"})) == "(no error)");
}

TEST_CASE("a re-analysis never writes into its source", "[apps][reanalyze]") {
  const auto source = test::scratch_path("source.h5");
  std::ofstream(source) << "results";
  const auto dir = std::filesystem::path(source).parent_path();
  const auto same_file = (dir / "." / "source.h5").string();
  CHECK_THAT(parse_error({"--reanalyze", source, "--out", same_file, "--force"}),
             Catch::Contains("--out " + same_file + " is the file --reanalyze reads"));
  CHECK(parse_error({"--reanalyze", source, "--out", (dir / "other.h5").string()}) == "(no error)");
}
