"""Tests for mfcode.mfc.model: eq. (9) and the generic MFCModel hooks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfcode.mfc.model import state_action_mean_field, validate_decision_rule
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
    with pytest.raises(ValueError, match="rows of h"):
        validate_decision_rule(np.ones((2, 2)), 2, 2)
    with pytest.raises(ValueError, match="shape"):
        validate_decision_rule(np.ones((2, 3)) / 3, 2, 2)
    with pytest.raises(ValueError, match="non-negative"):
        validate_decision_rule(np.array([[1.5, -0.5]]), 1, 2)


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
