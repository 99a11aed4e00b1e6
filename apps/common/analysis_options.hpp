#pragma once
// The options of `ricci-query analyze` that choose the analysis, as the user typed them, and the
// one place they become a geometry::AnalysisOptions. The Python module ricci_flow passes its
// keyword arguments through the same function, so both front ends accept the same words and
// refuse bad ones with the same one-line messages.
#include <cstddef>
#include <optional>
#include <string>

#include "ricci/geometry/analyze_stack.hpp"

namespace ricci::cli {

struct AnalysisOptionText {
  std::string k;                       // --k: "10,20,30" or "6-10"; required
  std::string graph = "union";         // --graph: union | mutual
  std::string convention = "paper";    // --convention: paper | baptista-r
  std::string curvature = "forman";    // --curvature: comma-separated notion names
  std::string ollivier_idleness;       // --ollivier-idleness; empty: the default, 0
  std::string layers = "hidden";       // --layers: hidden | all
  bool local = false;                  // --local
  std::optional<std::string> threads;  // --threads; not given: every core this process may use
  // --memory-limit: bytes, or with a unit (4G, 500M, 2GiB); not given: this machine's memory.
  std::optional<std::string> memory_limit;
};

// The machine's physical memory in bytes (0 when the system does not say).
std::size_t physical_memory();

// Validates every option and their combinations before any work (per_node and on_layer_done are
// left to the caller). Throws ricci::Error("cli", ...) naming the option and its value. The
// threads default to geometry::available_cores(): one analysis run by hand is the only work the
// user is waiting for, and its results do not depend on the count. The memory limit defaults to
// the machine's memory: a stack whose estimate exceeds it is refused before any work, with the
// estimate, instead of being killed for memory hours later.
geometry::AnalysisOptions analysis_options_from(const AnalysisOptionText& text);

}  // namespace ricci::cli
