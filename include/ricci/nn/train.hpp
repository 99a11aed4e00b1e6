#pragma once
// Training a binary classifier and extracting its hidden activations (docs/method.md §1 steps 2-3,
// §6).
#include <functional>
#include <vector>

#include "ricci/core/random.hpp"
#include "ricci/core/types.hpp"
#include "ricci/data/dataset.hpp"
#include "ricci/nn/mlp.hpp"
#include "ricci/nn/optimizer.hpp"

namespace ricci::nn {

enum class SplitMode {
  random,      // a seeded random 20% (validation_split) of the training set
  keras_last,  // Keras' validation_split: the last 20% of the (class-ordered) training array
};

enum class TrainMode {
  epochs,          // the paper: mini-batches reshuffled every epoch for a fixed number of epochs
  until_accuracy,  // the follow-up: full batch until training accuracy >= target or max epochs
};

struct TrainOptions {
  OptimizerSettings optimizer;
  TrainMode mode = TrainMode::epochs;
  int epochs = 50;  // epochs mode; the cap in until_accuracy mode; 0 = evaluate the initial network
  int batch_size = 32;
  double validation_split = 0.2;
  SplitMode split = SplitMode::random;
  double target_train_accuracy = 0.99;  // until_accuracy mode
  // Epochs after which the network is handed to the snapshot hook (docs/method.md §6), ascending;
  // 0 = before the first update. Epochs the run does not reach (until_accuracy stops early) are
  // skipped.
  std::vector<int> snapshot_epochs;
};

// The network's state at a snapshot epoch: losses and accuracies of a full pass over the training
// part (after the validation split) and over the test set.
struct SnapshotState {
  int epoch = 0;
  double train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
};
// Receives the network at each snapshot epoch. It may forward data through the network (that only
// overwrites its scratch matrices, which the next batch recomputes) but must not change its
// parameters: snapshots leave training bit for bit as it is without them.
using SnapshotHook = std::function<void(const SnapshotState&, Mlp<float>& net)>;

struct EpochRecord {
  double loss = 0, accuracy = 0;          // over the epoch's batches (Keras' running means)
  double val_loss = 0, val_accuracy = 0;  // NaN when there is no validation set
};

struct TrainResult {
  bool completed = false;  // train() returned: the accuracies below are set (also after 0 epochs)
  std::vector<EpochRecord> history;
  double train_accuracy = 0;  // on the training part (after the split), after training
  double val_accuracy = 0;    // NaN without a validation set
  double test_accuracy = 0;
  double seconds = 0;           // wall time of training, snapshots excluded
  double snapshot_seconds = 0;  // wall time of the snapshots: their passes and the hook
};

struct Activations {
  std::vector<RowMatrix> hidden;    // layer l: n x width_l, post-ReLU, in double
  std::vector<double> probability;  // sigmoid output per point
};

// Trains `net` on data.train_*; evaluates on data.test_*. Mini-batch order and the random
// validation split draw from `shuffle`. Throws ricci::Error("nn", ...) when the loss becomes
// non-finite (naming the epoch and batch) or the options are invalid.
TrainResult train(Mlp<float>& net, const data::Dataset& data, const TrainOptions& options,
                  RandomStream& shuffle, const SnapshotHook& on_snapshot = {});

// Accuracy of `net` on (x, y), in batches.
double accuracy(Mlp<float>& net, const data::InputMatrix& x, const std::vector<std::uint8_t>& y);

// Forwards x and returns every hidden layer's activations and the output probabilities.
Activations hidden_activations(Mlp<float>& net, const data::InputMatrix& x);

}  // namespace ricci::nn
