"""Size limits checked before a large allocation or a long loop, written once.

A public function whose cost grows with its arguments (a state space of :math:`2^M-1` configurations,
an :math:`S\\times A\\times S` kernel, a Python loop over a horizon) estimates that cost from its
arguments first and refuses, with the estimate in the message, when it exceeds the limit, instead
of starting a 74 GiB allocation or a :math:`10^9`-step loop.

The limits are documented defaults, overridable per process by the environment variables
``MFCODE_MAX_ELEMENTS`` (array elements of one allocation, default :data:`DEFAULT_MAX_ELEMENTS`:
``2**28``, 2 GiB of float64) and ``MFCODE_MAX_STEPS`` (iterations of one Python loop, default
:data:`DEFAULT_MAX_STEPS`: ``10**7``).
"""

from __future__ import annotations

import os

from mfcode.validation import check_int

__all__ = ["DEFAULT_MAX_ELEMENTS", "DEFAULT_MAX_STEPS", "check_elements", "check_steps", "max_elements", "max_steps"]

DEFAULT_MAX_ELEMENTS = 2**28
DEFAULT_MAX_STEPS = 10**7


def _limit(variable: str, default: int) -> int:
    raw = os.environ.get(variable)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {variable} must be a positive integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"environment variable {variable} must be a positive integer, got {raw!r}")
    return value


def max_elements() -> int:
    """The current element limit (``MFCODE_MAX_ELEMENTS`` or :data:`DEFAULT_MAX_ELEMENTS`)."""
    return _limit("MFCODE_MAX_ELEMENTS", DEFAULT_MAX_ELEMENTS)


def max_steps() -> int:
    """The current loop limit (``MFCODE_MAX_STEPS`` or :data:`DEFAULT_MAX_STEPS`)."""
    return _limit("MFCODE_MAX_STEPS", DEFAULT_MAX_STEPS)


def check_elements(count: int, what: str, *, itemsize: int = 8) -> int:
    """``count`` if an array of ``count`` elements is within the limit, else ``ValueError`` with the estimate.

    ``what`` names the array and the arguments it grows with, e.g. ``"the kernel (S, A, S) of
    garnet(n_states=100000, n_actions=100)"``.
    """
    count = check_int(count, "count", low=0)
    check_int(itemsize, "itemsize", low=1)
    if not isinstance(what, str):
        raise TypeError(f"what must be a str, got {type(what).__name__}")
    limit = max_elements()
    if count > limit:
        gib = count * itemsize / 2**30
        raise ValueError(
            f"{what} would hold {count:,} elements ({gib:,.1f} GiB), above the limit of {limit:,}; "
            "set MFCODE_MAX_ELEMENTS to raise it"
        )
    return count


def check_steps(count: int, what: str) -> int:
    """``count`` if a loop of ``count`` iterations is within the limit, else ``ValueError`` with the estimate."""
    count = check_int(count, "count", low=0)
    if not isinstance(what, str):
        raise TypeError(f"what must be a str, got {type(what).__name__}")
    limit = max_steps()
    if count > limit:
        raise ValueError(f"{what} would run {count:,} iterations, above the limit of {limit:,}; set MFCODE_MAX_STEPS to raise it")
    return count
