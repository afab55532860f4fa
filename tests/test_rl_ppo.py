"""Tests of mfcode.rl.ppo: learning known optima, the KL rule, determinism, learner independence."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from gymnasium import spaces
from numpy.typing import NDArray

from mfcode.arrays import FloatArray, IntArray
from mfcode.markov import evaluate, kernel_under, reward_under
from mfcode.rl.config import PPOConfig
from mfcode.rl.env import EnvSpec, StepResult
from mfcode.rl.ppo import PPO, clip_grad_norm_per_learner, resolve_device, update_kl_coeff
from mfcode.rl.toy_envs import ContextualBandit, TabularMDP


def _box(n: int) -> spaces.Box:
    return spaces.Box(0.0, 1.0, shape=(n,), dtype=np.float64)


SMALL = PPOConfig(lr=1e-3, hidden=(32, 32), train_batch_size=480, sgd_minibatch_size=120, num_sgd_iter=5)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Small networks run fastest (and reproducibly) on one CPU thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def chain_mdp() -> TabularMDP:
    """Three-state chain: action 0 pays 0.3 now and returns to 0; action 1 moves right (prob. 0.8)
    and pays 1 only in state 2 -- the myopic action (0) is wrong in states 0 and 1."""
    P = np.zeros((3, 2, 3))
    R = np.zeros((3, 2))
    for s in range(3):
        P[s, 0, 0] = 1.0
        R[s, 0] = 0.3
        P[s, 1, min(s + 1, 2)] += 0.8
        P[s, 1, s] += 0.2
    R[2, 1] = 1.0
    return TabularMDP(P, R, np.array([1.0, 0.0, 0.0]), horizon=30, num_envs=16)


def value_iteration(env: TabularMDP, gamma: float) -> tuple[FloatArray, IntArray]:
    V = np.zeros(env.reward.shape[0])
    for _ in range(5000):
        Q = env.reward + gamma * env.transition @ V
        V = Q.max(1)
    return V, Q.argmax(1)


def test_update_kl_coeff_rule() -> None:
    coeff = torch.full((5,), 0.2)
    kl = torch.tensor([0.03, 0.004, 0.01, 0.02, 0.005])
    np.testing.assert_allclose(update_kl_coeff(coeff, kl, 0.01).numpy(), [0.3, 0.1, 0.2, 0.2, 0.2], rtol=1e-6)
    with pytest.raises(ValueError, match="sampled_kl"):
        update_kl_coeff(coeff, kl[:2], 0.01)
    with pytest.raises(ValueError, match="kl_target"):
        update_kl_coeff(coeff, kl, 0.0)


def test_bandit_mean_converges_to_optimum() -> None:
    targets = np.array([[0.3, 0.6], [0.7, 0.4]])
    env = ContextualBandit(targets, num_envs=32)
    ppo = PPO(env.spec, SMALL, seed=0, device="cpu")
    hist = ppo.train(env, 480 * 60)
    mean_action = ppo.act(np.eye(2)[None], deterministic=True)[0]
    np.testing.assert_allclose(mean_action, targets, atol=0.05)
    returns = np.asarray(hist.episode_return_mean)[:, 0]
    assert returns[-3:].mean() > returns[:3].mean() + 0.2


def test_tabular_mdp_learns_the_value_iteration_optimum() -> None:
    env = chain_mdp()
    gamma = 0.9
    ppo = PPO(env.spec, SMALL.with_(gamma=gamma), seed=0, device="cpu")
    ppo.train(env, 480 * 40)
    V_star, greedy = value_iteration(env, gamma)
    probs = ppo.probabilities(np.eye(3)[None])[0]
    np.testing.assert_array_equal(probs.argmax(1), greedy)
    # exact value of the learned stochastic policy: within 2 % of the optimum
    V_pi = evaluate(reward_under(probs, env.reward), kernel_under(probs, env.transition), gamma)
    np.testing.assert_allclose(V_pi, V_star, rtol=0.02)
    # the critic learned the value too (bootstrapped truncation makes it the infinite-horizon value)
    with torch.no_grad():
        critic = ppo.value_net(torch.eye(3)[None]).squeeze(-1)[0].numpy()
    np.testing.assert_allclose(critic, V_star, rtol=0.1)


def test_kl_coefficient_adapts_during_training() -> None:
    env = chain_mdp()
    ppo = PPO(env.spec, SMALL, seed=1, device="cpu")
    hist = ppo.train(env, 480 * 3, evaluate=lambda learner: float(learner.kl_coeff[0]))
    np.testing.assert_allclose(np.asarray(hist.evaluation)[:, 0], np.asarray(hist.kl_coeff)[:, 0])
    coeffs = np.asarray(hist.kl_coeff)[:, 0]
    kls = np.asarray(hist.kl)[:, 0]
    expected = 0.2
    for kl, c in zip(kls, coeffs, strict=True):
        expected *= 1.5 if kl > 0.02 else (0.5 if kl < 0.005 else 1.0)
        assert c == pytest.approx(expected, rel=1e-6)


def test_same_seed_identical_parameters_other_seed_different() -> None:
    def run(seed: int) -> dict[str, NDArray[np.float32]]:
        ppo = PPO(chain_mdp().spec, SMALL, seed=seed, device="cpu")
        ppo.train(chain_mdp(), 480 * 2)
        return ppo.parameters_numpy()

    a, b, c = run(3), run(3), run(4)
    assert a.keys() == b.keys()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["policy.weights.0"], c["policy.weights.0"])


class _ScaledRewards:
    """Wrap an env and multiply learner ``k``'s rewards by ``scale[k]``."""

    def __init__(self, env: ContextualBandit, scale: FloatArray) -> None:
        self.env, self.scale = env, scale

    @property
    def spec(self) -> EnvSpec:
        return self.env.spec

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        return self.env.reset(seed)

    def step(self, action: FloatArray | IntArray) -> StepResult:
        r = self.env.step(action)
        return StepResult(r.obs, r.reward * self.scale[:, None], r.terminated, r.truncated, r.final_obs)


def test_independent_learners_do_not_interact() -> None:
    """NA: learner 0's parameters do not depend on what learner 1 experiences."""
    targets = np.array([[0.3], [0.6]])
    params = []
    for scale in ([1.0, 1.0], [1.0, 10.0]):
        env = _ScaledRewards(ContextualBandit(targets, num_learners=2, num_envs=8), np.array(scale))
        ppo = PPO(env.spec, SMALL.with_(train_batch_size=64, sgd_minibatch_size=32), seed=0, device="cpu")
        ppo.train(env, 64 * 3)
        params.append(ppo.parameters_numpy())
    same, other = params
    for key in same:
        if key != "kl_coeff":
            np.testing.assert_array_equal(same[key][0], other[key][0])
    assert not np.array_equal(same["policy.weights.0"][1], other["policy.weights.0"][1])


def test_gradient_clipping_is_per_learner() -> None:
    w = torch.nn.Parameter(torch.zeros(2, 3, 4))
    b = torch.nn.Parameter(torch.zeros(2, 1, 4))
    w.grad = torch.ones(2, 3, 4) * torch.tensor([1.0, 0.01]).reshape(2, 1, 1)
    b.grad = torch.ones(2, 1, 4) * torch.tensor([1.0, 0.01]).reshape(2, 1, 1)
    norms = clip_grad_norm_per_learner([w, b], max_norm=1.0)
    np.testing.assert_allclose(norms.numpy(), [4.0, 0.04], rtol=1e-6)
    after = torch.cat([w.grad.reshape(2, -1), b.grad.reshape(2, -1)], 1).norm(dim=1)
    np.testing.assert_allclose(after.numpy(), [1.0, 0.04], rtol=1e-5)  # learner 1 untouched
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_per_learner([w, b], max_norm=0.0)


def test_rollout_length_and_persistence() -> None:
    spec = EnvSpec(_box(3), spaces.Discrete(2), num_learners=1, num_envs=4, agents_per_env=3)
    ppo = PPO(spec, SMALL, seed=0, device="cpu")
    assert ppo.rollout_length == 480 // 4  # system steps per iteration = train_batch_size
    clone = PPO(spec, SMALL, seed=9, device="cpu")
    clone.load_parameters_numpy(ppo.parameters_numpy())
    obs = np.random.default_rng(0).normal(size=(1, 5, 3))
    np.testing.assert_array_equal(clone.probabilities(obs), ppo.probabilities(obs))
    with pytest.raises(ValueError, match="kl_coeff"):
        clone.load_parameters_numpy({k: v for k, v in ppo.parameters_numpy().items() if k != "kl_coeff"})
    # a bad entry of the value network is found before the policy network is overwritten
    other = PPO(spec, SMALL, seed=5, device="cpu")
    bad = other.parameters_numpy()
    value_key = next(k for k in bad if k.startswith("value."))
    bad[value_key] = bad[value_key][..., :1]
    with pytest.raises(ValueError, match="value"):
        clone.load_parameters_numpy(bad)
    np.testing.assert_array_equal(clone.probabilities(obs), ppo.probabilities(obs))
    bad[value_key] = np.full_like(other.parameters_numpy()[value_key], np.nan)
    with pytest.raises(ValueError, match="non-finite"):
        clone.load_parameters_numpy(bad)
    np.testing.assert_array_equal(clone.probabilities(obs), ppo.probabilities(obs))


def test_input_validation() -> None:
    spec = EnvSpec(_box(2), _box(1))
    with pytest.raises(TypeError, match="spec"):
        PPO("spec", SMALL)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        PPO(spec, {"lr": 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        PPO(spec, SMALL, seed=-1)
    with pytest.raises(TypeError, match="device"):
        resolve_device(3)  # type: ignore[arg-type]
    ppo = PPO(spec, SMALL, device="cpu")
    with pytest.raises(ValueError, match="obs"):
        ppo.act(np.zeros((1, 4, 3)))
    with pytest.raises(ValueError, match="Discrete"):
        ppo.probabilities(np.zeros((1, 4, 2)))
    env = ContextualBandit(np.array([[0.5]]), num_envs=4)
    with pytest.raises(ValueError, match="spec"):
        ppo.train(env, 10)
    with pytest.raises(ValueError, match="total_env_steps"):
        PPO(env.spec, SMALL, device="cpu").train(env, 0)
    with pytest.raises(TypeError, match="evaluate"):
        PPO(env.spec, SMALL, device="cpu").train(env, 10, evaluate=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="running_returns"):
        PPO(env.spec, SMALL, device="cpu").collect(env, env.reset(0), np.zeros(4))
    with pytest.raises(TypeError, match="batch"):
        ppo.update({"obs": None})  # type: ignore[arg-type]
    assert resolve_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_clipped_actions_reach_the_env() -> None:
    env = ContextualBandit(np.array([[0.5]]), num_envs=4)
    ppo = PPO(env.spec, SMALL.with_(policy_out_std=10.0), seed=0, device="cpu")
    a = ppo.act(np.ones((1, 4000, 1)))
    assert a.min() == 0.0 and a.max() == 1.0
