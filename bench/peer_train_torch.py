"""PyTorch on one CPU thread, the same setting as bench_train: fmnist 784 -> 50 x depth -> 1, Glorot-uniform
weights, zero biases, RMSprop(lr 1e-3, alpha 0.9, eps 1e-7), batch 32 reshuffled every epoch, BCE with
logits, raw 0-255 pixels, a random 20% validation split (evaluated every epoch, as Keras does).

  /usr/bin/python3 bench/peer_train_torch.py [--problem fmnist-sandal-boot] [--depth 5] [--epochs 5] [--seeds 2]
"""
import argparse
import gzip
import time

import numpy as np
import torch

CLASSES = {"fmnist-sandal-boot": (5, 9), "fmnist-shirt-coat": (6, 4)}
DIR = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split, a, b):
    prefix = "train" if split == "train" else "t10k"
    x = idx(f"{DIR}/{prefix}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32)
    y = idx(f"{DIR}/{prefix}-labels-idx1-ubyte.gz")
    rows = np.concatenate([np.nonzero(y == a)[0], np.nonzero(y == b)[0]])
    return torch.from_numpy(x[rows]), torch.from_numpy((y[rows] == b).astype(np.float32))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--problem", default="fmnist-sandal-boot")
    p.add_argument("--depth", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seeds", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(1)
    a, b = CLASSES[args.problem]
    xtr, ytr = load("train", a, b)
    xte, yte = load("test", a, b)
    times, accs = [], []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        perm = torch.randperm(len(ytr))
        cut = int(len(ytr) * 0.8)
        fit, val = perm[:cut], perm[cut:]
        layers, width_in = [], 784
        for _ in range(args.depth):
            layers += [torch.nn.Linear(width_in, 50), torch.nn.ReLU()]
            width_in = 50
        layers.append(torch.nn.Linear(width_in, 1))
        net = torch.nn.Sequential(*layers)
        for m in net:
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(m.weight)
                torch.nn.init.zeros_(m.bias)
        opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        lossf = torch.nn.BCEWithLogitsLoss()
        t0 = time.perf_counter()
        for _ in range(args.epochs):
            order = fit[torch.randperm(len(fit))]
            for i in range(0, len(order), 32):
                idxs = order[i:i + 32]
                opt.zero_grad()
                loss = lossf(net(xtr[idxs]).squeeze(1), ytr[idxs])
                loss.backward()
                opt.step()
            with torch.no_grad():
                lossf(net(xtr[val]).squeeze(1), ytr[val])
        per_epoch = (time.perf_counter() - t0) / args.epochs
        with torch.no_grad():
            acc = ((net(xte).squeeze(1) > 0).float() == yte).float().mean().item()
        print(f"torch {args.problem} wide depth {args.depth} seed {seed}: {per_epoch:.4f} s/epoch, "
              f"test accuracy {acc:.4f} after {args.epochs} epochs", flush=True)
        times.append(per_epoch)
        accs.append(acc)
    print(f"torch summary: {np.mean(times):.4f} s/epoch, test accuracy mean {np.mean(accs):.4f} "
          f"min {np.min(accs):.4f} over {args.seeds} seeds, {sum(a > 0.98 for a in accs)} above 0.98")


if __name__ == "__main__":
    main()
