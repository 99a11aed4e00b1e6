#include "job_file.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli_util.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/nn/architecture.hpp"

namespace po = boost::program_options;

namespace ricci::cli {

const std::vector<JobKey>& job_keys() {
  static const std::vector<JobKey> keys{
      {"sweep.name", "(job file name)", "a label stored in the results file"},
      {"sweep.problems", "(required)",
       "problems, e.g. synthetic-a,fmnist-sandal-boot (README: Problems)"},
      {"sweep.architectures", "narrow,wide,bottleneck",
       "narrow, wide, bottleneck or explicit widths such as 64-32-16"},
      {"sweep.depths", "5,11", "numbers of hidden layers"},
      {"sweep.seeds", "0", "seeds: lists and ranges, e.g. 0-35"},
      {"train.optimizer", "rmsprop", "rmsprop | adam"},
      {"train.mode", "epochs",
       "epochs (the paper) | until-accuracy (the follow-up: full batch until target_accuracy)"},
      {"train.epochs", "50", "epochs; the cap in until-accuracy mode"},
      {"train.batch_size", "32", "mini-batch size (epochs mode)"},
      {"train.learning_rate", "0.001", "learning rate"},
      {"train.validation_split", "0.2",
       "share of the training set held out for validation, in [0, 1)"},
      {"train.split_mode", "random",
       "random (seeded) | keras-last (the last share of the class-ordered array, as the reference "
       "code)"},
      {"train.pixel_scale", "raw", "raw 0-255 pixels (the paper) | unit (divided by 255)"},
      {"train.target_accuracy", "0.99", "training accuracy that ends until-accuracy mode"},
      {"geometry.k", "paper",
       "paper (METHOD.md section 7's grid of each problem) or a list such as 6,10,20-30"},
      {"geometry.graph", "union", "union | mutual"},
      {"geometry.convention", "paper",
       "paper | baptista-r (the reference R code's directed graph; implies its own graph)"},
      {"output.store_activations", "true",
       "keep every run's hidden activations, labels and output probabilities"},
      {"output.store_nodes", "false",
       "keep per-node curvature and distance sums for every k and layer"},
      {"problem.NAME.threshold", "(the paper's)",
       "test accuracy a run of NAME must exceed to be accepted"},
      {"problem.NAME.data_dir", "(Debian's, for Fashion-MNIST)",
       "directory of NAME's IDX files (required for MNIST)"},
  };
  return keys;
}

namespace {

struct Located {
  std::string value;
  std::string where;  // "jobs/x.ini line 7" or "the command line"
};

// Syntax and line numbers of a job file, which Boost.Program_options does not report.
std::map<std::string, int> scan_job_file(const std::string& path, const std::string& text) {
  std::map<std::string, int> lines;
  std::istringstream in(text);
  std::string line, section;
  const auto trimmed = [](std::string s) {
    const auto a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string t = trimmed(line);
    const std::string where = path + " line " + std::to_string(number);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t[0] == '[') {
      if (t.back() != ']' || t.size() < 3)
        throw Error("job", where + ": malformed section header '" + t + "'");
      section = trimmed(t.substr(1, t.size() - 2));
      const bool known = section == "sweep" || section == "train" || section == "geometry" ||
                         section == "output" ||
                         (section.starts_with("problem.") && section.size() > 8);
      if (!known)
        throw Error("job", where + ": unknown section [" + section +
                               "] (expected sweep, train, geometry, output or problem.NAME)");
      continue;
    }
    const auto equals = t.find('=');
    if (equals == std::string::npos)
      throw Error("job", where + ": expected 'key = value', got '" + t + "'");
    if (section.empty())
      throw Error(
          "job", where + ": key '" + trimmed(t.substr(0, equals)) + "' comes before any [section]");
    const std::string key = section + "." + trimmed(t.substr(0, equals));
    if (trimmed(t.substr(equals + 1)).empty())
      throw Error("job", where + ", key " + key + ": no value");
    const auto [it, fresh] = lines.emplace(key, number);
    if (!fresh)
      throw Error("job",
                  where + ", key " + key + ": already set on line " + std::to_string(it->second));
  }
  return lines;
}

class JobValues {
 public:
  JobValues(const po::variables_map& vm, const std::map<std::string, int>& lines,
            const std::string& file, const std::vector<std::string>& from_command_line)
      : vm_(vm),
        lines_(lines),
        file_(file),
        command_line_(from_command_line.begin(), from_command_line.end()) {}

  bool has(const std::string& key) const { return vm_.count(key) && !vm_[key].defaulted(); }
  Located get(const std::string& key) const { return {vm_[key].as<std::string>(), where(key)}; }
  std::string where(const std::string& key) const {
    if (command_line_.count(key) || !lines_.count(key)) return "the command line";
    return file_ + " line " + std::to_string(lines_.at(key));
  }

 private:
  const po::variables_map& vm_;
  const std::map<std::string, int>& lines_;
  std::string file_;
  std::set<std::string> command_line_;
};

// Runs a conversion, turning its error into one that names where the value came from.
template <class F>
auto convert(const JobValues& values, const std::string& key, F&& f) {
  const Located v = values.get(key);
  try {
    return f(v.value);
  } catch (const Error& e) {
    throw e.with_context("job", v.where + ", key " + key);
  }
}

template <class Enum>
Enum choose(const std::string& value, const std::vector<std::pair<std::string, Enum>>& choices) {
  std::string list;
  for (const auto& [name, e] : choices) {
    if (value == name) return e;
    list += (list.empty() ? "" : ", ") + name;
  }
  throw Error("job", "'" + value + "' is not one of: " + list);
}

}  // namespace

SweepCommand parse_sweep_command(const std::vector<std::string>& args) {
  SweepCommand command;
  po::options_description general("ricci-sweep options");
  general.add_options()("help,h", "show this help")(
      "job", po::value(&command.job_file),
      "INI job file (jobs/*.ini); every key can also be given as --section.key")(
      "out", po::value(&command.output), "results file (one shared HDF5 file)")(
      "resume", "continue an existing results file (created when missing)")(
      "retry-failed", "with --resume, also re-run failed runs")(
      "force", "overwrite an existing results file")("dry-run", "print the expanded plan and exit")(
      "progress-seconds", po::value(&command.progress_seconds)->default_value(10),
      "seconds between progress lines");
  po::options_description keys("job keys (file sections or --section.key)");
  for (const auto& key : job_keys())
    if (!std::string(key.name).starts_with("problem."))
      keys.add_options()(key.name, po::value<std::string>(), key.meaning);
  po::options_description all;
  all.add(general).add(keys);
  std::ostringstream help;
  help << "usage: ricci-sweep --job FILE --out RESULTS.h5 [--resume] [--retry-failed] [--force] "
          "[--dry-run]\n"
       << "       (run under mpirun -np N or srun; rank 0 dispatches, the others train and "
          "measure)\n"
       << all
       << "  --problem.NAME.threshold X, --problem.NAME.data_dir DIR   per-problem settings\n";
  command.help_text = help.str();

  // Boost cannot know that an unregistered --problem.NAME.key takes the next word as its value.
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].starts_with("--problem.") && args[i].find('=') == std::string::npos &&
        i + 1 < args.size()) {
      words.push_back(args[i] + "=" + args[i + 1]);
      ++i;
    } else {
      words.push_back(args[i]);
    }
  }
  po::variables_map vm;
  po::parsed_options parsed = [&] {
    try {
      return po::command_line_parser(words).options(all).allow_unregistered().run();
    } catch (const po::error& e) {
      throw Error("job", std::string("the command line: ") + e.what());
    }
  }();
  // Unregistered arguments are per-problem keys or mistakes.
  std::map<std::string, std::string> problem_keys;
  std::vector<std::string> from_command_line;
  for (const auto& option : parsed.options) {
    from_command_line.push_back(option.string_key);
    if (!option.unregistered) continue;
    const std::string& key = option.string_key;
    const bool per_problem =
        key.starts_with("problem.") && (key.ends_with(".threshold") || key.ends_with(".data_dir"));
    if (!per_problem || option.value.size() != 1)
      throw Error("job", "the command line: unknown option '" +
                             (key.empty() ? option.original_tokens.front() : "--" + key) + "'");
    problem_keys[key] = option.value.front();
  }
  try {
    po::store(parsed, vm);
  } catch (const po::error& e) {
    throw Error("job", std::string("the command line: ") + e.what());
  }
  if (vm.count("help")) {
    command.help = true;
    return command;
  }
  po::notify(vm);
  command.resume = vm.count("resume") > 0;
  command.retry_failed = vm.count("retry-failed") > 0;
  command.force = vm.count("force") > 0;
  command.dry_run = vm.count("dry-run") > 0;
  if (command.retry_failed && !command.resume) throw Error("job", "--retry-failed needs --resume");
  if (command.resume && command.force)
    throw Error("job", "--resume and --force exclude each other");

  std::map<std::string, int> lines;
  std::map<std::string, std::string> file_problem_keys;
  if (!command.job_file.empty()) {
    std::ifstream in(command.job_file);
    if (!in)
      throw Error("job", "job file " + command.job_file + " does not exist or cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    lines = scan_job_file(command.job_file, text.str());
    for (const auto& [key, line] : lines) {
      const bool per_problem = key.starts_with("problem.");
      if (per_problem) {
        if (!key.ends_with(".threshold") && !key.ends_with(".data_dir"))
          throw Error("job", command.job_file + " line " + std::to_string(line) + ": unknown key " +
                                 key + " (a [problem.NAME] section takes threshold and data_dir)");
      } else if (!keys.find_nothrow(key, false)) {
        throw Error("job",
                    command.job_file + " line " + std::to_string(line) + ": unknown key " + key);
      }
    }
    std::istringstream again(text.str());
    const auto file_options = po::parse_config_file(again, keys, true);
    for (const auto& option : file_options.options)
      if (option.unregistered && !option.value.empty())
        file_problem_keys[option.string_key] = option.value.front();
    po::store(file_options, vm);  // after the command line: the command line wins
  }
  if (command.output.empty() && !command.dry_run)
    throw Error("job", "--out RESULTS.h5 is required");

  JobValues values(vm, lines, command.job_file, from_command_line);
  sweep::JobSpec& job = command.job;
  auto text = [&](const std::string& key, const std::string& fallback) {
    return values.has(key) ? values.get(key).value : fallback;
  };
  job.name = values.has("sweep.name")   ? values.get("sweep.name").value
             : command.job_file.empty() ? "sweep"
                                        : std::filesystem::path(command.job_file).stem().string();
  if (!values.has("sweep.problems"))
    throw Error("job",
                (command.job_file.empty() ? std::string("the command line") : command.job_file) +
                    ": sweep.problems is required (e.g. problems = synthetic-a)");
  job.problems = convert(values, "sweep.problems", [](const std::string& v) {
    auto names = parse_name_list(v, "problem list");
    for (const auto& n : names) data::parse_problem(n);
    return names;
  });
  const std::string architectures = text("sweep.architectures", "narrow,wide,bottleneck");
  const std::string depths = text("sweep.depths", "5,11");
  const std::string seeds = text("sweep.seeds", "0");
  auto located_or_default = [&](const std::string& key, const std::string& fallback, auto f) {
    if (values.has(key)) return convert(values, key, f);
    return f(fallback);
  };
  job.architectures = located_or_default(
      "sweep.architectures", architectures,
      [](const std::string& v) { return parse_name_list(v, "architecture list"); });
  job.depths = located_or_default("sweep.depths", depths, [](const std::string& v) {
    std::vector<int> out;
    for (long long d : parse_integer_list(v, "depth list", 1)) {
      if (d > 1000) throw Error("job", "depth " + std::to_string(d) + " is larger than 1000");
      out.push_back(static_cast<int>(d));
    }
    return out;
  });
  // Every architecture must fit every depth (bottleneck needs odd depths).
  for (const auto& arch : job.architectures)
    for (int depth : job.depths) {
      const std::string key =
          values.has("sweep.architectures") ? "sweep.architectures" : "sweep.depths";
      try {
        nn::hidden_widths(arch, depth);
      } catch (const Error& e) {
        throw e.with_context("job", values.where(key) + ", key " + key);
      }
    }
  job.seeds = located_or_default("sweep.seeds", seeds, [](const std::string& v) {
    std::vector<std::uint64_t> out;
    for (long long s : parse_integer_list(v, "seed list", 0))
      out.push_back(static_cast<std::uint64_t>(s));
    return out;
  });

  auto& train = job.train;
  auto get_or = [&](const std::string& key, const std::string& fallback, auto f) {
    return located_or_default(key, fallback, f);
  };
  train.optimizer.kind = get_or("train.optimizer", "rmsprop", [](const std::string& v) {
    return choose<nn::OptimizerKind>(
        v, {{"rmsprop", nn::OptimizerKind::rmsprop}, {"adam", nn::OptimizerKind::adam}});
  });
  train.mode = get_or("train.mode", "epochs", [](const std::string& v) {
    return choose<nn::TrainMode>(
        v, {{"epochs", nn::TrainMode::epochs}, {"until-accuracy", nn::TrainMode::until_accuracy}});
  });
  train.epochs = get_or("train.epochs", "50", [](const std::string& v) {
    const long long e = parse_integer(v, "");
    if (e < 1 || e > 1'000'000)
      throw Error("job", "epochs must be between 1 and 1000000, got " + v);
    return static_cast<int>(e);
  });
  train.batch_size = get_or("train.batch_size", "32", [](const std::string& v) {
    const long long b = parse_integer(v, "");
    if (b < 1 || b > 1'000'000)
      throw Error("job", "batch_size must be between 1 and 1000000, got " + v);
    return static_cast<int>(b);
  });
  train.optimizer.learning_rate = get_or("train.learning_rate", "0.001", [](const std::string& v) {
    const double lr = parse_double(v, "");
    if (!(lr > 0)) throw Error("job", "learning_rate must be positive, got " + v);
    return lr;
  });
  train.validation_split = get_or("train.validation_split", "0.2", [](const std::string& v) {
    const double s = parse_double(v, "");
    if (!(s >= 0 && s < 1)) throw Error("job", "validation_split must lie in [0, 1), got " + v);
    return s;
  });
  train.split = get_or("train.split_mode", "random", [](const std::string& v) {
    return choose<nn::SplitMode>(
        v, {{"random", nn::SplitMode::random}, {"keras-last", nn::SplitMode::keras_last}});
  });
  job.pixels = get_or("train.pixel_scale", "raw", [](const std::string& v) {
    return choose<data::PixelScale>(
        v, {{"raw", data::PixelScale::raw}, {"unit", data::PixelScale::unit}});
  });
  train.target_train_accuracy = get_or("train.target_accuracy", "0.99", [](const std::string& v) {
    const double a = parse_double(v, "");
    if (!(a > 0 && a <= 1)) throw Error("job", "target_accuracy must lie in (0, 1], got " + v);
    return a;
  });

  const std::string k_text = text("geometry.k", "paper");
  job.paper_k = k_text == "paper";
  if (!job.paper_k)
    job.k = convert(values, "geometry.k",
                    [](const std::string& v) { return parse_index_list(v, "k list"); });
  const auto graph = get_or("geometry.graph", "union", [](const std::string& v) {
    return choose<geometry::GraphRule>(v, {{"union", geometry::GraphRule::knn_union},
                                           {"mutual", geometry::GraphRule::knn_mutual}});
  });
  const bool baptista = get_or("geometry.convention", "paper", [](const std::string& v) {
    return choose<bool>(v, {{"paper", false}, {"baptista-r", true}});
  });
  if (baptista && values.has("geometry.graph") && graph == geometry::GraphRule::knn_mutual)
    throw Error("job", values.where("geometry.graph") +
                           ", key geometry.graph: mutual conflicts with convention = baptista-r, "
                           "which defines its own graph");
  job.rule = baptista ? geometry::GraphRule::baptista_r : graph;
  job.store_activations = get_or("output.store_activations", "true",
                                 [](const std::string& v) { return parse_bool(v, ""); });
  job.store_nodes =
      get_or("output.store_nodes", "false", [](const std::string& v) { return parse_bool(v, ""); });

  // Per-problem sections: defaults from the registry, then the file, then the command line.
  for (const auto& name : job.problems)
    job.problem_settings[name].threshold = data::parse_problem(name).default_threshold;
  auto apply = [&](const std::map<std::string, std::string>& source, bool from_file) {
    for (const auto& [key, value] : source) {
      const std::string setting = key.substr(key.rfind('.') + 1);
      const std::string problem = key.substr(8, key.size() - 8 - setting.size() - 1);
      const std::string where = from_file
                                    ? command.job_file + " line " + std::to_string(lines.at(key))
                                    : "the command line";
      if (!job.problem_settings.count(problem))
        throw Error("job", where + ": [problem." + problem +
                               "] names a problem that is not in sweep.problems");
      if (setting == "threshold") {
        try {
          const double t = parse_double(value, "");
          if (!(t >= 0 && t <= 1)) throw Error("job", "threshold must lie in [0, 1], got " + value);
          job.problem_settings[problem].threshold = t;
        } catch (const Error& e) {
          throw e.with_context("job", where + ", key " + key);
        }
      } else {
        job.problem_settings[problem].data_dir = value;
      }
    }
  };
  apply(file_problem_keys, true);
  apply(problem_keys, false);
  return command;
}

}  // namespace ricci::cli
