#include "analysis_options.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <utility>

#include <unistd.h>

#include "cli_util.hpp"
#include "ricci/core/error.hpp"
#include "ricci/geometry/parallel.hpp"

namespace ricci::cli {

std::size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page)
                               : 0;
}

namespace {

// "4G", "500M", "2GiB", "1.5T", "123456": decimal units K, M, G, T (as the geometry's estimates
// are printed, in GB) and binary ones KiB, MiB, GiB, TiB; a bare number is bytes.
std::size_t parse_memory_size(const std::string& text, const std::string& option) {
  std::size_t end = 0;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
    ++end;
  const std::string number = text.substr(0, end), unit = text.substr(end);
  static const std::pair<const char*, double> units[] = {{"", 1},
                                                         {"B", 1},
                                                         {"K", 1e3},
                                                         {"KB", 1e3},
                                                         {"M", 1e6},
                                                         {"MB", 1e6},
                                                         {"G", 1e9},
                                                         {"GB", 1e9},
                                                         {"T", 1e12},
                                                         {"TB", 1e12},
                                                         {"KiB", 1024.0},
                                                         {"MiB", 1048576.0},
                                                         {"GiB", 1073741824.0},
                                                         {"TiB", 1099511627776.0}};
  const auto bad = [&] {
    return Error("cli", option + " '" + text +
                            "' is not a memory size (bytes, or a number with K, M, G, T, KiB, MiB, "
                            "GiB or TiB, e.g. 4G)");
  };
  if (number.empty()) throw bad();
  for (const auto& [name, scale] : units)
    if (unit == name) {
      const double bytes = parse_double(number, option) * scale;
      if (!(bytes >= 1) || bytes > 1e18) throw bad();
      return static_cast<std::size_t>(bytes);
    }
  throw bad();
}

}  // namespace

geometry::AnalysisOptions analysis_options_from(const AnalysisOptionText& text) {
  if (text.k.empty()) throw Error("cli", "--k is required (e.g. --k 10,20,30)");
  require_one_of("graph", text.graph, {"union", "mutual"});
  require_one_of("convention", text.convention, {"paper", "baptista-r"});
  require_one_of("layers", text.layers, {"hidden", "all"});

  geometry::AnalysisOptions options;
  options.k = parse_index_list(text.k, "--k");
  options.rule = graph_rule_from(text.graph, text.convention);
  const bool reference_r = options.rule == geometry::GraphRule::baptista_r;
  options.notions.clear();
  for (const std::string& name : parse_name_list(text.curvature, "--curvature")) {
    try {
      options.notions.push_back(geometry::parse_curvature_notion(name));
    } catch (const Error& e) {
      throw Error("cli", "--curvature: " + e.message());
    }
  }
  options.local = text.local;
  if (!text.threads) {
    options.threads = std::min(geometry::available_cores(), geometry::max_threads);
  } else {
    const long long threads = parse_integer(*text.threads, "--threads");
    // The bounds are the geometry's (validate_threads); a value beyond int is clamped only so that
    // it is refused as out of range, never wrapped into one.
    try {
      geometry::validate_threads(
          static_cast<int>(std::clamp<long long>(threads, INT_MIN, INT_MAX)));
    } catch (const Error& e) {
      throw Error("cli", "--threads '" + *text.threads + "': " + e.message());
    }
    options.threads = static_cast<int>(threads);
  }
  options.memory_limit = text.memory_limit ? parse_memory_size(*text.memory_limit, "--memory-limit")
                                           : physical_memory();
  options.layer_list =
      text.layers == "all" ? geometry::LayerList::all : geometry::LayerList::hidden;
  // It reaches the measure as the ollivier notion's CurvatureOptions (docs/method.md §3), the only
  // notion it changes.
  if (!text.ollivier_idleness.empty()) {
    const double idleness = parse_double(text.ollivier_idleness, "--ollivier-idleness");
    if (!(idleness >= 0 && idleness < 1))
      throw Error("cli", "--ollivier-idleness '" + text.ollivier_idleness + "' is outside [0, 1)");
    options.curvature_options.ollivier_idleness = idleness;
  }
  if (reference_r && options.local)
    throw Error("cli",
                "--local needs an undirected graph (--graph union or mutual): the follow-up "
                "defines no local coefficient on baptista-r's directed arcs");
  if (reference_r)
    for (auto notion : options.notions)
      if (geometry::needs_undirected_graph(notion))
        throw Error("cli", "--curvature " + std::string(geometry::curvature_notion_name(notion)) +
                               " is defined on the undirected graph: use --graph union or "
                               "mutual (baptista-r has directed arcs)");
  if (reference_r && options.layer_list == geometry::LayerList::all)
    throw Error("cli",
                "--layers all is the follow-up's list on undirected graphs: baptista-r has its own "
                "input transition (docs/method.md §3); use --layers hidden");
  return options;
}

}  // namespace ricci::cli
