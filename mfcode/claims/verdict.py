"""Deciding a claim: the kinds of check and the verdict each gives (pure: nothing is written).

``measured`` is what the notebook passes to :func:`mfcode.claims.check`:

``value``
    ``measured`` is a number; reproduced when ``|measured - ref| <= atol + rtol*|ref|``;
    *partly* when it is within the looser ``partly_atol`` (if given).
``at-most`` / ``at-least``
    ``measured`` is a number; reproduced when ``measured <= reference + atol`` (resp.
    ``>= reference - atol``).

The reference number ``ref`` is the notebook's ``reference=`` argument when given (the number the
paper's or the book's formula evaluates to); otherwise the claim's ``paper`` value when it gives one,
else its ``target`` (a number the book derives or chooses; see :mod:`mfcode.claims.schema`).
``ordering``
    ``measured`` maps names to numbers; reproduced when they decrease strictly (by more than
    ``atol``) along the claim's ``order`` list, e.g. ``order = ["mfc-optimum", "jsq"]``.
``record``
    a measurement the book reports without a value to compare with (any JSON value);
    its verdict is always ``recorded``. Wall-clock timings are always of this kind: the book
    records them but never asserts them (the benchmark scripts measure speed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from mfcode.claims.schema import Claim

__all__ = ["as_number", "evaluate"]


def as_number(value: Any, what: str) -> float:
    """``value`` as a finite float (numpy scalars included); ``what`` names it in errors."""
    if isinstance(value, bool) or (not isinstance(value, (int, float)) and not hasattr(value, "__float__")):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # e.g. an array of more than one number, a complex number
        raise TypeError(f"{what} must be one real number, got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {number}")
    return number


def _ordering(claim: Claim, measured: Any) -> tuple[str, str, float | None]:
    if not isinstance(measured, Mapping):
        raise TypeError(f"measured: claim {claim.id} (ordering) needs a mapping name -> number")
    missing = [name for name in claim.order if name not in measured]
    if missing:
        raise ValueError(f"measured: claim {claim.id} lacks entries {missing}")
    values = [as_number(measured[name], f"measured[{name!r}]") for name in claim.order]
    ok = all(a > b + claim.atol for a, b in pairwise(values))
    detail = " > ".join(f"{n}={v:.6g}" for n, v in zip(claim.order, values, strict=True))
    return ("reproduced" if ok else "not reproduced"), detail, None


def _reference(claim: Claim, reference: float | None) -> float:
    if reference is not None:
        return as_number(reference, "reference")
    value = claim.value
    if value is None:
        raise ValueError(f"reference: claim {claim.id} gives neither 'paper' nor 'target'; pass the number as reference=")
    if not isinstance(value, (int, float)):
        raise ValueError(
            f"reference: claim {claim.id} states its value as a formula ({value!r}); "
            "pass the evaluated formula as reference="
        )
    return float(value)


def evaluate(claim: Claim, measured: Any, reference: float | None = None) -> tuple[str, str, float | None]:
    """Decide a claim: returns ``(verdict, detail, reference used)`` without writing anything."""
    if not isinstance(claim, Claim):
        raise TypeError(f"claim must be a Claim, got {type(claim).__name__}")
    if claim.kind == "record":
        return "recorded", "measurement only (no value to compare with)", None
    if claim.kind == "ordering":
        return _ordering(claim, measured)
    value = as_number(measured, "measured")
    ref = _reference(claim, reference)
    if claim.kind == "value":
        err = abs(value - ref)
        tol = claim.atol + claim.rtol * abs(ref)
        detail = f"|{value:.6g} - {ref:.6g}| = {err:.3g} (tolerance {tol:.3g})"
        if err <= tol:
            return "reproduced", detail, ref
        if claim.partly_atol is not None and err <= claim.partly_atol:
            return "partly", detail + f", within the looser {claim.partly_atol:.3g}", ref
        return "not reproduced", detail, ref
    if claim.kind == "at-most":
        ok = value <= ref + claim.atol
        return ("reproduced" if ok else "not reproduced"), f"{value:.6g} <= {ref:.6g} (+{claim.atol:.3g})", ref
    ok = value >= ref - claim.atol
    return ("reproduced" if ok else "not reproduced"), f"{value:.6g} >= {ref:.6g} (-{claim.atol:.3g})", ref
