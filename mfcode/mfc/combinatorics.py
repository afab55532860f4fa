"""Integer compositions: the count vectors of N exchangeable agents over finitely many classes.

Used for the law of the class counts of the empirical distribution (seed 002, eq. 4) in
:mod:`mfcode.mfc.finite_n` and for simplex lattices of decision rules in :mod:`mfcode.mfc.dp`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mfcode.arrays import IntArray
from mfcode.validation import check_int

__all__ = ["compositions"]


@lru_cache(maxsize=256)
def _compositions(n: int, parts: int) -> IntArray:
    if parts == 1:
        return np.array([[n]], dtype=np.int64)
    blocks = []
    for first in range(n + 1):
        rest = _compositions(n - first, parts - 1)
        blocks.append(np.column_stack([np.full(rest.shape[0], first, dtype=np.int64), rest]))
    out = np.concatenate(blocks)
    out.flags.writeable = False
    return out


def compositions(n: int, parts: int) -> IntArray:
    """All count vectors (``parts`` non-negative integers summing to ``n``; :math:`N\\mathbb G^N` by classes, eq. 4), shape ``(binom(n+parts-1, parts-1), parts)``.

    Rows are in lexicographic order. Cost is proportional to the size of the output.
    """
    return _compositions(check_int(n, "n", low=0), check_int(parts, "parts", low=1)).copy()
