"""Example games of mfcode.mfg.games: the paper's formulas, closed forms, the garnet knob."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfg import FiniteHorizonMFG, games
from mfcode.mfg.lipschitz import estimate_lipschitz


def test_sis_matches_001_app_d() -> None:
    g = games.sis()
    assert (g.n_states, g.n_actions, g.gamma) == (2, 2, 0.9)
    assert g.state_names == ("S", "I") and g.action_names == ("D", "U")
    np.testing.assert_array_equal(g.reward([0.5, 0.5]), [[-0.5, 0.0], [-1.5, -1.0]])
    p = g.transition([0.6, 0.4])
    np.testing.assert_allclose(p[0, 0], [1.0, 0.0])  # S, D: never infected
    np.testing.assert_allclose(p[0, 1], [1 - 0.81 * 0.4, 0.81 * 0.4])  # S, U: 0.9^2 mu(I)
    np.testing.assert_allclose(p[1], [[0.3, 0.7], [0.3, 0.7]])  # I: recovers w.p. 0.3
    with pytest.raises(ValueError, match="infection_rate"):
        games.sis(infection_rate=1.5)


def test_lq_matches_001_app_d() -> None:
    g = games.lq()
    assert (g.n_states, g.n_actions) == (25, 7)
    noise = games.LQParameters().noise()
    assert noise.sum() == pytest.approx(1.0) and noise[3] == pytest.approx(0.3829249, abs=1e-6)
    mu = np.zeros(25)
    mu[10] = 1.0  # mean 10
    r = g.reward(mu)
    a, s = 2, 4  # action +2 at state 4: (-a^2/2 + q a (10 - 4) - kappa/2 (10 - 4)^2) * dt
    assert r[s, 3 + a] == pytest.approx(-2 + 0.01 * 2 * 6 - 0.25 * 36)
    p = g.transition(mu)
    assert p[24, 3 + 1, 0] == pytest.approx(noise[3])  # 24 + 1 wraps to 0 on the torus
    assert p[5, 3 - 3, (5 - 3 - 3) % 25] == pytest.approx(noise[0])


def test_lq_population_concentrates_under_its_equilibrium() -> None:
    """Fig. 3 analogue: from uniform, the NE population is much more concentrated."""
    from mfcode.mfg import solvers

    g = games.lq_episodic(horizon=10)
    res = solvers.FixedPoint().solve(g, max_iter=5)
    mus = g.induce(res.policy)[0]
    assert mus[-1].max() > 3 * mus[0].max()


def test_garnet_knob_moves_the_contraction_factor() -> None:
    weak = estimate_lipschitz(games.garnet(6, 3, coupling=0.1, seed=0), 0.5, n_pairs=30)
    strong = estimate_lipschitz(games.garnet(6, 3, coupling=10.0, seed=0), 0.5, n_pairs=30)
    assert weak.contraction < 1 < strong.contraction
    for est in (weak, strong):
        assert est.contraction <= est.bound + 1e-12  # Lemma 6, pair by pair
        assert est.d2 <= 1 + 1e-12  # with the sup policy distance
    # herding lets mu into the kernel and is still a valid kernel
    g = games.garnet(5, 2, herding=0.5, seed=3)
    assert g.transition_depends_on_mu
    np.testing.assert_allclose(g.transition(np.eye(5)[0]).sum(-1), 1.0)
    with pytest.raises(ValueError, match="branching"):
        games.garnet(3, 2, branching=4)


def test_beach_bar_reward_is_crowd_averse_distance() -> None:
    g = games.beach_bar(horizon=2)
    mu = np.array([0.1, 0.2, 0.3, 0.4])
    r = g.reward(0, mu)
    np.testing.assert_allclose(r[:, 1], -np.array([2, 1, 0, 1]) - np.log(mu + 1e-20))
    np.testing.assert_allclose(r[:, 0] - r[:, 1], -0.25)


def test_random_linear_is_a_valid_state_action_game() -> None:
    g = games.random_linear(n=4, horizon=3, seed=1)
    assert g.population == "state_action"
    pi = np.full((3, 4, 4), 0.25)
    m = g.induce(pi)[0]
    assert m.shape == (3, 4, 4)
    np.testing.assert_allclose(m.sum(axis=(1, 2)), 1.0)


@pytest.mark.parametrize("m", [10.0, 400.0])
def test_random_linear_kernel_matches_mfglib_formula(m: float) -> None:
    """P(s'|s,a) = softmax_s'(sum_x p1(s',s,x) L(x,a) + p2(s',s,a)) (mfglib's layout), with and without max-shift.

    ``m = 400`` makes the logits large enough to need the max-shift; ``m = 10`` (mfglib's default) skips it.
    """
    n = 7
    g = games.random_linear(n=n, m=m, horizon=2, seed=4)
    dyn = g.transition_fn.__self__  # type: ignore[attr-defined]
    rng = np.random.default_rng(1)
    dense = rng.dirichlet(np.ones(n * n)).reshape(n, n)
    sparse = np.zeros((n, n))
    sparse[np.arange(n), rng.integers(n, size=n)] = rng.dirichlet(np.ones(n))
    for joint in (dense, sparse):
        logits = np.einsum("psx,xa->psa", dyn.p1, joint) + dyn.p2  # (s', s, a), mfglib's layout
        logits -= logits.max(axis=0)
        expected = np.exp(logits) / np.exp(logits).sum(axis=0)
        np.testing.assert_allclose(g.transition(0, joint), expected.transpose(1, 2, 0), atol=1e-14)


@pytest.mark.parametrize("m", [10.0, 400.0])
def test_random_linear_kernel_in_place_is_the_kernel(m: float) -> None:
    """``transition_into`` writes exactly ``transition`` into the given array (dense and greedy joints, with and without max-shift)."""
    n = 6
    g = games.random_linear(n=n, m=m, horizon=2, seed=7)
    rng = np.random.default_rng(2)
    sparse = np.zeros((n, n))
    sparse[np.arange(n), rng.integers(n, size=n)] = rng.dirichlet(np.ones(n))
    assert g.transition_into is not None
    for joint in (rng.dirichlet(np.ones(n * n)).reshape(n, n), sparse):
        out = np.full((n, n, n), np.nan)
        g.transition_into(0, joint, out)
        np.testing.assert_array_equal(out, g.transition(0, joint))


def test_flows_through_transition_into_equal_flows_through_transition_fn() -> None:
    """The in-place kernel path of induce/dynamics_at gives the flow and dynamics of the allocating path."""
    g = games.random_linear(n=5, horizon=6, seed=3)
    plain = FiniteHorizonMFG(
        n_states=5, n_actions=5, horizon=6, reward_fn=g.reward_fn, transition_fn=g.transition_fn,
        initial=g.initial, population="state_action",
    )
    pi = np.random.default_rng(0).dirichlet(np.ones(5), size=(6, 5))
    (m1, d1), (m2, d2) = g.induce(pi), plain.induce(pi)
    np.testing.assert_allclose(m1, m2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(d1.kernel, d2.kernel, rtol=0, atol=1e-15)
    np.testing.assert_allclose(g.dynamics_at(m1).kernel, d1.kernel, rtol=0, atol=1e-15)
    # scratch arrays are overwritten, not aliased into the result of an earlier flow
    _, d3 = g.induce(g.uniform_policy(), scratch=d1)
    assert d3.kernel is d1.kernel
    np.testing.assert_allclose(d3.kernel, plain.induce(g.uniform_policy())[1].kernel, rtol=0, atol=1e-15)


def test_transition_into_is_checked() -> None:
    g = games.random_linear(n=3, horizon=3, seed=0)
    with pytest.raises(TypeError, match="transition_into"):
        FiniteHorizonMFG(3, 3, 3, g.reward_fn, g.transition_fn, g.initial, population="state_action", transition_into=1)  # type: ignore[arg-type]

    def wrong(t: int, m: np.ndarray, out: np.ndarray) -> None:
        out.fill(0.5)  # rows sum to 1.5

    bad = FiniteHorizonMFG(3, 3, 3, g.reward_fn, g.transition_fn, g.initial, population="state_action", transition_into=wrong)
    with pytest.raises(ValueError, match="sum to 1"):
        bad.induce(bad.uniform_policy())
