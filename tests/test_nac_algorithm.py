"""mfcode.nac.algorithm, dl_nac and schedules: Algorithm 1 and DL-NAC with the exact oracles."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.arrays import FloatArray
from mfcode.mfg import games, operators, solvers
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac import exact, scoring
from mfcode.nac.algorithm import NACConfig, nac
from mfcode.nac.dl_nac import DLNACConfig, dl_nac
from mfcode.nac.features import Features, one_hot
from mfcode.nac.protocol import CriticEstimate, Iterate, NACRun
from mfcode.nac.schedules import Constant, TheorySchedule, mean_field_steps, policy_steps

CRITIC, ACTOR = exact.ExactCritic(), exact.ExactActor()


@dataclass
class NoisyCritic:
    """The exact q plus Gaussian noise from the batch's generator; its state counts its calls and it keeps the starts it got."""

    scale: float
    starts: list[FloatArray | None] = field(default_factory=list)

    def estimate(self, iterate: Iterate, features: Features, rng: np.random.Generator, start: FloatArray | None = None) -> CriticEstimate:
        self.starts.append(None if start is None else start.copy())
        q = exact.shifted_q(iterate) + self.scale * rng.normal(size=iterate.policy.shape)
        calls = np.ones((iterate.n_seeds, 1)) if start is None else start + 1.0
        return CriticEstimate(q, calls)


def _ne_distance(game: StationaryMFG, run: NACRun, lam: float) -> tuple[FloatArray, solvers.Equilibrium]:
    ne = solvers.solve_equilibrium(game, lam)
    return run.distance_to(ne.policy, ne.mean_field, game.visitation(ne.policy, ne.mean_field)), ne


@pytest.mark.parametrize(
    ("game", "iterations", "atol_distance"),
    [(games.garnet(6, 3, coupling=0.3, seed=2), 600, 0.02), (games.sis(), 1200, 0.05)],
    ids=["contractive garnet", "sis"],
)
def test_exact_oracle_nac_converges_to_the_regularized_ne(game: StationaryMFG, iterations: int, atol_distance: float) -> None:
    lam = 0.5
    config = NACConfig(iterations, lam, Constant(1.0), Constant(0.05), radius=100.0, score_every=200)
    run = nac(game, one_hot(*game.policy_shape), critic=CRITIC, actor=ACTOR, config=config, n_seeds=2)
    assert run.name == "NAC" and run.policies.shape == (2, iterations, *game.policy_shape)
    assert run.scored_at[0] == 0 and run.scored_at[-1] == iterations - 1
    assert run.exploitability[:, 0].min() > 0.1  # the uniform start is exploitable
    assert np.abs(run.exploitability[:, -1]).max() < 1e-6
    distance, ne = _ne_distance(game, run, lam)
    assert distance.max() < atol_distance
    # Theorem 1's averages: with exact oracles the last iterate converges linearly, so the distance of
    # the averages decays like 1/T (half the run: about twice the distance)
    half = iterations // 2
    d_star = game.visitation(ne.policy, ne.mean_field)
    at_half = np.abs(run.policies[:, :half].mean(axis=1) - ne.policy).sum(axis=-1) @ d_star
    at_half += np.abs(run.mean_fields[:, :half].mean(axis=1) - ne.mean_field).sum(axis=-1)
    np.testing.assert_allclose(distance / at_half, 0.5, atol=0.05)
    np.testing.assert_allclose(run.policies[:, -1], np.broadcast_to(ne.policy, run.policies[:, -1].shape), atol=1e-4)
    np.testing.assert_allclose(run.mean_fields[:, -1], np.broadcast_to(ne.mean_field, run.mean_fields[:, -1].shape), atol=1e-4)


def test_nac_mean_field_and_policy_updates_follow_algorithm_1() -> None:
    game = games.garnet(4, 2, coupling=0.5, herding=0.5, seed=1)
    features = Features(np.random.default_rng(0).uniform(-0.5, 0.5, size=(4, 2, 3)))
    config = NACConfig(5, 0.2, Constant(0.5), Constant(0.3), radius=0.7)
    run = nac(game, features, critic=CRITIC, actor=ACTOR, config=config)
    assert run.parameters is not None
    np.testing.assert_array_equal(run.parameters[:, 0], 0.0)
    np.testing.assert_array_equal(run.mean_fields[:, 0], game.initial[None])
    for t in range(5):
        theta, mu = run.parameters[:, t], run.mean_fields[:, t]
        reward, kernel = scoring.dynamics_batch(game, mu)
        it = Iterate(theta, features.policy(theta), mu, reward, kernel, game.initial, game.gamma, 0.2)
        np.testing.assert_allclose(run.policies[:, t], it.policy, atol=1e-15)
        w = exact.compatible_weights(it, features, exact.advantage(it), 0.7)
        np.testing.assert_allclose(run.parameters[:, t + 1], theta + 0.5 * (w - 0.2 * theta), atol=1e-12)
        np.testing.assert_allclose(run.mean_fields[0, t + 1], 0.7 * mu[0] + 0.3 * game.push_forward(it.policy[0], mu[0]), atol=1e-15)
    np.testing.assert_allclose(run.exploitability[0], scoring.exploitability(game, run.policies[0], 0.2), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    n_states=st.integers(2, 5),
    n_actions=st.integers(2, 4),
    dim=st.integers(1, 6),
    coupling=st.floats(0.0, 2.0),
    lam=st.floats(0.05, 2.0),
    eta_lam=st.floats(0.05, 0.99),
    radius=st.floats(0.01, 3.0),
    seed=st.integers(0, 2**16),
)
def test_lemma_2_theta_norm_and_minimum_probability_along_every_run(
    n_states: int, n_actions: int, dim: int, coupling: float, lam: float, eta_lam: float, radius: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    game = games.garnet(n_states, n_actions, coupling=coupling, seed=seed)
    phi = rng.normal(size=(n_states, n_actions, dim))
    phi *= rng.uniform(0.0, 1.0, size=(n_states, n_actions, 1)) / np.linalg.norm(phi, axis=-1, keepdims=True)
    config = NACConfig(12, lam, Constant(eta_lam / lam), Constant(0.2), radius=radius, score_every=12)
    run = nac(game, Features(phi), critic=CRITIC, actor=ACTOR, config=config)
    assert run.theta_norm is not None
    assert run.theta_norm.max() <= radius / lam * (1.0 + 1e-9)
    assert run.min_probability.min() >= np.exp(-2.0 * radius / lam) / n_actions * (1.0 - 1e-9)


def test_dl_nac_with_converged_segments_is_the_exact_fixed_point_iteration() -> None:
    game = games.garnet(6, 3, coupling=0.3, seed=2)
    lam, length, segments = 0.5, 200, 4
    want = [game.initial]
    for _ in range(segments):
        want.append(operators.mean_field_map(game, want[-1], lam))
    features = one_hot(*game.policy_shape)
    runs = {}
    for restart in ("cold", "warm"):
        config = DLNACConfig(length * segments, lam, Constant(1.8), radius=1e3, segment_length=length, restart=restart, score_every=length)
        runs[restart] = run = dl_nac(game, features, critic=CRITIC, actor=ACTOR, config=config, n_seeds=2)
        assert run.name == f"DL-NAC ({restart})"
        ends = run.mean_fields[:, ::length]
        np.testing.assert_allclose(ends, np.broadcast_to(np.array(want), ends.shape), atol=1e-10)
        for k in range(segments):  # the mean field is frozen within a segment
            segment = run.mean_fields[:, k * length : (k + 1) * length]
            np.testing.assert_array_equal(segment, np.broadcast_to(segment[:, :1], segment.shape))
        # the last policy of each segment is Gamma_1(mu_k)
        np.testing.assert_allclose(run.policies[0, length - 1], operators.best_response(game, want[0], lam).policy, atol=1e-9)
    cold, warm = runs["cold"].parameters, runs["warm"].parameters
    assert cold is not None and warm is not None
    np.testing.assert_array_equal(cold[:, ::length][:, :segments], 0.0)
    assert np.abs(warm[:, length]).max() > 0.1
    # the cold restart starts each segment at the uniform policy: an exploitability spike
    assert (runs["cold"].exploitability[:, 1:-1] > 10 * runs["warm"].exploitability[:, 1:-1]).all()


def test_same_seed_same_run_and_seeds_differ_within_the_batch() -> None:
    game = games.sis()
    features = one_hot(2, 2)
    config = NACConfig(20, 0.3, Constant(1.0), Constant(0.1), radius=5.0, score_every=20)
    first, second, other = (nac(game, features, critic=NoisyCritic(0.3), actor=ACTOR, config=config, n_seeds=3, seed=s) for s in (7, 7, 8))
    for name in ("policies", "mean_fields", "parameters", "exploitability"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
        assert not np.array_equal(getattr(first, name), getattr(other, name))
    assert not np.allclose(first.policies[0], first.policies[1])
    dl = DLNACConfig(20, 0.3, Constant(1.0), radius=5.0, segment_length=5, score_every=20)
    a, b = (dl_nac(game, features, critic=NoisyCritic(0.3), actor=ACTOR, config=dl, n_seeds=2, seed=3) for _ in range(2))
    np.testing.assert_array_equal(a.policies, b.policies)


def test_warm_started_critic_gets_its_previous_state() -> None:
    game = games.sis()
    features = one_hot(2, 2)
    for warm in (False, True):
        critic = NoisyCritic(0.0)
        nac(game, features, critic=critic, actor=ACTOR, config=NACConfig(4, 0.3, Constant(1.0), Constant(0.1), 5.0, warm_start_critic=warm), n_seeds=2)
        if warm:
            assert critic.starts[0] is None
            assert [float(s[0, 0]) for s in critic.starts[1:] if s is not None] == [1.0, 2.0, 3.0]
        else:
            assert critic.starts == [None] * 4
    critic = NoisyCritic(0.0)
    config = DLNACConfig(6, 0.3, Constant(1.0), 5.0, segment_length=3, restart="cold", warm_start_critic=True)
    dl_nac(game, features, critic=critic, actor=ACTOR, config=config)
    assert [None if s is None else float(s[0, 0]) for s in critic.starts] == [None, 1.0, 2.0, None, 1.0, 2.0]


def test_schedules_give_the_theory_rates_and_check_their_ranges() -> None:
    eta, beta = TheorySchedule.eta(0.5, 0.25), TheorySchedule.beta(2.0)
    assert eta.value(3, 1000) == pytest.approx(0.5 * 1000**-0.4 / 0.25)
    assert beta.value(0, 1000) == pytest.approx(2.0 * 1000**-0.8)
    np.testing.assert_allclose(policy_steps(eta, 100, 0.25), 0.5 * 100**-0.4 / 0.25)
    np.testing.assert_allclose(mean_field_steps(Constant(0.3), 7), 0.3)
    with pytest.raises(ValueError, match="Lemma 2"):
        policy_steps(TheorySchedule.eta(2.0, 0.25), 4, 0.25)  # eta * lambda = 2 * 4^(-2/5) > 1
    with pytest.raises(ValueError, match="beta"):
        mean_field_steps(TheorySchedule.beta(5.0), 4)
    with pytest.raises(ValueError, match="t"):
        Constant(0.1).value(5, 5)
    with pytest.raises(ValueError, match="step"):
        Constant(0.0)
    with pytest.raises(ValueError, match="scale"):
        TheorySchedule(-1.0, 0.4)
    with pytest.raises(ValueError, match="temperature"):
        TheorySchedule.eta(1.0, 0.0)
    with pytest.raises(TypeError, match="eta"):
        policy_steps(0.1, 5, 1.0)  # type: ignore[arg-type]


def test_bad_parameters_raise_errors_naming_them() -> None:
    c, b = Constant(0.5), Constant(0.1)
    cases: list[tuple[type[Exception], str, dict[str, object]]] = [
        (ValueError, "iterations", {"iterations": 0}),
        (TypeError, "iterations", {"iterations": 2.0}),
        (ValueError, "temperature", {"temperature": 0.0}),
        (ValueError, "eta", {"eta": Constant(3.0)}),
        (TypeError, "eta", {"eta": 0.5}),
        (ValueError, "beta", {"beta": Constant(1.5)}),
        (ValueError, "radius", {"radius": -1.0}),
        (TypeError, "warm_start_critic", {"warm_start_critic": 1}),
        (ValueError, "score_every", {"score_every": 0}),
    ]
    base: dict[str, object] = {"iterations": 10, "temperature": 0.5, "eta": c, "beta": b, "radius": 1.0}
    for error, name, change in cases:
        with pytest.raises(error, match=name):
            NACConfig(**{**base, **change})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="segment_length"):
        DLNACConfig(10, 0.5, c, 1.0, segment_length=3)
    with pytest.raises(ValueError, match="restart"):
        DLNACConfig(10, 0.5, c, 1.0, segment_length=5, restart="hot")  # type: ignore[arg-type]
    game, features, config = games.sis(), one_hot(2, 2), NACConfig(3, 0.5, c, b, 1.0)
    with pytest.raises(TypeError, match="game"):
        nac(games.sis_episodic(), features, critic=CRITIC, actor=ACTOR, config=config)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="features"):
        nac(game, one_hot(2, 3), critic=CRITIC, actor=ACTOR, config=config)
    with pytest.raises(ValueError, match="n_seeds"):
        nac(game, features, critic=CRITIC, actor=ACTOR, config=config, n_seeds=0)
    with pytest.raises(TypeError, match="critic"):
        nac(game, features, critic=object(), actor=ACTOR, config=config)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        nac(game, features, critic=CRITIC, actor=ACTOR, config=DLNACConfig(3, 0.5, c, 1.0, 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        dl_nac(game, features, critic=CRITIC, actor=ACTOR, config=config)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _UnclippedActor:
    def estimate(self, iterate: Iterate, features: Features, q_hat: FloatArray, radius: float, rng: np.random.Generator) -> FloatArray:
        return exact.compatible_weights(iterate, features, exact.advantage_estimate(iterate, q_hat), None)


def test_an_actor_that_breaks_the_radius_is_caught() -> None:
    config = NACConfig(3, 0.5, Constant(0.5), Constant(0.1), radius=1e-3)
    with pytest.raises(RuntimeError, match="R ="):
        nac(games.sis(), one_hot(2, 2), critic=CRITIC, actor=_UnclippedActor(), config=config)
