"""Independent cross-check of mfcode.mfg against mfglib 0.3.0 (scoring and solvers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
from mfglib.alg import FictitiousPlay as MFictitiousPlay
from mfglib.alg import OnlineMirrorDescent as MOnlineMirrorDescent
from mfglib.alg import PriorDescent as MPriorDescent
from mfglib.env import Environment
from mfglib.scoring import exploitability_score

from mfcode.mfg import FiniteHorizonMFG, games, mfglib_compat, solvers
from mfcode.mfg.exploitability import exploitability


@pytest.fixture(autouse=True)
def float64_torch() -> Iterator[None]:
    """Run mfglib in double precision so that agreement to 1e-6 is a real check."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


NAMES = ["left_right", "rps", "beach_bar", "sis", "random_linear"]


def pair(name: str) -> tuple[FiniteHorizonMFG, Any, np.ndarray]:
    """mfcode game, independently written mfglib environment (built in float64), action permutation."""
    out = [
        ("left_right", games.left_right(), Environment.left_right(), np.arange(2)),
        ("rps", games.rock_paper_scissors(horizon=2), Environment.rock_paper_scissors(T=1), np.arange(3)),
        ("beach_bar", games.beach_bar(horizon=4), Environment.beach_bar(T=3), np.arange(3)),
        # mfglib orders SIS actions (U, D); mfcode (D, U)
        ("sis", games.sis_episodic(horizon=11), Environment.susceptible_infected(T=10), np.array([1, 0])),
    ]
    env = Environment.random_linear(T=3, n=4, m=2.0, seed=3)
    out.append(
        ("random_linear", games.random_linear(horizon=4, parameters=mfglib_compat.random_linear_parameters(env)), env, np.arange(4))
    )
    return {c[0]: c[1:] for c in out}[name]


@pytest.mark.parametrize("name", NAMES)
def test_exploitability_matches_mfglib_scoring(name: str) -> None:
    game, env, perm = pair(name)
    rng = np.random.default_rng(0)
    for k in range(6):
        conc = 0.2 if k % 2 else 2.0
        pi = rng.dirichlet(np.full(game.n_actions, conc), size=(game.horizon, game.n_states))
        ours = exploitability(game, pi)
        theirs = exploitability_score(env, mfglib_compat.to_torch_policy(pi[..., perm]))
        assert ours == pytest.approx(theirs, abs=1e-6, rel=1e-9)
        # and through the bridge (mfglib running on mfcode's reward/kernel)
        bridged = exploitability_score(mfglib_compat.to_mfglib(game), mfglib_compat.to_torch_policy(pi))
        assert ours == pytest.approx(bridged, abs=1e-9)


def test_left_right_closed_form_equilibrium() -> None:
    game = games.left_right()
    pi = np.full((2, 3, 2), 0.5)
    pi[0, 0] = (2 / 3, 1 / 3)
    assert exploitability(game, pi) == pytest.approx(0.0, abs=1e-12)
    # any other first move is exploitable: mfglib agrees on the value
    pi[0, 0] = (0.5, 0.5)
    expect = exploitability_score(Environment.left_right(), mfglib_compat.to_torch_policy(pi))
    assert exploitability(game, pi) == pytest.approx(expect, abs=1e-12)
    assert expect == pytest.approx(0.5 - 0.25 * 1 - 0.25 * 1.0 + 0.25, abs=1e-12)  # max(-0.5, -1) - (-0.75)


SOLVERS = [
    ("fictitious_play", lambda: solvers.FictitiousPlay(alpha=0.0), lambda: MFictitiousPlay(alpha=0.0)),
    ("damped_fp", lambda: solvers.FictitiousPlay(alpha=0.3), lambda: MFictitiousPlay(alpha=0.3)),
    ("omd", lambda: solvers.OnlineMirrorDescent(alpha=0.5), lambda: MOnlineMirrorDescent(alpha=0.5)),
    ("prior_descent", lambda: solvers.PriorDescent(eta=0.7, n_inner=3), lambda: MPriorDescent(eta=0.7, n_inner=3)),
]


@pytest.mark.parametrize("solver", SOLVERS, ids=lambda s: s[0])
@pytest.mark.parametrize("name", ["beach_bar", "rps", "random_linear"])
def test_solvers_reproduce_mfglib_iterates(solver: tuple[str, Any, Any], name: str) -> None:
    _, ours_f, theirs_f = solver
    game, env, _ = pair(name)
    n = 8
    ours = ours_f().solve(game, max_iter=n)
    theirs = mfglib_compat.run_mfglib(theirs_f(), env, n)
    np.testing.assert_allclose(ours.exploitability, theirs.exploitability, atol=1e-6, rtol=1e-8)
    np.testing.assert_allclose(ours.policy, theirs.policy, atol=1e-6)


def test_fixed_point_matches_mfglib_fictitious_play_alpha_one() -> None:
    game, env = games.beach_bar(horizon=4), Environment.beach_bar(T=3)
    ours = solvers.FixedPoint(damping=1.0).solve(game, max_iter=8)
    theirs = mfglib_compat.run_mfglib(MFictitiousPlay(alpha=1.0), env, 8)
    np.testing.assert_allclose(ours.exploitability, theirs.exploitability, atol=1e-6)


def test_equilibria_found_agree() -> None:
    """Both libraries' OMD land on the closed-form left-right NE; their FP on the same beach-bar point."""
    game, env = games.left_right(), Environment.left_right()
    ours = solvers.OnlineMirrorDescent(alpha=1.0).solve(game, max_iter=30)
    theirs = mfglib_compat.run_mfglib(MOnlineMirrorDescent(alpha=1.0), env, 30)
    np.testing.assert_allclose(ours.policy[0, 0], [2 / 3, 1 / 3], atol=1e-9)
    np.testing.assert_allclose(theirs.policy[0, 0], [2 / 3, 1 / 3], atol=1e-9)
    assert ours.exploitability[-1] < 1e-9 and theirs.exploitability[-1] < 1e-9

    game, env = games.beach_bar(horizon=4), Environment.beach_bar(T=3)
    ours = solvers.FictitiousPlay().solve(game, max_iter=40)
    theirs = mfglib_compat.run_mfglib(MFictitiousPlay(), env, 40)
    assert ours.exploitability[-1] < 0.05 * ours.exploitability[0]
    np.testing.assert_allclose(ours.policy, theirs.policy, atol=1e-6)
    assert exploitability(game, theirs.policy) == pytest.approx(ours.exploitability[-1], abs=1e-9)


def test_mfglib_constructors_by_name() -> None:
    env = mfglib_compat.mfglib_environment("beach_bar", T=3)
    game = games.beach_bar(horizon=4)
    np.testing.assert_allclose(env.mu0.double().numpy(), game.initial, atol=1e-7)
    alg = mfglib_compat.mfglib_algorithm("OnlineMirrorDescent", alpha=1.0)
    assert type(alg).__name__ == "OnlineMirrorDescent" and alg.alpha == 1.0
    with pytest.raises(ValueError, match="name"):
        mfglib_compat.mfglib_environment("no_such_game")


def _float32_random_linear(T: int, n: int) -> tuple[Any, Any]:
    """mfglib's random_linear as shipped (built and run in float32), and mfglib's classes around the same coefficients in float64."""
    with mfglib_compat.default_dtype(torch.float32):
        env32 = Environment.random_linear(T=T, n=n, m=10.0, seed=0)
    env64 = mfglib_compat.random_linear_environment(mfglib_compat.random_linear_parameters(env32), T)
    return env32, env64


def test_random_linear_environment_is_the_same_game_in_float64() -> None:
    """mfglib's own reward and kernel, evaluated on the float32 game's coefficients in float64, equal mfcode's."""
    env32, env64 = _float32_random_linear(3, 5)
    game = games.random_linear(horizon=4, parameters=mfglib_compat.random_linear_parameters(env32))
    assert env64.mu0.dtype == torch.float64 and env64.transition_fn.p1.dtype == torch.float64
    joint = np.random.default_rng(0).dirichlet(np.ones(25)).reshape(5, 5)
    ours_p = game.transition(0, joint).transpose(2, 0, 1)  # mfglib's (s', s, a)
    theirs_p = env64.transition_fn(env64, 0, torch.from_numpy(joint)).numpy()
    np.testing.assert_allclose(theirs_p, ours_p, rtol=0, atol=1e-15)
    np.testing.assert_allclose(env64.reward_fn(env64, 0, torch.from_numpy(joint)).numpy(), game.reward(0, joint), rtol=0, atol=1e-13)
    with pytest.raises(TypeError, match="parameters"):
        mfglib_compat.random_linear_environment(env32, 3)


def test_prior_descent_mismatch_is_float32_overflow_of_exp_q() -> None:
    """bench_mfg.py's prior-descent histories differ (mfglib float32 204.9 -> 123.8 -> 204.9) because exp(Q/eta) overflows.

    mfglib's ``PriorDescent`` forms ``exp(Q / eta)`` without subtracting a maximum; in float32 that is
    ``inf`` above Q/eta = 88.7, the normalisation gives ``inf/inf = NaN`` and the policy of those
    rows is NaN. In float64 on the very same coefficients mfglib's iterates are mfcode's.
    """
    T, n = 20, 8
    env32, env64 = _float32_random_linear(T, n)
    game = games.random_linear(horizon=T + 1, parameters=mfglib_compat.random_linear_parameters(env32))
    q_max = float(game.best_response(game.induce(game.uniform_policy())[1], 0.0).q.max())
    assert q_max > np.log(np.finfo(np.float32).max)  # the first step's Q overflows exp in float32 ...
    with mfglib_compat.default_dtype(torch.float32):
        run32 = mfglib_compat.run_mfglib(MPriorDescent(eta=1.0), env32, 1, score=False)
    assert np.isnan(run32.policy).any()  # ... and mfglib's policy turns NaN
    run64 = mfglib_compat.run_mfglib(MPriorDescent(eta=1.0), env64, 3)
    ours = solvers.PriorDescent(eta=1.0).solve(game, max_iter=3)
    assert not np.isnan(run64.policy).any()
    np.testing.assert_allclose(run64.exploitability, ours.exploitability, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(run64.policy, ours.policy, atol=1e-9)


def test_default_dtype_restores_and_checks() -> None:
    before = torch.get_default_dtype()
    seen = []

    def inside() -> None:
        with mfglib_compat.default_dtype(torch.float32):
            seen.append(torch.get_default_dtype())
            raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        inside()
    assert seen == [torch.float32] and torch.get_default_dtype() == before
    with pytest.raises(TypeError, match="dtype"), mfglib_compat.default_dtype(torch.int64):
        pass
