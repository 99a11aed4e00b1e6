#include "ricci/nn/optimizer.hpp"

#include <cmath>

namespace ricci::nn {

template <class Scalar>
Optimizer<Scalar>::Optimizer(const Mlp<Scalar>& net, const OptimizerSettings& settings)
    : settings_(settings) {
  for (std::size_t l = 0; l < net.weights.size(); ++l) {
    first_w_.push_back(Mlp<Scalar>::Matrix::Zero(net.weights[l].rows(), net.weights[l].cols()));
    second_w_.push_back(first_w_.back());
    first_b_.push_back(Mlp<Scalar>::RowVector::Zero(net.biases[l].cols()));
    second_b_.push_back(first_b_.back());
  }
}

template <class Scalar>
void Optimizer<Scalar>::step(Mlp<Scalar>& net) {
  ++steps_;
  const auto lr = static_cast<Scalar>(settings_.learning_rate);
  const auto eps = static_cast<Scalar>(settings_.epsilon);
  auto update = [&](auto& w, const auto& g, auto& m, auto& v) {
    if (settings_.kind == OptimizerKind::rmsprop) {
      const auto rho = static_cast<Scalar>(settings_.rho);
      v.array() = rho * v.array() + (Scalar(1) - rho) * g.array().square();
      w.array() -= lr * g.array() / (v.array() + eps).sqrt();
    } else {
      const auto b1 = static_cast<Scalar>(settings_.beta1),
                 b2 = static_cast<Scalar>(settings_.beta2);
      const auto t = static_cast<double>(steps_);
      const auto lr_t = static_cast<Scalar>(settings_.learning_rate *
                                            std::sqrt(1.0 - std::pow(settings_.beta2, t)) /
                                            (1.0 - std::pow(settings_.beta1, t)));
      m.array() = b1 * m.array() + (Scalar(1) - b1) * g.array();
      v.array() = b2 * v.array() + (Scalar(1) - b2) * g.array().square();
      w.array() -= lr_t * m.array() / (v.array().sqrt() + eps);
    }
  };
  for (std::size_t l = 0; l < net.weights.size(); ++l) {
    update(net.weights[l], net.weight_grads[l], first_w_[l], second_w_[l]);
    update(net.biases[l], net.bias_grads[l], first_b_[l], second_b_[l]);
  }
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace ricci::nn
