"""mfcode.experiments.mfg against independent computations, at small sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mfcode.experiments import mfg as ex
from mfcode.mfg import games, operators, solvers
from mfcode.mfg.lipschitz import estimate_lipschitz

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


def test_lipschitz_sweep_matches_direct_estimates() -> None:
    sweep = ex.lipschitz_sweep(gamma=0.9, temperature=0.5, n_couplings=2, n_pairs=4, seed=3)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(sweep.couplings, [0.05, 20.0])
    for c, est in zip(sweep.couplings, sweep.estimates, strict=True):
        direct = estimate_lipschitz(games.garnet(8, 3, coupling=c, mixing=0.5, gamma=0.9, seed=3), 0.5, n_pairs=4, seed=rng)
        assert est == direct
    np.testing.assert_array_equal(sweep.bound, [e.d1 * e.d2 + e.d3 for e in sweep.estimates])
    assert sweep.max_excess <= 1e-12  # Lemma 6 holds pair by pair
    with pytest.raises(ValueError, match="temperature"):
        ex.lipschitz_sweep(gamma=0.9, temperature=0.0, n_couplings=2, n_pairs=4, seed=0)


def test_exact_iteration_against_a_hand_loop() -> None:
    it = ex.exact_iteration(gamma=0.9, temperature=0.5, contractive_coupling=0.05, strong_coupling=20.0, seed=0, n_iter=8)
    strong = games.garnet(8, 3, coupling=20.0, mixing=0.5, gamma=0.9, seed=0)
    mu, res = strong.initial, []
    for _ in range(8):
        nxt = operators.mean_field_map(strong, mu, 0.5)
        res.append(np.abs(nxt - mu).sum())
        mu = nxt
    np.testing.assert_allclose(it.strong.residuals, res, rtol=0, atol=1e-15)
    np.testing.assert_allclose(it.strong.value, mu, rtol=0, atol=1e-15)
    assert not it.strong.converged and it.strong.iterations == 8
    assert it.contractive_residuals[-1] <= 1e-13
    r = it.contractive_residuals
    assert it.rate == float(np.max(r[1:] / r[:-1])) and 0 < it.rate < 1
    with pytest.raises(ValueError, match="n_iter"):
        ex.exact_iteration(gamma=0.9, temperature=0.5, contractive_coupling=0.05, strong_coupling=20.0, seed=0, n_iter=0)


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
