"""mfcode.experiments.nac_theorem against closed forms and independent loops (001 §4, App. A–C).

The references do not go through the checked functions: the tabular NAC iterate comes from the
closed form :math:`\\pi_{t+1}\\propto\\pi_t^{1-\\eta\\lambda}e^{\\eta Q_t}` written out below with the game's
own evaluation and push-forward, best responses and visitations from the game's unbatched methods.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from mfcode.experiments import nac_theorem as nt
from mfcode.mfg import operators
from mfcode.nac import exact
from mfcode.nac.sgd import ProjectedSGD
from mfcode.nac.td import ConstantStepSize, ProjectedTD

GAMMA, C_ETA, C_BETA, RADIUS = 0.5, 1.0, 5.0, 10.0


def page_setting(coupling: float = 0.02, temperatures: tuple[float, ...] = (0.1, 0.3, 1.0)) -> nt.TheoremSetting:
    """The game of book/nac/theorem/theorem.ipynb (its parameters), optionally with another coupling or temperatures."""
    return nt.setting("ci", n_states=8, n_actions=3, coupling=coupling, mixing=0.5, gamma=GAMMA, temperatures=temperatures, feature_dim=14, seed=0)


@pytest.fixture(scope="module")
def sett() -> nt.TheoremSetting:
    return page_setting()


# -- fits ---------------------------------------------------------------------------------------


def test_log_log_fit_recovers_a_known_power_law() -> None:
    x = np.array([10.0, 30.0, 100.0, 300.0, 1000.0])
    fit = nt.log_log_fit(x, 3.0 * x**-0.2)
    assert fit.slope == pytest.approx(-0.2, abs=1e-12)
    assert math.exp(fit.intercept) == pytest.approx(3.0, rel=1e-12)
    assert fit.stderr == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(fit.predict(x), 3.0 * x**-0.2, rtol=1e-12)


def test_log_log_fit_stderr_covers_the_slope_under_noise() -> None:
    rng = np.random.default_rng(0)
    x = np.geomspace(10, 1e4, 12)
    hits = 0
    for _ in range(200):
        y = 2.0 * x**-0.5 * np.exp(rng.normal(scale=0.1, size=x.size))
        fit = nt.log_log_fit(x, y)
        hits += abs(fit.slope + 0.5) <= 2.0 * fit.stderr
    assert 170 <= hits <= 200  # about 95 % coverage of a 2-sigma interval


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [([1.0, 2.0], [1.0, -1.0], "y must be positive"), ([2.0, 2.0], [1.0, 2.0], "two distinct"), ([1.0, 2.0, 3.0], [1.0, 2.0], "same length")],
)
def test_log_log_fit_rejects_bad_input(x: list[float], y: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        nt.log_log_fit(x, y)


def test_horizon_to_reach_is_exact_on_a_power_law() -> None:
    t = np.array([10.0, 100.0, 1000.0])
    d = 2.0 * t**-0.5
    assert nt.horizon_to_reach(t, d, 0.1) == pytest.approx((2.0 / 0.1) ** 2, rel=1e-12)
    assert math.isnan(nt.horizon_to_reach(t, d, 0.01))  # never reached on the grid
    assert math.isnan(nt.horizon_to_reach(t, d, 1.0))  # below already at the first horizon
    with pytest.raises(ValueError, match="horizons must increase"):
        nt.horizon_to_reach(t[::-1], d, 0.1)


# -- the game -----------------------------------------------------------------------------------


def test_low_dim_features_have_unit_norm_and_depend_on_the_seed() -> None:
    f = nt.low_dim_features(8, 3, 14, 0)
    assert f.phi.shape == (8, 3, 14)
    np.testing.assert_allclose(np.linalg.norm(f.phi, axis=-1), 1.0, atol=1e-14)
    np.testing.assert_array_equal(f.phi, nt.low_dim_features(8, 3, 14, 0).phi)
    assert not np.allclose(f.phi, nt.low_dim_features(8, 3, 14, 1).phi)
    with pytest.raises(ValueError, match="dim"):
        nt.low_dim_features(8, 3, 0, 0)


def test_the_page_game_satisfies_theorem1s_contraction(sett: nt.TheoremSetting) -> None:
    assert (sett.dbar > 0.0).all()
    for c, eq in zip(sett.constants, sett.equilibria, strict=True):
        assert eq.residual <= 1e-12
        # estimated constants are lower bounds, the closed forms upper bounds
        assert c.estimate.d1 <= c.closed.d1 and c.estimate.d2 <= c.closed.d2 and c.estimate.d3 <= c.closed.d3
        # d* <= 1, so the d*-weighted d2 dominates the sup-over-states one
        assert c.d2_weighted >= c.closed.d2
        assert c.lemma3_bound <= c.best_response_min
        assert c.q_max == pytest.approx((1.0 + GAMMA * c.temperature * math.log(3)) / (1.0 - GAMMA))


def test_a_strongly_coupled_garnet_breaks_dbar() -> None:
    strong = page_setting(coupling=0.5, temperatures=(0.1,))
    assert strong.dbar[0] < 0.0


def test_weighted_d2_bounds_the_push_forward_and_is_attained(sett: nt.TheoremSetting) -> None:
    game, eq = sett.game, sett.equilibria[1]
    d2 = nt.weighted_d2(game, eq.visitation)
    kernel = game.transition(game.initial)
    rng = np.random.default_rng(3)
    for _ in range(200):
        mu = rng.dirichlet(np.ones(8))
        pi, pi2 = rng.dirichlet(np.ones(3), size=8), rng.dirichlet(np.ones(3), size=8)
        dist = float(eq.visitation @ np.abs(pi - pi2).sum(axis=1))
        assert np.abs(game.push_forward(pi, mu) - game.push_forward(pi2, mu)).sum() <= d2 * dist + 1e-12
    # attained: mu on the argmax state, two deterministic actions at the widest pair of rows
    c = 0.5 * np.abs(kernel[:, :, None, :] - kernel[:, None, :, :]).sum(axis=-1)
    s = int(np.argmax(c.max(axis=(1, 2)) / eq.visitation))
    a, b = np.unravel_index(np.argmax(c[s]), c[s].shape)
    pi, pi2 = np.full((8, 3), 1.0 / 3), np.full((8, 3), 1.0 / 3)
    pi[s], pi2[s] = np.eye(3)[a], np.eye(3)[b]
    dist = float(eq.visitation @ np.abs(pi - pi2).sum(axis=1))
    ratio = np.abs(game.push_forward(pi, np.eye(8)[s]) - game.push_forward(pi2, np.eye(8)[s])).sum() / dist
    assert ratio == pytest.approx(d2, rel=1e-12)


def test_visitation_lipschitz_matches_the_unbatched_quotient(sett: nt.TheoremSetting) -> None:
    game, lam = sett.game, 0.3
    got = nt.visitation_lipschitz(game, lam, n_pairs=1, seed=5, local_scale=0.01)
    rng = np.random.default_rng(5)
    mu, other = rng.dirichlet(np.ones(8), size=1)[0], rng.dirichlet(np.ones(8), size=1)[0]
    mu2 = 0.99 * mu + 0.01 * other
    d = [game.visitation(operators.best_response(game, m, lam).policy, m) for m in (mu, mu2)]
    assert got == pytest.approx(np.abs(d[0] - d[1]).sum() / np.abs(mu - mu2).sum(), rel=1e-8)


def test_visitation_lipschitz_vanishes_without_coupling(sett: nt.TheoremSetting) -> None:
    free = page_setting(coupling=0.0, temperatures=(0.3,))
    assert free.constants[0].d0 <= 1e-12  # the best response no longer depends on mu, nor (fixed kernel) its visitation
    assert nt.visitation_lipschitz(sett.game, 0.3, n_pairs=4, seed=0) > 1e-6


# -- Theorem 1 ----------------------------------------------------------------------------------


def tabular_nac_distance(sett: nt.TheoremSetting, lam: float, horizon: int) -> float:
    """Theorem 1's left side of the closed-form tabular iteration pi <- pi^(1 - eta lam) exp(eta Q) (exact oracles)."""
    game, eq = sett.game, sett.equilibria[sett.index(lam)]
    eta, beta = C_ETA * horizon**-0.4 / lam, C_BETA * horizon**-0.8
    pi, mu = np.full((8, 3), 1.0 / 3), game.initial.copy()
    pis, mus = [], []
    for _ in range(horizon):
        pis.append(pi)
        mus.append(mu)
        q = game.evaluate(pi, game.dynamics_at(mu), lam).q
        logits = (1.0 - eta * lam) * np.log(pi) + eta * q
        new_mu = (1.0 - beta) * mu + beta * game.push_forward(pi, mu)
        pi = np.exp(logits - logits.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        mu = new_mu
    pi_bar, mu_bar = np.mean(pis, axis=0), np.mean(mus, axis=0)
    return float(eq.visitation @ np.abs(pi_bar - eq.policy).sum(axis=1) + np.abs(mu_bar - eq.mean_field).sum())


def exact_sweep(sett: nt.TheoremSetting, horizons: tuple[int, ...], temperatures: tuple[float, ...] = (0.3,)) -> nt.RateSweep:
    return nt.rate_sweep(
        sett, sett.one_hot, temperatures=temperatures, horizons=horizons, critic=exact.ExactCritic(), actor=exact.ExactActor(),
        c_eta=C_ETA, c_beta=C_BETA, radius=RADIUS, n_seeds=1, seed=0, warm_start_critic=False, name="exact",
    )


def test_exact_sweep_matches_the_tabular_closed_form_and_falls_with_t(sett: nt.TheoremSetting) -> None:
    sweep = exact_sweep(sett, (10, 30, 100))
    for j, horizon in enumerate((10, 30)):
        assert sweep.distances[0, j, 0] == pytest.approx(tabular_nac_distance(sett, 0.3, horizon), rel=1e-8)
    d = sweep.mean_distance[0]
    assert (np.diff(d) < 0).all()
    assert sweep.slopes[0] < -0.2  # Theorem 1's rate, an upper bound
    assert (sweep.mean_field_distances <= sweep.distances + 1e-15).all()
    assert sweep.w_norm.max() < RADIUS  # the clipping never binds: eps_total = 0
    assert (sweep.theta_ratio <= 1.0).all()
    np.testing.assert_allclose(sweep.final_approx, 0.0, atol=1e-20)  # one-hot: eps_approx = 0


def test_low_dim_features_leave_an_approximation_error(sett: nt.TheoremSetting) -> None:
    sweep = nt.rate_sweep(
        sett, sett.low_dim, temperatures=(0.3,), horizons=(10, 30), critic=exact.ExactCritic(), actor=exact.ExactActor(),
        c_eta=C_ETA, c_beta=C_BETA, radius=RADIUS, n_seeds=1, seed=0, warm_start_critic=False, name="low-dim",
    )
    assert sweep.final_approx[0, 0] > 1e-8
    assert sweep.final_loss[0, 0] == pytest.approx(sweep.final_approx[0, 0], rel=1e-6)  # the exact actor attains the minimum


def test_concentrability_matches_unbatched_visitations(sett: nt.TheoremSetting) -> None:
    run = exact_sweep(sett, (10, 30)).longest[0]
    conc = nt.concentrability(sett, sett.one_hot, run, points=3)
    game, eq = sett.game, sett.equilibria[1]
    assert run.parameters is not None
    for k, t in enumerate(conc.iterations):
        mu, pi = run.mean_fields[0, t], run.policies[0, t]
        d_t = game.visitation(game.best_response(game.dynamics_at(mu), 0.3).policy, mu)
        d_pi = game.visitation(pi, mu)
        assert conc.c1[k] == pytest.approx((d_t / eq.visitation).max(), rel=1e-9)
        assert conc.c2[k] == pytest.approx(math.sqrt(d_t @ (eq.visitation / d_t) ** 2), rel=1e-9)
        assert conc.c3[k] == pytest.approx(math.sqrt(d_pi @ (d_t / d_pi) ** 2), rel=1e-9)
    assert min(conc.maxima) >= 1.0 - 1e-12  # a ratio of two distributions is >= 1 somewhere; Cauchy-Schwarz for C2, C3


def test_noisy_runs_respect_lemma2(sett: nt.TheoremSetting) -> None:
    td = ProjectedTD(50, radius=50.0, step_size=ConstantStepSize(0.05))
    sweeps = [
        nt.rate_sweep(sett, f, temperatures=(0.3,), horizons=(10, 20), critic=td, actor=ProjectedSGD(50), c_eta=C_ETA, c_beta=C_BETA,
                      radius=1.0, n_seeds=4, seed=0, warm_start_critic=True, name=f.name)
        for f in (sett.one_hot, sett.low_dim)
    ]
    result = nt.Theorem1(sweeps[0], sweeps[0], sweeps[0], sweeps[1], (), C_ETA, C_BETA, 0.3, 0.05, 50)
    along = nt.lemma2(result, 3)
    assert along.theta_max == pytest.approx(max(float(s.theta_max.max()) for s in sweeps))
    assert along.theta_ratio <= 1.0
    assert along.min_probability >= along.probability_bound
    assert along.log_probability_bound == pytest.approx(-2.0 / 0.3 - math.log(3))
    # with R = 1 the actor's clipping binds, and ||theta|| grows towards R / lambda
    assert along.theta_ratio > 0.2


def test_theorem1_rejects_an_unknown_noisy_temperature(sett: nt.TheoremSetting) -> None:
    with pytest.raises(ValueError, match="temperature"):
        nt.theorem1(sett, "ci", c_eta=C_ETA, c_beta=C_BETA, radius=RADIUS, noisy_temperature=0.5, critic_rate=0.05, td_radius=50.0, seed=0)


def test_rate_sweep_rejects_a_decreasing_grid(sett: nt.TheoremSetting) -> None:
    with pytest.raises(ValueError, match="horizons"):
        exact_sweep(sett, (30, 10))


def test_sizes_nest_the_noisy_horizons() -> None:
    for budget in ("ci", "full"):
        size = nt.sizes(budget)
        assert set(size.noisy_horizons) <= set(size.horizons)
    with pytest.raises(ValueError, match="budget"):
        nt.sizes("huge")


# -- the trade-off and Props. 1-2 ---------------------------------------------------------------


def test_tradeoff_bias_obeys_eq1_and_horizons_interpolate(sett: nt.TheoremSetting) -> None:
    sweep = exact_sweep(sett, (10, 30, 100), temperatures=(0.1, 1.0))
    result = nt.Theorem1(sweep, sweep, sweep, sweep, (), C_ETA, C_BETA, 0.1, 0.05, 50)
    trade = nt.tradeoff(sett, result, "ci", target_distance=0.06, bias_range=(0.05, 2.0))
    assert (trade.gaps >= -1e-10).all()
    assert trade.max_excess <= 1e-10
    np.testing.assert_allclose(trade.bounds, trade.bias_temperatures * math.log(3) / 0.5)
    expected = [nt.horizon_to_reach(sweep.horizons, d, 0.06) for d in sweep.mean_distance]
    np.testing.assert_allclose(trade.horizons_needed, expected)
    assert trade.horizons_needed[0] > trade.horizons_needed[1]  # the larger temperature gets there sooner


def test_oracle_rates_fall_with_the_samples(sett: nt.TheoremSetting) -> None:
    rates = nt.oracle_rates(sett, "ci", temperature=0.3, radius=RADIUS, td_radius=50.0, theta_scale=0.5, seed=0)
    td, sgd = rates.td_errors.mean(axis=0), rates.sgd_excess.mean(axis=0)
    assert (np.diff(td) < 0).all() and td[-1] < 0.1 * rates.q_scale
    assert (rates.sgd_excess >= -1e-12).all() and (np.diff(sgd) < 0).all()
    assert rates.td_fit.slope < -0.8 and rates.sgd_fit.slope < -0.4
    assert rates.sgd_minimum > 1e-6 and rates.omega > 0.0



def test_records_read_the_sweeps(sett: nt.TheoremSetting) -> None:
    exact_run = exact_sweep(sett, (10, 30, 100))
    noisy = nt.rate_sweep(
        sett, sett.one_hot, temperatures=(0.3,), horizons=(10, 30), critic=ProjectedTD(30, radius=50.0, step_size=ConstantStepSize(0.05)),
        actor=ProjectedSGD(30), c_eta=C_ETA, c_beta=C_BETA, radius=RADIUS, n_seeds=2, seed=0, warm_start_critic=True, name="noisy",
    )
    conc = (nt.concentrability(sett, sett.one_hot, exact_run.longest[0], points=2),)
    result = nt.Theorem1(exact_run, exact_run, noisy, noisy, conc, C_ETA, C_BETA, 0.3, 0.05, 30)
    floor = result.floor_record
    assert floor["horizon"] == 30.0
    assert floor["exact one-hot"] == pytest.approx(exact_run.mean_distance[0, 1])
    assert floor["TD+SGD one-hot"] == pytest.approx(noisy.mean_distance[0, -1])
    np.testing.assert_allclose(result.exact_at_noisy_temperature, exact_run.mean_distance[0])
    np.testing.assert_allclose(nt.concentrability_maxima(result), [conc[0].maxima])
    partial = nt.TheoremSetting(sett.game, sett.one_hot, sett.low_dim, sett.temperatures[1:2], sett.equilibria[1:2], sett.constants[1:2])
    record = nt.constants_record(partial, result)
    assert record["lambda=0.3"]["d_bar"] == pytest.approx(sett.constants[1].dbar)
    assert record["lambda=0.3"]["C1"] == pytest.approx(conc[0].maxima[0])
    assert sett.estimates_below_bounds
    assert set(sett.lemma3_record) == {"lambda=0.1", "lambda=0.3", "lambda=1"}
    assert "fitted slope" in exact_run.table and "d_bar" in sett.table


def test_nac_benchmark_reads_the_clock_of_each_row(tmp_path: Path) -> None:
    row = {"game": "SIS", "variant": "tabular", "device": "cpu", "clock": "cpu", "n_seeds": 10, "samples_per_seed_iteration": 0,
           "iteration_s": 0.002, "iteration_cpu_s": 0.001, "iterations_per_s": 1000.0, "seed_iterations_per_s": 10000.0}
    gpu = dict(row, device="cuda", clock="wall")
    path = tmp_path / "nac.json"
    path.write_text(json.dumps({"date_utc": "today", "command": "python benchmarks/bench_nac.py", "rows": [row, gpu]}), encoding="utf-8")
    bench = nt.nac_benchmark(path)
    assert [r.iteration_s for r in bench.rows] == [0.001, 0.002]
    assert bench.table.rows[0][6] == "1.00" and "today" in bench.table.caption
    path.write_text(json.dumps({"rows": [{"game": "SIS"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="path"):
        nt.nac_benchmark(path)
