"""The slides chapter's experiments at budget "ci": shapes, and the statements the notebooks check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mfcode.experiments import slides as X


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
