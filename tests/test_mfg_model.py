"""Validation of the MFG game classes (mfcode.mfg.stationary, mfcode.mfg.finite_horizon)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfg import FiniteHorizonMFG, StationaryMFG, games


def zeros_reward(mu: np.ndarray) -> np.ndarray:
    return np.zeros((2, 2))


def stay(mu: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.eye(2)[:, None, :], (2, 2, 2)).copy()


def make(**kw: object) -> StationaryMFG:
    args: dict[str, object] = dict(
        n_states=2, n_actions=2, reward_fn=zeros_reward, transition_fn=stay, gamma=0.9,
        initial=np.array([0.5, 0.5]),
    )
    args.update(kw)
    return StationaryMFG(**args)  # type: ignore[arg-type]


def test_valid_model_and_default_names() -> None:
    g = make()
    assert g.state_names == ("s0", "s1") and g.action_names == ("a0", "a1")
    assert not g.initial.flags.writeable
    np.testing.assert_array_equal(g.transition([1.0, 0.0])[0, 1], [1.0, 0.0])


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(gamma=1.0), "gamma"),
        (dict(gamma=-0.1), "gamma"),
        (dict(gamma=0.0), "gamma"),  # 001 §2: gamma in (0, 1)
        (dict(n_states=0), "n_states"),
        (dict(initial=np.array([0.6, 0.6])), "initial"),
        (dict(initial=np.array([1.0, 0.0, 0.0])), "initial"),
        (dict(reward_fn=lambda mu: np.zeros((2, 3))), "reward must have shape"),
        (dict(reward_fn=lambda mu: np.full((2, 2), np.inf)), "reward must be finite"),
        (dict(transition_fn=lambda mu: np.full((2, 2, 2), 0.6)), "rows"),
        (dict(transition_fn=lambda mu: np.ones((2, 2, 3)) / 3), "transition must have shape"),
        (dict(transition_fn=lambda mu: np.array([[[1.5, -0.5]] * 2] * 2)), "non-negative"),
        (dict(state_names=("a",)), "state_names"),
    ],
)
def test_stationary_validation(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(**kw)


def test_kernel_checked_at_every_call() -> None:
    g = make(transition_fn=lambda mu: np.full((2, 2, 2), 0.5 + 0.2 * (mu[0] > 0.9)))
    with pytest.raises(ValueError, match="rows"):
        g.transition([1.0, 0.0])
    with pytest.raises(ValueError, match="mu must"):
        g.reward([0.2, 0.2])
    with pytest.raises(TypeError, match="reward_fn"):
        make(reward_fn=3)


def test_finite_horizon_validation_and_population() -> None:
    def r(t: int, m: np.ndarray) -> np.ndarray:
        return np.full((2, 2), float(m.sum()))

    def p(t: int, m: np.ndarray) -> np.ndarray:
        return stay(m)

    g = FiniteHorizonMFG(2, 2, 3, r, p, np.array([1.0, 0.0]), population="state_action")
    pol = np.full((2, 2), 0.5)
    np.testing.assert_array_equal(g.population_argument(np.array([1.0, 0.0]), pol), [[0.5, 0.5], [0, 0]])
    with pytest.raises(ValueError, match="t must lie"):
        g.transition(2, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="gamma"):
        FiniteHorizonMFG(2, 2, 3, r, p, np.array([1.0, 0.0]), gamma=1.5)
    with pytest.raises(ValueError, match="population"):
        FiniteHorizonMFG(2, 2, 3, r, p, np.array([1.0, 0.0]), population="action")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="horizon"):
        FiniteHorizonMFG(2, 2, 0, r, p, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="policy must have shape"):
        g.check_policy(np.full((2, 2, 2), 0.5))


@pytest.mark.parametrize("p", [0.3705, 0.371, 0.38, 0.5, 0.9])
def test_sis_induced_mean_field_near_the_epidemic_threshold(p: float) -> None:
    # Gamma_2 on SIS: m' = 0.7 m + 0.81 p m (1 - m); from rho = (0.4, 0.6) the iteration tends to the endemic
    # m* = 1 - 0.3 / (0.81 p), with contraction factor 1.3 - 0.81 p (0.99989 at p = 0.3705: ~3e5 plain sweeps,
    # where induce used to raise after 1e5). Newton's finish must land on m*, not on the disease-free m = 0.
    game = games.sis()
    mu, _ = game.induce(np.array([[1.0 - p, p], [0.5, 0.5]]))
    rate = 1.3 - 0.81 * p
    assert mu[1] == pytest.approx(1.0 - 0.3 / (0.81 * p), abs=1e-12 / (1.0 - rate))
