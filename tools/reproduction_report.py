#!/usr/bin/python3
"""The paper's published numbers (docs/method.md §8) next to those of one or more results files, as a
Markdown table (docs/reproduction.md is built from its output):

  /usr/bin/python3 tools/reproduction_report.py LABEL=RESULTS.h5 [LABEL=RESULTS.h5 ...] [--query PATH]

Every number comes from `ricci-query summary` and `ricci-query association` (--format json), the one
implementation of docs/method.md §4; this script only gathers and formats. Rows:

* the three rates of the paper's abstract: runs below their accuracy threshold, above-threshold runs
  excluded at their group's k* (disconnected under `paper`, reachability changed under `baptista-r`),
  accepted runs with rho < 0 at k*;
* k* as a percentage of n_test, the range over each problem's architecture x depth groups;
* the per-run rho at k* of depth-11 networks: the median over each group's accepted runs, the range over
  architectures (the paper prints one example network per problem);
* the accuracy association (Table S2): t and p of z at k*, and n.
"""
import argparse
import json
import subprocess
import sys

from ricci_query_path import find_query


# docs/method.md §8; problem names as ricci-sweep spells them.
PAPER_K_PERCENT = {"synthetic-a": "3–10", "synthetic-b": "0.6–1", "synthetic-c": "0.6–5",
                   "mnist-1-7": "16–25", "mnist-6-8": "16–25",
                   "fmnist-sandal-boot": "12.5–25", "fmnist-shirt-coat": "12.5–25"}
PAPER_EXAMPLE_RHO = {"synthetic-a": "−0.91", "synthetic-b": "−0.82", "synthetic-c": "−0.70",
                     "mnist-1-7": "−0.99", "mnist-6-8": "−0.95",
                     "fmnist-sandal-boot": "−0.83", "fmnist-shirt-coat": "−0.45"}


def query_json(query, *args):
    r = subprocess.run([query, *args, "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"reproduction_report.py: ricci-query {' '.join(args)}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def rate(part, whole):
    return f"{part} of {whole:,} ({100.0 * part / whole:.1f}%)" if whole else "–"


def span(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"


def signed(x):
    return f"{x:.2f}".replace("-", "−")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="LABEL=RESULTS.h5")
    parser.add_argument("--query", help="path to ricci-query (default: the build tree, then PATH)")
    args = parser.parse_args()
    query = find_query(args.query, "reproduction_report.py")
    columns = []
    for item in args.files:
        label, _, path = item.partition("=")
        if not path:
            sys.exit(f"reproduction_report.py: '{item}': expected LABEL=RESULTS.h5")
        columns.append((label, query_json(query, "summary", path), query_json(query, "association", path)))

    problems = []
    for _, summary, _ in columns:
        for g in summary["groups"]:
            if g["problem"] not in problems:
                problems.append(g["problem"])

    rows = [("| quantity | paper | " + " | ".join(label for label, _, _ in columns) + " |"),
            "|---|---|" + "---|" * len(columns)]

    def add(name, paper, cells):
        rows.append(f"| {name} | {paper} | " + " | ".join(cells) + " |")

    add("below the accuracy threshold", "151 of 1,512 (9.9%)",
        [rate(s["totals"]["below_threshold"], s["totals"]["finished"]) for _, s, _ in columns])
    add("excluded at k* (of those above threshold)", "134 of 1,361 (9.8%)",
        [rate(s["totals"]["excluded"], s["totals"]["above_threshold_with_k_star"]) + f", {s['excluded_by']}"
         for _, s, _ in columns])
    add("ρ < 0 at k* (accepted)", "1,144 of 1,227 (93.2%)",
        [rate(s["totals"]["negative"], s["totals"]["rho_defined"]) for _, s, _ in columns])
    for problem in problems:
        add(f"k* / n_test, {problem}", PAPER_K_PERCENT.get(problem, "–") + " %",
            [span([g["k_star_percent"] for g in s["groups"] if g["problem"] == problem],
                  lambda v: f"{v:.1f}") + " %" for _, s, _ in columns])
    for problem in problems:
        add(f"per-run ρ at k*, depth 11, {problem}", PAPER_EXAMPLE_RHO.get(problem, "–") + " (one network)",
            [span([g["at_k_star"]["median_rho"] for g in s["groups"]
                   if g["problem"] == problem and g["depth"] == 11], signed) + " (medians)"
             for _, s, _ in columns])
    add("Table S2: z at k*, t", "−2.27", [signed(a["z"]["t"]) for _, _, a in columns])
    add("Table S2: p", "0.023", [f"{a['z']['p']:.3g}" for _, _, a in columns])
    add("Table S2: n", "1,227", [f"{a['n']:,}" for _, _, a in columns])
    print("\n".join(rows))


if __name__ == "__main__":
    main()
