// The synthetic problems' knobs (noise, margin, scale; docs/method.md §5): the defaults draw the
// bits the generators drew before they had knobs, each knob does what its documentation says, and
// bad values are one line naming the problem, the knob and the value.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"

using namespace ricci;
using namespace ricci::data;

namespace {

constexpr double pi = std::numbers::pi;

// FNV-1a 64 over the train and test points' float bits (row by row) and their labels.
std::uint64_t fingerprint(const Dataset& d) {
  std::uint64_t hash = 14695981039346656037ULL;
  const auto add = [&](const void* bytes, std::size_t size) {
    const auto* b = static_cast<const unsigned char*>(bytes);
    for (std::size_t i = 0; i < size; ++i) {
      hash ^= b[i];
      hash *= 1099511628211ULL;
    }
  };
  for (const InputMatrix* x : {&d.train_x, &d.test_x})
    for (Eigen::Index i = 0; i < x->rows(); ++i)
      for (Eigen::Index c = 0; c < x->cols(); ++c) {
        const float value = (*x)(i, c);
        std::uint32_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        add(&bits, sizeof bits);
      }
  add(d.train_y.data(), d.train_y.size());
  add(d.test_y.data(), d.test_y.size());
  return hash;
}

Dataset load(const std::string& name, const SyntheticKnobs& knobs, std::uint64_t seed = 5) {
  DataOptions options;
  options.knobs = knobs;
  return load_problem(parse_problem(name), options, seed);
}

std::string load_error(const std::string& name, const SyntheticKnobs& knobs) {
  try {
    load(name, knobs);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Smallest s with the point inside one of synthetic-b's ellipsoids scaled by s about its centre.
double ellipsoid_scale(const InputMatrix& x, Eigen::Index i) {
  double best = 1e300;
  for (double cx : {-0.45, 0.45}) {
    const double a = (x(i, 0) - cx) / 0.3, b = x(i, 1) / 0.5, c = x(i, 2) / 0.5;
    best = std::min(best, std::sqrt(a * a + b * b + c * c));
  }
  return best;
}

const char* const synthetic_names[] = {"synthetic-a", "synthetic-b", "synthetic-c", "circles",
                                       "four-discs",  "cylinders",   "linked-tori"};

}  // namespace

TEST_CASE("default knobs draw the bits the generators drew before they had knobs",
          "[data][knobs]") {
  // Computed by the generators as they were before the knobs (commit d4c4f8f), built with
  // -ffp-contract=off like every build: the fingerprint of all 2,000 points and labels, and test
  // point 7 with its label.
  struct Pinned {
    const char* problem;
    std::uint64_t seed, hash;
    std::vector<double> point;
    int label;
  };
  const Pinned pinned[] = {
      {"synthetic-a", 0, 0xcfaf75e993255e05ULL, {0x1.23a38ap-2, 0x1.751f5ap-1, 0x1.a859a4p-1}, 0},
      {"synthetic-a", 3, 0x0b0551f4da78a9ffULL, {-0x1.5e7434p-2, -0x1.bd969p-5, 0x1.fde1dap-1}, 0},
      {"synthetic-b", 0, 0x77f4385d21d2235cULL, {-0x1.b3ad64p-2, 0x1.71e4d6p-3, -0x1.a77b16p-2}, 0},
      {"synthetic-b", 3, 0x2f01282acc804968ULL, {0x1.543ebcp-1, -0x1.7e35aap-3, -0x1.1b354p-3}, 0},
      {"synthetic-c", 0, 0x28ef909c337c5c40ULL, {0x1.dd4ed8p-1, 0x1.429ce4p-1, -0x1.ad2e14p-3}, 0},
      {"synthetic-c", 3, 0x2d365dd59d92023cULL, {0x1.dd8276p-1, -0x1.f4615cp-3, 0x1.6722d4p-3}, 1},
      {"circles", 0, 0x58f445f14cfda1f2ULL, {-0x1.77d222p-1, 0x1.cbc8bp-3}, 1},
      {"circles", 3, 0xab3aad6f02912687ULL, {-0x1.aaec52p-1, -0x1.f1d55ep-2}, 0},
      {"four-discs", 0, 0x2871d2eeb10fa2e2ULL, {-0x1.6f28f2p-3, 0x1.eaa6bcp-2}, 1},
      {"four-discs", 3, 0xe6a2543ddcae4223ULL, {0x1.b5df54p-1, -0x1.9bc818p-2}, 0},
      {"cylinders", 0, 0xfd8210601cfa9c63ULL, {0x1.500178p-4, 0x1.b87e18p-1, 0x1.53d3ep-2}, 1},
      {"cylinders", 3, 0x23578be08dde6c75ULL, {-0x1.ef06b8p-1, -0x1.c185b6p-4, -0x1.c3ada4p-1}, 0},
      {"linked-tori", 0, 0x9aedd4a3cc15628eULL, {0x1.779206p+0, 0x1.198852p-1, -0x1.ae1d04p+0}, 1},
      {"linked-tori", 3, 0xeacc55b8d43c88e6ULL, {-0x1.002218p+1, 0x1.0dc29ep-4, -0x1.44fd8ep-8}, 0},
  };
  for (const Pinned& p : pinned) {
    INFO(p.problem << " seed " << p.seed);
    const Problem problem = parse_problem(p.problem);
    const Dataset d = load_problem(problem, {}, p.seed);
    CHECK(fingerprint(d) == p.hash);
    REQUIRE(d.test_x.cols() == static_cast<Eigen::Index>(p.point.size()));
    for (std::size_t c = 0; c < p.point.size(); ++c)
      CHECK(d.test_x(7, static_cast<Eigen::Index>(c)) == static_cast<float>(p.point[c]));
    CHECK(d.test_y[7] == p.label);
    // The defaults given explicitly are the same draw.
    DataOptions explicit_defaults;
    explicit_defaults.knobs = problem.knobs;
    CHECK(fingerprint(load_problem(problem, explicit_defaults, p.seed)) == p.hash);
  }
}

TEST_CASE("each problem's knobs and their defaults", "[data][knobs]") {
  CHECK(knobs_text(parse_problem("synthetic-a").knobs) == "noise = 0.08, scale = 1");
  CHECK(knobs_text(parse_problem("synthetic-b").knobs) == "margin = 0.5, scale = 1");
  CHECK(knobs_text(parse_problem("synthetic-c").knobs) == "noise = 0.05, scale = 1");
  CHECK(knobs_text(parse_problem("circles").knobs) == "noise = 0.03, margin = 0.2, scale = 1");
  CHECK(knobs_text(parse_problem("four-discs").knobs) == "scale = 1");
  CHECK(knobs_text(parse_problem("cylinders").knobs) == "margin = 0, scale = 1");
  CHECK(knobs_text(parse_problem("linked-tori").knobs) == "scale = 1");
  for (const char* name : {"mnist-1-7", "fmnist:2-3", "csv:x.csv", "idx:a,b"})
    CHECK(knobs_text(parse_problem(name).knobs).empty());
}

TEST_CASE("synthetic-a: noise 0 puts every point on its arm r = t, angle t + c pi",
          "[data][knobs]") {
  const Dataset d = load("synthetic-a", {.noise = 0});
  for (Eigen::Index i = 0; i < d.train_x.rows(); ++i) {
    const double x = d.train_x(i, 0), y = d.train_x(i, 1), z = d.train_x(i, 2);
    const double t = std::hypot(x, y) * 3 * pi;  // r = t before the 1/(3 pi)
    REQUIRE(t >= pi / 2 - 1e-5);
    REQUIRE(t <= 3 * pi + 1e-5);
    const double arm = t + (d.train_y[static_cast<std::size_t>(i)] == 1 ? pi : 0);
    // The angle of the point minus the arm's angle at t, folded into (-pi, pi].
    const double off = std::remainder(std::atan2(y, x) - arm, 2 * pi);
    REQUIRE(std::abs(off) < 1e-4);
    REQUIRE(z >= 0);
    REQUIRE(z <= 1);
  }
  // The default noise moves points off their arms (sd 0.08 in t, 0.0085 in the unit box).
  const Dataset noisy = load("synthetic-a", {});
  double largest = 0;
  for (Eigen::Index i = 0; i < noisy.train_x.rows(); ++i) {
    const double t = std::hypot(noisy.train_x(i, 0), noisy.train_x(i, 1)) * 3 * pi;
    const double arm = t + (noisy.train_y[static_cast<std::size_t>(i)] == 1 ? pi : 0);
    largest =
        std::max(largest, std::abs(std::remainder(
                              std::atan2(noisy.train_x(i, 1), noisy.train_x(i, 0)) - arm, 2 * pi)));
  }
  CHECK(largest > 0.05);
}

TEST_CASE("synthetic-c: noise 0 puts every point on its sheet", "[data][knobs]") {
  const Dataset d = load("synthetic-c", {.noise = 0});
  for (Eigen::Index i = 0; i < d.train_x.rows(); ++i) {
    const double sign = d.train_y[static_cast<std::size_t>(i)] == 0 ? 1 : -1;
    REQUIRE(d.train_x(i, 2) ==
            Approx(sign * 0.5 * std::sin(2 * pi * d.train_x(i, 0))).margin(1e-5));
  }
}

TEST_CASE("synthetic-b: margin is the thickness of the empty shell", "[data][knobs]") {
  for (double margin : {0.0, 0.5, 1.0, 2.0}) {
    INFO("margin " << margin);
    const Dataset d = load("synthetic-b", {.margin = margin});
    double inner = 0, outer = 1e300;  // class 0's largest s, class 1's smallest
    for (Eigen::Index i = 0; i < d.train_x.rows(); ++i) {
      const double s = ellipsoid_scale(d.train_x, i);
      if (d.train_y[static_cast<std::size_t>(i)] == 0)
        inner = std::max(inner, s);
      else
        outer = std::min(outer, s);
    }
    CHECK(inner <= 1 + 1e-6);
    CHECK(inner > 0.9);  // class 0 fills its ellipsoids
    CHECK(outer > 1 + margin - 1e-6);
    // The shell is empty and no wider: 500 points come close to its outer surface (at margin 2
    // the corners left to class 1 are thin, so the closest point is a little farther).
    CHECK(outer < 1 + margin + (margin < 2 ? 0.05 : 0.2));
  }
}

TEST_CASE("circles and cylinders: margin is the gap between the classes' radii", "[data][knobs]") {
  const Dataset circles = load("circles", {.noise = 0, .margin = 0.5});
  for (Eigen::Index i = 0; i < circles.train_x.rows(); ++i)
    REQUIRE(std::hypot(circles.train_x(i, 0), circles.train_x(i, 1)) ==
            Approx(circles.train_y[static_cast<std::size_t>(i)] == 0 ? 1.0 : 0.5).margin(1e-6));

  for (double margin : {0.0, 0.3}) {
    const Dataset d = load("cylinders", {.margin = margin});
    double class0_min = 1e300, class1_max = 0;
    for (Eigen::Index i = 0; i < d.train_x.rows(); ++i) {
      const double r = std::hypot(d.train_x(i, 0), d.train_x(i, 1));
      if (d.train_y[static_cast<std::size_t>(i)] == 0)
        class0_min = std::min(class0_min, r);
      else
        class1_max = std::max(class1_max, r);
    }
    // Class 0 in [0.9, 1.1], class 1 in [0.7 - margin, 0.9 - margin]: a gap of `margin`.
    CHECK(class0_min >= 0.9 - 1e-6);
    CHECK(class0_min < 0.91);
    CHECK(class1_max <= 0.9 - margin + 1e-6);
    CHECK(class1_max > 0.89 - margin);
  }
}

TEST_CASE("scale multiplies every coordinate of every synthetic problem", "[data][knobs]") {
  for (const char* name : synthetic_names) {
    INFO(name);
    const Dataset plain = load(name, {}), doubled = load(name, {.scale = 2}),
                  tenth = load(name, {.scale = 0.1});
    // A power of two scales exactly; the labels and the order are the same draw.
    CHECK(doubled.train_x == (plain.train_x * 2.0f).eval());
    CHECK(doubled.test_x == (plain.test_x * 2.0f).eval());
    CHECK(doubled.train_y == plain.train_y);
    CHECK(tenth.test_y == plain.test_y);
    for (Eigen::Index i = 0; i < plain.test_x.rows(); ++i)
      for (Eigen::Index c = 0; c < plain.test_x.cols(); ++c)
        REQUIRE(tenth.test_x(i, c) == Approx(0.1 * plain.test_x(i, c)).margin(1e-7));
  }
}

TEST_CASE("bad knob values are one line naming the problem, the knob and the value",
          "[data][knobs]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(load_error("synthetic-a", {.noise = -0.1}) ==
        "[data] synthetic-a: noise must lie in [0, 1000], got -0.1");
  CHECK(load_error("synthetic-c", {.noise = nan}) ==
        "[data] synthetic-c: noise must lie in [0, 1000], got nan");
  CHECK(load_error("circles", {.noise = inf}) ==
        "[data] circles: noise must lie in [0, 1000], got inf");
  CHECK(load_error("synthetic-b", {.margin = 2.5}) ==
        "[data] synthetic-b: margin must lie in [0, 2] (at 2 class 1 is the box's corners; past "
        "2.37 it would be empty), got 2.5");
  CHECK(load_error("synthetic-b", {.margin = -0.5}) ==
        "[data] synthetic-b: margin must lie in [0, 2] (at 2 class 1 is the box's corners; past "
        "2.37 it would be empty), got -0.5");
  CHECK(load_error("circles", {.margin = 1.5}) ==
        "[data] circles: margin must lie in [0, 1] (class 1 lies on radius 1 - margin), got 1.5");
  CHECK(load_error("cylinders", {.margin = 0.8}) ==
        "[data] cylinders: margin must lie in [0, 0.7] (class 1's radius 0.8 - margin must stay "
        "at least its jitter 0.1), got 0.8");
  for (double scale : {0.0, -1.0, 1e7, nan}) {
    INFO(scale);
    CHECK_THAT(
        load_error("linked-tori", {.scale = scale}),
        Catch::Matchers::StartsWith("[data] linked-tori: scale must lie in [1e-06, 1e+06], got "));
  }
  // Knobs a problem does not have.
  CHECK(load_error("synthetic-a", {.margin = 0.1}) ==
        "[data] synthetic-a has no knob margin; its knobs are noise and scale");
  CHECK(load_error("four-discs", {.noise = 0.1}) ==
        "[data] four-discs has no knob noise; its knob is scale");
  CHECK(load_error("mnist-1-7", {.scale = 2}) ==
        "[data] mnist-1-7 has no knob scale; only synthetic problems have knobs");
  // resolve_knobs: the defaults with the given knobs in their place.
  const SyntheticKnobs resolved = resolve_knobs(parse_problem("circles"), {.margin = 0.4});
  CHECK(knobs_text(resolved) == "noise = 0.03, margin = 0.4, scale = 1");
}
