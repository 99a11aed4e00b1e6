#include "job_keys.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

#include "cli_util.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/geometry/curvature.hpp"
#include "ricci/geometry/graph.hpp"
#include "ricci/geometry/parallel.hpp"
#include "ricci/nn/optimizer.hpp"

namespace ricci::sweep_app {

// The shared string parsers of the command-line front ends.
using namespace ricci::cli;

namespace {

// "train.epochs" -> "epochs": what a bound's message calls the value.
std::string setting_of(const std::string& name) { return name.substr(name.rfind('.') + 1); }

// %.17g, the digits that read back to the same double. The job text has always printed reals
// this way; printing them differently would make every stored job differ on --resume.
std::string canonical_real(double value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

// The shortest %g text that reads back to the same double: 0.2 rather than 0.20000000000000001.
std::string shortest_real(double value) {
  std::array<char, 40> text{};
  for (int digits = 1; digits < 17; ++digits) {
    std::snprintf(text.data(), text.size(), "%.*g", digits, value);
    if (std::strtod(text.data(), nullptr) == value) return text.data();
  }
  return canonical_real(value);
}

template <class T>
std::string joined(const std::vector<T>& values) {
  std::ostringstream s;
  for (std::size_t i = 0; i < values.size(); ++i) s << (i ? "," : "") << values[i];
  return s.str();
}

std::string bound_text(double bound, bool integer) {
  return integer ? std::to_string(static_cast<long long>(bound)) : shortest_real(bound);
}

// "in [0, 1)", "> 0", ">= 0": the range of a numeric value or list item.
std::string range_text(const Bounds& bounds, bool integer) {
  if (bounds.min && bounds.max)
    return std::string("in ") + (bounds.min_open ? "(" : "[") + bound_text(*bounds.min, integer) +
           ", " + bound_text(*bounds.max, integer) + (bounds.max_open ? ")" : "]");
  if (bounds.min) return (bounds.min_open ? "> " : ">= ") + bound_text(*bounds.min, integer);
  if (bounds.max) return (bounds.max_open ? "< " : "<= ") + bound_text(*bounds.max, integer);
  return "";
}

bool within(double value, const Bounds& bounds) {
  if (bounds.min && !(bounds.min_open ? value > *bounds.min : value >= *bounds.min)) return false;
  if (bounds.max && !(bounds.max_open ? value < *bounds.max : value <= *bounds.max)) return false;
  return true;
}

// "epochs must be between 0 and 1000000, got -1", "learning_rate must be positive, got -1",
// "validation_split must lie in [0, 1), got 1": the messages the job parser has always given.
void check_bounds(double value, bool integer, const Bounds& bounds, const std::string& name,
                  const std::string& text) {
  if (within(value, bounds)) return;
  std::string must;
  if (integer && bounds.min && bounds.max)
    must = "be between " + bound_text(*bounds.min, true) + " and " + bound_text(*bounds.max, true);
  else if (bounds.min && bounds.min_open && *bounds.min == 0 && !bounds.max)
    must = "be positive";
  else
    must = "lie " + range_text(bounds, integer);
  throw Error("job", setting_of(name) + " must " + must + ", got " + text);
}

// Integers and ranges, each at least bounds.min ("seed list: '-1' is not an integer >= 0") and
// at most bounds.max ("depth 1001 is larger than 1000").
std::vector<long long> bounded_integer_list(const std::string& text, const std::string& item,
                                            const Bounds& bounds) {
  const auto ranges =
      parse_integer_ranges(text, item + " list", static_cast<long long>(bounds.min.value_or(0)));
  // Checked on the ranges, before expanding: "depth 1001 is larger than 1000" names the first
  // value past the bound without listing the values before it.
  if (bounds.max) {
    const auto max = static_cast<long long>(*bounds.max);
    for (const auto& range : ranges)
      if (range.last > max)
        throw Error("job", item + " " + std::to_string(std::max(range.first, max + 1)) +
                               " is larger than " + bound_text(*bounds.max, true));
  }
  return expand(ranges);
}

template <class Target>
KeyRow<Target> row(std::string name, ValueKind kind, std::string meaning, Bounds bounds = {}) {
  KeyRow<Target> key;
  key.name = std::move(name);
  key.kind = kind;
  key.meaning = std::move(meaning);
  key.bounds = std::move(bounds);
  return key;
}

// The rows below take the field they fill as an accessor, [](auto& job) -> auto& { return
// job.train.epochs; }, which serves both the parser (JobSpec&) and the printer (const JobSpec&).

template <class Target, class Field>
KeyRow<Target> text_key(std::string name, std::string meaning, std::string what, Field field) {
  auto key = row<Target>(std::move(name), ValueKind::text, std::move(meaning));
  key.bounds.other_items = std::move(what);
  key.parse = [field](Target& target, const std::string& text) { field(target) = text; };
  key.print = [field](const Target& target) { return field(target); };
  return key;
}

template <class Target, class Field>
KeyRow<Target> integer_key(std::string name, std::string meaning, Bounds bounds, Field field) {
  auto key = row<Target>(std::move(name), ValueKind::integer, std::move(meaning), bounds);
  key.parse = [key_name = key.name, bounds, field](Target& target, const std::string& text) {
    const long long value = parse_integer(text, "");
    check_bounds(static_cast<double>(value), true, bounds, key_name, text);
    auto& slot = field(target);
    slot = static_cast<std::remove_reference_t<decltype(slot)>>(value);
  };
  key.print = [field](const Target& target) { return std::to_string(field(target)); };
  return key;
}

template <class Target, class Field>
KeyRow<Target> real_key(std::string name, std::string meaning, Bounds bounds, Field field) {
  auto key = row<Target>(std::move(name), ValueKind::real, std::move(meaning), bounds);
  key.parse = [key_name = key.name, bounds, field](Target& target, const std::string& text) {
    const double value = parse_double(text, "");
    check_bounds(value, false, bounds, key_name, text);
    field(target) = value;
  };
  key.print = [field](const Target& target) { return canonical_real(field(target)); };
  return key;
}

template <class Target, class Field>
KeyRow<Target> boolean_key(std::string name, std::string meaning, Field field) {
  auto key = row<Target>(std::move(name), ValueKind::boolean, std::move(meaning));
  key.parse = [field](Target& target, const std::string& text) {
    field(target) = parse_bool(text, "");
  };
  key.print = [field](const Target& target) { return field(target) ? "true" : "false"; };
  return key;
}

// A key whose value is one word; `set` receives only words of `words`.
template <class Set, class Print>
JobKey word_key(std::string name, std::string meaning, std::vector<std::string> words, Set set,
                Print print) {
  auto key = row<sweep::JobSpec>(std::move(name), ValueKind::word, std::move(meaning));
  key.bounds.words = words;
  key.parse = [words, set](sweep::JobSpec& job, const std::string& text) {
    require_word(text, words);
    set(job, text);
  };
  key.print = print;
  return key;
}

// A word key that names the values of an enum field.
template <class Enum, class Field>
JobKey enum_key(std::string name, std::string meaning,
                std::vector<std::pair<std::string, Enum>> choices, Field field) {
  std::vector<std::string> words;
  for (const auto& choice : choices) words.push_back(choice.first);
  return word_key(
      std::move(name), std::move(meaning), std::move(words),
      [choices, field](sweep::JobSpec& job, const std::string& text) {
        for (const auto& [word, value] : choices)
          if (word == text) field(job) = value;
      },
      [choices, field](const sweep::JobSpec& job) {
        for (const auto& [word, value] : choices)
          if (value == field(job)) return word;
        return std::string("?");
      });
}

template <class Field>
JobKey integer_list_key(std::string name, std::string meaning, std::string item, Bounds bounds,
                        Field field) {
  auto key =
      row<sweep::JobSpec>(std::move(name), ValueKind::integer_list, std::move(meaning), bounds);
  key.parse = [item, bounds, field](sweep::JobSpec& job, const std::string& text) {
    const auto values = bounded_integer_list(text, item, bounds);
    auto& slot = field(job);
    using Item = typename std::remove_reference_t<decltype(slot)>::value_type;
    slot.clear();
    for (long long value : values) slot.push_back(static_cast<Item>(value));
  };
  key.print = [field](const sweep::JobSpec& job) { return joined(field(job)); };
  return key;
}

// sweep.problems also keeps problem_settings at one entry per problem: a new problem starts
// with its paper threshold and its knobs' defaults, and a problem listed again keeps its settings.
JobKey problems_key() {
  auto key = row<sweep::JobSpec>("sweep.problems", ValueKind::name_list,
                                 "the problems to train on, e.g. synthetic-a,fmnist-sandal-boot; "
                                 "idx:IMAGES,LABELS keeps its comma (the item after idx:IMAGES "
                                 "is its labels file)");
  key.bounds.other_items = "problem names (README: Problems)";
  key.default_note = "required";
  key.parse = [](sweep::JobSpec& job, const std::string& text) {
    const auto names = parse_problem_list(text, "problem list");
    std::map<std::string, sweep::ProblemSettings> settings;
    for (const auto& name : names) {
      const data::Problem problem = data::parse_problem(name);
      const auto kept = job.problem_settings.find(name);
      settings[name] =
          kept != job.problem_settings.end() ? kept->second : sweep::default_settings(problem);
    }
    job.problems = names;
    job.problem_settings = std::move(settings);
  };
  key.print = [](const sweep::JobSpec& job) { return joined(job.problems); };
  return key;
}

JobKey architectures_key() {
  auto key = row<sweep::JobSpec>(
      "sweep.architectures", ValueKind::name_list,
      "hidden widths: narrow (all 25), wide (all 50), bottleneck (50...50, 25, 50...50; odd "
      "depths), width-W (all W), residual-W (all W, with the follow-up's skip connections "
      "after the first layer) or explicit widths, one per hidden layer");
  key.bounds.words = {"narrow", "wide", "bottleneck"};
  key.bounds.other_items =
      "width-W such as width-15, residual-W such as residual-25, or widths such as 64-32-16";
  // Whether a name fits every depth is a rule across keys, checked once both are known.
  key.parse = [](sweep::JobSpec& job, const std::string& text) {
    job.architectures = parse_name_list(text, "architecture list");
  };
  key.print = [](const sweep::JobSpec& job) { return joined(job.architectures); };
  return key;
}

JobKey k_key() {
  const Bounds bounds{.min = 1, .max = static_cast<double>(1LL << 30), .words = {"paper"}};
  auto key = row<sweep::JobSpec>(
      "geometry.k", ValueKind::word_or_integer_list,
      "kNN scales: paper (docs/method.md §7's grid of each problem) or a list such as 6,10,20-30",
      bounds);
  key.parse = [bounds](sweep::JobSpec& job, const std::string& text) {
    std::vector<index_t> ks;
    if (text != "paper")
      for (long long k : bounded_integer_list(text, "k", bounds))
        ks.push_back(static_cast<index_t>(k));
    job.paper_k = text == "paper";
    job.k = std::move(ks);
  };
  key.print = [](const sweep::JobSpec& job) {
    return job.paper_k ? std::string("paper") : joined(job.k);
  };
  return key;
}

std::string graph_word(geometry::GraphRule rule) {
  return rule == geometry::GraphRule::knn_mutual ? "mutual" : "union";
}
std::string convention_word(geometry::GraphRule rule) {
  return rule == geometry::GraphRule::baptista_r ? "baptista-r" : "paper";
}

// geometry.graph and geometry.convention share one field, JobSpec::rule: each key merges its word
// with the other key's current one, so a conflict surfaces at whichever is set second.
std::vector<JobKey> graph_keys() {
  return {word_key(
              "geometry.graph",
              "union (an edge where either point is among the other's k nearest) or mutual "
              "(where both are)",
              {"union", "mutual"},
              [](sweep::JobSpec& job, const std::string& word) {
                job.rule = graph_rule_from(word, convention_word(job.rule));
              },
              [](const sweep::JobSpec& job) { return graph_word(job.rule); }),
          word_key(
              "geometry.convention",
              "paper, or baptista-r (the reference R code's directed graph, which defines its own "
              "graph and so conflicts with graph = mutual)",
              {"paper", "baptista-r"},
              [](sweep::JobSpec& job, const std::string& word) {
                job.rule = graph_rule_from(graph_word(job.rule), word);
              },
              [](const sweep::JobSpec& job) { return convention_word(job.rule); })};
}

std::string optimizer_meaning() {
  const nn::OptimizerSettings settings;
  return "rmsprop (rho = " + shortest_real(settings.rho) +
         ", epsilon = " + shortest_real(settings.epsilon) +
         ") or adam (beta = " + shortest_real(settings.beta1) + ", " +
         shortest_real(settings.beta2) + "), with TensorFlow/Keras update rules";
}

// `key`, marked as added after results files existed (KeyInfo::omitted_at_default).
JobKey later(JobKey key) {
  key.omitted_at_default = true;
  return key;
}

// A speed setting of the machine: the results are the same for any value, so a sweep resumed or
// re-analysed on other nodes may change it (and the job text that --resume compares leaves it out).
JobKey threads_per_rank_key() {
  auto key = later(integer_key<sweep::JobSpec>(
      "sweep.threads_per_rank",
      "threads of each run's geometry on each rank (a speed setting: the results are the same "
      "for any value); a sweep uses ranks x threads_per_rank cores",
      Bounds{.min = 1, .max = geometry::max_threads},
      [](auto& job) -> auto& { return job.threads_per_rank; }));
  key.machine_specific = true;
  return key;
}

std::vector<JobKey> sweep_section() {
  const auto name = [](auto& job) -> auto& { return job.name; };
  auto name_key = text_key<sweep::JobSpec>("sweep.name", "a label stored in the results file",
                                           "any text", name);
  name_key.default_note = "the job file's name without extension (sweep without a job file)";
  const Bounds depths{.min = 1, .max = 1000};
  const Bounds seeds{.min = 0};
  return {name_key,
          problems_key(),
          architectures_key(),
          integer_list_key(
              "sweep.depths", "numbers of hidden layers", "depth", depths,
              [](auto& job) -> auto& { return job.depths; }),
          integer_list_key(
              "sweep.seeds", "seeds, as lists and ranges such as 0-35 or 0,4,10-12", "seed", seeds,
              [](auto& job) -> auto& { return job.seeds; }),
          later(enum_key<sweep::Controls>(
              "sweep.controls",
              "none, or untrained: every trained run also as its untrained twin (the same "
              "initial network, 0 epochs), stored next to it",
              {{"none", sweep::Controls::none}, {"untrained", sweep::Controls::untrained}},
              [](auto& job) -> auto& { return job.controls; })),
          threads_per_rank_key()};
}

std::vector<JobKey> train_section() {
  const Bounds counts{.min = 1, .max = 1'000'000};
  const Bounds epochs{.min = 0, .max = 1'000'000};
  const Bounds positive{.min = 0, .min_open = true};
  const Bounds share{.min = 0, .max = 1, .max_open = true};
  const Bounds accuracy{.min = 0, .max = 1, .min_open = true};
  using sweep::JobSpec;
  return {
      enum_key<nn::OptimizerKind>(
          "train.optimizer", optimizer_meaning(),
          {{"rmsprop", nn::OptimizerKind::rmsprop}, {"adam", nn::OptimizerKind::adam}},
          [](auto& job) -> auto& { return job.train.optimizer.kind; }),
      enum_key<nn::TrainMode>(
          "train.mode",
          "epochs (the paper) or until-accuracy (the follow-up: full batch until "
          "target_accuracy, at most epochs)",
          {{"epochs", nn::TrainMode::epochs}, {"until-accuracy", nn::TrainMode::until_accuracy}},
          [](auto& job) -> auto& { return job.train.mode; }),
      integer_key<JobSpec>(
          "train.epochs", "training epochs (0: untrained); the cap in until-accuracy mode", epochs,
          [](auto& job) -> auto& { return job.train.epochs; }),
      integer_key<JobSpec>(
          "train.batch_size", "mini-batch size (epochs mode)", counts,
          [](auto& job) -> auto& { return job.train.batch_size; }),
      real_key<JobSpec>(
          "train.learning_rate", "the optimizer's learning rate", positive,
          [](auto& job) -> auto& { return job.train.optimizer.learning_rate; }),
      real_key<JobSpec>(
          "train.validation_split", "share of the training set held out for validation", share,
          [](auto& job) -> auto& { return job.train.validation_split; }),
      enum_key<nn::SplitMode>(
          "train.split_mode",
          "random (seeded) or keras-last (the last share of the class-ordered array, as the "
          "reference code's Keras)",
          {{"random", nn::SplitMode::random}, {"keras-last", nn::SplitMode::keras_last}},
          [](auto& job) -> auto& { return job.train.split; }),
      enum_key<data::PixelScale>(
          "train.pixel_scale", "raw 0-255 pixels (the paper) or unit (divided by 255)",
          {{"raw", data::PixelScale::raw}, {"unit", data::PixelScale::unit}},
          [](auto& job) -> auto& { return job.pixels; }),
      real_key<JobSpec>(
          "train.target_accuracy", "training accuracy that ends until-accuracy mode", accuracy,
          [](auto& job) -> auto& { return job.train.target_train_accuracy; }),
  };
}

// "none", "every N" or an ascending list of epochs such as 0,1,5,10-12.
JobKey snapshot_key() {
  const Bounds bounds{.min = 0, .max = 1'000'000, .words = {"none", "every N"}};
  auto key = row<sweep::JobSpec>(
      "geometry.snapshot_epochs", ValueKind::word_or_integer_list,
      "the geometry during training too, at these epochs (0 = the untrained network): none, "
      "every N (0, N, 2N, ...) or a list such as 0,1,5,10",
      bounds);
  key.parse = [bounds](sweep::JobSpec& job, const std::string& text) {
    job.snapshot_epochs.clear();
    job.snapshot_every = 0;
    if (text == "none") return;
    if (text.starts_with("every ")) {
      const auto every = bounded_integer_list(text.substr(6), "snapshot interval",
                                              Bounds{.min = 1, .max = bounds.max});
      if (every.size() != 1)
        throw Error("job", "snapshot_epochs: 'every' takes one interval, got '" + text + "'");
      job.snapshot_every = static_cast<int>(every.front());
      return;
    }
    for (long long epoch : bounded_integer_list(text, "snapshot epoch", bounds)) {
      if (!job.snapshot_epochs.empty() && epoch <= job.snapshot_epochs.back())
        throw Error("job", "snapshot_epochs must ascend, got " + std::to_string(epoch) + " after " +
                               std::to_string(job.snapshot_epochs.back()));
      job.snapshot_epochs.push_back(static_cast<int>(epoch));
    }
  };
  key.print = [](const sweep::JobSpec& job) {
    if (job.snapshot_every > 0) return "every " + std::to_string(job.snapshot_every);
    return job.snapshot_epochs.empty() ? std::string("none") : joined(job.snapshot_epochs);
  };
  key.omitted_at_default = true;
  return key;
}

// --- The follow-up's measurements (issue 14): notions, local coefficients, layer list.

JobKey curvatures_key() {
  auto key = row<sweep::JobSpec>(
      "geometry.curvatures", ValueKind::name_list,
      "curvature notions the results file stores per layer, with their global coefficient (and "
      "local ones), in this order (docs/method.md §3); /flow keeps Forman whatever the list");
  for (auto notion : geometry::all_curvature_notions)
    key.bounds.words.emplace_back(geometry::curvature_notion_name(notion));
  key.parse = [words = key.bounds.words](sweep::JobSpec& job, const std::string& text) {
    std::vector<geometry::CurvatureNotion> notions;
    // parse_name_list refuses a name given twice.
    for (const std::string& name : parse_name_list(text, "curvature list")) {
      require_word(name, words);
      notions.push_back(geometry::parse_curvature_notion(name));
    }
    job.curvatures = std::move(notions);
  };
  key.print = [](const sweep::JobSpec& job) {
    std::vector<std::string> names;
    for (auto notion : job.curvatures) names.emplace_back(geometry::curvature_notion_name(notion));
    return joined(names);
  };
  return key;
}

JobKey ollivier_k_key() {
  const Bounds bounds{.min = 1, .max = static_cast<double>(1LL << 30), .words = {"all"}};
  auto key = row<sweep::JobSpec>(
      "geometry.ollivier_k", ValueKind::word_or_integer_list,
      "exact Ollivier (curvatures = ..., ollivier) only at these k, each among the problem's k "
      "values (the notion is NaN at the others), or all",
      bounds);
  key.parse = [bounds](sweep::JobSpec& job, const std::string& text) {
    std::vector<index_t> ks;
    if (text != "all")
      for (long long k : bounded_integer_list(text, "k", bounds))
        ks.push_back(static_cast<index_t>(k));
    job.ollivier_k = std::move(ks);
  };
  key.print = [](const sweep::JobSpec& job) {
    return job.ollivier_k.empty() ? std::string("all") : joined(job.ollivier_k);
  };
  return key;
}

std::vector<JobKey> notion_keys() {
  std::vector<JobKey> keys{
      curvatures_key(),
      boolean_key<sweep::JobSpec>(
          "geometry.local",
          "also the follow-up's local and layer Ricci coefficients of every notion (union and "
          "mutual graphs; docs/method.md §4)",
          [](auto& job) -> auto& { return job.local; }),
      real_key<sweep::JobSpec>(
          "geometry.ollivier_idleness",
          "idleness alpha of the exact Ollivier notion's lazy measures (0: the follow-up's)",
          Bounds{.min = 0, .max = 1, .max_open = true},
          [](auto& job) -> auto& { return job.ollivier_idleness; }),
      ollivier_k_key(),
      word_key(
          "geometry.layers",
          "the measured layer list: hidden (the paper) or all (the inputs, the hidden layers "
          "and the sigmoid output, as the follow-up; union and mutual graphs)",
          {"hidden", "all"},
          [](sweep::JobSpec& job, const std::string& word) { job.all_layers = word == "all"; },
          [](const sweep::JobSpec& job) {
            return std::string(job.all_layers ? "all" : "hidden");
          })};
  for (JobKey& key : keys) key.omitted_at_default = true;
  return keys;
}

// --- end of the follow-up's measurements.

std::vector<JobKey> geometry_and_output_sections() {
  std::vector<JobKey> keys{k_key()};
  for (auto& key : graph_keys()) keys.push_back(std::move(key));
  for (auto& key : notion_keys()) keys.push_back(std::move(key));
  keys.push_back(snapshot_key());
  keys.push_back(boolean_key<sweep::JobSpec>(
      "output.store_activations",
      "keep every run's hidden activations, test labels and output probabilities",
      [](auto& job) -> auto& { return job.store_activations; }));
  keys.push_back(boolean_key<sweep::JobSpec>(
      "output.store_nodes",
      "keep per-node curvature s_l(i) and distance sums S_l(i) for every k and layer",
      [](auto& job) -> auto& { return job.store_nodes; }));
  return keys;
}

using Knob = std::optional<double> data::SyntheticKnobs::*;

// "synthetic-a, synthetic-c, circles": the named problems that have `knob`.
std::string problems_with(Knob knob) {
  std::string names;
  for (const auto& name : data::known_problem_names())
    if (name.find(':') == std::string::npos && data::parse_problem(name).knobs.*knob)
      names += (names.empty() ? "" : ", ") + name;
  return names;
}

// A knob's row. The range depends on the problem, which a row does not know: apply_problem_keys
// checks it with data::resolve_knobs.
ProblemKey knob_key(const std::string& setting, const std::string& meaning, Knob knob) {
  auto key = row<sweep::ProblemSettings>("problem.NAME." + setting, ValueKind::real,
                                         meaning + " (" + problems_with(knob) + ")");
  key.bounds.other_items = "in the problem's range (README: Problems)";
  key.default_note = "the problem's value (README: Problems)";
  key.knob = true;
  key.parse = [knob](sweep::ProblemSettings& settings, const std::string& text) {
    settings.knobs.*knob = parse_double(text, "");
  };
  key.print = [knob](const sweep::ProblemSettings& settings) {
    const std::optional<double>& value = settings.knobs.*knob;
    return value ? canonical_real(*value) : std::string();
  };
  return key;
}

std::string line(const KeyInfo& key, const std::string& setting, const std::string& value,
                 bool with_paths) {
  if (key.machine_specific && (!with_paths || value.empty())) return "";
  return setting + " = " + value + "\n";
}

}  // namespace

const std::vector<JobKey>& job_keys() {
  static const std::vector<JobKey> keys = [] {
    std::vector<JobKey> all;
    for (auto section : {sweep_section(), train_section(), geometry_and_output_sections()})
      for (auto& key : section) all.push_back(std::move(key));
    return all;
  }();
  return keys;
}

const std::vector<ProblemKey>& problem_keys() {
  static const std::vector<ProblemKey> keys = [] {
    auto threshold = real_key<sweep::ProblemSettings>(
        "problem.NAME.threshold", "test accuracy a run of NAME must exceed to be accepted",
        Bounds{.min = 0, .max = 1}, [](auto& settings) -> auto& { return settings.threshold; });
    threshold.default_note = "the problem's paper value (README: Problems)";
    auto data_dir = text_key<sweep::ProblemSettings>(
        "problem.NAME.data_dir", "directory of NAME's IDX files (required for MNIST)",
        "a directory", [](auto& settings) -> auto& { return settings.data_dir; });
    data_dir.default_note =
        std::string("Debian's ") + data::fashion_mnist_default_dir + " for Fashion-MNIST";
    data_dir.machine_specific = true;
    return std::vector<ProblemKey>{
        threshold, data_dir,
        knob_key("noise", "the standard deviation of NAME's jitter", &data::SyntheticKnobs::noise),
        knob_key("margin", "the gap that separates NAME's classes", &data::SyntheticKnobs::margin),
        knob_key("scale", "the factor every coordinate of NAME's points is multiplied by",
                 &data::SyntheticKnobs::scale)};
  }();
  return keys;
}

const JobKey* find_job_key(std::string_view name) {
  const auto& keys = job_keys();
  const auto it =
      std::find_if(keys.begin(), keys.end(), [&](const JobKey& key) { return key.name == name; });
  return it == keys.end() ? nullptr : &*it;
}

const ProblemKey* find_problem_key(std::string_view setting) {
  const auto& keys = problem_keys();
  const auto it = std::find_if(keys.begin(), keys.end(), [&](const ProblemKey& key) {
    return setting_of(key.name) == setting;
  });
  return it == keys.end() ? nullptr : &*it;
}

std::string job_text(const sweep::JobSpec& job, bool with_paths) {
  std::string text, section;
  for (const JobKey& key : job_keys()) {
    const std::string key_section = key.name.substr(0, key.name.find('.'));
    if (key_section != section) {
      text += (section.empty() ? "[" : "\n[") + key_section + "]\n";
      section = key_section;
    }
    const std::string printed = key.print(job);
    if (key.omitted_at_default && printed == key.print(sweep::JobSpec{})) continue;
    text += line(key, setting_of(key.name), printed, with_paths);
  }
  for (const auto& [problem, settings] : job.problem_settings) {
    text += "\n[problem." + problem + "]\n";
    const sweep::ProblemSettings defaults = sweep::default_settings(data::parse_problem(problem));
    for (const ProblemKey& key : problem_keys()) {
      const std::string printed = key.print(settings);
      if (key.knob && (printed.empty() || printed == key.print(defaults))) continue;
      text += line(key, setting_of(key.name), printed, with_paths);
    }
  }
  return text;
}

std::string shown_value(const KeyInfo& key, const std::string& printed) {
  if (key.kind == ValueKind::real) return shortest_real(std::strtod(printed.c_str(), nullptr));
  return printed;
}

std::string effective_keys(const sweep::JobSpec& job) {
  std::string text;
  const auto add = [&](const std::string& name, const KeyInfo& key, const std::string& printed) {
    text +=
        "  " + name + " = " + (printed.empty() ? "(default)" : shown_value(key, printed)) + "\n";
  };
  for (const JobKey& key : job_keys()) add(key.name, key, key.print(job));
  for (const auto& [problem, settings] : job.problem_settings)
    for (const ProblemKey& key : problem_keys())
      if (!key.knob || !key.print(settings).empty())
        add("problem." + problem + "." + setting_of(key.name), key, key.print(settings));
  return text;
}

std::string allowed_text(const KeyInfo& key, bool markdown) {
  const Bounds& bounds = key.bounds;
  const auto quoted = [&](const std::string& word) { return markdown ? "`" + word + "`" : word; };
  std::string words;
  for (std::size_t i = 0; i < bounds.words.size(); ++i)
    words += (i == 0 ? "" : i + 1 == bounds.words.size() ? " or " : ", ") + quoted(bounds.words[i]);
  const std::string integers = "integers " + range_text(bounds, true) + " and ranges A-B";
  switch (key.kind) {
    case ValueKind::text:
      return bounds.other_items;
    case ValueKind::name_list:
      if (words.empty()) return "list of " + bounds.other_items;
      return "list of " + words + (bounds.other_items.empty() ? "" : ", or " + bounds.other_items);
    case ValueKind::integer_list:
      return "list of " + integers;
    case ValueKind::integer:
      return "integer " + range_text(bounds, true);
    case ValueKind::real: {
      const std::string range = range_text(bounds, false);
      return "real " + (range.empty() ? bounds.other_items : range);
    }
    case ValueKind::word:
      return words;
    case ValueKind::boolean:
      return quoted("true") + " or " + quoted("false") + " (yes/no, on/off, 1/0)";
    case ValueKind::word_or_integer_list:
      return words + " or a list of " + integers;
  }
  return "";
}

std::string keys_markdown() {
  std::string table = "| key | default | allowed values / bounds | meaning |\n|---|---|---|---|\n";
  const auto add = [&](const KeyInfo& key, const std::string& default_value) {
    table += "| `" + key.name + "` | " + default_value + " | " + allowed_text(key, true) + " | " +
             key.meaning + " |\n";
  };
  for (const JobKey& key : job_keys()) add(key, default_text(key, true));
  for (const ProblemKey& key : problem_keys()) add(key, default_text(key, true));
  return table;
}

}  // namespace ricci::sweep_app
