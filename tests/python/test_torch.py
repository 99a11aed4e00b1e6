"""ricci_flow.torch.activations on a tiny PyTorch model whose activations numpy computes by hand: the shapes,
the values, the order, the chosen modules, the inputs and outputs, the restored training mode, and the one-line
user code ricci_flow.analyze(ricci_flow.torch.activations(model, loader), k=...)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch)")

import ricci_flow  # noqa: E402


def tiny_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 5), torch.nn.ReLU(),
                                torch.nn.Linear(5, 1))
    return model


def by_hand(model, X):
    """The two ReLU layers and the output, in float64 from the model's float32 weights."""
    weights = [(m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64))
               for m in model if isinstance(m, torch.nn.Linear)]
    H1 = np.maximum(X @ weights[0][0].T + weights[0][1], 0)
    H2 = np.maximum(H1 @ weights[1][0].T + weights[1][1], 0)
    return [H1, H2], H2 @ weights[2][0].T + weights[2][1]


def loader(X, batch):
    """A DataLoader over (x, y) pairs, in order."""
    data = torch.utils.data.TensorDataset(torch.tensor(X, dtype=torch.float32), torch.zeros(len(X)))
    return torch.utils.data.DataLoader(data, batch_size=batch, shuffle=False)


def test_relu_outputs_in_model_order_over_all_batches():
    model = tiny_model()
    X = np.random.default_rng(1).normal(0, 1, (23, 3)).astype(np.float32)
    layers = ricci_flow.torch.activations(model, loader(X, 5))
    want, _ = by_hand(model, X.astype(np.float64))
    assert [L.shape for L in layers] == [(23, 4), (23, 5)]
    assert all(L.dtype == np.float32 for L in layers)
    for got, expected in zip(layers, want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_chosen_modules_inputs_outputs_and_mode():
    model = tiny_model()
    model.train()
    X = np.random.default_rng(2).normal(0, 1, (10, 3)).astype(np.float32)
    batches = [torch.tensor(X[:4]), torch.tensor(X[4:])]  # plain tensors are batches too
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    stack = ricci_flow.torch.activations(model, batches, modules=[linear[1], linear[0]], with_io=True)
    assert model.training  # restored
    X64 = X.astype(np.float64)
    pre1 = X64 @ linear[0].weight.detach().numpy().T + linear[0].bias.detach().numpy()
    pre2 = np.maximum(pre1, 0) @ linear[1].weight.detach().numpy().T + linear[1].bias.detach().numpy()
    # In the order the forward pass runs them, whatever order they were given in.
    assert [L.shape for L in stack["layers"]] == [(10, 4), (10, 5)]
    np.testing.assert_allclose(stack["layers"][0], pre1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stack["layers"][1], pre2, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(stack["input"], X)
    _, output = by_hand(model, X64)
    np.testing.assert_allclose(stack["output"], output, rtol=1e-5, atol=1e-6)
    # No hook is left behind.
    assert all(not m._forward_hooks for m in model.modules())


def test_the_whole_user_code():
    model = tiny_model()
    X = np.random.default_rng(3).normal(0, 1, (40, 3)).astype(np.float32)
    result = ricci_flow.analyze(ricci_flow.torch.activations(model, loader(X, 16)), k=[3, 6])
    assert result["n"] == 40 and result["layers"] == 2
    assert [r["k"] for r in result["results"]] == [3, 6]
    assert [layer["name"] for layer in result["results"][0]["layers"]] == ["layer_01", "layer_02"]
    assert all(layer["edges"] >= 3 * 40 / 2 for r in result["results"] for layer in r["layers"])


def test_refusals():
    model = tiny_model()
    with pytest.raises(ValueError, match="no torch.nn.ReLU"):
        ricci_flow.torch.activations(torch.nn.Linear(3, 2), [torch.zeros(2, 3)])
    with pytest.raises(ValueError, match="no batches"):
        ricci_flow.torch.activations(model, [])
    relu = torch.nn.ReLU()
    twice = torch.nn.Sequential(torch.nn.Linear(3, 3), relu, torch.nn.Linear(3, 3), relu)
    with pytest.raises(ValueError, match="ran twice in one forward pass"):
        ricci_flow.torch.activations(twice, [torch.zeros(2, 3)])
    assert all(not m._forward_hooks for m in twice.modules())
