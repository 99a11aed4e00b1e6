#include <catch2/catch.hpp>
#include <cmath>

#include "ricci/core/error.hpp"
#include "ricci/data/problems.hpp"
#include "ricci/nn/architecture.hpp"
#include "ricci/nn/mlp.hpp"
#include "ricci/nn/optimizer.hpp"
#include "ricci/nn/train.hpp"

using namespace ricci;
using namespace ricci::nn;
using Catch::Matchers::Contains;

namespace {

// Every analytic gradient of `net` against central finite differences of its loss on a random
// batch.
void check_gradients(Mlp<double>& net, RandomStream& random) {
  // Non-zero biases so every unit's ReLU branch is exercised, away from kinks.
  for (auto& b : net.biases)
    for (Eigen::Index i = 0; i < b.size(); ++i) b(i) = random.uniform(-0.3, 0.3);
  Mlp<double>::Matrix x(7, net.input_dim());
  Mlp<double>::Vector y(7);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = random.normal();
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = static_cast<double>(i % 2);

  net.forward(x);
  net.backward(y);
  const auto weight_grads = net.weight_grads;
  const auto bias_grads = net.bias_grads;
  auto loss_at = [&] {
    net.forward(x);
    return net.loss(y);
  };
  const double h = 1e-6;
  auto check = [&](double& parameter, double analytic) {
    const double saved = parameter;
    parameter = saved + h;
    const double up = loss_at();
    parameter = saved - h;
    const double down = loss_at();
    parameter = saved;
    CHECK(analytic == Approx((up - down) / (2 * h)).margin(1e-8).epsilon(1e-5));
  };
  for (std::size_t l = 0; l < net.weights.size(); ++l) {
    for (Eigen::Index i = 0; i < net.weights[l].size(); ++i)
      check(net.weights[l].data()[i], weight_grads[l].data()[i]);
    for (Eigen::Index i = 0; i < net.biases[l].size(); ++i)
      check(net.biases[l](i), bias_grads[l](i));
  }
}

}  // namespace

TEST_CASE("every gradient matches central finite differences", "[nn][gradients]") {
  RandomStream init(5);
  Mlp<double> net(4, {6, 5, 3}, init);
  check_gradients(net, init);
}

TEST_CASE("residual networks: gradients match finite differences", "[nn][gradients][residual]") {
  RandomStream init(8);
  Mlp<double> net(4, {5, 5, 5, 5}, init, true);
  CHECK(net.residual());
  check_gradients(net, init);
}

TEST_CASE("residual networks: hand-computed forward pass and their widths", "[nn][residual]") {
  // 1 input -> hidden 1 (plain) -> hidden 2 (residual) -> logit, zero biases, x = 1:
  // a1 = relu(0.5) = 0.5; a2 = a1 + relu(2 a1) = 1.5; z = 1.5 * 1.5 = 2.25. With w2 = -2 the
  // branch is relu(-1) = 0 and a2 = a1 = 0.5, z = 0.75.
  RandomStream init(0);
  Mlp<double> net(1, {1, 1}, init, true);
  net.weights[0](0, 0) = 0.5;
  net.weights[1](0, 0) = 2.0;
  net.weights[2](0, 0) = 1.5;
  Mlp<double>::Matrix x(1, 1);
  x(0, 0) = 1;
  CHECK(net.forward(x)(0, 0) == 2.25);
  CHECK(net.activation(0)(0, 0) == 0.5);
  CHECK(net.activation(1)(0, 0) == 1.5);
  net.weights[1](0, 0) = -2.0;
  CHECK(net.forward(x)(0, 0) == 0.75);
  CHECK(net.activation(1)(0, 0) == 0.5);

  CHECK_THROWS_WITH(Mlp<double>(2, {5, 4}, init, true),
                    Contains("residual network needs equal hidden widths, got 5 and 4"));
  const Architecture residual = parse_architecture("residual-25", 3);
  CHECK(residual.residual);
  CHECK(residual.widths == std::vector<int>{25, 25, 25});
  CHECK(hidden_widths("residual-7", 2) == std::vector<int>{7, 7});
  CHECK(hidden_widths("width-15", 3) == std::vector<int>{15, 15, 15});
  CHECK_FALSE(parse_architecture("width-15", 3).residual);
  CHECK_THROWS_WITH(parse_architecture("width-x", 2), Contains("unknown architecture 'width-x'"));
  CHECK_FALSE(parse_architecture("narrow", 2).residual);
  CHECK_THROWS_WITH(parse_architecture("residual-", 2),
                    Contains("unknown architecture 'residual-'"));
  CHECK_THROWS_WITH(parse_architecture("residual-0", 2),
                    Contains("unknown architecture 'residual-0'"));
  CHECK_THROWS_WITH(parse_architecture("residual-25", 0), Contains("depth 0"));
}

TEST_CASE("0 epochs evaluates the initial network: the untrained control", "[nn][untrained]") {
  const auto d = data::load_problem(data::parse_problem("circles"), {}, 0);
  RandomStream init(3), shuffle(4);
  Mlp<float> net(2, {25, 25}, init);
  const auto weights = net.weights;
  TrainOptions none;
  none.epochs = 0;
  const TrainResult result = train(net, d, none, shuffle);
  CHECK(result.completed);
  CHECK(result.history.empty());
  for (std::size_t l = 0; l < weights.size(); ++l) CHECK(net.weights[l] == weights[l]);
  // The test accuracy is the initial network's, counted here from its logits.
  net.forward(d.test_x.cast<float>());
  std::size_t hits = 0;
  for (Eigen::Index i = 0; i < net.logits().rows(); ++i)
    hits += (net.logits()(i, 0) > 0.0f) == (d.test_y[static_cast<std::size_t>(i)] > 0);
  CHECK(result.test_accuracy == static_cast<double>(hits) / static_cast<double>(d.test_y.size()));
  none.epochs = -1;
  CHECK_THROWS_WITH(train(net, d, none, shuffle), Contains("epochs must be at least 0, got -1"));
}

namespace {

// 1 input -> 1 hidden ReLU unit -> logit, w1 = 0.5, w2 = 2, zero biases; x = 1, y = 1:
// a1 = 0.5, z = 1, sigmoid(1) = 0.7310585786, delta = -0.2689414214,
// gradients dW2 = -0.1344707107, db2 = -0.2689414214, dW1 = db1 = -0.5378828427.
Mlp<double> tiny_net() {
  RandomStream init(0);
  Mlp<double> net(1, {1}, init);
  net.weights[0](0, 0) = 0.5;
  net.weights[1](0, 0) = 2.0;
  Mlp<double>::Matrix x(1, 1);
  x(0, 0) = 1;
  Mlp<double>::Vector y(1);
  y(0) = 1;
  net.forward(x);
  CHECK(net.loss(y) == Approx(0.3132616875182228));
  net.backward(y);
  CHECK(net.weight_grads[1](0, 0) == Approx(-0.13447071068499755));
  CHECK(net.bias_grads[0](0) == Approx(-0.5378828427399902));
  return net;
}

}  // namespace

TEST_CASE("one RMSprop step, hand-computed", "[nn][optimizer]") {
  // From v = 0: v = 0.1 g^2, w -= 1e-3 g / sqrt(0.1 g^2 + 1e-7): about 1e-3 * sqrt(10) against the
  // sign of g.
  auto net = tiny_net();
  Optimizer<double> rmsprop(net, OptimizerSettings{});
  rmsprop.step(net);
  CHECK(net.weights[1](0, 0) == Approx(2.003162190222898).epsilon(1e-12));
  CHECK(net.biases[1](0) == Approx(0.0031622558001708043).epsilon(1e-12));
  CHECK(net.weights[0](0, 0) == Approx(0.5031622721951264).epsilon(1e-12));
  CHECK(net.biases[0](0) == Approx(0.003162272195126485).epsilon(1e-12));
}

TEST_CASE("one Adam step, hand-computed", "[nn][optimizer]") {
  // Step 1: lr_t = 1e-3 sqrt(1 - 0.999) / (1 - 0.9); m = 0.1 g; v = 0.001 g^2: about 1e-3 against
  // sign(g).
  auto net = tiny_net();
  OptimizerSettings settings;
  settings.kind = OptimizerKind::adam;
  Optimizer<double> adam(net, settings);
  adam.step(net);
  CHECK(net.weights[1](0, 0) == Approx(2.000999976484074).epsilon(1e-12));
  CHECK(net.biases[1](0) == Approx(0.0009999882418986951).epsilon(1e-12));
  CHECK(net.weights[0](0, 0) == Approx(0.5009999941209148).epsilon(1e-12));
}

namespace {

struct Trained {
  Mlp<float> net;
  TrainResult result;
  Activations acts;
};

Trained train_run(const std::string& problem, const std::string& arch, int depth,
                  std::uint64_t seed, TrainOptions options = {}) {
  const auto p = data::parse_problem(problem);
  const auto d = data::load_problem(p, {}, seed);
  RunStreams streams(seed, problem, arch, depth);
  Trained t{
      Mlp<float>(static_cast<int>(d.train_x.cols()), hidden_widths(arch, depth), streams.init),
      {},
      {}};
  t.result = train(t.net, d, options, streams.shuffle);
  t.acts = hidden_activations(t.net, d.test_x);
  return t;
}

}  // namespace

TEST_CASE("training is bitwise reproducible from the seed", "[nn][determinism]") {
  TrainOptions quick;
  quick.epochs = 3;
  const auto a = train_run("synthetic-c", "bottleneck", 5, 11, quick);
  const auto b = train_run("synthetic-c", "bottleneck", 5, 11, quick);
  const auto c = train_run("synthetic-c", "bottleneck", 5, 12, quick);
  for (std::size_t l = 0; l < a.net.weights.size(); ++l)
    CHECK(a.net.weights[l] == b.net.weights[l]);
  REQUIRE(a.acts.hidden.size() == 5);
  for (std::size_t l = 0; l < 5; ++l) CHECK(a.acts.hidden[l] == b.acts.hidden[l]);
  CHECK(a.result.history.back().loss == b.result.history.back().loss);
  CHECK(a.net.weights[0] != c.net.weights[0]);
  CHECK(a.acts.hidden[2].cols() == 25);
  CHECK(a.acts.hidden[0].rows() == 1000);
  CHECK(a.acts.hidden[0].minCoeff() >= 0.0);
}

TEST_CASE("synthetic-a reaches > 0.99 test accuracy with the paper setting", "[nn][accuracy]") {
  for (std::uint64_t seed : {0, 1, 2}) {
    const auto t = train_run("synthetic-a", "wide", 5, seed);
    INFO("seed " << seed);
    CHECK(t.result.test_accuracy > 0.99);
    CHECK(t.result.history.size() == 50);
    CHECK(std::isfinite(t.result.val_accuracy));
  }
}

TEST_CASE("the follow-up mode trains full-batch until 99% training accuracy", "[nn][followup]") {
  TrainOptions followup;
  followup.mode = TrainMode::until_accuracy;
  followup.optimizer.kind = OptimizerKind::adam;
  followup.validation_split = 0;
  followup.epochs = 20000;
  const auto t = train_run("circles", "wide", 5, 0, followup);
  CHECK(t.result.history.back().accuracy >= 0.99);
  CHECK(t.result.history.size() < 20000);
  CHECK(std::isnan(t.result.val_accuracy));
}

TEST_CASE("a diverging network is a clear error and bad options are rejected", "[nn][errors]") {
  auto d = data::load_problem(data::parse_problem("circles"), {}, 0);
  d.train_x *= 1e30f;
  RandomStream init(0), shuffle(1);
  Mlp<float> net(2, {25, 25}, init);
  // Batch 1's loss is huge but finite (logits ~1e31 < FLT_MAX); its gradients overflow, the RMSprop
  // step turns the weights into NaN, and batch 2's loss is the first non-finite one.
  CHECK_THROWS_WITH(train(net, d, TrainOptions{}, shuffle),
                    Contains("training diverged") && Contains("epoch 1, batch 2"));
  TrainOptions bad;
  bad.batch_size = 0;
  CHECK_THROWS_WITH(train(net, d, bad, shuffle), Contains("batch_size must be at least 1, got 0"));
  bad = {};
  bad.validation_split = 1.0;
  CHECK_THROWS_WITH(train(net, d, bad, shuffle), Contains("validation_split"));
  Mlp<float> three_inputs(3, {4}, init);
  CHECK_THROWS_WITH(train(three_inputs, d, TrainOptions{}, shuffle),
                    Contains("takes 3 inputs but circles has 2"));
}
