"""The MFC MDP: state :math:`x^0`, action a decision rule :math:`h:\\mathcal X\\to\\mathcal P(\\mathcal U)`.

Seed ``002_7da79a39441e57df.txt``, Sec. III-B (eqs. 8-11) and Sec. V: because agent states are
re-drawn from :math:`\\mu_0` at every step, the mean-field limit is an ordinary MDP whose state is
the environment state alone and whose action is the lower-level decision rule ``h`` (an array
``(X, U)`` with rows in the simplex):

.. math:: x^0_{t+1}\\sim P^0\\big(x^0_t,\\mathbb G(\\mu_0,h_t)\\big),\\qquad
          \\text{reward } r\\big(x^0_t,\\mathbb G(\\mu_0,h_t)\\big),\\qquad
          J(\\pi)=\\mathbb E\\sum_t\\gamma^t r_t .

A stationary upper-level policy :math:`\\pi:\\mathcal X^0\\to\\mathcal H` is an array
``(X0, X, U)``. :class:`MFCMDP` is stateless and vectorised: :meth:`MFCMDP.reset` and
:meth:`MFCMDP.step` act on batches of environments, and the exact quantities
(:meth:`MFCMDP.kernel`, :meth:`MFCMDP.reward`, :meth:`MFCMDP.policy_kernel`,
:meth:`MFCMDP.policy_reward`) feed the exact solvers of :mod:`mfcode.mfc.dp`.
:meth:`MFCMDP.decision_rule_from_action` is the paper's action head (Sec. VI): a real vector,
clipped to [0, 1] and normalised over admissible actions into ``h``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.mfc.model import MFCModel, state_action_mean_field, validate_decision_rule

__all__ = ["MFCMDP", "sample_categorical"]


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one index per row of ``probs`` (shape ``(..., K)``) by inverse CDF.

    Parameters
    ----------
    probs : numpy.ndarray, shape (..., K)
        Rows of probabilities (need not be exactly normalised; the last bin takes the rest).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int, shape (...)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    probs = np.asarray(probs, dtype=float)
    cdf = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[:-1] + (1,)) * cdf[..., -1:]
    idx = (cdf <= u).sum(axis=-1)
    return np.minimum(idx, probs.shape[-1] - 1)


@dataclass(frozen=True)
class MFCMDP:
    """The MFC MDP of a :class:`~mfcode.mfc.model.MFCModel` (seed 002, Sec. III-B and V).

    Parameters
    ----------
    model : MFCModel
        The finite model (e.g. :class:`~mfcode.mfc.scheduling.SchedulingModel`).
    """

    model: MFCModel

    def __post_init__(self) -> None:
        if not isinstance(self.model, MFCModel):
            raise TypeError(f"model must be an MFCModel, got {type(self.model).__name__}")

    # ------------------------------------------------------------------ spaces
    @property
    def n_states(self) -> int:
        """Number of MDP states = environment states ``X0``."""
        return self.model.n_env_states

    @property
    def action_shape(self) -> tuple[int, int]:
        """Shape ``(X, U)`` of an action (a decision rule)."""
        return (self.model.n_agent_states, self.model.n_actions)

    @property
    def gamma(self) -> float:
        """Discount factor."""
        return float(self.model.gamma)

    @property
    def initial_distribution(self) -> np.ndarray:
        """Initial environment distribution :math:`\\mu^0_0`, shape ``(X0,)``."""
        return np.asarray(self.model.env_init, dtype=float)

    def observation(self, x0: np.ndarray) -> np.ndarray:
        """Learner features of states ``x0`` (model's :meth:`~MFCModel.env_features`), ``(..., d)``."""
        return self.model.env_features(x0)

    # ------------------------------------------------------------------ exact primitives
    def mean_field(self, h: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb G(\\mu_0, h)` (eq. 9) for decision rules ``h`` of shape ``(..., X, U)``."""
        h = validate_decision_rule(h, *self.action_shape)
        return state_action_mean_field(self.model.mu0, h)

    def kernel(self, h: np.ndarray) -> np.ndarray:
        """:math:`P^0(x^{0\\prime}\\mid x^0,\\mathbb G(\\mu_0,h))` for all ``x0``: ``(..., X0, X0)``."""
        return self.model.kernel(self.mean_field(h))

    def reward(self, h: np.ndarray) -> np.ndarray:
        """:math:`r(x^0,\\mathbb G(\\mu_0,h))` for all ``x0``: ``(..., X0)``."""
        return self.model.reward(self.mean_field(h))

    def policy_kernel(self, policy: np.ndarray) -> np.ndarray:
        """State-transition matrix ``(X0, X0)`` of a stationary policy ``(X0, X, U)``."""
        policy = self._check_policy(policy)
        P = self.model.transition(np.arange(self.n_states), self.mean_field(policy))
        return P

    def policy_reward(self, policy: np.ndarray) -> np.ndarray:
        """Reward vector ``(X0,)`` of a stationary policy ``(X0, X, U)``."""
        policy = self._check_policy(policy)
        return self.model.reward_at(np.arange(self.n_states), self.mean_field(policy))

    def policy_value(self, policy: np.ndarray) -> np.ndarray:
        """Exact value :math:`V^\\pi = (I-\\gamma P^\\pi)^{-1} r^\\pi`, shape ``(X0,)`` (eq. 11 per start state)."""
        P = self.policy_kernel(policy)
        r = self.policy_reward(policy)
        return np.linalg.solve(np.eye(self.n_states) - self.gamma * P, r)

    def objective(self, policy: np.ndarray) -> float:
        """:math:`J(\\pi)` of eq. (11): :meth:`policy_value` averaged over :math:`\\mu^0_0`."""
        return float(self.initial_distribution @ self.policy_value(policy))

    # ------------------------------------------------------------------ sampling
    def reset(self, rng: np.random.Generator, n_envs: int = 1) -> np.ndarray:
        """Draw ``n_envs`` initial environment states from :math:`\\mu^0_0`; int array ``(n_envs,)``."""
        if not isinstance(n_envs, (int, np.integer)) or n_envs < 1:
            raise ValueError(f"n_envs must be a positive integer, got {n_envs!r}")
        return sample_categorical(np.broadcast_to(self.initial_distribution, (n_envs, self.n_states)), rng)

    def step(self, x0: np.ndarray, h: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One transition of a batch of MFC MDPs.

        Parameters
        ----------
        x0 : numpy.ndarray of int, shape (B,)
            Current environment states.
        h : numpy.ndarray, shape (B, X, U)
            Decision rules (actions), one per environment.
        rng : numpy.random.Generator

        Returns
        -------
        next_x0 : numpy.ndarray of int, shape (B,)
            :math:`x^{0\\prime}\\sim P^0(x^0,\\mathbb G(\\mu_0,h))`.
        reward : numpy.ndarray, shape (B,)
            The (deterministic) reward :math:`r(x^0,\\mathbb G(\\mu_0,h))` of the model.
        """
        x0 = np.asarray(x0)
        if x0.ndim != 1:
            raise ValueError(f"x0 must be one-dimensional (B,), got shape {x0.shape}")
        h = validate_decision_rule(h, *self.action_shape)
        if h.shape[0] != x0.shape[0] or h.ndim != 3:
            raise ValueError(f"h must have shape ({x0.shape[0]}, X, U), got {h.shape}")
        G = state_action_mean_field(self.model.mu0, h)
        rows, reward = self.model.transition_and_reward(x0, G)
        return sample_categorical(rows, rng), reward

    # ------------------------------------------------------------------ action head
    def decision_rule_from_action(self, action: np.ndarray) -> np.ndarray:
        """The paper's action head (seed 002, Sec. VI): clip to [0, 1], normalise into ``h``.

        Parameters
        ----------
        action : numpy.ndarray, shape (..., X*U) or (..., X, U)
            Raw real actions (e.g. Gaussian samples or the Gaussian mean).

        Returns
        -------
        numpy.ndarray, shape (..., X, U)
            ``h(x,u) = a(x,u) 1{u admissible} / sum_{u' admissible} a(x,u')``; uniform over the
            admissible actions when that sum is zero.
        """
        X, U = self.action_shape
        a = np.asarray(action, dtype=float)
        if a.shape[-1:] == (X * U,):
            a = a.reshape(a.shape[:-1] + (X, U))
        elif a.shape[-2:] != (X, U):
            raise ValueError(f"action must have shape (..., {X * U}) or (..., {X}, {U}), got {a.shape}")
        mask = self.model.action_mask
        a = np.clip(a, 0.0, 1.0) * mask
        total = a.sum(axis=-1, keepdims=True)
        uniform = mask / mask.sum(axis=-1, keepdims=True)
        return np.where(total > 0, a / np.where(total > 0, total, 1.0), uniform)

    def _check_policy(self, policy: np.ndarray) -> np.ndarray:
        X, U = self.action_shape
        policy = np.asarray(policy, dtype=float)
        if policy.shape != (self.n_states, X, U):
            raise ValueError(f"policy must have shape ({self.n_states}, {X}, {U}), got {policy.shape}")
        return validate_decision_rule(policy, X, U, name="policy")
