"""Tests of mfcode.rl.nagent_env: the NA / PS views of the N-agent system (seed 002, Sec. VI)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from mfcode.arrays import FloatArray
from mfcode.mfc import NAgentSystem, SchedulingModel
from mfcode.rl.config import PPOConfig
from mfcode.rl.evaluation import evaluate_n_agent
from mfcode.rl.nagent_env import NAgentEnv, agent_policy_table
from mfcode.rl.ppo import PPO

SYSTEM = NAgentSystem(SchedulingModel(), 3)
HORIZON = 1000


def assert_within_ci(exact: float, returns: FloatArray) -> None:
    """``|mean - J^N| <= 4 standard errors + gamma^T c_d lambda / (1 - gamma)`` (the tail the T-step returns miss)."""
    m = SYSTEM.model
    bias = m.gamma**HORIZON * m.drop_penalty * m.arrivals_per_step / (1 - m.gamma)
    se = returns.std(ddof=1) / np.sqrt(returns.size)
    assert abs(returns.mean() - exact) <= 4 * se + bias, (returns.mean(), exact, se, bias)


@pytest.mark.parametrize("mode", ["na", "ps"])
def test_step_is_the_system_step(mode: str) -> None:
    env = NAgentEnv(SYSTEM, mode, num_envs=5, horizon=10)
    rng = np.random.default_rng(4)
    x0, x = SYSTEM.reset(rng, 5)
    obs = env.reset(4)
    per_agent = SYSTEM.agent_observations(x0, x)  # (E, N, d)
    expected = np.swapaxes(per_agent, 0, 1) if mode == "na" else per_agent.reshape(1, 15, -1)
    np.testing.assert_array_equal(obs, expected)
    u = np.random.default_rng(0).integers(0, 2, size=(5, 3))
    action = u.T.copy() if mode == "na" else u.reshape(1, 15)
    res = env.step(action)
    nx0, nx, reward = SYSTEM.step(x0, x, u, rng)
    shared = reward[None, :] if mode == "na" else np.repeat(reward, 3)[None]
    np.testing.assert_array_equal(res.reward, np.broadcast_to(shared, env.spec.batch_shape))
    nxt = SYSTEM.agent_observations(nx0, nx)
    np.testing.assert_array_equal(res.obs, np.swapaxes(nxt, 0, 1) if mode == "na" else nxt.reshape(1, 15, -1))


def test_specs_and_truncation() -> None:
    na = NAgentEnv(SYSTEM, "na", num_envs=4, horizon=1)
    ps = NAgentEnv(SYSTEM, "ps", num_envs=4, horizon=1)
    assert (na.spec.num_learners, na.spec.num_envs, na.spec.agents_per_env) == (3, 4, 1)
    assert (ps.spec.num_learners, ps.spec.num_envs, ps.spec.agents_per_env) == (1, 4, 3)
    assert na.spec.batch_shape == (3, 4) and ps.spec.batch_shape == (1, 12)
    assert na.spec.obs_dim == 5 and na.spec.action_space == spaces.Discrete(2)
    # observation = (fillings / B of the two queues, one-hot agent state): each coordinate spans [0, 1]
    np.testing.assert_array_equal(na.spec.observation_space.low, np.zeros(5))
    np.testing.assert_array_equal(na.spec.observation_space.high, np.ones(5))
    ps.reset(0)
    res = ps.step(np.zeros((1, 12), dtype=np.int64))
    assert res.truncated.all()
    with pytest.raises(ValueError, match="mode"):
        NAgentEnv(SYSTEM, "mf")
    with pytest.raises(ValueError, match="action"):
        ps.step(np.zeros((3, 4), dtype=np.int64))
    with pytest.raises(RuntimeError, match="before reset"):
        NAgentEnv(SYSTEM, "na", num_envs=4).step(np.zeros((3, 4), dtype=np.int64))


def test_agent_policy_tables() -> None:
    for mode, shape in (("ps", (36, 3, 2)), ("na", (3, 36, 3, 2))):
        env = NAgentEnv(SYSTEM, mode, num_envs=2)
        ppo = PPO(env.spec, PPOConfig(hidden=(8,)), seed=0, device="cpu")
        table = agent_policy_table(ppo, SYSTEM)
        assert table.shape == shape
        np.testing.assert_allclose(table.sum(-1), 1.0, rtol=1e-6)
        # entry (x0, x) is the softmax at that agent observation
        feats = SYSTEM.agent_observations(np.array([7]), np.array([[2, 0, 1]]))[0]  # (N, d)
        probs = ppo.probabilities(np.broadcast_to(feats[:1], (ppo.spec.num_learners, 1, 5)).copy())
        member0 = table[7, 2] if mode == "ps" else table[0, 7, 2]
        np.testing.assert_allclose(member0, probs[0, 0], rtol=1e-6)
        # the table is what the N-agent system simulates: its Monte Carlo returns match its exact J^N
        exact, returns = evaluate_n_agent(SYSTEM.model, table, 3, HORIZON, 200, np.random.default_rng(0))
        assert_within_ci(exact, returns)
    with pytest.raises(TypeError, match="system"):
        agent_policy_table(PPO(NAgentEnv(SYSTEM, "ps").spec, PPOConfig(hidden=(8,)), device="cpu"), "system")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="learner"):
        agent_policy_table(PPO(NAgentEnv(NAgentSystem(SchedulingModel(), 2), "na").spec, PPOConfig(hidden=(8,)), device="cpu"), SYSTEM)
