#include "ricci/data/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace ricci::data {

namespace {

constexpr double pi = std::numbers::pi;
using Point = std::array<double, 3>;

// Draws per_class points of each class (sample(c) returns one point of class c), shuffles them
// and multiplies every coordinate by `scale` (by 1.0 exactly, so the default changes no bit).
template <class Sample>
LabelledPoints assemble(RandomStream& rng, int per_class, int dim, double scale, Sample sample) {
  std::vector<std::pair<Point, std::uint8_t>> points;
  points.reserve(2 * static_cast<std::size_t>(per_class));
  for (std::uint8_t c = 0; c < 2; ++c)
    for (int i = 0; i < per_class; ++i) points.emplace_back(sample(c), c);
  rng.shuffle(points);
  LabelledPoints out;
  out.x.resize(static_cast<Eigen::Index>(points.size()), dim);
  out.y.resize(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (int d = 0; d < dim; ++d)
      out.x(static_cast<Eigen::Index>(i), d) = static_cast<float>(points[i].first[d] * scale);
    out.y[i] = points[i].second;
  }
  return out;
}

}  // namespace

// Every generator's knobs are documented here, in docs/method.md §5 and in the README; their
// defaults (the values in the comments) are the problem table's in problems.cpp, and `scale`
// multiplies every coordinate of every problem.

// Two Archimedean spiral arms r = t, angle t + c*pi, t in [pi/2, 3pi] (1.25 turns), extruded along
// z in [0, 1], radially jittered by N(0, noise^2) and x, y scaled by 1/(3pi) into the unit box: the
// arms wind around each other (geometrically entangled) but, at the default noise, never touch
// (topologically separable). noise (0.08) is in the spiral's units, before the 1/(3pi): 0 puts
// every point on its arm. The arms' centre lines lie pi apart radially, so noise decides how close
// the classes come: near pi/4 each arm reaches the midline between them at two standard deviations.
// No margin: with Gaussian jitter nothing guarantees a gap, and moving the arms apart is, up to the
// scale of x and y, the same as lowering the noise.
LabelledPoints synthetic_a(RandomStream& rng, int per_class, double noise, double scale) {
  return assemble(rng, per_class, 3, scale, [&](std::uint8_t c) {
    const double t = rng.uniform(pi / 2, 3 * pi);
    const double r = t + noise * rng.normal();
    const double angle = t + c * pi;
    return Point{r * std::cos(angle) / (3 * pi), r * std::sin(angle) / (3 * pi), rng.uniform()};
  });
}

// Class 0: two disjoint solid ellipsoids, centres (+-0.45, 0, 0), semi-axes (0.3, 0.5, 0.5);
// class 1: the rest of the box [-1, 1]^3 outside the same ellipsoids scaled by 1 + margin about
// their centres. The empty shell between them makes the paper's > 0.99 reachable in 50 epochs (with
// touching classes a 50-epoch MLP stops near 0.97). Both uniform by rejection, balanced.
// margin (0.5) is the shell's thickness in units of the ellipsoids' size: 0 makes the classes
// touch; at 2 class 1 is the box's corners (0.4% of it), and past sqrt(8 + (0.55/0.3)^2) - 1 = 2.37
// it would be empty.
LabelledPoints synthetic_b(RandomStream& rng, int per_class, double margin, double scale) {
  auto ellipsoid_scale = [](const Point& p) {  // smallest s with p inside an ellipsoid scaled by s
    double best = 1e300;
    for (double cx : {-0.45, 0.45}) {
      const double a = (p[0] - cx) / 0.3, b = p[1] / 0.5, c = p[2] / 0.5;
      best = std::min(best, std::sqrt(a * a + b * b + c * c));
    }
    return best;
  };
  const double outer = 1.0 + margin;
  return assemble(rng, per_class, 3, scale, [&](std::uint8_t c) {
    for (;;) {
      const Point p{rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
      const double s = ellipsoid_scale(p);
      if (c == 0 ? s <= 1.0 : s > outer) return p;
    }
  });
}

// Two sheets z = +-0.5 sin(2 pi x) over (x, y) in [-1, 1]^2 with N(0, noise^2) jitter in z. They
// cross along x in {-1, -0.5, 0, 0.5, 1}, where the classes overlap: perfect accuracy is impossible
// (about 0.95-0.97 is reachable; the paper's threshold is 0.91). noise (0.05): 0 puts every point
// on its sheet. No margin: the sheets cross by design.
LabelledPoints synthetic_c(RandomStream& rng, int per_class, double noise, double scale) {
  return assemble(rng, per_class, 3, scale, [&](std::uint8_t c) {
    const double x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
    const double sign = c == 0 ? 1.0 : -1.0;
    return Point{x, y, sign * 0.5 * std::sin(2 * pi * x) + noise * rng.normal()};
  });
}

// sklearn's make_circles(factor = 1 - margin, noise): class 0 on the unit circle, class 1 on
// radius 1 - margin, N(0, noise^2) jitter on each coordinate. noise (0.03); margin (0.2) is the
// gap between the radii: 0 puts both classes on one circle, 1 class 1 at the centre.
LabelledPoints circles(RandomStream& rng, int per_class, double noise, double margin,
                       double scale) {
  const double inner = 1.0 - margin;
  return assemble(rng, per_class, 2, scale, [&](std::uint8_t c) {
    const double angle = rng.uniform(0, 2 * pi), r = c == 0 ? 1.0 : inner;
    return Point{r * std::cos(angle) + noise * rng.normal(),
                 r * std::sin(angle) + noise * rng.normal(), 0};
  });
}

// Uniform in the unit disc; class 1 inside one of four discs of radius 0.2 at (0, +-0.5), (+-0.5,
// 0). Only scale: the classes touch, and there is no jitter.
LabelledPoints four_discs(RandomStream& rng, int per_class, double scale) {
  auto in_small_disc = [](double x, double y) {
    for (auto [cx, cy] : {std::pair{0.0, 0.5}, {0.0, -0.5}, {0.5, 0.0}, {-0.5, 0.0}})
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= 0.04) return true;
    return false;
  };
  return assemble(rng, per_class, 2, scale, [&](std::uint8_t c) {
    for (;;) {
      const double x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
      if (x * x + y * y > 1) continue;
      if (in_small_disc(x, y) == (c == 1)) return Point{x, y, 0};
    }
  });
}

// Coaxial cylindrical shells about the z axis: class 0 at radius 1, class 1 at 0.8 - margin, each
// with U(-0.1, 0.1) radial jitter; angle uniform, z uniform in [-1, 1]. margin (0) is the gap
// between the shells, whose closest radii are 0.9 and 0.9 - margin; at most 0.7, where class 1
// reaches the axis. No noise knob: the jitter is uniform, not Gaussian, and a standard deviation
// would not give back the half-width 0.1 exactly.
LabelledPoints cylinders(RandomStream& rng, int per_class, double margin, double scale) {
  const double inner = 0.8 - margin;
  return assemble(rng, per_class, 3, scale, [&](std::uint8_t c) {
    const double r = (c == 0 ? 1.0 : inner) + rng.uniform(-0.1, 0.1),
                 angle = rng.uniform(0, 2 * pi);
    return Point{r * std::cos(angle), r * std::sin(angle), rng.uniform(-1, 1)};
  });
}

// Two solid tori with centre-line radius R = 2 and tube radius r ~ U[0, 1): class 0 around the
// origin in the xy-plane, class 1 centred at (2, 0, 0) in the xz-plane, so the two are linked.
// Only scale: there is no jitter, and the tori touch (their centre lines are 2 apart everywhere,
// the tubes' radii reach 1).
LabelledPoints linked_tori(RandomStream& rng, int per_class, double scale) {
  return assemble(rng, per_class, 3, scale, [&](std::uint8_t c) {
    const double theta = rng.uniform(0, 2 * pi), phi = rng.uniform(0, 2 * pi), rho = rng.uniform();
    const double ring = 2 + rho * std::cos(phi), across = rho * std::sin(phi);
    if (c == 0) return Point{ring * std::cos(theta), ring * std::sin(theta), across};
    return Point{2 + ring * std::cos(theta), across, ring * std::sin(theta)};
  });
}

}  // namespace ricci::data
