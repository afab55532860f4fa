"""mfcode.experiments.fig4 against exact values: JSQ as the "learned" policy, the finite-N optimum as NA, the artifact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from mfcode.experiments import fig4
from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel, finite_n_optimum, jsq_policy, symmetric_value

#: The repository (the book root); the tests know the layout, mfcode does not.
ROOT = Path(__file__).resolve().parents[1]
MODEL = SchedulingModel()
JSQ = jsq_policy(MODEL)
NS = (1, 2)
TRAINED = 2


def _arrays(policy: NDArray[np.float64]) -> dict[str, NDArray[Any]]:
    """Artifact arrays of a "learner" that is ``policy`` for MF, and NA / PS at N = 2 with the exact finite-N optimum's value."""
    rng = np.random.default_rng(7)
    optimum_2 = finite_n_optimum(MODEL, TRAINED).V[0]
    return {
        "mf_policy": policy, "mf_policy_avg": policy,
        "mf_curve_steps": np.array([4000, 8000, 12000]), "mf_curve_objective": np.array([-25.0, -20.0, -20.0]),
        "mf_curve_objective_stochastic": np.array([-24.0, -21.0, -20.5]),
        "n_agents": np.array(NS), "n_agents_trained": np.array([TRAINED]),
        "exact_mf": np.array([symmetric_value(MODEL, policy, n)[0] for n in NS]), "eval_mf": rng.normal(size=(2, 100)),
        "exact_na": np.array([optimum_2]), "eval_na": rng.normal(size=(1, 100)),
        "exact_ps": np.array([optimum_2 - 0.5]), "eval_ps": rng.normal(size=(1, 100)),
    }


@pytest.fixture(scope="module")
def learned() -> fig4.LearnedPolicies:
    return fig4.learned_policies(_arrays(JSQ), "ci", "synthetic")


@pytest.fixture(scope="module")
def values(learned: fig4.LearnedPolicies) -> fig4.MFCMDPValues:
    return fig4.mfc_mdp_values(learned, "ci")


def test_values_of_jsq_as_the_learner(values: fig4.MFCMDPValues) -> None:
    mdp = MFCMDP(MODEL)
    assert values.mf_value == values.jsq_value == pytest.approx(mdp.objective(JSQ), abs=1e-12)
    assert values.versus_jsq == 0.0 and values.relative_gap == values.averaged_gap
    # the grid optimum is an optimum: no worse than JSQ nor than any other table, and V* = V^{pi*}
    assert values.optimum_value >= values.jsq_value
    assert values.optimum_value == pytest.approx(float(mdp.policy_value(values.optimum.policy)[0]), abs=1e-9)
    assert values.relative_gap == pytest.approx((values.optimum_value - values.jsq_value) / abs(values.optimum_value))
    assert list(values.values) == ["exact MFC optimum", "MF-PPO (Gaussian mean)", "JSQ"]
    assert len(values.summary.splitlines()) == 3


def test_decision_rule_tables(learned: fig4.LearnedPolicies, values: fig4.MFCMDPValues) -> None:
    tables = fig4.decision_rule_tables(learned, values)
    assert [title for title, _ in tables.panels] == ["MF-PPO (mean over 500 samples)", "exact MFC optimum", "JSQ"]
    b0, b1 = np.meshgrid(np.arange(6), np.arange(6), indexing="ij")
    # JSQ sends a scheduler with access to both to the shorter queue, splitting ties
    np.testing.assert_array_equal(tables.jsq, np.where(b0 < b1, 1.0, np.where(b0 > b1, 0.0, 0.5)))
    np.testing.assert_array_equal(tables.optimum, values.optimum.policy[:, 2, 0].reshape(6, 6))
    assert tables.close_to_jsq == 1.0
    assert tables.max_gap_to_optimum == pytest.approx(float(np.abs(tables.jsq - tables.optimum).max()))


def test_learning_curve(learned: fig4.LearnedPolicies) -> None:
    curve = fig4.learning_curve(learned)
    assert curve.last_change == 8000  # the objective moves from step 4000 to 8000, then stays
    assert curve.interior_fraction == 0.0  # JSQ takes only the values 0, 1/2, 1
    mixed = JSQ.copy()
    mixed[:9, 2] = [0.3, 0.7]
    assert fig4.learning_curve(fig4.learned_policies(_arrays(mixed), "ci")).interior_fraction == pytest.approx(9 / 36)
    assert "8,000 of 12,000 steps" in curve.summary


def test_fig4a_scores_jsq_exactly_and_by_monte_carlo(learned: fig4.LearnedPolicies, values: fig4.MFCMDPValues) -> None:
    result = fig4.fig4a(learned, values, seed=3)
    assert [s.key for s in result.series] == ["mf", "jsq", "na", "ps"]
    jsq = result.series[1]
    exact = np.array([symmetric_value(MODEL, JSQ, n)[0] for n in NS])
    np.testing.assert_allclose(jsq.exact, exact, atol=1e-12)
    assert jsq.returns.shape == (2, learned.budget.n_eval_runs)
    # the budget's protocol: eval_horizon steps, one generator default_rng(seed) over the N in order
    rng = np.random.default_rng(3)
    for i, n in enumerate(NS):
        expected = NAgentSystem(MODEL, n).rollout(JSQ, learned.budget.eval_horizon, learned.budget.n_eval_runs, rng, discount=MODEL.gamma)
        np.testing.assert_array_equal(jsq.returns[i], expected)
        standard_error = jsq.returns[i].std(ddof=1) / np.sqrt(jsq.returns.shape[1])
        assert abs(jsq.returns[i].mean() - exact[i]) < 4 * standard_error
    np.testing.assert_allclose(result.optimum, [finite_n_optimum(MODEL, n).V[0] for n in NS], atol=1e-12)
    assert np.all(result.optimum >= exact - 1e-9)  # the finite-N optimum beats JSQ
    np.testing.assert_allclose(result.gap_na, [0.0], atol=1e-15)  # NA was given the optimum's value
    np.testing.assert_allclose(result.gap_ps, [0.5 / abs(result.optimum[1])])
    record = result.na_ps_record()
    assert record["N"] == [2] and record["optimum"] == [float(result.optimum[1])]
    assert result.trained_text == "2" and result.missing_text == "1"
    lines = result.table.splitlines()
    assert len(lines) == 3 and "NA, PS not trained" in lines[0] and "NA" in lines[2]


def test_gap_trends_need_every_n_from_4_on() -> None:
    def result(n_agents: list[int], trained: list[int]) -> fig4.Fig4a:
        gap = np.linspace(0.01, 0.05, len(trained))
        return fig4.Fig4a(n_agents=np.array(n_agents), trained=np.array(trained), series=(),
                          optimum=np.zeros(len(n_agents)), gap_na=gap, gap_ps=2 * gap)

    trends = result([1, 2, 4, 6, 8], [1, 2, 4, 6, 8]).gap_trends(4)
    assert [t.claim_id for t in trends] == ["mfc-fig4a-na-begin-to-fail", "mfc-fig4a-ps-begin-to-fail"]
    assert trends[1].measured() == pytest.approx({"N=4": 0.06, "N=6": 0.08, "N=8": 0.1})
    assert trends[0].n_agents.tolist() == [4, 6, 8]
    assert result([1, 2, 4, 6, 8], [1, 2, 4, 8]).gap_trends(4) == ()  # a missing part: not run
    assert result([1, 2, 4], [1, 2, 4]).gap_trends(4) == ()  # a single N from 4 on: no trend
    assert result([2], [2]).gap_trends(4) == ()  # the ci smoke run


def test_limit_approach(learned: fig4.LearnedPolicies, values: fig4.MFCMDPValues) -> None:
    approach = fig4.limit_approach(learned, values, (1, 10, 100))
    expected = [abs(values.jsq_value - symmetric_value(MODEL, JSQ, n)[0]) for n in (1, 10, 100)]
    np.testing.assert_allclose(approach.gap, expected, rtol=1e-12)
    assert list(approach.measured()) == ["N=1", "N=10", "N=100"]
    assert np.all(np.diff(approach.gap) < 0)  # Thm. 2: J^N -> J


def test_paper_scale_artifact() -> None:
    learned = fig4.load_or_train_learners("full", 0, artifact_dir=ROOT / "artifacts" / "mfc")
    assert learned.budget_name == "full" and learned.n_agents_trained.tolist() == [1, 2, 3, 4, 6, 8, 10]
    assert learned.description.startswith("learners: paper-scale artifact") and "not trained" not in learned.description
    values = fig4.mfc_mdp_values(learned, "full")
    # the values of the book's full-budget records of claims mfc-queue-ppo-competitive-with-jsq and mfc-queue-ppo-vs-jsq
    assert values.relative_gap == pytest.approx(0.0316113917673, rel=1e-9)
    assert values.versus_jsq == pytest.approx(0.00391118288778, rel=1e-9)
    assert fig4.decision_rule_tables(learned, values).close_to_jsq == pytest.approx(35 / 36)


def test_bad_input_names_the_argument(learned: fig4.LearnedPolicies, values: fig4.MFCMDPValues) -> None:
    with pytest.raises(ValueError, match="budget"):
        fig4.mfc_mdp_values(learned, "medium")
    with pytest.raises(ValueError, match="budget"):
        fig4.load_or_train_learners("medium", 0, ROOT / "artifacts" / "mfc")
    with pytest.raises(ValueError, match="seed"):
        fig4.load_or_train_learners("ci", -1, ROOT / "artifacts" / "mfc")
    with pytest.raises(TypeError, match="artifact_dir"):
        fig4.load_or_train_learners("full", 0, artifact_dir=3)  # type: ignore[arg-type]  # the wrong type is the point
    with pytest.raises(ValueError, match="arrays"):
        fig4.learned_policies({"mf_policy": JSQ}, "ci")
    with pytest.raises(ValueError, match="budget_name"):
        fig4.learned_policies(_arrays(JSQ), "medium")
    with pytest.raises(TypeError, match="learned"):
        fig4.learning_curve(values)  # type: ignore[arg-type]  # the wrong type is the point
    with pytest.raises(TypeError, match="values"):
        fig4.fig4a(learned, learned, 0)  # type: ignore[arg-type]  # the wrong type is the point
    with pytest.raises(ValueError, match="n_agents"):
        fig4.limit_approach(learned, values, (0,))


def test_training_plateau_of_synthetic_curves() -> None:
    arrays = _arrays(JSQ)
    flat = np.full((60, TRAINED), -20.0)
    flat[-20:] = -21.0  # the last window is 5% below the one before
    arrays["na_curve_return_N2"] = flat
    arrays["ps_curve_return_N2"] = np.full((60, 1), -20.0)
    learned = fig4.learned_policies(arrays, "ci", "synthetic")
    assert len(learned.returns_na) == 1 and learned.returns_na[0].shape == (60,)
    plateau = fig4.training_plateau(learned)
    assert plateau.window == 20
    assert plateau.change_na.tolist() == [pytest.approx(0.05)] and plateau.change_ps.tolist() == [0.0]
    assert plateau.largest_change(4) == pytest.approx(0.05)
    assert [(panel, n, it.size) for panel, n, it, _ in plateau.series] == [(0, 2, 60), (1, 2, 60)]
    assert len(plateau.summary.splitlines()) == 1
    short = dict(arrays, na_curve_return_N2=flat[:1], ps_curve_return_N2=flat[:1, :1])
    one = fig4.training_plateau(fig4.learned_policies(short, "ci"))
    assert one.window == 0 and one.largest_change(2) == 1.0  # a single iteration shows no plateau
    with pytest.raises(ValueError, match="up_to"):
        plateau.largest_change(1)
    with pytest.raises(ValueError, match="training curves"):
        fig4.training_plateau(fig4.learned_policies(_arrays(JSQ), "ci"))


def test_limit_curves(learned: fig4.LearnedPolicies, values: fig4.MFCMDPValues) -> None:
    far = fig4.limit_curves(learned, values, (1, 10, 100))
    expected = [symmetric_value(MODEL, JSQ, n)[0] for n in (1, 10, 100)]
    np.testing.assert_allclose(far.jsq, expected, rtol=1e-12)
    np.testing.assert_allclose(far.mf, expected, rtol=1e-12)  # the "learner" is JSQ
    assert far.mf_limit == values.mf_value and far.jsq_limit == values.jsq_value
    assert far.at(10) == {"MF-PPO": pytest.approx(expected[1]), "JSQ": pytest.approx(expected[1])}
    (name, key, curve, limit, distance), _ = far.series
    assert (name, key) == ("MF-PPO", "mf")
    np.testing.assert_allclose(distance, np.abs(limit - curve))
    with pytest.raises(ValueError, match="n must be one of"):
        far.at(7)
    with pytest.raises(ValueError, match="n_agents"):
        fig4.limit_curves(learned, values, ())


def test_paper_scale_training_curves_and_limit() -> None:
    learned = fig4.load_or_train_learners("full", 0, artifact_dir=ROOT / "artifacts" / "mfc")
    plateau = fig4.training_plateau(learned)
    assert plateau.window == 20 and plateau.n_agents.tolist() == [1, 2, 3, 4, 6, 8, 10]
    assert plateau.largest_change(4) == pytest.approx(0.0229407582567, rel=1e-9)
    values = fig4.mfc_mdp_values(learned, "full")
    assert values.jsq_gap_closed == pytest.approx(0.113584695408, rel=1e-9)
    assert fig4.decision_rule_tables(learned, values).ppo_monotonicity_violation == pytest.approx(0.102, abs=5e-4)
