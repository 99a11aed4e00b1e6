"""ricci_flow.analyze and ricci_flow.pool return what `ricci-query analyze --format json` prints for the same
stacks (written with h5py): every field, integers bitwise and reals to 1e-12, for every curvature notion under
each convention and graph, --local with --nodes, --layers all, the Ollivier idleness, baptista-r with the inputs,
and the pooled coefficient and k* of several stacks. ricci_flow.rows gives the rows of --format csv."""
import csv
import math

import numpy as np
import pytest

import ricci_flow
from conftest import assert_same, cli_csv, cli_json, relu_stack, write_stack

UNDIRECTED_NOTIONS = ["forman", "augmented-forman", "balanced-forman", "ollivier-approx", "ollivier"]


def split_layer(rng, n, groups):
    """Far-apart clusters: small k leaves the layer disconnected (a null g, the disconnected reason)."""
    label = rng.integers(0, groups, n)
    return np.array([[100.0 * label[i], 0.0] for i in range(n)]) + rng.normal(0, 1, (n, 2))


def stacks():
    rng = np.random.default_rng(16)
    X, hidden, out = relu_stack(rng, 40, [6, 5, 5, 4, 4])
    yield "relu", X, hidden, out, [2, 5, 9]
    X, hidden, out = relu_stack(rng, 36, [4, 4, 3, 4], ties=True)
    yield "ties", X, hidden, out, [1, 3, 6]
    X, hidden, out = relu_stack(rng, 32, [5, 5, 5])
    hidden.insert(1, split_layer(rng, 32, 3))
    yield "split", X, hidden, out, [2, 4, 12]


CASES = [(name, X, hidden, out, ks) for name, X, hidden, out, ks in stacks()]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("graph", ["union", "mutual"])
def test_every_notion_and_local_matches_cli(ricci_query, tmp_path, case, graph):
    name, X, hidden, out, ks = case
    path = write_stack(tmp_path / "stack.h5", hidden)
    notions = ",".join(UNDIRECTED_NOTIONS)
    nodes = tmp_path / "nodes.csv"
    want = cli_json(ricci_query, path, "--k", ",".join(map(str, ks)), "--graph", graph, "--curvature", notions,
                    "--local", "--nodes", nodes)
    got = ricci_flow.analyze(hidden, k=ks, graph=graph, curvature=UNDIRECTED_NOTIONS, local=True, nodes=True)
    # The per-point arrays are the --nodes file's columns; the rest is the JSON.
    per_node = {}
    for r in got["results"]:
        for notion, local in r["local"].items():
            per_node[(r["k"], notion)] = local.pop("nodes")
    assert_same(got, want)
    with open(nodes) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(v["scalar_curvature"].size for v in per_node.values())
    first_layer = 1
    for row in rows:
        arrays = per_node[(int(row["k"]), row["notion"])]
        t, x = int(row["layer"]) - first_layer, int(row["point"])
        for column in ("scalar_curvature", "local_expansion"):
            assert_cell(arrays[column][t, x], row[column], column)
        assert_cell(arrays["rho"][x], row["rho"], "rho")
        assert (arrays["rho_reason"][x] or "") == row["rho_reason"]
    for arrays in per_node.values():
        assert arrays["scalar_curvature"].shape == (len(hidden) - 1, len(X))
        assert arrays["local_expansion"].shape == (len(hidden) - 1, len(X))
        assert arrays["rho"].shape == (len(X),) and len(arrays["rho_reason"]) == len(X)


def assert_cell(value, text, column):
    """A --nodes cell: empty = NaN, inf, or a number printed with 17 significant digits."""
    if text == "":
        assert math.isnan(value), column
    elif text in ("inf", "-inf"):
        assert value == float(text), column
    else:
        assert math.isclose(value, float(text), rel_tol=1e-12, abs_tol=1e-12), (column, value, text)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_baptista_r_with_the_inputs_matches_cli(ricci_query, tmp_path, case):
    name, X, hidden, out, ks = case
    path = write_stack(tmp_path / "stack.h5", hidden, input=X)
    want = cli_json(ricci_query, path, "--k", ",".join(map(str, ks)), "--convention", "baptista-r")
    got = ricci_flow.analyze(hidden, k=ks, convention="baptista-r", input=X)
    assert got["results"][0]["input"] is not None
    assert_same(got, want)
    # Without the inputs the first transition is absent, as for a file without layer_00.
    want = cli_json(ricci_query, write_stack(tmp_path / "hidden.h5", hidden), "--k", ",".join(map(str, ks)),
                    "--convention", "baptista-r")
    assert_same(ricci_flow.analyze(hidden, k=ks, convention="baptista-r"), want)


@pytest.mark.parametrize("convention", ["paper", "baptista-r"])
def test_forman_paper_fields_match_cli(ricci_query, tmp_path, convention):
    _, X, hidden, _, ks = CASES[0]
    path = write_stack(tmp_path / "stack.h5", hidden)
    want = cli_json(ricci_query, path, "--k", "2-6", "--convention", convention)
    assert_same(ricci_flow.analyze(hidden, k="2-6", convention=convention), want)
    assert_same(ricci_flow.analyze(hidden, k=[2, 3, 4, 5, 6], convention=convention), want)


def test_layers_all_matches_cli(ricci_query, tmp_path):
    _, X, hidden, out, ks = CASES[0]
    for output in (out, out[:, None]):
        path = write_stack(tmp_path / ("all%d.h5" % output.ndim), hidden, input=X, output=output)
        want = cli_json(ricci_query, path, "--k", "2,5", "--layers", "all", "--local", "--curvature",
                        "forman,ollivier-approx")
        got = ricci_flow.analyze(hidden, k=[2, 5], layers_list="all", local=True,
                                 curvature=["forman", "ollivier-approx"], input=X, output=output)
        assert got["results"][0]["layers"][0]["name"] == "layer_00"
        assert got["results"][0]["layers"][-1]["name"] == "output"
        assert_same(got, want)


def test_ollivier_idleness_matches_cli(ricci_query, tmp_path):
    _, _, hidden, _, _ = CASES[1]
    path = write_stack(tmp_path / "stack.h5", hidden)
    want = cli_json(ricci_query, path, "--k", "3", "--curvature", "ollivier", "--ollivier-idleness", "0.25")
    assert_same(ricci_flow.analyze(hidden, k=[3], curvature="ollivier", ollivier_idleness=0.25), want)
    assert_same(ricci_flow.analyze(hidden, k=[3], curvature="ollivier", ollivier_idleness="0.25"), want)


@pytest.mark.parametrize("convention", ["paper", "baptista-r"])
def test_pool_matches_cli_with_several_files(ricci_query, tmp_path, convention):
    rng = np.random.default_rng(61)
    stacks, paths = [], []
    for s in range(4):
        _, hidden, _ = relu_stack(rng, 30 + 2 * s, [5, 5, 4, 4, 4])
        stacks.append(hidden)
        paths.append(write_stack(tmp_path / ("s%d.h5" % s), hidden))
    want = cli_json(ricci_query, *paths, "--k", "2,4,7,10", "--convention", convention)
    got = ricci_flow.pool(stacks, k=[2, 4, 7, 10], convention=convention)
    # The CLI names each stack by its file and group; the module's stacks are the list's, in order.
    for stack in want["stacks"]:
        del stack["file"], stack["group"]
    assert_same(got, want)
    assert any(p["rho"] is not None for p in got["pooled"]) and got["k_star"] is not None


def test_one_stack_is_pooled_alone(ricci_query, tmp_path):
    _, _, hidden, _, ks = CASES[0]
    want = cli_json(ricci_query, write_stack(tmp_path / "one.h5", hidden), "--k", "2,5,9")
    got = ricci_flow.analyze(hidden, k=ks)
    assert got["pooled"] == want["pooled"] and got["k_star"] == want["k_star"]


def csv_value(text):
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


@pytest.mark.parametrize("convention", ["paper", "baptista-r"])
def test_rows_are_the_csv_rows(ricci_query, tmp_path, convention):
    X, hidden, _ = relu_stack(np.random.default_rng(7), 30, [5, 4, 4, 4])
    path = write_stack(tmp_path / "stack.h5", hidden, input=X)
    local = convention == "paper"
    extra = ["--local", "--curvature", "forman,augmented-forman"] if local else []
    want = cli_csv(ricci_query, path, "--k", "2,6", "--convention", convention, *extra)
    got = ricci_flow.rows(ricci_flow.analyze(hidden, k=[2, 6], convention=convention, input=X, local=local,
                                             curvature=["forman", "augmented-forman"] if local else "forman"))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for column, text in w.items():
            if column == "g" and g["layer"] == 0:
                continue  # the inputs' g is in the CSV only (the JSON's "input" has no g)
            value = csv_value(text)
            if isinstance(value, float):
                assert math.isclose(g[column], value, rel_tol=1e-12, abs_tol=1e-12), (column, g[column], text)
            elif column == "g":
                assert g[column] == value
            else:
                assert g[column] == value, (column, g[column], text)


def test_to_pandas():
    pandas = pytest.importorskip("pandas", reason="pandas is not installed (Debian: python3-pandas)")
    _, _, hidden, _, _ = CASES[0]
    frame = ricci_flow.to_pandas(ricci_flow.analyze(hidden, k=[2, 5]))
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 2 * len(hidden)
