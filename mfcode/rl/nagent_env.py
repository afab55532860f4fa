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

import numpy as np

from mfcode.mfc import NAgentSystem
from mfcode.rl.env import EnvSpec, StepResult
from mfcode.rl.ppo import PPO
from mfcode.rl.spaces import Discrete

__all__ = ["NAgentEnv", "agent_policy_table"]


class NAgentEnv:
    """``E`` copies of the N-agent system seen by NA (``K = N``) or PS (``K = 1``) learners.

    Parameters
    ----------
    system
        The :class:`~mfcode.mfc.NAgentSystem` (model and ``N``).
    mode
        ``"na"`` (independent learners) or ``"ps"`` (parameter sharing).
    num_envs
        Parallel copies of the N-agent system.
    horizon
        Episode length before truncation (paper silent, choice I6).
    """

    def __init__(self, system: NAgentSystem, mode: str, num_envs: int = 20, horizon: int = 100) -> None:
        if not isinstance(system, NAgentSystem):
            raise TypeError(f"system must be an NAgentSystem, got {type(system).__name__}")
        if mode not in ("na", "ps"):
            raise ValueError(f"mode must be 'na' or 'ps', got {mode!r}")
        if not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        if not isinstance(horizon, int) or horizon < 1:
            raise ValueError(f"horizon must be a positive int, got {horizon!r}")
        self.system = system
        self.mode = mode
        self.horizon = horizon
        self.copies = num_envs
        n = system.n_agents
        obs_dim = int(system.agent_observations(np.zeros(1, dtype=np.int64), np.zeros((1, n), dtype=np.int64)).shape[-1])
        space = Discrete(system.model.n_actions)
        if mode == "na":
            self._spec = EnvSpec(obs_dim, space, num_learners=n, num_envs=num_envs)
        else:
            self._spec = EnvSpec(obs_dim, space, num_learners=1, num_envs=num_envs * n, agents_per_env=n)
        self._rng = np.random.default_rng(0)
        self._x0 = np.zeros(num_envs, dtype=np.int64)
        self._x = np.zeros((num_envs, n), dtype=np.int64)
        self._t = np.zeros(num_envs, dtype=np.int64)

    @property
    def spec(self) -> EnvSpec:
        """Static description."""
        return self._spec

    def _to_learners(self, per_agent: np.ndarray) -> np.ndarray:
        """``(E, N, ...)`` -> ``(K, E', ...)``."""
        if self.mode == "na":
            return np.swapaxes(per_agent, 0, 1)
        return per_agent.reshape(1, -1, *per_agent.shape[2:])

    def _observe(self, x0: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self._to_learners(self.system.agent_observations(x0, x))

    def reset(self, seed: int) -> np.ndarray:
        """Reset every copy; observations ``(K, E', d + X)``."""
        self._rng = np.random.default_rng(seed)
        self._x0, self._x = self.system.reset(self._rng, self.copies)
        self._t = np.zeros(self.copies, dtype=np.int64)
        return self._observe(self._x0, self._x)

    def step(self, action: np.ndarray) -> StepResult:
        """Apply per-agent queue choices (``(K, E')`` ints) and advance every copy."""
        n = self.system.n_agents
        if action.shape != self._spec.batch_shape or not np.issubdtype(action.dtype, np.integer):
            raise ValueError(f"action must be an int array of shape {self._spec.batch_shape}, got {action.dtype} {action.shape}")
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
        per_agent = np.broadcast_to(reward[:, None], (self.copies, n))
        trunc = np.broadcast_to(truncated[:, None], (self.copies, n))
        return StepResult(
            self._observe(x0, x),
            np.ascontiguousarray(self._to_learners(per_agent)),
            np.zeros(self._spec.batch_shape, dtype=bool),
            np.ascontiguousarray(self._to_learners(trunc)),
            final,
        )


def agent_policy_table(learner: PPO, system: NAgentSystem) -> np.ndarray:
    """Softmax policies of a learner trained on :class:`NAgentEnv`, as arrays over ``(x0, x)``.

    Returns
    -------
    numpy.ndarray
        ``(X0, X, U)`` for a single (PS) learner, ``(N, X0, X, U)`` for ``K = N`` (NA) learners.
    """
    if not isinstance(learner, PPO):
        raise TypeError(f"learner must be a PPO, got {type(learner).__name__}")
    if not isinstance(system, NAgentSystem):
        raise TypeError(f"system must be an NAgentSystem, got {type(system).__name__}")
    if not isinstance(learner.spec.action_space, Discrete):
        raise ValueError("learner must have a Discrete action space")
    m = system.model
    x0, x = np.meshgrid(np.arange(m.n_env_states), np.arange(m.n_agent_states), indexing="ij")
    x0, x = x0.ravel(), x.ravel()
    feats = np.concatenate([m.env_features(x0), np.eye(m.n_agent_states)[x]], axis=-1)
    k = learner.spec.num_learners
    if k not in (1, system.n_agents) or feats.shape[-1] != learner.spec.obs_dim:
        raise ValueError("learner does not match system (number of learners or observation size)")
    probs = learner.probabilities(np.broadcast_to(feats, (k, *feats.shape)).copy())
    table = probs.reshape(k, m.n_env_states, m.n_agent_states, m.n_actions)
    return table[0] if k == 1 else table
