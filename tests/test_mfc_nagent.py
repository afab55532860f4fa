"""Tests for mfcode.mfc.nagent: the vectorised finite-N simulator (eqs. 1-5)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfc.finite_n import symmetric_value
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


@pytest.mark.parametrize("profile", [False, True])
def test_rollout_mean_matches_exact_value(profile: bool) -> None:
    """Monte Carlo discounted returns (eq. 5, truncated where gamma^T R/(1-gamma) < 1e-8) agree with the
    exact J^N of mfcode.mfc.finite_n within a 99.9% confidence interval, for the multinomial path
    (symmetric policy) and the agent-by-agent path (a profile of N copies)."""
    model = SchedulingModel(gamma=0.8)
    N, runs = 5, 2000
    pol = np.zeros((36, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2] = np.stack([np.linspace(0.2, 0.9, 36), 1 - np.linspace(0.2, 0.9, 36)], axis=1)
    exact = symmetric_value(model, pol, N)[0]
    policy = np.stack([pol] * N) if profile else pol
    returns = NAgentSystem(model, N).rollout(policy, 100, runs, np.random.default_rng(3), discount=0.8)
    half_width = 3.29 * returns.std(ddof=1) / np.sqrt(runs)
    assert abs(returns.mean() - exact) < half_width
    assert half_width < 0.05 * abs(exact)  # the interval is informative


def test_rollout_is_reproducible_and_checks_arguments() -> None:
    sys = NAgentSystem(MODEL, 5)
    pol = np.full((36, 3, 2), 0.5)
    a = sys.rollout(pol, 20, 30, np.random.default_rng(7))
    b = sys.rollout(pol, 20, 30, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="discount"):
        sys.rollout(pol, 5, 3, np.random.default_rng(0), discount=0.0)
    with pytest.raises(ValueError, match="policy must hold one policy per agent"):
        sys.rollout(np.stack([pol] * 4), 5, 3, np.random.default_rng(0))
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
