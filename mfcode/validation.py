"""Checks of public arguments, written once: each error names the argument and what was expected.

Public functions validate their arguments with these helpers at the boundary; internal functions
trust their callers.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

__all__ = ["check_array", "check_bool", "check_callable", "check_int", "check_path", "check_real", "check_rng", "check_temperature"]


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
    # exact float/int first: the abstract-base checks cost a microsecond, and solvers call this per sweep
    if type(value) not in _NUMBERS and (isinstance(value, bool) or not isinstance(value, Real)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)  # type: ignore[arg-type]  # a Real
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    bounds_ok = (type(low) in _NUMBERS or (isinstance(low, Real) and not isinstance(low, bool))) and (
        type(high) in _NUMBERS or (isinstance(high, Real) and not isinstance(high, bool)))
    if not (bounds_ok and type(low_open) is bool and type(high_open) is bool):
        raise TypeError(f"the bounds low, high of {name} must be real numbers and low_open, high_open booleans")
    below = x <= low if low_open else x < low
    above = x >= high if high_open else x > high
    if below or above:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lo}{float(low):g}, {float(high):g}{hi}, got {value!r}")
    return x


def check_int(value: object, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` (Python or numpy integer, not ``bool``) with ``low <= value <= high``."""
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, Integral)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if not ((low is None or _is_int(low)) and (high is None or _is_int(high))):
        raise TypeError(f"the bounds low, high of {name} must be integers or None")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {n}")
    return n


def check_bool(value: object, name: str) -> bool:
    """``value`` as a ``bool`` (Python or numpy boolean; not an integer, a string or an array)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_path(value: object, name: str) -> Path:
    """``value`` as a :class:`~pathlib.Path` (a ``str`` or an ``os.PathLike``; not bytes, not an empty string)."""
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or Path), got {type(value).__name__}")
    text = os.fspath(value)
    if not isinstance(text, str) or not text or "\x00" in text:
        raise ValueError(f"{name} must be a non-empty path without NUL characters, got {value!r}")
    return Path(text)


def check_callable(value: object, name: str) -> None:
    """``TypeError`` naming ``name`` unless ``value`` is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def check_rng(seed: object, name: str = "seed") -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a seed the book accepts: a non-negative ``int`` or a ``Generator`` (returned as it is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"{name} must be a non-negative int or a numpy Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative int or a numpy Generator, got {seed}")
    return np.random.default_rng(int(seed))


def check_temperature(value: object, name: str = "temperature") -> float:
    """An entropy weight :math:`\\lambda\\ge0` (001 §2): a finite non-negative real number."""
    return check_real(value, name, low=0.0)


def _is_int(value: object) -> bool:
    return type(value) is int or (isinstance(value, Integral) and not isinstance(value, bool))


_NUMBERS = (float, int)
_FLOAT64 = np.dtype(np.float64)
_INT64 = np.dtype(np.int64)


def _converted(x: object, name: str, integer: bool) -> NDArray[Any]:
    """``x`` converted to a float64 (int64) array; the errors of :func:`check_array`."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as error:  # ragged nestings, objects numpy cannot stack
        raise ValueError(f"{name} must be a rectangular array of numbers ({error})") from None
    if arr.dtype.kind == "O" and integer and not all(isinstance(v, Integral) and not isinstance(v, bool) for v in arr.flat):
        raise TypeError(f"{name} must hold integers")
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.int64 if integer else np.float64)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"{name} must hold numbers, got objects such as {type(arr.reshape(-1)[0]).__name__}") from None
    kinds = "iu" if integer else "biuf"
    if arr.dtype.kind not in kinds:
        raise TypeError(f"{name} must hold {'integers' if integer else 'real numbers'}, got dtype {arr.dtype}")
    out: NDArray[Any] = np.asarray(arr, dtype=np.int64 if integer else np.float64)
    return out


def check_array(
    x: npt.ArrayLike,
    name: str,
    *,
    ndim: int | None = None,
    min_ndim: int = 0,
    shape: tuple[int, ...] | None = None,
    finite: bool = False,
    integer: bool = False,
) -> NDArray[Any]:
    """``x`` as a numpy array of real numbers: ``float64``, or ``int64`` with ``integer``.

    A ``float64`` (``int64``) array is returned as it is, not copied. Booleans count as numbers (as
    in numpy); strings, complex numbers, objects that are not numbers and ragged nestings are
    refused. ``ndim``/``min_ndim``/``shape`` constrain the shape, ``finite`` refuses NaN and
    infinities. With ``integer``, entries must be integers (an integer dtype: booleans, which
    numpy reads as masks when they index, are refused).

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers (or integers, with ``integer``).
    ValueError
        If its shape or entries are not the ones asked for.
    """
    if not (
        (ndim is None or _is_int(ndim))
        and _is_int(min_ndim)
        and (shape is None or (type(shape) is tuple and all(_is_int(n) for n in shape)))
        and type(finite) is bool
        and type(integer) is bool
    ):
        raise TypeError(f"the constraints on {name} must be: ndim an int or None, min_ndim an int, shape a tuple of ints "
                        "or None, finite and integer booleans")
    # an array of the right dtype (the common case: solvers call this every sweep) is returned as it is
    exact = type(x) is np.ndarray and x.dtype == (_INT64 if integer else _FLOAT64)
    out: NDArray[Any] = x if exact else _converted(x, name, integer)  # type: ignore[assignment]
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {out.shape}")
    if out.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {out.shape}")
    if shape is not None and out.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {out.shape}")
    if finite and not integer and not np.isfinite(out).all():
        raise ValueError(f"{name} must be finite")
    return out
