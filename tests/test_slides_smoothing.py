"""Smoothing rules of the slides (004): argmax-e's jump, softmax's Lipschitz constant, MellowMax's policy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfcode.slides import smoothing as S


def test_argmax_jump_ratio_is_one_over_sqrt2_eps() -> None:
    eps = np.array([1e-4, 1e-2, 0.3])
    np.testing.assert_allclose(S.argmax_jump_ratio(S.ArgmaxE(), eps), 1.0 / (np.sqrt(2.0) * eps), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    x=arrays(np.float64, 4, elements=st.floats(-3, 3)), y=arrays(np.float64, 4, elements=st.floats(-3, 3)),
    c=st.floats(0.1, 20.0),
)
def test_softmax_is_c_over_2_lipschitz(x: np.ndarray, y: np.ndarray, c: float) -> None:
    if np.linalg.norm(x - y) < 1e-6:
        return
    assert S.smoothing_ratio(S.Softmax(c), x, y) <= c / 2 + 1e-9


def test_softmax_ratio_on_the_slides_pair_tends_to_c_over_2sqrt2() -> None:
    # Jacobian at (1, 1): c (diag p - p p^T) applied to (0, -1) has norm c / (2 sqrt 2).
    c = 4.0
    assert S.argmax_jump_ratio(S.Softmax(c), 1e-7)[0] == pytest.approx(c / (2 * np.sqrt(2)), rel=1e-5)


@settings(max_examples=30, deadline=None)
@given(q=arrays(np.float64, (3, 4), elements=st.floats(-2, 2)), c=st.floats(0.2, 10.0))
def test_mellowmax_policy_has_mellowmax_as_its_mean(q: np.ndarray, c: float) -> None:
    p = S.MellowMax(c).policy(q)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose((p * q).sum(axis=-1), S.mellowmax(q, c), atol=1e-9)


def test_mellowmax_limits() -> None:
    q = np.array([0.0, 0.5, 2.0])
    assert float(S.mellowmax(q, 1e-6)) == pytest.approx(q.mean(), abs=1e-5)
    assert float(S.mellowmax(q, 1e4)) == pytest.approx(q.max() - np.log(3) / 1e4, abs=1e-9)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="c"):
        S.Softmax(0.0)
    with pytest.raises(TypeError, match="c"):
        S.MellowMax("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="epsilon"):
        S.argmax_jump_ratio(S.ArgmaxE(), 0.0)
    with pytest.raises(ValueError, match="differ"):
        S.smoothing_ratio(S.ArgmaxE(), [1.0, 1.0], [1.0, 1.0])
