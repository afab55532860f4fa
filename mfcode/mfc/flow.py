"""Beyond the paper: MFC with agent dynamics, state :math:`(\\mu, x^0)` and a deterministic flow.

**Not in seed 002.** The paper re-draws agent states from :math:`\\mu_0` every step (eq. 1) and
names agent dynamics as future work (Remark, Sec. III). With agent dynamics
:math:`x^i_{t+1}\\sim P(\\cdot\\mid x^i_t,u^i_t,x^0_t)` the mean-field limit keeps the agent
distribution in the state: for a decision rule ``h``

.. math:: \\mathbb G_t=\\mathbb G(\\mu_t,h_t),\\qquad
          \\mu_{t+1}=\\Phi(\\mu_t,x^0_t,h_t)=\\sum_{x,u}P(\\cdot\\mid x,u,x^0_t)\\,\\mu_t(x)h_t(x,u),\\qquad
          x^0_{t+1}\\sim P^0(x^0_t,\\mathbb G_t),

a deterministic flow of :math:`\\mu` driven by the random environment. Without an environment
state (:math:`|\\mathcal X^0|=1`) this is the "IQ" formulation of the slides (seed
``004_ae508d4ce3677c60.txt``, Gu-Guo-Wei-Xu), whose Bellman equation is
:math:`Q(\\mu,h)=r(\\mu,h)+\\gamma\\sup_{h'}Q(\\Phi(\\mu,h),h')`. With the resampling kernel
:math:`P(\\cdot\\mid x,u,x^0)=\\mu_0` the flow stays at :math:`\\mu_0` and the paper's MFC MDP is
recovered (:meth:`FlowMFC.resampling`). Here the agent kernel does not depend on
:math:`\\mathbb G` (a simplification of this extension).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.mfc.mdp import sample_categorical
from mfcode.mfc.model import MFCModel, validate_decision_rule

__all__ = ["FlowMFC"]


@dataclass(frozen=True)
class FlowMFC:
    """MFC with agent dynamics on top of an :class:`~mfcode.mfc.model.MFCModel` (beyond the paper).

    Parameters
    ----------
    model : MFCModel
        Provides :math:`P^0(x^0,\\mathbb G)`, :math:`r(x^0,\\mathbb G)`, the sizes and ``gamma``
        (its ``mu0`` is only the default initial agent distribution).
    agent_kernel : numpy.ndarray, shape (X0, X, U, X)
        :math:`P(x'\\mid x,u,x^0)`, stored as ``agent_kernel[x0, x, u, x']``.
    """

    model: MFCModel
    agent_kernel: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.model, MFCModel):
            raise TypeError(f"model must be an MFCModel, got {type(self.model).__name__}")
        m = self.model
        shape = (m.n_env_states, m.n_agent_states, m.n_actions, m.n_agent_states)
        K = np.asarray(self.agent_kernel, dtype=float)
        if K.shape != shape:
            raise ValueError(f"agent_kernel must have shape {shape}, got {K.shape}")
        if np.any(K < 0) or not np.allclose(K.sum(axis=-1), 1.0):
            raise ValueError("agent_kernel must hold probability vectors along its last axis")
        object.__setattr__(self, "agent_kernel", K)

    @classmethod
    def resampling(cls, model: MFCModel) -> FlowMFC:
        """The paper's special case: every agent state is re-drawn from :math:`\\mu_0` (eq. 1)."""
        shape = (model.n_env_states, model.n_agent_states, model.n_actions, model.n_agent_states)
        return cls(model, np.broadcast_to(np.asarray(model.mu0, dtype=float), shape).copy())

    def flow(self, mu: np.ndarray, x0: np.ndarray, h: np.ndarray) -> np.ndarray:
        """:math:`\\Phi(\\mu,x^0,h)` for a batch: ``mu`` (B, X), ``x0`` (B,), ``h`` (B, X, U) -> (B, X)."""
        mu, x0, h = self._check(mu, x0, h)
        G = mu[:, :, None] * h
        return np.einsum("bxu,bxuy->by", G, self.agent_kernel[x0])

    def step(self, mu: np.ndarray, x0: np.ndarray, h: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One step: returns ``(mu', x0', reward)`` with :math:`\\mu'=\\Phi(\\mu,x^0,h)`,
        :math:`x^{0\\prime}\\sim P^0(x^0,\\mathbb G(\\mu,h))`, reward :math:`r(x^0,\\mathbb G(\\mu,h))`."""
        mu, x0, h = self._check(mu, x0, h)
        G = mu[:, :, None] * h
        rows, reward = self.model.transition_and_reward(x0, G)
        return self.flow(mu, x0, h), sample_categorical(rows, rng), reward

    def rollout(self, policy: np.ndarray, horizon: int, n_runs: int, rng: np.random.Generator,
                mu_init: np.ndarray | None = None) -> np.ndarray:
        """Discounted returns (``n_runs``,) of an upper-level policy ``(X0, X, U)`` that reads :math:`x^0` only.

        The agent distribution follows the deterministic flow; only :math:`x^0` is sampled.
        """
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
        if not isinstance(n_runs, (int, np.integer)) or n_runs < 1:
            raise ValueError(f"n_runs must be a positive integer, got {n_runs!r}")
        m = self.model
        policy = validate_decision_rule(policy, m.n_agent_states, m.n_actions, name="policy")
        if policy.shape[0] != m.n_env_states or policy.ndim != 3:
            raise ValueError(f"policy must have shape ({m.n_env_states}, {m.n_agent_states}, {m.n_actions})")
        mu = np.asarray(m.mu0 if mu_init is None else mu_init, dtype=float)
        mu = np.broadcast_to(mu, (n_runs, mu.size)).copy()
        x0 = sample_categorical(np.broadcast_to(np.asarray(m.env_init, dtype=float), (n_runs, m.n_env_states)), rng)
        total, w = np.zeros(n_runs), 1.0
        for _ in range(horizon):
            mu, x0_next, reward = self.step(mu, x0, policy[x0], rng)
            x0 = x0_next
            total += w * reward
            w *= float(m.gamma)
        return total

    def _check(self, mu: np.ndarray, x0: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = self.model
        mu = np.asarray(mu, dtype=float)
        if mu.ndim != 2 or mu.shape[1] != m.n_agent_states or not np.allclose(mu.sum(axis=1), 1.0):
            raise ValueError(f"mu must be a batch of distributions of shape (B, {m.n_agent_states})")
        x0 = m._check_env_states(np.asarray(x0), "x0")
        h = validate_decision_rule(h, m.n_agent_states, m.n_actions)
        if x0.shape != (mu.shape[0],) or h.shape != (mu.shape[0], m.n_agent_states, m.n_actions):
            raise ValueError(f"x0 must have shape ({mu.shape[0]},) and h shape ({mu.shape[0]}, X, U)")
        return mu, x0, h
