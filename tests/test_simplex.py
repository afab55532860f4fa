"""Tests of mfcode.simplex against closed forms, brute force and property checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfcode import simplex

finite = st.floats(min_value=-50, max_value=50, allow_nan=False)


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=finite))
@settings(max_examples=60, deadline=None)
def test_softmax_on_simplex_and_matches_definition(x: np.ndarray) -> None:
    p = simplex.softmax(x, temperature=0.7)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-12)
    e = np.exp((x - x.max(-1, keepdims=True)) / 0.7)
    np.testing.assert_allclose(p, e / e.sum(-1, keepdims=True), rtol=1e-12)


def test_softmax_zero_temperature_is_greedy_with_even_ties() -> None:
    x = np.array([[1.0, 3.0, 3.0], [0.0, -1.0, -2.0]])
    np.testing.assert_array_equal(simplex.softmax(x, 0.0), [[0, 0.5, 0.5], [1, 0, 0]])
    # the limit lambda -> 0 of the Boltzmann policy
    np.testing.assert_allclose(simplex.softmax(x, 1e-3), [[0, 0.5, 0.5], [1, 0, 0]], atol=1e-12)
    with pytest.raises(ValueError, match="temperature"):
        simplex.softmax(x, -1.0)


def test_logsumexp_stable() -> None:
    x = np.array([1000.0, 1000.0])
    assert simplex.logsumexp(x) == pytest.approx(1000.0 + np.log(2.0))


def test_entropy_and_kl_closed_forms() -> None:
    assert simplex.entropy(np.full(5, 0.2)) == pytest.approx(np.log(5))
    assert simplex.entropy(np.array([1.0, 0.0])) == 0.0
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert simplex.kl_divergence(p, q) == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(5))
    assert simplex.kl_divergence(q, q) == 0.0
    assert simplex.kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf
    with pytest.raises(ValueError, match="last axis"):
        simplex.kl_divergence(p, np.ones(3) / 3)


@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 7)), elements=finite))
@settings(max_examples=80, deadline=None)
def test_projection_is_on_simplex_and_optimal(x: np.ndarray) -> None:
    p = simplex.project(x)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-9)
    # optimality (KKT): <x - p, y - p> <= 0 for every vertex y of the simplex
    n = x.shape[-1]
    for k in range(n):
        y = np.zeros(n)
        y[k] = 1.0
        assert np.all(((x - p) * (y - p)).sum(-1) <= 1e-8 * (1 + np.abs(x).max()))


def test_projection_fixes_points_of_the_simplex() -> None:
    p = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(simplex.project(p), p, atol=1e-15)
    np.testing.assert_allclose(simplex.project([2.0, 0.0]), [1.0, 0.0])


def test_policy_distance() -> None:
    pi = np.array([[1.0, 0.0], [0.5, 0.5]])
    pj = np.array([[0.0, 1.0], [0.5, 0.5]])
    assert simplex.policy_distance(pi, pj, np.array([0.25, 0.75])) == pytest.approx(0.5)
    assert simplex.policy_distance(pi, pj) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="weights"):
        simplex.policy_distance(pi, pj, np.ones(3))
    with pytest.raises(ValueError, match="pi_prime"):
        simplex.policy_distance(pi, pj[:1])


def test_check_distribution_messages() -> None:
    with pytest.raises(ValueError, match="mu must sum to 1"):
        simplex.check_distribution([0.5, 0.6], "mu")
    with pytest.raises(ValueError, match="mu has a negative entry"):
        simplex.check_distribution([1.5, -0.5], "mu")
    with pytest.raises(ValueError, match="mu must be finite"):
        simplex.check_distribution([np.nan, 1.0], "mu")
