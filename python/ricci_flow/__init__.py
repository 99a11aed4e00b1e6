"""ricci_flow: the ricci-sweep geometry engine (docs/method.md §2-§4) for numpy arrays and PyTorch models.

    import ricci_flow
    result = ricci_flow.analyze([h1, h2, h3, h4], k=[10, 20], curvature=["forman", "ollivier"], local=True)
    result["results"][0]["rho"], result["k_star"]

`analyze` measures one activation stack (a list of 2-D arrays, one point per row, one array per hidden layer)
and `pool` several; both return the fields of `ricci-query analyze --format json` with the same numbers, as
dicts, lists, ints, floats and None (null), and the per-point values of --nodes as numpy arrays. The options
are the CLI's: k, graph, convention, curvature, ollivier_idleness, local, layers_list (--layers), threads; a
bad one raises ValueError with the CLI's one-line message. `ricci_flow.torch.activations(model, loader)` collects a
PyTorch model's activation stack.

The arrays are read in place when they are C-ordered float64 (or strided row slices of such an array); any
other float32/float64 array (float32, Fortran order, a column stride) is converted once into a C-ordered
float64 copy for the duration of the call, exactly as ricci-query reads a float32 dataset. The GIL is
released while the geometry runs; Ctrl-C stops it after the layer being measured (KeyboardInterrupt).
The geometry of each stack runs on `threads` threads, by default every core this process may use (its CPU
affinity); the results are identical for any count, so it is a speed setting only. A stack whose estimated
memory exceeds the machine's memory is refused before any work, with the estimate (as ricci-query analyze
without --memory-limit). The threads are OpenMP's (GCC's libgomp), which does not survive a fork: in a
multiprocessing pool, use the "spawn" or "forkserver" start method, or threads=1 before forking.
"""
import operator

from . import _core

__all__ = ["analyze", "pool", "rows", "to_pandas"]


def _integer_text(value, name):
    """An integer's digits (numpy integers too); a bool or anything else is refused, naming `name`."""
    if isinstance(value, bool):
        raise ValueError("[python] %s: %r is not an integer" % (name, value))
    try:
        return str(operator.index(value))
    except TypeError:
        raise ValueError("[python] %s: %r is not an integer" % (name, value)) from None


def _k_text(k):
    """k as the CLI's --k text: an int, a list of ints, or the CLI's own text ("10,20", "6-10")."""
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        raise ValueError("[python] k must be integers or a text such as '10,20' or '6-10' (got %r)" % (k,))
    try:
        return str(operator.index(k))
    except TypeError:
        pass
    return ",".join(_integer_text(value, "k") for value in k)


def _names_text(curvature):
    """The --curvature text: a name, a list of names, or the CLI's comma-separated text."""
    if isinstance(curvature, str):
        return curvature
    names = []
    for name in curvature:
        if not isinstance(name, str):
            raise ValueError("[python] curvature: %r is not a notion name" % (name,))
        names.append(name)
    return ",".join(names)


def _idleness_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError("[python] ollivier_idleness: %r is not a number" % (value,))
    return repr(float(value)) if not isinstance(value, int) else str(value)


def _threads_text(threads):
    """The --threads text: None (every core this process may use) for None, else an integer's digits; the
    bounds are checked where the CLI checks them."""
    if threads is None:
        return None
    if isinstance(threads, str):
        return threads
    return _integer_text(threads, "threads")


def _run(stacks, inputs, outputs, k, curvature, local, convention, graph, layers_list, ollivier_idleness,
         nodes, progress, threads):
    if not isinstance(layers_list, str) or not isinstance(convention, str) or not isinstance(graph, str):
        raise ValueError("[python] convention, graph and layers_list are words (e.g. 'paper', 'union', 'hidden')")
    return _core.analyze(list(stacks), list(inputs), list(outputs), _k_text(k), graph, convention,
                         _names_text(curvature), _idleness_text(ollivier_idleness), layers_list, bool(local),
                         bool(nodes), progress, _threads_text(threads))


def analyze(layers, k, curvature="forman", local=False, convention="paper", graph="union", layers_list="hidden",
            ollivier_idleness=None, input=None, output=None, nodes=False, progress=None, threads=None):
    """The geometry of one activation stack: `ricci-query analyze FILE --format json` without the file.

    layers: the hidden layers 1..L, each a 2-D float32/float64 array (points x units, same number of points).
    k: the k values (a list of ints, or the CLI's text "10,20,30" / "6-10"); one result per k, in this order.
    curvature: notion names (forman, augmented-forman, balanced-forman, ollivier-approx, ollivier); each gets its
        global coefficient under result["global"] (and its local ones with local=True); Forman's paper fields
        (rho, z, fisher, p, ric) are always there.
    local: the follow-up's local and layer coefficients (--local), under result["local"][notion].
    convention, graph: "paper" | "baptista-r" and "union" | "mutual" (--convention, --graph).
    layers_list: "hidden" (the paper) | "all" (input, the hidden layers and output: the follow-up; --layers).
    ollivier_idleness: alpha in [0, 1) of the ollivier notion's lazy measures (--ollivier-idleness).
    input: layer_00, the network's inputs (used by baptista-r and by layers_list="all").
    output: the network's output, n values or n x 1 (layers_list="all").
    nodes: with local=True, the per-point values of --nodes under result["local"][notion]["nodes"]:
        scalar_curvature and local_expansion ((transitions x points) arrays: O_l(x), eta_l(x) of the
        transition out of measured layer l), rho and rho_reason (one per point).
    progress: called as progress(done, total) after each measured layer.
    threads: threads for the geometry (--threads), an int >= 1 (or its text); None: every core this process may
        use. The results are identical for any count.

    Returns the JSON's dict: n, layers, layer_list, convention, graph, results (one per k), pooled, k_star.
    Raises ValueError with ricci-query's message for bad input.
    """
    out = _run([layers], [input], [output], k, curvature, local, convention, graph, layers_list,
               ollivier_idleness, nodes, progress, threads)
    result = out["stacks"][0]
    result["pooled"] = out["pooled"]
    result["k_star"] = out["k_star"]
    return result


def pool(stacks, k, curvature="forman", local=False, convention="paper", graph="union", layers_list="hidden",
         ollivier_idleness=None, inputs=None, outputs=None, nodes=False, progress=None, threads=None):
    """Several stacks and their pooled coefficient per k and k*: `ricci-query analyze A.h5 B.h5 ...`.

    stacks: a list of stacks, each a list of hidden layers as for analyze (every stack has its own n).
    inputs, outputs: None, or one array (or None) per stack, as analyze's input and output.
    The other arguments are analyze's; progress is called per stack. The stacks are analysed one after
    another, each on `threads` threads.

    Returns the JSON's dict for several stacks: convention, graph, stacks (one analyze result each, without
    pooled and k_star), pooled (per k: k, rho, stacks = how many stacks entered it) and k_star.
    """
    stacks = list(stacks)
    inputs = [None] * len(stacks) if inputs is None else list(inputs)
    outputs = [None] * len(stacks) if outputs is None else list(outputs)
    if len(inputs) != len(stacks) or len(outputs) != len(stacks):
        raise ValueError("[python] inputs and outputs need one entry (an array or None) per stack")
    return _run(stacks, inputs, outputs, k, curvature, local, convention, graph, layers_list,
                ollivier_idleness, nodes, progress, threads)


def rows(result):
    """The rows of `ricci-query analyze --format csv` as dicts (one per stack, k and measured layer), from a
    result of analyze or pool: the layer's measures, Forman's coefficient, and per notion the layer's
    curvature, the global coefficient and (local) the local summaries and the layer coefficient of the
    transition out of the row's layer. Missing values are None."""
    several = "stacks" in result
    stacks = result["stacks"] if several else [result]
    out = []
    for index, stack in enumerate(stacks):
        for r in stack["results"]:
            notions = list(r["global"])
            entries = []
            if r["input"] is not None:
                entries.append((0, "layer_00", r["input"], None, r["eta_input"], None, {}))
            for t, layer in enumerate(r["layers"]):
                eta = r["eta"][t] if t < len(r["eta"]) else None
                entries.append((layer["layer"], layer["name"], layer, layer["ric"], eta, t, layer["curvature"]))
            for number, name, measures, ric, eta, transition, curvature in entries:
                row = {"stack": index} if several else {}
                row.update({"k": r["k"], "layer": number, "name": name, "edges": measures["edges"],
                            "components": measures["components"], "unreachable_pairs": measures["unreachable_pairs"],
                            "ric": ric, "g": measures.get("g"), "rho": r["rho"], "z": r["z"], "fisher": r["fisher"],
                            "p": r["p"], "reason": r["reason"], "eta": eta, "excluded_by": r["excluded_by"]})
                for notion in notions:
                    g = r["global"][notion]
                    row["curvature_" + notion] = curvature.get(notion)
                    for field in ("rho", "z", "fisher", "p", "reason"):
                        row[field + "_" + notion] = g[field]
                for notion in (notions if "local" in r else []):
                    local = r["local"][notion]
                    for field in ("mean", "negative_share", "defined", "undefined", "unreachable", "reason"):
                        row["local_" + field + "_" + notion] = local[field]
                    has_rho = transition is not None and transition < len(local["layer_rho"])
                    row["layer_rho_" + notion] = local["layer_rho"][transition] if has_rho else None
                    row["layer_reason_" + notion] = local["layer_reason"][transition] if has_rho else None
                out.append(row)
    return out


def to_pandas(result):
    """rows(result) as a pandas DataFrame (needs pandas, which ricci_flow itself does not)."""
    try:
        import pandas
    except ImportError as e:
        raise ImportError("ricci_flow.to_pandas needs pandas (Debian: python3-pandas)") from e
    return pandas.DataFrame(rows(result))


def __getattr__(name):
    # ricci_flow.torch is imported on first use, so that `import ricci_flow` never imports PyTorch.
    if name == "torch":
        import importlib
        return importlib.import_module(".torch", __name__)
    raise AttributeError("module 'ricci_flow' has no attribute %r" % (name,))
