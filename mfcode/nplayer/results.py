"""What the N-player evaluation measures: mean-field values, exact N-agent values, Monte Carlo replicates.

Slides seed ``004_ae508d4ce3677c60.txt`` ("From N-player Game to MFG", "NE for N-player games"). For a
mean-field policy :math:`\\pi` run by :math:`N` agents: :math:`V^N(\\pi)`, every agent's expected return;
:math:`V^{N,\\star}`, the best return one agent reaches by deviating while the other :math:`N-1` keep
:math:`\\pi`; their mean-field limits :math:`V^{\\mathrm{MF}}(\\pi)` and :math:`V^{\\mathrm{MF},\\star}`. The
exploitability is the deviation's gain :math:`V^{N,\\star}-V^N(\\pi)\\ge0` (0 exactly when no agent
gains by deviating).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from mfcode.arrays import FloatArray
from mfcode.validation import check_real

__all__ = ["ExactNPlayer", "MeanFieldValues", "MonteCarloNPlayer", "confidence_interval"]


def confidence_interval(samples: FloatArray, level: float = 0.95) -> tuple[float, float]:
    """Mean of ``samples`` ``(R,)`` and the half-width of its normal ``level`` confidence interval."""
    lvl = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"samples must be one-dimensional with at least 2 entries, got shape {x.shape}")
    return float(x.mean()), float(norm.ppf(0.5 + lvl / 2) * x.std(ddof=1) / np.sqrt(x.size))


@dataclass(frozen=True)
class MeanFieldValues:
    """:math:`V^{\\mathrm{MF}}(\\pi)` and the limit's best one-agent deviation value.

    Attributes
    ----------
    value
        The policy's value in the mean-field limit.
    best_value
        The best value of one agent deviating in the limit: the best response to the policy's flow in a
        game; ``value`` itself in a cooperative model (one agent does not move the limit).
    value_half
        Half-width of a 95% interval on ``value`` when it is itself an average over sampled common noise
        (0 when exact).
    """

    value: float
    best_value: float
    value_half: float = 0.0

    @property
    def exploitability(self) -> float:
        """Mean-field exploitability :math:`V^{\\mathrm{MF},\\star}-V^{\\mathrm{MF}}(\\pi)`."""
        return self.best_value - self.value


@dataclass(frozen=True)
class ExactNPlayer:
    """Exact N-agent quantities of a mean-field policy (per agent, averaged over the initial law).

    Attributes
    ----------
    n_agents
        :math:`N`.
    value
        :math:`V^N(\\pi)`: every agent's expected return when all play :math:`\\pi`.
    best_value
        The deviator's optimal value when the other :math:`N-1` play :math:`\\pi`.
    """

    n_agents: int
    value: float
    best_value: float

    @property
    def exploitability(self) -> float:
        """The N-player exploitability :math:`\\mathbb E[V^{N,\\star}-V^N(\\pi)]`."""
        return self.best_value - self.value


@dataclass(frozen=True, eq=False)
class MonteCarloNPlayer:
    """Replicate-level returns of an N-agent simulation (``R`` replicates).

    Attributes
    ----------
    n_agents
        :math:`N`.
    population_return
        Mean return over the :math:`N` agents when all play :math:`\\pi`, ``(R,)``.
    deviation_gain
        Agent 0's gain from a deviation (its return, or the team's in a cooperative model, with the
        deviation minus without, on common random numbers), ``(R,)``; ``None`` when not simulated.
    truncation_bias
        Bound on the bias of every return from truncating an infinite discounted sum (0 for episodes).
    reference
        The mean-field value each replicate's return is compared with, ``(R,)``: the constant
        :math:`V^{\\mathrm{MF}}(\\pi)`, or the limit's value given the replicate's common noise (e.g. the
        regime path of the queueing model's arrival rate); ``None`` when not attached.
    """

    n_agents: int
    population_return: FloatArray
    deviation_gain: FloatArray | None
    truncation_bias: float
    reference: FloatArray | None = None

    def value(self, level: float = 0.95) -> tuple[float, float]:
        """:math:`V^N(\\pi)` estimate and the half-width of its normal ``level`` confidence interval."""
        return confidence_interval(self.population_return, level)

    def value_gap(self, level: float = 0.95) -> tuple[float, float]:
        """:math:`V^N(\\pi)-V^{\\mathrm{MF}}(\\pi)` (paired with :attr:`reference`) and its half-width."""
        if self.reference is None:
            raise ValueError("value_gap needs a reference: attach the mean-field value first")
        return confidence_interval(self.population_return - self.reference, level)

    def gain(self, level: float = 0.95) -> tuple[float, float]:
        """The deviation's expected gain (a lower bound on the N-player exploitability) and its half-width."""
        if self.deviation_gain is None:
            raise ValueError("gain: this simulation ran no deviation")
        return confidence_interval(self.deviation_gain, level)
