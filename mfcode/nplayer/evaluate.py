"""The N-player evaluation of any mean-field policy: value gap and exploitability against N.

For a :class:`~mfcode.nplayer.protocol.PopulationModel` and a local policy :math:`\\pi` (an MFG equilibrium,
an MFC optimum, a learned policy), with all agents started i.i.d. from :math:`\\rho`:

- the value gap :math:`V^N(\\pi)-V^{\\mathrm{MF}}(\\pi)` (:mod:`mfcode.nplayer.exact`,
  :mod:`mfcode.nplayer.mean_field`);
- the N-player exploitability, the gain of one agent deviating to its exact best response while the
  other :math:`N-1` keep :math:`\\pi` (dynamic programming over the deviator's state and the others' counts),
  next to the mean-field exploitability it tends to.

Mean-field approximation results (e.g. Saldi, Başar & Raginsky 2018; the slides' "(f)SLLN") bound both
gaps by :math:`O(1/\\sqrt N)`; :attr:`NPlayerCurve.gap_slope` is the slope of :math:`\\log|\\mathrm{gap}|`
against :math:`\\log N` fitted on the curve, to be compared with :math:`-1/2`. For large :math:`N`
:func:`mfcode.nplayer.monte_carlo.simulate` estimates the same quantities by Monte Carlo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray, IntArray
from mfcode.nplayer.exact import exact_evaluation
from mfcode.nplayer.mean_field import MeanFieldValues, mean_field_evaluation
from mfcode.nplayer.protocol import require_model
from mfcode.validation import check_int

__all__ = ["NPlayerCurve", "fitted_slope", "n_player_curve"]


def fitted_slope(n_agents: npt.ArrayLike, values: npt.ArrayLike) -> float:
    """Least-squares slope of :math:`\\log|\\mathrm{values}|` against :math:`\\log N`."""
    n = np.asarray(n_agents, dtype=np.float64)
    v = np.abs(np.asarray(values, dtype=np.float64))
    if n.shape != v.shape or n.size < 2:
        raise ValueError("n_agents and values must be arrays of the same length >= 2")
    if np.any(v <= 0.0) or np.any(n <= 0.0):
        raise ValueError("values must be non-zero and n_agents positive for a log-log fit")
    return float(np.polyfit(np.log(n), np.log(v), 1)[0])


@dataclass(frozen=True, eq=False)
class NPlayerCurve:
    """Exact N-player quantities of one policy over a range of :math:`N`.

    Attributes
    ----------
    n_agents
        The :math:`N` evaluated, ``(M,)``.
    value, best_value
        :math:`V^N(\\pi)` and the deviator's optimal value, ``(M,)``.
    mean_field
        :math:`V^{\\mathrm{MF}}(\\pi)` and the mean-field best-response value.
    """

    n_agents: IntArray
    value: FloatArray
    best_value: FloatArray
    mean_field: MeanFieldValues

    @property
    def value_gap(self) -> FloatArray:
        """:math:`V^N(\\pi)-V^{\\mathrm{MF}}(\\pi)`."""
        out: FloatArray = self.value - self.mean_field.value
        return out

    @property
    def exploitability(self) -> FloatArray:
        """N-player exploitability per :math:`N`."""
        out: FloatArray = self.best_value - self.value
        return out

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


def n_player_curve(model: Any, policy: npt.ArrayLike, n_agents: Sequence[int], initial: npt.ArrayLike) -> NPlayerCurve:
    """:class:`NPlayerCurve` of ``policy`` for each :math:`N` in ``n_agents`` (exact; small :math:`N`)."""
    m = require_model(model)
    ns = np.array([check_int(n, "n_agents", low=2) for n in n_agents], dtype=np.int64)
    if ns.size == 0:
        raise ValueError("n_agents must not be empty")
    results = [exact_evaluation(m, policy, int(n), initial) for n in ns]
    return NPlayerCurve(
        ns,
        np.array([r.value for r in results]),
        np.array([r.best_value for r in results]),
        mean_field_evaluation(m, policy, initial),
    )
