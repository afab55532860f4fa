"""Vectorised simulator of the finite-N system (seed 002, Sec. III-A, eqs. 1-5).

Every step: agent states are re-drawn i.i.d. from :math:`\\mu_0` (eq. 1), each agent ``i`` acts
with its decentralised policy :math:`u^i\\sim\\pi^i(x^0, x^i)` (eq. 2), the empirical state-action
distribution :math:`\\mathbb G^N=\\frac1N\\sum_i\\delta_{(x^i,u^i)}` is formed (eq. 4) and the
environment moves, :math:`x^{0\\prime}\\sim P^0(x^0,\\mathbb G^N)` (eq. 3), with the shared reward
:math:`r(x^0,\\mathbb G^N)` (eq. 5). Batch axes (independent runs) come first.

Policies are arrays: a symmetric (lifted) policy :math:`\\boldsymbol\\pi^N(\\pi)` is ``(X0, X, U)``;
a profile of possibly different policies is ``(N, X0, X, U)``. Learners that act per agent
(independent or parameter-shared PPO) use :meth:`NAgentSystem.agent_observations` and
:meth:`NAgentSystem.step` directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.mfc.mdp import sample_categorical
from mfcode.mfc.model import MFCModel, validate_decision_rule

__all__ = ["NAgentSystem"]


@dataclass(frozen=True)
class NAgentSystem:
    """N cooperative agents sharing an environment state (seed 002, eqs. 1-5).

    Parameters
    ----------
    model : MFCModel
        The finite model providing :math:`\\mu_0`, :math:`P^0`, :math:`r`.
    n_agents : int
        Number of agents N.
    """

    model: MFCModel
    n_agents: int

    def __post_init__(self) -> None:
        if not isinstance(self.model, MFCModel):
            raise TypeError(f"model must be an MFCModel, got {type(self.model).__name__}")
        if not isinstance(self.n_agents, (int, np.integer)) or self.n_agents < 1:
            raise ValueError(f"n_agents must be a positive integer, got {self.n_agents!r}")

    # ------------------------------------------------------------------ sampling primitives
    def sample_agent_states(self, rng: np.random.Generator, n_envs: int) -> np.ndarray:
        """Fresh i.i.d. agent states from :math:`\\mu_0` (eq. 1), int array ``(n_envs, N)``."""
        if not isinstance(n_envs, (int, np.integer)) or n_envs < 1:
            raise ValueError(f"n_envs must be a positive integer, got {n_envs!r}")
        mu0 = np.asarray(self.model.mu0, dtype=float)
        return sample_categorical(np.broadcast_to(mu0, (n_envs, self.n_agents, mu0.size)), rng)

    def reset(self, rng: np.random.Generator, n_envs: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Initial environment states ``(n_envs,)`` from :math:`\\mu^0_0` and agent states ``(n_envs, N)``."""
        env_init = np.asarray(self.model.env_init, dtype=float)
        if not isinstance(n_envs, (int, np.integer)) or n_envs < 1:
            raise ValueError(f"n_envs must be a positive integer, got {n_envs!r}")
        x0 = sample_categorical(np.broadcast_to(env_init, (n_envs, env_init.size)), rng)
        return x0, self.sample_agent_states(rng, n_envs)

    def empirical_mean_field(self, x: np.ndarray, u: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb G^N` of eq. (4) for agent states and actions ``(B, N)``; returns ``(B, X, U)``."""
        X, U = self.model.n_agent_states, self.model.n_actions
        x, u = self._check_agents(x, "x", X), self._check_agents(u, "u", U)
        if x.shape != u.shape:
            raise ValueError(f"x and u must have the same shape, got {x.shape} and {u.shape}")
        B = x.shape[0]
        flat = (np.arange(B)[:, None] * (X * U) + x * U + u).ravel()
        counts = np.bincount(flat, minlength=B * X * U).reshape(B, X, U)
        return counts / self.n_agents

    def sample_actions(self, policy: np.ndarray, x0: np.ndarray, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Actions :math:`u^i\\sim\\pi^i(x^0,x^i)` (eq. 2).

        Parameters
        ----------
        policy : numpy.ndarray, shape (X0, X, U) or (N, X0, X, U)
            Symmetric policy or one policy per agent.
        x0 : numpy.ndarray of int, shape (B,)
        x : numpy.ndarray of int, shape (B, N)
        rng : numpy.random.Generator

        Returns
        -------
        numpy.ndarray of int, shape (B, N)
        """
        policy = self._check_policy(policy)
        x0 = self.model._check_env_states(np.asarray(x0), "x0")
        x = self._check_agents(x, "x", self.model.n_agent_states)
        if x0.shape != x.shape[:1]:
            raise ValueError(f"x0 must have shape ({x.shape[0]},), got {x0.shape}")
        if policy.ndim == 3:
            probs = policy[x0[:, None], x]
        else:
            probs = policy[np.arange(self.n_agents)[None, :], x0[:, None], x]
        return sample_categorical(probs, rng)

    def step(self, x0: np.ndarray, x: np.ndarray, u: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One step of the N-agent system (eqs. 3-5).

        Parameters
        ----------
        x0 : numpy.ndarray of int, shape (B,)
            Environment states.
        x, u : numpy.ndarray of int, shape (B, N)
            Agent states and the actions taken in them.
        rng : numpy.random.Generator

        Returns
        -------
        next_x0 : numpy.ndarray of int, shape (B,)
        next_x : numpy.ndarray of int, shape (B, N)
            Fresh agent states drawn from :math:`\\mu_0`.
        reward : numpy.ndarray, shape (B,)
            Shared reward :math:`r(x^0,\\mathbb G^N)` (same for every agent).
        """
        G = self.empirical_mean_field(x, u)
        x0 = np.asarray(x0)
        if x0.shape != (G.shape[0],):
            raise ValueError(f"x0 must have shape ({G.shape[0]},), got {x0.shape}")
        rows, reward = self.model.transition_and_reward(x0, G)
        return sample_categorical(rows, rng), self.sample_agent_states(rng, G.shape[0]), reward

    def agent_observations(self, x0: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Per-agent observations (env features of :math:`x^0`, one-hot of :math:`x^i`), ``(B, N, d + X)``."""
        x = self._check_agents(x, "x", self.model.n_agent_states)
        env = self.model.env_features(np.asarray(x0))
        if env.shape[0] != x.shape[0]:
            raise ValueError(f"x0 must have shape ({x.shape[0]},), got {np.shape(x0)}")
        env = np.broadcast_to(env[:, None, :], (x.shape[0], self.n_agents, env.shape[-1]))
        return np.concatenate([env, np.eye(self.model.n_agent_states)[x]], axis=-1)

    # ------------------------------------------------------------------ Monte Carlo evaluation
    def rollout(self, policy: np.ndarray, horizon: int, n_runs: int, rng: np.random.Generator,
                discount: float = 1.0, progress: bool = False) -> np.ndarray:
        """Monte Carlo returns :math:`\\sum_{t<T}\\text{discount}^t r(x^0_t,\\mathbb G^N_t)` of a policy.

        For a symmetric policy the agent counts per cell (x, u) are drawn directly from their
        multinomial law (identical in distribution to sampling every agent, cost independent of N);
        a profile ``(N, X0, X, U)`` is simulated agent by agent.

        Parameters
        ----------
        policy : numpy.ndarray, shape (X0, X, U) or (N, X0, X, U)
        horizon : int
            Episode length T.
        n_runs : int
            Independent runs (vectorised).
        rng : numpy.random.Generator
        discount : float
            Weight per step (1 = undiscounted cumulative reward).
        progress : bool
            Show a tqdm bar over time steps.

        Returns
        -------
        numpy.ndarray, shape (n_runs,)
        """
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
        if not 0.0 < discount <= 1.0:
            raise ValueError(f"discount must lie in (0, 1], got {discount}")
        policy = self._check_policy(policy)
        x0, x = self.reset(rng, n_runs)
        total = np.zeros(n_runs)
        weight = 1.0
        m = self.model
        mu0 = np.asarray(m.mu0, dtype=float)
        for _ in tqdm(range(horizon), disable=not progress, desc=f"N={self.n_agents}"):
            if policy.ndim == 3:
                # symmetric policy: the counts N * G^N are Multinomial(N, G(mu0, pi(x0))) -- same law, O(1) in N
                cells = (mu0[:, None] * policy[x0]).reshape(n_runs, -1)
                G = rng.multinomial(self.n_agents, cells / cells.sum(axis=1, keepdims=True)).reshape(policy[x0].shape) / self.n_agents
                rows, reward = m.transition_and_reward(x0, G)
                x0 = sample_categorical(rows, rng)
            else:
                u = self.sample_actions(policy, x0, x, rng)
                x0, x, reward = self.step(x0, x, u, rng)
            total += weight * reward
            weight *= discount
        return total

    def _check_agents(self, a: np.ndarray, name: str, size: int) -> np.ndarray:
        a = np.asarray(a)
        if a.ndim != 2 or a.shape[1] != self.n_agents:
            raise ValueError(f"{name} must have shape (B, {self.n_agents}), got {a.shape}")
        if not np.issubdtype(a.dtype, np.integer) or np.any(a < 0) or np.any(a >= size):
            raise ValueError(f"{name} must hold integers in 0..{size - 1}")
        return a

    def _check_policy(self, policy: np.ndarray) -> np.ndarray:
        m = self.model
        shape = (m.n_env_states, m.n_agent_states, m.n_actions)
        policy = np.asarray(policy, dtype=float)
        if policy.shape not in (shape, (self.n_agents,) + shape):
            raise ValueError(f"policy must have shape {shape} or {(self.n_agents,) + shape}, got {policy.shape}")
        return validate_decision_rule(policy, m.n_agent_states, m.n_actions, name="policy")
