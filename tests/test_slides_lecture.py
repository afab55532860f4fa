"""The lecture-start game (004, "A Toy Example"): closed forms, quadrature and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import norm

from mfcode.slides import lecture as L

GAME = L.LectureGame()  # t = 0, alpha = 2, beta = 1, gamma = 1, sigma uniform on {0.5, 1, 1.5}


def test_expected_cost_matches_quadrature() -> None:
    tau, sigma, big_t = 0.3, 0.7, 0.9
    def integrand(e: float) -> float:
        x = tau + sigma * e
        return float(norm.pdf(e) * (2.0 * max(x, 0.0) + max(x - big_t, 0.0) + max(big_t - x, 0.0)))
    ref = integrate.quad(integrand, -12, 12, points=[-tau / sigma, (big_t - tau) / sigma], limit=200)[0]
    assert float(L.expected_cost(GAME, tau, sigma, big_t)) == pytest.approx(ref, abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    tau=st.floats(-3, 3), sigma=st.floats(0.2, 2.0), big_t=st.floats(0.0, 3.0),
    alpha=st.floats(0.0, 3.0), beta=st.floats(0.0, 3.0), gamma=st.floats(0.1, 3.0),
)
def test_first_order_condition_is_the_derivative_of_the_expected_cost(
    tau: float, sigma: float, big_t: float, alpha: float, beta: float, gamma: float
) -> None:
    game = L.LectureGame(alpha=alpha, beta=beta, gamma=gamma)
    h = 1e-5
    numeric = (L.expected_cost(game, tau + h, sigma, big_t) - L.expected_cost(game, tau - h, sigma, big_t)) / (2 * h)
    assert float(L.first_order_condition(game, tau, sigma, big_t)) == pytest.approx(float(numeric), abs=1e-6)


def test_optimal_arrival_minimises_the_expected_cost() -> None:
    big_t = np.array([0.0, 0.5, 2.0])
    tau = L.optimal_arrival(GAME, big_t)
    assert tau.shape == (3, 3)
    grid = np.linspace(-6, 6, 24001)
    for i, t_ in enumerate(big_t):
        for k, s in enumerate(GAME.sigmas):
            costs = L.expected_cost(GAME, grid, s, t_)
            assert tau[i, k] == pytest.approx(grid[np.argmin(costs)], abs=1e-3)
            assert float(L.first_order_condition(GAME, tau[i, k], s, t_)) == pytest.approx(0.0, abs=1e-12)


def test_closed_form_when_the_lecture_is_expected_on_time() -> None:
    # T = t: (alpha + beta + gamma) N(u) = gamma, u = (tau - t)/sigma.
    tau = L.optimal_arrival(GAME, 0.0)
    u = norm.ppf(GAME.gamma / (GAME.alpha + GAME.beta + GAME.gamma))
    np.testing.assert_allclose(tau, u * GAME.sigma, atol=1e-12)


def test_single_noise_scale_fixed_point_closed_form() -> None:
    # One sigma: F^{-1}(q) = tau(T) + sigma z_q, and at the fixed point tau = T - sigma z_q, so
    # alpha N((T - sigma z - t)/sigma) + (beta + gamma) N(-z) = gamma gives T in closed form.
    game = L.LectureGame(alpha=2.0, beta=1.0, gamma=1.0, sigmas=(0.8,))
    z = norm.ppf(0.9)
    rhs = (game.gamma - (game.beta + game.gamma) * norm.cdf(-z)) / game.alpha
    t_star = 0.8 * (norm.ppf(rhs) + z)
    eq = L.solve(game)
    assert eq.start_time == pytest.approx(max(t_star, 0.0), abs=1e-10)
    assert eq.arrivals[0] == pytest.approx(eq.start_time - 0.8 * z, abs=1e-10)


def test_start_time_is_the_quorum_quantile() -> None:
    big_t = np.array([0.0, 0.7, 1.4])
    q = L.quorum_time(GAME, big_t)
    np.testing.assert_allclose(L.arrival_cdf(GAME, q, big_t), 0.9, atol=1e-12)
    np.testing.assert_allclose(L.start_time(GAME, big_t), np.maximum(0.0, q))


def test_printed_rule_never_starts_after_schedule() -> None:
    big_t = np.linspace(0.0, 5.0, 11)
    assert np.all(L.start_time(GAME, big_t, rule="earlier") <= GAME.scheduled)
    assert np.all(L.start_time(GAME, big_t) > GAME.scheduled)  # the quorum is after t here


def test_derivative_matches_finite_differences() -> None:
    big_t = np.linspace(0.05, 4.0, 9)
    h = 1e-6
    numeric = (L.start_time(GAME, big_t + h) - L.start_time(GAME, big_t - h)) / (2 * h)
    np.testing.assert_allclose(L.start_time_derivative(GAME, big_t), numeric, atol=1e-6)


def test_banach_iteration_converges_at_the_derivative() -> None:
    eq = L.solve(GAME)
    assert float(L.start_time(GAME, eq.start_time)) == pytest.approx(eq.start_time, abs=1e-12)
    assert 0.0 < eq.contraction_factor < 1.0
    ratios = eq.residual_ratios
    assert ratios[-3] == pytest.approx(eq.contraction_factor, rel=1e-3)


def test_alpha_below_gamma_has_no_fixed_point() -> None:
    # T**(T) - T is decreasing (derivative < 1) towards a positive limit: no fixed point.
    game = L.LectureGame(alpha=0.5)
    big_t = np.array([0.0, 10.0, 100.0])
    gap = L.start_time(game, big_t) - big_t
    assert np.all(np.diff(gap) < 0) and gap[-1] > 0.5
    assert L.start_time_derivative(game, 100.0) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(RuntimeError, match="lecture-start"):
        L.solve(game, max_iter=200)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"alpha": -1.0}, ValueError), ({"gamma": 0.0}, ValueError), ({"sigmas": (0.0,)}, ValueError),
     ({"sigmas": [1.0]}, TypeError), ({"weights": (0.5,)}, ValueError), ({"quorum": 1.0}, ValueError)],
)
def test_bad_parameters(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        L.LectureGame(**kwargs)  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="rule"):
        L.start_time(GAME, 0.0, rule="sooner")
    with pytest.raises(ValueError, match="initial"):
        L.solve(GAME, initial=-1.0)
