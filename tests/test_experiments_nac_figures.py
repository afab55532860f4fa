"""mfcode.experiments.nac_figures: 001 Figs. 1-3 on tiny runs, the curve statistics, the torus spread, the sanity check."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mfcode.experiments import nac_figures as X
from mfcode.nac import exact
from mfcode.nac.algorithm import iterate_at, nac
from mfcode.nac.dl_nac import dl_nac
from mfcode.nac.protocol import NACRun

TINY_SIS = X.GameSizes(iterations=30, samples=40, score_every=5, exact_iterations=100)
TINY_LQ = X.GameSizes(iterations=20, samples=50, score_every=5, exact_iterations=100)
SMALLEST = X.GameSizes(iterations=10, samples=20, score_every=10, exact_iterations=10)
SEEDS = 4


@pytest.fixture(scope="module")
def sis() -> X.Comparison:
    return X.compare("SIS", TINY_SIS, segment_length=10, seed=3, n_seeds=SEEDS)


@pytest.fixture(scope="module")
def lq() -> X.Comparison:
    return X.compare("LQ", TINY_LQ, segment_length=5, n_seeds=3)


def _run(exploitability: list[list[float]], scored_at: list[int], iterations: int) -> NACRun:
    """A NACRun of uniform policies on one state and two actions with a given exploitability table."""
    e = np.asarray(exploitability, dtype=np.float64)
    n = e.shape[0]
    return NACRun(
        "test", 0, 0.1, np.full((n, iterations, 1, 2), 0.5), np.ones((n, iterations + 1, 1)),
        np.asarray(scored_at, dtype=np.int64), e, np.zeros((n, iterations + 1, 2)),
    )


def _theta(run: NACRun) -> np.ndarray[Any, np.dtype[np.float64]]:
    assert run.parameters is not None
    return run.parameters


def test_shapes_names_and_the_figure_reading(sis: X.Comparison) -> None:
    t, k = TINY_SIS.iterations, len(range(0, TINY_SIS.iterations, TINY_SIS.score_every))
    assert [r.name for r in sis.stochastic] == ["NAC", "DL-NAC (cold)", "DL-NAC (warm)"]
    for run in sis.stochastic:
        assert run.n_seeds == SEEDS and run.policies.shape == (SEEDS, t, 2, 2) and run.exploitability.shape == (SEEDS, k + 1)
    for run in sis.exact:
        assert run.n_seeds == 1 and np.array_equal(run.scored_at, sis.nac.scored_at)
    assert sis.figure_dl is sis.dl_cold and sis.other_dl is sis.dl_warm and sis.segment_length == 10
    # every run starts at the uniform policy, whose exploitability the whole comparison refers to
    np.testing.assert_allclose(np.concatenate([r.exploitability[:, 0] for r in (*sis.stochastic, *sis.exact)]), sis.initial, rtol=1e-12)
    assert sis.threshold == pytest.approx(X.THRESHOLD_FRACTION * sis.initial)


def test_the_ten_seeds_of_each_run_come_from_one_batched_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int, str]] = []

    def spy(name: str, fn: Callable[..., NACRun]) -> Callable[..., NACRun]:
        def wrapped(*args: Any, **kwargs: Any) -> NACRun:
            calls.append((name, kwargs.get("n_seeds", 1), type(kwargs["critic"]).__name__))
            return fn(*args, **kwargs)

        return wrapped

    monkeypatch.setattr("mfcode.experiments.nac_figures.nac", spy("nac", nac))
    monkeypatch.setattr("mfcode.experiments.nac_figures.dl_nac", spy("dl_nac", dl_nac))
    out = X.compare("SIS", SMALLEST, segment_length=5)
    assert all(run.n_seeds == X.N_SEEDS for run in out.stochastic)
    stochastic = [c for c in calls if c[2] == "ProjectedTD"]
    assert stochastic == [("nac", X.N_SEEDS, "ProjectedTD"), ("dl_nac", X.N_SEEDS, "ProjectedTD"), ("dl_nac", X.N_SEEDS, "ProjectedTD")]
    assert [c for c in calls if c[2] == "ExactCritic"] == [("nac", 1, "ExactCritic"), ("dl_nac", 1, "ExactCritic"), ("dl_nac", 1, "ExactCritic")]


def test_the_band_is_the_student_t_interval_over_the_seeds(sis: X.Comparison) -> None:
    c = sis.curve(sis.nac)
    e = sis.nac.exploitability
    later = e[:, 1:]  # the first column is the uniform policy's, the same for every seed
    lo, hi = stats.t.interval(0.95, df=e.shape[0] - 1, loc=later.mean(axis=0), scale=stats.sem(later, axis=0))
    np.testing.assert_allclose(c.mean, e.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(c.lower[1:], lo, rtol=1e-9)
    np.testing.assert_allclose(c.upper[1:], hi, rtol=1e-9)
    assert c.lower[0] == c.upper[0] == c.mean[0]
    assert np.all(c.lower <= c.mean) and np.all(c.mean <= c.upper)
    assert c.upper[-1] > c.lower[-1]  # the seeds differ: a band of positive width
    assert c.final == (c.mean[-1], c.lower[-1], c.upper[-1])
    assert sis.final_ratio == pytest.approx(c.upper[-1] / sis.initial)


def test_same_seed_same_runs_other_seed_other_runs() -> None:
    first, again, other = (X.compare("SIS", SMALLEST, segment_length=5, seed=seed, n_seeds=3) for seed in (3, 3, 4))
    for a, b, c in zip(first.stochastic, again.stochastic, other.stochastic, strict=True):
        np.testing.assert_array_equal(a.exploitability, b.exploitability)
        np.testing.assert_array_equal(_theta(a), _theta(b))
        assert not np.array_equal(_theta(a), _theta(c))
        # and the seeds of one batch differ from each other
        assert np.unique(_theta(a)[:, -1].round(12), axis=0).shape[0] == 3


def test_curve_statistics_by_hand() -> None:
    run = _run([[4.0, 1.0, 3.0, 0.5, 0.2], [4.0, 2.0, 2.5, 0.3, 0.4]], [0, 5, 10, 15, 19], 20)
    c = X.curve(run, threshold=1.0)
    # seed 0: rises 2.0; seed 1: rises 0.5 and 0.1 -> mean of the largest 1.25
    assert c.largest_rise == pytest.approx((2.0 + 0.5) / 2)
    assert c.total_variation == pytest.approx(((3 + 2 + 2.5 + 0.3) + (2 + 0.5 + 2.2 + 0.1)) / 2)
    assert c.total_rise == pytest.approx((2.0 + 0.6) / 2)
    # total variation = net drop + 2 x total rise, seed by seed
    drop = run.exploitability[:, 0] - run.exploitability[:, -1]
    assert c.total_variation == pytest.approx(drop.mean() + 2 * c.total_rise)
    # the mean is (4, 1.5, 2.75, 0.4, 0.3): at or below 1 from t = 15 on
    assert c.time_to_threshold == 15
    assert X.curve(run, threshold=0.1).time_to_threshold == 20  # never: the run's length
    assert X.curve(run, threshold=10.0).time_to_threshold == 0
    assert X.curve(_run([[3.0, 2.0, 1.0]], [0, 1, 2], 3), 0.0).largest_rise == 0.0


def test_actor_steps_recovered_from_theta_are_the_exact_actors(sis: X.Comparison) -> None:
    run, t = sis.exact_nac, sis.task
    norms = X.actor_step_norms(run, t.eta, sis.temperature)
    for step in (0, 7, TINY_SIS.iterations - 1):
        it = iterate_at(t.game, t.features, _theta(run)[:, step], run.mean_fields[:, step], sis.temperature)
        w = exact.ExactActor().estimate(it, t.features, exact.ExactCritic().estimate(it, t.features, np.random.default_rng(0)).q_hat, sis.radius, np.random.default_rng(0))
        assert norms[0, step] == pytest.approx(np.linalg.norm(w), rel=1e-8)
    # a cold restart discards the last step of every segment but the last
    cold = X.actor_step_norms(sis.dl_cold, t.eta, sis.temperature)
    assert np.isnan(cold[:, [9, 19]]).all() and np.isfinite(cold[:, :9]).all() and np.isfinite(cold[:, 29]).all()
    assert max(sis.clipping.values()) < 1.0  # clipping never acted at R = 1e4


def test_cold_restarts_return_to_the_uniform_policy(sis: X.Comparison) -> None:
    # at every segment start (iterations 10 and 20) the cold reading is back at the uniform policy
    starts = np.isin(sis.nac.scored_at, [10, 20])
    for run in (sis.dl_cold, sis.exact_dl_cold):
        np.testing.assert_allclose(run.exploitability[:, starts], sis.initial, rtol=1e-12)
        np.testing.assert_allclose(run.policies[:, [10, 20]], 0.5, rtol=0, atol=0)
    assert not np.allclose(sis.dl_warm.policies[:, [10, 20]], 0.5)


def test_on_lq_the_symmetric_start_freezes_the_mean_field_coupling(lq: X.Comparison) -> None:
    # LQ's kernel does not depend on mu and its reward only through the mean state, which stays at 12 from the
    # uniform start (the dynamics are symmetric about it): with exact oracles, NAC and warm DL-NAC take the same
    # steps, and every cold segment repeats the first
    x = np.arange(25)
    np.testing.assert_allclose(lq.exact_nac.mean_fields[0] @ x, 12.0, atol=1e-9)
    np.testing.assert_allclose(lq.exact_dl_warm.policies, lq.exact_nac.policies, atol=1e-9)
    e = lq.exact_dl_cold.exploitability[0]
    m = lq.segment_length
    at = lq.exact_dl_cold.scored_at
    first, later = e[at < m], e[(at >= m) & (at < 2 * m)]
    np.testing.assert_allclose(later, first, rtol=1e-9)
    # while the stochastic oracles break the symmetry a little
    assert np.abs(lq.nac.mean_fields[:, -1] @ x - 12.0).max() > 1e-9


def test_exact_oracle_nac_reaches_the_exact_ne_on_sis() -> None:
    check = X.exact_check("SIS", "ci")
    assert check.run.iterations == X.sizes("ci").sis.exact_iterations
    assert check.final_exploitability < 1e-9 and abs(check.equilibrium_exploitability) < 1e-12
    assert check.distance < 1e-4
    np.testing.assert_allclose(check.run.mean_fields[0, -1], check.equilibrium.mean_field, atol=1e-5)


def test_lq_has_two_equilibria_from_the_uniform_start() -> None:
    check = X.exact_check("LQ", "ci")
    nac_mean, solver_mean = check.mean_states
    # NAC stays on the symmetric NE (mean 12); the solver's fixed-point iteration leaves it for another, one of the two
    # mirror images (mean 11.5 or 12.5 under s -> 24 - s) -- which one depends on rounding (seen: 11.5 on an earlier
    # AVX2 machine, 12.5 on an AVX-512 one, with the same code)
    assert nac_mean == pytest.approx(12.0, abs=1e-6) and abs(solver_mean - 12.0) == pytest.approx(0.5, abs=1e-6)
    assert check.final_exploitability < 1e-8 and abs(check.equilibrium_exploitability) < 1e-10
    assert check.distance > 0.1


def test_torus_spread_closed_forms() -> None:
    uniform = np.full(25, 1 / 25)
    assert X.torus_spread(uniform) == pytest.approx(math.sqrt(2 * sum(k * k for k in range(1, 13)) / 25))
    point = np.eye(25)[3]
    assert X.torus_spread(point) == 0.0
    pair = 0.5 * (np.eye(25)[24] + np.eye(25)[1])  # two masses around 0, across the seam
    assert X.torus_spread(pair) == pytest.approx(1.0)
    assert X.torus_spread(np.stack([uniform, point, pair])).shape == (3,)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7).filter(lambda w: sum(w) > 1e-3), st.integers(0, 6))
def test_torus_spread_is_rotation_invariant_and_a_minimum_over_centres(weights: list[float], shift: int) -> None:
    mu = np.asarray(weights) / sum(weights)
    assert X.torus_spread(np.roll(mu, shift)) == pytest.approx(X.torus_spread(mu), abs=1e-12)
    gap = np.abs(np.arange(7)[:, None] - np.arange(7)[None, :])
    per_centre = np.sqrt(mu @ np.minimum(gap, 7 - gap) ** 2)
    assert X.torus_spread(mu) == pytest.approx(per_centre.min(), abs=1e-12)


def test_fig3_from_the_lq_comparison(lq: X.Comparison) -> None:
    f3 = X.fig3(lq)
    t = TINY_LQ.iterations
    assert f3.mean_fields.shape == (3, t + 1, 25) and f3.average.shape == (t + 1, 25) and f3.exact_mean_fields.shape == (t + 1, 25)
    assert f3.snapshots[0] == 0 and f3.snapshots[-1] == t and np.all(np.diff(f3.snapshots) > 0)
    np.testing.assert_allclose(f3.spread[:, 0], math.sqrt(52.0), rtol=1e-12)
    np.testing.assert_allclose(f3.entropy[:, 0], math.log(25), rtol=1e-12)
    # with the exact oracles the population concentrates within 20 iterations
    assert f3.exact_spread_ratio < 0.9 and f3.exact_spread[-1] < f3.exact_spread[0]
    assert f3.time_to_spread(1.0) == 0 and f3.time_to_spread(0.0) == t + 1
    first = f3.time_to_spread(0.9, exact=True)
    assert f3.exact_spread[first] <= 0.9 * f3.exact_spread[0] < f3.exact_spread[first - 1]
    with pytest.raises(ValueError, match="LQ"):
        X.fig3(X.compare("SIS", SMALLEST, segment_length=5, n_seeds=2))


def test_algorithm3_actor_stays_in_the_ball() -> None:
    c = X.compare("SIS", SMALLEST, segment_length=5, n_seeds=2, actor="algorithm3", radius=2.0)
    assert c.actor == "algorithm3"
    for run in c.stochastic:
        norms = X.actor_step_norms(run, c.task.eta, c.temperature)
        assert np.nanmax(norms) <= 2.0 * (1 + 1e-9)
    assert max(c.clipping.values()) <= 1.0 + 1e-9


def test_open_choices_cover_the_papers_gaps() -> None:
    ci, full = X.open_choices("ci"), X.open_choices("full")
    names = [c.name for c in full.rows]
    for needed in ("discount γ", "temperature λ", "horizon", "μ₀ and ρ", "features φ", "actor radius R", "critic radius B",
                   "critic samples K per iteration", "DL-NAC segment length M", "DL-NAC restart", "reward scale", "iterations T"):
        assert needed in names
    table = full.markdown().splitlines()
    assert len(table) == 2 + len(full.rows) and all(line.replace("\\|", "").count("|") == 5 for line in table)
    assert "<table" in full._repr_html_() and full._repr_html_().count("<tr>") == 1 + len(full.rows)
    t_ci = next(c.value for c in ci.rows if c.name == "iterations T")
    assert str(X.sizes("ci").sis.iterations) in t_ci and str(X.sizes("full").sis.iterations) in next(c.value for c in full.rows if c.name == "iterations T")


def test_bad_arguments_raise_errors_naming_them(sis: X.Comparison, lq: X.Comparison) -> None:
    with pytest.raises(ValueError, match="name"):
        X.task("garnet")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="size"):
        X.compare("SIS", (10, 20, 5, 10))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="actor"):
        X.compare("SIS", SMALLEST, segment_length=5, actor="sgd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reading"):
        X.compare("SIS", SMALLEST, segment_length=5, reading="hot")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="segment_length"):
        X.compare("SIS", SMALLEST, segment_length=3)
    with pytest.raises(ValueError, match="temperature"):
        X.compare("SIS", SMALLEST, temperature=0.0)
    with pytest.raises(ValueError, match="budget"):
        X.sizes("paper")
    with pytest.raises(ValueError, match="samples"):
        X.GameSizes(10, 5, 5, 10)
    with pytest.raises(ValueError, match="score_every"):
        X.GameSizes(10, 20, 50, 10)
    with pytest.raises(ValueError, match="threshold"):
        X.curve(sis.nac, -1.0)
    with pytest.raises(TypeError, match="run"):
        X.curve(sis.curve(sis.nac), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="comparison"):
        X.fig3(sis.nac)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_snapshots"):
        X.fig3(lq, n_snapshots=1)
