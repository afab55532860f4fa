"""The batched environment protocol of :mod:`mfcode.rl`, with Gymnasium's spaces.

An environment is a batch of ``K x E`` entries: ``K`` *learners* (independent policies trained side
by side -- the NA baseline of seed ``002_7da79a39441e57df.txt``, Sec. VI, has one learner per
agent) times ``E = num_envs x agents_per_env`` entries per learner (parallel copies of the
simulated system, times the agents of one copy that feed the same learner -- ``N`` for the
parameter-shared baseline PS, 1 otherwise). Batch axes come first:

- ``reset(seed) -> obs`` with ``obs`` of shape ``(K, E, obs_dim)``;
- ``step(action) -> StepResult`` with ``action`` of shape ``(K, E, dim)`` (a
  :class:`gymnasium.spaces.Box` action space) or ``(K, E)`` integers (:class:`gymnasium.spaces.Discrete`).

Environments reset themselves: when a copy ends (``terminated`` -- a true terminal state -- or
``truncated`` -- a time limit of an infinite-horizon problem), ``obs`` already holds the first
observation of its next episode and ``final_obs`` the last observation of the ended one, which
PPO needs to bootstrap the value of a truncated episode (Gymnasium's "same-step" autoreset). As
in Gymnasium, all randomness of an environment comes from the ``np.random.Generator`` created in
``reset(seed)`` (an int seed, or a generator to draw from); stepping before the first reset raises
:class:`RuntimeError`. :func:`mfcode.rl.env_checker.check_vector_env` checks an implementation;
:func:`mfcode.rl.views.as_gymnasium` turns a one-copy batch into a :class:`gymnasium.Env`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from gymnasium import spaces

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.limits import check_elements
from mfcode.validation import check_array, check_int

__all__ = ["ActionSpace", "EnvSpec", "StepResult", "VectorEnv", "feature_box", "not_reset_error"]

ActionSpace = spaces.Box | spaces.Discrete
"""The action spaces PPO supports: a Gaussian head for a Box, a softmax head for a Discrete."""


def feature_box(features: FloatArray) -> spaces.Box:
    """The observation space of a finite set of feature vectors ``(n, d)``: their coordinate-wise range."""
    features = check_array(features, "features")
    if features.ndim != 2 or features.shape[0] < 1 or not np.all(np.isfinite(features)):
        raise ValueError(f"features must be a finite array of shape (n, d), got shape {features.shape}")
    return spaces.Box(features.min(0), features.max(0), dtype=np.float64)


def not_reset_error(env: object) -> RuntimeError:
    """The error of an environment stepped before its first ``reset(seed)``."""
    return RuntimeError(f"{type(env).__name__}.step called before reset(seed): the generator is created by reset")


@dataclass(frozen=True)
class EnvSpec:
    """Static description of a batched environment.

    Parameters
    ----------
    observation_space
        Space of one observation: a one-dimensional float64 :class:`gymnasium.spaces.Box`.
    action_space
        Space of one action: a one-dimensional :class:`gymnasium.spaces.Box` with finite bounds
        (the Gaussian samples are clipped to them) or a :class:`gymnasium.spaces.Discrete`
        starting at 0 with at least 2 actions.
    num_learners
        ``K``, the number of independent policies the batch feeds (1 except for NA).
    num_envs
        Parallel copies of the simulated system (per learner).
    agents_per_env
        Entries of one copy in a learner's batch: 1 normally, ``N`` for the parameter-shared
        baseline PS, whose ``N`` agents of a copy all feed the one learner. Environment steps are
        counted per copy (RLlib's multi-agent step count), so one PPO iteration of PS collects
        ``train_batch_size`` system steps, i.e. ``N`` times as many agent samples.
    """

    observation_space: spaces.Box
    action_space: ActionSpace
    num_learners: int = 1
    num_envs: int = 1
    agents_per_env: int = 1

    def __post_init__(self) -> None:
        obs = self.observation_space
        if not isinstance(obs, spaces.Box) or len(obs.shape) != 1 or obs.dtype != np.float64:
            raise TypeError(f"observation_space must be a one-dimensional float64 gymnasium Box, got {obs!r}")
        act = self.action_space
        if isinstance(act, spaces.Box):
            if len(act.shape) != 1 or not (np.all(np.isfinite(act.low)) and np.all(np.isfinite(act.high))):
                raise ValueError(f"action_space must be a one-dimensional Box with finite bounds, got {act!r}")
        elif isinstance(act, spaces.Discrete):
            if int(act.start) != 0 or int(act.n) < 2:
                raise ValueError(f"action_space must be Discrete(n) with n >= 2 and start 0, got {act!r}")
        else:
            raise TypeError(f"action_space must be a gymnasium Box or Discrete, got {type(act).__name__}")
        for name in ("num_learners", "num_envs", "agents_per_env"):
            check_int(getattr(self, name), name, low=1)
        check_elements(self.num_learners * self.num_envs * self.agents_per_env * max(self.obs_dim, 1),
                       f"the observations (K, E, d) of num_learners={self.num_learners}, num_envs={self.num_envs}, "
                       f"agents_per_env={self.agents_per_env}")

    @property
    def obs_dim(self) -> int:
        """Length of one observation vector."""
        return int(self.observation_space.shape[0])

    @property
    def batch_shape(self) -> tuple[int, int]:
        """``(K, E)`` with ``E = num_envs * agents_per_env``."""
        return (self.num_learners, self.num_envs * self.agents_per_env)


@dataclass(frozen=True)
class StepResult:
    """What :meth:`VectorEnv.step` returns; every array has batch shape ``(K, E)`` first.

    Attributes
    ----------
    obs
        ``(K, E, obs_dim)`` next observation (first observation of a new episode where one ended).
    reward
        ``(K, E)`` reward of the step.
    terminated
        ``(K, E)`` the episode reached a terminal state (no bootstrapping).
    truncated
        ``(K, E)`` the episode hit its time limit (value of ``final_obs`` is bootstrapped).
    final_obs
        ``(K, E, obs_dim)`` observation reached by the step, before any automatic reset.
    """

    obs: FloatArray
    reward: FloatArray
    terminated: BoolArray
    truncated: BoolArray
    final_obs: FloatArray


class VectorEnv(Protocol):
    """Protocol of a batched, self-resetting environment (see the module docstring)."""

    @property
    def spec(self) -> EnvSpec:
        """Static description of the environment batch."""
        ...

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        """Reset every copy with a generator made from ``seed``; return ``(K, E, obs_dim)``."""
        ...

    def step(self, action: FloatArray | IntArray) -> StepResult:
        """Advance every copy by one step (:class:`RuntimeError` before the first reset)."""
        ...
