"""The MFC adapter (mfcode.nplayer.adapters.mfc): the toy model's closed forms and mfcode.mfc's own finite-N values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.mfc import BinaryToyModel, SchedulingModel, jsq_policy, profile_value, symmetric_value
from mfcode.nplayer import MeanFieldControl, evaluate, fitted_slope

TOY = BinaryToyModel(cost=1.0, gamma=0.9)


def _rule(a: float) -> np.ndarray:
    """Every agent plays action 1 with probability ``a`` in both environment states, ``(X0, X, U)``."""
    return np.broadcast_to(np.array([[1.0 - a, a]]), (2, 1, 2)).copy()


def _toy_gain(a: float, n: np.ndarray, cost: float, gamma: float) -> np.ndarray:
    # The deviator's rule a' enters J^N(0) = (gamma m - c E[f^2]) / (1 - gamma) linearly, with slope
    # s = gamma/N - c (2 (N-1) a + 1) / N^2 (m = ((N-1) a + a')/N, Var f = ((N-1) a(1-a) + a'(1-a'))/N^2):
    # the best a' is 1 (s > 0) or 0, and the gain is max(s (1 - a), -s a) / (1 - gamma).
    s = gamma / n - cost * (2.0 * (n - 1) * a + 1.0) / n**2
    out: np.ndarray = np.maximum(s * (1.0 - a), -s * a) / (1.0 - gamma)
    return out


@pytest.mark.parametrize("a", [0.2, 0.45, 0.8])
def test_toy_value_gap_and_deviation_gain_closed_forms(a: float) -> None:
    ns = np.array([2, 3, 5, 10, 40])
    curve = evaluate(MeanFieldControl(TOY), _rule(a), ns.tolist())
    assert curve.exact.all() and curve.mean_field.exploitability == 0.0
    np.testing.assert_allclose(curve.value_gap, -TOY.cost * a * (1 - a) / (ns * (1 - TOY.gamma)), atol=1e-12)
    np.testing.assert_allclose(curve.exploitability, _toy_gain(a, ns, TOY.cost, TOY.gamma), atol=1e-12)


def test_toy_mfc_optimum_gains_at_second_order() -> None:
    # At a* = gamma / (2c) the slope is s = (gamma - c) / N^2: the deviation gain is of order 1/N^2, not 1/N.
    a_star = TOY.gamma / (2 * TOY.cost)
    ns = np.array([4, 8, 16, 32, 64])
    curve = evaluate(MeanFieldControl(TOY), _rule(a_star), ns.tolist())
    np.testing.assert_allclose(curve.exploitability, (TOY.cost - TOY.gamma) * a_star / (ns**2 * (1 - TOY.gamma)), atol=1e-12)
    assert fitted_slope(ns, curve.exploitability) == pytest.approx(-2.0, abs=1e-9)


def test_no_gain_where_the_team_optimum_is_symmetric() -> None:
    # c <= gamma / 2: everyone playing 1 is optimal for every N (s > 0 at a = 1), so no agent gains by deviating.
    cheap = BinaryToyModel(cost=0.3, gamma=0.9)
    curve = evaluate(MeanFieldControl(cheap), _rule(1.0), [2, 5, 30])
    np.testing.assert_allclose(curve.exploitability, 0.0, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2), st.integers(2, 30))
def test_deviation_gain_is_never_negative(rule: list[float], n: int) -> None:
    policy = np.array([[[1 - p, p]] for p in rule])
    ex = MeanFieldControl(TOY).exact(policy, n)
    assert ex is not None and ex.exploitability >= -1e-12


def test_agrees_with_mfcode_mfc_finite_n_values() -> None:
    model = SchedulingModel()
    control = MeanFieldControl(model)
    jsq = jsq_policy(model)
    for n in (2, 7):
        mdp = control.deviator_mdp(jsq, n)
        np.testing.assert_allclose(mdp.value, symmetric_value(model, jsq, n), atol=1e-10)
        profile = np.broadcast_to(jsq, (n, *jsq.shape)).copy()
        profile[0] = mdp.best_policy
        np.testing.assert_allclose(mdp.best, profile_value(model, profile), atol=1e-10)
        assert np.all(mdp.best >= mdp.value - 1e-12)


def test_monte_carlo_is_the_exact_value_and_gain() -> None:
    control = MeanFieldControl(TOY, horizon=300)
    policy = _rule(0.2)
    ex = control.exact(policy, 6)
    assert ex is not None
    mc = control.simulate(policy, 6, n_replicates=2000, seed=0)
    v, half = mc.value()
    assert abs(v - ex.value) <= half + mc.truncation_bias
    g, g_half = mc.gain()
    assert abs(g - ex.exploitability) <= g_half + 2 * mc.truncation_bias
    assert g - g_half > 0.0  # the gain of the exact deviation is resolved


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="model"):
        MeanFieldControl("scheduling")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="policy"):
        MeanFieldControl(TOY).mean_field(np.full((2, 2, 2), 0.5))
    with pytest.raises(ValueError, match="n_agents"):
        MeanFieldControl(TOY).exact(_rule(0.5), 1)
    assert MeanFieldControl(TOY, max_count_vectors=10).exact(_rule(0.5), 10) is None
