#include "ricci/nn/mlp.hpp"

#include <cmath>
#include <string>

#include "ricci/core/error.hpp"

namespace ricci::nn {

template <class Scalar>
Mlp<Scalar>::Mlp(int input_dim, const std::vector<int>& hidden, RandomStream& init, bool residual)
    : residual_(residual) {
  if (residual)
    for (std::size_t l = 1; l < hidden.size(); ++l)
      if (hidden[l] != hidden[0])
        throw Error("nn", "a residual network needs equal hidden widths, got " +
                              std::to_string(hidden[0]) + " and " + std::to_string(hidden[l]));
  std::vector<int> sizes{input_dim};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(1);
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const int fan_in = sizes[l], fan_out = sizes[l + 1];
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    Matrix w(fan_in, fan_out);
    for (int r = 0; r < fan_in; ++r)
      for (int c = 0; c < fan_out; ++c) w(r, c) = static_cast<Scalar>(init.uniform(-limit, limit));
    weights.push_back(std::move(w));
    biases.push_back(RowVector::Zero(fan_out));
  }
  weight_grads.resize(weights.size());
  bias_grads.resize(biases.size());
  activations_.resize(weights.size() + 1);
  branch_.resize(weights.size());
}

template <class Scalar>
const typename Mlp<Scalar>::Matrix& Mlp<Scalar>::forward(const Eigen::Ref<const Matrix>& x) {
  activations_[0] = x;
  const std::size_t layers = weights.size();
  for (std::size_t l = 0; l < layers; ++l) {
    Matrix& out = skips(l) ? branch_[l] : activations_[l + 1];
    out.noalias() = activations_[l] * weights[l];
    out.rowwise() += biases[l];
    if (l + 1 < layers) out = out.cwiseMax(Scalar(0));
    if (skips(l)) activations_[l + 1] = activations_[l] + branch_[l];
  }
  return activations_.back();
}

template <class Scalar>
Scalar Mlp<Scalar>::loss(const Vector& y) const {
  const Matrix& z = activations_.back();
  Scalar sum = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) sum += sigmoid_cross_entropy(z(i, 0), y(i));
  return sum / static_cast<Scalar>(z.rows());
}

template <class Scalar>
void Mlp<Scalar>::backward(const Vector& y) {
  const Matrix& z = activations_.back();
  const auto batch = static_cast<Scalar>(z.rows());
  // d(mean BCE)/dz = (sigmoid(z) - y) / B
  delta_.resize(z.rows(), 1);
  for (Eigen::Index i = 0; i < z.rows(); ++i)
    delta_(i, 0) = (Scalar(1) / (Scalar(1) + std::exp(-z(i, 0))) - y(i)) / batch;

  // delta_ = dLoss/dZ of layer l; skip_delta_ = dLoss/dA_{l+1} while layer l has a skip
  // connection, which carries it unchanged to A_l.
  for (std::size_t l = weights.size(); l-- > 0;) {
    const Matrix& input = activations_[l];
    weight_grads[l].noalias() = input.transpose() * delta_;
    bias_grads[l] = delta_.colwise().sum();
    if (l == 0) break;                                        // no gradient for the data
    delta_prev_.noalias() = delta_ * weights[l].transpose();  // dLoss/dA_l through W_l
    if (skips(l)) delta_prev_ += skip_delta_;
    // Layer l - 1 made A_l; with a skip connection dLoss/dA_l also flows to A_{l-1} unchanged.
    if (skips(l - 1)) skip_delta_ = delta_prev_;
    // ReLU'(Z) from the post-ReLU value: positive exactly where Z was.
    const Matrix& relu = skips(l - 1) ? branch_[l - 1] : input;
    delta_prev_.array() *= (relu.array() > Scalar(0)).template cast<Scalar>();
    std::swap(delta_, delta_prev_);
  }
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace ricci::nn
