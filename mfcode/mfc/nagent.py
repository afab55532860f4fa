"""Vectorised simulator of the finite-N system (seed 002, Sec. III-A, eqs. 1-5).

Every step: agent states are re-drawn i.i.d. from :math:`\\mu_0` (eq. 1), each agent ``i`` acts
with its decentralised policy :math:`u^i\\sim\\pi^i(x^0, x^i)` (eq. 2), the empirical state-action
distribution :math:`\\mathbb G^N=\\frac1N\\sum_i\\delta_{(x^i,u^i)}` is formed (eq. 4) and the
environment moves, :math:`x^{0\\prime}\\sim P^0(x^0,\\mathbb G^N)` (eq. 3), with the shared reward
:math:`r(x^0,\\mathbb G^N)` (eq. 5). Batch axes (independent runs) come first.

Policies are arrays: a symmetric (lifted) policy :math:`\\boldsymbol\\pi^N(\\pi)` is ``(X0, X, U)``;
a profile of possibly different policies is ``(N, X0, X, U)``. Learners that act per agent
(independent or parameter-shared PPO) use :meth:`NAgentSystem.agent_observations` and
:meth:`NAgentSystem.step` directly. The exact counterpart of :meth:`NAgentSystem.rollout` is
:mod:`mfcode.mfc.finite_n`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements, check_steps
from mfcode.mfc.mdp import _sample_categorical, sample_categorical
from mfcode.mfc.model import MFCModel, state_action_mean_field, validate_policy
from mfcode.validation import check_bool, check_int, check_real

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
        check_int(self.n_agents, "n_agents", low=1)

    # ------------------------------------------------------------------ sampling primitives
    def sample_agent_states(self, rng: np.random.Generator, n_envs: int) -> IntArray:
        """Fresh i.i.d. agent states :math:`x^i\\sim\\mu_0` (eq. 1), ``(n_envs, N)``."""
        n = check_int(n_envs, "n_envs", low=1)
        check_elements(n * self.n_agents * self.model.n_agent_states,
                       f"the agent-state probabilities (n_envs, N, X) of n_envs={n}, n_agents={self.n_agents}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return self._fresh_agents(rng, n)

    def _fresh_agents(self, rng: np.random.Generator, n: int) -> IntArray:
        """:meth:`sample_agent_states` for a checked generator and count (every step draws them)."""
        mu0 = np.asarray(self.model.mu0, dtype=np.float64)
        return _sample_categorical(np.broadcast_to(mu0, (n, self.n_agents, mu0.size)), rng)

    def reset(self, rng: np.random.Generator, n_envs: int = 1) -> tuple[IntArray, IntArray]:
        """Initial environment states :math:`x^0_0\\sim\\mu^0_0` ``(n_envs,)`` and agent states ``(n_envs, N)``."""
        n = check_int(n_envs, "n_envs", low=1)
        env_init = np.asarray(self.model.env_init, dtype=np.float64)
        check_elements(n * env_init.size, f"the environment-state probabilities (n_envs, X0) of n_envs={n}")
        x0 = sample_categorical(np.broadcast_to(env_init, (n, env_init.size)), rng)
        return x0, self.sample_agent_states(rng, n)

    def empirical_mean_field(self, x: ArrayLike, u: ArrayLike) -> FloatArray:
        """:math:`\\mathbb G^N` of eq. (4) for agent states and actions ``(B, N)``; returns ``(B, X, U)``."""
        X, U = self.model.n_agent_states, self.model.n_actions
        xs, us = self._check_agents(x, "x", X), self._check_agents(u, "u", U)
        if xs.shape != us.shape:
            raise ValueError(f"x and u must have the same shape, got {xs.shape} and {us.shape}")
        B = xs.shape[0]
        flat = (np.arange(B)[:, None] * (X * U) + xs * U + us).ravel()
        counts = np.bincount(flat, minlength=B * X * U).reshape(B, X, U)
        out: FloatArray = counts / self.n_agents
        return out

    def sample_actions(self, policy: ArrayLike, x0: ArrayLike, x: ArrayLike, rng: np.random.Generator) -> IntArray:
        """Actions :math:`u^i\\sim\\pi^i(x^0,x^i)` (eq. 2).

        Parameters
        ----------
        policy : array_like, shape (X0, X, U) or (N, X0, X, U)
            Symmetric policy :math:`\\pi` or one policy :math:`\\pi^i` per agent.
        x0 : IntArray, shape (B,)
        x : IntArray, shape (B, N)
        rng : numpy.random.Generator

        Returns
        -------
        IntArray, shape (B, N)
        """
        pi = self._check_policy(policy)
        states = self.model._check_env_states(x0, "x0")
        xs = self._check_agents(x, "x", self.model.n_agent_states)
        if states.shape != xs.shape[:1]:
            raise ValueError(f"x0 must have shape ({xs.shape[0]},), got {states.shape}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        probs = pi[states[:, None], xs] if pi.ndim == 3 else pi[np.arange(self.n_agents)[None, :], states[:, None], xs]
        return _sample_categorical(probs, rng)

    def step(self, x0: ArrayLike, x: ArrayLike, u: ArrayLike, rng: np.random.Generator) -> tuple[IntArray, IntArray, FloatArray]:
        """One step of the N-agent system (eqs. 3-5).

        Parameters
        ----------
        x0 : IntArray, shape (B,)
            Environment states :math:`x^{0,N}_t`.
        x, u : IntArray, shape (B, N)
            Agent states :math:`x^{i,N}_t` and the actions :math:`u^{i,N}_t` taken in them.
        rng : numpy.random.Generator

        Returns
        -------
        next_x0 : IntArray, shape (B,)
            :math:`x^{0,N}_{t+1}\\sim P^0(x^{0,N}_t,\\mathbb G^N_t)` (eq. 3).
        next_x : IntArray, shape (B, N)
            Fresh agent states drawn from :math:`\\mu_0` (eq. 1).
        reward : FloatArray, shape (B,)
            Shared reward :math:`r(x^{0,N}_t,\\mathbb G^N_t)` (same for every agent).
        """
        G = self.empirical_mean_field(x, u)
        states = self.model._check_env_states(x0, "x0")
        if states.shape != (G.shape[0],):
            raise ValueError(f"x0 must have shape ({G.shape[0]},), got {states.shape}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        rows, reward = self.model._step(states, G)
        return _sample_categorical(rows, rng), self._fresh_agents(rng, G.shape[0]), reward

    def agent_observations(self, x0: ArrayLike, x: ArrayLike) -> FloatArray:
        """Per-agent observations (env features of :math:`x^0`, one-hot of :math:`x^i`), ``(B, N, d + X)``."""
        xs = self._check_agents(x, "x", self.model.n_agent_states)
        states = self.model._check_env_states(x0, "x0")
        if states.shape != xs.shape[:1]:
            raise ValueError(f"x0 must have shape ({xs.shape[0]},), got {states.shape}")
        env = self.model.env_features(states)
        if env.shape[0] != xs.shape[0]:
            raise ValueError(f"x0 must have shape ({xs.shape[0]},), got {np.shape(x0)}")
        env = np.broadcast_to(env[:, None, :], (xs.shape[0], self.n_agents, env.shape[-1]))
        return np.concatenate([env, np.eye(self.model.n_agent_states)[xs]], axis=-1)

    # ------------------------------------------------------------------ Monte Carlo evaluation
    def rollout(self, policy: ArrayLike, horizon: int, n_runs: int, rng: np.random.Generator,
                discount: float = 1.0, progress: bool = False) -> FloatArray:
        """Monte Carlo returns :math:`\\sum_{t<T}\\text{discount}^t r(x^0_t,\\mathbb G^N_t)` of a policy (eq. 5 truncated at T).

        For a symmetric policy the agent counts per cell (x, u) are drawn directly from their
        multinomial law :math:`N\\mathbb G^N\\sim\\mathrm{Mult}(N,\\mathbb G(\\mu_0,\\pi(x^0)))`
        (identical in distribution to sampling every agent, cost independent of N); a profile
        ``(N, X0, X, U)`` is simulated agent by agent.

        Parameters
        ----------
        policy : array_like, shape (X0, X, U) or (N, X0, X, U)
        horizon : int
            Episode length T.
        n_runs : int
            Independent runs (vectorised).
        rng : numpy.random.Generator
        discount : float
            Weight per step in (0, 1] (1 = undiscounted cumulative reward).
        progress : bool
            Show a tqdm bar over time steps.

        Returns
        -------
        FloatArray, shape (n_runs,)
        """
        T = check_steps(check_int(horizon, "horizon", low=1), f"a rollout of horizon={horizon} steps")
        runs = check_int(n_runs, "n_runs", low=1)
        m = self.model
        check_elements(runs * max(self.n_agents, m.n_env_states, m.n_agent_states * m.n_actions),
                       f"the states of n_runs={runs} runs of N={self.n_agents} agents")
        weight_step = check_real(discount, "discount", low=0.0, high=1.0, low_open=True)
        check_bool(progress, "progress")
        pi = self._check_policy(policy)
        x0, x = self.reset(rng, runs)
        total = np.zeros(runs)
        weight = 1.0
        for _ in tqdm(range(T), disable=not progress, desc=f"N={self.n_agents}"):
            if pi.ndim == 3:
                # symmetric policy: the counts N * G^N are Multinomial(N, G(mu0, pi(x0))) -- same law, O(1) in N
                cells = state_action_mean_field(m.mu0, pi[x0]).reshape(runs, -1)
                G = rng.multinomial(self.n_agents, cells / cells.sum(axis=1, keepdims=True)).reshape(pi[x0].shape) / self.n_agents
                rows, reward = m._step(x0, G)
                x0 = _sample_categorical(rows, rng)
            else:
                u = self.sample_actions(pi, x0, x, rng)
                x0, x, reward = self.step(x0, x, u, rng)
            total += weight * reward
            weight *= weight_step
        return total

    def _check_agents(self, a: ArrayLike, name: str, size: int) -> IntArray:
        arr = np.asarray(a)
        if arr.ndim != 2 or arr.shape[1] != self.n_agents:
            raise ValueError(f"{name} must have shape (B, {self.n_agents}), got {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0) or np.any(arr >= size):
            raise ValueError(f"{name} must hold integers in 0..{size - 1}")
        out: IntArray = arr.astype(np.int64, copy=False)
        return out

    def _check_policy(self, policy: ArrayLike) -> FloatArray:
        pi = validate_policy(policy, self.model, profile=None)
        if pi.ndim == 4 and pi.shape[0] != self.n_agents:
            raise ValueError(f"policy must hold one policy per agent, {self.n_agents}, got {pi.shape[0]}")
        return pi
