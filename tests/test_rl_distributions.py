"""Tests of mfcode.rl.distributions against torch.distributions (an independent implementation)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gymnasium import spaces
from torch.distributions import Categorical as TorchCategorical
from torch.distributions import Normal, kl_divergence

from mfcode.rl.distributions import Categorical, DiagGaussian, make_distribution


def _gen(seed: int = 0) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_gaussian_matches_torch() -> None:
    g = _gen()
    old, new = torch.randn(5, 6, generator=g), torch.randn(5, 6, generator=g)
    action = torch.randn(5, 3, generator=g)
    d = DiagGaussian(3)
    p_old = Normal(old[:, :3], old[:, 3:].exp())
    p_new = Normal(new[:, :3], new[:, 3:].exp())
    torch.testing.assert_close(d.log_prob(old, action), p_old.log_prob(action).sum(-1))
    torch.testing.assert_close(d.entropy(old), p_old.entropy().sum(-1))
    torch.testing.assert_close(d.kl(old, new), kl_divergence(p_old, p_new).sum(-1))
    torch.testing.assert_close(d.mode(old), old[:, :3])


def test_categorical_matches_torch() -> None:
    g = _gen(1)
    old, new = torch.randn(7, 4, generator=g), torch.randn(7, 4, generator=g)
    action = torch.randint(0, 4, (7,), generator=g)
    d = Categorical(4)
    torch.testing.assert_close(d.log_prob(old, action), TorchCategorical(logits=old).log_prob(action))
    torch.testing.assert_close(d.entropy(old), TorchCategorical(logits=old).entropy())
    torch.testing.assert_close(d.kl(old, new), kl_divergence(TorchCategorical(logits=old), TorchCategorical(logits=new)))
    torch.testing.assert_close(d.mode(old), old.argmax(-1))


def test_samples_have_the_right_law() -> None:
    n = 200_000
    logits = torch.log(torch.tensor([0.1, 0.6, 0.3])).expand(n, 3)
    freq = np.bincount(Categorical(3).sample(logits, _gen(2)).numpy(), minlength=3) / n
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.3], atol=4 * np.sqrt(0.25 / n))
    out = torch.tensor([0.3, np.log(0.5)]).expand(n, 2)
    x = DiagGaussian(1).sample(out, _gen(3)).numpy()
    assert abs(x.mean() - 0.3) < 4 * 0.5 / np.sqrt(n)
    assert abs(x.std() - 0.5) < 0.01


def test_kl_of_identical_is_zero_and_positive_otherwise() -> None:
    out = torch.randn(3, 4, generator=_gen(4))
    for d in (DiagGaussian(2), Categorical(4)):
        torch.testing.assert_close(d.kl(out, out), torch.zeros(3))
        assert torch.all(d.kl(out, out + torch.tensor([0.5, 0.0, 0.0, 0.0])) > 0)


def test_factory_and_validation() -> None:
    gaussian = make_distribution(spaces.Box(0.0, 1.0, shape=(2,)))
    categorical = make_distribution(spaces.Discrete(3))
    assert isinstance(gaussian, DiagGaussian) and (gaussian.dim, gaussian.n_outputs) == (2, 4)
    assert isinstance(categorical, Categorical) and (categorical.n, categorical.n_outputs) == (3, 3)
    with pytest.raises(TypeError, match="space"):
        make_distribution("box")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="space"):
        make_distribution(spaces.Box(0.0, 1.0, shape=(2, 2)))
    with pytest.raises(ValueError, match="output"):
        DiagGaussian(2).entropy(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="output"):
        Categorical(2).entropy(torch.zeros(3, 3))
