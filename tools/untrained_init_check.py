"""Does the initialisation decide the sign of the untrained global coefficient on four-discs?

docs/followup.md: our untrained depth-10, width-25 networks on four-discs give a global coefficient of
+0.18 (4/10 negative) where the follow-up's notebook reports -0.33 (10/10). Our networks start from
Glorot-uniform weights and zero biases (docs/method.md §6); the follow-up's are PyTorch modules, whose
nn.Linear default draws weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)). This script measures
both initialisations on the same test points with the same engine (the ricci_flow module), so only the
initialisation differs:

  PYTHONPATH=build/release/python /usr/bin/python3 tools/untrained_init_check.py [--networks 10]

Four-discs is generated here from its definition (docs/method.md §5: uniform in the unit disc, class 1
inside four discs of radius 0.2 at (0, ±0.5), (±0.5, 0); 500 + 500 balanced test points), not by the
engine's generator: both initialisations see the same points, which is what the comparison needs. The
measurement is the follow-up's: k = 50, union graph, Forman, their layer list (inputs, the hidden layers,
the sigmoid output).
"""
import argparse

import numpy as np
import torch

import ricci_flow


def four_discs(rng, per_class):
    centres = np.array([[0, 0.5], [0, -0.5], [0.5, 0], [-0.5, 0]])
    points = {0: [], 1: []}
    while min(len(points[0]), len(points[1])) < per_class:
        p = rng.uniform(-1, 1, 2)
        if p @ p > 1:
            continue
        label = int(np.min(np.linalg.norm(centres - p, axis=1)) < 0.2)
        if len(points[label]) < per_class:
            points[label].append(p)
    return np.vstack(points[0] + points[1])


def network(depth, width, init, seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(2, width)] + [torch.nn.Linear(width, width) for _ in range(depth - 1)]
    layers.append(torch.nn.Linear(width, 1))
    if init == "glorot":
        for layer in layers:
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return layers  # "pytorch": nn.Linear's own default initialisation, untouched


def stack(layers, x):
    hidden = []
    with torch.no_grad():
        h = torch.tensor(x, dtype=torch.float64)
        for layer in layers[:-1]:
            h = torch.relu(layer.double()(h))
            hidden.append(h.numpy().copy())
        output = torch.sigmoid(layers[-1].double()(h)).numpy().copy()
    return hidden, output


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=10)
    args = parser.parse_args()
    x = four_discs(np.random.default_rng(0), 500)
    print("| initialisation | global ρ (Forman), mean | negative | per network |")
    print("|---|---|---|---|")
    for init in ("glorot", "pytorch"):
        rhos = []
        for seed in range(args.networks):
            hidden, output = stack(network(10, 25, init, seed), x)
            result = ricci_flow.analyze(hidden, k=50, curvature="forman", graph="union",
                                        layers_list="all", input=x, output=output)
            rho = result["results"][0]["rho"]
            rhos.append(np.nan if rho is None else rho)
        rhos = np.array(rhos)
        print("| %s | %+.2f | %d/%d | %s |" % (init, np.nanmean(rhos), np.sum(rhos < 0), len(rhos),
                                              " ".join("%+.2f" % r for r in rhos)))


if __name__ == "__main__":
    main()
