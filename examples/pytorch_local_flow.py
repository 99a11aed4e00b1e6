"""Train a small PyTorch MLP on synthetic-a and measure its Ricci flow from Python, notebook-style.

synthetic-a is the follow-up's pair of interleaved spiral sheets (docs/method.md "Synthetic data": class c on
the arm r = t, angle t + c*pi, t in [pi/2, 3pi], radius jittered by N(0, 0.08^2), extruded along z in [0, 1],
x and y scaled by 1/(3 pi)), generated here with numpy. After training, the hidden ReLU layers' activations on
the test points are the activation stack; ricci_flow measures them and we print the paper's global Ricci
coefficient per k with the pooled k*, and the follow-up's local coefficients (mean rho(x), the share of
points with rho(x) < 0, and the layer coefficients rho(l)).

    PYTHONPATH=build/release/python /usr/bin/python3 examples/pytorch_local_flow.py [--quick]

--quick trains fewer points for fewer epochs (a few seconds; what ctest runs). Without PyTorch it says so and
exits with 77, which ctest reports as skipped.
"""
import argparse
import math
import sys
import time

import numpy as np

try:
    import torch
except ImportError:
    print("pytorch_local_flow.py needs PyTorch (Debian: python3-torch)", file=sys.stderr)
    sys.exit(77)

import ricci_flow
import ricci_flow.torch  # noqa: F401  (ricci_flow.torch.activations)


def synthetic_a(rng, per_class, noise=0.08):
    t = rng.uniform(math.pi / 2, 3 * math.pi, 2 * per_class)
    c = np.repeat([0, 1], per_class)
    r = t + noise * rng.normal(size=t.size)
    angle = t + c * math.pi
    X = np.stack([r * np.cos(angle) / (3 * math.pi), r * np.sin(angle) / (3 * math.pi), rng.uniform(size=t.size)], 1)
    return X.astype(np.float32), c.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 points per class, 150 epochs")
    args = parser.parse_args()
    per_class, epochs = (200, 150) if args.quick else (500, 400)
    ks = [10, 20, 30] if args.quick else [10, 20, 30, 50, 90]

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_train, y_train = synthetic_a(rng, per_class)
    X_test, y_test = synthetic_a(rng, per_class)
    width, depth = 25, 6
    blocks = [torch.nn.Linear(3, width), torch.nn.ReLU()]
    for _ in range(depth - 1):
        blocks += [torch.nn.Linear(width, width), torch.nn.ReLU()]
    model = torch.nn.Sequential(*blocks, torch.nn.Linear(width, 1))

    # Full-batch Adam on the logistic loss: a few seconds on one CPU core.
    start = time.perf_counter()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.tensor(X_train), torch.tensor(y_train)
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        accuracy = ((model(torch.tensor(X_test)).squeeze(1) > 0).float().numpy() == y_test).mean()
    print("trained %d hidden layers x %d on %d points in %.1f s: test accuracy %.3f"
          % (depth, width, len(X_train), time.perf_counter() - start, accuracy))

    # The whole analysis: the hidden ReLU layers on the test points, batches of 100.
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X_test)), batch_size=100)
    stack = ricci_flow.torch.activations(model, loader)
    start = time.perf_counter()
    result = ricci_flow.analyze(stack, k=ks, curvature=["forman", "augmented-forman"], local=True)
    print("measured %d layers of %d points at k = %s in %.2f s\n"
          % (len(stack), result["n"], ks, time.perf_counter() - start))

    def text(value, digits=3):
        return "-" if value is None else "%.*f" % (digits, value)

    print("%4s  %8s  %8s  %-22s  %10s  %8s  %s" % ("k", "rho", "p", "(reason)", "mean rho(x)", "share<0",
                                                  "rho(l), l = 1..%d" % (len(stack) - 1)))
    for r in result["results"]:
        local = r["local"]["forman"]
        print("%4d  %8s  %8s  %-22s  %10s  %8s  %s"
              % (r["k"], text(r["rho"]), text(r["p"]), "(%s)" % r["reason"] if r["reason"] else "",
                 text(local["mean"]), text(local["negative_share"]),
                 " ".join(text(v, 2) for v in local["layer_rho"])))
    for r in result["results"]:
        g = r["global"]["augmented-forman"]
        print("k = %d: augmented Forman global rho = %s, local mean rho(x) = %s"
              % (r["k"], text(g["rho"]), text(r["local"]["augmented-forman"]["mean"])))
    print("\npooled Forman coefficient per k: %s; k* = %s"
          % (", ".join("%d: %s" % (p["k"], text(p["rho"])) for p in result["pooled"]), result["k_star"]))


if __name__ == "__main__":
    main()
