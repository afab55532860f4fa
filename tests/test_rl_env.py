"""Tests of mfcode.rl.env, mfcode.rl.env_checker and mfcode.rl.views over every environment of mfcode.rl.

Every batched environment passes the one checker (:func:`check_vector_env`), and its one-copy
Gymnasium view passes Gymnasium's own ``check_env`` (with its warnings, which pytest turns into
errors). The checker itself is shown to catch the faults it names.
"""

from __future__ import annotations

from collections.abc import Callable

import gymnasium
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env

from mfcode.arrays import FloatArray, IntArray
from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel
from mfcode.mfc.toy import BinaryToyModel
from mfcode.rl.env import EnvSpec, StepResult, VectorEnv, feature_box
from mfcode.rl.env_checker import check_vector_env, sample_actions
from mfcode.rl.mfc_env import MFCEnv
from mfcode.rl.nagent_env import NAgentEnv
from mfcode.rl.toy_envs import ContextualBandit, TabularMDP
from mfcode.rl.views import GymnasiumEnv

MDP = MFCMDP(SchedulingModel())
SYSTEM = NAgentSystem(SchedulingModel(), 3)
P = np.array([[[0.2, 0.8], [1.0, 0.0]], [[0.5, 0.5], [0.0, 1.0]]])
R = np.array([[1.0, 2.0], [3.0, 4.0]])
BOX = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float64)

# name -> (factory of a fresh environment with `num_envs` copies, its horizon or None)
ENVS: dict[str, tuple[Callable[[int], VectorEnv], int | None]] = {
    "mfc-scheduling": (lambda e: MFCEnv(MDP, num_envs=e, horizon=3), 3),
    "mfc-toy": (lambda e: MFCEnv(MFCMDP(BinaryToyModel()), num_envs=e, horizon=4), 4),
    "nagent-ps": (lambda e: NAgentEnv(SYSTEM, "ps", num_envs=e, horizon=3), 3),
    "nagent-na": (lambda e: NAgentEnv(SYSTEM, "na", num_envs=e, horizon=3), 3),
    "bandit": (lambda e: ContextualBandit(np.array([[0.2, 0.4], [0.9, 0.1]]), num_learners=2, num_envs=e), None),
    "tabular": (lambda e: TabularMDP(P, R, np.array([0.3, 0.7]), horizon=3, num_learners=2, num_envs=e), 3),
}
ONE_COPY = {  # the Gymnasium views: one copy, one learner
    "mfc-scheduling": lambda: MFCEnv(MDP, num_envs=1, horizon=3),
    "mfc-toy": lambda: MFCEnv(MFCMDP(BinaryToyModel()), num_envs=1, horizon=4),
    "nagent-ps": lambda: NAgentEnv(SYSTEM, "ps", num_envs=1, horizon=3),
    "bandit": lambda: ContextualBandit(np.array([[0.2, 0.4], [0.9, 0.1]]), num_envs=1),
    "tabular": lambda: TabularMDP(P, R, np.array([0.3, 0.7]), horizon=3, num_envs=1),
}


@pytest.mark.parametrize("name", sorted(ENVS))
def test_every_environment_passes_the_checker(name: str) -> None:
    make, horizon = ENVS[name]
    check_vector_env(make(5), seed=7, horizon=horizon)


@pytest.mark.parametrize("name", sorted(ONE_COPY))
def test_every_gymnasium_view_passes_gymnasiums_checker(name: str) -> None:
    env = GymnasiumEnv(ONE_COPY[name]())
    check_env(env)
    obs, info = env.reset(seed=3)
    assert obs in env.observation_space and info == {}
    assert env.spec is not None and isinstance(gymnasium.make(env.spec).unwrapped, GymnasiumEnv)


def test_view_is_one_copy_of_the_batch() -> None:
    """The view's transitions are the batch's (same generator stream), and episodes end for good."""
    view = GymnasiumEnv(NAgentEnv(SYSTEM, "ps", num_envs=1, horizon=2))
    batch = NAgentEnv(SYSTEM, "ps", num_envs=1, horizon=2)
    obs, _ = view.reset(seed=11)
    rng = np.random.default_rng(11)  # Gymnasium's seeding gives the generator default_rng(seed) gives
    np.testing.assert_array_equal(obs, batch.reset(rng).reshape(-1))
    assert isinstance(view.action_space, spaces.MultiDiscrete) and view.action_space.nvec.tolist() == [2, 2, 2]
    assert view.observation_space.shape == (3 * batch.spec.obs_dim,)
    for t in (1, 2):
        u = np.array([0, 1, 1])
        obs, reward, terminated, truncated, _ = view.step(u)
        res = batch.step(u.reshape(1, 3))
        np.testing.assert_array_equal(obs, res.final_obs.reshape(-1))
        assert reward == pytest.approx(res.reward[0, 0], rel=1e-15) and not terminated and truncated == (t == 2)
    with pytest.raises(RuntimeError, match="reset"):
        view.step(np.array([0, 0, 0]))
    with pytest.raises(RuntimeError, match="before reset"):
        GymnasiumEnv(MFCEnv(MDP, num_envs=1)).step(np.zeros(6))
    with pytest.raises(ValueError, match="one copy"):
        GymnasiumEnv(MFCEnv(MDP, num_envs=2))
    with pytest.raises(ValueError, match="one copy"):
        GymnasiumEnv(NAgentEnv(SYSTEM, "na", num_envs=1))
    with pytest.raises(TypeError, match="VectorEnv"):
        GymnasiumEnv("env")  # type: ignore[arg-type]


def test_spec_validation() -> None:
    spec = EnvSpec(BOX, spaces.Discrete(3), num_learners=2, num_envs=4, agents_per_env=3)
    assert spec.batch_shape == (2, 12) and spec.obs_dim == 2
    with pytest.raises(TypeError, match="observation_space"):
        EnvSpec(spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32), BOX)
    with pytest.raises(TypeError, match="observation_space"):
        EnvSpec(spaces.Discrete(2), BOX)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="action_space"):
        EnvSpec(BOX, spaces.MultiBinary(2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="action_space"):
        EnvSpec(BOX, spaces.Box(0.0, np.inf, shape=(2,)))
    with pytest.raises(ValueError, match="action_space"):
        EnvSpec(BOX, spaces.Discrete(3, start=1))
    with pytest.raises(ValueError, match="num_envs"):
        EnvSpec(BOX, BOX, num_envs=0)
    with pytest.raises(TypeError, match="agents_per_env"):
        EnvSpec(BOX, BOX, agents_per_env=1.5)  # type: ignore[arg-type]


def test_feature_box_is_the_range_of_the_features() -> None:
    box = feature_box(np.array([[0.0, 2.0], [1.0, -1.0], [0.5, 0.0]]))
    np.testing.assert_array_equal(box.low, [0.0, -1.0])
    np.testing.assert_array_equal(box.high, [1.0, 2.0])
    assert box.dtype == np.float64
    with pytest.raises(ValueError, match="features"):
        feature_box(np.zeros(3))
    with pytest.raises(ValueError, match="features"):
        feature_box(np.array([[np.nan]]))


def test_sample_actions_lie_in_the_space() -> None:
    rng = np.random.default_rng(0)
    box_spec = EnvSpec(BOX, spaces.Box(-1.0, 2.0, shape=(3,), dtype=np.float64), num_learners=2, num_envs=50)
    a = sample_actions(box_spec, rng)
    assert a.shape == (2, 50, 3) and a.dtype == np.float64 and a.min() >= -1.0 and a.max() <= 2.0
    assert a.min() < 0.0 < 1.0 < a.max()  # not a degenerate sample
    d = sample_actions(EnvSpec(BOX, spaces.Discrete(4), num_envs=200), rng)
    assert d.shape == (1, 200) and d.dtype == np.int64 and set(d.ravel().tolist()) == {0, 1, 2, 3}
    with pytest.raises(TypeError, match="spec"):
        sample_actions("spec", rng)  # type: ignore[arg-type]


class _Faulty:
    """A correct toy environment with one fault switched on (to show the checker catches it)."""

    def __init__(self, fault: str) -> None:
        self.env = TabularMDP(P, R, np.array([0.3, 0.7]), horizon=3, num_envs=40)
        self.fault = fault
        self.calls = 0

    @property
    def spec(self) -> EnvSpec:
        return self.env.spec

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        obs = self.env.reset(seed)
        if self.fault == "unseeded-reset":
            return self.env.reset(np.random.default_rng())
        return obs

    def step(self, action: FloatArray | IntArray) -> StepResult:
        if self.fault == "no-reset-guard" and self.calls == 0:
            self.calls += 1
            self.env.reset(0)
        self.calls += 1
        r = self.env.step(action)
        if self.fault == "float32-reward":
            return StepResult(r.obs, r.reward.astype(np.float32), r.terminated, r.truncated, r.final_obs)  # type: ignore[arg-type]
        if self.fault == "noisy-reward":
            return StepResult(r.obs, r.reward + np.random.default_rng().normal(size=r.reward.shape), r.terminated, r.truncated, r.final_obs)
        if self.fault == "never-truncates":
            return StepResult(r.final_obs, r.reward, r.terminated, np.zeros_like(r.truncated), r.final_obs)
        if self.fault == "obs-outside-space":
            return StepResult(r.obs + 2.0, r.reward, r.terminated, r.truncated, r.final_obs)
        if self.fault == "obs-is-not-final-obs":
            return StepResult(r.obs, r.reward, r.terminated, r.truncated, np.roll(r.final_obs, 1, axis=-1))
        return r


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("no-reset-guard", "before reset"),
        ("unseeded-reset", "reset\\(seed\\) is not deterministic"),
        ("float32-reward", "reward must be a float64"),
        ("noisy-reward", "reward is not deterministic"),
        ("never-truncates", "truncated must be True"),
        ("obs-outside-space", "outside observation_space"),
        ("obs-is-not-final-obs", "obs differs from final_obs"),
    ],
)
def test_checker_catches_faults(fault: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_vector_env(_Faulty(fault), horizon=3)
    check_vector_env(_Faulty("none"), horizon=3)
