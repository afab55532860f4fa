"""Tests for mfcode.mfc.dp: Bellman operator (eq. 28), value/policy iteration and their traces, grid refinement,
solve_mfc_mdp_on_grid against brute force and the closed-form toy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.arrays import FloatArray
from mfcode.mfc.dp import (
    POLICY_ITERATION_RTOL,
    GridMDP,
    bellman_operator,
    decision_rule_grid,
    grid_refinement,
    policy_evaluation,
    policy_iteration,
    simplex_grid,
    solve_mfc_mdp_on_grid,
    value_iteration,
)
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import MFCModel
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel


@dataclass(frozen=True)
class StaticModel(MFCModel):
    """|X0| = 1: V* = max_h r(G(mu0, h))/(1-gamma); r = G(0,0) + 2 G(1,1) - 3 G(0,0)^2."""

    gamma: float = 0.5

    @property
    def n_agent_states(self) -> int:
        return 2

    @property
    def n_actions(self) -> int:
        return 2

    @property
    def n_env_states(self) -> int:
        return 1

    @property
    def mu0(self) -> FloatArray:
        return np.array([0.5, 0.5])

    @property
    def env_init(self) -> FloatArray:
        return np.ones(1)

    def kernel(self, G: FloatArray) -> FloatArray:
        return np.ones((*np.shape(G)[:-2], 1, 1))

    def reward(self, G: FloatArray) -> FloatArray:
        G = np.asarray(G)
        return (G[..., 0, 0] + 2 * G[..., 1, 1] - 3 * G[..., 0, 0] ** 2)[..., None]


TOY = MFCMDP(BinaryToyModel(cost=1.0, gamma=0.9))
QUEUE = MFCMDP(SchedulingModel())
QUEUE_GRID = GridMDP.from_mdp(QUEUE, decision_rule_grid(QUEUE, 100))


def test_simplex_grid() -> None:
    g = simplex_grid(3, 4)
    assert g.shape == (comb(6, 2), 3)
    np.testing.assert_allclose(g.sum(1), 1.0)
    assert len({tuple(r) for r in g}) == g.shape[0]
    with pytest.raises(ValueError, match="resolution"):
        simplex_grid(2, 0)


def test_decision_rule_grid_respects_mask() -> None:
    rules = decision_rule_grid(QUEUE, 10)
    assert rules.shape == (11, 3, 2)
    np.testing.assert_allclose(rules[:, 2, 0], np.linspace(0, 1, 11))
    assert decision_rule_grid(MFCMDP(SchedulingModel(n_queues=3, buffer_size=1)), 2).shape == (3**3 * 6, 7, 3)


def test_toy_closed_form_optimum() -> None:
    """a* = gamma/(2c) = 0.45, V*(0) = gamma^2/(4c(1-gamma)) = 2.025, V*(1) = V*(0) + 1."""
    res = policy_iteration(GridMDP.from_mdp(TOY, decision_rule_grid(TOY, 100)))
    np.testing.assert_allclose(res.V, [2.025, 3.025], atol=1e-10)
    np.testing.assert_allclose(res.policy[:, 0, 1], [0.45, 0.45])
    vi = value_iteration(GridMDP.from_mdp(TOY, decision_rule_grid(TOY, 100)), tol=1e-9)
    np.testing.assert_allclose(vi.V, res.V, atol=1e-9)
    # cost small: a* = 1 (boundary) -> V*(0) = (gamma - c)/(1 - gamma)
    toy2 = MFCMDP(BinaryToyModel(cost=0.2, gamma=0.9))
    res2 = policy_iteration(GridMDP.from_mdp(toy2, decision_rule_grid(toy2, 20)))
    np.testing.assert_allclose(res2.V[0], (0.9 - 0.2) / 0.1, atol=1e-10)


def test_static_degenerate_case() -> None:
    """|X0| = 1: the MFC problem is a static optimisation, V* = max_h r/(1-gamma)."""
    mdp = MFCMDP(StaticModel())
    res = policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, 60)))
    # r = p/2 + 2*q/2 - 3 p^2/4 with p = h(0,0), q = h(1,1): p* = 1/3, q* = 1 -> r* = 1/12 + 1
    assert res.V[0] == pytest.approx((1 / 12 + 1) / 0.5)


@given(st.integers(0, 10**6), st.floats(0.1, 100.0))
@settings(max_examples=30, deadline=None)
def test_bellman_operator_is_gamma_contraction(seed: int, scale: float) -> None:
    """Lemma 2 / eq. (28): ||BQ1 - BQ2||_inf <= gamma ||Q1 - Q2||_inf."""
    rng = np.random.default_rng(seed)
    shape = (QUEUE_GRID.n_states, QUEUE_GRID.n_rules)
    Q1, Q2 = scale * rng.standard_normal(shape), scale * rng.standard_normal(shape)
    lhs = np.abs(bellman_operator(QUEUE_GRID, Q1) - bellman_operator(QUEUE_GRID, Q2)).max()
    assert lhs <= QUEUE_GRID.gamma * np.abs(Q1 - Q2).max() + 1e-9


def test_queue_optimum_fixed_point_bounds_and_greedy_optimality() -> None:
    """Thm 3 / Lemma 2: unique fixed point from two initialisations; greedy policy value = V*;
    |Q| <= R/(1-gamma)."""
    pi = policy_iteration(QUEUE_GRID)
    vi_a = value_iteration(QUEUE_GRID, tol=1e-8)
    vi_b = value_iteration(QUEUE_GRID, tol=1e-8, Q0=np.full((36, QUEUE_GRID.n_rules), -500.0))
    np.testing.assert_allclose(vi_a.Q, pi.Q, atol=1e-7)
    np.testing.assert_allclose(vi_b.Q, pi.Q, atol=1e-7)
    np.testing.assert_allclose(bellman_operator(QUEUE_GRID, pi.Q), pi.Q, atol=1e-9)
    np.testing.assert_allclose(policy_evaluation(QUEUE_GRID, pi.rule_index), pi.V, atol=1e-10)
    np.testing.assert_allclose(QUEUE.policy_value(pi.policy), pi.V, atol=1e-10)
    R = np.abs(QUEUE_GRID.rewards).max()
    assert np.abs(pi.Q).max() <= R / (1 - QUEUE.gamma)


def test_queue_optimal_rule_structure() -> None:
    """Symmetry p*(b1,b2) + p*(b2,b1) = 1, p*(b,b) = 1/2, monotone in each filling (claims 17, 19)."""
    res = policy_iteration(GridMDP.from_mdp(QUEUE, decision_rule_grid(QUEUE, 200)))
    p = res.policy[:, 2, 0].reshape(6, 6)
    np.testing.assert_allclose(p + p.T, 1.0, atol=1e-12)
    np.testing.assert_allclose(np.diag(p), 0.5)
    assert np.all(np.diff(p, axis=0) <= 1e-12)  # fuller queue 1 -> less to queue 1
    assert np.all(np.diff(p, axis=1) >= -1e-12)  # fuller queue 2 -> more to queue 1
    # the optimum is not JSQ: near the diagonal it splits (p*(0,1) ~ 0.57)
    assert 0.5 < p[0, 1] < 0.65


def test_grid_refinement_converges() -> None:
    """Nested grids: optimum non-decreasing, differences shrinking (Lemma 3 + compactness)."""
    res = grid_refinement(QUEUE, [5, 10, 20, 40, 80, 160])
    v = np.array([r.V[0] for r in res])
    assert np.all(np.diff(v) >= -1e-12)
    d = np.diff(v)
    assert np.all(d[1:] <= d[:-1] + 1e-12) and d[-1] < 5e-4
    with pytest.raises(ValueError, match="resolutions"):
        grid_refinement(QUEUE, [])


def test_errors() -> None:
    with pytest.raises(ValueError, match="Q"):
        bellman_operator(QUEUE_GRID, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="tol"):
        value_iteration(QUEUE_GRID, tol=0.0)
    with pytest.raises(RuntimeError, match="value iteration to tol=1e-12 did not reach"):
        value_iteration(QUEUE_GRID, tol=1e-12, max_iter=3)
    with pytest.raises(ValueError, match="Q0"):
        value_iteration(QUEUE_GRID, Q0=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="max_iter"):
        policy_iteration(QUEUE_GRID, max_iter=0)
    with pytest.raises(ValueError, match="rule_index"):
        policy_evaluation(QUEUE_GRID, np.full(36, QUEUE_GRID.n_rules))
    with pytest.raises(ValueError, match="resolution"):
        solve_mfc_mdp_on_grid(QUEUE, 0)
    with pytest.raises(ValueError, match="gamma"):
        GridMDP(QUEUE_GRID.rules, QUEUE_GRID.rewards, QUEUE_GRID.kernels, gamma=1.0)
    with pytest.raises(TypeError, match="grid"):
        policy_iteration(QUEUE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="grid"):
        value_iteration(QUEUE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="index"):
        policy_evaluation(QUEUE_GRID, np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match="mdp"):
        decision_rule_grid("queue", 3)  # type: ignore[arg-type]


@given(st.integers(1, 99), st.sampled_from([0.5, 0.8, 0.9, 0.95]))
@settings(max_examples=25, deadline=None)
def test_toy_optimum_property(k: int, gamma: float) -> None:
    """For every cost c with a* = gamma/(2c) = k/100 on the grid: V*(0) = gamma^2/(4c(1-gamma)), V*(1) = V*(0) + 1."""
    cost = gamma / (2 * k / 100)
    mdp = MFCMDP(BinaryToyModel(cost=cost, gamma=gamma))
    res = policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, 100)))
    v0 = gamma**2 / (4 * cost * (1 - gamma))
    np.testing.assert_allclose(res.V, [v0, v0 + 1.0], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(res.policy[:, 0, 1], k / 100)


def test_lemma3_continuity_estimate_on_adjacent_rules() -> None:
    """Lemma 3: |Q(x0,h) - Q(x0,h')| <= |r(x0,G(h)) - r(x0,G(h'))| + gamma ||V||_inf ||P0(x0,G(h)) - P0(x0,G(h'))||_1,
    checked for all neighbouring grid rules; the steps shrink with the grid spacing."""
    res = policy_iteration(QUEUE_GRID)
    dQ = np.abs(np.diff(res.Q, axis=1))  # (X0, K-1)
    dr = np.abs(np.diff(QUEUE_GRID.rewards, axis=0)).T
    dP = np.abs(np.diff(QUEUE_GRID.kernels, axis=0)).sum(axis=-1).T
    assert np.all(dQ <= dr + QUEUE.gamma * np.abs(res.V).max() * dP + 1e-9)
    coarse = policy_iteration(GridMDP.from_mdp(QUEUE, decision_rule_grid(QUEUE, 10)))
    assert dQ.max() < np.abs(np.diff(coarse.Q, axis=1)).max() / 5


def test_traces_of_value_and_policy_iteration() -> None:
    """The residual traces of mfcode.fixed_point.iterate: value iteration's sup-norm changes contract
    by gamma per sweep (Lemma 2) and end below tol (1 - gamma)/gamma; policy iteration's relative
    improvements end below POLICY_ITERATION_RTOL after a few exact evaluations."""
    grid = GridMDP.from_mdp(QUEUE, decision_rule_grid(QUEUE, 20))
    vi = value_iteration(grid, tol=1e-8)
    res = vi.residuals
    assert vi.n_iter == res.size > 100 and vi.residual == res[-1] <= 1e-8 * (1 - grid.gamma) / grid.gamma
    assert np.all(res[1:] <= grid.gamma * res[:-1] + 1e-12)  # up to rounding of Q ~ 1e2
    np.testing.assert_allclose(res[0], np.abs(grid.rewards).max())  # first sweep from Q0 = 0 is ||r||
    pi = policy_iteration(grid)
    assert 1 <= pi.n_iter < 10 and pi.residual <= POLICY_ITERATION_RTOL and np.all(pi.residuals[:-1] > POLICY_ITERATION_RTOL)


def test_solve_mfc_mdp_on_grid_against_brute_force() -> None:
    """Every stationary grid policy pi: X0 -> H_n of a small queue instance, evaluated independently by
    MFCMDP.policy_value (the model's own rows, no tabulated GridMDP): the best one per state is V*."""
    mdp = MFCMDP(SchedulingModel(buffer_size=1, gamma=0.9))  # 4 environment states
    n = 4
    rules = decision_rule_grid(mdp, n)  # 5 rules
    res = solve_mfc_mdp_on_grid(mdp, n)
    values = np.array([mdp.policy_value(rules[list(k)]) for k in itertools.product(range(rules.shape[0]), repeat=mdp.n_states)])
    np.testing.assert_allclose(res.V, values.max(axis=0), atol=1e-12)
    np.testing.assert_allclose(mdp.policy_value(res.policy), res.V, atol=1e-12)
    # one policy is optimal from every start state at once (Cor. 2)
    assert np.any(np.all(values >= values.max(axis=0) - 1e-12, axis=1))


@pytest.mark.parametrize(("cost", "gamma", "resolution"), [(1.0, 0.9, 100), (0.5, 0.8, 40), (0.2, 0.9, 10)])
def test_solve_mfc_mdp_on_grid_closed_form_toy(cost: float, gamma: float, resolution: int) -> None:
    """The toy's Bellman equation has a* = min(1, gamma/(2c)), V*(1) = V*(0) + 1 and
    V*(0) = (gamma a* - c a*^2)/(1 - gamma) (mfc/toy.py); a* lies on each of these grids."""
    a = min(1.0, gamma / (2 * cost))
    assert (a * resolution) % 1 == 0
    res = solve_mfc_mdp_on_grid(MFCMDP(BinaryToyModel(cost=cost, gamma=gamma)), resolution)
    v0 = (gamma * a - cost * a * a) / (1 - gamma)
    np.testing.assert_allclose(res.V, [v0, v0 + 1.0], atol=1e-10)
    np.testing.assert_allclose(res.policy[:, 0, 1], a, atol=1e-12)
