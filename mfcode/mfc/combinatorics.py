"""Integer compositions: the count vectors of N exchangeable agents over finitely many classes.

Used for the law of the class counts of the empirical distribution (seed 002, eq. 4) in
:mod:`mfcode.mfc.finite_n` and for simplex lattices of decision rules in :mod:`mfcode.mfc.dp`.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np

from mfcode.arrays import IntArray
from mfcode.limits import check_elements
from mfcode.validation import check_int

__all__ = ["compositions", "count_compositions"]


@lru_cache(maxsize=256)
def _compositions(n: int, parts: int) -> IntArray:
    # Stars and bars: a composition is the gaps between parts - 1 bars among n + parts - 1 slots.
    # itertools.combinations lists the bar positions in lexicographic order, which is the
    # lexicographic order of the compositions; no recursion (parts can be in the thousands).
    bars = np.array(list(itertools.combinations(range(n + parts - 1), parts - 1)), dtype=np.int64)
    rows = math.comb(n + parts - 1, parts - 1)
    bars = bars.reshape(rows, parts - 1)
    edges = np.concatenate([np.full((rows, 1), -1), bars, np.full((rows, 1), n + parts - 1)], axis=1)
    out: IntArray = np.diff(edges, axis=1) - 1
    out.flags.writeable = False
    return out


def count_compositions(n: int, parts: int) -> int:
    """:math:`\\binom{n+parts-1}{parts-1}`, the number of rows of :func:`compositions`."""
    return math.comb(check_int(n, "n", low=0) + check_int(parts, "parts", low=1) - 1, parts - 1)


def compositions(n: int, parts: int) -> IntArray:
    """All count vectors (``parts`` non-negative integers summing to ``n``; :math:`N\\mathbb G^N` by classes, eq. 4), shape ``(binom(n+parts-1, parts-1), parts)``.

    Rows are in lexicographic order. Cost is proportional to the size of the output, which is checked
    against :func:`mfcode.limits.check_elements` first.
    """
    rows = count_compositions(n, parts)
    check_elements(rows * int(parts), f"compositions(n={n}, parts={parts})")
    return _compositions(int(n), int(parts)).copy()
