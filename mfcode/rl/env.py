"""The minimal environment protocol of :mod:`mfcode.rl` (Gymnasium-like, batched, no dependency).

An environment is a batch of ``K x E`` independent copies of one MDP: ``K`` *learners* (independent
policies trained side by side -- the NA baseline of seed ``002_7da79a39441e57df.txt``, Sec. VI, has
one learner per agent) times ``E`` parallel environment copies per learner. Batch axes come first:

- ``reset(seed) -> obs`` with ``obs`` of shape ``(K, E, obs_dim)``;
- ``step(action) -> StepResult`` with ``action`` of shape ``(K, E, dim)`` (:class:`~.spaces.Box`)
  or ``(K, E)`` integers (:class:`~.spaces.Discrete`).

Environments reset themselves: when a copy ends (``terminated`` -- a true terminal state -- or
``truncated`` -- a time limit of an infinite-horizon problem), ``obs`` already holds the first
observation of its next episode and ``final_obs`` the last observation of the ended one, which
PPO needs to bootstrap the value of a truncated episode. All randomness of an environment comes
from the ``np.random.Generator`` created in ``reset(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from mfcode.rl.spaces import Box, Discrete, Space

__all__ = ["EnvSpec", "StepResult", "VectorEnv", "check_step"]


@dataclass(frozen=True)
class EnvSpec:
    """Static description of a batched environment.

    Parameters
    ----------
    obs_dim
        Length of one observation vector.
    action_space
        :class:`~.spaces.Box` or :class:`~.spaces.Discrete`.
    num_learners
        ``K``, the number of independent policies the batch feeds (1 except for NA).
    num_envs
        ``E``, batch entries per learner (parallel environment copies, or copies times agents).
    agents_per_env
        How many of the ``E`` entries belong to one simulated system: 1 normally, ``N`` for the
        parameter-shared baseline PS, whose ``E = copies x N`` entries are the ``N`` agents of each
        copy. Environment steps are counted per system (RLlib's multi-agent step count), so one
        PPO iteration of PS collects ``train_batch_size`` system steps, i.e. ``N`` times as many
        agent samples.
    """

    obs_dim: int
    action_space: Space
    num_learners: int = 1
    num_envs: int = 1
    agents_per_env: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.action_space, (Box, Discrete)):
            raise TypeError(f"action_space must be Box or Discrete, got {type(self.action_space).__name__}")
        for name in ("obs_dim", "num_learners", "num_envs", "agents_per_env"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.num_envs % self.agents_per_env:
            raise ValueError(f"num_envs ({self.num_envs}) must be a multiple of agents_per_env ({self.agents_per_env})")

    @property
    def batch_shape(self) -> tuple[int, int]:
        """``(K, E)``."""
        return (self.num_learners, self.num_envs)


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
        ``(K, E)`` bool, the episode reached a terminal state (no bootstrapping).
    truncated
        ``(K, E)`` bool, the episode hit its time limit (value of ``final_obs`` is bootstrapped).
    final_obs
        ``(K, E, obs_dim)`` observation reached by the step, before any automatic reset.
    """

    obs: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    final_obs: np.ndarray


@runtime_checkable
class VectorEnv(Protocol):
    """Protocol of a batched, self-resetting environment (see the module docstring)."""

    @property
    def spec(self) -> EnvSpec:
        """Static description of the environment batch."""
        ...

    def reset(self, seed: int) -> np.ndarray:
        """Reset every copy, seeding the environment's generator; return ``(K, E, obs_dim)``."""
        ...

    def step(self, action: np.ndarray) -> StepResult:
        """Advance every copy by one step."""
        ...


def check_step(spec: EnvSpec, result: StepResult) -> None:
    """Validate the shapes and dtypes of a :class:`StepResult` against ``spec``.

    Raises
    ------
    ValueError
        Naming the offending field.
    """
    k, e = spec.batch_shape
    expected = {
        "obs": (k, e, spec.obs_dim),
        "final_obs": (k, e, spec.obs_dim),
        "reward": (k, e),
        "terminated": (k, e),
        "truncated": (k, e),
    }
    for name, shape in expected.items():
        arr = getattr(result, name)
        if not isinstance(arr, np.ndarray) or arr.shape != shape:
            got = getattr(arr, "shape", type(arr).__name__)
            raise ValueError(f"step result {name} must be an array of shape {shape}, got {got}")
    for name in ("terminated", "truncated"):
        if getattr(result, name).dtype != np.bool_:
            raise ValueError(f"step result {name} must be a bool array")
    if not np.all(np.isfinite(result.reward)):
        raise ValueError("step result reward must be finite")
