"""The toy MFG "When does the lecture start?" (Guéant, Lasry & Lions 2011), fully solved.

Slides seed ``004_ae508d4ce3677c60.txt`` ("A Toy Example: When Does the Lecture Start?"). A lecture
is scheduled at :math:`t`; participant :math:`i` aims at :math:`\\tau_i` and arrives at
:math:`\\tilde\\tau_i=\\tau_i+\\sigma_i\\epsilon_i` (:math:`\\epsilon_i\\sim\\mathcal N(0,1)` i.i.d.,
:math:`\\sigma_i\\sim m_0`), paying

.. math:: c(t,T,\\tilde\\tau)=\\alpha[\\tilde\\tau-t]_++\\beta[\\tilde\\tau-T]_++\\gamma[T-\\tilde\\tau]_+

when the lecture actually starts at :math:`T`. The three steps of the slides' resolution:

1. :func:`optimal_arrival` -- Proposition 1's first-order condition
   :math:`\\alpha\\mathcal N((\\tau-t)/\\sigma)+(\\beta+\\gamma)\\mathcal N((\\tau-T)/\\sigma)=\\gamma`
   (:func:`first_order_condition` is its left side minus :math:`\\gamma`, which is
   :math:`\\partial_\\tau\\mathbb E[c]` of :func:`expected_cost`), solved for every :math:`\\sigma` in the
   support of :math:`m_0`;
2. :func:`arrival_cdf` -- the law :math:`F(\\cdot;T)` of the actual arrival times, a mixture of normals;
   :func:`start_time` -- the rule's start :math:`T^{\\ast\\ast}(T)=\\max(t,F^{-1}(q;T))` with quorum
   :math:`q=0.9`. The slides print "whichever is earlier", i.e. :math:`\\min(t,F^{-1}(q))`, which never
   exceeds :math:`t` and so does not map :math:`[t,\\infty)` into itself (erratum: "later");
3. :func:`solve` -- the Banach iteration :math:`T_{k+1}=T^{\\ast\\ast}(T_k)` of Proposition 2, and
   :func:`start_time_derivative` -- :math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` by the implicit-function
   theorem, the local contraction factor.

Every function broadcasts over arrays of candidate start times ``start`` (a leading batch axis);
the roots are found by vectorised, safeguarded Newton iterations to machine precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from mfcode.arrays import FloatArray
from mfcode.fixed_point import compute_fixed_point
from mfcode.validation import check_int, check_real

__all__ = [
    "LectureEquilibrium",
    "LectureGame",
    "arrival_cdf",
    "expected_cost",
    "first_order_condition",
    "optimal_arrival",
    "quorum_time",
    "solve",
    "start_time",
    "start_time_derivative",
]

_MAX_STEPS = 200  # enough halvings of a bracket of width < 1e4 to reach rounding, if Newton never helps


@dataclass(frozen=True)
class LectureGame:
    """Parameters of the lecture-start game (004, "A Toy Example").

    Parameters
    ----------
    scheduled
        :math:`t`, the scheduled start.
    alpha, beta, gamma
        Costs per unit of lateness to :math:`t`, lateness to :math:`T`, and waiting; Proposition 2 asks
        for all three :math:`>0` (here only :math:`\\ge0` is required, to show what fails).
    sigmas
        Support of :math:`m_0`, the law of the noise scales :math:`\\sigma_i>0` (Proposition 2 asks for
        :math:`0\\notin\\overline{\\mathrm{supp}\\,m_0}`; a finite support satisfies it). The slides give
        no :math:`m_0`; it is a parameter.
    weights
        :math:`m_0(\\{\\sigma_k\\})` (default uniform).
    quorum
        The share of participants whose arrival starts the lecture; the slides' 90%.
    """

    scheduled: float = 0.0
    alpha: float = 2.0
    beta: float = 1.0
    gamma: float = 1.0
    sigmas: tuple[float, ...] = (0.5, 1.0, 1.5)
    weights: tuple[float, ...] | None = None
    quorum: float = 0.9

    def __post_init__(self) -> None:
        check_real(self.scheduled, "scheduled")
        for name in ("alpha", "beta", "gamma"):
            check_real(getattr(self, name), name, low=0.0)
        if self.gamma <= 0.0:
            raise ValueError(f"gamma must be > 0 (no waiting cost: everyone arrives as late as possible), got {self.gamma!r}")
        if not isinstance(self.sigmas, tuple) or not self.sigmas:
            raise TypeError("sigmas must be a non-empty tuple of positive numbers")
        for s in self.sigmas:
            check_real(s, "sigmas", low=0.0, low_open=True)
        if self.weights is not None:
            if not isinstance(self.weights, tuple) or len(self.weights) != len(self.sigmas):
                raise ValueError("weights must be a tuple as long as sigmas")
            for w in self.weights:
                check_real(w, "weights", low=0.0)
            if abs(sum(self.weights) - 1.0) > 1e-12:
                raise ValueError(f"weights must sum to 1, got {sum(self.weights)!r}")
        check_real(self.quorum, "quorum", low=0.0, high=1.0, low_open=True, high_open=True)

    @property
    def sigma(self) -> FloatArray:
        """:math:`(\\sigma_k)_k`, ``(K,)``."""
        return np.asarray(self.sigmas, dtype=np.float64)

    @property
    def weight(self) -> FloatArray:
        """:math:`(m_0(\\sigma_k))_k`, ``(K,)``."""
        k = len(self.sigmas)
        return np.full(k, 1.0 / k) if self.weights is None else np.asarray(self.weights, dtype=np.float64)


def _pdf(x: FloatArray) -> FloatArray:
    """Standard normal density."""
    out: FloatArray = np.exp(-0.5 * np.square(x)) / np.sqrt(2.0 * np.pi)
    return out


def _start(start: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(start, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("start must be finite")
    return arr


def _positive_part_mean(mean: FloatArray, sd: FloatArray, level: FloatArray) -> FloatArray:
    """:math:`\\mathbb E[X-\\ell]_+` for :math:`X\\sim\\mathcal N(m,s^2)`: :math:`(m-\\ell)\\mathcal N(d)+s\\,\\varphi(d)`, :math:`d=(m-\\ell)/s`."""
    d = (mean - level) / sd
    out: FloatArray = (mean - level) * ndtr(d) + sd * _pdf(d)
    return out


def expected_cost(game: LectureGame, tau: npt.ArrayLike, sigma: npt.ArrayLike, start: npt.ArrayLike) -> FloatArray:
    """:math:`\\mathbb E[c(t,T,\\tau+\\sigma\\epsilon)]` in closed form (broadcast over ``tau``, ``sigma``, ``start``)."""
    tau_a = np.asarray(tau, dtype=np.float64)
    sig = np.asarray(sigma, dtype=np.float64)
    if np.any(sig <= 0.0):
        raise ValueError("sigma must be > 0")
    big_t = _start(start)
    t = np.float64(game.scheduled)
    late_t = _positive_part_mean(tau_a, sig, t + 0.0 * big_t)
    late_big = _positive_part_mean(tau_a, sig, big_t)
    wait = late_big - (tau_a - big_t)  # E[T - X]_+ = E[X - T]_+ - E[X - T]
    out: FloatArray = game.alpha * late_t + game.beta * late_big + game.gamma * wait
    return out


def first_order_condition(game: LectureGame, tau: npt.ArrayLike, sigma: npt.ArrayLike, start: npt.ArrayLike) -> FloatArray:
    """Proposition 1's left side minus :math:`\\gamma`: :math:`\\alpha\\mathcal N(\\frac{\\tau-t}\\sigma)+(\\beta+\\gamma)\\mathcal N(\\frac{\\tau-T}\\sigma)-\\gamma`.

    It is :math:`\\partial_\\tau\\mathbb E[c]`, increasing in :math:`\\tau` from :math:`-\\gamma` to
    :math:`\\alpha+\\beta`; when :math:`\\alpha+\\beta>0` the optimal :math:`\\tau` is its unique root.
    """
    tau_a = np.asarray(tau, dtype=np.float64)
    sig = np.asarray(sigma, dtype=np.float64)
    big_t = _start(start)
    out: FloatArray = (
        game.alpha * ndtr((tau_a - game.scheduled) / sig)
        + (game.beta + game.gamma) * ndtr((tau_a - big_t) / sig)
        - game.gamma
    )
    return out


def _root(
    fn: Callable[[FloatArray], tuple[FloatArray, FloatArray]], low: FloatArray, high: FloatArray
) -> FloatArray:
    """Root of an increasing vectorised ``fn`` (returning value and slope) between ``low`` (fn < 0) and ``high`` (fn > 0).

    Safeguarded Newton: a Newton step when it stays inside the current bracket, else bisection of the bracket;
    elementwise, until the steps reach rounding.
    """
    lo, hi = low.copy(), high.copy()
    x = 0.5 * (lo + hi)
    for _ in range(_MAX_STEPS):
        f, slope = fn(x)
        lo = np.where(f < 0.0, x, lo)
        hi = np.where(f > 0.0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a zero slope: bisect instead
            newton = x - f / slope
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        nxt = np.where(f == 0.0, x, np.where(inside, newton, 0.5 * (lo + hi)))
        done = np.all(np.abs(nxt - x) <= 4.0 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(x)))
        x = nxt
        if done:
            break
    return x


def optimal_arrival(game: LectureGame, start: npt.ArrayLike) -> FloatArray:
    """Proposition 1: the optimal aim :math:`\\tau(\\sigma_k;T)` for every :math:`\\sigma_k`, shape ``start.shape + (K,)``.

    Needs :math:`\\alpha+\\beta>0` (otherwise lateness is free and no optimum exists).
    """
    if game.alpha + game.beta <= 0.0:
        raise ValueError("alpha + beta must be > 0 for an optimal arrival time to exist")
    big_t = _start(start)[..., None]
    sig = game.sigma
    big_t, sig = np.broadcast_arrays(big_t, sig)
    # Below min(t, T) - 40 sigma the left side is ~0 < gamma; above max(t, T) + 40 sigma it is alpha+beta+gamma > gamma.
    low = np.minimum(game.scheduled, big_t) - 40.0 * sig
    high = np.maximum(game.scheduled, big_t) + 40.0 * sig
    bg = game.beta + game.gamma

    def foc(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        u, v = (x - game.scheduled) / sig, (x - big_t) / sig
        value: FloatArray = game.alpha * ndtr(u) + bg * ndtr(v) - game.gamma
        slope: FloatArray = (game.alpha * _pdf(u) + bg * _pdf(v)) / sig
        return value, slope

    return _root(foc, low, high)


def arrival_cdf(game: LectureGame, x: npt.ArrayLike, start: npt.ArrayLike) -> FloatArray:
    """:math:`F(x;T)=\\sum_km_0(\\sigma_k)\\mathcal N((x-\\tau(\\sigma_k;T))/\\sigma_k)` (broadcast over ``x`` and ``start``)."""
    xs, big_t = np.broadcast_arrays(np.asarray(x, dtype=np.float64), _start(start))
    tau = optimal_arrival(game, big_t)
    out: FloatArray = (game.weight * ndtr((xs[..., None] - tau) / game.sigma)).sum(axis=-1)
    return out


def _quorum_from_tau(game: LectureGame, tau: FloatArray) -> FloatArray:
    sig = game.sigma
    low = (tau - 40.0 * sig).min(axis=-1)
    high = (tau + 40.0 * sig).max(axis=-1)

    def excess(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        z = (x[..., None] - tau) / sig
        value: FloatArray = (game.weight * ndtr(z)).sum(axis=-1) - game.quorum
        slope: FloatArray = (game.weight * _pdf(z) / sig).sum(axis=-1)
        return value, slope

    return _root(excess, low, high)


def quorum_time(game: LectureGame, start: npt.ArrayLike) -> FloatArray:
    """:math:`F^{-1}(q;T)`: when the share ``quorum`` of the participants has arrived, anticipating start :math:`T`."""
    return _quorum_from_tau(game, optimal_arrival(game, start))


def start_time(game: LectureGame, start: npt.ArrayLike, *, rule: str = "later") -> FloatArray:
    """The rule's actual start :math:`T^{\\ast\\ast}(T)`.

    ``rule="later"`` (the erratum, the map of Proposition 2): :math:`\\max(t,F^{-1}(q;T))`;
    ``rule="earlier"`` (as printed on the slides): :math:`\\min(t,F^{-1}(q;T))`, which is
    :math:`\\le t` for every :math:`T`.
    """
    q = quorum_time(game, start)
    if rule == "later":
        return np.maximum(game.scheduled, q)
    if rule == "earlier":
        return np.minimum(game.scheduled, q)
    raise ValueError(f"rule must be 'later' or 'earlier', got {rule!r}")


def start_time_derivative(game: LectureGame, start: npt.ArrayLike) -> FloatArray:
    """:math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` (rule "later") by the implicit-function theorem.

    Differentiating Proposition 1 gives
    :math:`\\partial_T\\tau_k=\\frac{(\\beta+\\gamma)\\varphi(v_k)}{\\alpha\\varphi(u_k)+(\\beta+\\gamma)\\varphi(v_k)}\\in(0,1]`,
    :math:`u_k=(\\tau_k-t)/\\sigma_k`, :math:`v_k=(\\tau_k-T)/\\sigma_k`; differentiating
    :math:`F(Q;T)=q` gives :math:`\\partial_TQ=\\sum_kw_k\\partial_T\\tau_k` with weights
    :math:`w_k\\propto m_0(\\sigma_k)\\varphi((Q-\\tau_k)/\\sigma_k)/\\sigma_k`. The derivative of
    :math:`\\max(t,Q)` is :math:`\\partial_TQ` where :math:`Q>t` and 0 where :math:`Q<t`.
    """
    big_t = _start(start)
    tau = optimal_arrival(game, big_t)
    sig = game.sigma
    phi_u = _pdf((tau - game.scheduled) / sig)
    phi_v = _pdf((tau - big_t[..., None]) / sig)
    bg = game.beta + game.gamma
    d_tau = bg * phi_v / (game.alpha * phi_u + bg * phi_v)
    q = _quorum_from_tau(game, tau)
    w = game.weight * _pdf((q[..., None] - tau) / sig) / sig
    d_q = (w * d_tau).sum(axis=-1) / w.sum(axis=-1)
    out: FloatArray = np.where(q > game.scheduled, d_q, 0.0)
    return out


@dataclass(frozen=True, eq=False)
class LectureEquilibrium:
    """Output of :func:`solve`.

    Attributes
    ----------
    start_time
        The equilibrium start :math:`T^\\star=T^{\\ast\\ast}(T^\\star)`.
    arrivals
        :math:`\\tau(\\sigma_k;T^\\star)`, ``(K,)``.
    iterates
        :math:`T_0,T_1,\\dots` of the Banach iteration, ``(n+1,)``.
    residuals
        :math:`|T_{k+1}-T_k|`, ``(n,)``.
    contraction_factor
        :math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` at :math:`T^\\star`: the asymptotic ratio of successive residuals.
    """

    start_time: float
    arrivals: FloatArray
    iterates: FloatArray
    residuals: FloatArray
    contraction_factor: float

    @property
    def residual_ratios(self) -> FloatArray:
        """:math:`|T_{k+2}-T_{k+1}|/|T_{k+1}-T_k|` over the residuals above 1e-12 (rounding)."""
        r = self.residuals
        keep = r[:-1] > 1e-12
        out: FloatArray = r[1:][keep] / r[:-1][keep]
        return out


def solve(game: LectureGame, *, initial: float | None = None, tol: float = 1e-13, max_iter: int = 10_000) -> LectureEquilibrium:
    """The equilibrium start time by the Banach iteration :math:`T_{k+1}=T^{\\ast\\ast}(T_k)` from ``initial`` (default :math:`t`).

    Raises ``RuntimeError`` when ``tol`` is not reached (e.g. Proposition 2's map not contractive).
    """
    t0 = game.scheduled if initial is None else check_real(initial, "initial", low=game.scheduled)
    check_real(tol, "tol", low=0.0, low_open=True)
    check_int(max_iter, "max_iter", low=1)
    seen: list[float] = [t0]

    def operator(x: FloatArray) -> FloatArray:
        nxt = start_time(game, x)
        seen.append(float(nxt))
        return nxt

    trace = compute_fixed_point(
        operator, np.asarray(t0, dtype=np.float64), tol=tol, max_iter=max_iter,
        what="the lecture-start iteration T <- T**(T)",
    )
    star = float(trace.value)
    return LectureEquilibrium(
        start_time=star,
        arrivals=optimal_arrival(game, star),
        iterates=np.array(seen),
        residuals=trace.residuals,
        contraction_factor=float(start_time_derivative(game, star)),
    )
