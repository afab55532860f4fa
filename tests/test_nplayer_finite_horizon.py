"""N-player evaluation of finite-horizon MFGs (mfcode.nplayer.adapters.finite_horizon): closed forms, exact DP vs Monte Carlo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from mfcode.mfg import games
from mfcode.mfg.finite_horizon import FiniteHorizonMFG
from mfcode.mfg.solvers import FixedPoint
from mfcode.nplayer import EpisodicGame, evaluate
from mfcode.nplayer.adapters import GameEpoch
from mfcode.nplayer.exact import flow_evaluation

HORIZON = 4
GAMMA = 0.9
RNG = np.random.default_rng(7)
KERNELS = RNG.dirichlet(np.ones(2), size=(HORIZON, 2, 2))  # P_t(s'|s,a), independent of mu
POLICY = RNG.dirichlet(np.ones(2), size=(HORIZON, 2))
MU0 = np.array([0.3, 0.7])


@dataclass(frozen=True)
class _Independent:
    """r_t(s, a, mu) = bonus_t(s, a) + crowd(mu)(s); mu-independent kernels: the agents move independently."""

    quadratic: bool

    def reward(self, t: int, mu: np.ndarray) -> np.ndarray:
        bonus = 0.3 * (t + 1) * np.array([[0.0, 1.0], [0.5, -0.2]])
        crowd = -(mu**2) if self.quadratic else np.full(2, 2.0 * mu[1])  # the linear part does not depend on s
        out: np.ndarray = bonus + crowd[:, None]
        return out

    def transition(self, t: int, mu: np.ndarray) -> np.ndarray:
        out: np.ndarray = KERNELS[t]
        return out


def _game(quadratic: bool) -> FiniteHorizonMFG:
    model = _Independent(quadratic)
    return FiniteHorizonMFG(2, 2, HORIZON, model.reward, model.transition, MU0, gamma=GAMMA)


def _flow() -> np.ndarray:
    mu = [MU0]
    for t in range(HORIZON - 1):
        mu.append(np.einsum("s,sa,sau->u", mu[-1], POLICY[t], KERNELS[t]))
    return np.array(mu)


def test_value_gap_closed_form_for_independent_agents() -> None:
    # Every agent's state at t has law mu_t, independently of the others', so for r = -mu(s)^2 + bonus
    # E[mu^{-i}(s)^2] = mu_t(s)^2 + mu_t(s)(1 - mu_t(s))/(N-1):
    # V^N - V^MF = -sum_t gamma^t sum_s mu_t(s)^2 (1 - mu_t(s)) / (N - 1).
    mu = _flow()
    per_epoch = (GAMMA ** np.arange(HORIZON)) @ (mu**2 * (1.0 - mu)).sum(axis=1)
    curve = evaluate(EpisodicGame(_game(quadratic=True)), POLICY, [2, 3, 7, 20], method="exact")
    np.testing.assert_allclose(curve.value_gap, -per_epoch / (curve.n_agents - 1), atol=1e-12)
    assert curve.gap_slope < -0.9


def test_linear_crowd_term_leaves_value_and_exploitability_at_the_mean_field() -> None:
    # r = bonus_t(s, a) + 2 mu(1): E over the others' binomial counts is the mean-field reward exactly, and the
    # counts carry no information about which action is better, so the deviator's best response is the
    # mean-field one: V^N = V^MF and the N-player exploitability is the mean-field one, for every N.
    game = EpisodicGame(_game(quadratic=False))
    mf = game.mean_field(POLICY)
    assert mf.exploitability > 0.05
    for n in (2, 5, 11):
        ex = game.exact(POLICY, n)
        assert ex is not None
        assert ex.value == pytest.approx(mf.value, abs=1e-12)
        assert ex.exploitability == pytest.approx(mf.exploitability, abs=1e-12)


def test_monte_carlo_agrees_with_the_exact_dp_on_episodic_sis() -> None:
    sis = games.sis_episodic(horizon=8)
    eq = FixedPoint(temperature=0.1).solve(sis, max_iter=300, atol=1e-12).policy
    game = EpisodicGame(sis)
    ex = game.exact(eq, 6)
    assert ex is not None and ex.exploitability >= 0.0
    mc = game.simulate(eq, 6, n_replicates=800, seed=2)
    v, half = mc.value()
    assert abs(v - ex.value) <= half
    g, g_half = mc.gain()
    assert g - g_half <= ex.exploitability  # the mean-field best response gains at most the exact best one
    gap, gap_half = mc.value_gap()
    assert gap == pytest.approx(v - game.mean_field(eq).value, abs=1e-12) and gap_half > 0


def test_exploitability_of_the_ne_tends_to_the_mean_field_one() -> None:
    sis = games.sis_episodic(horizon=10)
    eq = FixedPoint(temperature=0.1).solve(sis, max_iter=300, atol=1e-12).policy
    curve = evaluate(EpisodicGame(sis), eq, [4, 8, 16, 32])
    assert curve.exact.all() and np.all(curve.exploitability >= 0.0)
    assert np.all(np.diff(np.abs(curve.exploitability_gap)) < 0) and np.all(np.diff(np.abs(curve.value_gap)) < 0)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="game"):
        EpisodicGame(games.sis())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="game"):
        EpisodicGame(games.random_linear(n=2, horizon=3, seed=0))
    game = EpisodicGame(_game(quadratic=True))
    with pytest.raises(ValueError, match="policy"):
        game.exact(POLICY[:2], 3)
    with pytest.raises(ValueError, match="lifted states"):
        flow_evaluation(lambda t: GameEpoch(game.game, t), POLICY, 7000, MU0, GAMMA)
    assert game.exact(POLICY, 7000) is None
    with pytest.raises(ValueError, match="initial"):
        flow_evaluation(lambda t: GameEpoch(game.game, t), POLICY, 3, np.ones(3) / 3, GAMMA)
