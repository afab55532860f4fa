"""mfcode.experiments.sparse: budgets, local convergence, baseline curves, the exact OWN value (003)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.experiments import sparse
from mfcode.queueing import exact, graphs, policies, simulator
from mfcode.queueing.system import QueueSystem


def test_sizes_budget_checked() -> None:
    assert sparse.sizes("full").dts == tuple(float(d) for d in range(1, 11))
    with pytest.raises(ValueError, match="budget"):
        sparse.sizes("paper")
    with pytest.raises(TypeError, match="budget"):
        sparse.sizes(1)  # type: ignore[arg-type]


def test_printed_sizes_that_disagree_with_the_formulas() -> None:
    wrong = [label for label, _, printed, formula in sparse.PRINTED_SIZES if printed != formula]
    assert len(wrong) == 3 and all("'" in w for w in wrong)
    assert {formula for _, _, printed, formula in sparse.PRINTED_SIZES if printed != formula} == {160, 121, 10000}


@pytest.mark.parametrize("depth", [3, 5, 8])
def test_bethe_tv_limit_matches_ball_laws(depth: int) -> None:
    g = graphs.bethe_lattice(depth)
    tv = graphs.total_variation(graphs.ball_law(g), graphs.limit_ball_law("bethe"))
    assert abs(tv - sparse.bethe_tv_limit(depth)) < 1e-12


def test_local_convergence_ci() -> None:
    lc = sparse.local_convergence("ci", 0)
    for family in ("cycle", "torus", "ccc"):
        assert lc.families[family].tv[-1] == 0.0 and lc.families[family].tv[0] == 1.0
    cm = lc.families["cm"].tv
    assert cm[-1] < cm[0] and cm[-1] < 0.05
    bethe = lc.families["bethe"]
    assert np.all(bethe.tv > 0.74) and abs(bethe.leaf_fraction[-1] - 0.5) < 0.01


def test_evaluate_common_random_numbers_and_normalizations() -> None:
    graph = graphs.torus(5)
    curves = sparse.evaluate(graph, sparse.baselines(), (1.0, 4.0), n_episodes=3, seed=1, drops="expected")
    assert curves.names == ("JSQ", "RND", "OWN") and curves.per_episode.shape == (3, 3, 2)
    np.testing.assert_array_equal(curves.per_episode[1], curves.per_episode[2])
    np.testing.assert_allclose(curves.episode_times, [50.0, 200.0])
    np.testing.assert_allclose(curves.drops("per-50-time-units")[:, :, 1], curves.per_episode[:, :, 1] * 50 / (50 * 4.0))
    direct = simulator.run_episodes(graph, policies.JoinShortestQueue(), QueueSystem(dt=4.0), n_episodes=3, seed=1, drops="expected")
    np.testing.assert_allclose(curves.per_episode[0, :, 1], direct.drops_per_queue())
    gap, half = curves.paired_gap("RND", "OWN", "per-episode")
    np.testing.assert_array_equal(gap, 0.0)
    np.testing.assert_array_equal(half, 0.0)
    with pytest.raises(ValueError, match="normalization"):
        curves.drops("per-epoch")


def test_paired_gap_is_student_t_interval() -> None:
    curves = sparse.evaluate(graphs.configuration_model(60, 2), sparse.baselines(), (2.0,), n_episodes=5, seed=0, drops="sampled")
    gap, half = curves.paired_gap("RND", "OWN", "per-episode")
    diff = curves.per_episode[1, :, 0] - curves.per_episode[2, :, 0]
    assert gap[0] == pytest.approx(diff.mean())
    assert half[0] == pytest.approx(2.7764451051977987 * diff.std(ddof=1) / np.sqrt(5))  # t(0.975, 4)
    own = curves.per_episode[2, :, 0]
    assert curves.half_width("OWN", "per-episode")[0] == pytest.approx(2.7764451051977987 * own.std(ddof=1) / np.sqrt(5))


def test_evaluate_over_a_time_span() -> None:
    graph = graphs.torus(6)
    curves = sparse.evaluate(graph, (policies.SendToOwn(),), (3.0, 10.0), n_episodes=4, seed=2, drops="expected", span=50.0)
    np.testing.assert_allclose(curves.episode_times, 50.0)
    np.testing.assert_allclose(curves.drops("per-50-time-units"), curves.per_episode)
    direct = simulator.run_episodes(graph, policies.SendToOwn(), QueueSystem(dt=3.0).spanning(50.0), n_episodes=4, seed=2, drops="expected")
    np.testing.assert_allclose(curves.per_episode[0, :, 0], direct.drops_per_queue())


def test_evaluate_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="n_episodes"):
        sparse.evaluate(graphs.cycle(5), sparse.baselines(), (1.0,), n_episodes=1, seed=0, drops="expected")
    with pytest.raises(ValueError, match="dts"):
        sparse.evaluate(graphs.cycle(5), sparse.baselines(), (), n_episodes=2, seed=0, drops="expected")
    with pytest.raises(ValueError, match="dts"):
        sparse.evaluate(graphs.cycle(5), sparse.baselines(), (0.0,), n_episodes=2, seed=0, drops="expected")
    with pytest.raises(ValueError, match="drops"):
        sparse.evaluate(graphs.cycle(5), sparse.baselines(), (1.0,), n_episodes=2, seed=0, drops="mean")


def test_own_exact_vs_simulated_ci() -> None:
    result = sparse.own_exact_vs_simulated("ci", 0)
    np.testing.assert_allclose(result.exact, [exact.own_episode_drops(QueueSystem(dt=d)).sum() for d in (1.0, 10.0)])
    assert np.all(np.abs(result.path_gap) <= result.path_half_width)
    assert np.all(result.path_half_width < result.half_width)  # conditioning on the regime path removes the common noise
    assert result.n_nodes == sparse.sizes("ci").cycle_n


def test_fig10b_has_sed_and_fig10a_large_buffer() -> None:
    b = sparse.fig10b("ci", 0)
    assert b.names[0] == "SED" and b.per_episode.shape[0] == 4
    a = sparse.fig10a("ci", 0)
    assert a.episode_times.tolist() == [1000.0] and a.dts.tolist() == [5.0]  # T = 200 epochs of 5


def _curves(name: str, values: dict[str, list[list[float]]], dts: tuple[float, ...] = (1.0, 2.0)) -> sparse.Curves:
    """Curves with given per-episode drops ``values[policy] = [[episode 1 per dt], ...]``."""
    per_episode = np.array([values[k] for k in values], dtype=float)
    return sparse.Curves(name, tuple(values), np.array(dts), per_episode, 50.0 * np.array(dts), "sampled")


def test_summaries_on_hand_made_curves() -> None:
    a = _curves("a", {"JSQ": [[1.0, 9.0], [1.2, 9.2]], "RND": [[2.0, 5.0], [2.2, 5.0]], "OWN": [[3.0, 5.0], [3.0, 5.2]]})
    b = _curves("b", {"JSQ": [[1.5, 9.0], [1.5, 9.0]], "RND": [[1.8, 5.0], [1.8, 5.0]], "OWN": [[1.7, 5.0], [1.9, 5.0]]})
    by_graph = {"a": a, "b": b}
    assert sparse.smallest_margin(by_graph, "JSQ", ("RND", "OWN"), "per-episode", 0) == pytest.approx(0.3)
    assert sparse.largest_difference(by_graph, "OWN", "RND", "per-episode") == pytest.approx(0.9)
    shifted = _curves("d", {"RND": [[2.0], [2.1], [2.3]], "OWN": [[3.0], [3.1], [3.3]]}, dts=(1.0,))
    assert sparse.significant_difference(shifted, "RND", "OWN", "per-episode") == pytest.approx(1.0)  # paired: no spread
    noisy = _curves("c", {"RND": [[1.0, 1.0], [1.1, 1.2]], "OWN": [[1.1, 1.2], [1.0, 1.0]]})
    assert sparse.significant_difference(noisy, "RND", "OWN", "per-episode") < 0.0
    sizes_n, spread = sparse.episode_spread({5: a, 3: b}, "RND", "per-episode")
    np.testing.assert_array_equal(sizes_n, [3, 5])
    np.testing.assert_allclose(spread[1], a.per_episode[1].std(axis=0, ddof=1))


def test_ranking_disagreements_counts_resolved_sign_flips() -> None:
    big = _curves("n=100", {"JSQ": [[1.0, 9.0], [1.1, 9.1], [0.9, 9.0]], "RND": [[2.0, 5.0], [2.1, 5.1], [1.9, 5.0]]})
    same = _curves("n=10", {"JSQ": [[1.0, 8.0], [1.2, 8.1], [1.1, 8.0]], "RND": [[2.0, 5.0], [2.0, 5.2], [2.1, 5.1]]})
    flipped = _curves("n=20", {"JSQ": [[3.0, 8.0], [3.2, 8.1], [3.1, 8.0]], "RND": [[2.0, 5.0], [2.0, 5.2], [2.1, 5.1]]})
    assert sparse.ranking_disagreements({100: big, 10: same}, "JSQ", "RND", "per-episode") == 0
    assert sparse.ranking_disagreements({100: big, 10: same, 20: flipped}, "JSQ", "RND", "per-episode") == 1


def test_local_convergence_table_lists_every_family() -> None:
    text = sparse.local_convergence("ci", 0).table()
    assert text.count("\n") == 4 and "bethe" in text and "N=5001" in text


def test_expected_vs_sampled_ci() -> None:
    comparison = sparse.expected_vs_sampled("ci", 0)
    np.testing.assert_array_equal(comparison.sizes, sparse.sizes("ci").estimate_sizes)
    assert comparison.gap_ratio("per-50-time-units") <= 1.0  # the same mean
    assert comparison.spread_ratio() < 0.9  # less spread around the exact value given the regime path
    n = int(comparison.sizes[0])
    assert comparison.sampled[n].estimate == "sampled" and comparison.expected[n].estimate == "expected"
    # the exact path values are OWN's mean given the path, for either estimate
    for estimate in ("sampled", "expected"):
        residual = comparison.own_residuals(n, estimate)
        assert np.all(np.abs(residual.mean(axis=0)) < 4 * residual.std(axis=0, ddof=1) / np.sqrt(residual.shape[0]))


def test_gap_and_spread_ratios_on_hand_made_curves() -> None:
    counted = _curves("a", {"OWN": [[1.0], [2.0], [3.0]]}, dts=(1.0,))
    shifted = _curves("a", {"OWN": [[0.0], [1.1], [1.9]]}, dts=(1.0,))  # differences 1.0, 0.9, 1.1
    exact_own = np.array([[1.0], [1.0], [2.0]])
    comparison = sparse.EstimateComparison({5: counted}, {5: shifted}, {5: exact_own})
    half = 9.924843200918275 * 0.1 / np.sqrt(3)  # t(0.995, 2): one comparison, family level 0.99
    assert comparison.gap_ratio("per-episode") == pytest.approx(1.0 / half)
    # residuals: counted 0, 1, 1; expected -1, 0.1, -0.1
    assert comparison.spread_ratio() == pytest.approx(np.sqrt((1 + 0.01 + 0.01) / 2))
