"""Tests for mfcode.mfc.combinatorics."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.mfc.combinatorics import compositions


@given(st.integers(0, 6), st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_compositions_match_brute_force(n: int, parts: int) -> None:
    c = compositions(n, parts)
    ref = [p for p in itertools.product(range(n + 1), repeat=parts) if sum(p) == n]
    assert c.shape == (comb(n + parts - 1, parts - 1), parts)
    assert [tuple(r) for r in c] == sorted(ref)  # lexicographic order


def test_many_parts_are_cheap_and_copies_are_independent() -> None:
    c = compositions(2, 24)
    assert c.shape == (comb(25, 23), 24) and np.all(c.sum(axis=1) == 2)
    c[0, 0] = 99
    assert compositions(2, 24)[0, 0] != 99
    with pytest.raises(ValueError, match="n"):
        compositions(-1, 2)
    with pytest.raises(ValueError, match="parts"):
        compositions(3, 0)
