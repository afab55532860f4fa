"""The book-wide budget argument of every experiments function: ``"ci"`` or ``"full"``."""

from __future__ import annotations

from mfcode.claims import BUDGETS

__all__ = ["check_budget"]


def check_budget(budget: object) -> str:
    """``budget`` if it is one of :data:`mfcode.claims.BUDGETS`; ``TypeError``/``ValueError`` naming it otherwise."""
    if not isinstance(budget, str):
        raise TypeError(f"budget must be a str, one of {BUDGETS}, got {type(budget).__name__}")
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")
    return budget
