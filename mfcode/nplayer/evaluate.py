"""The N-player evaluation of any mean-field policy of any model: value gap and exploitability against N.

For an :class:`~mfcode.nplayer.protocol.NPlayerModel` (an adapter of :mod:`mfcode.nplayer.adapters`) and
one of its mean-field policies :math:`\\pi` (an MFG equilibrium, an MFC optimum, a learned policy, a
routing rule), :func:`evaluate` measures at each :math:`N`:

- the value gap :math:`V^N(\\pi)-V^{\\mathrm{MF}}(\\pi)`;
- the N-player exploitability, the gain of one agent deviating while the other :math:`N-1` keep
  :math:`\\pi`: exactly (the deviator's best response by dynamic programming) where the adapter has an
  exact evaluation, else by Monte Carlo (a fixed deviation, so a lower bound, with a 95% interval),
  next to the mean-field exploitability it tends to.

Mean-field approximation results (e.g. Saldi, Başar & Raginsky 2018; the slides' "(f)SLLN") bound both
gaps by :math:`O(1/\\sqrt N)`; :attr:`NPlayerCurve.gap_slope` is the slope of :math:`\\log|\\mathrm{gap}|`
against :math:`\\log N` fitted on the curve, to be compared with :math:`-1/2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from tqdm.auto import tqdm

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.nplayer.protocol import NPlayerModel, require_nplayer_model
from mfcode.nplayer.results import MeanFieldValues
from mfcode.validation import check_int

__all__ = ["METHODS", "NPlayerCurve", "evaluate", "fitted_slope"]

#: How :func:`evaluate` evaluates each N: exact where possible (else Monte Carlo), exact only, Monte Carlo only.
METHODS: tuple[str, ...] = ("auto", "exact", "monte-carlo")

P = TypeVar("P")


def fitted_slope(n_agents: npt.ArrayLike, values: npt.ArrayLike) -> float:
    """Least-squares slope of :math:`\\log|\\mathrm{values}|` against :math:`\\log N`."""
    n = np.asarray(n_agents, dtype=np.float64)
    v = np.abs(np.asarray(values, dtype=np.float64))
    if n.shape != v.shape or n.size < 2:
        raise ValueError("n_agents and values must be arrays of the same length >= 2")
    if np.any(~np.isfinite(v)) or np.any(v <= 0.0) or np.any(n <= 0.0):
        raise ValueError("values must be finite and non-zero and n_agents positive for a log-log fit")
    return float(np.polyfit(np.log(n), np.log(v), 1)[0])


@dataclass(frozen=True, eq=False)
class NPlayerCurve:
    """N-player quantities of one policy over a range of :math:`N`.

    Attributes
    ----------
    name
        The model's label.
    n_agents
        The :math:`N` evaluated, ``(M,)``.
    exact
        Whether each point is exact (else Monte Carlo), ``(M,)``.
    value
        :math:`V^N(\\pi)` (Monte Carlo: the replicate mean), ``(M,)``.
    value_gap, value_gap_half
        :math:`V^N(\\pi)-V^{\\mathrm{MF}}(\\pi)` and the half-width of its 95% interval plus the truncation
        bias bound (0 where exact), ``(M,)``.
    exploitability, exploitability_half
        The N-player exploitability (Monte Carlo: the gain of the adapter's deviation, a lower bound;
        NaN where the adapter simulates none) and its half-width, ``(M,)``.
    mean_field
        :math:`V^{\\mathrm{MF}}(\\pi)` and the limit's best deviation value.
    """

    name: str
    n_agents: IntArray
    exact: BoolArray
    value: FloatArray
    value_gap: FloatArray
    value_gap_half: FloatArray
    exploitability: FloatArray
    exploitability_half: FloatArray
    mean_field: MeanFieldValues

    @property
    def exploitability_gap(self) -> FloatArray:
        """N-player exploitability minus the mean-field exploitability."""
        out: FloatArray = self.exploitability - self.mean_field.exploitability
        return out

    @property
    def gap_slope(self) -> float:
        """Fitted log-log slope of :math:`|V^N-V^{\\mathrm{MF}}|` against :math:`N`."""
        return fitted_slope(self.n_agents, self.value_gap)

    @property
    def exploitability_slope(self) -> float:
        """Fitted log-log slope of the exploitability gap against :math:`N`."""
        return fitted_slope(self.n_agents, self.exploitability_gap)


def evaluate(
    model: NPlayerModel[P],
    policy: P,
    n_agents: Sequence[int],
    *,
    method: str = "auto",
    n_replicates: int = 64,
    seed: int = 0,
    progress: bool = False,
) -> NPlayerCurve:
    """:class:`NPlayerCurve` of ``policy`` for each :math:`N` in ``n_agents``.

    ``method``: one of :data:`METHODS`. Every Monte Carlo point runs ``n_replicates`` replicates from
    the same ``seed`` (common random numbers across :math:`N` where the model's simulation allows).
    """
    m = require_nplayer_model(model)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    ns = np.array([check_int(n, "n_agents", low=2) for n in n_agents], dtype=np.int64)
    if ns.size == 0:
        raise ValueError("n_agents must not be empty")
    r_n = check_int(n_replicates, "n_replicates", low=2)
    s = check_int(seed, "seed", low=0)
    mf = m.mean_field(policy)
    rows = []
    for n in tqdm(ns.tolist(), disable=not progress, desc=m.name):
        ex = None if method == "monte-carlo" else m.exact(policy, n)
        if ex is not None:
            rows.append((True, ex.value, ex.value - mf.value, 0.0, ex.exploitability, 0.0))
            continue
        if method == "exact":
            raise ValueError(f"n_agents: {m.name} has no exact evaluation at N = {n}")
        mc = m.simulate(policy, n, n_replicates=r_n, seed=s)
        v, _ = mc.value()
        g, g_half = mc.value_gap()
        gain, gain_half = mc.gain() if mc.deviation_gain is not None else (float("nan"), float("nan"))
        rows.append((False, v, g, g_half + mc.truncation_bias, gain, gain_half + 2.0 * mc.truncation_bias))
    exact = np.array([row[0] for row in rows], dtype=bool)
    value, gap, gap_half, expl, expl_half = np.array([row[1:] for row in rows], dtype=np.float64).T
    return NPlayerCurve(m.name, ns, exact, value, gap, gap_half, expl, expl_half, mf)
