"""The follow-up's published numbers (docs/method.md §8) next to this engine's, from the results files of
jobs/followup-*.ini; prints the Markdown tables of docs/followup.md.

  /usr/bin/python3 tools/followup_report.py LOCAL.h5 UNTRAINED.h5

Either file may be given as "-" to skip its table. The problems are the files' own (in the order they
first appear); a problem the follow-up published nothing for (the Fashion-MNIST pairs) says so.

Only trained runs enter the trained tables (/runs/untrained = 0); every value is read from the files'
/local and /notions datasets (results_schema/README.md), none is recomputed here.
"""
import sys

import h5py
import numpy as np

# docs/method.md §8: the follow-up's notebook outputs.
PAPER_TRAINED_LOCAL = {"circles": "−0.37 … −0.70", "four-discs": "−0.38 … −0.52",
                       "cylinders": "−0.60 … −0.79", "linked-tori": "−0.23 … −0.67"}
PAPER_UNTRAINED = {"circles": ("−0.36", "8/10", "−0.047"), "four-discs": ("−0.33", "10/10", "−0.008"),
                   "cylinders": ("−0.26", "10/10", "−0.004"), "linked-tori": ("−0.29", "9/10", "−0.056")}


def load(path):
    f = h5py.File(path, "r")
    notions = f.attrs["notions"]
    notions = (notions.decode() if isinstance(notions, bytes) else notions).split(",")
    text = lambda name: [v.decode() if isinstance(v, bytes) else v for v in f[name][()]]
    untrained = f["runs/untrained"][()] if "untrained" in f["runs"] else np.zeros(len(f["runs/id"]))
    return f, notions, text("runs/problem"), text("runs/architecture"), f["runs/depth"][()], untrained


def problems_of(problem):
    return list(dict.fromkeys(problem))


def trained_local(path):
    f, notions, problem, arch, depth, untrained = load(path)
    c = notions.index("augmented-forman")
    mean, share = f["local/mean"][()][:, 0, c], f["local/negative_share"][()][:, 0, c]
    print("| problem | this engine: mean local ρ per (width, depth) group, range | share ρ(x) < 0 | "
          "follow-up | trained − untrained twin, mean |")
    print("|---|---|---|---|---|")
    for p in problems_of(problem):
        groups = sorted({(arch[i], depth[i]) for i in range(len(problem)) if problem[i] == p and not untrained[i]})
        means = [np.nanmean([mean[i] for i in range(len(problem))
                             if problem[i] == p and (arch[i], depth[i]) == g and not untrained[i]]) for g in groups]
        trained = [i for i in range(len(problem)) if problem[i] == p and not untrained[i]]
        twins = [i for i in range(len(problem)) if problem[i] == p and untrained[i]]
        print(f"| {p} | {min(means):+.2f} … {max(means):+.2f} | {np.nanmin(share[trained]):.2f} … "
              f"{np.nanmax(share[trained]):.2f} | {PAPER_TRAINED_LOCAL.get(p, 'not published')} | "
              f"{np.nanmean(mean[trained]) - np.nanmean(mean[twins]):+.2f} "
              f"({np.nanmean(mean[trained]):+.2f} vs {np.nanmean(mean[twins]):+.2f}) |")


def untrained_table(path):
    f, notions, problem, arch, depth, untrained = load(path)
    o, fo = notions.index("ollivier"), notions.index("forman")
    rho, local = f["notions/rho"][()][:, 0, :], f["local/mean"][()][:, 0, :]
    print("| problem | global ρ (Forman), mean, negative | follow-up | global ρ (Ollivier), mean, negative | "
          "mean local ρ (Ollivier) | follow-up |")
    print("|---|---|---|---|---|---|")
    for p in problems_of(problem):
        runs = [i for i in range(len(problem)) if problem[i] == p]
        g, go, lo = rho[runs, fo], rho[runs, o], local[runs, o]
        paper = PAPER_UNTRAINED.get(p, ("not published", "–", "not published"))
        print(f"| {p} | {np.nanmean(g):+.2f}, {np.sum(g < 0)}/{len(runs)} | {paper[0]}, {paper[1]} | "
              f"{np.nanmean(go):+.2f}, {np.sum(go < 0)}/{len(runs)} | {np.nanmean(lo):+.3f} | {paper[2]} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: followup_report.py LOCAL.h5|- UNTRAINED.h5|-")
    if sys.argv[1] != "-":
        trained_local(sys.argv[1])
        print()
    if sys.argv[2] != "-":
        untrained_table(sys.argv[2])
