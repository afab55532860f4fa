"""mfcode.experiments.lemmas against closed forms and independent numpy computations (001 App. A, B.1, D).

The references here do not go through the checked functions: policy values come from explicit linear
solves written out below, the NPG iterates from a loop of their own, and the LQ spread of a uniform
population from the closed form :math:`\\sqrt{(n^2-1)/12}`.
"""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.arrays import FloatArray
from mfcode.experiments import lemmas
from mfcode.mfg import games, operators
from mfcode.mfg.stationary import StationaryMFG

GAMMA, LAM, ETA, BETA = 0.5, 0.5, 1.0, 0.3


@pytest.fixture(scope="module")
def game() -> StationaryMFG:
    return lemmas.unit_garnet(5, 3, coupling=0.05, mixing=0.5, gamma=GAMMA, seed=0)


def soft_values(r: FloatArray, p: FloatArray, pi: FloatArray, gamma: float, lam: float) -> tuple[FloatArray, FloatArray]:
    """V^{pi,lambda} and Q^{pi,lambda} by an explicit linear solve (001 §2)."""
    n = r.shape[0]
    r_pi = (pi * (r - lam * np.log(pi))).sum(axis=1)
    p_pi = np.einsum("sa,sat->st", pi, p)
    v = np.linalg.solve(np.eye(n) - gamma * p_pi, r_pi)
    return v, r + gamma * p @ v


def visitation(p: FloatArray, pi: FloatArray, rho: FloatArray, gamma: float) -> FloatArray:
    """(1-gamma) rho^T (I - gamma P^pi)^{-1}."""
    p_pi = np.einsum("sa,sat->st", pi, p)
    out: FloatArray = (1.0 - gamma) * np.linalg.solve((np.eye(rho.size) - gamma * p_pi).T, rho)
    return out


# -- games and constants -----------------------------------------------------------------------


def test_unit_garnet_rewards_lie_in_the_unit_interval(game: StationaryMFG) -> None:
    rng = np.random.default_rng(1)
    for mu in rng.dirichlet(np.ones(5), size=50):
        r = game.reward(mu)
        assert r.min() >= 0.0 and r.max() <= 1.0
    base = games.garnet(5, 3, coupling=0.05, mixing=0.5, gamma=GAMMA, seed=0)
    mu = game.initial
    np.testing.assert_allclose(game.reward(mu), (base.reward(mu) + 0.05) / 1.1, atol=1e-15)


def test_unit_reward_refuses_rewards_outside_the_unit_interval() -> None:
    wrapped = lemmas.UnitReward(lemmas.ConstantReward(2, 2, 3.0), 0.0, 2.0)
    with pytest.raises(ValueError, match="reward"):
        wrapped(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="high"):
        lemmas.UnitReward(lemmas.ConstantReward(2, 2), 1.0, 1.0)


def test_q_max_is_the_soft_q_of_the_all_ones_game() -> None:
    lam, gamma, a = 0.3, 0.8, 4
    v = (1.0 + lam * np.log(a)) / (1.0 - gamma)  # uniform policy, reward 1, entropy log a per step
    assert lemmas.q_max(gamma, lam, a) == pytest.approx(1.0 + gamma * v, abs=1e-13)
    with pytest.raises(ValueError, match="gamma"):
        lemmas.q_max(1.0, lam, a)
    with pytest.raises(ValueError, match="temperature"):
        lemmas.q_max(gamma, 0.0, a)


def test_sizes_and_budget_errors() -> None:
    assert lemmas.sizes("ci").n_steps < lemmas.sizes("full").n_steps
    with pytest.raises(ValueError, match="budget"):
        lemmas.sizes("huge")
    with pytest.raises(TypeError, match="budget"):
        lemmas.sizes(1)  # type: ignore[arg-type]


# -- Lemma 2 -----------------------------------------------------------------------------------


def test_lemma2_parameters_are_the_npg_iterates(game: StationaryMFG) -> None:
    n = 12
    res = lemmas.lemma2_excitation(game, temperature=LAM, step_size=ETA, n_steps=n)
    theta = np.zeros((5, 3))
    sups, mins = [0.0], [1.0 / 3.0]
    for _ in range(n):
        pi = np.exp(theta - theta.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        mu = operators.induced_mean_field(game, pi)
        _, q = soft_values(game.reward(mu), game.transition(mu), pi, GAMMA, LAM)
        theta = (1.0 - ETA * LAM) * theta + ETA * q
        sups.append(float(np.abs(theta).max()))
        nxt = np.exp(theta - theta.max(axis=1, keepdims=True))
        mins.append(float((nxt / nxt.sum(axis=1, keepdims=True)).min()))
    np.testing.assert_allclose(res.theta_sup, sups, atol=1e-10)
    np.testing.assert_allclose(res.min_prob, mins, atol=1e-12)
    assert res.radius == pytest.approx(lemmas.q_max(GAMMA, LAM, 3))
    assert res.theta_bound == pytest.approx(res.radius / LAM)
    assert res.prob_bound == pytest.approx(np.exp(-2.0 * res.radius / LAM) / 3.0)
    assert res.w_min.min() >= 0.0 and res.w_max.max() <= res.radius
    assert res.theta_sup.max() <= res.theta_bound and res.min_prob.min() >= res.prob_bound


def test_lemma2_bound_fails_without_the_averaging(game: StationaryMFG) -> None:
    """The check can fail: without the (1 - eta*lambda) factor the parameters leave the ball of radius R/lambda."""
    theta = np.zeros((5, 3))
    bound = lemmas.q_max(GAMMA, LAM, 3) / LAM
    for _ in range(30):
        pi = np.exp(theta - theta.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        mu = operators.induced_mean_field(game, pi)
        theta = theta + ETA * soft_values(game.reward(mu), game.transition(mu), pi, GAMMA, LAM)[1]
    assert np.abs(theta).max() > bound


def test_lemma2_argument_errors(game: StationaryMFG) -> None:
    with pytest.raises(ValueError, match="step_size"):
        lemmas.lemma2_excitation(game, temperature=LAM, step_size=2.0, n_steps=3)
    with pytest.raises(TypeError, match="game"):
        lemmas.lemma2_excitation(games.lq_episodic(), temperature=LAM, step_size=1.0, n_steps=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_steps"):
        lemmas.lemma2_excitation(game, temperature=LAM, step_size=1.0, n_steps=0)


# -- Lemma 3 -----------------------------------------------------------------------------------


def test_lemma3_holds_and_the_bound_is_attained(game: StationaryMFG) -> None:
    mus = lemmas.random_mean_fields(5, 3, seed=2)
    res = lemmas.lemma3_boltzmann(game, temperature=LAM, mean_fields=mus, n_policies=10, seed=0)
    assert res.boltzmann_residual <= 1e-12
    assert res.random_excess < 0.0
    assert res.q_star_max <= res.q_max and res.attained_gap <= 1e-12
    assert res.prob_bound == pytest.approx(1.0 / (3.0 * np.exp(res.q_max / LAM)))
    assert res.min_prob >= res.prob_bound
    # Q* at the first mean field, independently: soft value iteration written out.
    r, p = game.reward(mus[0]), game.transition(mus[0])
    q = r.copy()
    for _ in range(200):
        v = LAM * np.log(np.exp(q / LAM).sum(axis=1))
        q = r + GAMMA * p @ v
    pi = np.exp(q / LAM) / np.exp(q / LAM).sum(axis=1, keepdims=True)
    assert res.min_prob <= pi.min() + 1e-12


def test_lemma3_check_fails_for_a_wrong_boltzmann_temperature(game: StationaryMFG) -> None:
    mus = lemmas.random_mean_fields(5, 2, seed=2)
    res = lemmas.lemma3_boltzmann(game, temperature=LAM, mean_fields=mus, n_policies=10, seed=0, boltzmann_temperature=0.6)
    assert res.boltzmann_residual > 1e-3


def test_lemma3_argument_errors(game: StationaryMFG) -> None:
    with pytest.raises(ValueError, match="mean_fields"):
        lemmas.lemma3_boltzmann(game, temperature=LAM, mean_fields=[], n_policies=1, seed=0)
    with pytest.raises(ValueError, match="mean_fields"):
        lemmas.lemma3_boltzmann(game, temperature=LAM, mean_fields=[np.ones(4) / 4], n_policies=1, seed=0)
    with pytest.raises(ValueError, match="n_policies"):
        lemmas.lemma3_boltzmann(game, temperature=LAM, mean_fields=[game.initial], n_policies=-1, seed=0)


# -- exploitability of the NE ------------------------------------------------------------------


def test_equilibrium_exploitability_is_zero_by_an_independent_evaluation() -> None:
    sis = games.sis()
    res = lemmas.equilibrium_exploitability(sis, temperature=0.1)
    assert abs(res.exploitability) <= 1e-12 and res.perturbed > 1e-5
    mu = res.mean_field
    r, p = sis.reward(mu), sis.transition(mu)
    v_pi, _ = soft_values(r, p, res.policy, 0.9, 0.1)
    q = r.copy()
    for _ in range(2000):
        q = r + 0.9 * p @ (0.1 * np.log(np.exp(q / 0.1).sum(axis=1)))
    v_star = 0.1 * np.log(np.exp(q / 0.1).sum(axis=1))
    assert float(sis.initial @ (v_star - v_pi)) == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(np.einsum("s,sa,sat->t", mu, res.policy, p), mu, atol=1e-11)


# -- Lemma 7 -----------------------------------------------------------------------------------


def test_lemma7_first_step_by_hand(game: StationaryMFG) -> None:
    res = lemmas.lemma7_recursion(game, temperature=LAM, step_size=ETA, mixing_rate=BETA, n_steps=3)
    eq = lemmas.equilibrium_exploitability(game, temperature=LAM)
    mu0 = game.initial
    p = game.transition(mu0)
    pi0 = np.full((5, 3), 1.0 / 3.0)
    mu1 = (1.0 - BETA) * mu0 + BETA * np.einsum("s,sa,sat->t", mu0, pi0, p)
    assert res.distance[0] == pytest.approx(np.abs(mu0 - eq.mean_field).sum(), abs=1e-11)
    assert res.lhs[0] == pytest.approx(np.abs(mu1 - eq.mean_field).sum(), abs=1e-11)
    d_star = visitation(game.transition(eq.mean_field), eq.policy, mu0, GAMMA)
    c_s = np.array([0.5 * max(np.abs(p[s, a] - p[s, b]).sum() for a in range(3) for b in range(3)) for s in range(5)])
    assert res.d2 == pytest.approx(float((c_s / d_star).max()), rel=1e-9)
    assert res.dbar == pytest.approx(1.0 - res.d1 * res.d2 - res.d3)
    pi_star = operators.best_response(game, mu0, LAM).policy
    d0 = visitation(p, pi_star, mu0, GAMMA)
    sigma = float(d0 @ (pi_star * np.log(pi_star / pi0)).sum(axis=1))
    assert res.sigma[0] == pytest.approx(sigma, rel=1e-9)
    assert res.c2[0] == pytest.approx(np.sqrt(d0 @ (d_star / d0) ** 2), rel=1e-9)
    rhs = (1.0 - BETA * res.dbar) * res.distance[0] + res.d2 * res.c2[0] * BETA * np.sqrt(sigma)
    assert res.rhs[0] == pytest.approx(rhs, rel=1e-9)


def test_lemma7_holds_and_eq8_needs_pinskers_factor(game: StationaryMFG) -> None:
    res = lemmas.lemma7_recursion(game, temperature=LAM, step_size=ETA, mixing_rate=BETA, n_steps=40)
    assert res.dbar > 0 and res.max_ratio <= 1.0
    assert res.eq8_pinsker_ratio <= 1.0  # Cauchy-Schwarz and Pinsker: a theorem
    assert res.eq8_ratio > 1.0  # the printed eq. (8), without the sqrt(2), fails on this game
    assert res.theta_ratio <= 1.0


def test_lemma7_refuses_a_game_that_does_not_contract() -> None:
    strong = lemmas.unit_garnet(5, 3, coupling=2.0, mixing=0.5, gamma=0.9, seed=0)
    with pytest.raises(ValueError, match="d_bar"):
        lemmas.lemma7_recursion(strong, temperature=LAM, step_size=ETA, mixing_rate=BETA, n_steps=3)
    with pytest.raises(ValueError, match="mixing_rate"):
        lemmas.lemma7_recursion(strong, temperature=LAM, step_size=ETA, mixing_rate=0.0, n_steps=3)


# -- performance difference --------------------------------------------------------------------


def test_performance_difference_identity_and_a_wrong_visitation(game: StationaryMFG) -> None:
    res = lemmas.performance_difference(game, temperature=LAM, n_pairs=5, seed=3)
    assert res.max_error <= 1e-10 and np.abs(res.lhs).max() > 1e-3
    # independent: the same identity from explicit solves, and the wrong visitation d^{pi'}
    rng = np.random.default_rng(4)
    pi, pi2 = rng.dirichlet(np.ones(3), size=5), rng.dirichlet(np.ones(3), size=5)
    mu = rng.dirichlet(np.ones(5))
    r, p, rho = game.reward(mu), game.transition(mu), game.initial
    v1, _ = soft_values(r, p, pi, GAMMA, LAM)
    v2, q2 = soft_values(r, p, pi2, GAMMA, LAM)
    adv = (pi * (q2 - LAM * np.log(pi2) - v2[:, None])).sum(axis=1)
    kl = (pi * np.log(pi / pi2)).sum(axis=1)
    right = visitation(p, pi, rho, GAMMA) @ (adv - LAM * kl) / (1.0 - GAMMA)
    wrong = visitation(p, pi2, rho, GAMMA) @ (adv - LAM * kl) / (1.0 - GAMMA)
    assert float(rho @ (v1 - v2)) == pytest.approx(float(right), abs=1e-12)
    assert abs(float(rho @ (v1 - v2)) - float(wrong)) > 1e-4


# -- Fig. 3 ------------------------------------------------------------------------------------


def test_lq_concentration_starts_uniform_and_concentrates() -> None:
    res = lemmas.lq_concentration(temperature=0.1, n_iter=10)
    assert res.flow.shape == (10, 25)
    assert res.spread[0] == pytest.approx(np.sqrt((25**2 - 1) / 12.0), abs=1e-12)
    assert res.mass_near_mean[0] == pytest.approx(5.0 / 25.0, abs=1e-12)
    assert res.spread[-1] < res.spread[0]
    # the comparison that would fail: a population that does not track stays uniform on the torus
    assert res.uniform_spread == pytest.approx(res.spread[0], abs=1e-12)
    with pytest.raises(ValueError, match="horizon"):
        lemmas.lq_concentration(temperature=0.1, n_iter=1, horizon=1)


def test_sis_equilibrium_and_largest_exploitability(game: StationaryMFG) -> None:
    sis = lemmas.sis_equilibrium()
    garnet = lemmas.equilibrium_exploitability(game, temperature=LAM)
    worst = lemmas.largest_exploitability([sis, garnet])
    assert worst == max(abs(sis.exploitability), abs(garnet.exploitability)) and worst <= 1e-12
    with pytest.raises(TypeError, match="results"):
        lemmas.largest_exploitability([])
    with pytest.raises(ValueError, match="gamma"):
        lemmas.sis_equilibrium(gamma=1.0)


def test_lemma7_ratio_arrays_match_their_maxima(game: StationaryMFG) -> None:
    res = lemmas.lemma7_recursion(game, temperature=LAM, step_size=ETA, mixing_rate=BETA, n_steps=60)
    assert np.nanmax(res.ratios) == pytest.approx(res.max_ratio)
    assert np.nanmax(res.eq8_ratios) == pytest.approx(res.eq8_ratio)
    assert np.isnan(res.ratios[-1]) and np.isnan(res.eq8_ratios[-1])  # steps at rounding level are not scored
