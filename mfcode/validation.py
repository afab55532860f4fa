"""Checks of public arguments, written once: each error names the argument and what was expected.

Public functions validate their arguments with these helpers at the boundary; internal functions
trust their callers.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["check_int", "check_real", "check_temperature"]


def check_real(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` in the interval from ``low`` to ``high``.

    ``low_open``/``high_open`` exclude the end points. Booleans are rejected (``True`` is no
    number of the papers).

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is not finite or lies outside the interval.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    below = x <= low if low_open else x < low
    above = x >= high if high_open else x > high
    if below or above:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lo}{low:g}, {high:g}{hi}, got {value!r}")
    return x


def check_int(value: object, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` (Python or numpy integer, not ``bool``) with ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {n}")
    return n


def check_temperature(value: object, name: str = "temperature") -> float:
    """An entropy weight :math:`\\lambda\\ge0` (001 §2): a finite non-negative real number."""
    return check_real(value, name, low=0.0)
