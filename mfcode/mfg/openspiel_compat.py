"""Bridge to OpenSpiel's mean-field games (open-spiel 2.0.2) for cross-checks and side-by-side timings.

OpenSpiel (``pyspiel`` and ``open_spiel.python.mfg``) is a test/book dependency only: it is imported
inside these functions, never at module import. The games are those of
:mod:`mfcode.mfg.openspiel_games`; :func:`run_openspiel` runs OpenSpiel's own solvers and scores every
iterate with its ``NashConv``, :func:`policy_array` reads an OpenSpiel policy into an ``(H, S, A)``
array, and :func:`compare` runs mfcode, OpenSpiel and (optionally) mfglib on one game.

The package data file ``mfcode/mfg/data/openspiel_reference.json`` (written by :func:`write_reference`, see
``benchmarks/make_openspiel_reference.py``) stores OpenSpiel's histories on the games the tests use,
so that the slow OpenSpiel runs (seconds per iteration on the LQ game with 25 states) are not repeated
by every test session.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfg import openspiel_games
from mfcode.mfg.finite_horizon import FiniteHorizonMFG
from mfcode.mfg.openspiel_games import OpenSpielMFG
from mfcode.mfg.openspiel_solvers import openspiel_solver
from mfcode.mfg.solvers import IterativeSolver
from mfcode.validation import check_path

__all__ = [
    "GAMES",
    "REFERENCE_CASES",
    "REFERENCE_PATH",
    "SOLVERS",
    "Comparison",
    "OpenSpielRun",
    "compare",
    "load_openspiel_game",
    "load_reference",
    "mfcode_game",
    "mfcode_model",
    "mfcode_solver",
    "policy_array",
    "run_openspiel",
    "write_reference",
]

GameName = Literal["crowd_modelling", "crowd_modelling_cpp", "linear_quadratic"]
SolverName = Literal["fictitious_play", "mirror_descent", "fixed_point"]

#: OpenSpiel registration names: the Python crowd modelling, its C++ twin, the Python LQ game.
GAMES: dict[str, str] = {
    "crowd_modelling": "python_mfg_crowd_modelling",
    "crowd_modelling_cpp": "mfg_crowd_modelling",
    "linear_quadratic": "mean_field_lin_quad",
}
SOLVERS: tuple[str, ...] = ("fictitious_play", "mirror_descent", "fixed_point")

_NODE = re.compile(r"^\((\d+), (\d+)\)$")


def _check_game(name: str) -> None:
    if not isinstance(name, str) or name not in GAMES:
        raise ValueError(f"name must be one of {sorted(GAMES)}, got {name!r}")


def load_openspiel_game(name: GameName, **params: Any) -> Any:
    """``pyspiel.load_game`` of the game ``name`` with OpenSpiel's parameters ``params``."""
    _check_game(name)
    import pyspiel
    from open_spiel.python.mfg import games as _games  # noqa: F401  (registers the Python games)

    return pyspiel.load_game(GAMES[name], params)


def mfcode_model(name: GameName, **params: Any) -> openspiel_games.CrowdModelling | openspiel_games.LinearQuadratic:
    """The :mod:`~mfcode.mfg.openspiel_games` model of OpenSpiel's game ``name`` with ``params``.

    ``terminal_cost`` is accepted (and ignored: OpenSpiel never collects it) so that one parameter
    dictionary serves both libraries.
    """
    _check_game(name)
    p = dict(params)
    model = openspiel_games.LinearQuadratic if name == "linear_quadratic" else openspiel_games.CrowdModelling
    if name == "linear_quadratic":
        p.pop("terminal_cost", None)
    unknown = sorted(set(p) - {f.name for f in dataclasses.fields(model)})
    if unknown:
        raise TypeError(f"params: {name} takes {[f.name for f in dataclasses.fields(model)]}, got unknown {unknown}")
    return model(**p)


def mfcode_game(name: GameName, *, check: bool = True, **params: Any) -> OpenSpielMFG:
    """:func:`mfcode_model` as a finite-horizon MFG (an :class:`~mfcode.mfg.openspiel_games.OpenSpielMFG`)."""
    return mfcode_model(name, **params).game(check=check)


def mfcode_solver(
    name: GameName, params: dict[str, Any], solver: SolverName, *, lr: float | None = None, softmax_temperature: float | None = None
) -> IterativeSolver[Any]:
    """:func:`~mfcode.mfg.openspiel_solvers.openspiel_solver` for OpenSpiel's ``solver`` on game ``name`` (any ``params``)."""
    _check_game(name)
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of the game's parameters, got {type(params).__name__}")
    if not isinstance(solver, str) or solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    return openspiel_solver(solver, lr=lr, softmax_temperature=softmax_temperature)


def _decision_states(game: Any) -> list[Any]:
    """One OpenSpiel state per decision node ``(x, t)``, by a forward sweep that merges equal strings."""
    import pyspiel

    states = [game.new_initial_state()]
    found: list[Any] = []
    while states and not states[0].is_terminal():
        s0 = states[0]
        nxt: dict[str, Any] = {}
        for s in states:
            if s0.current_player() == pyspiel.PlayerId.CHANCE:
                children = [s.child(a) for a, _ in s.chance_outcomes()]
            elif s0.current_player() == pyspiel.PlayerId.MEAN_FIELD:
                c = s.clone()
                support = c.distribution_support()
                c.update_distribution([1.0 / len(support)] * len(support))
                children = [c]
            else:
                found.append(s)
                children = [s.child(a) for a in s.legal_actions()]
            for c in children:
                nxt.setdefault(c.observation_string(pyspiel.PlayerId.DEFAULT_PLAYER_ID), c)
        states = list(nxt.values())
    return found


def policy_array(game: Any, policy: Any, n_states: int, n_actions: int) -> FloatArray:
    """An OpenSpiel policy of an MFG on positions ``0..n_states-1`` as an ``(H, S, A)`` array (``H`` ticks)."""
    import pyspiel

    rows: dict[tuple[int, int], dict[int, float]] = {}
    for s in _decision_states(game):
        match = _NODE.match(s.observation_string(pyspiel.PlayerId.DEFAULT_PLAYER_ID))
        if match is None:
            raise ValueError(f"unexpected decision node {s}")
        rows[int(match.group(2)), int(match.group(1))] = policy.action_probabilities(s)
    out = np.full((1 + max(t for t, _ in rows), n_states, n_actions), np.nan)
    for (t, x), probs in rows.items():
        for a, p in probs.items():
            out[t, x, a] = p
    if np.isnan(out).any():
        raise ValueError("the game's decision nodes do not cover every (t, x)")
    return out


@dataclass(frozen=True)
class OpenSpielRun:
    """OpenSpiel solver run: ``NashConv`` of the initial (uniform) policy and of every iterate.

    ``step_times`` are the wall times of ``iteration()`` alone (scoring excluded); ``policies`` the
    ``(H, S, A)`` iterates (``policies[0]`` uniform) when requested, else empty.
    """

    exploitability: FloatArray
    step_times: FloatArray
    policies: list[FloatArray]


def run_openspiel(
    game: Any,
    solver: SolverName,
    n_iter: int,
    *,
    lr: float | None = None,
    softmax_temperature: float | None = None,
    policies: bool = False,
) -> OpenSpielRun:
    """Run OpenSpiel's ``solver`` on the loaded ``game`` for ``n_iter`` iterations and score each iterate.

    Parameters
    ----------
    game
        A game from :func:`load_openspiel_game`.
    solver
        ``"fictitious_play"``, ``"mirror_descent"`` or ``"fixed_point"``.
    n_iter
        Number of iterations.
    lr, softmax_temperature
        The solver's constructor arguments (``None``: OpenSpiel's default).
    policies
        Also return every iterate as an ``(H, S, A)`` array.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if not isinstance(n_iter, int) or n_iter < 0:
        raise ValueError(f"n_iter must be a non-negative integer, got {n_iter!r}")
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.algorithms import fictitious_play, fixed_point, mirror_descent, nash_conv

    if solver == "fictitious_play":
        algo: Any = fictitious_play.FictitiousPlay(game, lr=lr, temperature=softmax_temperature)
    elif solver == "mirror_descent":
        algo = mirror_descent.MirrorDescent(game, lr=0.01 if lr is None else lr)
    else:
        algo = fixed_point.FixedPoint(game, temperature=softmax_temperature)
    size, n_actions = _sizes(game)

    def record(pol: Any) -> None:
        expl.append(float(nash_conv.NashConv(game, pol).nash_conv()))
        if policies:
            pols.append(policy_array(game, pol, size, n_actions))

    expl: list[float] = []
    pols: list[FloatArray] = []
    record(policy_std.UniformRandomPolicy(game))
    times = []
    for _ in range(n_iter):
        t0 = time.perf_counter()
        algo.iteration()
        times.append(time.perf_counter() - t0)
        record(algo.get_policy())
    return OpenSpielRun(np.array(expl), np.array(times), pols)


def _sizes(game: Any) -> tuple[int, int]:
    params = game.get_parameters()
    return int(params["size"]), int(game.num_distinct_actions())


@dataclass(frozen=True)
class Comparison:
    """Exploitability histories and per-iteration step times of several libraries on one game.

    ``exploitability[lib]`` is the ``(n_iter + 1,)`` history, ``seconds_per_iteration[lib]`` the
    median wall time of one solver step (scoring excluded).
    """

    game: str
    solver: str
    exploitability: dict[str, FloatArray]
    seconds_per_iteration: dict[str, float]

    def speedup(self, lib: str = "openspiel") -> float:
        """Per-iteration time of ``lib`` over mfcode's."""
        return self.seconds_per_iteration[lib] / self.seconds_per_iteration["mfcode"]

    def max_gap(self, lib: str = "openspiel") -> float:
        """Largest absolute difference between mfcode's and ``lib``'s exploitability histories."""
        return float(np.abs(self.exploitability[lib] - self.exploitability["mfcode"]).max())


def compare(
    name: GameName,
    params: dict[str, Any],
    solver: SolverName,
    n_iter: int,
    *,
    lr: float | None = None,
    softmax_temperature: float | None = None,
    mfglib: bool = False,
    repeat: int = 20,
    stored: dict[str, Any] | None = None,
) -> Comparison:
    """Run mfcode, OpenSpiel and (``mfglib=True``, fictitious play and mirror descent) mfglib side by side.

    ``stored``, a case of :func:`load_reference` for the same game and solver, replaces the OpenSpiel
    run by its stored history and time per iteration (OpenSpiel needs minutes on the LQ game).

    OpenSpiel's and mfglib's time per iteration is the median over their ``n_iter`` steps; mfcode's is
    the median over ``repeat`` runs of the mean of ``n_iter`` steps (one step is well under a
    millisecond, too short to time alone), with the model's per-call validation off. mfglib runs on mfcode's reward and
    kernel through :func:`mfcode.mfg.mfglib_compat.to_mfglib`, in double precision; its fictitious
    play splits ties evenly where OpenSpiel takes the first maximiser, which changes no value.
    """
    if not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a positive integer, got {repeat!r}")
    ours_solver = mfcode_solver(name, params, solver, lr=lr, softmax_temperature=softmax_temperature)
    game = mfcode_game(name, check=False, **params)
    ours = ours_solver.solve(game, max_iter=n_iter)
    step = float(np.median([ours_solver.solve(game, max_iter=n_iter).times[-1] for _ in range(repeat)]))
    if stored is None:
        theirs = run_openspiel(load_openspiel_game(name, **params), solver, n_iter, lr=lr, softmax_temperature=softmax_temperature)
        os_expl, os_secs = theirs.exploitability, float(np.median(theirs.step_times))
    else:
        if (stored["solver"], stored["lr"], stored["temperature"]) != (solver, lr, softmax_temperature):
            raise ValueError("stored must be the reference case of the same solver, lr and softmax_temperature")
        if len(stored["nash_conv"]) < n_iter + 1:
            raise ValueError(f"stored holds {len(stored['nash_conv']) - 1} iterations, fewer than n_iter={n_iter}")
        os_expl, os_secs = np.asarray(stored["nash_conv"])[: n_iter + 1], float(stored["seconds_per_iteration"])
    expl = {"mfcode": ours.exploitability, "openspiel": os_expl}
    secs = {"mfcode": step / max(n_iter, 1), "openspiel": os_secs}
    if mfglib:
        run = _run_mfglib(game, solver, n_iter, lr)
        expl["mfglib"], secs["mfglib"] = run.exploitability, float(np.median(run.step_times))
    return Comparison(name, solver, expl, secs)


def _run_mfglib(game: FiniteHorizonMFG, solver: str, n_iter: int, lr: float | None) -> Any:
    import torch
    from mfglib.alg import FictitiousPlay, OnlineMirrorDescent

    from mfcode.mfg import mfglib_compat

    if solver == "fictitious_play":
        algo: Any = FictitiousPlay(alpha=0.0 if lr is None else lr)
    elif solver == "mirror_descent":
        algo = OnlineMirrorDescent(alpha=0.01 if lr is None else lr)
    else:
        raise ValueError("mfglib has no counterpart of OpenSpiel's fixed_point")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return mfglib_compat.run_mfglib(algo, mfglib_compat.to_mfglib(game), n_iter)
    finally:
        torch.set_default_dtype(old)


#: The cases of the reference file: (game, params, solver, lr, softmax temperature).
_CROWD: dict[str, Any] = {"size": 10, "horizon": 10}
_LQ25: dict[str, Any] = {"size": 25, "horizon": 10, "terminal_cost": 0.0}
REFERENCE_CASES: tuple[tuple[GameName, dict[str, Any], SolverName, float | None, float | None], ...] = (
    ("crowd_modelling", _CROWD, "fictitious_play", None, None),
    ("crowd_modelling", _CROWD, "mirror_descent", 1.0, None),
    ("crowd_modelling", _CROWD, "fixed_point", None, 1.0),
    ("linear_quadratic", _LQ25, "fictitious_play", None, None),
    ("linear_quadratic", _LQ25, "mirror_descent", 1.0, None),
    ("linear_quadratic", _LQ25, "fixed_point", None, 1.0),
)


def write_reference(
    path: str | Path,
    n_iter: int = 10,
    *,
    progress: bool = True,
    cases: tuple[tuple[GameName, dict[str, Any], SolverName, float | None, float | None], ...] = REFERENCE_CASES,
) -> None:
    """Run OpenSpiel on ``cases`` (default :data:`REFERENCE_CASES`) and write histories and final policies as JSON.

    Each case stores the ``NashConv`` history (``n_iter + 1`` values, exact), OpenSpiel's mean time per
    iteration, and the ``(H, S, A)`` last iterate rounded to 12 significant digits (policies of every
    iterate are checked live on crowd modelling by the tests; storing all of them for the LQ game
    would take megabytes).
    """
    import open_spiel

    records: list[dict[str, Any]] = []
    for game, params, solver, lr, temp in cases:
        t0 = time.perf_counter()
        run = run_openspiel(load_openspiel_game(game, **params), solver, n_iter, lr=lr, softmax_temperature=temp, policies=True)
        if progress:
            print(f"{game} {solver}: {time.perf_counter() - t0:.1f} s", flush=True)
        records.append(
            {
                "game": game,
                "params": params,
                "solver": solver,
                "lr": lr,
                "temperature": temp,
                "nash_conv": run.exploitability.tolist(),
                "seconds_per_iteration": float(run.step_times.mean()),
                "policy_last": _rounded(run.policies[-1]),
            }
        )
    doc = {
        "generated_by": "benchmarks/make_openspiel_reference.py (mfcode.mfg.openspiel_compat.write_reference)",
        "open_spiel_version": getattr(open_spiel, "__version__", "2.0.2"),
        "n_iter": n_iter,
        "cases": records,
    }
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    tmp.replace(target)  # atomic: a crash never leaves a half-written reference


#: OpenSpiel's reference histories, shipped with the package (package data).
REFERENCE_PATH = Path(__file__).resolve().parent / "data" / "openspiel_reference.json"


def _rounded(a: FloatArray) -> Any:
    """Nested lists of ``a`` with 12 significant digits (JSON size; the tests compare to 1e-10)."""
    return np.vectorize(lambda v: float(f"{v:.12g}"), otypes=[float])(a).tolist()


def load_reference(path: str | Path = REFERENCE_PATH) -> list[dict[str, Any]]:
    """The cases of a file written by :func:`write_reference`, policies and histories as arrays.

    Raises
    ------
    ValueError
        Naming the file (and the case and key) if it is not valid JSON or not such a file: every
        case must hold ``game``, ``solver``, ``params`` and finite numeric ``nash_conv`` and
        ``policy_last`` arrays. Nothing is returned from a file with one bad case.
    """
    source = check_path(path, "path")
    try:
        doc = json.loads(source.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise ValueError(f"{source}: not an OpenSpiel reference file (a JSON object with a 'cases' list)")
    out = []
    for i, case in enumerate(doc["cases"]):
        if not isinstance(case, dict):
            raise ValueError(f"{source}: case {i} must be a JSON object, got {type(case).__name__}")
        missing = sorted({"game", "solver", "params", "nash_conv", "policy_last"} - set(case))
        if missing:
            raise ValueError(f"{source}: case {i} lacks key(s) {missing}")
        c = dict(case)
        for key in ("nash_conv", "policy_last"):
            try:
                arr = np.asarray(c[key], dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"{source}: case {i}: {key!r} must be a numeric array") from None
            if arr.size == 0 or not np.isfinite(arr).all():
                raise ValueError(f"{source}: case {i}: {key!r} must be a non-empty array of finite numbers")
            c[key] = arr
        out.append(c)
    return out
