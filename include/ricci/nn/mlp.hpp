#pragma once
// A ReLU multilayer perceptron with one sigmoid output unit (docs/method.md §6), in Eigen.
//
// Layout: a batch is B x features (one point per row, column-major storage); layer l maps
// Z_l = A_{l-1} W_l + 1 b_l^T, A_l = relu(Z_l); the output is the logit z = A_L w + b. Scratch
// matrices live in the network and are reused from batch to batch.
//
// The follow-up's residual variant (docs/method.md §6) keeps the first hidden layer as it is and
// adds a skip connection around every later one: A_l = A_{l-1} + relu(Z_l), l >= 2, which needs
// equal widths from the first hidden layer on.
#include <Eigen/Core>
#include <vector>

#include "ricci/core/random.hpp"

namespace ricci::nn {

template <class Scalar>
class Mlp {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

  Mlp() = default;
  // Glorot-uniform weights (limit sqrt(6 / (fan_in + fan_out)), drawn layer by layer in row-major
  // order of W_l, the output layer last) and zero biases.
  // `residual`: the residual variant; throws ricci::Error("nn", ...) when the widths differ.
  Mlp(int input_dim, const std::vector<int>& hidden, RandomStream& init, bool residual = false);

  int input_dim() const { return static_cast<int>(weights.front().rows()); }
  int hidden_layers() const { return static_cast<int>(weights.size()) - 1; }
  bool residual() const { return residual_; }

  // Parameters: weights[l] is fan_in x fan_out, biases[l] has fan_out entries; the last pair is the
  // output layer (fan_out 1).
  std::vector<Matrix> weights;
  std::vector<RowVector> biases;

  // Forward pass on a batch; keeps what backward() needs. Returns the logits (B x 1).
  const Matrix& forward(const Eigen::Ref<const Matrix>& x);
  // Mean binary cross-entropy of the last forward() against labels y (0/1), numerically stable.
  Scalar loss(const Vector& y) const;
  // Gradients of loss() for the last forward(), into weight_grads / bias_grads.
  void backward(const Vector& y);
  std::vector<Matrix> weight_grads;
  std::vector<RowVector> bias_grads;

  // Activations of hidden layer l (0-based) from the last forward(): post-ReLU, and in the residual
  // variant the block's output A_l (skip plus branch).
  const Matrix& activation(int l) const { return activations_[static_cast<std::size_t>(l) + 1]; }
  const Matrix& logits() const { return activations_.back(); }

 private:
  // Whether hidden layer l (0-based) has a skip connection: the residual variant's l >= 1.
  bool skips(std::size_t l) const { return residual_ && l >= 1 && l + 1 < weights.size(); }

  bool residual_ = false;
  // activations_[0] = input copy, [1..L] = hidden layers' outputs, [L+1] = logits
  std::vector<Matrix> activations_;
  // branch_[l] = relu(Z_{l+1}) of a layer with a skip connection (its ReLU derivative cannot be
  // read off the sum); empty for the others.
  std::vector<Matrix> branch_;
  Matrix delta_, delta_prev_, skip_delta_;
};

extern template class Mlp<float>;
extern template class Mlp<double>;

// log(1 + exp(-|z|)) + max(z, 0) - z y: the stable form of the sigmoid cross-entropy.
template <class Scalar>
Scalar sigmoid_cross_entropy(Scalar logit, Scalar label) {
  using std::abs, std::exp, std::log1p, std::max;
  return max(logit, Scalar(0)) - logit * label + log1p(exp(-abs(logit)));
}

}  // namespace ricci::nn
