"""Tests of mfcode.rl.mfc_env: the MFC MDP as an RL environment (seed 002, Sec. VI action head)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from gymnasium import spaces

from mfcode.markov import evaluate
from mfcode.mfc import MFCMDP, SchedulingModel
from mfcode.mfc.toy import BinaryToyModel
from mfcode.rl.config import PPOConfig
from mfcode.rl.mfc_env import MFCEnv, policy_table, stochastic_policy_value
from mfcode.rl.ppo import PPO

MDP = MFCMDP(SchedulingModel())


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_spec_of_the_scheduling_instance() -> None:
    env = MFCEnv(MDP, num_envs=5)
    assert env.spec.obs_dim == 2 and env.spec.action_space == spaces.Box(0.0, 1.0, shape=(6,), dtype=np.float64)
    assert env.spec.batch_shape == (1, 5)
    # the observation space is the range of the features of the 36 states (fillings / B in [0, 1])
    np.testing.assert_array_equal(env.spec.observation_space.low, [0.0, 0.0])
    np.testing.assert_array_equal(env.spec.observation_space.high, [1.0, 1.0])


def test_step_is_the_mdp_step_with_the_paper_head() -> None:
    env = MFCEnv(MDP, num_envs=64, horizon=50)
    rng = np.random.default_rng(11)
    x0 = MDP.reset(rng, 64)
    np.testing.assert_array_equal(env.reset(11)[0], MDP.observation(x0))
    for _ in range(3):
        action = np.random.default_rng(1).normal(size=(1, 64, 6))
        res = env.step(action)
        h = MDP.decision_rule_from_action(action[0])
        nxt, reward = MDP.step(x0, h, rng)
        np.testing.assert_array_equal(res.reward[0], reward)
        np.testing.assert_array_equal(res.final_obs[0], MDP.observation(nxt))
        x0 = nxt
    # reward = -E[drops] of the induced mean field: all-to-queue-1 at full queue 1 drops more
    full1 = MDP.model.env_index(np.array([5, 0]))
    to1 = MDP.decision_rule_from_action(np.array([1, 0, 0, 1, 1, 0.0]))
    to2 = MDP.decision_rule_from_action(np.array([1, 0, 0, 1, 0, 1.0]))
    assert MDP.reward(to1)[full1] < MDP.reward(to2)[full1]


def test_truncation_and_reset() -> None:
    env = MFCEnv(MDP, num_envs=8, horizon=2)
    first = env.reset(0)
    a = np.full((1, 8, 6), 0.5)
    assert not env.step(a).truncated.any()
    res = env.step(a)
    assert res.truncated.all() and not res.terminated.any()
    np.testing.assert_array_equal(res.obs, first)  # empty queues again (mu^0_0 = point mass)
    with pytest.raises(ValueError, match="action"):
        env.step(np.zeros((1, 8, 5)))
    with pytest.raises(RuntimeError, match="before reset"):
        MFCEnv(MDP).step(np.zeros((1, 20, 6)))
    with pytest.raises(ValueError, match="num_envs"):
        MFCEnv(MDP, num_envs=0)
    with pytest.raises(TypeError, match="mdp"):
        MFCEnv("mdp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="horizon"):
        MFCEnv(MDP, horizon=0)


def test_policy_table_from_mean_and_samples() -> None:
    env = MFCEnv(MDP, num_envs=4)
    ppo = PPO(env.spec, PPOConfig(hidden=(16,)), seed=0, device="cpu")
    det = policy_table(ppo, MDP)
    obs = MDP.observation(np.arange(MDP.n_states))[None]
    np.testing.assert_allclose(det, MDP.decision_rule_from_action(ppo.act(obs, deterministic=True)[0]))
    avg = policy_table(ppo, MDP, n_samples=50)
    for table in (det, avg):
        assert table.shape == (36, 3, 2)
        np.testing.assert_allclose(table.sum(-1), 1.0)
        np.testing.assert_array_equal(table[:, 0], [[1.0, 0.0]] * 36)  # access {1}: queue 1 only
    state = ppo.generator.get_state()
    np.testing.assert_array_equal(policy_table(ppo, MDP, n_samples=50), avg)  # seeded, own generator
    assert torch.equal(ppo.generator.get_state(), state)
    with pytest.raises(ValueError, match="n_samples"):
        policy_table(ppo, MDP, n_samples=-1)
    with pytest.raises(TypeError, match="mdp"):
        policy_table(ppo, "mdp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="match"):
        policy_table(ppo, MFCMDP(BinaryToyModel()))


def test_ppo_reaches_the_closed_form_optimum_of_the_toy() -> None:
    """Toy of notes §5.4 with c = 0.3, gamma = 0.9: a* = min(1, gamma/(2c)) = 1, V*(0) = (gamma - c)/(1 - gamma) = 6."""
    mdp = MFCMDP(BinaryToyModel(cost=0.3, gamma=0.9))
    env = MFCEnv(mdp, num_envs=16, horizon=30)
    cfg = PPOConfig(lr=1e-3, gamma=0.9, gae_lambda=0.95, hidden=(32, 32), train_batch_size=480, sgd_minibatch_size=120, num_sgd_iter=5)
    ppo = PPO(env.spec, cfg, seed=0, device="cpu")
    ppo.train(env, 480 * 30)
    assert mdp.objective(policy_table(ppo, mdp)) == pytest.approx(6.0, rel=0.01)
    assert mdp.objective(policy_table(ppo, mdp, n_samples=200)) == pytest.approx(6.0, rel=0.02)


def test_stochastic_value_closed_form_on_the_toy() -> None:
    """Toy (notes §5.4): with a random fraction a ~ pi(x0), V(0) = (gamma E[a|0] - c E[a^2|0] + gamma (V(1)-V(0)) ...);
    here we check the averaged-kernel solve against the closed form built from the same samples."""
    gamma, c = 0.9, 1.0
    mdp = MFCMDP(BinaryToyModel(cost=c, gamma=gamma))
    env = MFCEnv(mdp, num_envs=2)
    ppo = PPO(env.spec, PPOConfig(hidden=(8,), policy_out_std=1.0), seed=3, device="cpu")
    n = 400
    g = torch.Generator()
    g.manual_seed(5)
    obs = np.repeat(mdp.observation(np.arange(2))[None], n, axis=0).reshape(1, 2 * n, -1)
    a = mdp.decision_rule_from_action(ppo.act(obs, generator=g)[0]).reshape(n, 2, 1, 2)[..., 0, 1]  # (n, X0)
    # P(x'=1 | x0) = E[a | x0], r(x0) = x0 - c E[a^2 | x0]
    p1, r = a.mean(0), np.arange(2) - c * (a**2).mean(0)
    P = np.stack([1 - p1, p1], axis=1)
    expected = evaluate(r, P, gamma)
    np.testing.assert_allclose(stochastic_policy_value(ppo, mdp, n_samples=n, seed=5), expected, rtol=1e-10)


def test_stochastic_value_of_a_nearly_deterministic_policy() -> None:
    env = MFCEnv(MDP, num_envs=2)
    ppo = PPO(env.spec, PPOConfig(hidden=(8,), policy_out_std=1.0), seed=0, device="cpu")
    with torch.no_grad():
        ppo.policy_net.biases[-1][..., :6] = 0.37  # keep the means off the clipping boundary 0
        ppo.policy_net.biases[-1][..., 6:] = -12.0  # log std: sigma ~ 6e-6
    det = MDP.policy_value(policy_table(ppo, MDP))
    np.testing.assert_allclose(stochastic_policy_value(ppo, MDP, n_samples=3), det, rtol=1e-4)
    with pytest.raises(ValueError, match="n_samples"):
        stochastic_policy_value(ppo, MDP, n_samples=0)
