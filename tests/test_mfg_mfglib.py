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
