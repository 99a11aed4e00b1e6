#include "ricci/data/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace ricci::data {

namespace {

constexpr double pi = std::numbers::pi;
using Point = std::array<double, 3>;

// Draws per_class points of each class (sample(c) returns one point of class c), then shuffles.
template <class Sample>
LabelledPoints assemble(RandomStream& rng, int per_class, int dim, Sample sample) {
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
      out.x(static_cast<Eigen::Index>(i), d) = static_cast<float>(points[i].first[d]);
    out.y[i] = points[i].second;
  }
  return out;
}

}  // namespace

// Two Archimedean spiral arms r = t, angle t + c*pi, t in [pi/2, 3pi] (1.25 turns), extruded along
// z in [0, 1], radially jittered by N(0, 0.08^2) and scaled by 1/(3pi) into the unit box: the arms
// wind around each other (geometrically entangled) but never touch (topologically separable).
LabelledPoints synthetic_a(RandomStream& rng, int per_class) {
  return assemble(rng, per_class, 3, [&](std::uint8_t c) {
    const double t = rng.uniform(pi / 2, 3 * pi);
    const double r = t + 0.08 * rng.normal();
    const double angle = t + c * pi;
    return Point{r * std::cos(angle) / (3 * pi), r * std::sin(angle) / (3 * pi), rng.uniform()};
  });
}

// Class 0: two disjoint solid ellipsoids, centres (+-0.45, 0, 0), semi-axes (0.3, 0.5, 0.5);
// class 1: the rest of the box [-1, 1]^3 outside the same ellipsoids scaled by 1.5 about their
// centres. The empty shell between them makes the paper's > 0.99 reachable in 50 epochs (with
// touching classes a 50-epoch MLP stops near 0.97). Both uniform by rejection, balanced.
LabelledPoints synthetic_b(RandomStream& rng, int per_class) {
  auto ellipsoid_scale = [](const Point& p) {  // smallest s with p inside an ellipsoid scaled by s
    double best = 1e300;
    for (double cx : {-0.45, 0.45}) {
      const double a = (p[0] - cx) / 0.3, b = p[1] / 0.5, c = p[2] / 0.5;
      best = std::min(best, std::sqrt(a * a + b * b + c * c));
    }
    return best;
  };
  return assemble(rng, per_class, 3, [&](std::uint8_t c) {
    for (;;) {
      const Point p{rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
      const double s = ellipsoid_scale(p);
      if (c == 0 ? s <= 1.0 : s > 1.5) return p;
    }
  });
}

// Two sheets z = +-0.5 sin(2 pi x) over (x, y) in [-1, 1]^2 with N(0, 0.05^2) noise in z. They
// cross along x in {-1, -0.5, 0, 0.5, 1}, where the classes overlap: perfect accuracy is impossible
// (about 0.95-0.97 is reachable; the paper's threshold is 0.91).
LabelledPoints synthetic_c(RandomStream& rng, int per_class) {
  return assemble(rng, per_class, 3, [&](std::uint8_t c) {
    const double x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
    const double sign = c == 0 ? 1.0 : -1.0;
    return Point{x, y, sign * 0.5 * std::sin(2 * pi * x) + 0.05 * rng.normal()};
  });
}

// sklearn's make_circles(factor=0.8, noise=0.03): class 0 on the unit circle, class 1 on radius
// 0.8, N(0, 0.03^2) noise on each coordinate.
LabelledPoints circles(RandomStream& rng, int per_class) {
  return assemble(rng, per_class, 2, [&](std::uint8_t c) {
    const double angle = rng.uniform(0, 2 * pi), r = c == 0 ? 1.0 : 0.8;
    return Point{r * std::cos(angle) + 0.03 * rng.normal(),
                 r * std::sin(angle) + 0.03 * rng.normal(), 0};
  });
}

// Uniform in the unit disc; class 1 inside one of four discs of radius 0.2 at (0, +-0.5), (+-0.5,
// 0).
LabelledPoints four_discs(RandomStream& rng, int per_class) {
  auto in_small_disc = [](double x, double y) {
    for (auto [cx, cy] : {std::pair{0.0, 0.5}, {0.0, -0.5}, {0.5, 0.0}, {-0.5, 0.0}})
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= 0.04) return true;
    return false;
  };
  return assemble(rng, per_class, 2, [&](std::uint8_t c) {
    for (;;) {
      const double x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
      if (x * x + y * y > 1) continue;
      if (in_small_disc(x, y) == (c == 1)) return Point{x, y, 0};
    }
  });
}

// Coaxial cylindrical shells about the z axis: class 0 at radius 1, class 1 at 0.8, each with
// U(-0.1, 0.1) radial noise; angle uniform, z uniform in [-1, 1].
LabelledPoints cylinders(RandomStream& rng, int per_class) {
  return assemble(rng, per_class, 3, [&](std::uint8_t c) {
    const double r = (c == 0 ? 1.0 : 0.8) + rng.uniform(-0.1, 0.1), angle = rng.uniform(0, 2 * pi);
    return Point{r * std::cos(angle), r * std::sin(angle), rng.uniform(-1, 1)};
  });
}

// Two solid tori with centre-line radius R = 2 and tube radius r ~ U[0, 1): class 0 around the
// origin in the xy-plane, class 1 centred at (2, 0, 0) in the xz-plane, so the two are linked.
LabelledPoints linked_tori(RandomStream& rng, int per_class) {
  return assemble(rng, per_class, 3, [&](std::uint8_t c) {
    const double theta = rng.uniform(0, 2 * pi), phi = rng.uniform(0, 2 * pi), rho = rng.uniform();
    const double ring = 2 + rho * std::cos(phi), across = rho * std::sin(phi);
    if (c == 0) return Point{ring * std::cos(theta), ring * std::sin(theta), across};
    return Point{2 + ring * std::cos(theta), across, ring * std::sin(theta)};
  });
}

}  // namespace ricci::data
