"""mfcode.nac.scoring and mfcode.nac.exact: App. D's exact exploitability and the exact oracles of Algorithm 1."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mfcode.mfg import exploitability as mfg_exploitability
from mfcode.mfg import games, solvers
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac import exact, scoring
from mfcode.nac.features import Features, one_hot
from mfcode.nac.protocol import Iterate

GAMES: dict[str, Callable[[], StationaryMFG]] = {
    "sis": games.sis,
    "lq": games.lq,
    "garnet": lambda: games.garnet(6, 3, coupling=0.3, seed=2),
    "herding garnet": lambda: games.garnet(5, 2, coupling=0.5, herding=0.5, seed=3),
}


@pytest.fixture(params=list(GAMES), scope="module")
def game(request: pytest.FixtureRequest) -> StationaryMFG:
    return GAMES[request.param]()


def _policies(game: StationaryMFG, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(game.n_actions), size=(n, game.n_states))


@pytest.mark.parametrize("temperature", [0.0, 0.1, 1.0])
def test_exploitability_equals_mfg_exploitability_policy_by_policy(game: StationaryMFG, temperature: float) -> None:
    pis = _policies(game, 3, 0)
    got = scoring.exploitability(game, pis, temperature)
    want = [mfg_exploitability.exploitability(game, pi, temperature) for pi in pis]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    assert (got > 1e-6).all()  # random policies are exploitable


def test_exploitability_of_the_exact_regularized_ne_is_zero(game: StationaryMFG) -> None:
    ne = solvers.solve_equilibrium(game, 0.5)
    got = scoring.exploitability(game, np.stack([ne.policy, game.uniform_policy()]), 0.5)
    assert abs(got[0]) < 1e-10
    assert got[1] > 1e-4


def test_dynamics_batch_equals_the_game_at_each_mean_field(game: StationaryMFG) -> None:
    mus = np.random.default_rng(1).dirichlet(np.ones(game.n_states), size=3)
    reward, kernel = scoring.dynamics_batch(game, mus)
    assert reward.shape == (3, *game.policy_shape) and kernel.shape == (3, *game.policy_shape, game.n_states)
    for i, mu in enumerate(mus):
        np.testing.assert_array_equal(reward[i], game.reward(mu))
        np.testing.assert_array_equal(kernel[i], game.transition(mu))


def test_induced_mean_fields_are_fixed_points_of_the_population_dynamics(game: StationaryMFG) -> None:
    pis = _policies(game, 2, 5)
    mus = scoring.induced_mean_fields(game, pis)
    for pi, mu in zip(pis, mus, strict=True):
        np.testing.assert_allclose(game.push_forward(pi, mu), mu, atol=1e-12)


def test_scoring_rejects_bad_arguments() -> None:
    game = games.sis()
    pis = np.full((2, 2, 2), 0.5)
    with pytest.raises(TypeError, match="game"):
        scoring.exploitability(games.sis_episodic(), pis, 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="policies"):
        scoring.exploitability(game, pis[0], 0.1)
    with pytest.raises(ValueError, match="policies"):
        scoring.exploitability(game, np.full((2, 2, 2), 0.7), 0.1)
    with pytest.raises(ValueError, match="temperature"):
        scoring.exploitability(game, pis, -1.0)
    with pytest.raises(ValueError, match="mean_fields"):
        scoring.dynamics_batch(game, np.full((2, 3), 1 / 3))


# -- the exact oracles ---------------------------------------------------------------------------


def _iterate(game: StationaryMFG, features: Features, theta: np.ndarray, mu: np.ndarray, lam: float) -> Iterate:
    reward, kernel = scoring.dynamics_batch(game, mu)
    return Iterate(theta, features.policy(theta), mu, reward, kernel, game.initial, game.gamma, lam)


def _random_features(rng: np.random.Generator, s: int, a: int, d: int) -> Features:
    phi = rng.normal(size=(s, a, d))
    phi /= np.maximum(1.0, np.linalg.norm(phi, axis=-1, keepdims=True)) * rng.uniform(1.0, 2.0, size=(s, a, 1))
    return Features(phi)


def _random_iterate(game: StationaryMFG, features: Features, n: int, seed: int, lam: float = 0.3) -> Iterate:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(n, features.dim))
    mu = rng.dirichlet(np.ones(game.n_states), size=n)
    return _iterate(game, features, theta, mu, lam)


def test_batched_evaluation_and_best_response_equal_the_game_per_seed(game: StationaryMFG) -> None:
    it = _random_iterate(game, one_hot(*game.policy_shape), 3, 0)
    ev = exact.policy_evaluation(it.reward, it.kernel, it.policy, it.gamma, it.temperature)
    br = exact.soft_best_response(it.reward, it.kernel, it.gamma, it.temperature)
    for i in range(3):
        dyn = game.dynamics_at(it.mean_field[i])
        want = game.evaluate(it.policy[i], dyn, it.temperature)
        np.testing.assert_allclose(ev.q[i], want.q, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ev.value[i], want.value, rtol=1e-12, atol=1e-12)
        best = game.best_response(dyn, it.temperature)
        np.testing.assert_allclose(br.policy[i], best.policy, atol=1e-10)
        np.testing.assert_allclose(br.value[i], best.value, rtol=1e-10, atol=1e-10)


def test_exact_critic_is_q_minus_lambda_log_pi_of_the_game_evaluation(game: StationaryMFG) -> None:
    features = one_hot(*game.policy_shape)
    it = _random_iterate(game, features, 3, 1)
    est = exact.ExactCritic().estimate(it, features, np.random.default_rng(0))
    assert est.state.shape == (3, 0)
    for i in range(3):
        q = game.evaluate(it.policy[i], game.dynamics_at(it.mean_field[i]), it.temperature).q
        np.testing.assert_allclose(est.q_hat[i], q - it.temperature * np.log(it.policy[i]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(exact.visitation(it)[i], game.visitation(it.policy[i], it.mean_field[i]), atol=1e-13)
    a = exact.advantage(it)
    np.testing.assert_allclose((it.policy * a).sum(axis=-1), 0.0, atol=1e-12)
    # Alg. 1's A-hat from the exact q-hat is the exact advantage
    np.testing.assert_allclose(exact.advantage_estimate(it, est.q_hat), a, atol=1e-11)
    # eq. (2): zero for the exact q, and a constant shift c costs c^2 (d and pi sum to one)
    np.testing.assert_allclose(exact.critic_error(it, est.q_hat), 0.0, atol=1e-20)
    np.testing.assert_allclose(exact.critic_error(it, est.q_hat + 0.5), 0.25, rtol=1e-12)


def _normal_equations(it: Iterate, features: Features, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fisher matrix F = E[g g^T] and b = E[g A] under d^pi_mu x pi (independently of exact.py's SVD)."""
    p = exact.visitation(it)[:, :, None] * it.policy
    g = features.score(it.policy)
    return np.einsum("nsa,nsad,nsae->nde", p, g, g), np.einsum("nsa,nsad,nsa->nd", p, g, target)


def test_exact_actor_inside_the_ball_is_the_minimum_norm_least_squares_solution() -> None:
    game = games.garnet(5, 3, coupling=0.3, seed=4)
    rng = np.random.default_rng(2)
    features = _random_features(rng, 5, 3, 20)  # d > S(A - 1): the score has null directions
    it = _random_iterate(game, features, 3, 3)
    target = exact.advantage(it)
    w = exact.ExactActor().estimate(it, features, exact.shifted_q(it), 1e6, rng)
    fisher, b = _normal_equations(it, features, target)
    for i in range(3):
        np.testing.assert_allclose(fisher[i] @ w[i], b[i], atol=1e-9)  # stationarity: grad L = 2(Fw - b) = 0
        root = np.sqrt(exact.visitation(it)[i][:, None] * it.policy[i]).reshape(-1)
        design = root[:, None] * features.score(it.policy[i]).reshape(15, 20)
        want = np.linalg.lstsq(design, root * target[i].reshape(-1), rcond=None)[0]
        np.testing.assert_allclose(w[i], want, atol=1e-8)  # the minimum-norm minimiser
        assert np.linalg.matrix_rank(fisher[i]) < 20
    loss = exact.actor_loss(it, features, target, w)
    for _ in range(5):  # no other point does better
        assert (exact.actor_loss(it, features, target, w + 0.1 * rng.normal(size=w.shape)) >= loss - 1e-12).all()


def test_exact_actor_on_the_sphere_satisfies_the_kkt_conditions() -> None:
    game = games.garnet(6, 2, coupling=0.3, seed=5)
    rng = np.random.default_rng(6)
    features = _random_features(rng, 6, 2, 4)
    it = _random_iterate(game, features, 4, 7, lam=0.5)
    target = exact.advantage(it)
    free = exact.compatible_weights(it, features, target, None)
    radius = 0.3 * float(np.linalg.norm(free, axis=-1).min())
    w = exact.ExactActor().estimate(it, features, exact.shifted_q(it), radius, rng)
    np.testing.assert_allclose(np.linalg.norm(w, axis=-1), radius, rtol=1e-12)
    fisher, b = _normal_equations(it, features, target)
    for i in range(4):
        grad = fisher[i] @ w[i] - b[i]  # KKT: grad + nu w = 0 with nu > 0
        nu = -float(grad @ w[i]) / radius**2
        assert nu > 0
        np.testing.assert_allclose(grad + nu * w[i], 0.0, atol=1e-9 * max(1.0, nu))
    loss = exact.actor_loss(it, features, target, w)
    for _ in range(20):  # random points of the ball do no better
        z = rng.normal(size=w.shape)
        z *= radius * rng.uniform(size=(4, 1)) ** 0.25 / np.linalg.norm(z, axis=-1, keepdims=True)
        assert (exact.actor_loss(it, features, target, z) >= loss - 1e-12).all()
    assert (exact.actor_loss(it, features, target, radius * free / np.linalg.norm(free, axis=-1, keepdims=True)) >= loss - 1e-12).all()


def test_one_hot_npg_step_is_the_closed_form_mirror_update(game: StationaryMFG) -> None:
    features = one_hot(*game.policy_shape)
    it = _random_iterate(game, features, 3, 8, lam=0.4)
    eta = 1.5
    q_hat = exact.ExactCritic().estimate(it, features, np.random.default_rng(0)).q_hat
    w = exact.ExactActor().estimate(it, features, q_hat, 1e6, np.random.default_rng(0))
    new = features.policy(it.theta + eta * (w - it.temperature * it.theta))
    q_soft = q_hat + it.temperature * np.log(it.policy)  # Q = q + lambda log pi
    want = it.policy ** (1.0 - eta * it.temperature) * np.exp(eta * (q_soft - q_soft.max(axis=-1, keepdims=True)))
    want /= want.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(new, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(features.policy(it.theta + eta * exact.npg_direction(it, features)), want, rtol=1e-9, atol=1e-12)


def test_exact_oracles_reject_bad_arguments() -> None:
    game = games.sis()
    features = one_hot(2, 2)
    it = _random_iterate(game, features, 2, 0)
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="iterate"):
        exact.ExactCritic().estimate("x", features, rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="features"):
        exact.ExactCritic().estimate(it, one_hot(2, 3), rng)
    with pytest.raises(ValueError, match="radius"):
        exact.ExactActor().estimate(it, features, np.zeros((2, 2, 2)), 0.0, rng)
    with pytest.raises(ValueError, match="q_hat"):
        exact.ExactActor().estimate(it, features, np.zeros((2, 2)), 1.0, rng)
    with pytest.raises(ValueError, match="q_hat"):
        exact.ExactActor().estimate(it, features, np.full((2, 2, 2), np.nan), 1.0, rng)
    with pytest.raises(ValueError, match="positive"):
        exact.shifted_q(Iterate(it.theta, np.array([[[1.0, 0.0], [0.5, 0.5]]] * 2), it.mean_field, it.reward, it.kernel, it.initial, it.gamma, 0.3))
    with pytest.raises(ValueError, match="kernel"):
        exact.shifted_q(Iterate(it.theta, it.policy, it.mean_field, it.reward, it.kernel[0], it.initial, it.gamma, 0.3))
    with pytest.raises(ValueError, match="gamma"):
        exact.policy_evaluation(it.reward, it.kernel, it.policy, 1.0, 0.1)


def test_exact_actor_splits_block_structured_features_without_changing_the_minimiser() -> None:
    rng = np.random.default_rng(9)
    phi = np.zeros((4, 2, 7))
    phi[:2, :, :3] = rng.uniform(-0.5, 0.5, size=(2, 2, 3))  # states 0, 1 share columns 0-2
    phi[2, :, 3:5] = rng.uniform(-0.5, 0.5, size=(2, 2))
    phi[3, :, 5] = (0.3, -0.6)  # column 6 is used by no state
    features = Features(phi)
    game = games.garnet(4, 2, coupling=0.3, seed=1)
    it = _random_iterate(game, features, 3, 4)
    target = exact.advantage(it)
    w = exact.compatible_weights(it, features, target, None)
    fisher, b = _normal_equations(it, features, target)
    for i in range(3):
        root = np.sqrt(exact.visitation(it)[i][:, None] * it.policy[i]).reshape(-1)
        design = root[:, None] * features.score(it.policy[i]).reshape(8, 7)
        np.testing.assert_allclose(w[i], np.linalg.lstsq(design, root * target[i].reshape(-1), rcond=None)[0], atol=1e-9)
    radius = 0.5 * float(np.linalg.norm(w, axis=-1).min())
    clipped = exact.compatible_weights(it, features, target, radius)
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=-1), radius, rtol=1e-12)
    for i in range(3):
        grad = fisher[i] @ clipped[i] - b[i]
        nu = -float(grad @ clipped[i]) / radius**2
        assert nu > 0
        np.testing.assert_allclose(grad + nu * clipped[i], 0.0, atol=1e-9)
    assert (w[:, 6] == 0.0).all() and (clipped[:, 6] == 0.0).all()
