#pragma once
// Optimisers with TensorFlow/Keras update rules, as the paper's R keras code ran them.
//
// RMSprop (tf ApplyRMSProp, momentum 0): v <- rho v + (1 - rho) g^2;  w <- w - lr g / sqrt(v + eps)
// Adam    (tf ApplyAdam):                m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
//                                        w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) +
//                                        eps)
#include <vector>

#include "ricci/nn/mlp.hpp"

namespace ricci::nn {

enum class OptimizerKind { rmsprop, adam };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::rmsprop;
  double learning_rate = 1e-3;
  double rho = 0.9;                   // RMSprop
  double beta1 = 0.9, beta2 = 0.999;  // Adam
  double epsilon = 1e-7;
};

template <class Scalar>
class Optimizer {
 public:
  Optimizer(const Mlp<Scalar>& net, const OptimizerSettings& settings);
  // One update of every parameter of `net` from its current gradients.
  void step(Mlp<Scalar>& net);

 private:
  OptimizerSettings settings_;
  long steps_ = 0;
  std::vector<typename Mlp<Scalar>::Matrix> first_w_, second_w_;
  std::vector<typename Mlp<Scalar>::RowVector> first_b_, second_b_;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace ricci::nn
