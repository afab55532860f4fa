"""Tests for mfcode.mfc.mdp: the MFC MDP (state x0, action h)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfcode.mfc.mdp import MFCMDP, sample_categorical
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel


def even_policy(mdp: MFCMDP, p: float = 0.5) -> np.ndarray:
    h = np.array([[1.0, 0.0], [0.0, 1.0], [p, 1 - p]])
    return np.broadcast_to(h, (mdp.n_states, 3, 2)).copy()


def test_spaces() -> None:
    mdp = MFCMDP(SchedulingModel())
    assert mdp.n_states == 36 and mdp.action_shape == (3, 2) and mdp.gamma == 0.99
    assert mdp.observation(np.array([35])).tolist() == [[1.0, 1.0]]
    with pytest.raises(TypeError, match="model"):
        MFCMDP("queue")  # type: ignore[arg-type]


def test_toy_policy_value_closed_form() -> None:
    """V^a(0) = (gamma a - c a^2)/(1-gamma), V^a(1) = V^a(0) + 1 for the constant rule a."""
    toy = BinaryToyModel(cost=1.0, gamma=0.9)
    mdp = MFCMDP(toy)
    for a in (0.0, 0.3, 0.45, 1.0):
        pol = np.tile(np.array([[[1 - a, a]]]), (2, 1, 1))
        V = mdp.policy_value(pol)
        np.testing.assert_allclose(V, [(0.9 * a - a * a) / 0.1, (0.9 * a - a * a) / 0.1 + 1.0], atol=1e-12)
        assert mdp.objective(pol) == pytest.approx(V[0])


def test_step_samples_the_kernel() -> None:
    mdp = MFCMDP(SchedulingModel())
    rng = np.random.default_rng(1)
    n = 100_000
    x0 = np.full(n, 14)
    h = np.tile(np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.2]]), (n, 1, 1))
    nxt, reward = mdp.step(x0, h, rng)
    row = mdp.kernel(h[0])[14]
    freq = np.bincount(nxt, minlength=36) / n
    assert np.abs(freq - row).max() < 4 * np.sqrt(0.25 / n)
    np.testing.assert_allclose(reward, mdp.reward(h[0])[14])
    assert mdp.reset(rng, 5).tolist() == [0] * 5


def test_monte_carlo_return_matches_policy_value() -> None:
    """Discounted MC returns of sampled trajectories agree with the linear-solve value."""
    mdp = MFCMDP(SchedulingModel(gamma=0.8))
    pol = even_policy(mdp, 0.3)
    rng = np.random.default_rng(2)
    runs, T = 4000, 80
    x0 = mdp.reset(rng, runs)
    total, w = np.zeros(runs), 1.0
    for _ in range(T):
        x0, r = mdp.step(x0, pol[x0], rng)
        total += w * r
        w *= 0.8
    J = mdp.objective(pol)
    assert abs(total.mean() - J) < 4 * total.std() / np.sqrt(runs) + 1e-6


@given(arrays(np.float64, (5, 6), elements=st.floats(-3, 3)))
@settings(max_examples=50, deadline=None)
def test_action_head_gives_admissible_rules(a: np.ndarray) -> None:
    mdp = MFCMDP(SchedulingModel())
    h = mdp.decision_rule_from_action(a)
    assert h.shape == (5, 3, 2)
    np.testing.assert_allclose(h.sum(-1), 1.0)
    assert np.all(h >= 0) and np.all(h[:, ~mdp.model.action_mask] == 0)
    # full-access row: clipped proportions (or uniform when both clip to 0)
    c = np.clip(a.reshape(5, 3, 2)[:, 2], 0, 1)
    tot = c.sum(1, keepdims=True)
    expect = np.divide(c, tot, out=np.full_like(c, 0.5), where=tot > 0)
    np.testing.assert_allclose(h[:, 2], expect)


def test_sample_categorical_and_errors() -> None:
    rng = np.random.default_rng(0)
    draws = sample_categorical(np.tile([0.1, 0.0, 0.9], (50_000, 1)), rng)
    assert not np.any(draws == 1)
    assert abs((draws == 0).mean() - 0.1) < 0.01
    with pytest.raises(TypeError, match="rng"):
        sample_categorical(np.ones((1, 2)) / 2, 0)  # type: ignore[arg-type]
    mdp = MFCMDP(SchedulingModel())
    with pytest.raises(ValueError, match="h"):
        mdp.step(np.zeros(2, dtype=int), np.ones((3, 3, 2)) / 2, rng)
    with pytest.raises(ValueError, match="policy"):
        mdp.policy_value(np.ones((35, 3, 2)) / 2)
    with pytest.raises(ValueError, match="action"):
        mdp.decision_rule_from_action(np.ones(5))
    with pytest.raises(ValueError, match="n_envs"):
        mdp.reset(rng, 0)
