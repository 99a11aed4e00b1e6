#include "ricci/sweep/fault_injection.hpp"

#include <csignal>
#include <cstdlib>
#include <sstream>

#include "ricci/core/error.hpp"
#include "ricci/sweep/run.hpp"

namespace ricci::sweep {

namespace {

constexpr const char* variable = "RICCI_INJECT_FAULT";

bool parse_number(const std::string& text, long long& value) {
  if (text.empty() || text.size() > 12) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  value = std::stoll(text);
  return true;
}

}  // namespace

std::vector<InjectedFault> parse_injected_faults(const std::string& text) {
  std::vector<InjectedFault> out;
  std::istringstream entries(text);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    if (entry.empty()) continue;
    std::vector<std::string> parts;
    std::istringstream fields(entry);
    std::string field;
    while (std::getline(fields, field, ':')) parts.push_back(field);
    const auto bad = [&] {
      return Error("sweep", std::string(variable) + ": '" + entry +
                                "' is not transient:RUN[:TIMES], deterministic:RUN or crash:RUN");
    };
    InjectedFault fault;
    long long run = 0, times = 1;
    if (parts.size() < 2 || !parse_number(parts[1], run)) throw bad();
    if (parts[0] == "transient" && parts.size() <= 3) {
      fault.kind = InjectedFault::Kind::transient;
      if (parts.size() == 3 && (!parse_number(parts[2], times) || times < 1)) throw bad();
    } else if (parts[0] == "deterministic" && parts.size() == 2) {
      fault.kind = InjectedFault::Kind::deterministic;
    } else if (parts[0] == "crash" && parts.size() == 2) {
      fault.kind = InjectedFault::Kind::crash;
    } else {
      throw bad();
    }
    fault.run = static_cast<index_t>(run);
    fault.times = static_cast<int>(times);
    out.push_back(fault);
  }
  return out;
}

std::vector<InjectedFault> injected_faults_from_environment() {
  const char* text = std::getenv(variable);
  return text ? parse_injected_faults(text) : std::vector<InjectedFault>{};
}

void throw_injected_failure(const std::vector<InjectedFault>& faults, index_t run, int attempt) {
  for (const InjectedFault& fault : faults) {
    if (fault.run != run) continue;
    if (fault.kind == InjectedFault::Kind::transient && attempt <= fault.times)
      throw TransientError("sweep", "injected transient failure (" + std::string(variable) +
                                        "), attempt " + std::to_string(attempt));
    if (fault.kind == InjectedFault::Kind::deterministic)
      throw Error("sweep", "injected deterministic failure (" + std::string(variable) + ")");
  }
}

void crash_if_injected(const std::vector<InjectedFault>& faults, index_t run, int attempt) {
  for (const InjectedFault& fault : faults)
    if (fault.kind == InjectedFault::Kind::crash && fault.run == run && attempt == 1)
      std::raise(SIGKILL);
}

}  // namespace ricci::sweep
