"""Tests of mfcode.rl.networks: normc initialisation and independence of ensemble members."""

from __future__ import annotations

import pytest
import torch

from mfcode.rl.networks import EnsembleMLP, normc_


def _gen(seed: int = 0) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_normc_column_norms() -> None:
    w = normc_(torch.empty(3, 7, 5), 0.01, _gen())
    torch.testing.assert_close(w.pow(2).sum(1).sqrt(), torch.full((3, 5), 0.01))


def test_forward_equals_per_member_mlp() -> None:
    net = EnsembleMLP(3, 4, 2, (8, 8), _gen(), out_std=1.0)
    x = torch.randn(3, 5, 4, generator=_gen(1))
    out = net(x)
    assert out.shape == (3, 5, 2)
    for k in range(3):
        h = x[k]
        for i in range(3):
            h = h @ net.weights[i][k] + net.biases[i][k]
            if i < 2:
                h = torch.tanh(h)
        torch.testing.assert_close(out[k], h)


def test_members_do_not_share_gradients() -> None:
    net = EnsembleMLP(2, 3, 1, (4,), _gen(), activation="relu")
    net(torch.randn(2, 6, 3, generator=_gen(2)))[0].sum().backward()
    for p in net.parameters():
        assert p.grad is not None and torch.all(p.grad[1] == 0)


def test_validation() -> None:
    with pytest.raises(ValueError, match="num_members"):
        EnsembleMLP(0, 3, 1, (4,), _gen())
    with pytest.raises(ValueError, match="hidden"):
        EnsembleMLP(1, 3, 1, (0,), _gen())
    with pytest.raises(ValueError, match="activation"):
        EnsembleMLP(1, 3, 1, (4,), _gen(), activation="gelu")
    with pytest.raises(ValueError, match="x must"):
        EnsembleMLP(2, 3, 1, (4,), _gen())(torch.zeros(1, 5, 3))
    with pytest.raises(ValueError, match="std"):
        normc_(torch.empty(1, 2, 2), 0.0, _gen())
