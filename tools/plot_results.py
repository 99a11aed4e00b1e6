#!/usr/bin/python3
"""Figures of a ricci-sweep results file, as PNG:

  /usr/bin/python3 tools/plot_results.py RESULTS.h5 OUTDIR [--query PATH/TO/ricci-query]

  pooled_vs_k.png      pooled coefficient versus k per problem, one line per architecture and depth,
                       k* marked (paper Fig. 3)
  eta_vs_ric.png       eta_l against Ric_l of one median network per problem at k*, coloured by layer (Fig. 4)
  accuracy_vs_z.png    test accuracy against z at k*, with the OLS t and p of `ricci-query association`
                       (Table S2)
  layer_profiles.png   mean g_l / g_1 and mean Ric_l per layer at k*, per architecture and depth

and, for files with the follow-up's measurements (docs/followup.md):

  local_by_problem.png   the networks' mean local coefficient per problem and notion, trained runs
                         beside their untrained twins (files with [geometry] local = true)
  layer_rho_by_depth.png the layer coefficients rho(l) by transition, one line per depth, from
                         `ricci-query layers-profile` (local = true)
  dynamics.png           per problem and snapshot epoch: the mean local coefficient and the global rho
                         next to training and test accuracy, from `ricci-query dynamics`
                         ([geometry] snapshot_epochs)

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


def followup_figures(query, results, outdir):
    """The follow-up's three figures, for the files that hold their measurements; the paths written."""
    os.makedirs(outdir, exist_ok=True)
    written = []
    with h5py.File(results, "r") as f:
        has_local = int(f.attrs.get("local", 0)) == 1
        notions = f.attrs.get("notions", b"forman")
        notions = (notions.decode() if isinstance(notions, bytes) else notions).split(",")
        has_snapshots = "snapshots" in f and (f["snapshots/epoch"][()] >= 0).any()
        if has_local:
            text = lambda name: [v.decode() if isinstance(v, bytes) else v for v in f[name][()]]
            problem = text("runs/problem")
            status = f["runs/status"][()]
            untrained = f["runs/untrained"][()] if "untrained" in f["runs"] else np.zeros(len(problem))
            local_mean = f["local/mean"][()][:, 0, :]  # the first k slot
            first_k = int(f["flow/k"][0, 0])
    if has_local:
        problems = list(dict.fromkeys(problem))
        fig, axes = plt.subplots(1, len(notions), figsize=(4.6 * len(notions), 3.8), squeeze=False)
        for ax, (c, notion) in zip(axes[0], enumerate(notions)):
            positions, data, colours = [], [], []
            for p_index, name in enumerate(problems):
                for twin in (0, 1):
                    values = [local_mean[i, c] for i in range(len(problem))
                              if problem[i] == name and untrained[i] == twin and status[i] == 1
                              and np.isfinite(local_mean[i, c])]
                    if values:
                        positions.append(3 * p_index + twin)
                        data.append(values)
                        colours.append("tab:blue" if twin == 0 else "tab:grey")
            if data:
                parts = ax.boxplot(data, positions=positions, widths=0.8, patch_artist=True)
                for patch, colour in zip(parts["boxes"], colours):
                    patch.set_facecolor(colour)
            ax.axhline(0, color="grey", lw=0.6)
            ax.set_xticks([3 * i + 0.5 for i in range(len(problems))], problems, fontsize=8)
            ax.set_title(f"{notion}, k = {first_k}", fontsize=9)
        axes[0][0].set_ylabel("mean local coefficient of a network")
        fig.suptitle("Local Ricci coefficient per problem (blue: trained, grey: untrained twins)", fontsize=10)
        fig.tight_layout()
        written.append(os.path.join(outdir, "local_by_problem.png"))
        fig.savefig(written[-1], dpi=130)
        plt.close(fig)

        profile, _ = run_query(query, "layers-profile", results, "--format", "json")
        if profile and profile["groups"]:
            chosen = notions[-1]  # the job's last notion: the follow-up's own (Forman comes first)
            groups = [g for g in profile["groups"] if g["notion"] == chosen and g["k"] == first_k]
            problems = list(dict.fromkeys(g["problem"] for g in groups))
            fig, axes = plt.subplots(1, len(problems), figsize=(4.2 * len(problems), 3.6), squeeze=False)
            cmap = plt.get_cmap("viridis")
            depths = sorted({g["depth"] for g in groups})
            for ax, name in zip(axes[0], problems):
                for g in (x for x in groups if x["problem"] == name):
                    colour = cmap(depths.index(g["depth"]) / max(1, len(depths) - 1))
                    points = [(p["transition"], p["mean_layer_rho"]) for p in g["profile"]
                              if p["mean_layer_rho"] is not None]
                    if points:
                        ax.plot(*zip(*points), marker="o", ms=2.5, lw=1, color=colour,
                                label=f"{g['architecture']}-{g['depth']}")
                ax.axhline(0, color="grey", lw=0.6)
                ax.set_title(name)
                ax.set_xlabel("transition t (out of layer t)")
                ax.set_ylim(-1.05, 1.05)
            axes[0][0].set_ylabel(f"mean layer coefficient ρ(t), {chosen}")
            axes[0][-1].legend(fontsize=6, ncol=2)
            fig.suptitle(f"Layer Ricci coefficients by depth ({profile['layer_list']} layers, k = {first_k})",
                         fontsize=10)
            fig.tight_layout()
            written.append(os.path.join(outdir, "layer_rho_by_depth.png"))
            fig.savefig(written[-1], dpi=130)
            plt.close(fig)

    if has_snapshots:
        dynamics, _ = run_query(query, "dynamics", results, "--format", "json")
        if dynamics and dynamics["rows"]:
            keys = list(dict.fromkeys((r["problem"], r["architecture"], r["depth"]) for r in dynamics["rows"]))
            fig, axes = plt.subplots(2, len(keys), figsize=(max(6.0, 4.4 * len(keys)), 6), squeeze=False,
                                     sharex="col")
            chosen = list(dynamics["rows"][0]["notions"])[-1]
            for c, key in enumerate(keys):
                rows = [r for r in dynamics["rows"] if (r["problem"], r["architecture"], r["depth"]) == key]
                epochs = [r["epoch"] for r in rows]
                nan = lambda v: np.nan if v is None else v
                axes[0][c].plot(epochs, [nan(r["notions"][chosen]["local_mean"][0]) for r in rows],
                                marker="o", ms=3, label=f"mean local ρ ({chosen})")
                axes[0][c].plot(epochs, [nan(r["rho"][0]) for r in rows], marker="s", ms=3,
                                label="global ρ (Forman)")
                axes[0][c].axhline(0, color="grey", lw=0.6)
                axes[0][c].set_title(f"{key[0]} {key[1]}-{key[2]}, k = {dynamics['k'][0]}", fontsize=9)
                axes[1][c].plot(epochs, [r["train_accuracy"] for r in rows], label="training")
                axes[1][c].plot(epochs, [r["test_accuracy"] for r in rows], label="test")
                axes[1][c].set_xlabel("epoch")
            axes[0][0].set_ylabel("coefficient")
            axes[1][0].set_ylabel("accuracy")
            axes[0][-1].legend(fontsize=7)
            axes[1][-1].legend(fontsize=7)
            fig.suptitle("Geometry during training (means over each group's trained runs)", fontsize=10)
            fig.tight_layout()
            written.append(os.path.join(outdir, "dynamics.png"))
            fig.savefig(written[-1], dpi=130)
            plt.close(fig)
    return written


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
    written = followup_figures(query, args.results, args.outdir)
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
