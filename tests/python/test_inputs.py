"""What ricci_flow.analyze accepts and refuses. Every layout and precision numpy offers gives the numbers
ricci-query computes from an HDF5 file holding the same values (C and Fortran order, strided slices of rows
and of columns, transposed views, float32 and float64, big-endian, read-only arrays); bad input raises
ValueError with the CLI's one-line message where the CLI refuses the same thing, and otherwise names the
argument in the same words (the CLI names a file's dataset, the module the argument); Ctrl-C interrupts a
long analysis with KeyboardInterrupt; a progress callback sees every layer."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ricci_flow
from conftest import assert_same, cli_error, cli_json, relu_stack, write_stack


@pytest.fixture(scope="module")
def stack():
    _, hidden, _ = relu_stack(np.random.default_rng(3), 30, [6, 5, 5, 4])
    return hidden


@pytest.fixture(scope="module")
def reference(ricci_query, stack, tmp_path_factory):
    """The CLI's JSON for the stack as float64 and as float32 (ricci-query reads float32 datasets as double)."""
    work = tmp_path_factory.mktemp("layouts")
    args = ("--k", "2,5", "--curvature", "forman,ollivier", "--local")
    return {dtype: cli_json(ricci_query, write_stack(work / (dtype + ".h5"), stack, dtype=dtype), *args)
            for dtype in ("float64", "float32")}


def analyze(layers):
    return ricci_flow.analyze(layers, k=[2, 5], curvature=["forman", "ollivier"], local=True)


LAYOUTS = {
    "c_order": lambda X: np.ascontiguousarray(X),
    "fortran_order": lambda X: np.asfortranarray(X),
    # Every other row of a taller array, every other column of a wider one, and a transpose: strided views.
    "row_slice": lambda X: np.repeat(X, 2, axis=0)[::2],
    "column_slice": lambda X: np.repeat(X, 2, axis=1)[:, ::2],
    "both_slices": lambda X: np.repeat(np.repeat(X, 3, axis=0), 2, axis=1)[1::3, ::2],
    "transposed": lambda X: np.ascontiguousarray(X.T).T,
    "big_endian": lambda X: X.astype(X.dtype.newbyteorder(">")),
    "read_only": lambda X: read_only(X),
}


def read_only(X):
    X = np.array(X)
    X.setflags(write=False)
    return X


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_gives_the_cli_numbers(stack, reference, dtype, layout):
    layers = [LAYOUTS[layout](X.astype(dtype)) for X in stack]
    if layout in ("row_slice", "column_slice", "both_slices", "transposed"):
        assert not any(X.flags.c_contiguous for X in layers)
    assert_same(analyze(layers), reference[dtype])


def test_read_in_place_where_the_layout_allows(stack):
    """C-ordered float64 arrays and row slices of them are read where they are; every other layout is converted."""
    X = np.ascontiguousarray(stack[0])
    in_place = {"c_order": X, "row_slice": np.repeat(X, 2, axis=0)[::2], "read_only": read_only(X),
                "one_column": np.repeat(X, 2, axis=1)[:, :1][::3], "block": np.repeat(X, 2, axis=1)[1:5, 2:7]}
    converted = {"float32": X.astype(np.float32), "fortran_order": np.asfortranarray(X),
                 "column_slice": np.repeat(X, 2, axis=1)[:, ::2], "big_endian": X.astype(">f8"),
                 "reversed_rows": X[::-1]}
    for name, layer in in_place.items():
        assert ricci_flow._core._reads_in_place(layer), name
    for name, layer in converted.items():
        assert not ricci_flow._core._reads_in_place(layer), name


def test_mixed_layouts_and_nested_lists(stack, reference):
    layers = [np.asfortranarray(stack[0]), stack[1].astype(np.float32).astype(np.float64), stack[2].tolist(),
              tuple(map(tuple, stack[3]))]
    assert_same(analyze(layers), reference["float64"])


def test_the_arrays_are_not_changed(stack):
    layers = [X.copy() for X in stack]
    analyze(layers)
    for X, Y in zip(layers, stack):
        assert np.array_equal(X, Y)


def expect(message, *args, **kwargs):
    with pytest.raises(ValueError) as e:
        ricci_flow.analyze(*args, **kwargs)
    assert str(e.value) == message
    return str(e.value)


# (module arguments, the same mistake on the command line): the message must be the CLI's, character for
# character.
SAME_AS_CLI = [
    (dict(k=[2, 30]), ["--k", "2,30"]),  # k >= n
    (dict(k="2,30"), ["--k", "2,30"]),
    (dict(k=[0]), ["--k", "0"]),
    (dict(k=[3, 3]), ["--k", "3,3"]),
    (dict(k=[]), []),
    (dict(k=[2], curvature=["forman", "riemann"]), ["--k", "2", "--curvature", "forman,riemann"]),
    (dict(k=[2], curvature=["ollivier", "ollivier"]), ["--k", "2", "--curvature", "ollivier,ollivier"]),
    (dict(k=[2], convention="reference"), ["--k", "2", "--convention", "reference"]),
    (dict(k=[2], graph="directed"), ["--k", "2", "--graph", "directed"]),
    (dict(k=[2], graph="mutual", convention="baptista-r"), ["--k", "2", "--graph", "mutual", "--convention",
                                                            "baptista-r"]),
    (dict(k=[2], layers_list="some"), ["--k", "2", "--layers", "some"]),
    (dict(k=[2], ollivier_idleness=1), ["--k", "2", "--ollivier-idleness", "1"]),
    (dict(k=[2], ollivier_idleness=-0.5), ["--k", "2", "--ollivier-idleness", "-0.5"]),
    (dict(k=[2], ollivier_idleness="lazy"), ["--k", "2", "--ollivier-idleness", "lazy"]),
    (dict(k=[2], local=True, convention="baptista-r"), ["--k", "2", "--local", "--convention", "baptista-r"]),
    (dict(k=[2], curvature="ollivier", convention="baptista-r"),
     ["--k", "2", "--curvature", "ollivier", "--convention", "baptista-r"]),
    (dict(k=[2], layers_list="all", convention="baptista-r"),
     ["--k", "2", "--layers", "all", "--convention", "baptista-r"]),
    (dict(k=[2], threads=0), ["--k", "2", "--threads", "0"]),
    (dict(k=[2], threads=-2), ["--k", "2", "--threads", "-2"]),
    (dict(k=[2], threads="abc"), ["--k", "2", "--threads", "abc"]),
    (dict(k=[2], threads=5000), ["--k", "2", "--threads", "5000"]),
]


@pytest.mark.parametrize("case", range(len(SAME_AS_CLI)))
def test_bad_options_raise_the_cli_message(ricci_query, stack, tmp_path, case):
    kwargs, cli_args = SAME_AS_CLI[case]
    path = write_stack(tmp_path / "stack.h5", stack)
    expect(cli_error(ricci_query, path, *cli_args), stack, **kwargs)


def test_bad_layers_raise_one_line(ricci_query, stack, tmp_path):
    n = len(stack[0])
    # Ragged: the CLI's file reader names the dataset; the stack itself is refused by the geometry so.
    ragged = [stack[0], stack[1][:-1], stack[2]]
    expect("[geometry] layer 2 has %d rows but layer 1 has %d" % (n - 1, n), ragged, k=[2])
    with_nan = [X.copy() for X in stack]
    with_nan[2][4, 1] = np.nan
    expect("[geometry] layer 3 row 4 column 1 is not finite (nan)", with_nan, k=[2])
    with_inf = [X.astype(np.float32) for X in stack]
    with_inf[0][0, 0] = -np.inf
    expect("[geometry] layer 1 row 0 column 0 is not finite (-inf)", with_inf, k=[2])
    # Wrong dimensions and types: the words of the CLI's message for such a dataset, naming the argument.
    path = write_stack(tmp_path / "flat.h5", [stack[0], stack[1][:, 0]])
    cli = cli_error(ricci_query, path, "--k", "2")
    assert cli.endswith(" is not 2-D (expected points x units)")
    expect("[python] layers[1] is not 2-D (expected points x units): shape (%d,)" % n, [stack[0], stack[1][:, 0]],
           k=[2])
    expect("[python] layers[0] is not 2-D (expected points x units): shape (2, %d, 6)" % n,
           [np.stack([stack[0], stack[0]])], k=[2])
    expect("[python] layers[1] is not floating point (expected float32 or float64): dtype int64",
           [stack[0], np.ones((n, 2), dtype=np.int64)], k=[2])
    expect("[python] layers[0] is not an array (expected a 2-D numpy array)", [[[1.0], [1.0, 2.0]]], k=[1])
    expect("[geometry] layer 2 has no columns", [stack[0], np.zeros((n, 0))], k=[2])
    expect("[geometry] no hidden layers to analyse", [], k=[2])
    expect("[python] layers is not a list of 2-D arrays (one per hidden layer)", stack[0], k=[2])
    expect("[python] k: 2.5 is not an integer", stack, k=[2.5])


def test_layers_all_needs_the_inputs_and_the_output(stack):
    X = stack[0]
    out = np.ones(len(X))
    message = ("[geometry] the layer list 'all' needs the inputs and the output: the stack has no %s "
               "(the list is layer_00, the hidden layers, output)")
    expect(message % "layer_00 and output", stack, k=[2], layers_list="all")
    expect(message % "layer_00", stack, k=[2], layers_list="all", output=out)
    expect(message % "output", stack, k=[2], layers_list="all", input=X)
    expect("[python] output has 2 columns: the output is one value per point (points, or points x 1)", stack,
           k=[2], layers_list="all", input=X, output=np.ones((len(X), 2)))
    expect("[python] nodes=True gives the local coefficients per point: add local=True", stack, k=[2], nodes=True)


def test_pool_refuses_what_analyze_refuses(stack):
    with pytest.raises(ValueError, match=r"^\[python\] stacks\[1\] layers\[0\] is not 2-D"):
        ricci_flow.pool([stack, [stack[0][:, 0]]], k=[2])
    with pytest.raises(ValueError, match=r"^\[python\] no stacks to analyse$"):
        ricci_flow.pool([], k=[2])
    with pytest.raises(ValueError, match=r"^\[python\] inputs and outputs need one entry"):
        ricci_flow.pool([stack, stack], k=[2], inputs=[None])


def test_progress_sees_every_layer(stack):
    calls = []
    ricci_flow.analyze(stack, k=[2], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(l, len(stack)) for l in range(1, len(stack) + 1)]


def test_an_exception_in_progress_stops_the_analysis(stack):
    calls = []

    def progress(done, total):
        calls.append(done)
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        ricci_flow.analyze(stack, k=[2], progress=progress)
    assert calls == [1]


CHILD = textwrap.dedent("""
    import functools
    import signal
    import numpy as np
    import ricci_flow
    # Python's own Ctrl-C handler, even where the child starts with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    rng = np.random.default_rng(0)
    # 60 layers of 1,500 points: several seconds of work, far more than the interrupt needs.
    layers = [rng.normal(0, 1, (1500, 8)) for _ in range(60)]
    # print is C code: no Python bytecode runs in the callback, so the signal can only be seen by the
    # engine's own check after each layer (PyErr_CheckSignals), the path Ctrl-C takes without a callback.
    progress = functools.partial(print, "layer", flush=True)
    try:
        ricci_flow.analyze(layers, k=[10, 200], curvature=["forman", "augmented-forman"], progress=progress)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
""")


def test_ctrl_c_interrupts_a_long_analysis():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        assert child.stdout.readline() == "layer 1 60\n"
        # The child is now measuring layer 2 with the GIL released; SIGINT is Ctrl-C.
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    lines = out.splitlines()
    assert lines[-1] == "interrupted", out
    assert len(lines) - 1 < 58, out  # stopped at a layer boundary, long before the end


def test_threads_give_the_same_results(ricci_query, tmp_path):
    """threads is a speed setting: every count, and the default (every core), gives the CLI's numbers, and
    the module's results are equal to each other exactly, not only to 1e-12."""
    rng = np.random.default_rng(17)
    stacks = [relu_stack(rng, 120, [8, 6, 6, 5], ties=True)[1] for _ in range(2)]
    args = dict(k=[3, 8, 20], curvature=["forman", "augmented-forman", "ollivier"], local=True)
    one = ricci_flow.pool(stacks, threads=1, **args)
    for threads in (2, 3, None, "2"):
        assert ricci_flow.pool(stacks, threads=threads, **args) == one, threads
    assert ricci_flow.analyze(stacks[0], threads=3, **args) == ricci_flow.analyze(stacks[0], threads=1, **args)
    path = write_stack(tmp_path / "stack.h5", stacks[0])
    want = cli_json(ricci_query, path, "--k", "3,8,20", "--curvature", "forman,augmented-forman,ollivier",
                    "--local", "--threads", "2")
    assert_same(ricci_flow.analyze(stacks[0], threads=2, **args), want)


@pytest.mark.parametrize("threads", [True, 2.0, [2]])
def test_threads_must_be_an_integer(stack, threads):
    expect("[python] threads: %r is not an integer" % (threads,), stack, k=[2], threads=threads)
