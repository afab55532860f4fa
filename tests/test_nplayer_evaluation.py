"""N-player evaluation of stationary MFGs (mfcode.nplayer): exact DP and Monte Carlo against closed forms and each other."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from mfcode.mfg import games
from mfcode.mfg.operators import best_response, policy_value
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nplayer import exact, mean_field, monte_carlo
from mfcode.nplayer.adapters import StationaryGame
from mfcode.nplayer.evaluate import evaluate, fitted_slope

KERNEL = np.array([[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]], [[0.3, 0.4, 0.3], [0.2, 0.2, 0.6]], [[0.5, 0.1, 0.4], [0.1, 0.1, 0.8]]])


@dataclass(frozen=True)
class _Crowd:
    """r(s, a, mu) = -mu(s)^2 + 0.1 a, mu-independent kernel: agents move independently."""

    def reward(self, mu: np.ndarray) -> np.ndarray:
        out: np.ndarray = -(mu**2)[:, None] + 0.1 * np.arange(2)[None, :]
        return out

    def transition(self, mu: np.ndarray) -> np.ndarray:
        return KERNEL


CROWD = StationaryMFG(3, 2, _Crowd().reward, _Crowd().transition, 0.8, np.full(3, 1 / 3), transition_depends_on_mu=False)
PI = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])


def _stationary(policy: np.ndarray) -> np.ndarray:
    p = np.einsum("sa,sat->st", policy, KERNEL)
    w, v = np.linalg.eig(p.T)
    x = np.real(v[:, np.argmin(np.abs(w - 1))])
    out: np.ndarray = x / x.sum()
    return out


def test_value_gap_closed_form_for_independent_agents() -> None:
    # Agents independent and stationary at p: E[(n_s/(N-1))^2] = p_s^2 + p_s(1-p_s)/(N-1), so
    # V^N - V^MF = -sum_s p_s^2 (1 - p_s) / ((N - 1)(1 - gamma)).
    p = _stationary(PI)
    curve = evaluate(StationaryGame(CROWD, p), PI, [2, 4, 8, 16], method="exact")
    expected = -(p**2 * (1 - p)).sum() / ((curve.n_agents - 1) * (1 - 0.8))
    np.testing.assert_allclose(curve.value_gap, expected, atol=1e-9)
    mf = mean_field.mean_field_evaluation(CROWD, PI, p)
    assert mf.value == pytest.approx(float(p @ policy_value(CROWD, PI, p)), abs=1e-9)
    assert fitted_slope(curve.n_agents - 1, curve.value_gap) == pytest.approx(-1.0, abs=1e-9)


def test_exploitability_without_interaction_is_the_mean_field_one() -> None:
    # A reward that ignores mu: the N-player game is N copies of one MDP.
    plain = StationaryMFG(3, 2, lambda mu: np.array([[0.0, 1.0], [0.5, 0.2], [1.0, 0.0]]), lambda mu: KERNEL, 0.8,
                          np.full(3, 1 / 3), transition_depends_on_mu=False)
    rho = np.array([0.2, 0.3, 0.5])
    mf = mean_field.mean_field_evaluation(plain, PI, rho)
    for n in (2, 5):
        ex = exact.exact_evaluation(plain, PI, n, rho)
        assert ex.value == pytest.approx(mf.value, abs=1e-10)
        assert ex.exploitability == pytest.approx(mf.exploitability, abs=1e-10)
    star = best_response(plain, rho).value
    assert mf.best_value == pytest.approx(float(rho @ star), abs=1e-8)


def test_count_kernel_rows_are_distributions_and_match_binomials() -> None:
    counts, kernel = exact.count_kernel(CROWD, PI, 4)
    assert counts.shape == (10, 3)
    np.testing.assert_allclose(kernel.sum(axis=-1), 1.0, atol=1e-12)
    # three others all in state 0: the number staying in 0 is Binomial(3, q_0(0))
    q0 = PI[0] @ KERNEL[0]
    i = int(np.flatnonzero((counts == [3, 0, 0]).all(axis=1))[0])
    stay = np.array([kernel[1, i][(counts[:, 0] == k)].sum() for k in range(4)])
    from scipy.stats import binom
    np.testing.assert_allclose(stay, binom.pmf(np.arange(4), 3, q0[0]), atol=1e-12)


class _Herding:
    """A kernel that depends on mu: with probability w_a an agent jumps to the state of a random other."""

    n_states, n_actions, gamma = 3, 2, 0.8

    def reward(self, mu: np.ndarray) -> np.ndarray:
        return np.zeros((3, 2))

    def transition(self, mu: np.ndarray) -> np.ndarray:
        w = np.array([0.2, 0.9])[None, :, None]
        out: np.ndarray = (1.0 - w) * KERNEL + w * mu[None, None, :]
        return out


def test_count_kernel_is_the_law_of_the_others_moves() -> None:
    # brute force: the N - 1 = 4 others move independently, each by pi and P at its own view of the population
    model = _Herding()
    counts, kernel = exact.count_kernel(model, PI, 5)
    index = {tuple(c): j for j, c in enumerate(counts)}
    for dev, i in itertools.product(range(3), [0, 4, 9, 14]):
        states = np.repeat(np.arange(3), counts[i])
        moves = []
        for x in states:
            view = (counts[i] - np.eye(3, dtype=int)[x] + np.eye(3, dtype=int)[dev]) / 4
            moves.append(PI[x] @ model.transition(view)[x])
        law = np.zeros(counts.shape[0])
        for nxt in itertools.product(range(3), repeat=4):
            law[index[tuple(np.bincount(nxt, minlength=3))]] += np.prod([moves[k][y] for k, y in enumerate(nxt)])
        np.testing.assert_allclose(kernel[dev, i], law, atol=1e-13)


def test_monte_carlo_agrees_with_exact_dp_on_sis() -> None:
    sis = games.sis()
    eq = solve_equilibrium(sis, 0.1)
    br = best_response(sis, eq.mean_field, 0.0).policy
    ex = exact.exact_evaluation(sis, eq.policy, 8, eq.mean_field)
    mc = monte_carlo.simulate(sis, eq.policy, 8, n_replicates=600, seed=1, initial=eq.mean_field, deviation=br, horizon=150)
    v, half = mc.value()
    assert abs(v - ex.value) <= 1.5 * half + mc.truncation_bias
    g, g_half = mc.gain()
    assert g - g_half <= ex.exploitability + mc.truncation_bias  # a fixed deviation gains at most the best one


def test_ne_exploitability_tends_to_the_mean_field_one_on_sis() -> None:
    sis = games.sis()
    eq = solve_equilibrium(sis, 0.1)
    curve = evaluate(StationaryGame(sis, eq.mean_field), eq.policy, [5, 10, 20, 40], method="exact")
    assert np.all(np.diff(np.abs(curve.exploitability_gap)) < 0)
    assert np.all(np.diff(np.abs(curve.value_gap)) < 0)
    assert curve.gap_slope < -0.5  # at least the 1/sqrt(N) rate


def test_step_shapes_and_determinism() -> None:
    sis = games.sis()
    rng = np.random.default_rng(0)
    states = np.zeros((3, 1000), dtype=np.int64)
    rewards, nxt = monte_carlo.step(sis, np.array([[0.0, 1.0], [0.5, 0.5]]), states, rng)
    assert rewards.shape == nxt.shape == (3, 1000)
    # everyone susceptible: nobody can get infected (mu(I) = 0 for every view), all go out (reward 0)
    assert np.all(nxt == 0) and np.all(rewards == 0.0)


def test_evaluate_switches_to_monte_carlo_past_the_exact_size() -> None:
    sis = games.sis()
    eq = solve_equilibrium(sis, 0.1)
    curve = evaluate(StationaryGame(sis, eq.mean_field, horizon=60), eq.policy, [10, 4000], n_replicates=16, seed=0)
    assert curve.exact.tolist() == [True, False]
    assert curve.value_gap_half[0] == 0.0 and curve.value_gap_half[1] > 0.0
    assert np.isfinite(curve.exploitability).all() and curve.exploitability_half[1] > 0.0
    with pytest.raises(ValueError, match="n_agents"):
        evaluate(StationaryGame(sis, eq.mean_field), eq.policy, [4000], method="exact")
    with pytest.raises(ValueError, match="method"):
        evaluate(StationaryGame(sis, eq.mean_field), eq.policy, [4], method="dp")
    with pytest.raises(TypeError, match="model"):
        evaluate(sis, eq.policy, [4])  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="model"):
        exact.exact_evaluation("sis", PI, 3, np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="policy"):
        exact.exact_evaluation(CROWD, np.full((2, 2), 0.5), 3, np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="n_agents"):
        exact.exact_evaluation(CROWD, PI, 1, np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="lifted states"):
        exact.exact_evaluation(CROWD, PI, 200, np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="n_replicates"):
        monte_carlo.simulate(CROWD, PI, 3, n_replicates=1, seed=0, initial=np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="values"):
        fitted_slope([1, 2], [0.0, 1.0])
    plain = monte_carlo.simulate(CROWD, PI, 3, n_replicates=4, seed=0, initial=np.full(3, 1 / 3), horizon=5)
    with pytest.raises(ValueError, match="deviation"):
        plain.gain()
    with pytest.raises(ValueError, match="reference"):
        plain.value_gap()
    with pytest.raises(ValueError, match="initial"):
        StationaryGame(CROWD, np.full(2, 0.5))
    with pytest.raises(ValueError, match="total"):
        exact.multinomial_pmf(3, np.full(2, 0.5), np.array([[1, 1]]))
    with pytest.raises(ValueError, match="probs"):
        exact.multinomial_pmf(2, np.array([0.5, 0.6]), np.array([[1, 1]]))
    with pytest.raises(ValueError, match="counts"):
        exact.count_index(np.array([[0.5, 1.5]]))
