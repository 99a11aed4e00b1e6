#pragma once
// The keys of a ricci-sweep job, one row each: name, kind, meaning, bounds, and how a value is
// parsed into a sweep::JobSpec and printed back from it. The job-file parser, the job text stored
// in results files, --help, --dry-run, --print-keys and README's key table all read these rows.
//
// Defaults are the struct initialisers of sweep::JobSpec and the nn/data structs inside it: every
// default shown anywhere is a row's printer applied to a default-constructed JobSpec, so a default
// is written once. Where a default is not a plain value (sweep.name is the job file's stem, the
// per-problem threshold is the problem's paper value), the row's default_note says so.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ricci/sweep/job.hpp"

namespace ricci::sweep_app {

enum class ValueKind {
  text,          // any text
  name_list,     // comma-separated names
  integer_list,  // comma-separated integers and ranges A-B
  integer,
  real,
  word,                  // one of Bounds::words
  boolean,               // true/false, yes/no, on/off, 1/0
  word_or_integer_list,  // a word of Bounds::words, or an integer list
};

// What a value, or each item of a list, may be.
// (Every member has an initialiser so that designated initialisers may leave any out.)
struct Bounds {
  std::optional<double> min{}, max{};       // numeric kinds and integer lists
  bool min_open = false, max_open = false;  // reals: whether the interval excludes that end
  std::vector<std::string> words{};         // words, or the named items a name list may hold
  std::string other_items{};                // name lists and text: what an item may be, in words
};

// What --help, --print-keys and README need of a row: everything but the functions.
struct KeyInfo {
  std::string name;  // "train.epochs"; per-problem keys "problem.NAME.threshold"
  ValueKind kind = ValueKind::text;
  std::string meaning;
  Bounds bounds;
  // Set where the default is not the printed value of a default-constructed target.
  std::string default_note;
  // A setting of the machine rather than of the job (a data path, the threads per rank): left out
  // of the job text that --resume compares (data may move between machines, a resumed sweep may
  // run on other nodes), left out when empty, and free to change in a re-analysis.
  bool machine_specific = false;
  // A synthetic problem's knob (data::SyntheticKnobs), which only some problems have: listed only
  // for those, and in the job text only where it differs from the problem's default, so that the
  // job texts of files made before the knobs existed are unchanged and still resume.
  bool knob = false;
  // A key added after results files were written (schema 5's geometry keys): left out of the job
  // text at its default, so that the job texts of those files are unchanged and still resume.
  bool omitted_at_default = false;
};

// Target is sweep::JobSpec for the job's keys and sweep::ProblemSettings for a [problem.NAME]
// section's keys, whose rows cannot know NAME.
template <class Target>
struct KeyRow : KeyInfo {
  // Parses `value`, checks it against the bounds and stores it. Throws ricci::Error naming the
  // value and the bounds; the caller adds where the value came from.
  std::function<void(Target&, const std::string& value)> parse;
  // The canonical text of the value: what the job text stores and --resume compares.
  std::function<std::string(const Target&)> print;
};

using JobKey = KeyRow<sweep::JobSpec>;
using ProblemKey = KeyRow<sweep::ProblemSettings>;

// Every key of a job, in the job text's order (sections sweep, train, geometry, output).
const std::vector<JobKey>& job_keys();
// The keys of a [problem.NAME] section, in the job text's order.
const std::vector<ProblemKey>& problem_keys();
// nullptr when there is no such key. find_problem_key takes the setting alone: "threshold".
const JobKey* find_job_key(std::string_view name);
const ProblemKey* find_problem_key(std::string_view setting);

// The job as canonical INI text: every key in the table's order, then one [problem.NAME] section
// per problem in name order. Stored in the results file; --resume compares the text without paths
// (with_paths false: without the machine-specific keys) byte for byte, so a change here makes
// existing results files unresumable.
std::string job_text(const sweep::JobSpec& job, bool with_paths);

// Every key's effective value, "  key = value" per line (--dry-run).
std::string effective_keys(const sweep::JobSpec& job);

// A printed value as shown to people: reals in their shortest form (0.2, not the job text's
// 0.20000000000000001).
std::string shown_value(const KeyInfo& key, const std::string& printed);
// A row's default as shown to people (--help, README): its note, or the value printed from a
// default-constructed target.
template <class Target>
std::string default_text(const KeyRow<Target>& key, bool markdown) {
  if (!key.default_note.empty()) return key.default_note;
  const std::string shown = shown_value(key, key.print(Target{}));
  return markdown ? "`" + shown + "`" : shown;
}
// A row's allowed values or bounds, in words.
std::string allowed_text(const KeyInfo& key, bool markdown);
// README's key table (ricci-sweep --print-keys): a Markdown table, one row per key.
std::string keys_markdown();

}  // namespace ricci::sweep_app
