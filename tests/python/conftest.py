"""Shared by the ricci_flow tests: the ricci-query binary (the module's reference), stacks written with h5py
the way `ricci-query analyze` reads them, and the comparison of the module's results with the CLI's JSON.

ctest runs these with PYTHONPATH=<build>/python (the assembled ricci_flow package) and RICCI_QUERY=<ricci-query>."""
import csv
import io
import json
import math
import os
import subprocess

import h5py
import numpy as np
import pytest


@pytest.fixture(scope="session")
def ricci_query():
    path = os.environ.get("RICCI_QUERY", "")
    if not path:
        pytest.skip("RICCI_QUERY is not set: this tree was configured without the apps (RICCI_WITH_MPI_HDF5=OFF)")
    return path


def relu_stack(rng, n, widths, d=3, ties=False):
    """A ReLU network's hidden layers on n random inputs; with ties, the inputs lie on a small integer grid
    (duplicates and tied distances). Returns (input, hidden layers, output)."""
    X = rng.integers(0, 3, size=(n, d)).astype(np.float64) if ties else rng.normal(0, 1, (n, d))
    H, layers = X, []
    for w in widths:
        W = rng.normal(0, 1.0 / math.sqrt(H.shape[1]), (H.shape[1], w))
        H = np.maximum(H @ W + rng.normal(0, 0.3, w), 0)
        layers.append(H)
    output = 1 / (1 + np.exp(-(H @ rng.normal(0, 1, H.shape[1]))))
    return X, layers, output


def write_stack(path, layers, input=None, output=None, dtype=np.float64):
    with h5py.File(path, "w") as f:
        for l, X in enumerate(layers):
            f.create_dataset("layer_%02d" % (l + 1), data=np.asarray(X, dtype=dtype))
        if input is not None:
            f.create_dataset("layer_00", data=np.asarray(input, dtype=dtype))
        if output is not None:
            f.create_dataset("output", data=np.asarray(output, dtype=dtype))
    return str(path)


def run_cli(ricci_query, *args):
    return subprocess.run([ricci_query, "analyze", *map(str, args)], capture_output=True, text=True)


def cli_json(ricci_query, *args):
    r = run_cli(ricci_query, *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def cli_csv(ricci_query, *args, fmt="csv"):
    r = run_cli(ricci_query, *args, "--format", fmt)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def cli_error(ricci_query, *args):
    """The CLI's one-line message without its "ricci-query analyze: " prefix, asserting exit code 2."""
    r = run_cli(ricci_query, *args)
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    prefix = "ricci-query analyze: "
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix):]


def assert_same(got, want, where="result"):
    """The module's value equals the JSON's: the same keys and lengths, integers (and bools, None, text)
    exactly, reals to 1e-12."""
    if isinstance(want, dict):
        assert isinstance(got, dict), "%s: %r is not a dict" % (where, got)
        assert sorted(got) == sorted(want), "%s: keys %s != %s" % (where, sorted(got), sorted(want))
        for key in want:
            assert_same(got[key], want[key], "%s[%r]" % (where, key))
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), "%s: %r != %r" % (where, got, want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, "%s[%d]" % (where, i))
    elif isinstance(want, float):
        assert isinstance(got, float), "%s: %r is not a float (JSON %r)" % (where, got, want)
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), "%s: %r != %r" % (where, got, want)
    else:  # int, bool, str, None: bitwise
        assert type(got) is type(want) and got == want, "%s: %r != %r" % (where, got, want)
