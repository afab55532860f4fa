"""Exact operators of mfcode.mfg.operators against brute force, closed forms and each other."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.mfg import FiniteHorizonMFG, FlowDynamics, StationaryMFG, games, operators, solvers, stationary
from mfcode.mfg.exploitability import exploitability
from mfcode.simplex import entropy, softmax


def random_game(seed: int, s: int = 4, a: int = 3, gamma: float = 0.8) -> StationaryMFG:
    """A small MFG with the mean field in both the reward and the kernel."""
    rng = np.random.default_rng(seed)
    r0, w = rng.uniform(size=(s, a)), rng.uniform(-1, 1, size=(s, s))
    p0, p1 = rng.dirichlet(np.ones(s), size=(s, a)), rng.dirichlet(np.ones(s), size=(s, a))

    def reward(mu: np.ndarray) -> np.ndarray:
        return r0 + 0.3 * (w @ mu)[:, None]

    def transition(mu: np.ndarray) -> np.ndarray:
        return (1 - mu[0]) * p0 + mu[0] * p1

    return StationaryMFG(s, a, reward, transition, gamma, np.full(s, 1 / s))


def random_point(seed: int, s: int, a: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 1000)
    return rng.dirichlet(np.ones(s)), rng.dirichlet(np.ones(a), size=s)


def series_value(game: StationaryMFG, pi: np.ndarray, mu: np.ndarray, lam: float) -> np.ndarray:
    """Truncated series sum_t gamma^t P_pi^t r_pi (independent of the linear solve)."""
    r, p = game.reward(mu), game.transition(mu)
    r_pi = (pi * r).sum(1) + lam * entropy(pi)
    p_pi = np.einsum("sa,sat->st", pi, p)
    v, term = np.zeros(game.n_states), r_pi.copy()
    for _ in range(600):
        v += term
        term = game.gamma * p_pi @ term
    return v


@pytest.mark.parametrize("lam", [0.0, 0.05, 1.0])
def test_policy_value_matches_series(lam: float) -> None:
    g = random_game(0)
    mu, pi = random_point(0, 4, 3)
    np.testing.assert_allclose(operators.policy_value(g, pi, mu, lam), series_value(g, pi, mu, lam), atol=1e-10)
    q = operators.policy_q(g, pi, mu, lam)
    v = operators.policy_value(g, pi, mu, lam)
    # V = E_pi[Q - lam log pi] (shifted Q of 001 §2)
    np.testing.assert_allclose((pi * (q - lam * np.log(pi))).sum(1), v, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.1, 2.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_best_response_value_and_policy_iteration_agree_and_are_optimal(lam: float, seed: int) -> None:
    g = random_game(seed)
    mu, _ = random_point(seed, 4, 3)
    pi_br = operators.best_response(g, mu, lam)
    vi = stationary.soft_value_iteration(g, g.dynamics_at(mu), lam, tol=1e-13)
    np.testing.assert_allclose(pi_br.q, vi.q, atol=1e-10)
    # from a different initialisation the (unique for lam > 0) answer is the same
    other = operators.best_response(g, mu, lam, q_init=np.random.default_rng(seed).normal(size=(4, 3)) * 10)
    np.testing.assert_allclose(other.q, pi_br.q, atol=1e-10)
    # soft Bellman optimality equation and value of the best response
    p = g.transition(mu)
    vmax = pi_br.value
    np.testing.assert_allclose(pi_br.q, g.reward(mu) + g.gamma * p @ vmax, atol=1e-10)
    np.testing.assert_allclose(operators.policy_value(g, pi_br.policy, mu, lam), vmax, atol=1e-10)
    # no policy does better at any state
    rng = np.random.default_rng(seed)
    for _ in range(20):
        pi = rng.dirichlet(np.ones(3) * 0.3, size=4)
        assert np.all(operators.policy_value(g, pi, mu, lam) <= vmax + 1e-10)
    if lam > 0:  # Boltzmann form (001 App. A, proof of Lemma 3)
        np.testing.assert_allclose(pi_br.policy, softmax(pi_br.q / lam), atol=1e-12)


def test_small_temperature_recovers_greedy_best_response() -> None:
    g = random_game(3)
    mu, _ = random_point(3, 4, 3)
    greedy = operators.best_response(g, mu, 0.0)
    assert set(np.unique(greedy.policy)) <= {0.0, 1.0}
    for lam, tol in [(1e-2, 1e-1), (1e-3, 1e-2), (1e-4, 1e-3)]:
        soft = operators.best_response(g, mu, lam)
        # V^{*,lam} - V^{*,0} lies in [0, lam log|A| / (1 - gamma)]
        gap = soft.value - greedy.value
        assert np.all(gap >= -1e-10) and np.all(gap <= lam * np.log(3) / (1 - g.gamma) + 1e-10)
        assert np.abs(soft.policy - greedy.policy).max() < tol


@given(seed=st.integers(0, 10_000), lam=st.floats(0.0, 3.0))
@settings(max_examples=25, deadline=None)
def test_push_forward_and_map_stay_on_simplex(seed: int, lam: float) -> None:
    g = random_game(seed % 7)
    mu, pi = random_point(seed, 4, 3)
    nxt = g.push_forward(pi, mu)
    assert np.all(nxt >= 0) and nxt.sum() == pytest.approx(1.0, abs=1e-12)
    brute = sum(mu[s] * pi[s, a] * g.transition(mu)[s, a] for s in range(4) for a in range(3))
    np.testing.assert_allclose(nxt, brute, atol=1e-14)
    br = operators.best_response(g, mu, lam)
    assert np.all(br.policy >= 0)
    np.testing.assert_allclose(br.policy.sum(1), 1.0, atol=1e-12)
    lam_mu = operators.mean_field_map(g, mu, lam)
    np.testing.assert_allclose(lam_mu, g.push_forward(br.policy, mu), atol=1e-14)
    assert lam_mu.sum() == pytest.approx(1.0, abs=1e-12)


def test_visitation_is_a_distribution_matching_the_series() -> None:
    g = random_game(4)
    mu, pi = random_point(4, 4, 3)
    d = g.visitation(pi, mu)
    p_pi = np.einsum("sa,sat->st", pi, g.transition(mu))
    series, x = np.zeros(4), g.initial.copy()
    for t in range(600):
        series += (1 - g.gamma) * g.gamma**t * x
        x = x @ p_pi
    np.testing.assert_allclose(d, series, atol=1e-12)
    # V(rho) = E_{d}[r_pi] / (1 - gamma)
    r_pi = (pi * g.reward(mu)).sum(1)
    assert (g.initial @ operators.policy_value(g, pi, mu)) == pytest.approx(d @ r_pi / (1 - g.gamma))


def test_induced_mean_field_is_a_fixed_point_of_push_forward() -> None:
    g = random_game(5)
    _, pi = random_point(5, 4, 3)
    mu = operators.induced_mean_field(g, pi)
    np.testing.assert_allclose(g.push_forward(pi, mu), mu, atol=1e-12)


def test_induced_mean_field_reports_a_periodic_chain() -> None:
    flip = np.array([[[0.0, 1.0]], [[1.0, 0.0]]])
    g = StationaryMFG(2, 1, lambda mu: np.zeros((2, 1)), lambda mu: flip, 0.5, np.array([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="periodic"):
        g.induce(np.ones((2, 1)), max_iter=50)


def test_sis_mean_field_map_closed_form() -> None:
    g = games.sis()
    for m in [0.0, 0.1, 0.5, 0.9]:
        mu = np.array([1 - m, m])
        br = operators.best_response(g, mu, temperature=0.1)
        expect = 0.7 * m + (1 - m) * br.policy[0, 1] * 0.81 * m
        assert operators.mean_field_map(g, mu, temperature=0.1)[1] == pytest.approx(expect, abs=1e-14)
    # nobody infected stays nobody infected: mu(I) = 0 is a fixed point of Gamma_2 for every policy
    np.testing.assert_array_equal(g.push_forward(np.full((2, 2), 0.5), [1.0, 0.0]), [1.0, 0.0])


def test_sis_greedy_best_response_closed_form() -> None:
    """With no infection risk (mu(I) = 0) going out is free, so U is the strict best response in S."""
    g = games.sis()
    br = operators.best_response(g, [1.0, 0.0], temperature=0.0)
    np.testing.assert_array_equal(br.policy, [[0.0, 1.0], [0.0, 1.0]])
    # V(S) = 0 (stay susceptible forever); V(I) solves V = -1 + 0.9 (0.3 V(S) + 0.7 V(I))
    np.testing.assert_allclose(br.value, [0.0, -1.0 / (1 - 0.9 * 0.7)], atol=1e-12)


def test_operator_argument_errors() -> None:
    g = games.sis()
    with pytest.raises(ValueError, match="temperature"):
        operators.best_response(g, [0.5, 0.5], temperature=-0.1)
    with pytest.raises(ValueError, match="mu must"):
        operators.best_response(g, [0.5, 0.6])
    with pytest.raises(ValueError, match="policy"):
        g.push_forward(np.ones((2, 3)) / 3, [0.5, 0.5])
    with pytest.raises(ValueError, match="q_init"):
        operators.best_response(g, [0.5, 0.5], q_init=np.zeros(3))
    with pytest.raises(TypeError, match="game"):
        operators.best_response("sis", [0.5, 0.5])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="StationaryMFG"):
        solvers.solve_equilibrium(games.sis_episodic(horizon=3), 0.1)  # type: ignore[arg-type]


def brute_finite_best_value(game: FiniteHorizonMFG, m: np.ndarray) -> np.ndarray:
    """max over all deterministic Markov policies of V_0 (enumeration)."""
    import itertools

    best = np.full(game.n_states, -np.inf)
    choices = itertools.product(range(game.n_actions), repeat=game.horizon * game.n_states)
    for c in choices:
        pi = np.zeros((game.horizon, game.n_states, game.n_actions))
        idx = np.array(c).reshape(game.horizon, game.n_states)
        np.put_along_axis(pi, idx[..., None], 1.0, axis=-1)
        best = np.maximum(best, operators.policy_value(game, pi, m)[0])
    return best


def test_finite_horizon_flow_and_backward_induction() -> None:
    g = games.sis_episodic(horizon=4, gamma=0.95)
    rng = np.random.default_rng(0)
    pi = rng.dirichlet(np.ones(2), size=(4, 2))
    m = g.induce(pi)[0]
    mu = g.initial.copy()
    for t in range(4):
        np.testing.assert_allclose(m[t], mu, atol=1e-15)
        if t == 3:
            break
        mu = sum(mu[s] * pi[t, s, a] * g.transition(t, mu)[s, a] for s in range(2) for a in range(2))
    br = operators.best_response(g, m, 0.0)
    np.testing.assert_allclose(br.value[0], brute_finite_best_value(g, m), atol=1e-12)
    np.testing.assert_allclose(operators.policy_value(g, br.policy, m)[0], br.value[0], atol=1e-12)
    soft = operators.best_response(g, m, 0.2)
    np.testing.assert_allclose(operators.policy_value(g, soft.policy, m, 0.2), soft.value, atol=1e-12)
    np.testing.assert_allclose(operators.mean_field_map(g, m, 0.2), g.induce(soft.policy)[0])


def test_dynamics_shared_between_operators_give_the_same_answers() -> None:
    """flow_dynamics keeps the kernels of its forward pass; operators fed with them agree with re-evaluation."""
    g = games.random_linear(n=4, horizon=5, seed=1)
    pi = np.random.default_rng(0).dirichlet(np.ones(4), size=(5, 4))
    m, dyn = g.induce(pi)
    np.testing.assert_array_equal(m, g.induce(pi)[0])
    again = operators.dynamics_at(g, m)
    np.testing.assert_allclose(dyn.reward, again.reward, atol=1e-15)
    assert len(dyn.kernel) == 4
    for k, k2 in zip(dyn.kernel, again.kernel, strict=True):
        np.testing.assert_allclose(k, k2, atol=1e-15)
    for lam in (0.0, 0.3):
        br, br2 = operators.best_response(g, m, lam, dynamics=dyn), operators.best_response(g, m, lam)
        np.testing.assert_allclose(br.q, br2.q, atol=1e-13)
        np.testing.assert_allclose(operators.policy_q(g, pi, m, lam, dynamics=dyn), operators.policy_q(g, pi, m, lam), atol=1e-13)
        gap = br.value[0] - operators.policy_value(g, pi, m, lam, dynamics=dyn)[0]
        assert exploitability(g, pi, lam, mean_field=m, dynamics=dyn) == pytest.approx(float(g.initial @ gap), abs=1e-12)
        assert exploitability(g, pi, lam) == pytest.approx(float(g.initial @ gap), abs=1e-12)
    s = random_game(3)
    mu = np.array([0.1, 0.2, 0.3, 0.4])
    d = operators.dynamics_at(s, mu)
    np.testing.assert_allclose(operators.mean_field_map(s, mu, 0.2, dynamics=d), operators.mean_field_map(s, mu, 0.2), atol=1e-14)
    with pytest.raises(TypeError, match="dynamics"):
        operators.best_response(s, mu, 0.1, dynamics=dyn)
    with pytest.raises(ValueError, match="dynamics"):
        operators.best_response(g, m, 0.1, dynamics=operators.dynamics_at(games.random_linear(n=4, horizon=4, seed=1), m[:4]))
    with pytest.raises(TypeError, match="dynamics"):
        operators.policy_q(g, pi, m, dynamics=(dyn.reward, dyn.kernel))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mean_field"):
        exploitability(g, pi, dynamics=dyn)


class CountingKernel:
    """Wraps a finite-horizon kernel and counts its evaluations."""

    def __init__(self, fn: object) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, t: int, m: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.fn(t, m)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("solver", "flows_per_step"),
    [
        (solvers.FixedPoint(), 1),
        (solvers.FictitiousPlay(), 2),
        (solvers.OnlineMirrorDescent(temperature=0.1), 1),
        (solvers.PriorDescent(eta=0.5), 1),
    ],
    ids=["fixed_point", "fictitious_play", "omd", "prior_descent"],
)
def test_solvers_evaluate_each_kernel_once_per_flow(solver: solvers.IterativeSolver, flows_per_step: int) -> None:  # type: ignore[type-arg]
    """One step costs the kernels of its new flows only; scoring an iterate costs none."""
    base = games.random_linear(n=3, horizon=6, seed=2)
    counter = CountingKernel(base.transition_fn)
    g = FiniteHorizonMFG(3, 3, 6, base.reward_fn, counter, base.initial, population="state_action")
    counter.calls = 0
    res = solver.solve(g, max_iter=4)
    kernels = g.horizon - 1
    assert counter.calls == kernels * (1 + 4 * flows_per_step)
    # the iterates and their exploitability are those of the plain (re-evaluating) operators
    for pi, e in zip(res.policies, res.exploitability, strict=True):
        assert e == pytest.approx(exploitability(base, pi, solver.temperature), abs=1e-12)


def test_induce_recycles_only_writable_scratch_and_steps_leave_their_state_alone() -> None:
    g = games.random_linear(n=3, horizon=4, seed=5)
    rng = np.random.default_rng(1)
    pi1, pi2 = rng.dirichlet(np.ones(3), size=(2, 4, 3))
    _, d1 = g.induce(pi1)
    m2, d2 = g.induce(pi2, scratch=d1)
    assert d2 is d1  # overwritten in place ...
    fresh = operators.dynamics_at(g, m2)  # ... with the dynamics of the new flow
    np.testing.assert_allclose(d2.reward, fresh.reward, atol=1e-15)
    np.testing.assert_allclose(d2.kernel, fresh.kernel, atol=1e-15)
    # read-only arrays are never written into
    frozen = FlowDynamics(fresh.reward.copy(), fresh.kernel.copy())
    frozen.kernel.setflags(write=False)
    before = frozen.kernel.copy()
    _, d3 = g.induce(pi1, scratch=frozen)
    assert d3 is not frozen
    np.testing.assert_array_equal(frozen.kernel, before)
    # a solver step returns a new state and leaves the one it was given as it was ...
    solver = solvers.OnlineMirrorDescent()
    s0 = solver.init_state(g, g.uniform_policy())
    assert s0.dynamics is not None
    k0 = s0.dynamics.kernel.copy()
    s1 = solver.step(g, s0)
    assert s1 is not s0 and s1.dynamics is not s0.dynamics
    np.testing.assert_array_equal(s0.dynamics.kernel, k0)
    # ... unless the caller hands it scratch space, which then carries the new iterate
    s2 = solver.step(g, s1, scratch=s0.dynamics)
    assert s2.dynamics is s0.dynamics
    np.testing.assert_allclose(s2.dynamics.kernel, operators.dynamics_at(g, s2.mean_field).kernel, atol=1e-15)
