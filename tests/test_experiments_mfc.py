"""Tests for mfcode.experiments.mfc: the MFC chapter's experiments against exact and independent values.

Small sizes throughout (the budget tables are patched with tiny entries), so the whole file runs in
seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.experiments import mfc as E
from mfcode.mfc import MFCMDP, GridMDP, SchedulingModel, jsq_policy, profile_value, symmetric_value, value_iteration
from mfcode.mfc.dp import _backup, bellman_operator, decision_rule_grid

MODEL = SchedulingModel()
MDP = MFCMDP(MODEL)
EMPTY = int(MODEL.env_index(np.array([0, 0])))

SMALL_EXACT = E.ExactSizes(resolution=20, refinement=(4, 8, 16, 32, 64), contraction_resolution=10,
                           random_pairs=30, shifted_pairs=5, sweeps=300, tol=1e-8)
SMALL_FINITE_N = E.FiniteNSizes(resolution=20, n_agents=(1, 2, 3, 10, 20, 50, 100), lemma1_samples=3000,
                                monte_carlo_n_agents=(2, 4), runs=60, epsilon_n_agents=(1, 2, 3),
                                lemma1_n_agents=(1, 5), horizon=700)


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the ``ci`` sizes by tiny ones."""
    monkeypatch.setitem(E.EXACT_SIZES, "ci", SMALL_EXACT)
    monkeypatch.setitem(E.FINITE_N_SIZES, "ci", SMALL_FINITE_N)


def policy_from_table(p: np.ndarray) -> np.ndarray:
    """The stationary policy with p(x0) = h({1,2}, queue 1) from a 6 x 6 table."""
    pol = np.zeros((MODEL.n_env_states, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2, 0] = p.ravel()
    pol[:, 2, 1] = 1.0 - p.ravel()
    return pol


# ------------------------------------------------------------------------------------ budgets
def test_budget_tables_hold_the_books_sizes() -> None:
    assert E.exact_sizes("full").resolution + 1 == 2001
    assert E.exact_sizes("full").refinement[-1] + 1 == 4097
    assert E.exact_sizes("ci").refinement[-1] + 1 == 513
    assert E.exact_sizes("ci").contraction_resolution == E.exact_sizes("full").contraction_resolution == 200
    assert E.finite_n_sizes("full").runs == 500
    assert E.finite_n_sizes("ci").runs == 100
    for sizes in E.FINITE_N_SIZES.values():
        assert {1, 10, 100, 1000} <= set(sizes.n_agents)
        assert {1, 2, 10, 100} <= set(sizes.epsilon_n_agents)


def test_bad_budget_and_seed_are_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        E.exact_sizes("huge")
    with pytest.raises(TypeError, match="budget"):
        E.finite_n_sizes(1)  # type: ignore[arg-type]  # the wrong type is the point
    with pytest.raises(ValueError, match="seed"):
        E.contraction_study("ci", -1)
    with pytest.raises(TypeError, match="limit"):
        E.corollary1("not a limit", "ci")  # type: ignore[arg-type]  # the wrong type is the point


# -------------------------------------------------------------------------------- exact.ipynb
@pytest.mark.usefixtures("small")
def test_queue_optimum_exact_properties() -> None:
    opt = E.queue_optimum("ci")
    assert opt.n_rules == SMALL_EXACT.resolution + 1
    # the optimal table is a policy whose exact MFC value is the reported optimum
    assert MDP.policy_value(policy_from_table(opt.p_star))[EMPTY] == pytest.approx(opt.optimal_value, abs=1e-10)
    # value iteration on the same grid reaches the same optimum (eq. 27)
    grid = GridMDP.from_mdp(MDP, decision_rule_grid(MDP, SMALL_EXACT.resolution))
    assert value_iteration(grid, tol=1e-11).V[EMPTY] == pytest.approx(opt.optimal_value, abs=1e-9)
    # JSQ and the uniform split, from hand-built policies
    assert opt.jsq_value == pytest.approx(MDP.policy_value(jsq_policy(MODEL))[EMPTY], abs=1e-12)
    assert opt.uniform_value == pytest.approx(MDP.policy_value(policy_from_table(np.full((6, 6), 0.5)))[EMPTY], abs=1e-12)
    assert opt.optimal_value > opt.jsq_value > opt.uniform_value
    # symmetry of the instance: p*(b0, b1) + p*(b1, b0) = 1; JSQ is 1 above, 0 below, 1/2 on the diagonal
    np.testing.assert_allclose(opt.p_star + opt.p_star.T, 1.0, atol=1e-12)
    np.testing.assert_array_equal(opt.p_jsq, np.triu(np.ones((6, 6)), 1) + 0.5 * np.eye(6))
    expected = max(np.diff(opt.p_star, axis=0).max(), -np.diff(opt.p_star, axis=1).min())
    assert opt.monotonicity_violation == expected <= 0.0
    assert opt.gamma == 0.99


@pytest.mark.usefixtures("small")
def test_grid_refinement_is_monotone_along_nested_grids() -> None:
    ref = E.grid_refinement_study("ci")
    np.testing.assert_array_equal(ref.resolutions, SMALL_EXACT.refinement)
    assert np.all(np.diff(ref.values) >= -1e-12)  # nested grids: the optimum can only increase
    np.testing.assert_allclose(ref.gaps, ref.values[-1] - ref.values[:-1])
    assert ref.last_change == pytest.approx(ref.values[-1] - ref.values[-2])
    assert ref.finest_value == ref.values[-1]
    assert ref.slope_two[0] == ref.gaps[0]
    np.testing.assert_allclose(ref.slope_two[1:] / ref.slope_two[:-1], 0.25)
    assert ref.slope < -1.0


@pytest.mark.usefixtures("small")
def test_contraction_study_attains_gamma_and_bounds_the_errors() -> None:
    study = E.contraction_study("ci", 3)
    gamma = study.gamma
    assert study.ratios.size == SMALL_EXACT.random_pairs + SMALL_EXACT.shifted_pairs
    assert study.max_ratio <= gamma + 1e-12
    assert study.max_shifted_ratio == pytest.approx(gamma, abs=1e-12)  # Q2 = Q1 + c attains the modulus
    assert study.max_random_ratio < gamma
    np.testing.assert_array_equal(study.sweeps, np.arange(1, SMALL_EXACT.sweeps + 1))
    for run in study.runs:
        np.testing.assert_allclose(run.contraction_bound, run.start_error * gamma ** study.sweeps)
        assert np.all(run.errors <= run.contraction_bound * (1 + 1e-9) + 1e-12)  # Lemma 2
        assert run.gap <= SMALL_EXACT.tol
    assert study.runs[1].start_error > study.runs[0].start_error  # -R/(1-gamma) is the farther start
    assert study.fixed_point_gap == max(study.runs[0].gap, study.runs[1].gap)
    assert study.q_max <= study.q_bound
    again = E.contraction_study("ci", 3)
    np.testing.assert_array_equal(again.ratios, study.ratios)


# ----------------------------------------------------------------------------- finite_n.ipynb
@pytest.fixture
def limit(small: None) -> E.MeanFieldLimit:
    return E.mean_field_limit("ci")


def test_mean_field_limit_against_independent_values(limit: E.MeanFieldLimit) -> None:
    mf, jsq = limit.curves
    assert (mf.name, jsq.name) == ("mean-field", "jsq")
    assert jsq.limit == pytest.approx(MDP.policy_value(jsq_policy(MODEL))[EMPTY], abs=1e-12)
    for curve in limit.curves:
        # a profile of N equal policies (Poisson-binomial convolution) is the lifted policy (multinomial)
        for n in (2, 3):
            profile = np.broadcast_to(curve.policy, (n, *curve.policy.shape))
            assert curve.value_at(n) == pytest.approx(profile_value(MODEL, profile)[EMPTY], abs=1e-9)
        np.testing.assert_allclose(curve.gap, curve.limit - curve.values)
    assert np.all(np.diff(mf.gap) < 0)  # the gap shrinks monotonically
    assert limit.slope == pytest.approx(-1.0, abs=0.05)  # first order in 1/N
    assert limit.rate_constant == pytest.approx(mf.gap[-1] * 100)
    assert limit.c_over_n[-1] == pytest.approx(mf.gap[-1])
    assert np.all(limit.bound > np.abs(mf.gap))  # the derived Lipschitz bound holds
    assert mf.gaps_at((1, 10)) == {"N=1": float(mf.gap[0]), "N=10": float(mf.gap[3])}
    with pytest.raises(ValueError, match="n must be one of"):
        mf.value_at(7)


def test_sampling_checks_match_exact_values(limit: E.MeanFieldLimit) -> None:
    sampled = E.sampling_checks(limit, "ci", 0)
    conc = sampled.concentration
    assert conc.bound == 9.0
    assert conc.upper <= conc.bound
    # N = 1: G^1 is the one-hot of the agent's cell c, so E||G - EG||_1^2 = sum_c p_c (2 (1 - p_c))^2
    rules = np.random.default_rng(0).dirichlet(np.ones(2), size=(1, 3))[0]
    p = (MODEL.mu0[:, None] * rules).ravel()
    exact = float(np.sum(p * (2 * (1 - p)) ** 2))
    assert abs(conc.means[0] - exact) <= 4 * conc.standard_errors[0]
    assert len(conc.report().splitlines()) == 2
    mc = sampled.monte_carlo
    assert mc.runs == SMALL_FINITE_N.runs
    for curve, pol in zip(mc.curves, limit.curves, strict=True):
        assert curve.samples.shape == (SMALL_FINITE_N.runs, 2)
        np.testing.assert_allclose(curve.exact, [symmetric_value(MODEL, pol.policy, n)[EMPTY] for n in (2, 4)])
    assert mc.max_z < 4.0


def test_corollary1_exact_finite_n_optimum(limit: E.MeanFieldLimit) -> None:
    cor = E.corollary1(limit, "ci")
    np.testing.assert_array_equal(cor.n_agents, SMALL_FINITE_N.epsilon_n_agents)
    # for a single scheduler the finite-N optimum is JSQ, and there is nothing to average
    assert cor.optimum[0] == pytest.approx(symmetric_value(MODEL, jsq_policy(MODEL), 1)[EMPTY], abs=1e-9)
    assert cor.averaging[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(cor.epsilon >= -1e-12)  # the finite-N optimum beats every lifted policy
    np.testing.assert_allclose(cor.lifted, [limit.mean_field.value_at(n) for n in (1, 2, 3)], atol=1e-12)
    assert cor.finite_n_optimum_at(2) == pytest.approx(cor.optimum[1], abs=1e-12)
    assert cor.epsilon_at((1, 3)) == {"N=1": float(cor.epsilon[0]), "N=3": float(cor.epsilon[2])}
    assert cor.averaging_at((2,)) == {"N=2": float(abs(cor.averaging[1]))}
    assert cor.c_over_n[-1] == pytest.approx(cor.epsilon[-1])
    assert cor.report((1, 2)).splitlines()[0].startswith("N =    1: epsilon = ")


@pytest.mark.usefixtures("small")
def test_contraction_defect_is_zero_for_eq28_and_catches_wrong_operators() -> None:
    study = E.contraction_study("ci", 3)
    assert study.below_max_ratios.size == SMALL_EXACT.shifted_pairs
    assert study.max_below_max_ratio == 0.0  # the sup of eq. (28) does not see rules below the maximum
    assert study.contraction_defect <= 1e-12
    gamma = study.gamma
    # gamma applied twice: every ratio scaled by gamma, the shifted pairs give gamma^2
    twice = E.ContractionStudy(ratios=study.ratios * gamma, random_pairs=study.random_pairs,
                               below_max_ratios=study.below_max_ratios, sweeps=study.sweeps, runs=study.runs,
                               q_max=study.q_max, q_bound=study.q_bound, gamma=gamma)
    assert twice.contraction_defect == pytest.approx(gamma - gamma**2, abs=1e-12)
    # an operator that averages over the rules instead of taking the sup: changes below the max move BQ
    small_grid = GridMDP.from_mdp(MDP, decision_rule_grid(MDP, SMALL_EXACT.contraction_resolution))
    rng = np.random.default_rng(0)
    Q1 = rng.standard_normal((small_grid.n_states, small_grid.n_rules))
    Q2 = Q1 - (Q1.max(axis=1, keepdims=True) > Q1) * np.abs(rng.standard_normal(Q1.shape))
    averaged = [_backup(small_grid, q.mean(axis=1)) for q in (Q1, Q2)]  # eq. (28) with a mean in place of the sup
    assert np.abs(averaged[0] - averaged[1]).max() / np.abs(Q1 - Q2).max() > 1e-3
    exact = [bellman_operator(small_grid, q) for q in (Q1, Q2)]
    assert np.abs(exact[0] - exact[1]).max() == 0.0


def test_routing_variance_of_the_instance_and_of_full_access() -> None:
    # mu0 = (0.2, 0.2, 0.6): lifted p = 1/2 sends to queue 1 w.p. 0.2 + 0.3 = 0.5; a deterministic
    # profile w.p. 0.8 or 0.2, both of variance 0.16
    routing = E.routing_variance()
    assert routing.lifted == pytest.approx(0.25, abs=1e-15)
    assert routing.profile == pytest.approx(0.16, abs=1e-15)
    everyone = E.routing_variance(SchedulingModel(p_full_access=1.0))
    assert everyone.lifted == pytest.approx(0.25) and everyone.profile == pytest.approx(0.0)
    with pytest.raises(TypeError, match="model"):
        E.routing_variance(MDP)  # type: ignore[arg-type]  # the wrong type is the point


def test_truncation_bound_and_bound_orders(limit: E.MeanFieldLimit) -> None:
    mc = E.sampling_checks(limit, "ci", 0).monte_carlo
    expected = max(MODEL.gamma ** SMALL_FINITE_N.horizon * np.abs(symmetric_value(MODEL, pol.policy, n)).max()
                   for pol in limit.curves for n in SMALL_FINITE_N.monte_carlo_n_agents)
    assert mc.horizon == SMALL_FINITE_N.horizon
    assert mc.truncation_bound == pytest.approx(expected, rel=1e-12)
    assert mc.truncation_orders == pytest.approx(np.log10(expected))
    lo, hi = limit.bound_orders
    orders = np.log10(limit.bound / np.abs(limit.mean_field.gap))
    assert lo == pytest.approx(orders.min()) and hi == pytest.approx(orders.max())
    assert 0 < lo <= hi
