"""mfcode.experiments.mfg against independent computations, at small sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mfcode.arrays import FloatArray
from mfcode.experiments import mfg as ex
from mfcode.mfg import games, operators, solvers

ROOT = Path(__file__).resolve().parents[1]


def test_sizes_per_budget() -> None:
    assert ex.sizes("ci").sis_grid == 201 and ex.sizes("full").sis_grid == 2001
    assert (ex.sizes("full").horizon, ex.sizes("full").n, ex.sizes("full").iterations) == (20, 20, 40)
    with pytest.raises(ValueError, match="budget"):
        ex.sizes("huge")


def test_sis_fixed_points_are_fixed_points() -> None:
    res = ex.sis_fixed_points(gamma=0.9, temperature=0.1, grid_size=51)
    game = games.sis(gamma=0.9)
    assert res.roots[0] == 0.0 and res.roots.size == 2
    for m in res.roots:
        assert operators.mean_field_map(game, [1 - m, m], 0.1)[1] == pytest.approx(m, abs=1e-12)
    # the endemic point is where the exact iteration from rho = (0.4, 0.6) goes
    ne = solvers.solve_equilibrium(game, 0.1, tol=1e-13)
    assert res.roots[1] == pytest.approx(ne.mean_field[1], abs=1e-10)
    assert res.rounded_roots == [0.0, 0.3905]
    assert all(type(r) is float for r in res.rounded_roots)
    # the exact slope 0.7 + 0.81 pi(U|S) against a central difference of the map at 0 (one-sided: m >= 0)
    h = 1e-6
    second = operators.mean_field_map(game, [1 - 2 * h, 2 * h], 0.1)[1]
    first = operators.mean_field_map(game, [1 - h, h], 0.1)[1]
    assert res.slope == pytest.approx((4 * first - second) / (2 * h), abs=1e-6)
    assert res.slope_fd == pytest.approx(res.slope, abs=1e-5)
    assert res.excess.shape == res.grid.shape == (51,)


def test_sis_fixed_points_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="grid_size"):
        ex.sis_fixed_points(gamma=0.9, temperature=0.1, grid_size=2)
    with pytest.raises(ValueError, match="gamma"):
        ex.sis_fixed_points(gamma=1.0, temperature=0.1, grid_size=11)
    with pytest.raises(TypeError, match="grid_size"):
        ex.sis_fixed_points(gamma=0.9, temperature=0.1, grid_size=11.0)  # type: ignore[arg-type]  # the error under test


def _garnet_constants(c: float, lam: float, gamma: float = 0.9) -> tuple[float, float, float]:
    """d1, d2, d3 of ClosedFormConstants from the garnet's own parameters (W, P0, mixing), not from its rewards."""
    game = games.garnet(8, 3, coupling=c, mixing=0.5, gamma=gamma, seed=0)
    dyn = game.reward_fn.__self__  # type: ignore[attr-defined]  # the GarnetParameters behind the game
    assert isinstance(dyn, games.GarnetParameters)
    p0 = dyn.p0
    rows = p0.reshape(-1, 8)
    d3 = 0.5 * (1 - 0.5) * max(np.abs(x - y).sum() for x in rows for y in rows)
    d2 = 0.5 * (1 - 0.5) * max(np.abs(p0[s, a] - p0[s, b]).sum() for s in range(8) for a in range(3) for b in range(3))
    omega = 0.5 * c * max(np.ptp(dyn.w[s] - dyn.w[t]) for s in range(8) for t in range(8))
    return gamma * d2 * omega / (2 * lam * (1 - gamma * d3)), d2, d3


def test_closed_form_constants_from_the_garnet_parameters() -> None:
    for c in (0.05, 1.0, 20.0):
        k = ex.closed_form_constants(ex.garnet(c, gamma=0.9, seed=0), 0.5)
        d1, d2, d3 = _garnet_constants(c, 0.5)
        assert (k.d1, k.d2, k.d3) == pytest.approx((d1, d2, d3), rel=1e-12)
        assert k.bound == pytest.approx(d1 * d2 + d3, rel=1e-12)
    assert ex.closed_form_constants(ex.garnet(0.0, gamma=0.9, seed=0), 0.5).d1 == 0.0  # no coupling: mu cannot move the policy


def test_closed_form_constants_bound_the_operators_directly() -> None:
    """Assumption 3 with the closed-form constants, checked on random pairs by the operators themselves."""
    game, lam = ex.garnet(2.0, gamma=0.9, seed=0), 0.5
    k = ex.closed_form_constants(game, lam)
    rng = np.random.default_rng(7)
    for _ in range(20):
        mu, nu = rng.dirichlet(np.ones(8)), rng.dirichlet(np.ones(8))
        pi, sigma = operators.best_response(game, mu, lam).policy, operators.best_response(game, nu, lam).policy
        dmu = np.abs(mu - nu).sum()
        assert np.abs(pi - sigma).sum(axis=1).max() <= k.d1 * dmu + 1e-12
        lam_mu, lam_nu = operators.mean_field_map(game, mu, lam), operators.mean_field_map(game, nu, lam)
        assert np.abs(lam_mu - lam_nu).sum() <= k.bound * dmu + 1e-12


def test_closed_form_constants_reject_other_games() -> None:
    with pytest.raises(ValueError, match="game: the kernel"):
        ex.closed_form_constants(games.sis(gamma=0.9), 0.1)  # SIS: mu enters the kernel
    herding = games.garnet(4, 2, coupling=1.0, herding=0.5, gamma=0.9, seed=0)
    with pytest.raises(ValueError, match="game: the kernel"):
        ex.closed_form_constants(herding, 0.5)
    with pytest.raises(ValueError, match="temperature"):
        ex.closed_form_constants(ex.garnet(1.0, gamma=0.9, seed=0), 0.0)
    with pytest.raises(TypeError, match="game"):
        ex.closed_form_constants(games.left_right(), 0.5)  # type: ignore[arg-type]  # the error under test


def test_lemma6_estimates_are_lower_bounds_and_d2_d3_are_attained() -> None:
    sweep = ex.lipschitz_sweep(gamma=0.9, temperature=0.5, n_couplings=3, n_pairs=30, seed=3)
    np.testing.assert_array_equal(sweep.couplings, np.geomspace(0.05, 20.0, 3))
    assert sweep.lip_ratio <= 1.0 and sweep.constants_ratio <= 1.0 + 1e-12
    # vertex pairs with deterministic policies attain the Dobrushin bounds d2, d3 exactly
    np.testing.assert_allclose(sweep.constant_ratios("d3"), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sweep.constant_ratios("d2"), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(sweep.bound, [e.exact.bound for e in sweep.estimates])
    np.testing.assert_array_equal(sweep.estimated_bound, [e.d1 * e.d2 + e.d3 for e in sweep.estimates])
    np.testing.assert_array_equal(sweep.contracting, sweep.couplings[sweep.bound < 1])
    with pytest.raises(ValueError, match="temperature"):
        ex.lipschitz_sweep(gamma=0.9, temperature=0.0, n_couplings=2, n_pairs=4, seed=0)
    with pytest.raises(ValueError, match="name"):
        sweep.constant_ratios("d4")


def test_lemma6_check_fails_on_wrong_operators() -> None:
    """The claims mfg-assumption3-constants and mfg-lemma6-contraction fail for a wrong Gamma_1 or Gamma_2."""
    game = ex.garnet(0.05, gamma=0.9, seed=0)

    def too_cold(mu: FloatArray) -> FloatArray:  # Gamma_1 at lambda/4 while the bound is computed at lambda
        policy: FloatArray = operators.best_response(game, mu, 0.125).policy
        return policy

    def overshoot(pi: FloatArray, mu: FloatArray) -> FloatArray:  # an extrapolated step 2 Gamma_2 - id
        return 2.0 * game.push_forward(pi, mu) - mu

    right = ex.lemma6_estimates(game, 0.5, n_pairs=30, seed=1)
    assert max(right.ratios.values()) <= 1.0 + 1e-12
    assert ex.lemma6_estimates(game, 0.5, n_pairs=30, seed=1, best_response=too_cold).ratios["d1"] > 1.0
    wrong = ex.lemma6_estimates(game, 0.5, n_pairs=30, seed=1, push_forward=overshoot).ratios
    assert wrong["d3"] > 1.0 and wrong["Lip"] > 1.0
    with pytest.raises(ValueError, match="n_pairs"):
        ex.lemma6_estimates(game, 0.5, n_pairs=0, seed=1)
    with pytest.raises(ValueError, match="local_scale"):
        ex.lemma6_estimates(game, 0.5, n_pairs=3, seed=1, local_scale=1.0)


def test_exact_iteration_against_a_hand_loop() -> None:
    sweep = ex.lipschitz_sweep(gamma=0.9, temperature=0.5, n_couplings=3, n_pairs=3, seed=0)
    it = ex.exact_iteration(sweep, gamma=0.9, temperature=0.5, seed=0, n_iter=8)
    strong = games.garnet(8, 3, coupling=20.0, mixing=0.5, gamma=0.9, seed=0)
    mu, res = strong.initial, []
    for _ in range(8):
        nxt = operators.mean_field_map(strong, mu, 0.5)
        res.append(np.abs(nxt - mu).sum())
        mu = nxt
    assert it.strong_coupling == 20.0
    np.testing.assert_allclose(it.strong.residuals, res, rtol=0, atol=1e-15)
    np.testing.assert_allclose(it.strong.value, mu, rtol=0, atol=1e-15)
    assert not it.strong.converged and it.strong.iterations == 8
    np.testing.assert_array_equal(it.couplings, sweep.contracting)
    np.testing.assert_array_equal(it.bounds, sweep.bound[sweep.bound < 1])
    # the plain iteration by hand on the most weakly coupled game: the same residuals and rate
    weak = games.garnet(8, 3, coupling=0.05, mixing=0.5, gamma=0.9, seed=0)
    mu, res = weak.initial, []
    for _ in range(len(it.contractive_residuals)):
        nxt = operators.mean_field_map(weak, mu, 0.5)
        res.append(np.abs(nxt - mu).sum())
        mu = nxt
    np.testing.assert_allclose(it.contractive_residuals, res, rtol=1e-6, atol=1e-14)
    assert it.contractive_residuals[-1] <= 1e-13
    assert it.rates[0] == ex.residual_rate(it.contractive_residuals) and 0 < it.rates[0] < it.bounds[0]
    assert it.max_ratio == float(np.max(it.rates / it.bounds)) < 1
    # a damped iteration mu <- (mu + Lambda(mu))/2 converges more slowly than the bound allows: the claim would fail
    mu, res = weak.initial, []
    for _ in range(40):
        nxt = 0.5 * mu + 0.5 * operators.mean_field_map(weak, mu, 0.5)
        res.append(np.abs(nxt - mu).sum())
        mu = nxt
    assert ex.residual_rate(np.array(res)) > it.bounds[0]


def test_exact_iteration_rejects_bad_input() -> None:
    sweep = ex.lipschitz_sweep(gamma=0.9, temperature=0.5, n_couplings=3, n_pairs=3, seed=0)
    strong_only = ex.LipschitzSweep(sweep.couplings[-1:], sweep.estimates[-1:])
    with pytest.raises(ValueError, match="sweep"):
        ex.exact_iteration(strong_only, gamma=0.9, temperature=0.5, seed=0)
    with pytest.raises(TypeError, match="sweep"):
        ex.exact_iteration("sweep", gamma=0.9, temperature=0.5, seed=0)  # type: ignore[arg-type]  # the error under test
    with pytest.raises(ValueError, match="n_iter"):
        ex.exact_iteration(sweep, gamma=0.9, temperature=0.5, seed=0, n_iter=0)
    with pytest.raises(ValueError, match="residuals"):
        ex.residual_rate(np.array([1e-12, 1e-13]))


def test_bias_sweep_respects_eq1() -> None:
    sweep = ex.bias_sweep(gamma=0.9, n_temperatures=3, seed=0)
    np.testing.assert_allclose(sweep.temperatures, [0.01, np.sqrt(0.02), 2.0], rtol=1e-12)
    np.testing.assert_allclose(sweep.bounds, sweep.temperatures * np.log(3) / (1 - 0.9), rtol=1e-12)
    assert np.all(sweep.gaps >= -1e-12) and np.all(sweep.gaps <= sweep.bounds)
    assert sweep.max_excess == pytest.approx(float(np.max(sweep.gaps - sweep.bounds)))


def test_solver_comparison_agrees_with_mfglib_and_restores_torch() -> None:
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    cmp = ex.solver_comparison(horizon=3, n=3, iterations=3, seed=0)
    assert (torch.get_default_dtype(), torch.get_num_threads()) == (dtype, threads)
    assert [p.name for p in cmp.pairs] == ["fixed point", "fictitious play", "online mirror descent", "prior descent"]
    for p in cmp.pairs:
        assert p.mfcode_exploitability.shape == p.mfglib_exploitability.shape == (4,)
        assert p.mfcode_times.shape == p.mfglib_times.shape == (4,) and p.mfglib_times[0] == 0.0
        assert np.all(np.diff(p.mfglib_times) >= 0) and p.mfglib_step > 0 and p.mfcode_step > 0
    assert cmp.agreement <= 1e-6
    assert set(cmp.speedups) == {p.name for p in cmp.pairs}
    assert set(cmp.step_times) == {"fastest mfglib step", "slowest mfcode step"}
    with pytest.raises(ValueError, match="iterations"):
        ex.solver_comparison(horizon=3, n=3, iterations=0, seed=0)


def test_speed_tables_read_the_stored_benchmark(tmp_path: Path) -> None:
    tables = ex.speed_tables(ROOT / "benchmarks" / "results" / "bench_mfg.json")
    assert tables.equilibrium.caption.startswith("Exact regularized NE")
    assert len(tables.steps.rows) == 4
    with pytest.raises(ValueError, match="path"):
        ex.speed_tables(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="path"):
        ex.speed_tables(3)  # type: ignore[arg-type]  # the error under test
