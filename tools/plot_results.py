#!/usr/bin/python3
"""Figures of a ricci-sweep results file, as PNG:

  /usr/bin/python3 tools/plot_results.py RESULTS.h5 OUTDIR [--query PATH/TO/ricci-query]

  pooled_vs_k.png      pooled coefficient versus k per problem, one line per architecture and depth,
                       k* marked (paper Fig. 3)
  eta_vs_ric.png       eta_l against Ric_l of one median network per problem at k*, coloured by layer (Fig. 4)
  accuracy_vs_z.png    test accuracy against z at k*, with the OLS t and p of `ricci-query association`
                       (Table S2)
  layer_profiles.png   mean g_l / g_1 and mean Ric_l per layer at k*, per architecture and depth

Every coefficient, k* and acceptance decision comes from `ricci-query summary/association --format json`,
the one implementation of docs/method.md §4; this script only draws. Needs Debian's python3-h5py and
python3-matplotlib.
"""
import argparse
import json
import os
import subprocess
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ricci_query_path import find_query  # noqa: E402



def run_query(query, *args):
    r = subprocess.run([query, *args], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), None


def label(group):
    return f"{group['architecture']}-{group['depth']}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("outdir")
    parser.add_argument("--query", help="path to ricci-query (default: the build tree, then PATH)")
    args = parser.parse_args()
    query = find_query(args.query, "plot_results.py")
    summary, error = run_query(query, "summary", args.results, "--format", "json")
    if summary is None:
        sys.exit(f"plot_results.py: {error}")
    association, association_error = run_query(query, "association", args.results, "--format", "json")
    os.makedirs(args.outdir, exist_ok=True)
    groups = summary["groups"]
    problems = list(dict.fromkeys(g["problem"] for g in groups))

    with h5py.File(args.results, "r") as f:
        k_all = f["flow/k"][()]
        g_all, ric_all = f["flow/g"][()], f["flow/ric"][()]
        rho_all, z_all = f["flow/rho"][()], f["flow/z"][()]
        accuracy = f["runs/test_accuracy"][()]
        n_test = f["runs/n_test"][()]

    def slot(run, k):
        return int(np.nonzero(k_all[run] == k)[0][0])

    written = []
    cols = len(problems)

    # Fig. 3: pooled coefficient versus k.
    fig, axes = plt.subplots(1, cols, figsize=(4.2 * cols, 3.6), squeeze=False)
    for ax, problem in zip(axes[0], problems):
        for g in (x for x in groups if x["problem"] == problem):
            ks = [p["k"] for p in g["pooled"] if p["rho"] is not None]
            rhos = [p["rho"] for p in g["pooled"] if p["rho"] is not None]
            if not ks:
                continue
            line, = ax.plot(ks, rhos, marker="o", ms=3, lw=1.2, label=label(g))
            if g["k_star"] is not None:
                best = next(p["rho"] for p in g["pooled"] if p["k"] == g["k_star"])
                ax.plot([g["k_star"]], [best], marker="*", ms=12, color=line.get_color(), mec="black", mew=0.5)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_xscale("log")
        ax.set_title(problem)
        ax.set_xlabel("k (neighbours)")
        ax.set_ylim(-1.05, 1.05)
    axes[0][0].set_ylabel("pooled Ricci coefficient")
    axes[0][-1].legend(fontsize=7, title="architecture-depth", title_fontsize=7)
    fig.suptitle("Pooled coefficient versus scale (★ = k*)", fontsize=10)
    fig.tight_layout()
    written.append(os.path.join(args.outdir, "pooled_vs_k.png"))
    fig.savefig(written[-1], dpi=130)
    plt.close(fig)

    # Fig. 4: eta_l against Ric_l of one representative network per problem (the accepted run of the
    # problem's deepest group whose rho at k* is the median), coloured by layer, in layer order.
    fig, axes = plt.subplots(1, cols, figsize=(4.2 * cols, 3.8), squeeze=False, layout="constrained")
    cmap = plt.get_cmap("viridis")
    for ax, problem in zip(axes[0], problems):
        candidates = []
        for g in (x for x in groups if x["problem"] == problem and x["k_star"] is not None):
            for run in g["at_k_star"]["runs"]:
                rho = rho_all[run, slot(run, g["k_star"])]
                if np.isfinite(rho):
                    candidates.append((g["depth"], rho, run, g))
        if not candidates:
            ax.set_title(f"{problem}: no accepted run")
            continue
        deepest = max(c[0] for c in candidates)
        pool = sorted((c for c in candidates if c[0] == deepest), key=lambda c: c[1])
        depth, rho, run, g = pool[len(pool) // 2]
        s = slot(run, g["k_star"])
        eta = np.diff(g_all[run, s, :depth])
        ric = ric_all[run, s, :depth - 1]
        ax.plot(ric, eta, color="lightgrey", lw=0.8, zorder=1)
        points = ax.scatter(ric, eta, c=np.arange(1, depth), cmap=cmap, vmin=1, vmax=depth - 1, s=30, zorder=2)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_title(f"{problem}\nrun {run} ({label(g)}), k* = {g['k_star']}, rho = {rho:.2f}", fontsize=9)
        ax.set_xlabel("Ric_l (Forman)")
        fig.colorbar(points, ax=ax, label="layer l")
    axes[0][0].set_ylabel("eta_l = g_{l+1} - g_l")
    fig.suptitle("Change of geodesic mass against curvature, one median network per problem", fontsize=10)
    written.append(os.path.join(args.outdir, "eta_vs_ric.png"))
    fig.savefig(written[-1], dpi=130)
    plt.close(fig)

    # Table S2: accuracy against z at k*.
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for problem in problems:
        zs, accs = [], []
        for g in (x for x in groups if x["problem"] == problem and x["k_star"] is not None):
            for run in g["at_k_star"]["runs"]:
                value = z_all[run, slot(run, g["k_star"])]
                if np.isfinite(value):
                    zs.append(value)
                    accs.append(accuracy[run])
        ax.scatter(zs, accs, s=8, alpha=0.6, label=problem)
    if association:
        zt = association["z"]
        ax.set_title(f"OLS accuracy ~ z + problem + arch + depth: t = {zt['t']:.2f}, p = {zt['p']:.3g}, "
                     f"n = {zt['n']}", fontsize=8)
    else:
        ax.set_title(f"association undefined: {association_error}", fontsize=7)
    ax.set_xlabel("z at k*")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    written.append(os.path.join(args.outdir, "accuracy_vs_z.png"))
    fig.savefig(written[-1], dpi=130)
    plt.close(fig)

    # Per-layer profiles of g (relative to layer 1) and Ric at k*.
    fig, axes = plt.subplots(2, cols, figsize=(4.2 * cols, 6), squeeze=False, sharex="col")
    for c, problem in enumerate(problems):
        for g in (x for x in groups if x["problem"] == problem and x["k_star"] is not None and x["at_k_star"]["runs"]):
            depth = g["depth"]
            rel, ric = [], []
            for run in g["at_k_star"]["runs"]:
                s = slot(run, g["k_star"])
                series = g_all[run, s, :depth]
                rel.append(series / series[0])
                ric.append(ric_all[run, s, :depth] / (n_test[run] * g["k_star"]))
            layers = np.arange(1, depth + 1)
            axes[0][c].plot(layers, np.mean(rel, axis=0), marker="o", ms=3, label=label(g))
            axes[1][c].plot(layers, np.mean(ric, axis=0), marker="o", ms=3, label=label(g))
        axes[0][c].set_title(problem)
        axes[1][c].set_xlabel("layer l")
    axes[0][0].set_ylabel("mean g_l / g_1")
    axes[1][0].set_ylabel("mean Ric_l / (n k)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle("Per-layer profiles at k* (accepted runs)", fontsize=10)
    fig.tight_layout()
    written.append(os.path.join(args.outdir, "layer_profiles.png"))
    fig.savefig(written[-1], dpi=130)
    plt.close(fig)

    for path in written:
        print(path)


if __name__ == "__main__":
    main()
