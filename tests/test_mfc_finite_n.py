"""Tests for mfcode.mfc.finite_n: exact J^N, the exact finite-N optimum, Thm 1/2, Cor. 1."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.mfc.combinatorics import compositions
from mfcode.mfc.dp import GridMDP, decision_rule_grid, policy_iteration
from mfcode.mfc.finite_n import (
    class_probabilities,
    class_representatives,
    count_law,
    finite_n_optimum,
    profile_value,
    symmetric_value,
    vertex_rules,
)
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel

TOY = BinaryToyModel(cost=1.0, gamma=0.9)
QUEUE = SchedulingModel()


def toy_policy(a: float) -> np.ndarray:
    return np.tile(np.array([[[1 - a, a]]]), (2, 1, 1))


def queue_policy(p: np.ndarray | float) -> np.ndarray:
    pol = np.zeros((36, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2, 0] = p
    pol[:, 2, 1] = 1 - np.asarray(p)
    return pol


@given(st.integers(1, 5), st.integers(2, 3), st.integers(0, 10**6))
@settings(max_examples=25, deadline=None)
def test_count_law_matches_enumeration(N: int, C: int, seed: int) -> None:
    p = np.random.default_rng(seed).dirichlet(np.ones(C), size=N)
    law = count_law(p)
    comps = compositions(N, C)
    ref = {tuple(c): 0.0 for c in comps}
    for labels in itertools.product(range(C), repeat=N):
        ref[tuple(np.bincount(labels, minlength=C))] += np.prod(p[np.arange(N), labels])
    np.testing.assert_allclose(law, [ref[tuple(c)] for c in comps], atol=1e-13)


@pytest.mark.parametrize(("N", "expected"), [(1, -0.45), (2, 0.7875), (5, 1.53), (10, 1.7775)])
def test_toy_symmetric_value_closed_form(N: int, expected: float) -> None:
    """J^N(pi^N(a*))(0) = (gamma a - c(a^2 + a(1-a)/N))/(1-gamma), a* = 0.45."""
    assert symmetric_value(TOY, toy_policy(0.45), N)[0] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("N", "expected"), [(1, 0.0), (2, 2.0), (5, 2.0), (10, 2.0)])
def test_toy_finite_n_optimum_closed_form(N: int, expected: float) -> None:
    """sup J^N = max_k (gamma k/N - c (k/N)^2)/(1-gamma) (vertex argument)."""
    opt = finite_n_optimum(TOY, N)
    assert opt.V[0] == pytest.approx(expected, abs=1e-10)
    ref = max((0.9 * k / N - (k / N) ** 2) / 0.1 for k in range(N + 1))
    assert opt.V[0] == pytest.approx(ref, abs=1e-10)


@given(st.integers(1, 8), st.integers(0, 8))
@settings(max_examples=30, deadline=None)
def test_toy_asymmetric_vs_averaged_gap(N: int, k: int) -> None:
    """Thm 2 on the toy: deterministic profile with k of N agents playing 1 vs its average a = k/N:
    the gap is exactly c a(1-a)/(N(1-gamma))."""
    k = min(k, N)
    prof = np.stack([toy_policy(1.0)] * k + [toy_policy(0.0)] * (N - k))
    a = k / N
    gap = profile_value(TOY, prof)[0] - symmetric_value(TOY, toy_policy(a), N)[0]
    assert gap == pytest.approx(a * (1 - a) / (N * 0.1), abs=1e-10)


def test_profile_of_identical_policies_is_symmetric_value() -> None:
    rng = np.random.default_rng(0)
    pol = queue_policy(rng.random(36))
    np.testing.assert_allclose(profile_value(QUEUE, np.stack([pol] * 4)), symmetric_value(QUEUE, pol, 4), atol=1e-9)


def test_symmetric_value_against_monte_carlo() -> None:
    """Exact J^N (linear solve) vs 4000 simulated discounted runs of the N-agent system."""
    model = SchedulingModel(gamma=0.9)
    pol = queue_policy(np.linspace(0, 1, 36))
    N, runs = 3, 4000
    returns = NAgentSystem(model, N).rollout(pol, 200, runs, np.random.default_rng(5), discount=0.9)
    exact = symmetric_value(model, pol, N)[0]
    assert abs(returns.mean() - exact) < 4 * returns.std() / np.sqrt(runs)
    # and it differs measurably from the mean-field value at this N
    assert MFCMDP(model).objective(pol) - exact > 8 * returns.std() / np.sqrt(runs)


@given(st.integers(1, 3), st.integers(0, 10**6))
@settings(max_examples=10, deadline=None)
def test_vertex_optimum_dominates_random_profiles(N: int, seed: int) -> None:
    """Claim 22: random interior decentralised profiles never beat the vertex optimum; the
    optimum's own profile attains it."""
    model = SchedulingModel(buffer_size=2, gamma=0.8)
    opt = finite_n_optimum(model, N)
    rng = np.random.default_rng(seed)
    prof = np.stack([queue_policy_small(model, rng.random(model.n_env_states)) for _ in range(N)])
    assert np.all(profile_value(model, prof) <= opt.V + 1e-10)
    np.testing.assert_allclose(profile_value(model, opt.profile()), opt.V, atol=1e-10)


def queue_policy_small(model: SchedulingModel, p: np.ndarray) -> np.ndarray:
    pol = np.zeros((model.n_env_states, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2, 0], pol[:, 2, 1] = p, 1 - p
    return pol


def test_vertex_rules_of_queue() -> None:
    rules = vertex_rules(QUEUE)
    assert rules.shape == (2, 3, 2)
    np.testing.assert_allclose(np.sort(class_probabilities(QUEUE, rules)[:, 1]), [0.2, 0.8])


def test_theorem1_and_corollary1_on_queue() -> None:
    """J^N(pi^N(pi*)) -> J(pi*) with gap ~ c/N (Thm 1, measured rate); eps(N) >= 0 and -> 0 (Cor. 1)."""
    mdp = MFCMDP(QUEUE)
    pi_star = policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, 200))).policy
    J = mdp.objective(pi_star)
    Ns = np.array([5, 10, 20, 50, 100])
    JN = np.array([symmetric_value(QUEUE, pi_star, int(n))[0] for n in Ns])
    gaps = J - JN
    assert np.all(gaps > 0) and np.all(np.diff(gaps) < 0)
    assert np.ptp(gaps * Ns) / np.mean(gaps * Ns) < 0.02  # O(1/N) with a stable constant
    eps = np.array([finite_n_optimum(QUEUE, int(n)).V[0] for n in (5, 20, 50)]) - JN[[0, 2, 3]]
    assert np.all(eps > 0) and np.all(np.diff(eps) < 0)


def test_errors() -> None:
    with pytest.raises(ValueError, match="policy"):
        symmetric_value(QUEUE, np.ones((3, 3, 2)) / 2, 3)
    with pytest.raises(ValueError, match="policies"):
        profile_value(QUEUE, np.ones((36, 3, 2)) / 2)
    with pytest.raises(ValueError, match="n_agents"):
        finite_n_optimum(QUEUE, 0)
    with pytest.raises(ValueError, match="n_agents"):
        symmetric_value(QUEUE, queue_policy(0.5), 0)
    with pytest.raises(TypeError, match="model"):
        symmetric_value("queue", queue_policy(0.5), 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="per_agent"):
        count_law(np.ones(3))


def test_profile_value_against_agent_level_monte_carlo() -> None:
    """Exact J^N of two different policies vs agent-by-agent simulation (profile path of rollout)."""
    model = SchedulingModel(gamma=0.8)
    prof = np.stack([queue_policy_small(model, np.linspace(0, 1, 36)), queue_policy_small(model, np.full(36, 0.9))])
    runs = 3000
    returns = NAgentSystem(model, 2).rollout(prof, 100, runs, np.random.default_rng(11), discount=0.8)
    exact = profile_value(model, prof)[0]
    assert abs(returns.mean() - exact) < 4 * returns.std() / np.sqrt(runs)


def test_three_queues_exact_values_and_optimum() -> None:
    """General M: with M = 3 (six routing classes, inaccessible choices resampled per job) the exact
    J^N agrees with simulation and the vertex optimum dominates JSQ and random profiles."""
    model = SchedulingModel(n_queues=3, buffer_size=1, gamma=0.8)
    rng = np.random.default_rng(4)
    pol = rng.dirichlet(np.ones(3), size=(model.n_env_states, 7))  # puts mass on inaccessible queues too
    N, runs = 2, 3000
    exact = symmetric_value(model, pol, N)
    np.testing.assert_allclose(profile_value(model, np.stack([pol] * N)), exact, atol=1e-10)
    returns = NAgentSystem(model, N).rollout(np.stack([pol] * N), 60, runs, rng, discount=0.8)
    assert abs(returns.mean() - exact[0]) < 4 * returns.std() / np.sqrt(runs)
    opt = finite_n_optimum(model, N)
    from mfcode.mfc.jsq import jsq_policy

    assert np.all(symmetric_value(model, jsq_policy(model), N) - 1e-10 <= opt.V)
    assert np.all(exact - 1e-10 <= opt.V)
    np.testing.assert_allclose(profile_value(model, opt.profile()), opt.V, atol=1e-10)


def test_class_representatives_carry_the_counts_and_stand_for_any_distribution_with_them() -> None:
    """Class masses of the representative are N_c / N, and the model's reward and kernel there equal those at
    another state-action distribution with the same class masses (eq. 4 by classes)."""
    model = QUEUE
    classes = np.asarray(model.cell_classes)
    c = int(classes.max()) + 1
    counts = compositions(3, c)
    g = class_representatives(model, counts, 3)
    onehot = np.eye(c)[classes]  # (X, U, C)
    np.testing.assert_allclose(np.einsum("lxu,xuc->lc", g, onehot), counts / 3, atol=1e-15)
    rng = np.random.default_rng(0)
    other = np.zeros_like(g)
    for k in range(c):  # spread each class's mass over all of its cells at random
        cells = np.argwhere(classes == k)
        w = rng.dirichlet(np.ones(len(cells)), size=len(counts)) * (counts[:, k:k + 1] / 3)
        other[:, cells[:, 0], cells[:, 1]] = w
    np.testing.assert_allclose(model.reward(other), model.reward(g), atol=1e-12)
    np.testing.assert_allclose(model.kernel(other), model.kernel(g), atol=1e-12)
    with pytest.raises(ValueError, match="counts"):
        class_representatives(model, counts[:, :-1], 3)
    with pytest.raises(ValueError, match="n_agents=2"):
        class_representatives(model, counts, 2)
