"""Tests for mfcode.mfc.model: eq. (9) and the generic MFCModel hooks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfcode.mfc.model import (
    DISTRIBUTION_ATOL,
    state_action_mean_field,
    uniform_over,
    validate_decision_rule,
    validate_policy,
)
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel

probs = arrays(np.float64, (4, 3), elements=st.floats(0.01, 1.0))


@given(probs, arrays(np.float64, (4,), elements=st.floats(0.01, 1.0)))
@settings(max_examples=50, deadline=None)
def test_mean_field_marginals(raw_h: np.ndarray, raw_mu: np.ndarray) -> None:
    h = raw_h / raw_h.sum(axis=1, keepdims=True)
    mu = raw_mu / raw_mu.sum()
    G = state_action_mean_field(mu, h)
    assert np.isclose(G.sum(), 1.0)
    np.testing.assert_allclose(G.sum(axis=1), mu)  # state marginal is mu
    np.testing.assert_allclose(G / mu[:, None], h)  # conditional is h


def test_mean_field_batch_and_errors() -> None:
    h = np.stack([np.eye(2), np.full((2, 2), 0.5)])
    G = state_action_mean_field(np.array([0.3, 0.7]), h)
    assert G.shape == (2, 2, 2)
    np.testing.assert_allclose(G[1], [[0.15, 0.15], [0.35, 0.35]])
    with pytest.raises(ValueError, match="mu"):
        state_action_mean_field(np.ones((2, 2)), h)
    with pytest.raises(ValueError, match="h"):
        state_action_mean_field(np.ones(3) / 3, h)


def test_validate_decision_rule() -> None:
    with pytest.raises(ValueError, match="h must sum to 1"):
        validate_decision_rule(np.ones((2, 2)), 2, 2)
    with pytest.raises(ValueError, match="shape"):
        validate_decision_rule(np.ones((2, 3)) / 3, 2, 2)
    with pytest.raises(ValueError, match="h has a negative entry"):
        validate_decision_rule(np.array([[1.5, -0.5]]), 1, 2)
    # the one tolerance: float32-normalised rows pass, anything off by more than DISTRIBUTION_ATOL fails
    h32 = np.array([[1 / 3, 2 / 3]], dtype=np.float32)
    assert validate_decision_rule(h32, 1, 2).dtype == np.float64
    validate_decision_rule(np.array([[0.5, 0.5 + 0.5 * DISTRIBUTION_ATOL]]), 1, 2)
    with pytest.raises(ValueError, match="sum to 1"):
        validate_decision_rule(np.array([[0.5, 0.5 + 2 * DISTRIBUTION_ATOL]]), 1, 2)


def test_validate_policy_shapes() -> None:
    toy = BinaryToyModel()
    pi = np.full((2, 1, 2), 0.5)
    assert validate_policy(pi, toy).shape == (2, 1, 2)
    assert validate_policy(np.stack([pi] * 3), toy, profile=True).shape == (3, 2, 1, 2)
    assert validate_policy(pi, toy, profile=None).shape == (2, 1, 2)
    with pytest.raises(ValueError, match=r"policy must have shape \(2, 1, 2\)"):
        validate_policy(np.stack([pi] * 3), toy)
    with pytest.raises(ValueError, match="policies must have shape"):
        validate_policy(pi, toy, name="policies", profile=True)
    with pytest.raises(ValueError, match="policy must sum to 1"):
        validate_policy(np.ones((2, 1, 2)), toy)


def test_uniform_over() -> None:
    np.testing.assert_array_equal(uniform_over(np.array([[True, False, True], [False, True, False]])),
                                  [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match="mask"):
        uniform_over(np.array([[False, False]]))


def test_default_hooks_and_env_state_checks() -> None:
    toy = BinaryToyModel()
    assert toy.action_mask.all()
    np.testing.assert_array_equal(toy.cell_classes, [[0, 1]])
    np.testing.assert_array_equal(toy.env_features(np.array([1, 0])), [[0, 1], [1, 0]])
    G = np.array([[[0.3, 0.7]], [[1.0, 0.0]]])
    np.testing.assert_allclose(toy.transition(np.array([0, 1]), G), [[0.3, 0.7], [1.0, 0.0]])
    np.testing.assert_allclose(toy.reward_at(np.array([0, 1]), G), [-0.49, 1.0])
    with pytest.raises(TypeError, match="x0"):
        toy.transition(np.array([0.0]), G[:1])
    with pytest.raises(ValueError, match="x0"):
        toy.reward_at(np.array([2]), G[:1])
    with pytest.raises(ValueError, match="cost"):
        BinaryToyModel(cost=0.0)
    with pytest.raises(ValueError, match="gamma"):
        SchedulingModel(gamma=1.0)
