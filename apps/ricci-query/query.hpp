#pragma once
// ricci-query: post-hoc analysis of activation and results files. main() and the tests both call
// run_query(), so every error path the tests exercise is the one users meet.
#include <ostream>
#include <string>
#include <vector>

namespace ricci::query {

// Exit codes: 0 success; 2 bad input (usage, options, files, values) with one line on `err`;
// 3 `validate` found problems in the file; 1 an unexpected internal failure.
constexpr int exit_ok = 0;
constexpr int exit_internal = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_invalid_file = 3;

int run_query(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Subcommands: each receives the arguments after its name.
// analyze reports its progress per layer on `err` (a large stack takes hours).
int analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int summary_command(const std::vector<std::string>& args, std::ostream& out);
int runs_command(const std::vector<std::string>& args, std::ostream& out);
int layers_command(const std::vector<std::string>& args, std::ostream& out);
int association_command(const std::vector<std::string>& args, std::ostream& out);
int controls_command(const std::vector<std::string>& args, std::ostream& out);
int dynamics_command(const std::vector<std::string>& args, std::ostream& out);
int validate_command(const std::vector<std::string>& args, std::ostream& out);
// A sweep's progress from its committed rows and live status file; works on a file in use.
int status_command(const std::vector<std::string>& args, std::ostream& out);
int schema_command(const std::vector<std::string>& args, std::ostream& out);
// The shard files of a sweep (ricci-sweep --shard i/n) as one results file: merge OUT SHARD...
int merge_command(const std::vector<std::string>& args, std::ostream& out);
// Schema 6: the builds, data files, times and sessions a results file records.
int provenance_command(const std::vector<std::string>& args, std::ostream& out);
// Schema 6: the attempts table, one row per recorded attempt.
int attempts_command(const std::vector<std::string>& args, std::ostream& out);
// The follow-up's local coefficients stored by a sweep (schema 5): per group and notion.
int local_command(const std::vector<std::string>& args, std::ostream& out);
int layers_profile_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace ricci::query
