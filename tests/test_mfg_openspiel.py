"""Parity of mfcode.mfg with OpenSpiel's mean-field games (open-spiel 2.0.2), the cloud paper's oracle.

Two kinds of check:

- live: OpenSpiel runs inside the test on the cheap instances (the C++ crowd modelling, whose values
  equal the Python game's; small LQ games), and every iterate's exploitability and policy is compared;
- stored: OpenSpiel's NashConv histories and iterates on crowd modelling (size 10, horizon 10) and
  the LQ game (size 25, horizon 10, terminal cost 0), 10 iterations of fictitious play, mirror
  descent (lr 1) and fixed point (temperature 1), with the last iterate's policy, in
  the package data ``mfcode/mfg/data/openspiel_reference.json``, written
  by ``benchmarks/make_openspiel_reference.py`` (OpenSpiel needs minutes for the LQ runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.mfg import FiniteHorizonMFG, games, openspiel_compat, openspiel_games, openspiel_solvers, operators
from mfcode.mfg.exploitability import exploitability

REFERENCE = openspiel_compat.REFERENCE_PATH
TOL = 1e-8
CROWD = {"size": 10, "horizon": 10}
SOLVER_CASES = [("fictitious_play", None, None), ("mirror_descent", 1.0, None), ("fixed_point", None, 1.0)]


def _ours(game: str, params: dict[str, Any], solver: str, lr: float | None, temp: float | None, n: int) -> Any:
    s = openspiel_compat.mfcode_solver(game, params, solver, lr=lr, softmax_temperature=temp)  # type: ignore[arg-type]
    return s.solve(openspiel_compat.mfcode_game(game, **params), max_iter=n)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reference() -> list[dict[str, Any]]:
    return openspiel_compat.load_reference(REFERENCE)


# ---------------------------------------------------------------------------------------------
# Live cross-checks against OpenSpiel
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("solver", "lr", "temp"), SOLVER_CASES, ids=[c[0] for c in SOLVER_CASES])
def test_crowd_modelling_live_every_iterate(solver: str, lr: float | None, temp: float | None) -> None:
    """Exploitability and policy of each of 10 iterates equal OpenSpiel's (C++ crowd modelling, fast)."""
    game = openspiel_compat.load_openspiel_game("crowd_modelling_cpp", **CROWD)
    theirs = openspiel_compat.run_openspiel(game, solver, 10, lr=lr, softmax_temperature=temp, policies=True)  # type: ignore[arg-type]
    ours = _ours("crowd_modelling", CROWD, solver, lr, temp, 10)
    np.testing.assert_allclose(ours.exploitability, theirs.exploitability, rtol=0, atol=TOL)
    for k, (p, q) in enumerate(zip(ours.policies, theirs.policies, strict=True)):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-10, err_msg=f"iterate {k}")
    if solver != "fixed_point":  # the fixed-point iteration oscillates on this game (it does in OpenSpiel too)
        assert ours.exploitability[-1] < ours.exploitability[0]


def test_python_crowd_modelling_equals_cpp_and_mfcode() -> None:
    """The Python game (the one read for mfcode's model) scores a non-uniform policy as mfcode does."""
    params = {"size": 6, "horizon": 5}
    ours = _ours("crowd_modelling", params, "fictitious_play", None, None, 2)
    for name in ("crowd_modelling", "crowd_modelling_cpp"):
        run = openspiel_compat.run_openspiel(openspiel_compat.load_openspiel_game(name, **params), "fictitious_play", 2)  # type: ignore[arg-type]
        np.testing.assert_allclose(ours.exploitability, run.exploitability, rtol=0, atol=TOL)


@pytest.mark.parametrize(
    "params",
    [
        {"size": 5, "horizon": 3},
        {"size": 6, "horizon": 2, "dt": 0.5, "volatility": 1.3, "n_actions_per_side": 2, "cross_q": 0.2, "kappa": 0.8},
    ],
    ids=["small", "dt-half"],
)
def test_linear_quadratic_live_mirror_descent(params: dict[str, Any]) -> None:
    """Small LQ games, including dt != 1 (rounded moves, horizon / dt epochs) and sigma != 1."""
    theirs = openspiel_compat.run_openspiel(
        openspiel_compat.load_openspiel_game("linear_quadratic", **params), "mirror_descent", 3, lr=1.0, policies=True
    )
    ours = _ours("linear_quadratic", params, "mirror_descent", 1.0, None, 3)
    np.testing.assert_allclose(ours.exploitability, theirs.exploitability, rtol=0, atol=TOL)
    np.testing.assert_allclose(ours.policy, theirs.policies[-1], rtol=0, atol=1e-10)


def test_openspiel_never_collects_the_terminal_cost() -> None:
    """OpenSpiel's NashConv does not depend on ``terminal_cost``, which is why mfcode has no such parameter."""
    pi = None
    values = []
    for cost in (0.0, 5.0):
        game = openspiel_compat.load_openspiel_game("linear_quadratic", size=5, horizon=3, terminal_cost=cost)
        run = openspiel_compat.run_openspiel(game, "fixed_point", 1)
        values.append(run.exploitability)
        pi = openspiel_compat.mfcode_game("linear_quadratic", size=5, horizon=3, terminal_cost=cost)
    np.testing.assert_array_equal(values[0], values[1])
    assert pi is not None and exploitability(pi, pi.uniform_policy()) == pytest.approx(values[0][0], abs=TOL)


# ---------------------------------------------------------------------------------------------
# Stored OpenSpiel histories (the task's instances)
# ---------------------------------------------------------------------------------------------


def _case_id(c: tuple[str, dict[str, Any], str, Any, Any]) -> str:
    return f"{c[0]}-{c[2]}"


@pytest.mark.parametrize("case", openspiel_compat.REFERENCE_CASES, ids=_case_id)
def test_matches_stored_openspiel_history(case: tuple[str, dict[str, Any], str, Any, Any], reference: list[dict[str, Any]]) -> None:
    game, params, solver, lr, temp = case
    (ref,) = [r for r in reference if r["game"] == game and r["solver"] == solver]
    assert ref["params"] == params and ref["lr"] == lr and ref["temperature"] == temp
    ours = _ours(game, params, solver, lr, temp, 10)
    assert ref["nash_conv"].shape == (11,)
    np.testing.assert_allclose(ours.exploitability, ref["nash_conv"], rtol=0, atol=TOL)
    np.testing.assert_allclose(ours.policies[-1], ref["policy_last"], rtol=0, atol=1e-10)


def test_compare_with_stored_reference(reference: list[dict[str, Any]]) -> None:
    """The book's comparison path: mfcode live against the stored OpenSpiel history."""
    (ref,) = [r for r in reference if r["game"] == "linear_quadratic" and r["solver"] == "mirror_descent"]
    c = openspiel_compat.compare("linear_quadratic", ref["params"], "mirror_descent", 10, lr=1.0, stored=ref, repeat=2)
    assert c.max_gap() <= TOL and np.isfinite(c.speedup())  # timings are measured by benchmarks, not asserted
    with pytest.raises(ValueError, match="stored"):
        openspiel_compat.compare("linear_quadratic", ref["params"], "fixed_point", 10, softmax_temperature=1.0, stored=ref)


# ---------------------------------------------------------------------------------------------
# The models themselves
# ---------------------------------------------------------------------------------------------


def test_lq_noise_and_kernel() -> None:
    dyn = openspiel_games.LinearQuadratic(size=25)
    assert dyn.noise.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(dyn.noise, dyn.noise[::-1], atol=1e-16)
    assert dyn.noise[3] == pytest.approx(0.38292492254802624, abs=1e-15)  # N(0,1) mass of [-1/2, 1/2]
    np.testing.assert_allclose(dyn.kernel.sum(axis=-1), 1.0, atol=1e-14)
    # action +2 from x = 24 with noise 0 lands on 1 (torus)
    assert dyn.kernel[24, 5, 1] == pytest.approx(dyn.noise[3] + 0.0, abs=1e-15)
    assert dyn.n_epochs == 10 and openspiel_games.LinearQuadratic(horizon=3, dt=0.7).n_epochs == 5


def test_rewards_are_action_independent_and_as_documented() -> None:
    dyn = openspiel_games.CrowdModelling(size=10, horizon=4)
    mu = np.full(10, 0.1)
    r = dyn.reward(0, mu)
    assert np.all(r == r[:, :1])
    # t = 0: neutral previous action, so r = 1 - |x - 5| / 5 - log(0.1 + 1e-25)
    np.testing.assert_allclose(r[:, 0], 1 - np.abs(np.arange(10) - 5) / 5 + np.log(10), atol=1e-14)
    lq = openspiel_games.LinearQuadratic(size=5, horizon=2)
    mu = np.array([0.0, 0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(lq.reward(0, mu)[:, 0], -0.25 * (2.0 - np.arange(5)) ** 2, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(size=st.integers(4, 12), horizon=st.integers(1, 8))
def test_traversal_covers_every_node(size: int, horizon: int) -> None:
    """Every (t, x) is a decision node (the ring is connected), charged with a valid previous action;
    the first decision node entered has no child evaluated before it."""
    tr = openspiel_games.CrowdModelling(size, horizon).traversal
    assert tr.first_action.shape == (horizon, size) and tr.chance_evaluated.shape == (horizon, size, 3)
    assert np.all(tr.first_action[0] == 1)
    assert np.all((tr.first_action >= 0) & (tr.first_action < 3))
    assert not tr.chance_evaluated[0, 0].any()
    # at t = 0 the initial states are entered in order, so x = 1 sees the chance nodes x = 0 created
    assert tr.chance_evaluated[0, 1].tolist() == [True, True, False]


def test_solvers_converge_on_crowd_modelling() -> None:
    """OpenSpiel's solvers on mfcode's game: exploitability falls, flows stay distributions."""
    game = openspiel_games.openspiel_crowd_modelling()
    res = openspiel_solvers.openspiel_solver("fictitious_play").solve(game, max_iter=60)
    assert res.exploitability[-1] < 0.2 * res.exploitability[0]
    np.testing.assert_allclose(game.induce(res.policy)[0].sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("solver", ["fictitious_play", "fixed_point"])
def test_fast_path_equals_core_operators(solver: str) -> None:
    """On an OpenSpielMFG (OpenSpiel's batched dynamics) the solvers give the iterates of the plain finite-horizon game."""
    fast = openspiel_games.openspiel_lq(size=9, horizon=5)
    plain = FiniteHorizonMFG(
        fast.n_states, fast.n_actions, fast.horizon, fast.reward_fn, fast.transition_fn, fast.initial
    )
    tau = None if solver == "fictitious_play" else 0.5
    a = openspiel_solvers.openspiel_solver(solver, softmax_temperature=tau).solve(fast, max_iter=6)  # type: ignore[arg-type]
    b = openspiel_solvers.openspiel_solver(solver, softmax_temperature=tau).solve(plain, max_iter=6)  # type: ignore[arg-type]
    np.testing.assert_allclose(a.exploitability, b.exploitability, rtol=0, atol=1e-11)
    for p, q in zip(a.policies, b.policies, strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_greedy_first_breaks_ties_like_numpy_argmax() -> None:
    q = np.array([[1.0, 3.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(openspiel_solvers.greedy_first(q), [[0, 1, 0], [1, 0, 0]])


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="size"):
        openspiel_games.CrowdModelling(size=1)
    with pytest.raises(ValueError, match="dt"):
        openspiel_games.LinearQuadratic(dt=0.0)
    with pytest.raises(ValueError, match="n_epochs"):
        openspiel_games.traverse(np.zeros((2, 3), int), np.zeros((2, 3), int), 0, 1)
    with pytest.raises(ValueError, match="softmax_temperature"):
        openspiel_solvers.OpenSpielBestResponse(softmax_temperature=0.0)
    with pytest.raises(ValueError, match="softmax_temperature"):
        openspiel_solvers.openspiel_solver("mirror_descent", lr=1.0, softmax_temperature=1.0)
    with pytest.raises(ValueError, match="temperature must be 0"):
        openspiel_solvers.OnlineMirrorDescent(temperature=0.5).solve(openspiel_games.openspiel_crowd_modelling(size=4, horizon=3), max_iter=1)
    with pytest.raises(ValueError, match="name"):
        openspiel_compat.mfcode_game("beach_bar")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["fictitious_play", "mirror_descent"])
def test_openspiel_solvers_run_on_any_finite_mfg(name: str) -> None:
    """OpenSpiel's solver semantics are a configuration of the core solvers, so they run on any game."""
    game = games.beach_bar(horizon=4)
    res = openspiel_solvers.openspiel_solver(name, lr=1.0 if name == "mirror_descent" else None).solve(game, max_iter=30)  # type: ignore[arg-type]
    assert res.exploitability[-1] < 0.5 * res.exploitability[0]


def test_openspiel_fixed_point_step_is_the_first_maximiser_of_q_star() -> None:
    game = games.beach_bar(horizon=4)
    res = openspiel_solvers.openspiel_solver("fixed_point").solve(game, max_iter=2)
    for k in (0, 1):
        q_star = operators.best_response(game, game.induce(res.policies[k])[0], 0.0).q
        np.testing.assert_array_equal(res.policies[k + 1], openspiel_solvers.greedy_first(q_star))


def test_write_reference_round_trips_through_load_reference(tmp_path: Path) -> None:
    """The reference writer runs OpenSpiel and stores what load_reference (and the tests above) read."""
    case = (("crowd_modelling_cpp", {"size": 5, "horizon": 3}, "fictitious_play", None, None),)
    path = tmp_path / "ref.json"
    openspiel_compat.write_reference(path, 2, progress=False, cases=case)  # type: ignore[arg-type]
    (got,) = openspiel_compat.load_reference(path)
    live = openspiel_compat.run_openspiel(
        openspiel_compat.load_openspiel_game("crowd_modelling_cpp", size=5, horizon=3), "fictitious_play", 2, policies=True
    )
    np.testing.assert_allclose(got["nash_conv"], live.exploitability, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["policy_last"], live.policies[-1], rtol=0, atol=1e-11)
    assert not (tmp_path / "ref.json.tmp").exists()
