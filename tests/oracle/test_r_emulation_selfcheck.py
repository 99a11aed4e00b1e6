"""The R-pipeline emulation (r_reference_emulation.py) against numbers worked out by hand on 4- and 6-point
stacks, so that the oracle the baptista-r tests rely on is itself checked. Needs no binary.
Usage: test_r_emulation_selfcheck.py"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import r_reference_emulation as emu  # noqa: E402

failures = []


def check(what, got, want):
    same = (got == want) if not (isinstance(want, float) and math.isnan(want)) else (
        isinstance(got, float) and math.isnan(got))
    if isinstance(want, float) and not math.isnan(want) and isinstance(got, float):
        same = math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    if not same:
        failures.append(f"{what}: got {got!r}, hand value {want!r}")


def col(*xs):
    return np.array(xs, dtype=float).reshape(-1, 1)


# Four points, k = 1 (worked on paper):
#   LINE    positions 0,1,2,3: arcs 0->1, 1->0, 1->2, 2->1, 2->3, 3->2 (1 ties between 0 and 2);
#           D = (2,4,4,2); Ric = 4*6 - (4+16+16+4) = -16; distance rows (6,4,4,6), g = 20.
#   SQUARE  (0,0),(1,0),(0,1),(1,1): each point ties two neighbours at 1, 8 arcs, D = 4 everywhere;
#           Ric = 32 - 64 = -32; rows (4,4,4,4), g = 16.
#   SWAPPED positions 1,0,3,2 (the path 1-0-3-2): D = (4,2,2,4), Ric = -16; rows (4,6,6,4), g = 20.
#   SPREAD  positions 0,1,3,7: arcs 0->1, 1->0, 2->1, 3->2; D = (2,3,2,1); Ric = 16 - 18 = -2;
#           path 0-1-2-3, g = 20.
LINE = col(0, 1, 2, 3)
SQUARE = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
SWAPPED = col(1, 0, 3, 2)
SPREAD = col(0, 1, 3, 7)

A = emu.nng(LINE, 1)
check("LINE arcs", A.tolist(), [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
check("LINE degree", emu.degree(A).tolist(), [2, 4, 4, 2])
check("LINE forman rows", emu.forman_rows(A).tolist(), [-2, -6, -6, -2])  # 1: (4-4-2) + (4-4-4)
check("LINE distance rows", emu.distances(A).sum(axis=1).tolist(), [6.0, 4.0, 4.0, 6.0])
check("SQUARE Ric", int(emu.forman_rows(emu.nng(SQUARE, 1)).sum()), -32)
check("SWAPPED distance rows", emu.distances(emu.nng(SWAPPED, 1)).sum(axis=1).tolist(), [4.0, 6.0, 6.0, 4.0])
A = emu.nng(SPREAD, 1)
check("SPREAD arcs", A.tolist(), [[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
check("SPREAD Ric", int(emu.forman_rows(A).sum()), -2)
# k = 2 on the line: 0 -> {1, 2}, 1 -> {0, 2}, 2 -> {1, 3}, 3 -> {1, 2} (ties: 1 has 0 and 2 at 1 -> d_2 = 1)
check("LINE k=2 arcs", emu.nng(LINE, 2).tolist(), [[0, 1, 1, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 1, 1, 0]])

# A kept, connected stack: inputs SQUARE, hidden LINE, SQUARE, SWAPPED, SPREAD (k = 1).
#   eta_input = 20 - 16 = 4; eta = (16 - 20, 20 - 16, 20 - 20) = (-4, 4, 0); Ric = (-16, -32, -16, -2).
#   Pairs (-4,-16), (4,-32), (0,-16): cov = -64, Sxx = 32, Syy = 512/3 -> rho = -sqrt(3)/2.
r = emu.analyze_stack(SQUARE, [LINE, SQUARE, SWAPPED, SPREAD], 1)
check("connected excluded", r["excluded"], False)
check("connected eta_input", r["eta_input"], 4.0)
check("connected eta", r["eta"], [-4.0, 4.0, 0.0])
check("connected ric", r["ric"], [-16, -32, -16, -2])
check("connected rho", r["rho"], -math.sqrt(3) / 2)
check("connected g", [lay["g"] for lay in r["layers"]], [20, 16, 20, 20])
check("connected input g", r["input"]["g"], 16)
# Without the inputs there is no transition 0 and nothing else changes.
r = emu.analyze_stack(None, [LINE, SQUARE, SWAPPED, SPREAD], 1)
check("no inputs eta_input", r["eta_input"], None)
check("no inputs rho", r["rho"], -math.sqrt(3) / 2)

# SPLIT positions 0,1,10,11 (k = 1): components {0,1}, {2,3}. LINE -> SPLIT: every row gets +inf
# (unreachable now, finite before), mean +inf -> excluded at that transition. SPLIT -> LINE: -inf.
SPLIT = col(0, 1, 10, 11)
r = emu.analyze_stack(LINE, [LINE, SPLIT, SPLIT, SPLIT], 1)
check("split rows", r["transition_totals"][1], math.inf)
check("split excluded", (r["excluded"], r["excluded_at"], r["excluding_transitions"]), (True, 1, [1]))
check("split rho", r["rho"], math.nan)
r = emu.analyze_stack(SPLIT, [LINE, LINE, LINE, LINE], 1)
check("merge at input", (r["excluded"], r["excluded_at"], r["transition_means"][0]), (True, 0, -math.inf))
r = emu.analyze_stack(None, [LINE, LINE, LINE, LINE], 1)
check("same without inputs", r["excluded"], False)
# Split the same way everywhere: kept; within-component sums 2 per row -> eta 0.
r = emu.analyze_stack(SPLIT, [SPLIT, col(0, 2, 10, 12), SPLIT, SPLIT], 1)
check("split same excluded", r["excluded"], False)
check("split same eta", r["eta"], [0.0, 0.0, 0.0])

# Split and merge at one transition, 6 points, k = 1:
#   BEFORE positions 0,1,2,3,100,101: components {0,1,2,3}, {4,5};
#   AFTER  positions 0,1,100,101,102,103: components {0,1}, {2,3,4,5}.
#   Rows 0,1: +inf (lose 2,3); rows 2,3: +inf and -inf -> NaN (lose 0,1, gain 4,5); rows 4,5: -inf.
#   NaN rows dropped: {+inf, +inf, -inf, -inf} -> mean NaN -> kept; eta NaN.
BEFORE = col(0, 1, 2, 3, 100, 101)
AFTER = col(0, 1, 100, 101, 102, 103)
t = emu.Transition(1, emu.distances(emu.nng(BEFORE, 1)), emu.distances(emu.nng(AFTER, 1)))
check("split+merge rows", [str(x) for x in t.rows], ["inf", "inf", "nan", "nan", "-inf", "-inf"])
check("split+merge mean", t.mean, math.nan)
check("split+merge excludes", t.excludes, False)
check("split+merge eta", t.eta, math.nan)
# Entry by entry for row 2: (inf-2, inf-1, 0, 0, 2-inf, 3-inf) -> inf, inf, 0, 0, -inf, -inf
check("split+merge row 2", [str(x) for x in t.difference[2]], ["inf", "inf", "0.0", "0.0", "-inf", "-inf"])
# and row 0 has NaN entries (inf - inf) that na.rm leaves out
check("split+merge row 0", [str(x) for x in t.difference[0]], ["0.0", "0.0", "inf", "inf", "nan", "nan"])

# Every point both loses and gains: {0,1},{2,3} -> {0,2},{1,3}: all rows NaN, the group vanishes in R;
# the emulation reports eta NaN and keeps the stack.
t = emu.Transition(1, emu.distances(emu.nng(SPLIT, 1)), emu.distances(emu.nng(col(0, 10, 1, 11), 1)))
check("all-NaN rows", [math.isnan(x) for x in t.rows], [True] * 4)
check("all-NaN group", (t.mean, t.total, t.excludes), (None, None, False))
check("all-NaN eta", t.eta, math.nan)

# Pearson over complete cases, cor.test's refusals
check("pearson complete", emu.pearson_complete([1, 2, math.nan, 3, 4], [2, 4, 100, 6, 9]),
      float(np.corrcoef([1, 2, 3, 4], [2, 4, 6, 9])[0, 1]))
check("pearson two pairs", emu.pearson_complete([1, 2, math.nan], [3, 5, 1]), math.nan)
check("pearson zero variance", emu.pearson_complete([1, 1, 1, 1], [1, 2, 3, 4]), math.nan)

# Pooling: the connected stack above and an excluded stack (contributes nothing).
stacks = [(SQUARE, [LINE, SQUARE, SWAPPED, SPREAD]), (LINE, [LINE, SPLIT, SPLIT, SPLIT])]
out = emu.analyze(stacks, [1])
check("pooled one kept", out["pooled"][0]["rho"], -math.sqrt(3) / 2)
check("pooled stacks", out["pooled"][0]["stacks"], 1)
check("k_star", out["k_star"], 1)
# Hidden LINE, SQUARE, SWAPPED without inputs: pairs (-4,-16), (4,-32): a run's rho is defined from
# 2 pairs (L = 3, docs/method.md §4) and is then -1; a pooled coefficient needs 3 (cor.test), but
# pooled with the first stack: x = (-4,4,0,-4,4), y = (-16,-32,-16,-16,-32): cov = -128, Sxx = 64,
# Syy = 307.2 -> rho = -sqrt(5/6).
short = (None, [LINE, SQUARE, SWAPPED])
check("two pairs alone", emu.analyze_stack(*short, 1)["rho"], -1.0)
check("two pairs alone, pooled", emu.analyze([short], [1])["pooled"][0]["rho"], math.nan)
out = emu.analyze([stacks[0], short, stacks[1]], [1])
check("pooled with short", out["pooled"][0]["rho"], -math.sqrt(5 / 6))
check("pooled with short stacks", out["pooled"][0]["stacks"], 2)
# Two copies pool to the same coefficient (pairs doubled).
out = emu.analyze([stacks[0], stacks[0]], [1])
check("pooled doubled", out["pooled"][0]["rho"], -math.sqrt(3) / 2)
# k*: most negative, smaller k on a tie, NaN skipped, None when all NaN
check("k_star rule", emu.k_star([(5, -0.5), (3, -0.5), (4, math.nan), (2, 0.1)]), 3)
check("k_star none", emu.k_star([(2, math.nan)]), None)

for line in failures:
    print("FAIL", line)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
