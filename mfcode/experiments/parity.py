"""The parity notebook (``book/mfg/parity/openspiel_parity.ipynb``): mfcode vs OpenSpiel vs mfglib.

001 App. D runs its LQ experiment (Figs. 2–3) "in the same discrete setting as" [49, 38] (Perrin et
al. 2020; Laurière et al. 2022), whose code is OpenSpiel's ``python/mfg``. The functions here run that
code as an oracle and return typed results for the notebook to print and plot:

- :func:`compare_libraries` -- exploitability (OpenSpiel's ``NashConv``) histories of mfcode, OpenSpiel
  and mfglib on :data:`~mfcode.mfg.openspiel_compat.REFERENCE_CASES` (crowd modelling, Perrin et al.
  §4.2; the LQ game with 25 states, 001 App. D), with the time of one solver step;
- :func:`mfcode_exploitability` -- the ledger's exploitability after 10 iterations, mfcode alone;
- :func:`lq_equilibrium` -- the equilibrium population of the LQ game (the analogue of Fig. 3 of
  001 App. D), in OpenSpiel's reading and with the action cost :math:`r(s_t,a_t,\\mu_t)` charged at its
  own step (:func:`~mfcode.mfg.games.lq_episodic`).

OpenSpiel and mfglib are imported by :mod:`mfcode.mfg.openspiel_compat` inside the calls that need
them; :func:`mfcode_exploitability` and :func:`lq_equilibrium` need neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.mfg import games, openspiel_compat, openspiel_games, openspiel_solvers, solvers
from mfcode.mfg.openspiel_compat import GameName, SolverName
from mfcode.validation import check_int

__all__ = [
    "EQUILIBRIUM_ITERATIONS",
    "LQEquilibrium",
    "LedgerExploitability",
    "LibraryCase",
    "ParityResult",
    "compare_libraries",
    "lq_equilibrium",
    "mfcode_exploitability",
]

Family = Literal["crowd_modelling", "linear_quadratic"]

#: Mirror-descent iterations of the LQ equilibrium run per budget (it plateaus near 1e-2 within 100).
EQUILIBRIUM_ITERATIONS: dict[str, int] = {"ci": 50, "full": 300}

#: The parameters of the ledger's games: crowd modelling (size 10) and LQ with 25 states, horizon 10.
_CROWD_SIZE, _LQ_SIZE, _HORIZON = 10, 25, 10


@dataclass(frozen=True, eq=False)
class LibraryCase:
    """One game and solver run by mfcode, OpenSpiel and (where it has the algorithm) mfglib.

    Attributes
    ----------
    game
        The OpenSpiel game that ran (``"crowd_modelling_cpp"`` at ``budget="ci"``: equal values, faster).
    family
        ``"crowd_modelling"`` or ``"linear_quadratic"``.
    solver
        ``"fictitious_play"``, ``"mirror_descent"`` or ``"fixed_point"``.
    mfcode, openspiel, mfglib
        ``(n_iter + 1,)`` exploitability (``NashConv``) histories from the uniform policy; ``mfglib``
        is ``None`` where mfglib has no such solver (fixed point).
    mfcode_seconds, openspiel_seconds, mfglib_seconds
        Median wall time of one solver step (scoring excluded); OpenSpiel's is the stored mean when
        ``stored``.
    stored
        Whether OpenSpiel's history is the stored reference (:func:`~mfcode.mfg.openspiel_compat.load_reference`)
        instead of a live run.
    """

    game: str
    family: Family
    solver: SolverName
    mfcode: FloatArray
    openspiel: FloatArray
    mfglib: FloatArray | None
    mfcode_seconds: float
    openspiel_seconds: float
    mfglib_seconds: float | None
    stored: bool

    @property
    def openspiel_gap(self) -> float:
        """Largest absolute difference between mfcode's and OpenSpiel's histories."""
        return float(np.abs(self.openspiel - self.mfcode).max())

    @property
    def mfglib_gap(self) -> float | None:
        """Largest absolute difference between mfcode's and mfglib's histories (``None``: no mfglib run)."""
        return None if self.mfglib is None else float(np.abs(self.mfglib - self.mfcode).max())

    @property
    def speedup(self) -> float:
        """OpenSpiel's time per step over mfcode's."""
        return self.openspiel_seconds / self.mfcode_seconds


@dataclass(frozen=True, eq=False)
class ParityResult:
    """The cases of :func:`compare_libraries` and their largest gaps.

    Attributes
    ----------
    n_iter
        Solver iterations of every case.
    cases
        One :class:`LibraryCase` per reference case, in the order of ``REFERENCE_CASES``.
    """

    n_iter: int
    cases: tuple[LibraryCase, ...]

    @property
    def max_gap(self) -> float:
        """Largest gap between mfcode's and OpenSpiel's histories over all cases (the claim's value)."""
        return max(c.openspiel_gap for c in self.cases)

    @property
    def mfglib_max_gap(self) -> float:
        """Largest gap between mfcode's and mfglib's histories over the cases mfglib ran (``nan``: none)."""
        gaps = [g for c in self.cases if (g := c.mfglib_gap) is not None]
        return max(gaps) if gaps else float("nan")

    def of(self, family: Family) -> tuple[LibraryCase, ...]:
        """The cases of one game family, in order."""
        return tuple(c for c in self.cases if c.family == family)

    def gap_table(self) -> str:
        """One line per case: its largest gap to mfcode, per library."""
        lines = []
        for c in self.cases:
            gaps = [f"openspiel {c.openspiel_gap:.1e}"]
            if c.mfglib_gap is not None:
                gaps.append(f"mfglib {c.mfglib_gap:.1e}")
            lines.append(f"{c.game:<22}{c.solver:<16} largest gap to mfcode: {', '.join(gaps)}")
        return "\n".join(lines)

    def speed_table(self) -> str:
        """Header and one line per case: seconds per step of each library, OpenSpiel's over mfcode's."""
        lines = [f"{'game':<22}{'solver':<16}{'OpenSpiel [s/it]':>17}{'mfglib [s/it]':>15}{'mfcode [s/it]':>15}{'OpenSpiel/mfcode':>18}"]
        for c in self.cases:
            lib = "-" if c.mfglib_seconds is None else f"{c.mfglib_seconds:.2e}"
            lines.append(f"{c.game:<22}{c.solver:<16}{c.openspiel_seconds:>17.3g}{lib:>15}{c.mfcode_seconds:>15.2e}{c.speedup:>18.0f}")
        return "\n".join(lines)


_Case = tuple[GameName, dict[str, Any], SolverName, float | None, float | None]


def compare_libraries(
    budget: str,
    n_iter: int = 10,
    *,
    cases: Sequence[_Case] = openspiel_compat.REFERENCE_CASES,
    mfglib: bool = True,
) -> ParityResult:
    """mfcode, OpenSpiel and mfglib on each case (game, OpenSpiel parameters, solver, lr, softmax temperature).

    Every case runs :func:`~mfcode.mfg.openspiel_compat.compare` from the uniform policy. At
    ``budget="full"`` OpenSpiel runs live on every case (minutes: seconds per iteration on the LQ
    game); at ``budget="ci"`` crowd modelling runs OpenSpiel's C++ twin ``mfg_crowd_modelling`` (equal
    values) and the LQ histories are the stored reference ones (which hold 10 iterations, so
    ``n_iter <= 10`` there). mfglib (with ``mfglib=True``) runs fictitious play and mirror descent.

    Raises
    ------
    TypeError, ValueError
        If ``budget`` is not ``"ci"`` or ``"full"``, or ``n_iter`` is not a non-negative integer.
    """
    small = check_budget(budget) == "ci"
    n = check_int(n_iter, "n_iter", low=0)
    reference = {(c["game"], c["solver"]): c for c in openspiel_compat.load_reference()} if small else {}
    out = []
    for game, params, solver, lr, temp in cases:
        family: Family = "crowd_modelling" if game.startswith("crowd_modelling") else "linear_quadratic"
        name: GameName = "crowd_modelling_cpp" if small and family == "crowd_modelling" else game
        stored = reference[game, solver] if small and family == "linear_quadratic" else None
        comparison = openspiel_compat.compare(
            name,
            params,
            solver,
            n,
            lr=lr,
            softmax_temperature=temp,
            mfglib=mfglib and solver != "fixed_point",
            stored=stored,
        )
        expl, secs = comparison.exploitability, comparison.seconds_per_iteration
        out.append(
            LibraryCase(
                game=name,
                family=family,
                solver=solver,
                mfcode=expl["mfcode"],
                openspiel=expl["openspiel"],
                mfglib=expl.get("mfglib"),
                mfcode_seconds=secs["mfcode"],
                openspiel_seconds=secs["openspiel"],
                mfglib_seconds=secs.get("mfglib"),
                stored=stored is not None,
            )
        )
    return ParityResult(n, tuple(out))


@dataclass(frozen=True)
class LedgerExploitability:
    """Exploitability (``NashConv``) after ``n_iter`` iterations from the uniform policy, mfcode alone.

    Crowd modelling (size 10, horizon 10) under fictitious play and mirror descent (lr 1), and the
    LQ game of 001 App. D (25 states, horizon 10, no terminal cost) under mirror descent (lr 1).
    """

    n_iter: int
    crowd_fp: float
    crowd_omd: float
    lq25_omd: float


def _lq25() -> openspiel_games.OpenSpielMFG:
    return openspiel_games.openspiel_lq(size=_LQ_SIZE, horizon=_HORIZON)


def mfcode_exploitability(n_iter: int = 10) -> LedgerExploitability:
    """The ledger's exploitabilities after ``n_iter`` iterations of OpenSpiel's solvers written in mfcode.

    Raises
    ------
    TypeError, ValueError
        If ``n_iter`` is not a non-negative integer.
    """
    n = check_int(n_iter, "n_iter", low=0)
    crowd = openspiel_games.openspiel_crowd_modelling(size=_CROWD_SIZE, horizon=_HORIZON)
    fp = openspiel_solvers.openspiel_solver("fictitious_play")
    omd = openspiel_solvers.openspiel_solver("mirror_descent", lr=1.0)
    return LedgerExploitability(
        n_iter=n,
        crowd_fp=float(fp.solve(crowd, max_iter=n).exploitability[-1]),
        crowd_omd=float(omd.solve(crowd, max_iter=n).exploitability[-1]),
        lq25_omd=float(omd.solve(_lq25(), max_iter=n).exploitability[-1]),
    )


@dataclass(frozen=True, eq=False)
class LQEquilibrium:
    """The LQ game with 25 states, horizon 10, no terminal cost, from the uniform population (001 App. D, Fig. 3).

    Attributes
    ----------
    n_iter
        Iterations of each solver.
    states
        ``(S,)`` the positions :math:`x=0..24`.
    flow, exploitability
        OpenSpiel's game after ``n_iter`` steps of mirror descent (lr 1): the ``(T, S)`` flow
        :math:`\\mu_t(x)` of the last iterate and its exploitability.
    spread
        ``(T,)`` the standard deviation of :math:`\\mu_t` over :math:`x` (positions, not circular).
    paper_flow, paper_exploitability
        The same for the game with the action cost charged at its own step,
        :math:`r(s_t,a_t,\\mu_t)` as 001 App. D writes it (:func:`~mfcode.mfg.games.lq_episodic`), after
        ``n_iter`` steps of fictitious play.
    """

    n_iter: int
    states: IntArray
    flow: FloatArray
    exploitability: float
    spread: FloatArray
    paper_flow: FloatArray
    paper_exploitability: float


def lq_equilibrium(budget: str, *, n_iter: int | None = None) -> LQEquilibrium:
    """The LQ equilibrium population: :data:`EQUILIBRIUM_ITERATIONS` ``[budget]`` iterations (or ``n_iter``).

    Raises
    ------
    TypeError, ValueError
        If ``budget`` is not ``"ci"`` or ``"full"``, or ``n_iter`` is not a non-negative integer.
    """
    n = EQUILIBRIUM_ITERATIONS[check_budget(budget)] if n_iter is None else check_int(n_iter, "n_iter", low=0)
    eq = openspiel_solvers.openspiel_solver("mirror_descent", lr=1.0).solve(_lq25(), max_iter=n)
    flow = eq.mean_fields[-1]
    paper = solvers.FictitiousPlay().solve(games.lq_episodic(horizon=_HORIZON), max_iter=n)
    x = np.arange(flow.shape[1], dtype=np.int64)
    spread = np.array([np.sqrt(mu @ (x - mu @ x) ** 2) for mu in flow])
    return LQEquilibrium(
        n_iter=n,
        states=x,
        flow=flow,
        exploitability=float(eq.exploitability[-1]),
        spread=spread,
        paper_flow=paper.mean_fields[-1],
        paper_exploitability=float(paper.exploitability[-1]),
    )
