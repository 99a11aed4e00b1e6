// ricci-sweep's job keys: the table (defaults, round trips, bounds), the parser around it (job
// files and the command line), the job text stored in results files, and README's key table.
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "../test_support.hpp"
#include "sweep_parse_error.hpp"
#include "cli_util.hpp"
#include "ricci-sweep/job_file.hpp"
#include "ricci-sweep/job_keys.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/geometry/graph.hpp"

using namespace ricci;
using sweep_app::parse_sweep_command;
using test::parse_error;

namespace {

std::string write_job(const std::string& name, const std::string& text) {
  const auto path = test::scratch_path(name);
  std::ofstream(path) << text;
  return path;
}

// --dry-run, so that no --out is needed.
sweep::JobSpec parse_job(std::vector<std::string> args) {
  args.push_back("--dry-run");
  return parse_sweep_command(args).job;
}

// A job file whose line 4 sets `key` (section.setting) to `value`; line 2 names synthetic-a
// unless `key` is sweep.problems.
std::string job_setting(const std::string& key, const std::string& value) {
  const auto dot = key.rfind('.');
  const std::string line2 = key == "sweep.problems" ? "seeds = 0" : "problems = synthetic-a";
  return write_job("setting.ini", "[sweep]\n" + line2 + "\n[" + key.substr(0, dot) + "]\n" +
                                      key.substr(dot + 1) + " = " + value + "\n");
}

const sweep_app::JobKey& job_key(const std::string& name) {
  const sweep_app::JobKey* key = sweep_app::find_job_key(name);
  REQUIRE(key != nullptr);
  return *key;
}

}  // namespace

// --- The job text: byte for byte what JobSpec::normalized printed, so that results files written
// before the key table still resume.

TEST_CASE("job text of a default job with one problem", "[job-keys][job-text]") {
  const auto job = parse_job({"--sweep.problems", "synthetic-a"});
  const std::string expected =
      "[sweep]\n"
      "name = sweep\n"
      "problems = synthetic-a\n"
      "architectures = narrow,wide,bottleneck\n"
      "depths = 5,11\n"
      "seeds = 0\n"
      "\n"
      "[train]\n"
      "optimizer = rmsprop\n"
      "mode = epochs\n"
      "epochs = 50\n"
      "batch_size = 32\n"
      "learning_rate = 0.001\n"
      "validation_split = 0.20000000000000001\n"
      "split_mode = random\n"
      "pixel_scale = raw\n"
      "target_accuracy = 0.98999999999999999\n"
      "\n"
      "[geometry]\n"
      "k = paper\n"
      "graph = union\n"
      "convention = paper\n"
      "\n"
      "[output]\n"
      "store_activations = true\n"
      "store_nodes = false\n"
      "\n"
      "[problem.synthetic-a]\n"
      "threshold = 0.98999999999999999\n";
  CHECK(sweep_app::job_text(job, true) == expected);
  CHECK(sweep_app::job_text(job, false) == expected);
  // A key added later (sweep.controls) appears only where it is set, after the seeds.
  const auto with_controls =
      parse_job({"--sweep.problems", "synthetic-a", "--sweep.controls", "untrained"});
  std::string controlled = expected;
  controlled.insert(controlled.find("seeds = 0\n") + 10, "controls = untrained\n");
  CHECK(sweep_app::job_text(with_controls, true) == controlled);
  // The threads per rank, a speed setting of the machine: stored where set, after the controls,
  // and left out of the text --resume compares (a resume on other nodes may change it).
  const auto threaded = parse_job({"--sweep.problems", "synthetic-a", "--sweep.controls",
                                   "untrained", "--sweep.threads_per_rank", "3"});
  CHECK(threaded.threads_per_rank == 3);
  CHECK(threaded.measure_options({10}).threads == 3);
  std::string with_threads = controlled;
  with_threads.insert(with_threads.find("controls = untrained\n") + 21, "threads_per_rank = 3\n");
  CHECK(sweep_app::job_text(threaded, true) == with_threads);
  CHECK(sweep_app::job_text(threaded, false) == controlled);
  CHECK(parse_job({"--sweep.problems", "synthetic-a"}).measure_options({10}).threads == 1);
}

namespace {

const char* every_key_job =
    "# every key away from its default\n"
    "[sweep]\n"
    "name = everything\n"
    "problems = synthetic-b, fmnist-sandal-boot\n"
    "architectures = wide, 40-30-20\n"
    "depths = 3\n"
    "seeds = 4-6, 9\n"
    "controls = untrained\n"
    "\n"
    "[train]\n"
    "optimizer = adam\n"
    "mode = until-accuracy\n"
    "epochs = 7\n"
    "batch_size = 16\n"
    "learning_rate = 0.0005\n"
    "validation_split = 0\n"
    "split_mode = keras-last\n"
    "pixel_scale = unit\n"
    "target_accuracy = 0.95\n"
    "\n"
    "[geometry]\n"
    "k = 6,10,20-22\n"
    "graph = mutual\n"
    "curvatures = augmented-forman, ollivier\n"
    "local = yes\n"
    "ollivier_idleness = 0.25\n"
    "ollivier_k = 10\n"
    "layers = all\n"
    "\n"
    "[output]\n"
    "store_activations = false\n"
    "store_nodes = true\n"
    "\n"
    "[problem.synthetic-b]\n"
    "threshold = 0.5\n"
    "data_dir = /data/synthetic\n"
    "\n"
    "[problem.fmnist-sandal-boot]\n"
    "threshold = 0.75\n"
    "data_dir = /data/fashion mnist\n";

// The job text of every_key_job: problems in name order; graph rule `graph`/`convention`.
// The follow-up's measurements of every_key_job; the baptista-r variant resets them to their
// defaults (baptista-r defines none of them), which the job text leaves out (files written before
// these keys existed keep their job text).
const std::string every_notion_key =
    "curvatures = augmented-forman,ollivier\nlocal = true\nollivier_idleness = 0.25\n"
    "ollivier_k = 10\nlayers = all\n";
const std::string default_notion_keys;

std::string every_key_text(bool with_paths, const std::string& graph, const std::string& convention,
                           const std::string& notion_keys = every_notion_key) {
  return "[sweep]\n"
         "name = everything\n"
         "problems = synthetic-b,fmnist-sandal-boot\n"
         "architectures = wide,40-30-20\n"
         "depths = 3\n"
         "seeds = 4,5,6,9\n"
         "controls = untrained\n"
         "\n"
         "[train]\n"
         "optimizer = adam\n"
         "mode = until-accuracy\n"
         "epochs = 7\n"
         "batch_size = 16\n"
         "learning_rate = 0.00050000000000000001\n"
         "validation_split = 0\n"
         "split_mode = keras-last\n"
         "pixel_scale = unit\n"
         "target_accuracy = 0.94999999999999996\n"
         "\n"
         "[geometry]\n"
         "k = 6,10,20,21,22\n"
         "graph = " +
         graph + "\nconvention = " + convention + "\n" + notion_keys +
         "\n"
         "[output]\n"
         "store_activations = false\n"
         "store_nodes = true\n"
         "\n"
         "[problem.fmnist-sandal-boot]\n"
         "threshold = 0.75\n" +
         (with_paths ? "data_dir = /data/fashion mnist\n" : "") +
         "\n"
         "[problem.synthetic-b]\n"
         "threshold = 0.5\n" +
         (with_paths ? "data_dir = /data/synthetic\n" : "");
}

}  // namespace

TEST_CASE("job text of a job with every key set", "[job-keys][job-text]") {
  const auto path = write_job("every_key.ini", every_key_job);
  const auto job = parse_job({"--job", path});
  CHECK(sweep_app::job_text(job, true) == every_key_text(true, "mutual", "paper"));
  CHECK(sweep_app::job_text(job, false) == every_key_text(false, "mutual", "paper"));

  // The command line overrides the file; baptista-r is stated as graph = union.
  const auto baptista = parse_job(
      {"--job", path, "--geometry.graph", "union", "--geometry.convention", "baptista-r",
       "--geometry.curvatures", "forman", "--geometry.local", "false", "--geometry.ollivier_k",
       "all", "--geometry.layers", "hidden", "--geometry.ollivier_idleness", "0"});
  CHECK(baptista.rule == geometry::GraphRule::baptista_r);
  CHECK(sweep_app::job_text(baptista, true) ==
        every_key_text(true, "union", "baptista-r", default_notion_keys));
}

TEST_CASE("job text is a job file that reads back to the same job text", "[job-keys][job-text]") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--sweep.problems", "synthetic-a"},
           {"--job", write_job("every_key.ini", every_key_job)},
           {"--job", write_job("every_key.ini", every_key_job), "--geometry.graph", "union",
            "--geometry.convention", "baptista-r", "--geometry.curvatures", "forman",
            "--geometry.local", "false", "--geometry.ollivier_k", "all", "--geometry.layers",
            "hidden"}}) {
    const std::string text = sweep_app::job_text(parse_job(args), true);
    const auto again = parse_job({"--job", write_job("again.ini", text)});
    CHECK(sweep_app::job_text(again, true) == text);
  }
}

// --- The table, key by key.

TEST_CASE("every key's default comes from JobSpec{} and is the documented one", "[job-keys]") {
  // The documented defaults (README); a new key must be added here.
  const std::map<std::string, std::string> documented{
      {"sweep.name", "sweep"},
      {"sweep.problems", ""},
      {"sweep.architectures", "narrow,wide,bottleneck"},
      {"sweep.depths", "5,11"},
      {"sweep.seeds", "0"},
      {"sweep.controls", "none"},
      {"sweep.threads_per_rank", "1"},
      {"train.optimizer", "rmsprop"},
      {"train.mode", "epochs"},
      {"train.epochs", "50"},
      {"train.batch_size", "32"},
      {"train.learning_rate", "0.001"},
      {"train.validation_split", "0.2"},
      {"train.split_mode", "random"},
      {"train.pixel_scale", "raw"},
      {"train.target_accuracy", "0.99"},
      {"geometry.k", "paper"},
      {"geometry.graph", "union"},
      {"geometry.convention", "paper"},
      {"geometry.curvatures", "forman"},
      {"geometry.local", "false"},
      {"geometry.ollivier_idleness", "0"},
      {"geometry.ollivier_k", "all"},
      {"geometry.layers", "hidden"},
      {"geometry.snapshot_epochs", "none"},
      {"output.store_activations", "true"},
      {"output.store_nodes", "false"},
  };
  std::set<std::string> in_table;
  const sweep::JobSpec defaults;
  for (const sweep_app::JobKey& key : sweep_app::job_keys()) {
    INFO(key.name);
    in_table.insert(key.name);
    REQUIRE(documented.count(key.name));
    CHECK(sweep_app::shown_value(key, key.print(defaults)) == documented.at(key.name));
    if (key.default_note.empty())
      CHECK(sweep_app::default_text(key, false) == documented.at(key.name));
  }
  CHECK(in_table.size() == documented.size());
  // Defaults that are not plain values say so.
  CHECK(job_key("sweep.problems").default_note == "required");
  CHECK_THAT(job_key("sweep.name").default_note, Catch::Matchers::Contains("job file"));
  for (const sweep_app::ProblemKey& key : sweep_app::problem_keys())
    CHECK(!key.default_note.empty());
}

TEST_CASE("every key: a valid value round-trips through parse and print", "[job-keys]") {
  // key -> {value as given, value as printed}
  const std::map<std::string, std::pair<std::string, std::string>> values{
      {"sweep.name", {"my sweep", "my sweep"}},
      {"sweep.problems", {"synthetic-c, mnist-1-7", "synthetic-c,mnist-1-7"}},
      {"sweep.architectures", {"wide,64-32-16", "wide,64-32-16"}},
      {"sweep.depths", {"3,7-9", "3,7,8,9"}},
      {"sweep.seeds", {"0-2,10", "0,1,2,10"}},
      {"sweep.controls", {"untrained", "untrained"}},
      {"sweep.threads_per_rank", {"16", "16"}},
      {"train.optimizer", {"adam", "adam"}},
      {"train.mode", {"until-accuracy", "until-accuracy"}},
      {"train.epochs", {"1000000", "1000000"}},
      {"train.batch_size", {"1", "1"}},
      {"train.learning_rate", {"0.25", "0.25"}},
      {"train.validation_split", {"0", "0"}},
      {"train.split_mode", {"keras-last", "keras-last"}},
      {"train.pixel_scale", {"unit", "unit"}},
      {"train.target_accuracy", {"1", "1"}},
      {"geometry.k", {"1,5-7", "1,5,6,7"}},
      {"geometry.graph", {"mutual", "mutual"}},
      {"geometry.convention", {"baptista-r", "baptista-r"}},
      {"geometry.curvatures", {"ollivier, forman", "ollivier,forman"}},
      {"geometry.local", {"yes", "true"}},
      {"geometry.ollivier_idleness", {"0.5", "0.5"}},
      {"geometry.ollivier_k", {"50,90", "50,90"}},
      {"geometry.layers", {"all", "all"}},
      {"geometry.snapshot_epochs", {"0, 1,5-7", "0,1,5,6,7"}},
      {"output.store_activations", {"no", "false"}},
      {"output.store_nodes", {"on", "true"}},
  };
  for (const sweep_app::JobKey& key : sweep_app::job_keys()) {
    INFO(key.name);
    REQUIRE(values.count(key.name));
    const auto& [given, printed] = values.at(key.name);
    sweep::JobSpec job;
    key.parse(job, given);
    CHECK(key.print(job) == printed);
    CHECK(key.print(job) != key.print(sweep::JobSpec{}));
    sweep::JobSpec again;
    key.parse(again, key.print(job));
    CHECK(key.print(again) == printed);
  }
  sweep::ProblemSettings settings;
  sweep_app::find_problem_key("threshold")->parse(settings, "0.5");
  CHECK(sweep_app::find_problem_key("threshold")->print(settings) == "0.5");
  sweep_app::find_problem_key("data_dir")->parse(settings, "/srv/mnist");
  CHECK(sweep_app::find_problem_key("data_dir")->print(settings) == "/srv/mnist");
  for (const char* knob : {"noise", "margin", "scale"}) {
    INFO(knob);
    const sweep_app::ProblemKey* key = sweep_app::find_problem_key(knob);
    REQUIRE(key != nullptr);
    CHECK(key->knob);
    CHECK(key->print(settings).empty());  // not set: the problem's default, or no such knob
    key->parse(settings, "0.25");
    CHECK(key->print(settings) == "0.25");
  }
  CHECK(data::knobs_text(settings.knobs) == "noise = 0.25, margin = 0.25, scale = 0.25");
}

// --- The synthetic problems' knobs: [problem.NAME] noise, margin and scale (docs/method.md §5).

TEST_CASE("knobs reach the problem's data options and its job text", "[job-keys][knobs]") {
  const auto path = write_job("knobs.ini",
                              "[sweep]\nproblems = synthetic-a, synthetic-b, circles\n"
                              "[problem.synthetic-a]\nnoise = 0\nscale = 2.5\n"
                              "[problem.synthetic-b]\nmargin = 0.5\n");
  const auto job = parse_job({"--job", path, "--problem.circles.margin", "0.1"});
  CHECK(data::knobs_text(job.data_options("synthetic-a").knobs) == "noise = 0, scale = 2.5");
  CHECK(data::knobs_text(job.data_options("synthetic-b").knobs) == "margin = 0.5, scale = 1");
  CHECK(data::knobs_text(job.data_options("circles").knobs) ==
        "noise = 0.03, margin = 0.1, scale = 1");
  // The job text holds a knob only where it differs from the problem's default (synthetic-b's
  // margin 0.5 is its default), so that job texts from before the knobs are unchanged.
  const std::string text = sweep_app::job_text(job, false);
  CHECK_THAT(text, Catch::Matchers::Contains("[problem.circles]\nthreshold = 0.94999999999999996\n"
                                             "margin = 0.10000000000000001\n\n"));
  CHECK_THAT(text, Catch::Matchers::Contains("[problem.synthetic-a]\nthreshold = "
                                             "0.98999999999999999\nnoise = 0\nscale = 2.5\n\n"));
  CHECK_THAT(text, Catch::Matchers::EndsWith("[problem.synthetic-b]\nthreshold = "
                                             "0.98999999999999999\n"));
  // ... and reads back to the same job.
  const auto again = parse_job({"--job", write_job("knobs_again.ini", text)});
  CHECK(sweep_app::job_text(again, false) == text);
  CHECK(data::knobs_text(again.data_options("circles").knobs) ==
        "noise = 0.03, margin = 0.1, scale = 1");

  // --dry-run lists the knobs each problem has, and no others.
  const std::string listing = sweep_app::effective_keys(job);
  CHECK_THAT(listing, Catch::Matchers::Contains("  problem.synthetic-a.noise = 0\n"
                                                "  problem.synthetic-a.scale = 2.5\n"));
  CHECK_THAT(listing, Catch::Matchers::Contains("  problem.synthetic-b.margin = 0.5\n"));
  CHECK_THAT(listing, !Catch::Matchers::Contains("problem.synthetic-a.margin"));
  CHECK_THAT(listing, !Catch::Matchers::Contains("problem.synthetic-b.noise"));
  CHECK_THAT(listing, Catch::Matchers::Contains("  problem.circles.noise = 0.03\n"
                                                "  problem.circles.margin = 0.1\n"
                                                "  problem.circles.scale = 1\n"));
}

TEST_CASE("bad knobs name the file, line, key and value", "[job-keys][knobs]") {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"synthetic-a", "noise = -1", "synthetic-a: noise must lie in [0, 1000], got -1"},
      {"synthetic-a", "noise = nan", "'nan' is not a number"},
      {"synthetic-c", "scale = 0", "synthetic-c: scale must lie in [1e-06, 1e+06], got 0"},
      {"synthetic-b", "margin = 2.5",
       "synthetic-b: margin must lie in [0, 2] (at 2 class 1 is the box's corners; past 2.37 it "
       "would be empty), got 2.5"},
      {"synthetic-a", "margin = 0.1",
       "synthetic-a has no knob margin; its knobs are noise and scale"},
      {"mnist-1-7", "noise = 0.1",
       "mnist-1-7 has no knob noise; only synthetic problems have knobs"},
  };
  for (const auto& [problem, line4, message] : cases) {
    INFO(problem << ": " << line4);
    const auto path = write_job("bad_knob.ini", "[sweep]\nproblems = " + problem + "\n[problem." +
                                                    problem + "]\n" + line4 + "\n");
    const std::string key = "problem." + problem + "." + line4.substr(0, line4.find(' '));
    CHECK(parse_error({"--job", path, "--dry-run"}) ==
          "[job] " + path + " line 4, key " + key + ": " + message);
  }
  CHECK(parse_error(
            {"--sweep.problems", "circles", "--problem.circles.margin", "1.5", "--dry-run"}) ==
        "[job] the command line, key problem.circles.margin: circles: margin must lie in [0, 1] "
        "(class 1 lies on radius 1 - margin), got 1.5");
  CHECK(parse_error({"--sweep.problems", "circles", "--problem.circles.noisy", "1", "--dry-run"}) ==
        "[job] the command line: unknown option '--problem.circles.noisy'");
}

TEST_CASE("sweep.problems keeps one entry per problem, with the paper's threshold", "[job-keys]") {
  sweep::JobSpec job;
  const sweep_app::JobKey& problems = job_key("sweep.problems");
  problems.parse(job, "synthetic-a,synthetic-c");
  REQUIRE(job.problem_settings.size() == 2);
  CHECK(job.problem_settings.at("synthetic-a").threshold == 0.99);
  CHECK(job.problem_settings.at("synthetic-c").threshold == 0.91);
  job.problem_settings.at("synthetic-c").threshold = 0.5;
  problems.parse(job, "synthetic-c,fmnist-shirt-coat");
  CHECK(job.problem_settings.size() == 2);
  CHECK(job.problem_settings.at("synthetic-c").threshold == 0.5);
  CHECK(job.problem_settings.at("fmnist-shirt-coat").threshold == 0.90);
}

namespace {

struct Rejection {
  std::string key, value, message;
};

// Each bound of each key, with the message that names the value and the bound.
const std::vector<Rejection> rejections{
    {"sweep.problems", "synthetic-a,,synthetic-b",
     "problem list: 'synthetic-a,,synthetic-b' has an empty item"},
    {"sweep.problems", "synthetic-a,synthetic-a", "problem list: 'synthetic-a' is listed twice"},
    {"sweep.architectures", "narrow,,wide", "architecture list: 'narrow,,wide' has an empty item"},
    {"sweep.depths", "0", "depth list: '0' is not a positive integer"},
    {"sweep.depths", "1001", "depth 1001 is larger than 1000"},
    {"sweep.depths", "5,5", "depth list: '5' is listed twice"},
    {"sweep.seeds", "-1", "seed list: '-1' is not an integer >= 0"},
    {"sweep.seeds", "5-2", "seed list: range '5-2' runs backwards"},
    {"sweep.threads_per_rank", "0", "threads_per_rank must be between 1 and 4096, got 0"},
    {"sweep.threads_per_rank", "-2", "threads_per_rank must be between 1 and 4096, got -2"},
    {"sweep.threads_per_rank", "4097", "threads_per_rank must be between 1 and 4096, got 4097"},
    {"sweep.threads_per_rank", "two", "'two' is not an integer"},
    {"train.optimizer", "sgd", "'sgd' is not one of: rmsprop, adam"},
    {"train.mode", "forever", "'forever' is not one of: epochs, until-accuracy"},
    {"train.epochs", "-1", "epochs must be between 0 and 1000000, got -1"},
    {"train.epochs", "1000001", "epochs must be between 0 and 1000000, got 1000001"},
    {"train.epochs", "fifty", "'fifty' is not an integer"},
    {"train.batch_size", "0", "batch_size must be between 1 and 1000000, got 0"},
    {"train.batch_size", "1000001", "batch_size must be between 1 and 1000000, got 1000001"},
    {"train.learning_rate", "0", "learning_rate must be positive, got 0"},
    {"train.learning_rate", "fast", "'fast' is not a number"},
    {"train.validation_split", "-0.1", "validation_split must lie in [0, 1), got -0.1"},
    {"train.validation_split", "1", "validation_split must lie in [0, 1), got 1"},
    {"train.split_mode", "last", "'last' is not one of: random, keras-last"},
    {"train.pixel_scale", "float", "'float' is not one of: raw, unit"},
    {"train.target_accuracy", "0", "target_accuracy must lie in (0, 1], got 0"},
    {"train.target_accuracy", "1.01", "target_accuracy must lie in (0, 1], got 1.01"},
    {"geometry.k", "0", "k list: '0' is not a positive integer"},
    {"geometry.k", "1073741825", "k 1073741825 is larger than 1073741824"},
    {"geometry.k", "paper,10", "k list: 'paper' is not a positive integer"},
    {"geometry.graph", "knn", "'knn' is not one of: union, mutual"},
    {"geometry.convention", "r", "'r' is not one of: paper, baptista-r"},
    {"output.store_activations", "maybe", "'maybe' is not true or false"},
    {"output.store_nodes", "2", "'2' is not true or false"},
};

}  // namespace

TEST_CASE("every bound rejects with a message naming file, line, key and value", "[job-keys]") {
  for (const auto& [key, value, message] : rejections) {
    INFO(key << " = " << value);
    const auto path = job_setting(key, value);
    CHECK(parse_error({"--job", path, "--dry-run"}) ==
          "[job] " + path + " line 4, key " + key + ": " + message);
  }
  const auto path = write_job("threshold.ini",
                              "[sweep]\nproblems = synthetic-a\n[problem.synthetic-a]\n"
                              "threshold = 1.5\n");
  CHECK(parse_error({"--job", path, "--dry-run"}) ==
        "[job] " + path +
            " line 4, key problem.synthetic-a.threshold: threshold must lie in [0, 1], got 1.5");
}

TEST_CASE("every bound rejects from the command line too", "[job-keys]") {
  for (const auto& [key, value, message] : rejections) {
    INFO(key << " = " << value);
    const std::vector<std::string> args{"--sweep.problems", "synthetic-a", "--" + key, value,
                                        "--dry-run"};
    // sweep.problems twice is Boost's error, not the key's.
    if (key == "sweep.problems") continue;
    CHECK(parse_error(args) == "[job] the command line, key " + key + ": " + message);
  }
  CHECK(parse_error({"--sweep.problems", "synthetic-z", "--dry-run"})
            .starts_with("[job] the command line, key sweep.problems: unknown problem "
                         "'synthetic-z' (known: "));
  CHECK(parse_error({"--sweep.problems", "synthetic-a", "--problem.synthetic-a.threshold", "-0.5",
                     "--dry-run"}) ==
        "[job] the command line, key problem.synthetic-a.threshold: "
        "threshold must lie in [0, 1], got -0.5");
}

TEST_CASE("rules across keys", "[job-keys]") {
  // An architecture that does not fit a depth: blamed on the architectures where given.
  const auto bottleneck =
      write_job("bottleneck.ini",
                "[sweep]\nproblems = synthetic-a\narchitectures = bottleneck\ndepths = 4\n");
  CHECK(parse_error({"--job", bottleneck, "--dry-run"}) ==
        "[job] " + bottleneck +
            " line 3, key sweep.architectures: bottleneck needs an odd depth (50...50, 25, "
            "50...50), got 4");
  // ... else on the depths (bottleneck is a default architecture).
  CHECK_THAT(parse_error({"--sweep.problems", "synthetic-a", "--sweep.depths", "4", "--dry-run"}),
             Catch::Matchers::StartsWith("[job] the command line, key sweep.depths: bottleneck"));
  CHECK_THAT(parse_error(
                 {"--sweep.problems", "synthetic-a", "--sweep.architectures", "huge", "--dry-run"}),
             Catch::Matchers::StartsWith(
                 "[job] the command line, key sweep.architectures: unknown architecture 'huge'"));
  CHECK_THAT(parse_error({"--sweep.problems", "synthetic-a", "--sweep.architectures", "10-10",
                          "--sweep.depths", "3", "--dry-run"}),
             Catch::Matchers::Contains("has 2 hidden layers but depth is 3"));

  // mutual and baptista-r conflict in either order; union is what a job text states with it.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--geometry.graph", "mutual", "--geometry.convention", "baptista-r"},
           {"--geometry.convention", "baptista-r", "--geometry.graph", "mutual"}}) {
    auto all = args;
    all.insert(all.end(), {"--sweep.problems", "synthetic-a", "--dry-run"});
    CHECK(parse_error(all) ==
          "[job] the command line, key geometry.convention: graph mutual conflicts with "
          "convention baptista-r, which defines its own graph");
  }
  CHECK(parse_job({"--sweep.problems", "synthetic-a", "--geometry.graph", "union",
                   "--geometry.convention", "baptista-r"})
            .rule == geometry::GraphRule::baptista_r);
  CHECK(parse_job({"--sweep.problems", "synthetic-a", "--geometry.graph", "mutual"}).rule ==
        geometry::GraphRule::knn_mutual);
}

// The follow-up's measurements (issue 14): exact Ollivier's k among the problem's, and nothing
// baptista-r does not define.
TEST_CASE("rules across the geometry keys of the follow-up's measurements", "[job-keys]") {
  const std::vector<std::string> base{"--sweep.problems", "synthetic-a", "--geometry.k", "10,20",
                                      "--dry-run"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), base.begin(), base.end());
    return parse_error(extra);
  };
  CHECK(with({"--geometry.curvatures", "forman,ollivier", "--geometry.ollivier_k", "10"}) ==
        "(no error)");
  CHECK(with({"--geometry.curvatures", "forman,ollivier", "--geometry.ollivier_k", "30"}) ==
        "[job] the command line, key geometry.ollivier_k: k = 30 is not among the k values of "
        "synthetic-a (10,20)");
  CHECK(with({"--geometry.ollivier_k", "10"}) ==
        "[job] the command line, key geometry.ollivier_k: restricts the ollivier notion, which "
        "geometry.curvatures does not list");
  CHECK(with({"--geometry.curvatures", "forman,augmented-forman,forman"}) ==
        "[job] the command line, key geometry.curvatures: curvature list: 'forman' is listed "
        "twice");
  CHECK_THAT(with({"--geometry.curvatures", "forman,ricci"}),
             Catch::Matchers::StartsWith(
                 "[job] the command line, key geometry.curvatures: 'ricci' is not one of"));
  CHECK(with({"--geometry.ollivier_idleness", "1"}) ==
        "[job] the command line, key geometry.ollivier_idleness: ollivier_idleness must lie in "
        "[0, 1), got 1");
  CHECK_THAT(with({"--geometry.layers", "every"}),
             Catch::Matchers::StartsWith("[job] the command line, key geometry.layers: 'every'"));
  const std::vector<std::string> baptista{"--geometry.convention", "baptista-r"};
  auto under_baptista = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), baptista.begin(), baptista.end());
    return with(extra);
  };
  CHECK_THAT(under_baptista({"--geometry.local", "true"}),
             Catch::Matchers::StartsWith("[job] the command line, key geometry.local: the local "
                                         "coefficients are defined on the union and mutual"));
  CHECK_THAT(under_baptista({"--geometry.layers", "all"}),
             Catch::Matchers::StartsWith("[job] the command line, key geometry.layers: layers = "
                                         "all is the follow-up's list"));
  CHECK_THAT(under_baptista({"--geometry.curvatures", "forman,ollivier-approx"}),
             Catch::Matchers::StartsWith("[job] the command line, key geometry.curvatures: "
                                         "ollivier-approx is defined on the undirected graph"));
  // The job's settings reach the geometry: Forman always (for /flow), ollivier only at its k.
  const auto job =
      parse_job({"--sweep.problems", "synthetic-a", "--geometry.k", "10,20",
                 "--geometry.curvatures", "ollivier,augmented-forman", "--geometry.ollivier_k",
                 "20", "--geometry.ollivier_idleness", "0.5", "--geometry.local", "true"});
  const auto options = job.measure_options({10, 20});
  using geometry::CurvatureNotion;
  CHECK(options.curvatures == std::vector<CurvatureNotion>{CurvatureNotion::forman,
                                                           CurvatureNotion::ollivier,
                                                           CurvatureNotion::augmented_forman});
  CHECK(options.curvatures_at(10) ==
        std::vector<CurvatureNotion>{CurvatureNotion::forman, CurvatureNotion::augmented_forman});
  CHECK(options.curvatures_at(20) == options.curvatures);
  CHECK(options.curvature_options.ollivier_idleness == 0.5);
  CHECK(options.local);
}

TEST_CASE("graph_rule_from merges graph and convention", "[job-keys][cli]") {
  using geometry::GraphRule;
  CHECK(cli::graph_rule_from("union", "paper") == GraphRule::knn_union);
  CHECK(cli::graph_rule_from("mutual", "paper") == GraphRule::knn_mutual);
  CHECK(cli::graph_rule_from("union", "baptista-r") == GraphRule::baptista_r);
  CHECK_THROWS_WITH(cli::graph_rule_from("mutual", "baptista-r"),
                    "[cli] graph mutual conflicts with convention baptista-r, which defines its "
                    "own graph");
  CHECK_THROWS_WITH(cli::graph_rule_from("knn", "paper"),
                    "[cli] 'knn' is not one of: union, mutual");
  CHECK_THROWS_WITH(cli::graph_rule_from("union", "r"),
                    "[cli] 'r' is not one of: paper, baptista-r");
}

// --- The parser around the table.

TEST_CASE("job file syntax errors name file and line", "[job-keys][job-file]") {
  const std::string base = "[sweep]\nproblems = synthetic-a\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {base + "[train]\nepoch = 5\n", "line 4: unknown key train.epoch"},
      {base + "[trian]\nepochs = 5\n",
       "line 3: unknown section [trian] (expected sweep, train, geometry, output or problem.NAME)"},
      {base + "[train\n", "line 3: malformed section header '[train'"},
      {"problems = synthetic-a\n", "line 1: key 'problems' comes before any [section]"},
      {base + "seeds\n", "line 3: expected 'key = value', got 'seeds'"},
      {base + "seeds =\n", "line 3, key sweep.seeds: no value"},
      {base + "seeds = # a comment only\n", "line 3, key sweep.seeds: no value"},
      {base + "seeds = 1\nseeds = 2\n", "line 4, key sweep.seeds: already set on line 3"},
      {base + "[problem.synthetic-a]\nthresh = 0.9\n",
       "line 4: unknown key problem.synthetic-a.thresh (a [problem.NAME] section takes "
       "threshold, data_dir, noise, margin and scale)"},
      {base + "[problem.synthetic-b]\nthreshold = 0.9\n",
       "line 4: [problem.synthetic-b] names a problem that is not in sweep.problems"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    const auto path = write_job("syntax.ini", text);
    CHECK(parse_error({"--job", path, "--dry-run"}) == "[job] " + path + " " + message);
  }
  const auto no_problems = write_job("no_problems.ini", "[sweep]\nseeds = 1\n");
  CHECK(parse_error({"--job", no_problems, "--dry-run"}) ==
        "[job] " + no_problems + ": sweep.problems is required (e.g. problems = synthetic-a)");
  CHECK(parse_error({"--job", "/nonexistent/x.ini", "--dry-run"}) ==
        "[job] job file /nonexistent/x.ini does not exist or cannot be read");
}

TEST_CASE("command-line errors", "[job-keys][job-file]") {
  const std::vector<std::string> problems{"--sweep.problems", "synthetic-a"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), problems.begin(), problems.end());
    return parse_error(args);
  };
  CHECK(with({"--out", "x.h5", "--retry-failed"}) == "[job] --retry-failed needs --resume");
  CHECK(with({"--out", "x.h5", "--redo", "failed"}) == "[job] --redo needs --resume");
  CHECK(with({"--out", "x.h5", "--resume", "--redo", "failed,sometimes"}) ==
        "[job] the command line: --redo 'sometimes' is not failed, transient or lost (a comma "
        "list of them)");
  CHECK(with({"--out", "x.h5", "--resume", "--max-attempts", "0"}) ==
        "[job] the command line: --max-attempts 0 is below 1");
  CHECK(with({"--out", "x.h5", "--resume", "--force"}) ==
        "[job] --resume and --force exclude each other");
  CHECK(with({}) == "[job] --out RESULTS.h5 is required");
  CHECK(with({"--dry-run", "--sweep.frobnicate", "1"}) ==
        "[job] the command line: unknown option '--sweep.frobnicate'");
  CHECK(with({"--dry-run", "--problem.synthetic-a.thresh", "1"}) ==
        "[job] the command line: unknown option '--problem.synthetic-a.thresh'");
  CHECK(with({"--dry-run", "--train.epochs"}) ==
        "[job] the command line: the required argument for option '--train.epochs' is missing");
  CHECK(with({"--dry-run", "--train.epochs", "3", "--train.epochs", "4"}) ==
        "[job] the command line: option '--train.epochs' cannot be specified more than once");
  CHECK(with({"--dry-run", "--problem.synthetic-b.threshold", "0.5"}) ==
        "[job] the command line: [problem.synthetic-b] names a problem that is not in "
        "sweep.problems");
  CHECK(parse_error({"--dry-run"}) ==
        "[job] the command line: sweep.problems is required (e.g. problems = synthetic-a)");
}

TEST_CASE("the command line wins over the file, and a job file names the job",
          "[job-keys][job-file]") {
  const auto path = write_job("named_after_me.ini",
                              "; a comment\n[sweep]\nproblems = synthetic-a, synthetic-c\n"
                              "seeds = 3  # an inline comment\n[train]\nepochs = 5\n"
                              "[problem.synthetic-c]\nthreshold = 0.5\ndata_dir = /from/file\n");
  const auto file_only = parse_job({"--job", path});
  CHECK(file_only.name == "named_after_me");
  CHECK(file_only.seeds == std::vector<std::uint64_t>{3});
  CHECK(file_only.train.epochs == 5);
  CHECK(file_only.problem_settings.at("synthetic-a").threshold == 0.99);
  CHECK(file_only.problem_settings.at("synthetic-c").threshold == 0.5);
  CHECK(file_only.problem_settings.at("synthetic-c").data_dir == "/from/file");

  const auto overridden =
      parse_job({"--job", path, "--train.epochs", "9", "--sweep.name", "other",
                 "--problem.synthetic-c.threshold", "0.25", "--problem.synthetic-c.data_dir=/cli"});
  CHECK(overridden.name == "other");
  CHECK(overridden.train.epochs == 9);
  CHECK(overridden.problem_settings.at("synthetic-c").threshold == 0.25);
  CHECK(overridden.problem_settings.at("synthetic-c").data_dir == "/cli");

  CHECK(parse_job({"--sweep.problems", "synthetic-a"}).name == "sweep");
}

TEST_CASE("help lists every key with its default and bounds, and print-keys is a flag",
          "[job-keys]") {
  const auto help = parse_sweep_command({"--help"});
  CHECK(help.help);
  for (const sweep_app::JobKey& key : sweep_app::job_keys()) {
    INFO(key.name);
    CHECK_THAT(help.help_text, Catch::Matchers::Contains("--" + key.name));
  }
  // Boost wraps the help text at the terminal width: compare with the line breaks folded.
  std::string folded;
  for (char c : help.help_text)
    if (!std::isspace(static_cast<unsigned char>(c)) || (!folded.empty() && folded.back() != ' '))
      folded += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
  CHECK_THAT(folded, Catch::Matchers::Contains("[default: 50; integer in [0, 1000000]]"));
  CHECK_THAT(help.help_text, Catch::Matchers::Contains("--problem.NAME.threshold VALUE"));
  CHECK(parse_sweep_command({"--print-keys"}).print_keys);
}

TEST_CASE("dry run: the key listing shows every key's effective value", "[job-keys]") {
  const auto job = parse_job({"--sweep.problems", "synthetic-a", "--train.epochs", "3"});
  const std::string listing = sweep_app::effective_keys(job);
  for (const sweep_app::JobKey& key : sweep_app::job_keys())
    CHECK_THAT(listing, Catch::Matchers::Contains("  " + key.name + " = "));
  CHECK_THAT(listing, Catch::Matchers::Contains("  train.epochs = 3\n"));
  CHECK_THAT(listing, Catch::Matchers::Contains("  train.validation_split = 0.2\n"));
  CHECK_THAT(listing, Catch::Matchers::Contains("  problem.synthetic-a.threshold = 0.99\n"));
  CHECK_THAT(listing, Catch::Matchers::Contains("  problem.synthetic-a.data_dir = (default)\n"));
}

TEST_CASE("README's key table is ricci-sweep --print-keys", "[job-keys][readme]") {
  std::ifstream in(std::string(RICCI_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::string begin = "<!-- job-keys:begin -->\n", end = "<!-- job-keys:end -->";
  const auto first = text.find(begin), last = text.find(end);
  REQUIRE(first != std::string::npos);
  REQUIRE(last != std::string::npos);
  const std::string block = text.substr(first + begin.size(), last - first - begin.size());
  INFO(
      "README.md's job-key table is out of date: run `ricci-sweep --print-keys` and paste its "
      "output between the job-keys markers");
  CHECK(block == sweep_app::keys_markdown());
}

// --- Lists: integer ranges up to LLONG_MAX, bounded expansion, linear in the number of items
// (issue 11, defect 6), and idx:IMAGES,LABELS inside a problem list (defect 10).

TEST_CASE("integer lists end at LLONG_MAX and refuse to expand without bound", "[job-keys][cli]") {
  constexpr long long top = std::numeric_limits<long long>::max();
  CHECK(cli::parse_integer_list("9223372036854775807", "seed list", 0) == std::vector{top});
  CHECK(cli::parse_integer_list("9223372036854775806-9223372036854775807", "seed list", 0) ==
        std::vector{top - 1, top});
  CHECK_THROWS_WITH(cli::parse_integer_list("0-9223372036854775807", "seed list", 0),
                    "[cli] seed list: '0-9223372036854775807' makes the list longer than "
                    "10000000 items");
  CHECK_THROWS_WITH(cli::parse_integer_list("0-5999999,6000000-12000000", "seed list", 0),
                    "[cli] seed list: '6000000-12000000' makes the list longer than 10000000 "
                    "items");
  CHECK_THROWS_WITH(cli::parse_integer_list("1-5,7,3", "seed list", 0),
                    "[cli] seed list: 3 is listed twice");
  CHECK_THROWS_WITH(cli::parse_index_list("9223372036854775807", "--k"),
                    "[cli] --k: 9223372036854775807 is too large");
  CHECK_THROWS_WITH(cli::parse_index_list("5-9223372036854775807", "--k"),
                    Catch::Matchers::Contains("makes the list longer than"));
  CHECK(parse_job({"--sweep.problems", "synthetic-a", "--sweep.seeds", "9223372036854775807"})
            .seeds == std::vector<std::uint64_t>{9223372036854775807ULL});
  for (const std::string key : {"--sweep.depths", "--geometry.k"}) {
    INFO(key);
    CHECK_THAT(
        parse_error({"--sweep.problems", "synthetic-a", key, "9223372036854775807", "--dry-run"}),
        Catch::Matchers::Contains("9223372036854775807 is larger than"));
  }
  // A range past the bound names its first value past it, without expanding the range.
  CHECK_THAT(parse_error(
                 {"--sweep.problems", "synthetic-a", "--sweep.depths", "990-9000000", "--dry-run"}),
             Catch::Matchers::Contains("depth 1001 is larger than 1000"));
}

TEST_CASE("150,000 seeds parse well under a second", "[job-keys][cli]") {
  // Listed one by one (no ranges), the case that was quadratic: 40 s before, milliseconds now.
  // The bound is generous for sanitizer builds; a quadratic parser misses it by far.
  std::string seeds;
  for (int i = 0; i < 150'000; ++i) {
    if (i > 0) seeds += ',';
    seeds += std::to_string(i * 2);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto job = parse_job({"--sweep.problems", "synthetic-a", "--sweep.seeds", seeds});
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  REQUIRE(job.seeds.size() == 150'000);
  CHECK(job.seeds.back() == 299'998);
  CHECK(took.count() < 5.0);
  const auto names = cli::parse_name_list(seeds, "seed list");
  CHECK(names.size() == 150'000);
}

TEST_CASE("idx:IMAGES,LABELS is one problem inside a problem list", "[job-keys][cli]") {
  CHECK(cli::parse_problem_list("idx:a.gz,b.gz", "problem list") ==
        std::vector<std::string>{"idx:a.gz,b.gz"});
  CHECK(cli::parse_problem_list("synthetic-a, idx:a.gz, b.gz ,csv:d.csv,idx:c,d", "problem list") ==
        std::vector<std::string>{"synthetic-a", "idx:a.gz,b.gz", "csv:d.csv", "idx:c,d"});
  CHECK_THROWS_WITH(cli::parse_problem_list("idx:a,b,idx:a,b", "problem list"),
                    "[cli] problem list: 'idx:a,b' is listed twice");
  const auto job = parse_job({"--sweep.problems", "synthetic-a,idx:train.gz,labels.gz"});
  CHECK(job.problems == std::vector<std::string>{"synthetic-a", "idx:train.gz,labels.gz"});
  CHECK(job.problem_settings.count("idx:train.gz,labels.gz") == 1);
  // A per-problem section names it, and the job text reads back to the same job.
  const auto path = write_job("idx.ini",
                              "[sweep]\nproblems = idx:train.gz,labels.gz\n"
                              "[problem.idx:train.gz,labels.gz]\nthreshold = 0.8\n");
  const auto from_file = parse_job({"--job", path});
  CHECK(from_file.problem_settings.at("idx:train.gz,labels.gz").threshold == 0.8);
  // idx: with no labels file still gets parse_problem's message.
  CHECK_THAT(parse_error({"--sweep.problems", "idx:a.gz", "--dry-run"}),
             Catch::Matchers::Contains("expected idx:IMAGES_FILE,LABELS_FILE"));
}

// --- Job files that are not job files (issue 11, defects 11 and 14).

TEST_CASE("a job file's BOM is accepted, and directories, devices and huge files are named",
          "[job-keys][job-file]") {
  const auto bom = write_job("bom.ini", "\xEF\xBB\xBF[sweep]\nproblems = synthetic-c\n");
  CHECK(parse_job({"--job", bom}).problems == std::vector<std::string>{"synthetic-c"});
  const auto dir = test::scratch_path("job-dir");
  std::filesystem::create_directories(dir);
  CHECK(parse_error({"--job", dir, "--dry-run"}) == "[job] job file " + dir + " is a directory");
  CHECK(parse_error({"--job", "/dev/zero", "--dry-run"}) ==
        "[job] job file /dev/zero is larger than 1 MiB (is it a job file?)");
  const auto huge =
      write_job("huge.ini", "[sweep]\nproblems = synthetic-a\n" + std::string(1 << 20, '#'));
  CHECK(parse_error({"--job", huge, "--dry-run"}) ==
        "[job] job file " + huge + " is larger than 1 MiB (is it a job file?)");
  const char nul[] = "[sweep]\nproblems = a\0b\n";
  const auto binary = write_job("binary.ini", std::string(nul, sizeof nul - 1));
  CHECK(parse_error({"--job", binary, "--dry-run"}) ==
        "[job] job file " + binary + " holds a NUL byte (it is not a text file)");
}

TEST_CASE("redo of failed runs: --redo, its older name --retry-failed, --max-attempts",
          "[job-file]") {
  const std::vector<std::string> base{"--sweep.problems", "synthetic-a", "--out", "x.h5",
                                      "--resume"};
  const auto parsed = [&](std::vector<std::string> args) {
    args.insert(args.begin(), base.begin(), base.end());
    return parse_sweep_command(args).sweep;
  };
  const auto plain = parsed({});
  CHECK_FALSE(plain.redo_failed);
  CHECK_FALSE(plain.redo_transient);
  CHECK(plain.max_attempts == 3);
  const auto transient = parsed({"--redo", "transient,lost", "--max-attempts", "5"});
  CHECK_FALSE(transient.redo_failed);
  CHECK(transient.redo_transient);
  CHECK(transient.max_attempts == 5);
  CHECK(parsed({"--redo", "failed"}).redo_failed);
  CHECK(parsed({"--retry-failed"}).redo_failed);
  CHECK_FALSE(parsed({"--redo", "lost"}).redo_failed);
}
