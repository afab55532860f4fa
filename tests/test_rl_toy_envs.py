"""Tests of mfcode.rl.toy_envs: rewards, seeding, truncation, transition law (protocol: tests/test_rl_env.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.rl.toy_envs import ContextualBandit, TabularMDP


def _mdp(horizon: int = 3, num_envs: int = 4000) -> TabularMDP:
    P = np.array([[[0.2, 0.8], [1.0, 0.0]], [[0.5, 0.5], [0.0, 1.0]]])
    R = np.array([[1.0, 2.0], [3.0, 4.0]])
    return TabularMDP(P, R, np.array([0.3, 0.7]), horizon=horizon, num_learners=2, num_envs=num_envs)


def test_bandit_reward_and_one_step_episodes() -> None:
    env = ContextualBandit(np.array([[0.2, 0.4], [0.9, 0.1]]), num_learners=2, num_envs=3)
    obs = env.reset(0)
    context = obs.argmax(-1)
    action = np.full((2, 3, 2), 0.5)
    res = env.step(action)
    np.testing.assert_allclose(res.reward, -((0.5 - env.targets[context]) ** 2).sum(-1))
    assert res.terminated.all() and not res.truncated.any()
    np.testing.assert_array_equal(res.final_obs, obs)
    with pytest.raises(ValueError, match="action"):
        env.step(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="targets"):
        ContextualBandit(np.array([[1.5]]))


def test_tabular_law_truncation_and_seeding() -> None:
    env = _mdp()
    obs = env.reset(7)
    np.testing.assert_allclose(obs[..., 1].mean(), 0.7, atol=0.02)  # initial law
    s0 = obs.argmax(-1)
    res = env.step(np.zeros((2, 4000), dtype=np.int64))
    np.testing.assert_allclose(res.reward, np.where(s0 == 0, 1.0, 3.0))
    nxt = res.final_obs.argmax(-1)
    np.testing.assert_allclose(nxt[s0 == 0].mean(), 0.8, atol=0.03)  # P(1 | 0, a=0) = 0.8
    np.testing.assert_allclose(nxt[s0 == 1].mean(), 0.5, atol=0.03)
    assert not res.truncated.any()
    env.step(np.zeros((2, 4000), dtype=np.int64))
    last = env.step(np.ones((2, 4000), dtype=np.int64))
    assert last.truncated.all() and not last.terminated.any()  # horizon 3
    again = _mdp()
    np.testing.assert_array_equal(again.reset(7), obs)
    with pytest.raises(RuntimeError, match="before reset"):
        _mdp().step(np.zeros((2, 4000), dtype=np.int64))


def test_tabular_validation() -> None:
    P = np.full((2, 2, 2), 0.5)
    init = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match="transition"):
        TabularMDP(np.full((2, 2, 2), 0.4), np.zeros((2, 2)), init)
    with pytest.raises(ValueError, match="reward"):
        TabularMDP(P, np.zeros((2, 3)), init)
    with pytest.raises(ValueError, match="initial"):
        TabularMDP(P, np.zeros((2, 2)), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="horizon"):
        TabularMDP(P, np.zeros((2, 2)), init, horizon=0)
    env = TabularMDP(P, np.zeros((2, 2)), init, num_envs=2)
    env.reset(0)
    with pytest.raises(ValueError, match="action"):
        env.step(np.ones((1, 2), dtype=np.int64) * 2)
