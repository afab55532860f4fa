"""Solvers of mfcode.mfg.solvers on stationary games (the finite-horizon ones are checked against mfglib)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfg import games, operators, solvers
from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.lipschitz import estimate_lipschitz


def test_exact_iteration_converges_linearly_on_a_contractive_garnet() -> None:
    g = games.garnet(8, 3, coupling=0.5, mixing=0.5, seed=1)
    lam = 0.5
    est = estimate_lipschitz(g, lam, n_pairs=40)
    assert est.bound < 1  # Lemma 6: Lambda is a contraction
    eq = solvers.solve_equilibrium(g, lam, tol=1e-13)
    # Definition 1: rationality and consistency
    np.testing.assert_allclose(eq.policy, operators.best_response(g, eq.mean_field, lam).policy, atol=1e-12)
    np.testing.assert_allclose(g.push_forward(eq.policy, eq.mean_field), eq.mean_field, atol=1e-12)
    # geometric decrease of the residual at a rate no worse than the Lipschitz bound
    res = eq.residuals
    ratios = res[1:] / res[:-1]
    assert np.all(ratios <= est.bound + 1e-6)
    assert exploitability(g, eq.policy, lam) == pytest.approx(0.0, abs=1e-10)
    # uniqueness (Banach): another start gives the same NE
    other = solvers.solve_equilibrium(g, lam, start=np.eye(8)[3], tol=1e-13)
    np.testing.assert_allclose(other.mean_field, eq.mean_field, atol=1e-11)
    # Anderson acceleration finds the same point
    fast = solvers.solve_equilibrium(g, lam, memory=3, tol=1e-13)
    np.testing.assert_allclose(fast.mean_field, eq.mean_field, atol=1e-11)


@pytest.mark.parametrize(
    "solver",
    [
        solvers.FixedPoint(temperature=0.3),
        solvers.FixedPoint(temperature=0.3, damping=0.5),
        solvers.FictitiousPlay(temperature=0.3),
        solvers.OnlineMirrorDescent(temperature=0.3, alpha=1.0),
        solvers.PriorDescent(temperature=0.3, eta=0.3),
    ],
    ids=["fixed_point", "damped", "fictitious_play", "omd", "prior_descent"],
)
def test_every_solver_reaches_the_regularized_ne(solver: solvers.IterativeSolver) -> None:  # type: ignore[type-arg]
    g = games.garnet(6, 3, coupling=0.3, mixing=0.5, seed=2)
    eq = solvers.solve_equilibrium(g, 0.3, tol=1e-13)
    res = solver.solve(g, max_iter=300, atol=1e-9)
    fp = isinstance(solver, solvers.FictitiousPlay)
    assert res.exploitability[-1] <= (1e-2 if fp else 1e-5) * res.exploitability[0]
    assert res.times[0] == 0.0 and np.all(np.diff(res.times) >= 0)
    assert len(res.policies) == res.exploitability.size == len(res.mean_fields)
    # fictitious play averages and converges slowly (O(1/k)); the others land on the NE policy
    tol = 5e-2 if fp else 1e-4
    np.testing.assert_allclose(res.policy, eq.policy, atol=tol)


def test_score_temperature_scores_iterates_independently_of_the_solver() -> None:
    g = games.garnet(5, 3, coupling=0.3, mixing=0.5, seed=4)
    solver = solvers.FixedPoint(temperature=0.3)
    own = solver.solve(g, max_iter=5)
    plain = solver.solve(g, max_iter=5, score_temperature=0.0)
    for k, pi in enumerate(plain.policies):  # same iterates, each scored by the unregularized exploitability
        np.testing.assert_array_equal(pi, own.policies[k])
        assert plain.exploitability[k] == pytest.approx(exploitability(g, pi, 0.0), abs=1e-12)
        assert own.exploitability[k] == pytest.approx(exploitability(g, pi, 0.3), abs=1e-12)
    # the regularized NE is not the unregularized one: its plain exploitability stays positive
    assert plain.exploitability[-1] > 1e-3 > own.exploitability[-1]
    with pytest.raises(ValueError, match="score_temperature"):
        solver.solve(g, max_iter=1, score_temperature=-1.0)


def test_omd_rejects_too_large_steps_and_bad_arguments() -> None:
    with pytest.raises(ValueError, match="alpha"):
        solvers.OnlineMirrorDescent(temperature=1.0, alpha=2.0)
    with pytest.raises(ValueError, match="damping"):
        solvers.FixedPoint(damping=0.0)
    with pytest.raises(ValueError, match="n_inner"):
        solvers.PriorDescent(n_inner=0)
    with pytest.raises(ValueError, match="max_iter"):
        solvers.FixedPoint().solve(games.sis(), max_iter=-1)
    with pytest.raises(TypeError, match="StationaryMFG"):
        solvers.solve_equilibrium(games.left_right(), 0.1)  # type: ignore[arg-type]


def test_non_contractive_garnet_defeats_the_exact_iteration() -> None:
    """With a strong coupling and a small temperature the undamped iteration does not settle."""
    g = games.garnet(6, 3, coupling=20.0, mixing=0.5, seed=0)
    est = estimate_lipschitz(g, 0.05, n_pairs=40)
    assert est.contraction > 1
    with pytest.raises(RuntimeError, match="regularized NE iteration"):
        solvers.solve_equilibrium(g, 0.05, max_iter=200)


def test_sis_stationary_has_two_fixed_points() -> None:
    g = games.sis()
    endemic = solvers.solve_equilibrium(g, 0.1, tol=1e-13)
    assert endemic.mean_field[1] == pytest.approx(0.3905, abs=5e-4)
    free = solvers.solve_equilibrium(g, 0.1, start=[1.0, 0.0])
    np.testing.assert_array_equal(free.mean_field, [1.0, 0.0])
