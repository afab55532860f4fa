"""mfcode.experiments.foundations against independent computations on the SIS game of 001 App. D.

The references here do not use mfcode's operators: the SIS kernel and rewards are written out from
001 App. D, the soft best response comes from soft value iteration, policy values from a linear
solve, and the endemic equilibrium from a scalar root of :math:`x\\mapsto\\Lambda^\\lambda(1-x,x)(I)-x`.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from mfcode.arrays import FloatArray
from mfcode.experiments import foundations
from mfcode.mfg import operators

GAMMA, LAM = 0.9, 0.1
REWARD = np.array([[-0.5, 0.0], [-1.5, -1.0]])  # r(s, a): states (S, I), actions (D, U)


def kernel(x: float) -> FloatArray:
    """P(s' | s, a) of 001 App. D at mu(I) = x."""
    return np.array([[[1.0, 0.0], [1.0 - 0.81 * x, 0.81 * x]], [[0.3, 0.7], [0.3, 0.7]]])


def soft_best_response(x: float, lam: float = LAM) -> FloatArray:
    """Boltzmann policy of the optimal soft Q-function, by soft value iteration."""
    p = kernel(x)
    v = np.zeros(2)
    for _ in range(800):  # 0.9**800 ~ 1e-37
        q = REWARD + GAMMA * p @ v
        v = lam * np.log(np.exp(q / lam).sum(axis=1))
    q = REWARD + GAMMA * p @ v
    weights = np.exp((q - q.max(axis=1, keepdims=True)) / lam)
    pi: FloatArray = weights / weights.sum(axis=1, keepdims=True)
    return pi


def next_infected(x: float, going_out: float) -> float:
    """Gamma_2(pi, mu)(I): susceptibles going out get infected, infected stay with prob. 0.7."""
    return (1.0 - x) * going_out * 0.81 * x + x * 0.7


def unregularized_values(x: float, policy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(V*, V^pi) at mu(I) = x, lambda = 0: value iteration and the linear solve."""
    p = kernel(x)
    v_star = np.zeros(2)
    for _ in range(800):
        v_star = (REWARD + GAMMA * p @ v_star).max(axis=1)
    p_pi = np.einsum("sa,sat->st", policy, p)
    r_pi = (policy * REWARD).sum(axis=1)
    return v_star, np.linalg.solve(np.eye(2) - GAMMA * p_pi, r_pi)


@pytest.fixture(scope="module")
def ne() -> foundations.RegularizedEquilibrium:
    return foundations.regularized_equilibrium(gamma=GAMMA, temperature=LAM, n_iterations=200)


def test_map_scan_matches_the_written_out_model() -> None:
    scan = foundations.map_scan(budget="ci", gamma=GAMMA, temperature=LAM)
    n = foundations.GRID_POINTS["ci"]
    assert scan.infected.shape == scan.infected_next.shape == scan.going_out.shape == (n,)
    assert scan.infected[0] == 0.0 and scan.infected[-1] == 1.0
    np.testing.assert_array_equal(scan.step_change, scan.infected_next - scan.infected)
    for i in (0, 37, 100, 163, n - 1):
        x = float(scan.infected[i])
        pi = soft_best_response(x)
        assert scan.going_out[i] == pytest.approx(pi[0, 1], abs=1e-10)
        assert scan.infected_next[i] == pytest.approx(next_infected(x, pi[0, 1]), abs=1e-10)
    assert scan.infected_next[0] == 0.0  # disease-free state is a fixed point
    assert np.all(np.diff(scan.going_out) < 0.0)  # more infection: fewer go out


def test_budget_sets_the_grid() -> None:
    assert dict(foundations.GRID_POINTS) == {"ci": 201, "full": 2001}


def test_regularized_equilibrium_is_the_endemic_root(ne: foundations.RegularizedEquilibrium) -> None:
    def excess(x: float) -> float:
        return next_infected(x, soft_best_response(x)[0, 1]) - x

    root = brentq(excess, 0.05, 1.0, xtol=1e-14)
    assert ne.mean_field[1] == pytest.approx(root, abs=1e-9)
    assert ne.mean_field.sum() == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(ne.policy, soft_best_response(root), atol=1e-8)
    assert ne.consistency_residual < 1e-10
    np.testing.assert_array_equal(ne.game.initial, [0.4, 0.6])
    assert ne.trace.iterations <= 200 and ne.trace.residuals[-1] < 1e-10


def test_regularized_equilibrium_is_the_plain_iteration(ne: foundations.RegularizedEquilibrium) -> None:
    mu = ne.game.initial
    for _ in range(200):
        mu = operators.mean_field_map(ne.game, mu, LAM)
    np.testing.assert_array_equal(ne.mean_field, mu)  # bit for bit: the ledger's numbers do not move


def test_eq1_gap_is_at_rho(ne: foundations.RegularizedEquilibrium) -> None:
    eq1 = foundations.eq1_gap(ne)
    v_star, v_pi = unregularized_values(float(ne.mean_field[1]), ne.policy)
    rho = np.array([0.4, 0.6])
    assert eq1.gap == pytest.approx(float(rho @ (v_star - v_pi)), abs=1e-10)
    assert eq1.gap == pytest.approx(0.16023351463, abs=1e-9)
    assert eq1.bound == pytest.approx(LAM * np.log(2) / (1 - GAMMA), rel=1e-15)
    assert 0.0 <= eq1.gap <= eq1.bound


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="budget"):
        foundations.map_scan(budget="huge", gamma=GAMMA, temperature=LAM)
    with pytest.raises(TypeError, match="budget"):
        foundations.map_scan(budget=1, gamma=GAMMA, temperature=LAM)  # type: ignore[arg-type]  # the wrong type is the test
    with pytest.raises(ValueError, match="gamma"):
        foundations.map_scan(budget="ci", gamma=1.0, temperature=LAM)
    with pytest.raises(ValueError, match="temperature"):
        foundations.map_scan(budget="ci", gamma=GAMMA, temperature=-0.1)
    with pytest.raises(ValueError, match="temperature"):
        foundations.regularized_equilibrium(gamma=GAMMA, temperature=0.0, n_iterations=10)
    with pytest.raises(ValueError, match="n_iterations"):
        foundations.regularized_equilibrium(gamma=GAMMA, temperature=LAM, n_iterations=0)
    with pytest.raises(TypeError, match="equilibrium"):
        foundations.eq1_gap("ne")  # type: ignore[arg-type]  # the wrong type is the test
