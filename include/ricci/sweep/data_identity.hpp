#pragma once
// What a sweep's data was when its results file was created: the SHA-256 of every file a problem
// reads, the knobs a synthetic problem is drawn with and the shapes the data gave. Stored in the
// file's 'data_identity' attribute; --resume refuses data that differs, since runs computed on
// other data must not join the file.
#include <map>
#include <string>
#include <vector>

#include "ricci/sweep/job.hpp"
#include "ricci/sweep/plan.hpp"

namespace ricci::sweep {

// The lowercase hex SHA-256 of a file's bytes. Throws ricci::Error("sweep", ...) naming the file
// when it cannot be read.
std::string sha256_file(const std::string& path);
// The same of a byte string (for tests against known vectors).
std::string sha256_hex(const std::string& bytes);

// The files `problem` reads (none for synthetic problems), with a role that names each one
// independently of where it lies: csv, images, labels, or the IDX stem of an MNIST data_dir.
struct DataFile {
  std::string role, path;
};
std::vector<DataFile> data_files(const JobSpec& job, const data::Problem& problem);

// One line per problem's shapes, per synthetic problem's knobs and per data file, tab-separated:
//   shape <problem> <n_train> <n_test> <input width>
//   knobs <problem> <data::knobs_text of the knobs it is drawn with>
//   sha256 <problem> <role> <hex> <path>
// Paths are informational only: moving the data does not change its identity. A stored identity
// without a knobs line (made before the knobs existed) stands for the problem's default knobs.
// Throws ricci::Error naming a problem or data file whose name holds a tab or a line break.
std::string data_identity(const JobSpec& job, const std::vector<ProblemShape>& shapes);

// A stored identity read back: what data_identity wrote, line by line. Lines of another kind are
// skipped, so an identity from a later release still reads. A file's path is the rest of its line
// (the writer puts it last).
struct DataFileDigest {
  std::string problem, role, sha256, path;
};
struct DataIdentity {
  std::map<std::string, std::string> shapes;  // problem -> "<n_train> train / <n_test> test points,
                                              // <width> features", for messages
  std::map<std::string, std::string> knobs;   // problem -> data::knobs_text
  std::vector<DataFileDigest> files;          // in the order written; none for synthetic data
};
DataIdentity parse_data_identity(const std::string& text);

// "" when `current` describes the same data as `stored`; else one sentence naming the first file
// (or problem) that differs. `output` is the results file, for the message.
std::string data_difference(const std::string& stored, const std::string& current,
                            const std::string& output);

}  // namespace ricci::sweep
