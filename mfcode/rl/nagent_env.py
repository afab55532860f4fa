"""The N-agent baselines of seed ``002_7da79a39441e57df.txt`` (Sec. VI) as batched RL environments.

Both baselines learn decentralised policies :math:`\\pi^i(u\\mid x^0, x^i)` (the paper's
:math:`\\Pi_N`: each agent sees the environment state and its own state) on the finite-N system
:class:`~mfcode.mfc.NAgentSystem`, with the shared team reward :math:`r(x^0,\\mathbb G^N)`
(the paper is silent on per-agent rewards; it blames "the credit assignment problem", which implies
a shared reward) and a softmax head ("we output queue assignment probabilities for each of the
agents via a standard softmax final layer"; an inaccessible choice is resampled by the simulator):

- **NA** -- independent learning, "applying single-agent RL to each separate agent": ``K = N``
  independent PPO learners, learner ``i`` sees agent ``i``'s observations;
- **PS** -- parameter sharing: one PPO learner fed by all agents, ``E x N`` batch entries per step.

:func:`agent_policy_table` converts a trained learner to policy arrays ``(X0, X, U)`` (PS) or
``(N, X0, X, U)`` (NA) that :meth:`~mfcode.mfc.NAgentSystem.rollout` simulates.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from gymnasium import spaces
from numpy.typing import NDArray

from mfcode.arrays import FloatArray, IntArray
from mfcode.mfc import NAgentSystem
from mfcode.rl.env import EnvSpec, StepResult, feature_box, not_reset_error
from mfcode.rl.ppo import PPO
from mfcode.validation import check_int, check_rng

__all__ = ["NAgentEnv", "agent_policy_table"]

_Item = TypeVar("_Item", bound=np.generic)


def _all_agent_features(system: NAgentSystem) -> FloatArray:
    """Observations ``(X0 X, d + X)`` of every pair (environment state, agent state), ``x0``-major."""
    m = system.model
    x0, x = np.meshgrid(np.arange(m.n_env_states), np.arange(m.n_agent_states), indexing="ij")
    feats: FloatArray = np.concatenate([m.env_features(x0.ravel()), np.eye(m.n_agent_states)[x.ravel()]], axis=-1)
    return feats


class NAgentEnv:
    """``E`` copies of the N-agent system seen by NA (``K = N``) or PS (``K = 1``) learners.

    Parameters
    ----------
    system
        The :class:`~mfcode.mfc.NAgentSystem` (model and ``N``).
    mode
        ``"na"`` (independent learners: batch ``(N, E)``, learner ``i`` sees agent ``i``) or
        ``"ps"`` (parameter sharing: batch ``(1, E N)``, the ``N`` agents of a copy side by side).
    num_envs
        Parallel copies ``E`` of the N-agent system.
    horizon
        Episode length before truncation (paper silent, choice I6).

    An agent observes :math:`(x^0, x^i)` as the model's features of :math:`x^0` followed by the
    one-hot vector of :math:`x^i` (:meth:`~mfcode.mfc.NAgentSystem.agent_observations`); its action
    is a queue choice :math:`u^i` in ``{0, ..., U - 1}``; its reward is the shared
    :math:`r(x^0, \\mathbb G^N)`.
    """

    def __init__(self, system: NAgentSystem, mode: str, num_envs: int = 20, horizon: int = 100) -> None:
        if not isinstance(system, NAgentSystem):
            raise TypeError(f"system must be an NAgentSystem, got {type(system).__name__}")
        if not isinstance(mode, str) or mode not in ("na", "ps"):
            raise ValueError(f"mode must be 'na' or 'ps', got {mode!r}")
        self.system = system
        self.mode = mode
        self.horizon = check_int(horizon, "horizon", low=1)
        self.copies = check_int(num_envs, "num_envs", low=1)
        n = int(system.n_agents)
        observations = feature_box(_all_agent_features(system))
        actions = spaces.Discrete(system.model.n_actions)
        if mode == "na":
            self._spec = EnvSpec(observations, actions, num_learners=n, num_envs=self.copies)
        else:
            self._spec = EnvSpec(observations, actions, num_learners=1, num_envs=self.copies, agents_per_env=n)
        self._rng: np.random.Generator | None = None
        self._x0: IntArray = np.zeros(self.copies, dtype=np.int64)
        self._x: IntArray = np.zeros((self.copies, n), dtype=np.int64)
        self._t: IntArray = np.zeros(self.copies, dtype=np.int64)

    @property
    def spec(self) -> EnvSpec:
        """Static description."""
        return self._spec

    def _to_learners(self, per_agent: NDArray[_Item]) -> NDArray[_Item]:
        """``(E, N, ...)`` -> ``(K, E', ...)``."""
        if self.mode == "na":
            return np.swapaxes(per_agent, 0, 1)
        return per_agent.reshape(1, -1, *per_agent.shape[2:])

    def _observe(self, x0: IntArray, x: IntArray) -> FloatArray:
        return self._to_learners(np.asarray(self.system.agent_observations(x0, x), dtype=np.float64))

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        """Reset every copy with a generator made from ``seed``; observations ``(K, E', d + X)``."""
        self._rng = check_rng(seed)
        self._x0, self._x = self.system.reset(self._rng, self.copies)
        self._t = np.zeros(self.copies, dtype=np.int64)
        return self._observe(self._x0, self._x)

    def step(self, action: FloatArray | IntArray) -> StepResult:
        """Apply per-agent queue choices (``(K, E')`` ints) and advance every copy."""
        if self._rng is None:
            raise not_reset_error(self)
        n = self.system.n_agents
        if not isinstance(action, np.ndarray) or action.shape != self._spec.batch_shape or not np.issubdtype(action.dtype, np.integer):
            raise ValueError(f"action must be an int array of shape {self._spec.batch_shape}, got {getattr(action, 'dtype', type(action).__name__)} {np.shape(action)}")
        if action.min() < 0 or action.max() >= self.system.model.n_actions:
            raise ValueError(f"action must hold queue choices in 0..{self.system.model.n_actions - 1}")
        u = action.T if self.mode == "na" else action.reshape(self.copies, n)
        x0, x, reward = self.system.step(self._x0, self._x, u, self._rng)
        self._t += 1
        truncated = self._t >= self.horizon
        final = self._observe(x0, x)
        if truncated.any():
            x0 = x0.copy()
            x = x.copy()
            x0_new, x_new = self.system.reset(self._rng, int(truncated.sum()))
            x0[truncated], x[truncated] = x0_new, x_new
            self._t[truncated] = 0
        self._x0, self._x = x0, x
        per_agent = np.broadcast_to(np.asarray(reward, dtype=np.float64)[:, None], (self.copies, n))
        trunc = np.broadcast_to(truncated[:, None], (self.copies, n))
        return StepResult(
            self._observe(x0, x),
            np.ascontiguousarray(self._to_learners(per_agent)),
            np.zeros(self._spec.batch_shape, dtype=bool),
            np.ascontiguousarray(self._to_learners(trunc)),
            final,
        )


def agent_policy_table(learner: PPO, system: NAgentSystem) -> FloatArray:
    """Softmax policies of a learner trained on :class:`NAgentEnv`, as arrays over ``(x0, x)``.

    Returns
    -------
    FloatArray
        :math:`\\pi^i(u \\mid x^0, x)`: ``(X0, X, U)`` for a single (PS) learner, ``(N, X0, X, U)``
        for ``K = N`` (NA) learners.
    """
    if not isinstance(learner, PPO):
        raise TypeError(f"learner must be a PPO, got {type(learner).__name__}")
    if not isinstance(system, NAgentSystem):
        raise TypeError(f"system must be an NAgentSystem, got {type(system).__name__}")
    if not isinstance(learner.spec.action_space, spaces.Discrete):
        raise ValueError("learner must have a Discrete action space")
    m = system.model
    feats = _all_agent_features(system)
    k = learner.spec.num_learners
    if k not in (1, system.n_agents) or feats.shape[-1] != learner.spec.obs_dim:
        raise ValueError("learner does not match system (number of learners or observation size)")
    probs = learner.probabilities(np.broadcast_to(feats, (k, *feats.shape)).copy())
    table = probs.reshape(k, m.n_env_states, m.n_agent_states, m.n_actions)
    return table[0] if k == 1 else table
