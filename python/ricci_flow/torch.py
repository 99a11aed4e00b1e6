"""The activation stack of a PyTorch model, for ricci_flow.analyze (needs PyTorch; Debian: python3-torch).

    stack = ricci_flow.torch.activations(model, loader)
    result = ricci_flow.analyze(stack, k=[10, 20])

Pure Python: forward hooks on the chosen modules collect their outputs over the loader's batches.
"""
try:
    import torch as _torch
except ImportError as e:  # pragma: no cover - depends on the machine
    raise ImportError("ricci_flow.torch needs PyTorch (Debian: python3-torch)") from e

import numpy as _np

__all__ = ["activations"]


def _inputs_of(batch):
    """A loader's batch: a tensor, or a tuple/list whose first item holds the inputs (x, y, ...)."""
    if isinstance(batch, (tuple, list)):
        if not batch:
            raise ValueError("[python] the loader gave an empty batch")
        return batch[0]
    return batch


def _points(tensor):
    """One row per point: the batch dimension first, every other dimension flattened."""
    return tensor.detach().to("cpu").reshape(tensor.shape[0], -1).numpy()


def activations(model, loader, modules=None, with_io=False):
    """The outputs of `modules` (default: every torch.nn.ReLU of `model`) over all of `loader`'s batches.

    Returns a list of numpy arrays, one per module in the order the forward pass runs them, each
    (points x units): the batches concatenated in loader order, every dimension after the batch one
    flattened. The model runs in eval mode under torch.no_grad() (its mode is restored afterwards).
    A module must run once per forward pass: give one module per layer.

    with_io=True returns {"layers": that list, "input": the inputs (points x features), "output": the
    model's outputs (points x outputs)}, for analyze's input= and output= (layers_list="all" wants one
    output value per point).
    """
    if modules is None:
        modules = [m for m in model.modules() if isinstance(m, _torch.nn.ReLU)]
    modules = list(modules)
    if not modules:
        raise ValueError("[python] the model has no torch.nn.ReLU module: pass the modules to hook")
    if len(set(map(id, modules))) != len(modules):
        raise ValueError("[python] a module is named twice in modules")
    collected = {id(m): [] for m in modules}
    order = []  # ids in the order of the first forward pass

    def hook(module, _inputs, output):
        batch = collected[id(module)]
        if len(batch) > batches[0]:
            raise ValueError("[python] module %s ran twice in one forward pass: hook one module per layer" % module)
        batch.append(_points(output))
        if batches[0] == 0:
            order.append(id(module))

    batches = [0]
    inputs, outputs = [], []
    handles = [m.register_forward_hook(hook) for m in modules]
    was_training = model.training
    try:
        model.eval()
        with _torch.no_grad():
            for batch in loader:
                x = _inputs_of(batch)
                y = model(x)
                if with_io:
                    inputs.append(_points(x))
                    outputs.append(_points(y))
                batches[0] += 1
                for m in modules:
                    if len(collected[id(m)]) != batches[0]:
                        raise ValueError("[python] module %s did not run in batch %d" % (m, batches[0] - 1))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    if batches[0] == 0:
        raise ValueError("[python] the loader gave no batches")
    layers = [_np.concatenate(collected[i], axis=0) for i in order]
    if not with_io:
        return layers
    return {"layers": layers, "input": _np.concatenate(inputs, axis=0), "output": _np.concatenate(outputs, axis=0)}
