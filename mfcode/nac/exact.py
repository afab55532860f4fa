"""The exact oracles of Algorithm 1 and the exact quantities the stochastic oracles are tested against.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2 and §3, at the rewards
:math:`r(\\cdot,\\cdot,\\mu)` and kernels :math:`P(\\cdot|\\cdot,\\cdot,\\mu)` of ``n`` mean fields at once
(seeds on the leading axis; every linear solve is one batched LAPACK call, :func:`mfcode.markov.evaluate`;
every least-squares problem one batched SVD).

Oracles (the :class:`~mfcode.nac.protocol.Critic` and :class:`~mfcode.nac.protocol.Actor` protocols):

- :class:`ExactCritic` (Algorithm 1 line 4 with :math:`\\varepsilon_{critic}=0`): the shifted soft
  Q-function :math:`q^{\\pi_t,\\lambda}_{\\mu_t}=Q^{\\pi_t,\\lambda}_{\\mu_t}-\\lambda\\log\\pi_t` by exact policy
  evaluation (not its projection on the features);
- :class:`ExactActor` (line 5 with :math:`\\varepsilon_{actor}=0`): a minimiser
  :math:`\\hat w_t\\in\\arg\\min_{\\|w\\|_2\\le R}L(w,\\theta_t)` of eq. (3)'s loss
  :math:`L(w,\\theta)=\\mathbb E_{s\\sim d^{\\pi}_\\mu,a\\sim\\pi}[(w^\\top\\nabla_\\theta\\log\\pi(a|s)-\\hat A(s,a))^2]`
  (:func:`compatible_weights`).

Exact helpers: :func:`shifted_q`, :func:`advantage` (:math:`A=Q-\\sum_a\\pi Q`), :func:`visitation`
(:math:`d^\\pi_\\mu=(1-\\gamma)\\rho^\\top(I-\\gamma P^\\pi_\\mu)^{-1}`), :func:`advantage_estimate` (Alg. 1's
:math:`\\hat A` from :math:`\\hat q`), :func:`actor_loss` (:math:`L`), :func:`critic_error` (the left side of
eq. (2)), :func:`npg_direction` (the exact regularized NPG direction :math:`w_A-\\lambda\\theta`), and
underneath them:

- :func:`policy_evaluation`: :math:`V^{\\pi,\\lambda}_\\mu=(I-\\gamma P^\\pi_\\mu)^{-1}r^{\\pi,\\lambda}_\\mu`
  and :math:`Q^{\\pi,\\lambda}_\\mu=r_\\mu+\\gamma P_\\mu V^{\\pi,\\lambda}_\\mu`, what
  :meth:`mfcode.mfg.stationary.StationaryMFG.evaluate` computes for one mean field;
- :func:`soft_best_response`: :math:`\\Gamma_1^\\lambda(\\mu)\\propto\\exp(Q^{\\star,\\lambda}_\\mu/\\lambda)` by
  soft policy iteration with the stopping rule of
  :meth:`mfcode.mfg.stationary.StationaryMFG.best_response`, run until every seed has converged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from mfcode import markov
from mfcode.arrays import FloatArray, IntArray
from mfcode.mfg.protocol import BestResponse, PolicyEvaluation
from mfcode.mfg.soft_mdp import policy_values, q_from_v, soft_policy_iteration
from mfcode.nac.features import Features
from mfcode.nac.protocol import CriticEstimate, Iterate, check_iterate
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "ExactActor",
    "ExactCritic",
    "actor_loss",
    "advantage",
    "advantage_estimate",
    "compatible_weights",
    "critic_error",
    "npg_direction",
    "policy_evaluation",
    "shifted_q",
    "soft_best_response",
    "visitation",
]


def _check_model(reward: FloatArray, kernel: FloatArray, gamma: float) -> tuple[FloatArray, FloatArray, float]:
    r = np.asarray(reward, dtype=np.float64)
    p = np.asarray(kernel, dtype=np.float64)
    if r.ndim < 2 or p.shape != (*r.shape, r.shape[-2]):
        raise ValueError(f"reward (..., S, A) and kernel (..., S, A, S) do not match: {r.shape}, {p.shape}")
    g = check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    return r, p, g


def policy_evaluation(
    reward: FloatArray, kernel: FloatArray, policy: FloatArray, gamma: float, temperature: float
) -> PolicyEvaluation:
    """Exact soft values of ``policy`` against fixed dynamics, batched.

    Parameters
    ----------
    reward, kernel
        :math:`r(\\cdot,\\cdot,\\mu)` ``(..., S, A)`` and :math:`P(\\cdot|\\cdot,\\cdot,\\mu)` ``(..., S, A, S)``.
    policy
        ``(..., S, A)`` (its leading axes broadcast against the model's).
    gamma, temperature
        :math:`\\gamma\\in[0,1)`, :math:`\\lambda\\ge0`.

    Returns
    -------
    PolicyEvaluation
        ``q`` :math:`Q^{\\pi,\\lambda}_\\mu` ``(..., S, A)`` and ``value`` :math:`V^{\\pi,\\lambda}_\\mu` ``(..., S)``.
    """
    r, p, g = _check_model(reward, kernel, gamma)
    lam = check_temperature(temperature)
    pi = np.asarray(policy, dtype=np.float64)
    if pi.shape[-2:] != r.shape[-2:]:
        raise ValueError(f"policy must have shape (..., {r.shape[-2]}, {r.shape[-1]}), got {pi.shape}")
    v = policy_values(r, p, pi, g, lam)
    return PolicyEvaluation(q_from_v(r, p, v, g), v)


def soft_best_response(
    reward: FloatArray,
    kernel: FloatArray,
    gamma: float,
    temperature: float,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> BestResponse:
    """:math:`\\Gamma_1^\\lambda` at fixed dynamics by soft policy iteration, batched.

    Evaluate every seed's policy exactly, improve it to the Boltzmann (greedy at :math:`\\lambda=0`)
    policy of its Q-function, until the largest sup-norm error bound
    :math:`\\|V^\\star_{\\mathrm{soft}}(Q)-V\\|_\\infty/(1-\\gamma)` over the batch is at most ``tol``
    (or at rounding level), the rule of :meth:`mfcode.mfg.stationary.StationaryMFG.best_response`
    started, as there, from :math:`Q=r`. ``iterations`` counts the sweeps of the slowest seed.
    """
    r, p, g = _check_model(reward, kernel, gamma)
    lam = check_temperature(temperature)
    tol = check_real(tol, "tol", low=0.0)
    max_iter = check_int(max_iter, "max_iter", low=1)
    return soft_policy_iteration(r, p, g, lam, r.copy(), tol=tol, max_iter=max_iter)


# -- the exact quantities at an iterate ----------------------------------------------------------


def _evaluation(it: Iterate) -> PolicyEvaluation:
    return policy_evaluation(it.reward, it.kernel, it.policy, it.gamma, it.temperature)


# Each public function checks its iterate once and calls the unchecked ``_`` twins, which the others
# (and the oracles, once per call of Algorithm 1's loop) call on an iterate already checked.


def shifted_q(iterate: Iterate) -> FloatArray:
    """:math:`q^{\\pi,\\lambda}_\\mu=Q^{\\pi,\\lambda}_\\mu-\\lambda\\log\\pi` at the iterate's dynamics, ``(n, S, A)`` (001 §3)."""
    return _shifted_q(check_iterate(iterate, positive=True))


def _shifted_q(it: Iterate) -> FloatArray:
    out: FloatArray = _evaluation(it).q - it.temperature * np.log(it.policy)
    return out


def advantage(iterate: Iterate) -> FloatArray:
    """:math:`A^{\\pi,\\lambda}_\\mu=Q^{\\pi,\\lambda}_\\mu-\\sum_a\\pi(a|\\cdot)Q^{\\pi,\\lambda}_\\mu(\\cdot,a)`, ``(n, S, A)`` (001 §3)."""
    return _advantage(check_iterate(iterate, positive=True))


def _advantage(it: Iterate) -> FloatArray:
    q = _evaluation(it).q
    out: FloatArray = q - (it.policy * q).sum(axis=-1, keepdims=True)
    return out


def visitation(iterate: Iterate) -> FloatArray:
    """:math:`d^{\\pi}_\\mu(s)=(1-\\gamma)\\sum_t\\gamma^t\\Pr(s_t=s|s_0\\sim\\rho)`, ``(n, S)`` (001 §2)."""
    return _visitation(check_iterate(iterate, positive=True))


def _visitation(it: Iterate) -> FloatArray:
    p_pi = markov.kernel_under(it.policy, it.kernel)
    out: FloatArray = (1.0 - it.gamma) * markov.evaluate(it.initial, np.swapaxes(p_pi, -1, -2), it.gamma)
    return out


def _check_q_hat(q_hat: object, shape: tuple[int, ...], name: str = "q_hat") -> FloatArray:
    arr = np.asarray(q_hat, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr


def advantage_estimate(iterate: Iterate, q_hat: FloatArray) -> FloatArray:
    """Alg. 1's :math:`\\hat A=\\hat Q-\\sum_a\\pi\\hat Q` with :math:`\\hat Q=\\hat q+\\lambda\\log\\pi` (001 §3), ``(n, S, A)``."""
    it = check_iterate(iterate, positive=True)
    return _advantage_estimate(it, _check_q_hat(q_hat, it.policy.shape))


def _advantage_estimate(it: Iterate, q_hat: FloatArray) -> FloatArray:
    q = q_hat + it.temperature * np.log(it.policy)
    out: FloatArray = q - (it.policy * q).sum(axis=-1, keepdims=True)
    return out


def critic_error(iterate: Iterate, q_hat: FloatArray) -> FloatArray:
    """Eq. (2)'s :math:`\\mathbb E_{s\\sim d^\\pi_\\mu,a\\sim\\pi}[(\\hat q-q^{\\pi,\\lambda}_\\mu)^2]` per seed, ``(n,)``."""
    it = check_iterate(iterate, positive=True)
    err = (_check_q_hat(q_hat, it.policy.shape) - _shifted_q(it)) ** 2
    out: FloatArray = np.einsum("ns,nsa,nsa->n", _visitation(it), it.policy, err)
    return out


def _weighted_design(it: Iterate, features: Features, target: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:math:`\\sqrt{d(s)\\pi(a|s)}\\,\\nabla\\log\\pi(a|s)` ``(n, SA, d)`` and :math:`\\sqrt{d\\pi}\\,\\hat A` ``(n, SA)``."""
    n, s, a = it.policy.shape
    root = np.sqrt(np.maximum(_visitation(it), 0.0)[:, :, None] * it.policy)
    design = (root[..., None] * features.score(it.policy)).reshape(n, s * a, features.dim)
    return design, (root * target).reshape(n, s * a)


def actor_loss(iterate: Iterate, features: Features, target: FloatArray, w: FloatArray) -> FloatArray:
    """Eq. (3)'s :math:`L(w,\\theta)=\\mathbb E_{s\\sim d^\\pi_\\mu,a\\sim\\pi}[(w^\\top\\nabla_\\theta\\log\\pi(a|s)-\\hat A(s,a))^2]` per seed, ``(n,)``.

    ``target`` is :math:`\\hat A` ``(n, S, A)`` (:func:`advantage_estimate`; :func:`advantage` gives
    the exact loss of §3), ``w`` is ``(n, d)``.
    """
    it = check_iterate(iterate, features, positive=True)
    design, y = _weighted_design(it, features, _check_q_hat(target, it.policy.shape, "target"))
    ws = _check_q_hat(w, it.theta.shape, "w")
    out: FloatArray = ((np.einsum("nkd,nd->nk", design, ws) - y) ** 2).sum(axis=-1)
    return out


def _norm_at(nu: float, k: FloatArray, s2: FloatArray, radius: float) -> float:
    """:math:`\\|w(\\nu)\\|_2-R` with :math:`w(\\nu)=V\\,\\mathrm{diag}(k/(s^2+\\nu))`."""
    return float(np.linalg.norm(k / (s2 + nu))) - radius


def _blocks(features: Features) -> list[tuple[IntArray, IntArray]]:
    """The independent blocks of the least-squares problem, grouped by shape.

    Rows :math:`(s,\\cdot)` of the design only touch the columns :math:`j` with some
    :math:`\\phi_{s,a,j}\\ne0`; the connected components of that state–column graph split the problem
    into independent blocks (one per state with one-hot features). Returns, per block shape,
    ``(states (G, n_s), columns (G, n_c))`` for its ``G`` blocks; columns no state uses (where the
    minimum-norm :math:`w` is 0) and states without features (zero score) are left out.
    """
    s, _, d = features.phi.shape
    support = coo_matrix(np.abs(features.phi).max(axis=1) > 0.0)
    graph = coo_matrix((np.ones(support.nnz), (support.row, s + support.col)), shape=(s + d, s + d))
    count, label = connected_components(graph, directed=False)
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(count + 1))
    groups: dict[tuple[int, int], tuple[list[IntArray], list[IntArray]]] = {}
    for c in range(count):
        members = order[bounds[c] : bounds[c + 1]]
        states, columns = members[members < s], members[members >= s] - s
        if states.size and columns.size:
            entry = groups.setdefault((states.size, columns.size), ([], []))
            entry[0].append(states)
            entry[1].append(columns)
    return [(np.array(st, dtype=np.int64), np.array(co, dtype=np.int64)) for st, co in groups.values()]


def compatible_weights(iterate: Iterate, features: Features, target: FloatArray, radius: float | None) -> FloatArray:
    """A minimiser :math:`w\\in\\arg\\min_{\\|w\\|_2\\le R}L(w,\\theta)` of eq. (3), per seed, ``(n, d)``.

    Writing :math:`L(w)=\\|Mw-y\\|^2` with :math:`M=\\sqrt{d\\pi}\\,\\nabla\\log\\pi` and
    :math:`y=\\sqrt{d\\pi}\\,\\hat A` (rows :math:`(s,a)`), and :math:`M=U\\,\\mathrm{diag}(\\sigma)V^\\top`
    (batched SVDs of the independent blocks of :math:`M`, :func:`_blocks`; singular values below
    :math:`\\max(SA,d)\\,\\epsilon\\,\\sigma_{\\max}` count as 0):

    - the minimisers of :math:`L` form :math:`w_0+\\ker M`, an affine set and not a point, since
      the score has null directions (with one-hot features, adding :math:`c(s)` to every action
      of a state changes nothing; states outside the support of :math:`d^\\pi_\\mu` are free);
      :math:`w_0=M^\\dagger y` is its minimum-norm element, returned when
      :math:`\\|w_0\\|_2\\le R` (and always when ``radius`` is ``None``);
    - otherwise no minimiser of :math:`L` lies in the ball, and the constrained minimiser is
      unique: by the KKT conditions :math:`(M^\\top M+\\nu I)w=M^\\top y` with :math:`\\nu>0` and
      :math:`\\|w\\|_2=R` (a ridge regression whose multiplier :math:`\\nu` is the root of the
      decreasing :math:`\\nu\\mapsto\\|w(\\nu)\\|_2-R` on :math:`[0,\\|M^\\top y\\|/R]`, found by
      :func:`scipy.optimize.brentq`, one seed at a time), rescaled onto the sphere against rounding.

    Parameters
    ----------
    iterate
        The policy, dynamics and :math:`\\rho` that define :math:`d^\\pi_\\mu` and the score.
    features
        :math:`\\phi`.
    target
        :math:`\\hat A` ``(n, S, A)``.
    radius
        :math:`R>0`, or ``None`` for the unconstrained minimum-norm minimiser.
    """
    it = check_iterate(iterate, features, positive=True)
    r = None if radius is None else check_real(radius, "radius", low=0.0, low_open=True)
    return _compatible_weights(it, features, _check_q_hat(target, it.policy.shape, "target"), r)


def _compatible_weights(it: Iterate, features: Features, target_: FloatArray, r: float | None) -> FloatArray:
    n, s, a = it.policy.shape
    root = np.sqrt(np.maximum(_visitation(it), 0.0)[:, :, None] * it.policy)  # sqrt(d(s) pi(a|s))
    parts = []  # per block shape: singular values, V^T M^T y, V^T and the block's columns
    for states, columns in _blocks(features):
        g, n_s = states.shape
        phi = np.take_along_axis(features.phi[states], columns[:, None, None, :], axis=-1)  # (G, n_s, A, n_c)
        pi = it.policy[:, states]  # (n, G, n_s, A)
        score = phi - np.einsum("ngsa,gsac->ngsc", pi, phi)[:, :, :, None, :]  # the score on the block's columns
        block = (root[:, states][..., None] * score).reshape(n, g, n_s * a, -1)
        u, sv, vt = np.linalg.svd(block, full_matrices=False)
        y = (root * target_)[:, states].reshape(n, g, n_s * a)
        parts.append((sv, sv * np.einsum("ngkj,ngk->ngj", u, y), vt, columns))
    out: FloatArray = np.zeros((n, features.dim))
    if not parts:
        return out
    sv_all = np.concatenate([p[0].reshape(n, -1) for p in parts], axis=-1)
    keep = sv_all > max(s * a, features.dim) * np.finfo(np.float64).eps * sv_all.max(axis=-1, keepdims=True)
    k = np.where(keep, np.concatenate([p[1].reshape(n, -1) for p in parts], axis=-1), 0.0)  # V^T M^T y
    s2 = np.where(keep, sv_all**2, 1.0)
    coef = k / s2  # V^T w_0
    if r is not None:
        for i in np.flatnonzero(np.linalg.norm(coef, axis=-1) > r):
            nu = brentq(_norm_at, 0.0, float(np.linalg.norm(k[i])) / r, args=(k[i], s2[i], r), xtol=1e-300, rtol=4 * np.finfo(float).eps)
            coef[i] = k[i] / (s2[i] + nu)
            coef[i] *= min(1.0, r / float(np.linalg.norm(coef[i])))
    offset = 0
    for sv, _, vt, columns in parts:
        size = sv.shape[1] * sv.shape[2]
        w_block = np.einsum("ngjc,ngj->ngc", vt, coef[:, offset : offset + size].reshape(sv.shape))
        out[:, columns] = w_block  # the blocks' columns are disjoint
        offset += size
    return out


def npg_direction(iterate: Iterate, features: Features) -> FloatArray:
    """The exact regularized NPG direction :math:`w_A-\\lambda\\theta`, ``(n, d)`` (001 §3).

    :math:`w_A` is the minimum-norm minimiser of :math:`L` with the exact advantage (no clipping).
    For log-linear policies the centred :math:`q` is :math:`A-\\lambda\\theta^\\top\\nabla\\log\\pi`, so this is
    also the minimum-norm regression of the exact :math:`q` on the score when :math:`\\theta` lies in
    the row space of the design (e.g. :math:`\\theta_0=0`); the :math:`1/(1-\\gamma)` of the NPG step is
    absorbed into :math:`\\eta`.
    """
    it = check_iterate(iterate, features, positive=True)
    out: FloatArray = _compatible_weights(it, features, _advantage(it), None) - it.temperature * it.theta
    return out


# -- the oracles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactCritic:
    """Algorithm 1's policy evaluation oracle with :math:`\\varepsilon_{critic}=0`: :math:`\\hat q=q^{\\pi_t,\\lambda}_{\\mu_t}` exactly.

    It has no parameters: ``state`` is an ``(n, 0)`` array and ``start`` is ignored; ``rng`` is not used.
    """

    def estimate(
        self, iterate: Iterate, features: Features, rng: np.random.Generator, start: FloatArray | None = None
    ) -> CriticEstimate:
        """:math:`q^{\\pi_t,\\lambda}_{\\mu_t}=Q^{\\pi_t,\\lambda}_{\\mu_t}-\\lambda\\log\\pi_t`, ``(n, S, A)``."""
        it = check_iterate(iterate, features, positive=True)
        return CriticEstimate(_shifted_q(it), np.zeros((it.n_seeds, 0)))


@dataclass(frozen=True)
class ExactActor:
    """Algorithm 1's gradient estimation oracle with :math:`\\varepsilon_{actor}=0`.

    :math:`\\hat w_t\\in\\arg\\min_{\\|w\\|_2\\le R}L(w,\\theta_t)` with :math:`\\hat A` from ``q_hat``
    (:func:`advantage_estimate`) and the exact :math:`d^{\\pi_t}_{\\mu_t}`: the minimum-norm minimiser
    when it lies in the ball, else the unique constrained one (:func:`compatible_weights`).
    ``rng`` is not used.
    """

    def estimate(
        self, iterate: Iterate, features: Features, q_hat: FloatArray, radius: float, rng: np.random.Generator
    ) -> FloatArray:
        """:math:`\\hat w_t`, ``(n, d)``, :math:`\\|\\hat w_t\\|_2\\le R`."""
        it = check_iterate(iterate, features, positive=True)
        r = check_real(radius, "radius", low=0.0, low_open=True)
        return _compatible_weights(it, features, _advantage_estimate(it, _check_q_hat(q_hat, it.policy.shape)), r)
