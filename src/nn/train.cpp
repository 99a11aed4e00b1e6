#include "ricci/nn/train.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::nn {

namespace {

using Net = Mlp<float>;
constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

void validate(const TrainOptions& o, Eigen::Index n_train) {
  auto bad = [](const std::string& what) { throw Error("nn", what); };
  // 0 epochs is the untrained control (docs/method.md §6): the initialised network, evaluated.
  if (o.epochs < 0) bad("epochs must be at least 0, got " + std::to_string(o.epochs));
  if (o.batch_size < 1) bad("batch_size must be at least 1, got " + std::to_string(o.batch_size));
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    bad("validation_split must lie in [0, 1), got " + std::to_string(o.validation_split));
  if (!(o.optimizer.learning_rate > 0 && std::isfinite(o.optimizer.learning_rate)))
    bad("learning_rate must be positive, got " + std::to_string(o.optimizer.learning_rate));
  if (!(o.optimizer.epsilon > 0))
    bad("epsilon must be positive, got " + std::to_string(o.optimizer.epsilon));
  for (std::size_t i = 0; i < o.snapshot_epochs.size(); ++i)
    if (o.snapshot_epochs[i] < 0 || o.snapshot_epochs[i] > o.epochs ||
        (i > 0 && o.snapshot_epochs[i] <= o.snapshot_epochs[i - 1]))
      bad("snapshot epochs must ascend within 0.." + std::to_string(o.epochs) + ", got " +
          std::to_string(o.snapshot_epochs[i]));
  if (static_cast<double>(n_train) * (1 - o.validation_split) < 1)
    bad("no training points left after the validation split");
}

// Gathers rows `indices[first, first + count)` of (x, y) into a batch.
void gather(const data::InputMatrix& x, const std::vector<std::uint8_t>& y,
            const std::vector<Eigen::Index>& indices, std::size_t first, std::size_t count,
            Net::Matrix& xb, Net::Vector& yb) {
  xb.resize(static_cast<Eigen::Index>(count), x.cols());
  yb.resize(static_cast<Eigen::Index>(count));
  for (std::size_t r = 0; r < count; ++r) {
    const Eigen::Index i = indices[first + r];
    xb.row(static_cast<Eigen::Index>(r)) = x.row(i);
    yb(static_cast<Eigen::Index>(r)) = y[static_cast<std::size_t>(i)];
  }
}

std::size_t correct(const Net::Matrix& logits, const Net::Vector& y) {
  std::size_t hits = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) hits += (logits(i, 0) > 0.0f) == (y(i) > 0.5f);
  return hits;
}

struct Evaluation {
  double loss, accuracy;
};

Evaluation evaluate(Net& net, const data::InputMatrix& x, const std::vector<std::uint8_t>& y,
                    const std::vector<Eigen::Index>& indices) {
  if (indices.empty()) return {not_available, not_available};
  constexpr std::size_t chunk = 1024;
  Net::Matrix xb;
  Net::Vector yb;
  double loss = 0;
  std::size_t hits = 0;
  for (std::size_t first = 0; first < indices.size(); first += chunk) {
    const std::size_t count = std::min(chunk, indices.size() - first);
    gather(x, y, indices, first, count, xb, yb);
    net.forward(xb);
    loss += static_cast<double>(net.loss(yb)) * static_cast<double>(count);
    hits += correct(net.logits(), yb);
  }
  return {loss / static_cast<double>(indices.size()),
          static_cast<double>(hits) / static_cast<double>(indices.size())};
}

std::vector<Eigen::Index> all_rows(Eigen::Index n) {
  std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), Eigen::Index{0});
  return rows;
}

}  // namespace

double accuracy(Net& net, const data::InputMatrix& x, const std::vector<std::uint8_t>& y) {
  return evaluate(net, x, y, all_rows(x.rows())).accuracy;
}

TrainResult train(Net& net, const data::Dataset& data, const TrainOptions& o, RandomStream& shuffle,
                  const SnapshotHook& on_snapshot) {
  const auto start = std::chrono::steady_clock::now();
  validate(o, data.train_x.rows());
  if (net.input_dim() != data.train_x.cols())
    throw Error("nn", "the network takes " + std::to_string(net.input_dim()) + " inputs but " +
                          data.problem + " has " + std::to_string(data.train_x.cols()) +
                          " features");

  // Validation split, as Keras does it (split point = floor(n * (1 - split))) on either the array
  // order (keras_last) or a seeded permutation (random).
  std::vector<Eigen::Index> order = all_rows(data.train_x.rows());
  if (o.split == SplitMode::random && o.validation_split > 0) shuffle.shuffle(order);
  const auto split_at =
      static_cast<std::size_t>(static_cast<double>(order.size()) * (1.0 - o.validation_split));
  std::vector<Eigen::Index> fit(order.begin(),
                                order.begin() + static_cast<std::ptrdiff_t>(split_at));
  const std::vector<Eigen::Index> held_out(order.begin() + static_cast<std::ptrdiff_t>(split_at),
                                           order.end());

  Optimizer<float> optimizer(net, o.optimizer);
  const bool full_batch = o.mode == TrainMode::until_accuracy;
  const std::size_t batch = full_batch ? fit.size() : static_cast<std::size_t>(o.batch_size);
  Net::Matrix xb;
  Net::Vector yb;
  TrainResult result;

  // Snapshots: full evaluations, then the hook; nothing here touches the parameters, the optimizer
  // state or the shuffle stream.
  auto next_snapshot = o.snapshot_epochs.begin();
  const auto take_snapshot = [&](int epoch) {
    if (next_snapshot == o.snapshot_epochs.end() || *next_snapshot != epoch) return;
    ++next_snapshot;
    if (!on_snapshot) return;
    const auto snapshot_start = std::chrono::steady_clock::now();
    SnapshotState state;
    state.epoch = epoch;
    const Evaluation train_part = evaluate(net, data.train_x, data.train_y, fit);
    const Evaluation test = evaluate(net, data.test_x, data.test_y, all_rows(data.test_x.rows()));
    state.train_loss = train_part.loss;
    state.train_accuracy = train_part.accuracy;
    state.test_loss = test.loss;
    state.test_accuracy = test.accuracy;
    on_snapshot(state, net);
    result.snapshot_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - snapshot_start).count();
  };
  take_snapshot(0);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    if (!full_batch) shuffle.shuffle(fit);
    double loss_sum = 0;
    std::size_t hits = 0, batch_no = 0;
    for (std::size_t first = 0; first < fit.size(); first += batch, ++batch_no) {
      const std::size_t count = std::min(batch, fit.size() - first);
      gather(data.train_x, data.train_y, fit, first, count, xb, yb);
      net.forward(xb);
      const float loss = net.loss(yb);
      if (!std::isfinite(loss))
        throw Error("nn", "training diverged: the loss is " + std::to_string(loss) + " at epoch " +
                              std::to_string(epoch) + ", batch " + std::to_string(batch_no + 1));
      loss_sum += static_cast<double>(loss) * static_cast<double>(count);
      hits += correct(net.logits(), yb);
      net.backward(yb);
      optimizer.step(net);
    }
    EpochRecord record;
    record.loss = loss_sum / static_cast<double>(fit.size());
    record.accuracy = static_cast<double>(hits) / static_cast<double>(fit.size());
    const Evaluation val = evaluate(net, data.train_x, data.train_y, held_out);
    record.val_loss = val.loss;
    record.val_accuracy = val.accuracy;
    result.history.push_back(record);
    take_snapshot(epoch);
    if (full_batch && record.accuracy >= o.target_train_accuracy) break;
  }
  for (const auto& param : net.weights)
    if (!param.allFinite())
      throw Error("nn", "training diverged: non-finite weights after training");

  result.train_accuracy = evaluate(net, data.train_x, data.train_y, fit).accuracy;
  result.val_accuracy = evaluate(net, data.train_x, data.train_y, held_out).accuracy;
  result.test_accuracy = accuracy(net, data.test_x, data.test_y);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() -
                   result.snapshot_seconds;
  result.completed = true;
  return result;
}

Activations hidden_activations(Net& net, const data::InputMatrix& x) {
  Net::Matrix input = x.cast<float>();
  net.forward(input);
  Activations out;
  for (int l = 0; l < net.hidden_layers(); ++l)
    out.hidden.push_back(net.activation(l).cast<double>());
  const auto& z = net.logits();
  out.probability.resize(static_cast<std::size_t>(z.rows()));
  for (Eigen::Index i = 0; i < z.rows(); ++i)
    out.probability[static_cast<std::size_t>(i)] =
        1.0 / (1.0 + std::exp(-static_cast<double>(z(i, 0))));
  return out;
}

}  // namespace ricci::nn
