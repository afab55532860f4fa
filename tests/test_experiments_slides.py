"""The slides chapter's experiments at budget "ci": shapes, and the statements the notebooks check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from mfcode.arrays import FloatArray
from mfcode.experiments import slides as X
from mfcode.mfg import games
from mfcode.mfg.operators import best_response
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.slides.auction import ad_auction
from mfcode.slides.qlearning import three_step
from mfcode.slides.smoothing import Softmax


@pytest.fixture(scope="module")
def lecture() -> X.LectureStart:
    return X.lecture_start("ci")


@pytest.fixture(scope="module")
def learned() -> X.Learning:
    return X.learning("ci", seed=0)


def test_lecture_start(lecture: X.LectureStart) -> None:
    eq = lecture.equilibrium
    assert lecture.foc_error < 1e-6
    assert lecture.observed_rate == pytest.approx(eq.contraction_factor, rel=1e-3)
    assert 0 < lecture.sup_derivative < 1 and lecture.earlier_excess <= 0.0
    assert lecture.counterexample_gap.min() > 0.5 and lecture.counterexample_derivative.max() > 0.999
    # far below alpha = gamma there is no fixed point; above it the iteration converges
    assert np.isnan(lecture.factor_by_alpha[:, lecture.alpha_ratio < 0.7]).all()
    assert np.isfinite(lecture.factor_by_alpha[:, lecture.alpha_ratio > 1.05]).all()
    assert lecture.factor_by_sigma.shape == lecture.sigma_spread.shape
    assert np.all(lecture.earlier_map <= lecture.game.scheduled) and np.all(lecture.start_map >= lecture.game.scheduled)
    crossing = np.argmin(np.abs(lecture.start_map - lecture.grid))
    assert abs(lecture.grid[crossing] - eq.start_time) <= np.diff(lecture.grid).max()


def test_learning(learned: X.Learning) -> None:
    assert len(learned.games) == 2
    for g in learned.games:
        assert g.naive.step_l1.shape[1] == X.N_PATHS
        assert g.naive_amplitude.min() > 0.1
        assert g.gmfq_distance.max() < 0.05
        assert g.mellowmax.distance_to(g.mellowmax_fixed_point)[-1].max() < 0.1
    np.testing.assert_allclose(learned.argmax_ratio * np.sqrt(2) * learned.epsilons, 1.0, rtol=1e-12)
    assert learned.softmax_worst <= 1.0
    assert np.all(learned.softmax_ratio <= learned.cs[:, None] / 2)


def test_contraction_constants(learned: X.Learning) -> None:
    for g in learned.games:
        k = g.constants
        # Lemma 6's triangle inequality, pair by pair on the pairs the quotients share
        for e in (k.softmax, *k.sweep):
            assert e.contraction <= e.bound + 1e-12
        a = k.argmax
        assert np.all(a.contraction <= a.d1 * a.d2 + a.d3 + 1e-9 * a.d1)
        # the chapter's c is in the sweep, on the same pairs: the same estimate
        (at,) = np.flatnonzero(k.sweep_c == g.c)
        assert k.sweep[at] == k.softmax
        # softmax: d1 grows with c; argmax-e: the pairs halve, the policy jump stays, the quotients diverge
        assert np.all(np.diff(k.sweep_d1) > 0)
        np.testing.assert_allclose(a.distance[1:] / a.distance[:-1], 0.5, rtol=1e-6)
        assert a.policy_jump.min() >= 1.0 and a.d1[-1] > 1e8 and np.all(np.diff(a.d1) > 0)
        half = a.distance.size // 2
        assert a.population_jump[half:].min() > 0.05 and a.contraction[-1] > 1e7
        # the exact softmax iteration on L converges linearly
        assert 0.0 < k.softmax_rate < 1.0 and k.softmax_steps[-1] < 1e-12
        assert k.smallest_failing_c <= g.c
    # at the chapter's c the estimated d1 d2 + d3 (a lower bound) exceeds 1 on both games
    assert learned.smallest_bound > 1.0 and learned.smallest_greedy_jump > 0.05
    table = learned.contraction_table
    assert len(table.rows) == 2 * len(learned.games) and all(r[7].startswith("fails") for r in table.rows)
    assert set(learned.contraction_record) == {g.name for g in learned.games}


def test_switch_is_a_crossing_of_q() -> None:
    """On SIS the bisection's switch is a root of the Q-gap of one state (found independently by Brent's method)."""
    sis = games.sis()
    out = X.switch_quotients(sis, 40, seed=0)
    x_s = float(out.switch[1])

    def gap(x: float) -> FloatArray:
        q = best_response(sis, np.array([1.0 - x, x]), 0.0).q
        return q[:, 0] - q[:, 1]

    h = 1e-4
    (state,) = np.flatnonzero(np.sign(gap(x_s - h)) != np.sign(gap(x_s + h)))
    root = brentq(lambda x: float(gap(x)[state]), x_s - h, x_s + h, xtol=1e-15)
    assert abs(root - x_s) < 1e-9


def test_three_step_on_l_is_a_two_step_recursion_in_mu() -> None:
    """The page's proposition: L_k = mu_k x Gamma_1(mu_{k-1}) and mu_{k+1} = Gamma_2(Gamma_1(mu_{k-1}), mu_k) for k >= 1,
    and the limit is mu* x Gamma_1(mu*) with mu* the fixed point of Lambda that the MFG core's solver finds."""
    for game, c in ((games.sis(), 5.0), (ad_auction(), 10.0)):
        run = three_step(game, Softmax(c), X.THREE_STEP_ITERATIONS, temperature=1.0 / c)
        mu = run.joints.sum(axis=-1)
        for k in range(1, 6):
            pi = best_response(game, mu[k - 1], 1.0 / c).policy
            np.testing.assert_allclose(run.joints[k], mu[k][:, None] * pi, atol=1e-12)
            np.testing.assert_allclose(mu[k + 1], game.push_forward(pi, mu[k]), atol=1e-12)
        eq = solve_equilibrium(game, 1.0 / c)
        np.testing.assert_allclose(run.joints[-1], eq.mean_field[:, None] * eq.policy, atol=1e-9)


def test_sis_lambda_has_two_fixed_points() -> None:
    """The page's reason why d1 d2 + d3 >= 1 on SIS whatever the estimates: Lambda fixes mu(I) = 0 and the endemic NE."""
    sis, lam = games.sis(), 1.0 / 5.0
    healthy = np.array([1.0, 0.0])
    np.testing.assert_allclose(sis.push_forward(best_response(sis, healthy, lam).policy, healthy), healthy, atol=1e-15)
    eq = solve_equilibrium(sis, lam)
    np.testing.assert_allclose(sis.push_forward(best_response(sis, eq.mean_field, lam).policy, eq.mean_field), eq.mean_field, atol=1e-10)
    assert np.abs(eq.mean_field - healthy).sum() > 0.5


def test_switch_quotients_refuse() -> None:
    flat = StationaryMFG(2, 2, lambda mu: np.array([[1.0, 0.0], [1.0, 0.0]]), lambda mu: np.full((2, 2, 2), 0.5), 0.9,
                         np.array([0.5, 0.5]), name="flat")
    with pytest.raises(ValueError, match="game"):
        X.switch_quotients(flat, 5, seed=0, max_draws=10)
    with pytest.raises(ValueError, match="levels"):
        X.switch_quotients(games.sis(), 0, seed=0)
    with pytest.raises(TypeError, match="game"):
        X.switch_quotients("sis", 5, seed=0)  # type: ignore[arg-type]


def test_n_player() -> None:
    out = X.n_player("ci", seed=0)
    for exact in (out.ne, out.learned, out.episodic):
        assert exact.exact.all() and exact.gap_slope < -0.5 and exact.exploitability_slope < -0.5
    for mc in (out.ne_mc, out.episodic_mc):
        assert not mc.exact.any() and np.all(mc.value_gap_half > 0) and np.all(mc.exploitability_half > 0)
    for check in (out.check, out.episodic_check, out.mfc_check):
        assert check.ratio <= 1.0
    # MFC: J^N < J (a finite team does worse than the limit), gains >= 0, the optimum's gain below JSQ's
    assert np.all(out.mfc_optimum.value_gap < 0) and out.mfc_optimum.gap_slope < -0.5
    assert np.all(out.mfc_optimum.exploitability >= 0) and np.all(out.mfc_jsq.exploitability[1:] > out.mfc_optimum.exploitability[1:])
    assert out.mfc_optimum.mean_field.exploitability == 0.0
    # load balancing: the best threshold rule is a threshold; OWN has no gap; the rule's gap shrinks
    assert set(out.queue_rule.tolist()) <= {0.0, 1.0} and np.all(np.diff(out.queue_rule) >= 0)
    assert np.all(np.abs(out.queue_own.value_gap) <= out.queue_own.value_gap_half)
    assert out.queueing.gap_slope < -0.5 and np.isnan(out.queueing.exploitability).all()


def test_anarchy() -> None:
    out = X.anarchy("ci")
    assert np.all(out.price >= 1.0)
    assert np.all(np.abs(out.optimum_grid_value - out.optimum_value) < 0.02)


def test_benchmark_rows(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"steps": [{"game": "SIS", "n_agents": 1000000, "step_s": 0.5, "step_cpu_s": 0.03}]}')
    (row,) = X.nplayer_benchmark(path)
    assert row.n_agents == 1_000_000 and row.step_cpu_s == 0.03
    path.write_text('{"rows": []}')
    with pytest.raises(ValueError, match="path"):
        X.nplayer_benchmark(path)


def test_bad_budget() -> None:
    with pytest.raises(ValueError, match="budget"):
        X.sizes("huge")
    with pytest.raises(TypeError, match="budget"):
        X.lecture_start(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="high"):
        X.anarchy("ci", low=0.8, high=0.5)
