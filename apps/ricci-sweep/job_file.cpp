#include "job_file.hpp"

#include <boost/program_options.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_util.hpp"
#include "deadline.hpp"
#include "job_keys.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/io/shards.hpp"
#include "ricci/nn/architecture.hpp"
#include "ricci/sweep/place.hpp"

namespace po = boost::program_options;

namespace ricci::sweep_app {

// The shared string parsers of the command-line front ends.
using namespace ricci::cli;

namespace {

const std::string command_line = "the command line";

using Setting = KeySetting;
using Settings = KeySettings;

std::string setting_of(const std::string& key) { return key.substr(key.rfind('.') + 1); }

// --- The job file: an INI scanner that knows line numbers, which Boost's config-file parser
// does not report.

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r"), last = text.find_last_not_of(" \t\r");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

// '#' starts a comment anywhere on a line, as it did when Boost read job files; ';' starts one at
// the beginning of a line.
std::string without_comment(const std::string& line) {
  const std::string text = trimmed(line.substr(0, line.find('#')));
  return text.starts_with(';') ? std::string() : text;
}

// The sections of job_keys(), in order: sweep, train, geometry, output.
std::vector<std::string> job_sections() {
  std::vector<std::string> sections;
  for (const JobKey& key : job_keys()) {
    const std::string section = key.name.substr(0, key.name.find('.'));
    if (sections.empty() || sections.back() != section) sections.push_back(section);
  }
  return sections;
}

std::string section_header(const std::string& text, const std::string& where) {
  if (text.back() != ']' || text.size() < 3)
    throw Error("job", where + ": malformed section header '" + text + "'");
  const std::string section = trimmed(text.substr(1, text.size() - 2));
  const auto sections = job_sections();
  if (std::find(sections.begin(), sections.end(), section) != sections.end() ||
      (section.starts_with("problem.") && section.size() > 8))
    return section;
  std::string expected;
  for (const auto& known : sections) expected += known + ", ";
  expected.resize(expected.size() - 2);
  throw Error("job", where + ": unknown section [" + section + "] (expected " + expected +
                         " or problem.NAME)");
}

// Throws unless `key` is a row of job_keys() or a [problem.NAME] key of problem_keys().
void check_known_key(const std::string& key, const std::string& where) {
  if (!key.starts_with("problem.")) {
    if (!find_job_key(key)) throw Error("job", where + ": unknown key " + key);
    return;
  }
  if (find_problem_key(setting_of(key))) return;
  const auto& keys = problem_keys();
  std::string settings;
  for (std::size_t i = 0; i < keys.size(); ++i)
    settings += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + setting_of(keys[i].name);
  throw Error(
      "job", where + ": unknown key " + key + " (a [problem.NAME] section takes " + settings + ")");
}

// "key = value" under [section] -> {"section.key", "value"}.
std::pair<std::string, std::string> key_and_value(const std::string& line,
                                                  const std::string& section,
                                                  const std::string& where) {
  const auto equals = line.find('=');
  if (equals == std::string::npos)
    throw Error("job", where + ": expected 'key = value', got '" + line + "'");
  const std::string name = trimmed(line.substr(0, equals));
  if (section.empty())
    throw Error("job", where + ": key '" + name + "' comes before any [section]");
  return {section + "." + name, trimmed(line.substr(equals + 1))};
}

Settings scan_job_file(const std::string& path, const std::string& text) {
  Settings settings;
  std::map<std::string, int> first_line;
  std::istringstream in(text);
  std::string raw, section;
  for (int number = 1; std::getline(in, raw); ++number) {
    const std::string where = path + " line " + std::to_string(number);
    const std::string line = without_comment(raw);
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = section_header(line, where);
      continue;
    }
    const auto [key, value] = key_and_value(line, section, where);
    check_known_key(key, where);
    if (value.empty()) throw Error("job", where + ", key " + key + ": no value");
    const auto [first, fresh] = first_line.emplace(key, number);
    if (!fresh)
      throw Error(
          "job", where + ", key " + key + ": already set on line " + std::to_string(first->second));
    settings[key] = {value, where};
  }
  return settings;
}

// Far beyond any job file (the largest in jobs/ is a few KiB); a bound, so that --job /dev/zero
// or a results file given by mistake is refused instead of read without end.
constexpr std::size_t max_job_file_bytes = std::size_t{1} << 20;

Settings read_job_file(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw Error("job", "job file " + path + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("job", "job file " + path + " does not exist or cannot be read");
  std::string text(max_job_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_job_file_bytes)
    throw Error("job", "job file " + path + " is larger than 1 MiB (is it a job file?)");
  if (text.find('\0') != std::string::npos)
    throw Error("job", "job file " + path + " holds a NUL byte (it is not a text file)");
  // A UTF-8 byte order mark, as some editors write one, is not part of the first line.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  return scan_job_file(path, text);
}

// --- The command line, with Boost.Program_options: the general options and one option per job
// key; per-problem keys arrive unregistered.

po::options_description general_options(SweepCommand& command) {
  po::options_description general("ricci-sweep options");
  general.add_options()("help,h", "show this help")(
      "job", po::value(&command.job_file),
      "INI job file (jobs/*.ini); every key can also be given as --section.key")(
      "reanalyze", po::value(&command.reanalyze),
      "measure the stored activations of this results file again, without training, under the "
      "[geometry] keys given (--geometry.k, --geometry.graph, --geometry.convention)")(
      "out", po::value(&command.sweep.output), "results file (one shared HDF5 file)")(
      "resume", "continue an existing results file (created when missing)")(
      "redo", po::value(&command.redo),
      "with --resume, also re-run failed runs: failed (all), transient (out of memory, I/O "
      "errors), lost (accepted: lost runs are always re-run); a comma list")(
      "retry-failed", "the same as --redo failed (its older name)")(
      "max-attempts",
      po::value(&command.sweep.max_attempts)->default_value(command.sweep.max_attempts),
      "attempts of a run, in all sessions, up to which a transient failure is retried at once")(
      "force", "overwrite an existing results file")(
      "shard", po::value<std::string>(),
      "i/n: run only shard i of n of the plan (a SLURM array task; 1 <= i <= n) into its own "
      "file; ricci-query merge joins the shards")(
      "dry-run", "print the expanded plan and every key's effective value, and exit")(
      "print-keys", "print README's table of job keys (Markdown) and exit")(
      "progress-seconds",
      po::value(&command.sweep.progress_seconds)->default_value(command.sweep.progress_seconds),
      "seconds between progress lines")(
      "deadline", po::value(&command.deadline),
      "stop handing out runs predicted to end after this UTC time (2026-11-27T14:00:00Z) or "
      "duration from now (+3h30m); default: SLURM_JOB_END_TIME inside a SLURM job")(
      "deadline-margin", po::value(&command.deadline_margin),
      "safety margin before the deadline (90s, 5m, ...) [default: 2% of the time left, at least "
      "60s]");
  return general;
}

template <class Target>
std::string key_help(const KeyRow<Target>& key) {
  return key.meaning + " [default: " + default_text(key, false) + "; " + allowed_text(key, false) +
         "]";
}

po::options_description key_options() {
  po::options_description keys("job keys (file sections or --section.key)");
  for (const JobKey& key : job_keys())
    keys.add_options()(key.name.c_str(), po::value<std::string>(), key_help(key).c_str());
  return keys;
}

std::string usage(const po::options_description& options) {
  std::ostringstream help;
  help
      << "usage: ricci-sweep --job FILE --out RESULTS.h5 [--resume [--redo failed|transient|lost]] "
         "[--force] [--dry-run] [--shard i/n] [--deadline T]\n"
      << "       ricci-sweep --reanalyze SOURCE.h5 --geometry.KEY VALUE... --out NEW.h5 "
         "[--resume] [--force]\n"
      << "       (run under mpirun -np N or srun; rank 0 dispatches, the others train and "
         "measure)\n"
      << options << "\nper-problem keys (file sections [problem.NAME] or --problem.NAME.key):\n";
  for (const ProblemKey& key : problem_keys())
    help << "  --" << key.name << " VALUE\n      " << key_help(key) << "\n";
  return help.str();
}

// Boost cannot know that an unregistered --problem.NAME.key takes the next word as its value.
std::vector<std::string> command_line_words(const std::vector<std::string>& args) {
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
  return words;
}

// Unregistered options are per-problem keys or mistakes.
Settings problem_keys_of(const po::parsed_options& parsed) {
  Settings settings;
  for (const auto& option : parsed.options) {
    if (!option.unregistered) continue;
    const std::string& key = option.string_key;
    const bool per_problem = key.starts_with("problem.") && find_problem_key(setting_of(key));
    if (!per_problem || option.value.size() != 1)
      throw Error("job", command_line + ": unknown option '" +
                             (key.empty() ? option.original_tokens.front() : "--" + key) + "'");
    settings[key] = {option.value.front(), command_line};
  }
  return settings;
}

// --redo's comma list (and --retry-failed, the older name of --redo failed) into the sweep options.
void apply_redo(SweepCommand& command, bool retry_failed) {
  command.sweep.redo_failed = retry_failed;
  std::istringstream words(command.redo);
  std::string word;
  bool any = false;
  while (std::getline(words, word, ',')) {
    any = true;
    if (word == "failed")
      command.sweep.redo_failed = true;
    else if (word == "transient")
      command.sweep.redo_transient = true;
    else if (word != "lost")  // lost runs are re-run on every --resume
      throw Error("job", command_line + ": --redo '" + word +
                             "' is not failed, transient or lost (a comma list of them)");
  }
  if (!command.redo.empty() && !any)
    throw Error("job", command_line + ": --redo needs failed, transient or lost");
}

// Fills the command's general options and returns the job keys given on the command line.
Settings read_command_line(const std::vector<std::string>& args, SweepCommand& command) {
  po::options_description all;
  all.add(general_options(command)).add(key_options());
  command.help_text = usage(all);
  po::variables_map vm;
  Settings settings;
  try {
    const auto parsed =
        po::command_line_parser(command_line_words(args)).options(all).allow_unregistered().run();
    settings = problem_keys_of(parsed);
    po::store(parsed, vm);
  } catch (const po::error& e) {
    throw Error("job", command_line + ": " + e.what());
  }
  po::notify(vm);
  command.help = vm.count("help") > 0;
  command.print_keys = vm.count("print-keys") > 0;
  command.sweep.resume = vm.count("resume") > 0;
  apply_redo(command, vm.count("retry-failed") > 0);
  command.sweep.force = vm.count("force") > 0;
  command.dry_run = vm.count("dry-run") > 0;
  if (vm.count("shard")) {
    const std::string text = vm["shard"].as<std::string>();
    command.sweep.shard = io::parse_shard(text);
    if (!command.sweep.shard)
      throw Error("job", command_line + ": --shard '" + text +
                             "' is not i/n with whole numbers 1 <= i <= n (e.g. --shard 2/4)");
  }
  for (const JobKey& key : job_keys())
    if (vm.count(key.name)) settings[key.name] = {vm[key.name].as<std::string>(), command_line};
  return settings;
}

// --deadline or SLURM_JOB_END_TIME, and the margin, into the sweep's options (Unix seconds).
void set_deadline(SweepCommand& command) {
  const double now = sweep::unix_seconds_now();
  const auto deadline =
      effective_deadline(command.deadline, std::getenv("SLURM_JOB_END_TIME"), now);
  if (!command.deadline_margin.empty() && !deadline)
    throw Error("job", "--deadline-margin needs a deadline (--deadline or SLURM_JOB_END_TIME)");
  if (!deadline) return;
  command.sweep.deadline = *deadline;
  command.sweep.deadline_margin =
      command.deadline_margin.empty()
          ? default_deadline_margin(*deadline, now)
          : parse_duration(command.deadline_margin, "--deadline-margin");
}

void check_flags(const SweepCommand& command) {
  if (command.sweep.redo_failed && !command.sweep.resume && command.redo.empty())
    throw Error("job", "--retry-failed needs --resume");
  if (!command.redo.empty() && !command.sweep.resume) throw Error("job", "--redo needs --resume");
  if (command.sweep.max_attempts < 1)
    throw Error("job", command_line + ": --max-attempts " +
                           std::to_string(command.sweep.max_attempts) + " is below 1");
  if (command.sweep.resume && command.sweep.force)
    throw Error("job", "--resume and --force exclude each other");
}

// --- From settings to the job: the table loop, per-problem sections, rules across keys.

void apply_job_keys(sweep::JobSpec& job, const Settings& settings) {
  for (const JobKey& key : job_keys()) {
    const auto given = settings.find(key.name);
    if (given == settings.end()) continue;
    try {
      key.parse(job, given->second.value);
    } catch (const Error& e) {
      throw e.with_context("job", given->second.where + ", key " + key.name);
    }
  }
}

// After sweep.problems has made one entry per problem in job.problem_settings. A knob is checked
// against its problem as it is set (the range depends on the problem; the keys come in name order,
// and those not yet set hold valid defaults).
void apply_problem_keys(sweep::JobSpec& job, const Settings& settings) {
  for (const auto& [key, setting] : settings) {
    if (!key.starts_with("problem.")) continue;
    const std::size_t dot = key.rfind('.');
    const std::string problem = dot > 8 ? key.substr(8, dot - 8) : "";
    const auto entry = job.problem_settings.find(problem);
    if (entry == job.problem_settings.end())
      throw Error("job", setting.where + ": [problem." + problem +
                             "] names a problem that is not in sweep.problems");
    try {
      const ProblemKey& row = *find_problem_key(setting_of(key));
      row.parse(entry->second, setting.value);
      if (row.knob) data::resolve_knobs(data::parse_problem(problem), entry->second.knobs);
    } catch (const Error& e) {
      throw e.with_context("job", setting.where + ", key " + key);
    }
  }
}

void require_problems(const Settings& settings, const std::string& job_file) {
  if (!settings.count("sweep.problems"))
    throw Error("job", (job_file.empty() ? command_line : job_file) +
                           ": sweep.problems is required (e.g. problems = synthetic-a)");
}

// Every architecture must fit every depth (bottleneck needs odd depths, explicit widths one per
// layer); the error goes to the architectures where given, else to the depths.
void check_architectures_fit_depths(const sweep::JobSpec& job, const Settings& settings) {
  const std::string key =
      settings.count("sweep.architectures") ? "sweep.architectures" : "sweep.depths";
  const auto given = settings.find(key);
  const std::string where = given != settings.end() ? given->second.where : command_line;
  for (const auto& architecture : job.architectures)
    for (int depth : job.depths) {
      try {
        nn::hidden_widths(architecture, depth);
      } catch (const Error& e) {
        throw e.with_context("job", where + ", key " + key);
      }
    }
}

// The follow-up's measurements: exact Ollivier's k among every problem's k, and nothing the
// baptista-r convention does not define (docs/method.md §4). The error goes to the key that asked.
void check_geometry_keys(const sweep::JobSpec& job, const Settings& settings) {
  const auto where = [&](const std::string& key) {
    const auto given = settings.find(key);
    return (given != settings.end() ? given->second.where : command_line) + ", key " + key;
  };
  if (!job.ollivier_k.empty()) {
    if (std::find(job.curvatures.begin(), job.curvatures.end(),
                  geometry::CurvatureNotion::ollivier) == job.curvatures.end())
      throw Error("job", where("geometry.ollivier_k") +
                             ": restricts the ollivier notion, which geometry.curvatures does "
                             "not list");
    for (const std::string& name : job.problems) {
      const auto ks = job.k_for(data::parse_problem(name));
      for (index_t k : job.ollivier_k)
        if (std::find(ks.begin(), ks.end(), k) == ks.end()) {
          std::string list;
          for (index_t value : ks) {
            if (!list.empty()) list += ',';
            list += std::to_string(value);
          }
          throw Error("job", where("geometry.ollivier_k") + ": k = " + std::to_string(k) +
                                 " is not among the k values of " + name + " (" + list + ")");
        }
    }
  }
  if (job.rule != geometry::GraphRule::baptista_r) return;
  if (job.local)
    throw Error("job", where("geometry.local") +
                           ": the local coefficients are defined on the union and mutual graphs, "
                           "not under convention = baptista-r");
  if (job.all_layers)
    throw Error("job", where("geometry.layers") +
                           ": layers = all is the follow-up's list on undirected graphs; "
                           "baptista-r has its own input transition (use layers = hidden)");
  for (auto notion : job.curvatures)
    if (geometry::needs_undirected_graph(notion))
      throw Error("job", where("geometry.curvatures") + ": " +
                             std::string(geometry::curvature_notion_name(notion)) +
                             " is defined on the undirected graph, not under convention = "
                             "baptista-r");
}

void apply_settings(sweep::JobSpec& job, const Settings& settings) {
  apply_job_keys(job, settings);
  check_architectures_fit_depths(job, settings);
  check_geometry_keys(job, settings);
  apply_problem_keys(job, settings);
}

// A re-analysis measures the stored (final) activations again: it may change the geometry keys
// but not the snapshot epochs, which are taken during training.
bool reanalysis_may_change(std::string_view key) {
  return key.starts_with("geometry.") && key != "geometry.snapshot_epochs";
}

// A re-analysis keeps the source's runs and training: it may change the geometry and the
// machine-specific keys (where the data lie: the sweep checks that the data themselves are the
// source's; the threads per rank).
void require_reanalysis_keys(const Settings& overrides) {
  for (const auto& [key, setting] : overrides) {
    if (reanalysis_may_change(key)) continue;
    const ProblemKey* problem_key =
        key.starts_with("problem.") ? find_problem_key(setting_of(key)) : nullptr;
    if (problem_key && problem_key->machine_specific) continue;
    const JobKey* job_key = find_job_key(key);
    if (job_key && job_key->machine_specific) continue;
    std::string allowed, machine_specific;
    for (const JobKey& known : job_keys()) {
      if (reanalysis_may_change(known.name)) allowed += (allowed.empty() ? "" : ", ") + known.name;
      if (known.machine_specific) machine_specific += known.name + ", ";
    }
    throw Error("job", setting.where + ", key " + key +
                           ": --reanalyze keeps the source's runs and training and may change "
                           "only " +
                           allowed + " (and " + machine_specific + "problem.NAME.data_dir)");
  }
}

// --out must not be the source: a re-analysis never writes into the file it reads.
void require_other_output(const SweepCommand& command) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::equivalent(command.sweep.output, command.reanalyze, error))
    throw Error("job", "--out " + command.sweep.output + " is the file --reanalyze reads (" +
                           command.reanalyze + "); name a new results file");
}

}  // namespace

SweepCommand parse_sweep_command(const std::vector<std::string>& args) {
  SweepCommand command;
  Settings settings = read_command_line(args, command);
  if (command.help || command.print_keys) return command;
  check_flags(command);
  set_deadline(command);
  // merge() keeps what is already there: the command line wins over the file.
  if (!command.job_file.empty()) settings.merge(read_job_file(command.job_file));
  if (command.sweep.output.empty() && !command.dry_run)
    throw Error("job", "--out RESULTS.h5 is required");
  if (!command.reanalyze.empty()) {
    require_reanalysis_keys(settings);
    require_other_output(command);
    command.overrides = std::move(settings);
    return command;
  }
  require_problems(settings, command.job_file);

  sweep::JobSpec& job = command.job;
  // The one default that is not JobSpec's: a job file names the job after itself.
  if (!command.job_file.empty()) job.name = std::filesystem::path(command.job_file).stem().string();
  apply_settings(job, settings);
  return command;
}

sweep::JobSpec reanalysis_job(const SweepCommand& command, const std::string& stored_job_text,
                              const std::string& source) {
  Settings settings = command.overrides;
  // The stored text is canonical job text (every key, sweep.name included); the overrides win.
  settings.merge(scan_job_file(source + " (its stored job)", stored_job_text));
  require_problems(settings, source);
  sweep::JobSpec job;
  apply_settings(job, settings);
  return job;
}

}  // namespace ricci::sweep_app
