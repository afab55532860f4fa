"""How a Q-function becomes a policy in the outer step of the slides' algorithms (seed ``004_ae508d4ce3677c60.txt``).

- :class:`ArgmaxE` -- Algorithm 1's ``argmax-e``: equal probability on the maximisers. Not continuous:
  :func:`argmax_jump_ratio` is the slides' example, :math:`x=(1,1)`, :math:`y=(1,1-\\epsilon)`,
  :math:`\\|\\mathrm{argmax\\text-e}(x)-\\mathrm{argmax\\text-e}(y)\\|_2/\\|x-y\\|_2=1/(\\sqrt2\\epsilon)`;
- :class:`Softmax` -- Algorithm 2's :math:`\\mathrm{softmax}_c(x)_i=e^{cx_i}/\\sum_je^{cx_j}`, Lipschitz
  with constant :math:`c/2` in :math:`\\ell_2` (its Jacobian :math:`c(\\mathrm{diag}\\,p-pp^\\top)` has
  spectral norm at most :math:`c/2`);
- :class:`MellowMax` -- the "MellowMax" smoothing of the slides' general framework,
  :math:`\\mathrm{MM}_c(x)=\\log(\\frac1n\\sum_ie^{cx_i})/c`, turned into a policy as Asadi & Littman (2017)
  do: the maximum-entropy Boltzmann policy :math:`\\propto e^{\\beta x}` whose mean advantage over
  :math:`\\mathrm{MM}_c(x)` is zero (:math:`\\sum_ie^{\\beta(x_i-\\mathrm{MM})}(x_i-\\mathrm{MM})=0`; the slides
  give only the operator, the policy is our choice).

Every rule maps scores ``(..., A)`` to distributions over the last axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.simplex import logsumexp, softmax
from mfcode.validation import check_real

__all__ = ["ArgmaxE", "MellowMax", "Smoothing", "Softmax", "argmax_jump_ratio", "mellowmax", "smoothing_ratio"]


@runtime_checkable
class Smoothing(Protocol):
    """A rule turning Q-values ``(..., A)`` into a policy over the last axis."""

    @property
    def name(self) -> str:
        """Label for tables and plots."""

    def policy(self, q: FloatArray) -> FloatArray:
        """The distribution over the last axis of ``q``."""


@dataclass(frozen=True)
class ArgmaxE:
    """Algorithm 1's ``argmax-e`` (ties split evenly): :func:`mfcode.simplex.softmax` at temperature 0."""

    @property
    def name(self) -> str:
        return "argmax-e"

    def policy(self, q: FloatArray) -> FloatArray:
        return softmax(q, 0.0)


@dataclass(frozen=True)
class Softmax:
    """Algorithm 2's :math:`\\mathrm{softmax}_c` (temperature :math:`1/c`)."""

    c: float

    def __post_init__(self) -> None:
        check_real(self.c, "c", low=0.0, low_open=True)

    @property
    def name(self) -> str:
        return f"softmax c={self.c:g}"

    def policy(self, q: FloatArray) -> FloatArray:
        return softmax(q, 1.0 / self.c)


def mellowmax(q: npt.ArrayLike, c: float) -> FloatArray:
    """:math:`\\mathrm{MM}_c(x)=\\log(\\frac1n\\sum_ie^{cx_i})/c` over the last axis (the slides' formula)."""
    check_real(c, "c", low=0.0, low_open=True)
    x = np.asarray(q, dtype=np.float64)
    out: FloatArray = (logsumexp(c * x) - np.log(x.shape[-1])) / c
    return out


@dataclass(frozen=True)
class MellowMax:
    """The maximum-entropy policy of :math:`\\mathrm{MM}_c` (Asadi & Littman 2017), by vectorised bisection on :math:`\\beta\\ge0`."""

    c: float

    def __post_init__(self) -> None:
        check_real(self.c, "c", low=0.0, low_open=True)

    @property
    def name(self) -> str:
        return f"mellowmax c={self.c:g}"

    def policy(self, q: FloatArray) -> FloatArray:
        x = q - mellowmax(q, self.c)[..., None]
        # g(beta) = sum_i exp(beta (x_i - max x)) x_i is increasing, g(0) = sum x <= 0 (Jensen): bracket [0, hi].
        shift = x.max(axis=-1, keepdims=True)

        def g(beta: FloatArray) -> FloatArray:
            out: FloatArray = (np.exp(beta[..., None] * (x - shift)) * x).sum(axis=-1)
            return out

        lo = np.zeros(x.shape[:-1])
        hi = np.full(x.shape[:-1], self.c)
        for _ in range(60):  # double the bracket until g(hi) >= 0 (or hi is huge: all but one action negligible)
            short = g(hi) < 0.0
            if not short.any():
                break
            hi = np.where(short, 2.0 * hi, hi)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            neg = g(mid) < 0.0
            lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
        return softmax(0.5 * (lo + hi)[..., None] * q, 1.0)


def smoothing_ratio(rule: Smoothing, x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """:math:`\\|\\mathrm{rule}(x)-\\mathrm{rule}(y)\\|_2/\\|x-y\\|_2` for two score vectors."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    d = float(np.linalg.norm(xa - ya))
    if d == 0.0:
        raise ValueError("x and y must differ")
    return float(np.linalg.norm(rule.policy(xa) - rule.policy(ya))) / d


def argmax_jump_ratio(rule: Smoothing, epsilon: npt.ArrayLike) -> FloatArray:
    """The slides' example for each :math:`\\epsilon`: the ratio at :math:`x=(1,1)`, :math:`y=(1,1-\\epsilon)`."""
    eps = np.atleast_1d(np.asarray(epsilon, dtype=np.float64))
    if np.any(eps <= 0.0):
        raise ValueError("epsilon must be > 0")
    x = np.ones(2)
    y = np.stack([np.ones_like(eps), 1.0 - eps], axis=-1)
    diff = np.linalg.norm(rule.policy(x)[None, :] - rule.policy(y), axis=-1)
    out: FloatArray = diff / eps
    return out
