// Threads and processes on one node, geometry only (no HDF5, no MPI), so that it links statically
// and runs on a borrowed machine as one file (-DRICCI_STATIC_BENCH=ON):
//
//   bench_threads [--n 2000] [--layers 5] [--width 50] [--k 10,20,...,500] [--threads 1,2,4,8,16]
//                 [--processes 1,8,16] [--networks 4] [--repeats 3]
//
// Stack A of bench/RESULTS.md by default (bench_support.hpp, built in memory). --threads: the full
// grid of one network at each thread count, best of --repeats, every count checked field by field
// against one thread. --processes: P forked one-thread processes each measuring --networks
// networks; networks per second of the node.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ricci/geometry/measure_stack.hpp"
#include "ricci/geometry/parallel.hpp"

using namespace ricci;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000, layers = 5, width = 50, repeats = 3, networks = 4;
  std::vector<int> ks{10, 20, 30, 50, 90, 100, 120, 150, 250, 350, 500};
  std::vector<int> thread_counts{1, 2, 4, 8, 16}, process_counts{1, 8, 16};
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string key = argv[a], value = argv[a + 1];
    if (key == "--n")
      n = std::stoi(value);
    else if (key == "--layers")
      layers = std::stoi(value);
    else if (key == "--width")
      width = std::stoi(value);
    else if (key == "--k")
      ks = bench::parse_list(value);
    else if (key == "--threads")
      thread_counts = bench::parse_list(value);
    else if (key == "--processes")
      process_counts = bench::parse_list(value);
    else if (key == "--networks")
      networks = std::stoi(value);
    else if (key == "--repeats")
      repeats = std::stoi(value);
    else {
      std::fprintf(stderr, "bench_threads: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  const auto stack = bench::relu_stack(n, layers, width, bench::stack_seed);
  geometry::MeasureOptions options;
  options.k.assign(ks.begin(), ks.end());
  std::printf("stack: n = %d, %d layers x %d, %zu k; this process may use %d cores\n", n, layers,
              width, ks.size(), geometry::available_cores());

  std::vector<geometry::MeasuresAtK> one;
  double one_wall = 0;
  for (int threads : thread_counts) {
    options.threads = threads;
    std::vector<geometry::MeasuresAtK> got;
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = Clock::now();
      got = geometry::measure_stack(stack, options);
      best = std::min(best, seconds_since(t0));
    }
    if (one.empty()) {
      one = got;
      one_wall = best;
    }
    std::printf("%3d threads: %.3f s wall, speed-up %.2fx over %d, %.2f networks/s | %s\n", threads,
                best, one_wall / best, thread_counts.front(), 1.0 / best,
                bench::identical_measures(got, one) ? "identical" : "DIFFERENT");
    std::fflush(stdout);
  }

  // One thread in each child: it never enters an OpenMP region, so the parent's thread team (which
  // GCC's libgomp does not carry across a fork) is never needed there.
  options.threads = 1;
  for (int processes : process_counts) {
    std::fflush(stdout);
    const auto t0 = Clock::now();
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
      const pid_t child = fork();
      if (child == 0) {
        for (int i = 0; i < networks; ++i) (void)geometry::measure_stack(stack, options);
        std::_Exit(0);
      }
      if (child < 0) {
        std::perror("bench_threads: fork");
        return 1;
      }
      children.push_back(child);
    }
    bool failed = false;
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    const double wall = seconds_since(t0);
    std::printf("%3d processes x %d networks, 1 thread each: %.3f s wall, %.2f networks/s%s\n",
                processes, networks, wall, processes * networks / wall,
                failed ? " (a process FAILED)" : "");
  }
  return 0;
}
