#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include "../test_support.hpp"
#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/nn/architecture.hpp"

using namespace ricci;
using namespace ricci::data;
using Catch::Matchers::Contains;

namespace {
std::size_t ones(const std::vector<std::uint8_t>& y) {
  return static_cast<std::size_t>(std::accumulate(y.begin(), y.end(), 0));
}
}  // namespace

TEST_CASE("problem names parse and unknown ones are listed", "[data][problems]") {
  CHECK(parse_problem("synthetic-c").default_threshold == 0.91);
  CHECK(parse_problem("fmnist-shirt-coat").first_class == 6);
  CHECK(parse_problem("fmnist-shirt-coat").second_class == 4);
  CHECK(parse_problem("mnist:3-5").family == Family::mnist);
  CHECK(parse_problem("idx:a.gz,b.gz").second_path == "b.gz");
  CHECK_THROWS_WITH(parse_problem("synthetic-d"),
                    Contains("unknown problem 'synthetic-d'") && Contains("synthetic-a"));
  CHECK_THROWS_WITH(parse_problem("mnist:3-3"), Contains("two different classes"));
  CHECK_THROWS_WITH(parse_problem("idx:onlyone"), Contains("idx:IMAGES_FILE,LABELS_FILE"));
  CHECK(paper_k_grid(parse_problem("mnist-1-7")).back() == 500);
  CHECK(paper_k_grid(parse_problem("synthetic-a")).front() == 6);
}

TEST_CASE("synthetic problems: 500 + 500 per set, disjoint, a pure function of the seed",
          "[data][problems]") {
  for (const char* name : {"synthetic-a", "synthetic-b", "synthetic-c", "circles", "four-discs",
                           "cylinders", "linked-tori"}) {
    INFO(name);
    const auto p = parse_problem(name);
    const auto a = load_problem(p, {}, 7), again = load_problem(p, {}, 7),
               other = load_problem(p, {}, 8);
    CHECK(a.train_x.rows() == 1000);
    CHECK(a.test_x.rows() == 1000);
    CHECK(ones(a.train_y) == 500);
    CHECK(ones(a.test_y) == 500);
    CHECK(a.train_x == again.train_x);
    CHECK(a.test_y == again.test_y);
    CHECK(a.train_x != other.train_x);
    std::set<std::vector<float>> train_points;
    for (Eigen::Index i = 0; i < a.train_x.rows(); ++i)
      train_points.insert(
          std::vector<float>(a.train_x.row(i).data(), a.train_x.row(i).data() + a.train_x.cols()));
    for (Eigen::Index i = 0; i < a.test_x.rows(); ++i)
      CHECK_FALSE(train_points.count(
          std::vector<float>(a.test_x.row(i).data(), a.test_x.row(i).data() + a.test_x.cols())));
  }
}

TEST_CASE("synthetic-b: class 0 inside the ellipsoids and class 1 outside the margin",
          "[data][problems]") {
  const auto d = load_problem(parse_problem("synthetic-b"), {}, 1);
  for (Eigen::Index i = 0; i < d.train_x.rows(); ++i) {
    double s = 1e9;
    for (double cx : {-0.45, 0.45}) {
      const double a = (d.train_x(i, 0) - cx) / 0.3, b = d.train_x(i, 1) / 0.5,
                   c = d.train_x(i, 2) / 0.5;
      s = std::min(s, std::sqrt(a * a + b * b + c * c));
    }
    if (d.train_y[static_cast<std::size_t>(i)] == 0)
      REQUIRE(s <= 1.0 + 1e-6);
    else
      REQUIRE(s > 1.5 - 1e-6);
  }
}

TEST_CASE("Fashion-MNIST problems from Debian's package: full splits, class-ordered",
          "[data][problems][fmnist]") {
  if (!std::filesystem::exists(fashion_mnist_default_dir)) {
    WARN("dataset-fashion-mnist is not installed: skipped");
    return;
  }
  const auto d = load_problem(parse_problem("fmnist-sandal-boot"), {}, 0);
  CHECK(d.train_x.rows() == 12000);
  CHECK(d.test_x.rows() == 2000);
  CHECK(d.train_x.cols() == 784);
  CHECK(ones(d.train_y) == 6000);
  CHECK(d.train_y.front() == 0);  // sandals first, then boots
  CHECK(d.train_y.back() == 1);
  CHECK(d.train_x.maxCoeff() == 255.0f);
  DataOptions unit;
  unit.pixels = PixelScale::unit;
  CHECK(load_problem(parse_problem("fmnist:5-9"), unit, 0).train_x.maxCoeff() == 1.0f);
}

TEST_CASE("MNIST without a directory says what is missing", "[data][problems]") {
  CHECK_THROWS_WITH(load_problem(parse_problem("mnist-1-7"), {}, 0),
                    Contains("mnist-1-7 (MNIST) needs the directory") && Contains("data_dir"));
  DataOptions o;
  o.data_dir = test::scratch_path("empty-mnist-dir");
  std::filesystem::create_directories(o.data_dir);
  CHECK_THROWS_WITH(load_problem(parse_problem("mnist-6-8"), o, 0),
                    Contains("neither train-images-idx3-ubyte"));
}

TEST_CASE("CSV user data: label column, seeded split, clear errors", "[data][problems][csv]") {
  const auto path = test::scratch_path("points.csv");
  {
    std::ofstream f(path);
    f << "x,kind,y\n";
    for (int i = 0; i < 20; ++i) f << i << "," << (i % 2 ? "cat" : "dog") << "," << i * 0.5 << "\n";
  }
  DataOptions o;
  o.label_column = "kind";
  const auto d = load_problem(parse_problem("csv:" + path), o, 3);
  CHECK(d.train_x.cols() == 2);
  CHECK(d.test_x.rows() == 10);
  CHECK(d.train_x.rows() + d.test_x.rows() == 20);
  for (Eigen::Index i = 0; i < d.train_x.rows(); ++i)  // "cat" < "dog": odd x -> 0
    CHECK(d.train_y[static_cast<std::size_t>(i)] ==
          (static_cast<int>(d.train_x(i, 0)) % 2 ? 0 : 1));
  o.label_column = "species";
  CHECK_THROWS_WITH(load_problem(parse_problem("csv:" + path), o, 3),
                    Contains("no column named 'species'"));
  {
    std::ofstream f(path, std::ios::app);
    f << "nan,cat,1\n";
  }
  o.label_column = "kind";
  CHECK_THROWS_WITH(load_problem(parse_problem("csv:" + path), o, 3),
                    Contains("line 22 column 'x': 'nan' is not a finite number"));
  CHECK_THROWS_WITH(load_problem(parse_problem("csv:/no/file.csv"), o, 3),
                    Contains("/no/file.csv does not exist"));
}

TEST_CASE("architectures: narrow, wide, bottleneck and explicit widths", "[nn][architecture]") {
  CHECK(nn::hidden_widths("narrow", 5) == std::vector<int>(5, 25));
  CHECK(nn::hidden_widths("wide", 11) == std::vector<int>(11, 50));
  CHECK(nn::hidden_widths("bottleneck", 5) == std::vector<int>{50, 50, 25, 50, 50});
  CHECK(nn::hidden_widths("bottleneck", 11)[5] == 25);
  CHECK(nn::hidden_widths("64-32-16", 3) == std::vector<int>{64, 32, 16});
  CHECK_THROWS_WITH(nn::hidden_widths("bottleneck", 4), Contains("odd depth"));
  CHECK_THROWS_WITH(nn::hidden_widths("deep", 5), Contains("unknown architecture 'deep'"));
  CHECK_THROWS_WITH(nn::hidden_widths("64-32", 3), Contains("has 2 hidden layers but depth is 3"));
}
