"""Step-size schedules :math:`\\eta_t` and :math:`\\beta_t` of Algorithm 1: a value at iteration ``t`` of a run of ``T``.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, Algorithm 1 lines 6–7 and App. B.3:
the mean-field step ":math:`\\beta_t=O(T^{-4/5})`" and the policy step ":math:`\\eta_t=O(T^{-2/5})/\\lambda`",
constant in :math:`t` ("Let :math:`\\eta_t=\\eta=O(T^{-2/5})/\\lambda`, :math:`\\beta_t=\\beta=O(T^{-4/5})`"),
so that the policy moves on a faster timescale than the mean field. The constants hidden in the
:math:`O(\\cdot)` are the book's (:class:`TheorySchedule`'s ``scale``); App. D's simulations use
constants instead (:class:`Constant`: SIS :math:`\\eta=0.05`, :math:`\\beta=0.01`; LQ :math:`\\eta=0.1`,
:math:`\\beta=0.05`).

Lemma 2 needs :math:`0<\\eta_t\\lambda<1` and the mean-field step is a convex combination,
:math:`\\beta_t\\in(0,1]`; :func:`policy_steps` and :func:`mean_field_steps` evaluate a schedule
over a run and check those ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.validation import check_int, check_real, check_temperature

__all__ = ["BETA_EXPONENT", "ETA_EXPONENT", "Constant", "StepSize", "TheorySchedule", "mean_field_steps", "policy_steps"]

#: Theorem 1's exponents: :math:`\eta\propto T^{-2/5}/\lambda`, :math:`\beta\propto T^{-4/5}`.
ETA_EXPONENT = 0.4
BETA_EXPONENT = 0.8


def _check_time(t: int, horizon: int) -> tuple[int, int]:
    h = check_int(horizon, "horizon", low=1)
    return check_int(t, "t", low=0, high=h - 1), h


@runtime_checkable
class StepSize(Protocol):
    """A step-size schedule: its value at iteration ``t`` of a run of ``horizon`` (:math:`T`) iterations."""

    def value(self, t: int, horizon: int) -> float:
        """The step at iteration :math:`t\\in\\{0,\\dots,T-1\\}`."""
        ...


@dataclass(frozen=True)
class Constant:
    """The same step at every iteration (App. D's choice).

    Parameters
    ----------
    step
        A positive finite number.
    """

    step: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", check_real(self.step, "step", low=0.0, low_open=True))

    def value(self, t: int, horizon: int) -> float:
        """``step``."""
        _check_time(t, horizon)
        return self.step


@dataclass(frozen=True)
class TheorySchedule:
    """:math:`c\\,T^{-p}` (divided by :math:`\\lambda` when ``temperature`` is given), constant in :math:`t` (001 App. B.3).

    Use :meth:`eta` (:math:`c_\\eta T^{-2/5}/\\lambda`) and :meth:`beta` (:math:`c_\\beta T^{-4/5}`) for
    Theorem 1's rates.

    Parameters
    ----------
    scale
        :math:`c>0`, the constant the :math:`O(\\cdot)` hides.
    exponent
        :math:`p>0`.
    temperature
        :math:`\\lambda>0` to divide by, or ``None``.
    """

    scale: float
    exponent: float
    temperature: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", check_real(self.scale, "scale", low=0.0, low_open=True))
        object.__setattr__(self, "exponent", check_real(self.exponent, "exponent", low=0.0, low_open=True))
        if self.temperature is not None:
            lam = check_temperature(self.temperature)
            if lam == 0.0:
                raise ValueError("temperature must be > 0 (eta = c T^(-2/5) / lambda)")
            object.__setattr__(self, "temperature", lam)

    @classmethod
    def eta(cls, scale: float, temperature: float) -> TheorySchedule:
        """:math:`\\eta=c_\\eta T^{-2/5}/\\lambda` (Algorithm 1 line 7)."""
        return cls(scale, ETA_EXPONENT, temperature)

    @classmethod
    def beta(cls, scale: float) -> TheorySchedule:
        """:math:`\\beta=c_\\beta T^{-4/5}` (Algorithm 1 line 6)."""
        return cls(scale, BETA_EXPONENT)

    def value(self, t: int, horizon: int) -> float:
        """:math:`cT^{-p}` (:math:`/\\lambda`)."""
        _, h = _check_time(t, horizon)
        out: float = self.scale * float(h) ** -self.exponent
        return out if self.temperature is None else out / self.temperature


def _values(schedule: object, horizon: int, name: str) -> FloatArray:
    if not isinstance(schedule, StepSize):
        raise TypeError(f"{name} must be a step-size schedule (with value(t, horizon)), got {type(schedule).__name__}")
    h = check_int(horizon, "horizon", low=1)
    out = np.array([schedule.value(t, h) for t in range(h)], dtype=np.float64)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} must be finite at every iteration")
    return out


def policy_steps(schedule: StepSize, horizon: int, temperature: float, name: str = "eta") -> FloatArray:
    """:math:`\\eta_0,\\dots,\\eta_{T-1}`, ``(T,)``, after checking :math:`0<\\eta_t\\lambda<1` (Lemma 2)."""
    lam = check_temperature(temperature)
    out = _values(schedule, horizon, name)
    prod = out * lam
    if not ((prod > 0.0) & (prod < 1.0)).all():
        bad = int(np.flatnonzero(~((prod > 0.0) & (prod < 1.0)))[0])
        raise ValueError(
            f"{name} must satisfy 0 < {name}_t * lambda < 1 (Lemma 2) at every t; at t = {bad}: "
            f"{name} = {out[bad]:.6g}, lambda = {lam:.6g}, product {prod[bad]:.6g}"
        )
    return out


def mean_field_steps(schedule: StepSize, horizon: int, name: str = "beta") -> FloatArray:
    """:math:`\\beta_0,\\dots,\\beta_{T-1}`, ``(T,)``, after checking :math:`\\beta_t\\in(0,1]`."""
    out = _values(schedule, horizon, name)
    ok = (out > 0.0) & (out <= 1.0)
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        raise ValueError(f"{name} must lie in (0, 1] at every t; at t = {bad}: {name} = {out[bad]:.6g}")
    return out
