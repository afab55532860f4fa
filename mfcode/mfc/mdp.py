"""The MFC MDP: state :math:`x^0`, action a decision rule :math:`h:\\mathcal X\\to\\mathcal P(\\mathcal U)`.

Seed ``002_7da79a39441e57df.txt``, Sec. III-B (eqs. 8-11) and Sec. V: because agent states are
re-drawn from :math:`\\mu_0` at every step, the mean-field limit is an ordinary MDP whose state is
the environment state alone and whose action is the lower-level decision rule ``h`` (an array
``(X, U)`` with rows in the simplex):

.. math:: x^0_{t+1}\\sim P^0\\big(x^0_t,\\mathbb G(\\mu_0,h_t)\\big),\\qquad
          \\text{reward } r\\big(x^0_t,\\mathbb G(\\mu_0,h_t)\\big),\\qquad
          J(\\pi)=\\mathbb E\\sum_t\\gamma^t r_t .

A stationary upper-level policy :math:`\\pi:\\mathcal X^0\\to\\mathcal D` is an array
``(X0, X, U)``. :class:`MFCMDP` is stateless and vectorised: :meth:`MFCMDP.reset` and
:meth:`MFCMDP.step` act on batches of environments, and the exact quantities
(:meth:`MFCMDP.kernel`, :meth:`MFCMDP.reward`, :meth:`MFCMDP.policy_kernel`,
:meth:`MFCMDP.policy_reward`) feed the exact solvers of :mod:`mfcode.mfc.dp`; the value of a
policy is :func:`mfcode.markov.evaluate`. :meth:`MFCMDP.decision_rule_from_action` is the paper's
action head (Sec. VI): a real vector, clipped to [0, 1] and normalised over admissible actions
into ``h``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements
from mfcode.markov import evaluate
from mfcode.mfc.model import MFCModel, state_action_mean_field, uniform_over, validate_decision_rule, validate_policy
from mfcode.validation import check_array, check_int

__all__ = ["MFCMDP", "sample_categorical"]


def sample_categorical(probs: ArrayLike, rng: np.random.Generator) -> IntArray:
    """Draw one index per row of ``probs`` (shape ``(..., K)``) by inverse CDF.

    Used for every draw of the chapter: :math:`x^0_0\\sim\\mu^0_0`, :math:`x^i\\sim\\mu_0` (eq. 1),
    :math:`u^i\\sim\\pi^i(x^0,x^i)` (eq. 2) and :math:`x^{0\\prime}\\sim P^0(x^0,\\mathbb G)` (eqs. 3, 10).

    Parameters
    ----------
    probs : array_like, shape (..., K)
        Rows of probabilities (need not be exactly normalised; the last bin takes the rest).
    rng : numpy.random.Generator

    Returns
    -------
    IntArray, shape (...)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    p = check_array(probs, "probs", min_ndim=1)
    if p.shape[-1] == 0 or p.min(initial=0.0) < 0.0:
        raise ValueError(f"probs must be non-negative with a non-empty last axis, got shape {p.shape}")
    total = p.sum(axis=-1)
    if not (np.isfinite(total).all() and (total > 0).all()):  # NaN and infinities show in the row totals
        raise ValueError("probs must be finite with a positive total in every row")
    return _sample_categorical(p, rng)


def _sample_categorical(p: FloatArray, rng: np.random.Generator) -> IntArray:
    """:func:`sample_categorical` of checked probabilities (the simulators draw with it at every step)."""
    cdf = np.cumsum(p, axis=-1)
    u = rng.random((*p.shape[:-1], 1)) * cdf[..., -1:]
    idx = (cdf <= u).sum(axis=-1)
    out: IntArray = np.minimum(idx, p.shape[-1] - 1).astype(np.int64, copy=False)
    return out


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
        """Number of MDP states = environment states :math:`|\\mathcal X^0|`."""
        return self.model.n_env_states

    @property
    def action_shape(self) -> tuple[int, int]:
        """Shape ``(X, U)`` of an action (a decision rule :math:`h\\in\\mathcal D`)."""
        return (self.model.n_agent_states, self.model.n_actions)

    @property
    def gamma(self) -> float:
        """Discount factor :math:`\\gamma`."""
        return float(self.model.gamma)

    @property
    def initial_distribution(self) -> FloatArray:
        """Initial environment distribution :math:`\\mu^0_0`, shape ``(X0,)``."""
        return np.asarray(self.model.env_init, dtype=np.float64)

    def observation(self, x0: IntArray) -> FloatArray:
        """Learner features of states ``x0`` (model's :meth:`~MFCModel.env_features`), ``(..., d)``."""
        return self.model.env_features(x0)

    # ------------------------------------------------------------------ exact primitives
    def mean_field(self, h: ArrayLike) -> FloatArray:
        """:math:`\\mathbb G(\\mu_0, h)` (eq. 9) for decision rules ``h`` of shape ``(..., X, U)``."""
        rule = validate_decision_rule(h, *self.action_shape)
        return state_action_mean_field(self.model.mu0, rule)

    def kernel(self, h: ArrayLike) -> FloatArray:
        """:math:`P^0(x^{0\\prime}\\mid x^0,\\mathbb G(\\mu_0,h))` for all ``x0``: ``(..., X0, X0)``."""
        return self.model.kernel(self.mean_field(h))

    def reward(self, h: ArrayLike) -> FloatArray:
        """:math:`r(x^0,\\mathbb G(\\mu_0,h))` for all ``x0``: ``(..., X0)``."""
        return self.model.reward(self.mean_field(h))

    def policy_kernel(self, policy: ArrayLike) -> FloatArray:
        """:math:`P^\\pi(x^0,x^{0\\prime})=P^0(x^{0\\prime}\\mid x^0,\\mathbb G(\\mu_0,\\pi(x^0)))` of a stationary policy ``(X0, X, U)``; ``(X0, X0)``."""
        pi = validate_policy(policy, self.model)
        return self.model.transition(np.arange(self.n_states), self.mean_field(pi))

    def policy_reward(self, policy: ArrayLike) -> FloatArray:
        """:math:`r^\\pi(x^0)=r(x^0,\\mathbb G(\\mu_0,\\pi(x^0)))` of a stationary policy ``(X0, X, U)``; ``(X0,)``."""
        pi = validate_policy(policy, self.model)
        return self.model.reward_at(np.arange(self.n_states), self.mean_field(pi))

    def policy_value(self, policy: ArrayLike) -> FloatArray:
        """Exact value :math:`V^\\pi = (I-\\gamma P^\\pi)^{-1} r^\\pi`, shape ``(X0,)`` (eq. 11 per start state)."""
        return evaluate(self.policy_reward(policy), self.policy_kernel(policy), self.gamma)

    def objective(self, policy: ArrayLike) -> float:
        """:math:`J(\\pi)` of eq. (11): :meth:`policy_value` averaged over :math:`\\mu^0_0`."""
        return float(self.initial_distribution @ self.policy_value(policy))

    # ------------------------------------------------------------------ sampling
    def reset(self, rng: np.random.Generator, n_envs: int = 1) -> IntArray:
        """Draw ``n_envs`` initial environment states :math:`x^0_0\\sim\\mu^0_0`; ``(n_envs,)``."""
        n = check_int(n_envs, "n_envs", low=1)
        check_elements(n * self.n_states, f"the initial probabilities (n_envs, X0) of n_envs={n}")
        return sample_categorical(np.broadcast_to(self.initial_distribution, (n, self.n_states)), rng)

    def step(self, x0: ArrayLike, h: ArrayLike, rng: np.random.Generator) -> tuple[IntArray, FloatArray]:
        """One transition of a batch of MFC MDPs (eq. 10).

        Parameters
        ----------
        x0 : IntArray, shape (B,)
            Current environment states :math:`x^0_t`.
        h : FloatArray, shape (B, X, U)
            Decision rules (actions) :math:`h_t`, one per environment.
        rng : numpy.random.Generator

        Returns
        -------
        next_x0 : IntArray, shape (B,)
            :math:`x^0_{t+1}\\sim P^0(x^0_t,\\mathbb G(\\mu_0,h_t))`.
        reward : FloatArray, shape (B,)
            The (deterministic) reward :math:`r(x^0_t,\\mathbb G(\\mu_0,h_t))` of the model.
        """
        states = self.model._check_env_states(x0, "x0")
        if states.ndim != 1:
            raise ValueError(f"x0 must be one-dimensional (B,), got shape {states.shape}")
        rule = validate_decision_rule(h, *self.action_shape)
        if rule.shape[0] != states.shape[0] or rule.ndim != 3:
            raise ValueError(f"h must have shape ({states.shape[0]}, X, U), got {rule.shape}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        G = state_action_mean_field(self.model.mu0, rule)
        rows, reward = self.model._step(states, G)
        return _sample_categorical(rows, rng), reward

    # ------------------------------------------------------------------ action head
    def decision_rule_from_action(self, action: ArrayLike) -> FloatArray:
        """The paper's action head (seed 002, Sec. VI): clip to [0, 1], normalise into ``h``.

        Parameters
        ----------
        action : array_like, shape (..., X*U) or (..., X, U)
            Raw real actions (e.g. Gaussian samples or the Gaussian mean).

        Returns
        -------
        FloatArray, shape (..., X, U)
            ``h(x,u) = a(x,u) 1{u admissible} / sum_{u' admissible} a(x,u')``; uniform over the
            admissible actions (:func:`~mfcode.mfc.model.uniform_over`) when that sum is zero.
        """
        X, U = self.action_shape
        a = check_array(action, "action")
        if a.shape[-1:] == (X * U,):
            a = a.reshape((*a.shape[:-1], X, U))
        elif a.shape[-2:] != (X, U):
            raise ValueError(f"action must have shape (..., {X * U}) or (..., {X}, {U}), got {a.shape}")
        if np.isnan(a).any():  # np.clip keeps NaN, and a NaN row would silently become the uniform rule
            raise ValueError("action must not contain NaN")
        mask = self.model.action_mask
        a = np.clip(a, 0.0, 1.0) * mask
        total = a.sum(axis=-1, keepdims=True)
        out: FloatArray = np.where(total > 0, a / np.where(total > 0, total, 1.0), uniform_over(mask))
        return out
