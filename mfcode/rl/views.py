"""A :class:`gymnasium.Env` view of one copy of a batched environment of :mod:`mfcode.rl`.

The batched environments (:class:`~mfcode.rl.mfc_env.MFCEnv`, :class:`~mfcode.rl.nagent_env.NAgentEnv`,
:mod:`~mfcode.rl.toy_envs`) simulate ``K x E`` entries at once for the book's own PPO. A reader who
wants to train any other RL library on the same problem builds the batch with one copy
(``num_envs=1``, one learner) and wraps it::

    env = GymnasiumEnv(MFCEnv(MFCMDP(SchedulingModel()), num_envs=1))
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

The view keeps Gymnasium's contract (it passes :func:`gymnasium.utils.env_checker.check_env`):

- ``reset(seed)`` seeds Gymnasium's ``np_random`` (``super().reset(seed=seed)``) and the batched
  environment draws from that very generator, so ``reset()`` without a seed continues the stream;
- ``step`` returns the observation the step reached (the batch's ``final_obs``), not the first
  observation of the next episode the batch has already started: after ``terminated`` or
  ``truncated`` the caller must ``reset``, and stepping before that raises :class:`RuntimeError`;
- for a copy with ``A = agents_per_env > 1`` agents (PS: the ``N`` agents of the N-agent system,
  seed ``002_7da79a39441e57df.txt``, Sec. VI) the observation is the agents' observations
  concatenated (``A d``), the action the joint action (a ``MultiDiscrete`` of ``A`` choices, or a
  Box of ``A dim`` numbers) and the reward the agents' mean reward -- the shared team reward
  :math:`r(x^0,\\mathbb G^N)` of :class:`~mfcode.rl.nagent_env.NAgentEnv`.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.envs.registration import EnvSpec as GymnasiumSpec
from numpy.typing import NDArray

from mfcode.arrays import FloatArray
from mfcode.rl.env import VectorEnv
from mfcode.validation import check_array, check_int

__all__ = ["GymnasiumEnv"]

Action = NDArray[Any] | int | np.integer[Any]
"""An action of the view: an array (Box, MultiDiscrete) or an integer (Discrete)."""


def _joint(space: spaces.Box | spaces.Discrete, agents: int) -> spaces.Space[Any]:
    if agents == 1:
        return space
    if isinstance(space, spaces.Discrete):
        return spaces.MultiDiscrete(np.full(agents, int(space.n), dtype=np.int64))
    return spaces.Box(np.tile(space.low, agents), np.tile(space.high, agents), dtype=space.dtype)


class GymnasiumEnv(gymnasium.Env[FloatArray, Action]):
    """The one-copy batch ``env`` (``num_learners == num_envs == 1``) as a :class:`gymnasium.Env`.

    Parameters
    ----------
    env
        A :class:`~mfcode.rl.env.VectorEnv` of batch ``(1, A)`` with ``A = spec.agents_per_env``
        (for :class:`~mfcode.rl.nagent_env.NAgentEnv` use mode ``"ps"``; with one copy both modes
        simulate the same system, NA only splits it among ``N`` learners).
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 (gymnasium's class attribute)

    def __init__(self, env: VectorEnv) -> None:
        spec = getattr(env, "spec", None)
        if spec is None or not callable(getattr(env, "reset", None)) or not callable(getattr(env, "step", None)):
            raise TypeError(f"env must be a VectorEnv (spec, reset, step), got {type(env).__name__}")
        if spec.num_learners != 1 or spec.num_envs != 1:
            raise ValueError(
                f"env must simulate one copy for one learner (num_learners = num_envs = 1), got "
                f"num_learners={spec.num_learners}, num_envs={spec.num_envs}"
            )
        self.env = env
        self.agents = spec.agents_per_env
        obs = spec.observation_space
        self.observation_space = (
            obs if self.agents == 1 else spaces.Box(np.tile(obs.low, self.agents), np.tile(obs.high, self.agents), dtype=np.float64)
        )
        self.action_space = _joint(spec.action_space, self.agents)
        self.spec = GymnasiumSpec(
            id=f"mfcode/{type(env).__name__}-v0", entry_point="mfcode.rl.views:GymnasiumEnv", kwargs={"env": env}, nondeterministic=False
        )
        self._episode_over: bool | None = None  # None: never reset

    def _flatten(self, batch_obs: FloatArray) -> FloatArray:
        obs: FloatArray = np.array(batch_obs[0].reshape(-1), dtype=np.float64)
        return obs

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[FloatArray, dict[str, Any]]:
        """Start an episode; ``seed`` (optional) re-seeds the generator, as in Gymnasium."""
        if seed is not None:
            check_int(seed, "seed", low=0)
        if options is not None and not isinstance(options, dict):
            raise TypeError(f"options must be a dict or None, got {type(options).__name__}")
        super().reset(seed=None if seed is None else int(seed))
        obs = self.env.reset(self.np_random)
        self._episode_over = False
        return self._flatten(obs), {}

    def step(self, action: Action) -> tuple[FloatArray, float, bool, bool, dict[str, Any]]:
        """One step of the copy: ``(observation, reward, terminated, truncated, info)``."""
        if self._episode_over is None:
            raise RuntimeError("GymnasiumEnv.step called before reset()")
        if self._episode_over:
            raise RuntimeError("GymnasiumEnv.step called after the episode ended: call reset() first")
        single = self.env.spec.action_space
        if isinstance(single, spaces.Discrete):
            chosen = check_array(action, "action", integer=True)
            if chosen.size != self.agents or chosen.min() < 0 or chosen.max() >= int(single.n):
                raise ValueError(f"action must be {self.agents} integer(s) in 0..{int(single.n) - 1}, got {action!r}")
            result = self.env.step(chosen.reshape(1, self.agents))
        else:
            values = check_array(action, "action", finite=True)
            if values.size != self.agents * int(single.shape[0]):
                raise ValueError(f"action must hold {self.agents * int(single.shape[0])} numbers, got shape {values.shape}")
            result = self.env.step(values.reshape(1, self.agents, -1))
        terminated = bool(result.terminated.any())
        truncated = bool(result.truncated.any())
        self._episode_over = terminated or truncated
        return self._flatten(result.final_obs), float(result.reward.mean()), terminated, truncated, {}
