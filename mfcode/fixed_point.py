"""One loop for every fixed-point iteration of the book, returning its trace.

Modelled on QuantEcon.py's ``compute_fixed_point``: the caller supplies the map, the loop owns the
stopping rule, the iteration budget and the record of residuals. Two entry points:

- :func:`iterate` runs ``state -> (next_state, residual)`` until the residual reaches ``tol``;
  the state may carry anything a method needs between sweeps (warm starts, Anderson histories);
- :func:`compute_fixed_point` is the plain Banach iteration :math:`x_{k+1}=T(x_k)` with residual
  :math:`\\|T(x_k)-x_k\\|` in a chosen norm (001 §2: "Banach ... linear convergence" when
  :math:`\\Lambda^\\lambda` contracts).

Both return a :class:`FixedPointTrace`; when the budget is spent before ``tol`` is reached they
raise ``RuntimeError`` naming what did not converge, unless ``raise_on_failure=False`` (the trace
then says ``converged=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from tqdm.std import tqdm

from mfcode.arrays import FloatArray
from mfcode.limits import check_steps
from mfcode.validation import check_array, check_bool, check_callable, check_int, check_real

__all__ = ["FixedPointTrace", "compute_fixed_point", "iterate", "l1_distance", "sup_distance"]

X = TypeVar("X")


@dataclass(frozen=True, eq=False)
class FixedPointTrace(Generic[X]):
    """Result of :func:`iterate` / :func:`compute_fixed_point`.

    Attributes
    ----------
    value
        The last state returned by the map (the fixed point when ``converged``).
    residuals
        The residual of every sweep, ``(iterations,)``.
    converged
        Whether the last residual is at most ``tol``.
    """

    value: X
    residuals: FloatArray
    converged: bool

    @property
    def iterations(self) -> int:
        """Number of sweeps (applications of the map)."""
        return int(self.residuals.size)


def iterate(
    step: Callable[[X], tuple[X, float]],
    start: X,
    *,
    tol: float,
    max_iter: int,
    what: str = "fixed-point iteration",
    raise_on_failure: bool = True,
    progress: bool = False,
) -> FixedPointTrace[X]:
    """Apply ``step`` from ``start`` until the residual it reports is at most ``tol``.

    Parameters
    ----------
    step
        ``state -> (next_state, residual)``; the residual measures how far ``state`` is from a
        fixed point (e.g. :math:`\\|T(x)-x\\|`), and ``next_state`` is returned once it is
        at most ``tol``.
    start
        The initial state.
    tol
        Stopping tolerance, ``>= 0``.
    max_iter
        Maximum number of sweeps, ``>= 1`` (at most :func:`mfcode.limits.max_steps`: a budget that
        large could not end).
    what
        Name of the iteration in the error message.
    raise_on_failure
        Raise ``RuntimeError`` if ``tol`` is not reached (default), else return the trace.
    progress
        Show a tqdm bar (stderr).

    Raises
    ------
    TypeError
        If ``step`` is not callable or returns no ``(next_state, residual)`` pair.
    ValueError
        If a residual is NaN (no tolerance can be reached).
    """
    check_callable(step, "step")
    tol = check_real(tol, "tol", low=0.0)
    check_steps(check_int(max_iter, "max_iter", low=1), f"{what} (max_iter={max_iter})")
    if not isinstance(what, str):
        raise TypeError(f"what must be a str, got {type(what).__name__}")
    check_bool(raise_on_failure, "raise_on_failure")
    check_bool(progress, "progress")
    state = start
    residuals: list[float] = []
    for _ in tqdm(range(max_iter), disable=not progress, desc=what):
        out = step(state)
        try:
            state, res = out
            res = float(res)
        except (TypeError, ValueError):
            raise TypeError(f"step must return a pair (next_state, residual), got {type(out).__name__}") from None
        if res != res:
            raise ValueError(f"step returned a NaN residual in {what}")
        residuals.append(res)
        if res <= tol:
            return FixedPointTrace(state, np.array(residuals), True)
    if raise_on_failure:
        raise RuntimeError(f"{what} did not reach tol={tol:g} in {max_iter} sweeps (last residual {residuals[-1]:.3g})")
    return FixedPointTrace(state, np.array(residuals), False)


def _pair(x: FloatArray, y: FloatArray) -> FloatArray:
    """``|x - y|`` of two non-empty float arrays of one shape (O(1) checks: the loops call it every sweep)."""
    a, b = check_array(x, "x"), check_array(y, "y")
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"x and y must be non-empty arrays of one shape, got {a.shape} and {b.shape}")
    out: FloatArray = np.abs(a - b)
    return out


def _not_nan(d: float) -> float:
    if d != d:  # NaN in x or y makes the distance NaN: checked on the one number, not on the arrays
        raise ValueError("x and y must not contain NaN")
    return d


def sup_distance(x: FloatArray, y: FloatArray) -> float:
    """:math:`\\max_i|x_i-y_i|`."""
    return _not_nan(float(_pair(x, y).max()))


def l1_distance(x: FloatArray, y: FloatArray) -> float:
    """:math:`\\sum_i|x_i-y_i|` (the distance on mean fields of 001 §4)."""
    return _not_nan(float(_pair(x, y).sum()))


def compute_fixed_point(
    operator: Callable[[FloatArray], FloatArray],
    start: FloatArray,
    *,
    tol: float,
    max_iter: int,
    distance: Callable[[FloatArray, FloatArray], float] = sup_distance,
    what: str = "fixed-point iteration",
    raise_on_failure: bool = True,
) -> FixedPointTrace[FloatArray]:
    """Banach iteration :math:`x_{k+1}=T(x_k)` until :math:`d(T(x_k),x_k)\\le` ``tol``.

    Returns the trace whose ``value`` is the last :math:`T(x_k)` and whose residuals are
    :math:`d(T(x_k),x_k)`, :math:`k=0,1,\\dots`.
    """
    check_callable(operator, "operator")
    check_callable(distance, "distance")
    start = check_array(start, "start", finite=True)
    if start.size == 0:
        raise ValueError("start must not be empty")

    def step(x: FloatArray) -> tuple[FloatArray, float]:
        nxt = operator(x)
        if not isinstance(nxt, (np.ndarray, np.generic)) or np.shape(nxt) != x.shape:
            raise TypeError(f"operator must return an array of shape {x.shape}, got {type(nxt).__name__} {np.shape(nxt)}")
        d = distance(nxt, x)
        if not isinstance(d, (float, int, np.floating, np.integer)) or d != d:
            raise TypeError(f"distance must return a number (not NaN), got {d!r}")
        return nxt, float(d)

    return iterate(step, start, tol=tol, max_iter=max_iter, what=what, raise_on_failure=raise_on_failure)
