#include "ricci/sweep/data_identity.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "ricci/core/error.hpp"
#include "ricci/data/idx.hpp"
#include "ricci/data/problems.hpp"

namespace ricci::sweep {

namespace {

// OpenSSL's EVP interface (libssl-dev): a well-kept implementation rather than our own.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
      throw Error("sweep", "cannot start a SHA-256 digest (OpenSSL)");
  }
  void add(const char* data, std::size_t size) {
    if (EVP_DigestUpdate(context_.get(), data, size) != 1)
      throw Error("sweep", "cannot update a SHA-256 digest (OpenSSL)");
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest, &size) != 1)
      throw Error("sweep", "cannot finish a SHA-256 digest (OpenSSL)");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  Sha256 digest;
  digest.add(bytes.data(), bytes.size());
  return digest.hex();
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("sweep", "cannot read " + path + ": " + std::strerror(errno));
  Sha256 digest;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error("sweep", "cannot read " + path);
  return digest.hex();
}

std::vector<DataFile> data_files(const JobSpec& job, const data::Problem& problem) {
  switch (problem.family) {
    case data::Family::csv_file:
      return {{"csv", problem.path}};
    case data::Family::idx_files:
      return {{"images", problem.path}, {"labels", problem.second_path}};
    case data::Family::mnist:
    case data::Family::fashion_mnist: {
      // The directory load_problem reads (probe_problems already refused a missing one).
      std::string dir = job.data_options(problem.name).data_dir;
      if (dir.empty() && problem.family == data::Family::fashion_mnist)
        dir = data::fashion_mnist_default_dir;
      std::vector<DataFile> files;
      for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
        files.push_back({stem, data::find_idx_file(dir, stem, problem.name)});
      return files;
    }
    default:
      return {};  // synthetic: drawn from the seed, no file
  }
}

std::string data_identity(const JobSpec& job, const std::vector<ProblemShape>& shapes) {
  // The identity's fields are tab-separated lines, and a changed file must never read as the same.
  const auto recordable = [](const std::string& what, const std::string& text) {
    if (text.find_first_of("\t\n\r") != std::string::npos)
      throw Error("sweep", what + " '" + text +
                               "' holds a tab or a line break, which the results file's data "
                               "identity cannot record: rename it");
  };
  std::string text;
  for (const ProblemShape& shape : shapes) {
    const std::string& name = shape.problem.name;
    recordable("problem", name);
    text += "shape\t" + name + "\t" + std::to_string(shape.n_train) + "\t" +
            std::to_string(shape.n_test) + "\t" + std::to_string(shape.input_dim) + "\n";
    const std::string knobs =
        data::knobs_text(data::resolve_knobs(shape.problem, job.data_options(name).knobs));
    if (!knobs.empty()) text += "knobs\t" + name + "\t" + knobs + "\n";
    for (const DataFile& file : data_files(job, shape.problem)) {
      recordable("data file", file.path);
      text += "sha256\t" + name + "\t" + file.role + "\t" + sha256_file(file.path) + "\t" +
              file.path + "\n";
    }
  }
  return text;
}

DataIdentity parse_data_identity(const std::string& text) {
  DataIdentity identity;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto f = fields(line);
    if (f.size() == 5 && f[0] == "shape")
      identity.shapes[f[1]] = f[2] + " train / " + f[3] + " test points, " + f[4] + " features";
    else if (f.size() == 3 && f[0] == "knobs")
      identity.knobs[f[1]] = f[2];
    else if (f.size() >= 5 && f[0] == "sha256") {
      // data_identity refuses tabs in names and paths; files of older releases that had one are
      // read with the path as whatever follows the fourth tab (written last, verbatim).
      std::size_t path_start = 0;
      for (int tab = 0; tab < 4; ++tab) path_start = line.find('\t', path_start) + 1;
      identity.files.push_back({f[1], f[2], f[3], line.substr(path_start)});
    }
  }
  return identity;
}

std::string data_difference(const std::string& stored, const std::string& current,
                            const std::string& output) {
  const DataIdentity before = parse_data_identity(stored), now = parse_data_identity(current);
  // Keyed by (problem, role): a file is the same one wherever it lies now.
  using Digests = std::map<std::pair<std::string, std::string>, DataFileDigest>;
  const auto by_role = [](const DataIdentity& identity) {
    Digests digests;
    for (const DataFileDigest& file : identity.files) digests[{file.problem, file.role}] = file;
    return digests;
  };
  const Digests stored_files = by_role(before), current_files = by_role(now);
  for (const auto& [key, file] : current_files) {
    const auto it = stored_files.find(key);
    if (it == stored_files.end())
      return file.path + " (" + key.second + " of " + key.first + ") is not among the data " +
             output + " was created with";
    if (it->second.sha256 != file.sha256)
      return file.path + " (" + key.second + " of " + key.first + ") differs from the data " +
             output + " was created with (SHA-256 then " + it->second.sha256 + ", now " +
             file.sha256 + ")";
  }
  for (const auto& [problem, knobs] : now.knobs) {
    const auto it = before.knobs.find(problem);
    std::string then;
    if (it != before.knobs.end())
      then = it->second;
    else if (before.shapes.count(problem))  // a file made before the knobs drew with the defaults
      then = data::knobs_text(data::parse_problem(problem).knobs);
    else
      continue;
    if (then != knobs)
      return "the data of " + problem + " is now drawn with " + knobs + " but " + output +
             " was created with " + then;
  }
  for (const auto& [problem, shape] : now.shapes) {
    const auto it = before.shapes.find(problem);
    if (it != before.shapes.end() && it->second != shape)
      return "the data of " + problem + " now has " + shape + " but " + output +
             " was created with " + it->second;
  }
  return "";
}

}  // namespace ricci::sweep
