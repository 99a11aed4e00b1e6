// Training benchmark and accuracy table.
//
//   bench_train --problems synthetic-a,fmnist-sandal-boot --architectures narrow,wide,bottleneck
//               --depths 5,11 --seeds 10 [--epochs 50] [--data-dir DIR] [--csv FILE]
//
// Trains every (problem, architecture, depth, seed) with the paper's setting on one thread and
// prints per cell: seeds above the problem's threshold, mean/min test accuracy, seconds per epoch.
#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/nn/architecture.hpp"
#include "ricci/nn/train.hpp"

using namespace ricci;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  std::map<std::string, std::string> opt{{"--problems", "synthetic-a"},
                                         {"--architectures", "narrow"},
                                         {"--depths", "5"},
                                         {"--seeds", "3"},
                                         {"--epochs", "50"},
                                         {"--data-dir", ""},
                                         {"--csv", ""},
                                         {"--first-seed", "0"}};
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!opt.count(argv[a])) {
      std::fprintf(stderr, "unknown option %s\n", argv[a]);
      return 2;
    }
    opt[argv[a]] = argv[a + 1];
  }
  std::FILE* csv = opt["--csv"].empty() ? nullptr : std::fopen(opt["--csv"].c_str(), "w");
  if (csv)
    std::fprintf(
        csv,
        "problem,architecture,depth,seed,test_accuracy,train_seconds,epochs,seconds_per_epoch\n");

  const int seeds = std::stoi(opt["--seeds"]), first_seed = std::stoi(opt["--first-seed"]);
  int total = 0, above = 0;
  std::printf("%-20s %-11s %5s %7s %9s %9s %9s\n", "problem", "arch", "depth", "above", "mean_acc",
              "min_acc", "s/epoch");
  try {
    for (const auto& name : split(opt["--problems"])) {
      const auto problem = data::parse_problem(name);
      data::DataOptions data_options;
      data_options.data_dir = opt["--data-dir"];
      // Non-synthetic data does not depend on the seed: load once.
      const data::Dataset fixed =
          problem.synthetic() ? data::Dataset{} : data::load_problem(problem, data_options, 0);
      for (const auto& arch : split(opt["--architectures"]))
        for (const auto& depth_text : split(opt["--depths"])) {
          const int depth = std::stoi(depth_text);
          int cell_above = 0;
          double acc_sum = 0, acc_min = 1, sec_per_epoch = 0;
          for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
            const data::Dataset d =
                problem.synthetic() ? data::load_problem(problem, data_options, seed) : fixed;
            RunStreams streams(static_cast<std::uint64_t>(seed), name, arch, depth);
            nn::Mlp<float> net(static_cast<int>(d.train_x.cols()), nn::hidden_widths(arch, depth),
                               streams.init);
            nn::TrainOptions options;
            options.epochs = std::stoi(opt["--epochs"]);
            const auto r = nn::train(net, d, options, streams.shuffle);
            const double spe = r.seconds / static_cast<double>(r.history.size());
            acc_sum += r.test_accuracy;
            acc_min = std::min(acc_min, r.test_accuracy);
            sec_per_epoch += spe;
            const bool ok = r.test_accuracy > problem.default_threshold;
            cell_above += ok;
            if (csv)
              std::fprintf(csv, "%s,%s,%d,%d,%.6f,%.4f,%zu,%.6f\n", name.c_str(), arch.c_str(),
                           depth, seed, r.test_accuracy, r.seconds, r.history.size(), spe);
          }
          total += seeds;
          above += cell_above;
          std::printf("%-20s %-11s %5d %3d/%-3d %9.4f %9.4f %9.4f\n", name.c_str(), arch.c_str(),
                      depth, cell_above, seeds, acc_sum / seeds, acc_min, sec_per_epoch / seeds);
          std::fflush(stdout);
        }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  std::printf("total: %d of %d runs above threshold (%.1f%%)\n", above, total,
              100.0 * above / total);
  if (csv) std::fclose(csv);
  return 0;
}
