"""mfcode.nac.scoring and mfcode.nac.exact: App. D's exact exploitability and the exact oracles of Algorithm 1."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mfcode.mfg import exploitability as mfg_exploitability
from mfcode.mfg import games, solvers
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac import scoring

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
