"""Tests of mfcode.experiments.mfc_theorems against exact and independent values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from mfcode.experiments import mfc_theorems as th
from mfcode.mfc import MFCMDP, SchedulingModel, finite_n_optimum, jsq_policy, symmetric_value


@pytest.fixture(scope="module")
def model() -> SchedulingModel:
    return SchedulingModel()


def test_sizes_by_budget_and_argument_errors() -> None:
    assert th.theorems_sizes("ci").tail_samples < th.theorems_sizes("full").tail_samples
    with pytest.raises(TypeError, match="budget"):
        th.theorems_sizes(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget"):
        th.theorems_sizes("huge")
    with pytest.raises(ValueError, match="which"):
        th.tail_study("ci", 0, "lemma2")
    with pytest.raises(ValueError, match="seed"):
        th.mean_identities("ci", -1)
    with pytest.raises(ValueError, match="n_agents"):
        th.uniform_convergence("ci", 0, n_agents=(1, 10))
    with pytest.raises(ValueError, match="n_agents"):
        th.averaging_study("ci", 0, n_agents=(10, 5, 20))
    with pytest.raises(TypeError, match="n_agents"):
        th.averaging_study("ci", 0, n_agents=10)  # type: ignore[arg-type]


def test_random_policies_are_policies_and_reproducible(model: SchedulingModel) -> None:
    a = th.random_policies(model, 3, seed=5)
    assert a.shape == (3, model.n_env_states, model.n_agent_states, model.n_actions)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(a, th.random_policies(model, 3, seed=5))
    assert not np.array_equal(a, th.random_policies(model, 3, seed=6))
    with pytest.raises(TypeError, match="model"):
        th.random_policies("queues", 3, seed=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        th.random_policies(model, 0, seed=0)


def test_expected_empirical_distribution_against_enumeration(model: SchedulingModel) -> None:
    # brute force over all (x, u) outcomes of two agents with different rules
    rng = np.random.default_rng(1)
    rules = rng.dirichlet(np.ones(2), size=(2, 3))
    cells = model.mu0[None, :, None] * rules  # (2, X, U): P(agent i in cell (x, u))
    flat = cells.reshape(2, -1)
    expected = np.zeros(6)
    for a, b in itertools.product(range(6), repeat=2):
        expected[a] += flat[0, a] * flat[1, b] / 2
        expected[b] += flat[0, a] * flat[1, b] / 2
    np.testing.assert_allclose(th.expected_empirical_distribution(model, rules).ravel(), expected, atol=1e-15)
    # one agent: the cell probabilities themselves
    np.testing.assert_allclose(th.expected_empirical_distribution(model, rules[:1]), cells[0], atol=1e-15)
    with pytest.raises(ValueError, match="rules"):
        th.expected_empirical_distribution(model, rules[0])
    with pytest.raises(ValueError, match="rules"):
        th.expected_empirical_distribution(model, np.ones((2, 3, 2)))


def test_mean_identities_hold_and_detect_a_wrong_average() -> None:
    result = th.mean_identities("ci", 0)
    assert result.max_eq18 < 1e-13 and result.max_eq23 < 1e-13
    assert result.wrong_average[0] == 0.0  # one agent: its rule is the average
    assert result.wrong_average[1:].min() > 0.05
    assert len(result.report().splitlines()) == result.n_agents.size


def test_tail_study_properties_from_given_counts() -> None:
    study = th.TailStudy(name="lemma1", n_agents=np.array([10, 100]), epsilons=np.array([0.5, 1.0]), n_samples=1000,
                         hits=np.array([[300, 5], [0, 0]]), bound=np.array([[3.6, 0.9], [0.36, 0.09]]), constant=9.0,
                         mean_square=np.array([3.0, 3.0]))
    np.testing.assert_allclose(study.frequency, [[0.3, 0.005], [0.0, 0.0]])
    # Clopper-Pearson: zero hits -> upper 1 - 0.025^(1/n); otherwise the beta quantiles
    assert study.upper[1, 0] == pytest.approx(1 - 0.025 ** (1 / 1000))
    assert study.lower[1, 0] == 0.0
    ci = stats.binomtest(5, 1000).proportion_ci(0.95, method="exact")
    assert (study.lower[0, 1], study.upper[0, 1]) == pytest.approx((ci.low, ci.high))
    assert study.n_informative == 3
    assert study.max_excess == pytest.approx(max(study.upper[0, 1] - 0.9, study.upper[1, 0] - 0.36, study.upper[1, 1] - 0.09))
    np.testing.assert_allclose(study.scaled_epsilons, [[0.5 * 10**0.5, 10**0.5], [5.0, 10.0]])
    none = th.TailStudy(name="eq24", n_agents=np.array([10]), epsilons=np.array([1.0]), n_samples=10, hits=np.array([[0]]),
                        bound=np.array([[3.6]]), constant=36.0, mean_square=np.array([6.0]))
    with pytest.raises(ValueError, match="bound below 1"):
        _ = none.max_excess


@pytest.mark.parametrize(("which", "constant"), [("lemma1", 9.0), ("eq24", 36.0)])
def test_tail_study_bounds_and_frequencies(which: str, constant: float) -> None:
    study = th.tail_study("ci", 0, which)
    sizes = th.theorems_sizes("ci")
    assert study.constant == constant
    np.testing.assert_allclose(study.bound, constant / (np.array(sizes.epsilons)[None] ** 2 * np.array(sizes.tail_n_agents)[:, None]))
    assert np.all(np.diff(study.hits, axis=1) <= 0)  # fewer draws beyond a larger threshold
    assert np.all(study.mean_square > 0) and np.all(study.mean_square < constant)  # Lemma 1 (i) / the line before eq. (24)
    assert study.max_excess < 0


def test_uniform_convergence_against_independent_values(model: SchedulingModel) -> None:
    result = th.uniform_convergence("ci", 0, n_agents=(1, 10, 100, 1000))
    assert result.names[:2] == ("optimum", "jsq") and len(result.names) == 12
    mdp = MFCMDP(model)
    empty = int(model.env_index(np.array([0, 0])))
    jsq = jsq_policy(model)
    assert result.limits[1] == pytest.approx(mdp.policy_value(jsq)[empty], abs=1e-12)
    assert result.values[1, 1] == pytest.approx(symmetric_value(model, jsq, 10)[empty], abs=1e-12)
    # the grid optimum beats every other policy in the MFC MDP
    assert np.all(result.limits[0] >= result.limits[1:])
    # N = 1 with JSQ is the exact finite-N optimum of a single scheduler (book/mfc/finite_n.ipynb)
    assert result.values[1, 0] == pytest.approx(finite_n_optimum(model, 1).V[empty], abs=1e-9)
    assert np.all(np.diff(result.sup_gap) < 0)
    assert -1.1 < result.slope < -0.9
    assert result.trivial_bound == pytest.approx(2 * 1.367 / 0.01, rel=1e-3)
    assert result.bound_vacuous
    assert set(result.sup_gaps_at((1, 1000))) == {"N=1", "N=1000"}
    assert result.bound_slack > 1
    with pytest.raises(ValueError, match="n must be one of"):
        result.sup_gaps_at((7,))


def test_averaging_study_exact_properties(model: SchedulingModel) -> None:
    result = th.averaging_study("ci", 0, n_agents=(1, 2, 10, 20))
    assert result.names[0] == "finite-N optimum"
    np.testing.assert_allclose(result.gaps[:, 0], 0.0, atol=1e-10)  # one agent is its own average
    # the finite-N optimum is optimal over all profiles, so at least as good as its average
    assert np.all(result.profile_values[0] >= result.average_values[0] - 1e-10)
    empty = int(model.env_index(np.array([0, 0])))
    np.testing.assert_allclose(result.profile_values[0], [finite_n_optimum(model, n).V[empty] for n in (1, 2, 10, 20)], atol=1e-9)
    assert np.all(np.diff(result.sup_gap[1:]) < 0)
    assert result.worst[1] in result.names
    assert len(result.report((2, 20)).splitlines()) == 2
