// Failure classes and the RICCI_INJECT_FAULT testing hook (no MPI, no file).
#include <catch2/catch.hpp>
#include <ios>
#include <new>
#include <system_error>

#include "ricci/core/error.hpp"
#include "ricci/sweep/fault_injection.hpp"
#include "ricci/sweep/run.hpp"

using namespace ricci;
using namespace ricci::sweep;
using Catch::Matchers::Contains;

TEST_CASE("failures are transient for the machine's conditions, deterministic otherwise",
          "[sweep]") {
  CHECK(failure_class_of(std::bad_alloc()) == io::FailureClass::transient);
  CHECK(failure_class_of(std::system_error(std::make_error_code(std::errc::io_error))) ==
        io::FailureClass::transient);
  CHECK(failure_class_of(std::ios_base::failure("read")) == io::FailureClass::transient);
  CHECK(failure_class_of(TransientError("sweep", "x")) == io::FailureClass::transient);
  CHECK(failure_class_of(Error("nn", "the loss is not finite")) == io::FailureClass::deterministic);
  CHECK(failure_class_of(std::runtime_error("?")) == io::FailureClass::deterministic);
  io::RunRecord record;
  record.status = io::RunStatus::done;
  record_failure(record, std::bad_alloc());
  CHECK(record.status == io::RunStatus::failed);
  CHECK(record.failure == io::FailureClass::transient);
  CHECK_FALSE(record.error.empty());
}

TEST_CASE("RICCI_INJECT_FAULT entries and when they fire", "[sweep]") {
  const auto faults = parse_injected_faults("transient:3:2,deterministic:5,,crash:7");
  REQUIRE(faults.size() == 3);
  CHECK(faults[0].kind == InjectedFault::Kind::transient);
  CHECK(faults[0].run == 3);
  CHECK(faults[0].times == 2);
  CHECK(faults[1].kind == InjectedFault::Kind::deterministic);
  CHECK(faults[2].kind == InjectedFault::Kind::crash);
  CHECK(faults[2].run == 7);
  CHECK(parse_injected_faults("transient:4").front().times == 1);
  CHECK(parse_injected_faults("").empty());
  CHECK_THROWS_AS(throw_injected_failure(faults, 3, 1), TransientError);
  CHECK_THROWS_AS(throw_injected_failure(faults, 3, 2), TransientError);
  CHECK_NOTHROW(throw_injected_failure(faults, 3, 3));
  CHECK_NOTHROW(throw_injected_failure(faults, 4, 1));
  CHECK_THROWS_WITH(throw_injected_failure(faults, 5, 9),
                    Contains("injected deterministic failure"));
  CHECK_NOTHROW(crash_if_injected(faults, 7, 2));  // only the first attempt crashes
  for (const char* bad : {"crash", "crash:x", "transient:1:0", "transient:1:2:3", "lost:1",
                          "deterministic:1:2", "transient:-1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_injected_faults(bad), Contains("RICCI_INJECT_FAULT: '"));
  }
}
