"""Naive Q-learning vs GMF-Q (004, Algorithms 1-2) against the MFG core's exact equilibria."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mfcode.mfg import games
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import soft_value_iteration
from mfcode.slides import qlearning as Q
from mfcode.slides import smoothing as S
from mfcode.slides.auction import ad_auction

SIS = games.sis()


def _ne_joint(game: object, temperature: float) -> np.ndarray:
    eq = solve_equilibrium(game, temperature)  # type: ignore[arg-type]
    return eq.mean_field[:, None] * eq.policy


def test_projection_is_the_l1_nearest_net_point() -> None:
    rng = np.random.default_rng(0)
    m = 5
    grid = np.array([c for c in itertools.product(range(m + 1), repeat=4) if sum(c) == m], dtype=float) / m
    for x in rng.dirichlet(np.ones(4), size=20):
        got = Q.project_to_net(x.reshape(2, 2), m).reshape(-1)
        best = np.abs(grid - x).sum(axis=1).min()
        assert np.abs(got - x).sum() == pytest.approx(best, abs=1e-12)
        assert np.allclose(got * m, np.round(got * m)) and got.sum() == pytest.approx(1.0)
    on_grid = grid[7].reshape(2, 2)
    np.testing.assert_allclose(Q.project_to_net(on_grid, m), on_grid)


def test_population_step_formula_and_mass() -> None:
    rng = np.random.default_rng(2)
    joint = rng.dirichlet(np.ones(4)).reshape(2, 2)
    pi = rng.dirichlet(np.ones(2), size=2)
    out = Q.population_step(SIS, joint, pi)
    kernel = SIS.transition(joint.sum(axis=1))
    ref = np.array([[sum(joint[s, a] * kernel[s, a, t] for s in range(2) for a in range(2)) * pi[t, b] for b in range(2)] for t in range(2)])
    np.testing.assert_allclose(out, ref, atol=1e-15)
    eq = solve_equilibrium(SIS, 0.2)
    star = eq.mean_field[:, None] * eq.policy
    np.testing.assert_allclose(Q.population_step(SIS, star, eq.policy), star, atol=1e-11)


def test_q_learning_converges_to_the_exact_q() -> None:
    rng = np.random.default_rng(3)
    g = games.garnet(n_states=4, n_actions=3, seed=1)
    dyn = g.dynamics_at(g.initial)
    for lam in (0.0, 0.3):
        exact = soft_value_iteration(g, dyn, lam).q
        q = Q.q_learning(dyn.reward[None].repeat(8, 0), dyn.kernel[None].repeat(8, 0), g.gamma, np.zeros((8, 4, 3)),
                         4000, rng, temperature=lam, step_exponent=0.7)
        assert np.abs(q.mean(axis=0) - exact).max() < 0.1 * np.abs(exact).max()


def test_smoothed_three_step_reaches_the_regularized_ne_of_the_core() -> None:
    for game, c in ((SIS, 5.0), (ad_auction(), 10.0)):
        run = Q.three_step(game, S.Softmax(c), 150, temperature=1.0 / c)
        np.testing.assert_allclose(run.joints[-1], _ne_joint(game, 1.0 / c), atol=1e-9)


def test_argmax_three_step_cycles_on_sis() -> None:
    run = Q.three_step(SIS, S.ArgmaxE(), 60)
    assert run.step_l1[30:].min() > 0.1


def test_naive_fluctuates_and_gmfq_converges_on_sis() -> None:
    naive = Q.learn(SIS, Q.LearningConfig(S.ArgmaxE(), 40, 100, step_exponent=0.9), n_paths=30, seed=0)
    assert naive.step_l1.shape == (40, 30) and naive.step_sup.shape == (40, 30)
    assert naive.step_l1[20:].max(axis=0).min() > 0.3
    c = 5.0
    cfg = Q.LearningConfig(S.Softmax(c), 60, 100, net_resolution=10_000, inner_temperature=1 / c, step_exponent=0.9)
    gmfq = Q.learn(SIS, cfg, n_paths=30, seed=0)
    assert gmfq.distance_to(_ne_joint(SIS, 1 / c))[-1].max() < 0.06
    assert np.allclose(gmfq.joints[-1] * 10_000, np.round(gmfq.joints[-1] * 10_000))


def test_runs_are_seeded_and_paths_independent() -> None:
    cfg = Q.LearningConfig(S.Softmax(5.0), 3, 20, inner_temperature=0.2)
    a = Q.learn(SIS, cfg, n_paths=4, seed=7)
    b = Q.learn(SIS, cfg, n_paths=4, seed=7)
    np.testing.assert_array_equal(a.joints, b.joints)
    assert not np.allclose(a.q[0], a.q[1])


def test_momentum_and_mellowmax_options() -> None:
    run = Q.three_step(SIS, S.MellowMax(5.0), 200, momentum=0.5)
    assert run.step_l1[-1] < 1e-6  # smoothing + momentum settle where argmax-e cycles
    cfg = Q.LearningConfig(S.MellowMax(5.0), 5, 20, momentum=0.5)
    out = Q.learn(SIS, cfg, n_paths=2, seed=0)
    np.testing.assert_allclose(out.joints.sum(axis=(-2, -1)), 1.0)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="smoothing"):
        Q.LearningConfig("softmax", 3, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="momentum"):
        Q.LearningConfig(S.ArgmaxE(), 3, 3, momentum=1.0)
    with pytest.raises(TypeError, match="game"):
        Q.learn("sis", Q.LearningConfig(S.ArgmaxE(), 1, 1), n_paths=1, seed=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="joint"):
        Q.population_step(SIS, np.ones((2, 2)), np.ones((2, 2)) / 2)
    with pytest.raises(ValueError, match="resolution"):
        Q.project_to_net(np.ones((2, 2)) / 4, 0)
