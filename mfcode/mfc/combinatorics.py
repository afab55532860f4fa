"""Integer compositions: the count vectors of N exchangeable agents over finitely many classes.

Used for the law of the class counts of the empirical distribution (seed 002, eq. 4) in
:mod:`mfcode.mfc.finite_n` and for simplex lattices of decision rules in :mod:`mfcode.mfc.dp`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["compositions"]


@lru_cache(maxsize=256)
def _compositions(n: int, parts: int) -> np.ndarray:
    if parts == 1:
        return np.array([[n]], dtype=int)
    blocks = []
    for first in range(n + 1):
        rest = _compositions(n - first, parts - 1)
        blocks.append(np.column_stack([np.full(rest.shape[0], first, dtype=int), rest]))
    out = np.concatenate(blocks)
    out.flags.writeable = False
    return out


def compositions(n: int, parts: int) -> np.ndarray:
    """All vectors of ``parts`` non-negative integers summing to ``n``, shape ``(binom(n+parts-1, parts-1), parts)``.

    Rows are in lexicographic order. Cost is proportional to the size of the output.
    """
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if not isinstance(parts, (int, np.integer)) or parts < 1:
        raise ValueError(f"parts must be a positive integer, got {parts!r}")
    return _compositions(int(n), int(parts)).copy()
