"""Tests for mfcode.mfc.nagent: the vectorised finite-N simulator (eqs. 1-5)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel

MODEL = SchedulingModel()


def test_empirical_mean_field_and_reward() -> None:
    sys = NAgentSystem(MODEL, 4)
    x = np.array([[0, 2, 2, 1], [2, 2, 2, 2]])
    u = np.array([[0, 0, 1, 1], [0, 0, 0, 1]])
    G = sys.empirical_mean_field(x, u)
    np.testing.assert_allclose(G[0], [[0.25, 0], [0, 0.25], [0.25, 0.25]])
    np.testing.assert_allclose(G[1], [[0, 0], [0, 0], [0.75, 0.25]])
    x0 = np.array([3, 20])
    _, nxt_x, reward = sys.step(x0, x, u, np.random.default_rng(0))
    np.testing.assert_allclose(reward, MODEL.reward(G)[np.arange(2), x0])
    assert nxt_x.shape == (2, 4)


def test_agent_states_follow_mu0_and_actions_follow_policy() -> None:
    sys = NAgentSystem(MODEL, 50)
    rng = np.random.default_rng(1)
    x0, x = sys.reset(rng, 400)
    assert np.all(x0 == 0)
    freq = np.bincount(x.ravel(), minlength=3) / x.size
    assert np.abs(freq - MODEL.mu0).max() < 4 * np.sqrt(0.25 / x.size)
    pol = np.zeros((36, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2] = [0.3, 0.7]
    u = sys.sample_actions(pol, x0, x, rng)
    assert np.all(u[x == 0] == 0) and np.all(u[x == 1] == 1)
    assert abs((u[x == 2] == 0).mean() - 0.3) < 0.02
    # per-agent profile: agent 0 always queue 2, others queue 1
    prof = np.stack([pol] * 50)
    prof[:, :, 2] = [1.0, 0.0]
    prof[0, :, 2] = [0.0, 1.0]
    u = sys.sample_actions(prof, x0, x, rng)
    assert np.all(u[:, 0][x[:, 0] == 2] == 1) and np.all(u[:, 1:][x[:, 1:] == 2] == 0)


def test_agent_observations() -> None:
    sys = NAgentSystem(MODEL, 3)
    obs = sys.agent_observations(np.array([MODEL.env_index(np.array([5, 1]))]), np.array([[0, 1, 2]]))
    np.testing.assert_allclose(obs[0], [[1, 0.2, 1, 0, 0], [1, 0.2, 0, 1, 0], [1, 0.2, 0, 0, 1]])


def test_rollout_is_reproducible_and_checks_arguments() -> None:
    sys = NAgentSystem(MODEL, 5)
    pol = np.full((36, 3, 2), 0.5)
    a = sys.rollout(pol, 20, 30, np.random.default_rng(7))
    b = sys.rollout(pol, 20, 30, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert np.all(a <= 0)
    with pytest.raises(ValueError, match="horizon"):
        sys.rollout(pol, 0, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="policy"):
        sys.rollout(np.full((36, 3, 3), 1 / 3), 5, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_agents"):
        NAgentSystem(MODEL, 0)
    with pytest.raises(ValueError, match="u"):
        sys.empirical_mean_field(np.zeros((1, 5), dtype=int), np.full((1, 5), 2))
    with pytest.raises(ValueError, match="x"):
        sys.step(np.zeros(1, dtype=int), np.zeros((1, 4), dtype=int), np.zeros((1, 4), dtype=int), np.random.default_rng(0))
