"""The contract between Algorithm 1's loop and its oracles, and the result every NAC variant returns.

001 Algorithm 1 (online natural actor-critic for MFGs) calls two oracles per iteration :math:`t`:

- the **critic** (line 4, eq. (2)): an estimate :math:`\\hat q^\\lambda_t` of the shifted soft
  Q-function :math:`q^{\\pi_t,\\lambda}_{\\mu_t}=Q^{\\pi_t,\\lambda}_{\\mu_t}-\\lambda\\log\\pi_t` with
  :math:`\\mathbb E_{s\\sim d^{\\pi_t}_{\\mu_t},a\\sim\\pi_t}[(\\hat q^\\lambda_t-q^{\\pi_t,\\lambda}_{\\mu_t})^2]\\le\\varepsilon_{critic}`
  (Algorithm 2, projected TD(0), or the exact value);
- the **actor** (line 5, eq. (3)): from :math:`\\hat Q^\\lambda_t=\\hat q^\\lambda_t+\\lambda\\log\\pi_t` and
  :math:`\\hat A^\\lambda_t=\\hat Q^\\lambda_t-\\mathbb E_{a\\sim\\pi_t}\\hat Q^\\lambda_t`, a vector :math:`\\hat w_t`
  with :math:`\\|\\hat w_t\\|_2\\le R` that approximately minimises
  :math:`L(w,\\theta_t)=\\mathbb E[(w^\\top\\nabla_\\theta\\log\\pi_t-\\hat A^\\lambda_t)^2]` (Algorithm 3,
  projected SGD; App. D's empirical :math:`\\hat F^\\dagger\\hat\\nabla`; or the exact minimiser),

after which the loop moves :math:`\\mu_{t+1}=(1-\\beta_t)\\mu_t+\\beta_t\\Gamma_2(\\pi_t,\\mu_t)` and
:math:`\\theta_{t+1}=\\theta_t+\\eta_t(\\hat w_t-\\lambda\\theta_t)`. Both oracles see the iterate of
every seed at once (:class:`Iterate`, seeds on the leading axis) and draw from one
``numpy.random.Generator`` for the batch.

:class:`NACRun` is what every variant (Algorithm 1, DL-NAC, the neural variant) returns: the exact
exploitability of App. D along the run, the iterates, and the averaged pair
:math:`(\\frac1T\\sum_{t<T}\\pi_t,\\frac1T\\sum_{t<T}\\mu_t)` of Theorem 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray, IntArray
from mfcode.nac.features import Features
from mfcode.simplex import check_distribution
from mfcode.validation import check_real, check_temperature

__all__ = ["Actor", "Critic", "CriticEstimate", "Iterate", "NACRun", "check_iterate"]


@dataclass(frozen=True)
class Iterate:
    """What the oracles see at iteration :math:`t`, for ``n`` seeds at once.

    Attributes
    ----------
    theta
        ``(n, d)`` actor parameters :math:`\\theta_t`.
    policy
        ``(n, S, A)`` :math:`\\pi_t=\\pi_{\\theta_t}`.
    mean_field
        ``(n, S)`` :math:`\\mu_t`.
    reward
        ``(n, S, A)`` :math:`r(\\cdot,\\cdot,\\mu_t)` per seed (the simulator's model of 001 §3).
    kernel
        ``(n, S, A, S)`` :math:`P(\\cdot|\\cdot,\\cdot,\\mu_t)` per seed.
    initial
        ``(S,)`` :math:`\\rho`, the restart distribution of the discounted visitation :math:`d^\\pi_\\mu`.
    gamma
        Discount :math:`\\gamma\\in(0,1)`.
    temperature
        :math:`\\lambda>0`.
    """

    theta: FloatArray
    policy: FloatArray
    mean_field: FloatArray
    reward: FloatArray
    kernel: FloatArray
    initial: FloatArray
    gamma: float
    temperature: float

    @property
    def n_seeds(self) -> int:
        """The batch size ``n``."""
        return int(self.policy.shape[0])


def _check_shape(value: object, shape: tuple[int, ...], name: str) -> FloatArray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu" or arr.dtype == np.bool_:
        raise TypeError(f"{name} must be a real array, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr.astype(np.float64, copy=False)


def check_iterate(iterate: object, features: Features | None = None, *, positive: bool = False) -> Iterate:
    """``iterate`` if it is an :class:`Iterate` whose arrays agree with each other (and with ``features``).

    Checks the shapes ``policy`` and ``reward (n, S, A)``, ``mean_field (n, S)``, ``kernel (n, S, A, S)``,
    ``initial (S,)`` (and ``theta (n, d)`` and ``(S, A)`` against ``features`` when given), that the
    arrays are finite and the distributions lie on the simplex, :math:`\\gamma\\in(0,1)` and
    :math:`\\lambda\\ge0`; with ``positive``, that the policy is positive everywhere (the exact
    oracles take :math:`\\log\\pi`).
    """
    if not isinstance(iterate, Iterate):
        raise TypeError(f"iterate must be an Iterate, got {type(iterate).__name__}")
    policy = np.asarray(iterate.policy)
    if policy.ndim != 3 or policy.shape[0] < 1:
        raise ValueError(f"iterate.policy must have shape (n, S, A) with n >= 1, got {policy.shape}")
    n, s, a = policy.shape
    if features is not None:
        if not isinstance(features, Features):
            raise TypeError(f"features must be Features, got {type(features).__name__}")
        if (features.n_states, features.n_actions) != (s, a):
            raise ValueError(f"iterate.policy must have shape (n, {features.n_states}, {features.n_actions}) as features, got {policy.shape}")
        _check_shape(iterate.theta, (n, features.dim), "iterate.theta")
    _check_shape(iterate.reward, (n, s, a), "iterate.reward")
    for value, shape, name in (
        (policy, (n, s, a), "iterate.policy"),
        (iterate.mean_field, (n, s), "iterate.mean_field"),
        (iterate.kernel, (n, s, a, s), "iterate.kernel"),
        (iterate.initial, (s,), "iterate.initial"),
    ):
        check_distribution(_check_shape(value, shape, name), name)
    check_real(iterate.gamma, "iterate.gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    check_temperature(iterate.temperature, "iterate.temperature")
    if positive and not policy.min() > 0.0:
        raise ValueError("iterate.policy must be positive everywhere (log pi enters q = Q - lambda log pi)")
    return iterate


@dataclass(frozen=True)
class CriticEstimate:
    """A critic's answer: :math:`\\hat q^\\lambda_t` and the critic's own parameters.

    Attributes
    ----------
    q_hat
        ``(n, S, A)`` :math:`\\hat q^\\lambda_t\\approx q^{\\pi_t,\\lambda}_{\\mu_t}`.
    state
        ``(n, k)`` the critic's parameters after the call (e.g. Algorithm 2's averaged
        :math:`\\psi`), which the loop hands back as ``start`` when it warm-starts the critic.
    """

    q_hat: FloatArray
    state: FloatArray


class Critic(Protocol):
    """Policy evaluation oracle (001 Algorithm 1 line 4, eq. (2))."""

    def estimate(
        self, iterate: Iterate, features: Features, rng: np.random.Generator, start: FloatArray | None = None
    ) -> CriticEstimate:
        """:math:`\\hat q^\\lambda_t\\approx q^{\\pi_t,\\lambda}_{\\mu_t}=Q^{\\pi_t,\\lambda}_{\\mu_t}-\\lambda\\log\\pi_t`, ``(n, S, A)``.

        ``start`` is ``None`` for a cold start (Algorithm 2 as printed: :math:`\\psi_0=0`) or the
        ``state`` of the previous call (a warm start, as an online actor-critic with App. D's small
        critic learning rate needs).
        """
        ...


class Actor(Protocol):
    """Gradient estimation oracle (001 Algorithm 1 line 5, eq. (3))."""

    def estimate(
        self, iterate: Iterate, features: Features, q_hat: FloatArray, radius: float, rng: np.random.Generator
    ) -> FloatArray:
        """:math:`\\hat w_t` with :math:`\\|\\hat w_t\\|_2\\le R` (``radius``), ``(n, d)``; the loop then steps along :math:`\\hat w_t-\\lambda\\theta_t`."""
        ...


@dataclass(frozen=True)
class NACRun:
    """A batched run of ``n`` seeds for ``T`` iterations of a NAC variant.

    Attributes
    ----------
    name
        The variant ("NAC", "DL-NAC (warm)", "NAC-NN", ...).
    seed
        The seed of the batch's generator.
    temperature
        :math:`\\lambda` of the values scored.
    policies
        ``(n, T, S, A)``: :math:`\\pi_0,\\dots,\\pi_{T-1}` (001 Alg. 1 runs "t = 0 .. T", i.e. T + 1
        iterations; Theorem 1 averages :math:`t<T`, which is what is stored and averaged here).
    mean_fields
        ``(n, T + 1, S)``: :math:`\\mu_0,\\dots,\\mu_T`.
    scored_at
        ``(K,)`` the iterations :math:`t` at which the exploitability was computed.
    exploitability
        ``(n, K)``: App. D's :math:`\\mathcal E(\\pi_t)=\\max_{\\pi'}V^{\\pi',\\lambda}_{\\mu_{\\pi_t}}(\\rho)-V^{\\pi_t,\\lambda}_{\\mu_{\\pi_t}}(\\rho)`,
        exactly (dynamic programming with the model), at the mean field :math:`\\mu_{\\pi_t}` the
        policy generates.
    parameters
        ``(n, T + 1, d)`` :math:`\\theta_0,\\dots,\\theta_T` of a log-linear actor, or ``None`` (the neural variant).
    """

    name: str
    seed: int
    temperature: float
    policies: FloatArray
    mean_fields: FloatArray
    scored_at: IntArray
    exploitability: FloatArray
    parameters: FloatArray | None = None

    def __post_init__(self) -> None:
        pi, mu = self.policies, self.mean_fields
        if pi.ndim != 4 or mu.ndim != 3 or mu.shape[:2] != (pi.shape[0], pi.shape[1] + 1) or mu.shape[2] != pi.shape[2]:
            raise ValueError(f"policies (n, T, S, A) and mean_fields (n, T + 1, S) do not match: {pi.shape}, {mu.shape}")
        if self.exploitability.shape != (pi.shape[0], self.scored_at.shape[0]):
            raise ValueError(f"exploitability must have shape (n, K) = {(pi.shape[0], self.scored_at.shape[0])}, got {self.exploitability.shape}")
        if self.parameters is not None and self.parameters.shape[:2] != mu.shape[:2]:
            raise ValueError(f"parameters must have shape (n, T + 1, d), got {self.parameters.shape}")

    @property
    def n_seeds(self) -> int:
        """``n``."""
        return int(self.policies.shape[0])

    @property
    def iterations(self) -> int:
        """``T``."""
        return int(self.policies.shape[1])

    @property
    def average_policy(self) -> FloatArray:
        """:math:`\\bar\\pi=\\frac1T\\sum_{t<T}\\pi_t` per state, ``(n, S, A)`` (Theorem 1)."""
        out: FloatArray = self.policies.mean(axis=1)
        return out

    @property
    def average_mean_field(self) -> FloatArray:
        """:math:`\\bar\\mu=\\frac1T\\sum_{t<T}\\mu_t`, ``(n, S)`` (Theorem 1)."""
        out: FloatArray = self.mean_fields[:, :-1].mean(axis=1)
        return out

    @property
    def theta_norm(self) -> FloatArray | None:
        """:math:`\\|\\theta_t\\|_2`, ``(n, T + 1)`` (Lemma 2 bounds it by :math:`R/\\lambda`), or ``None``."""
        if self.parameters is None:
            return None
        out: FloatArray = np.linalg.norm(self.parameters, axis=-1)
        return out

    @property
    def min_probability(self) -> FloatArray:
        """:math:`\\min_{s,a}\\pi_t(a|s)`, ``(n, T)`` (Lemma 2 bounds it below by :math:`e^{-2R/\\lambda}/|\\mathcal A|`)."""
        out: FloatArray = self.policies.min(axis=(2, 3))
        return out

    def distance_to(self, policy: npt.ArrayLike, mean_field: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
        """Theorem 1's left side :math:`D(\\pi^\\star,\\bar\\pi)+\\|\\mu^\\star-\\bar\\mu\\|_1` per seed, ``(n,)``.

        :math:`D(\\pi,\\pi')=\\sum_sd^\\star(s)\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1` (001 §4) with
        ``weights`` :math:`d^\\star=d^{\\pi^\\star}_{\\mu^\\star}`.
        """
        shape = self.policies.shape[2:]
        star = check_distribution(policy, "policy")
        if star.shape != shape:
            raise ValueError(f"policy must have shape {shape}, got {star.shape}")
        mu_star = check_distribution(mean_field, "mean_field")
        d_star = check_distribution(weights, "weights")
        if mu_star.shape != shape[:1] or d_star.shape != shape[:1]:
            raise ValueError(f"mean_field and weights must have shape {shape[:1]}, got {mu_star.shape} and {d_star.shape}")
        d_pi = np.abs(self.average_policy - star).sum(axis=-1) @ d_star
        d_mu = np.abs(self.average_mean_field - mu_star).sum(axis=-1)
        out: FloatArray = d_pi + d_mu
        return out
