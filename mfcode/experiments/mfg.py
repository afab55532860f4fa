"""The experiments of ``book/mfg/mfg_exact.ipynb``: exact equilibria, contraction and solvers vs mfglib.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``. Each function takes the notebook's
parameters and returns a frozen dataclass the notebook prints, plots and hands to
:func:`mfcode.claims.check`:

- :func:`sis_fixed_points` -- the fixed points of :math:`\\Lambda^\\lambda` on the stationary SIS game
  (App. D; Definition 1 of §2) and its slope at :math:`\\mu(I)=0` (Lemma 6);
- :func:`lipschitz_sweep` -- :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` against :math:`d_1d_2+d_3` (App. A,
  Lemma 6) on garnet games of growing reward coupling;
- :func:`exact_iteration` -- the exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` on a
  contractive and a strongly coupled garnet (§2, "linear convergence");
- :func:`bias_sweep` -- the unregularized gap of the regularized NE against eq. (1);
- :func:`solver_comparison` -- the four solvers of :mod:`mfcode.mfg.solvers` beside mfglib's on
  mfglib's ``random_linear`` game (App. D, exploitability), per iteration and per second;
- :func:`speed_tables` -- the stored benchmark of ``benchmarks/bench_mfg.py`` as tables.

:func:`sizes` maps the notebook's ``budget`` to the sizes of all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import brentq

from mfcode.arrays import FloatArray
from mfcode.claims import BUDGETS
from mfcode.fixed_point import FixedPointTrace, compute_fixed_point, l1_distance
from mfcode.mfg import games, mfglib_compat, operators, solvers, speed
from mfcode.mfg.exploitability import exploitability, regularization_bias_bound
from mfcode.mfg.lipschitz import LipschitzEstimate, estimate_lipschitz
from mfcode.mfg.stationary import StationaryMFG
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "GARNET_ACTIONS",
    "GARNET_MIXING",
    "GARNET_STATES",
    "BenchmarkTables",
    "BiasSweep",
    "ExactIteration",
    "LipschitzSweep",
    "SISFixedPoints",
    "Sizes",
    "SolverComparison",
    "SolverPair",
    "bias_sweep",
    "exact_iteration",
    "garnet",
    "lipschitz_sweep",
    "sis_fixed_points",
    "sizes",
    "solver_comparison",
    "speed_tables",
]

#: The garnet games of parts (a) and (b): 8 states, 3 actions, mixing 0.5.
GARNET_STATES, GARNET_ACTIONS, GARNET_MIXING = 8, 3, 0.5


# ----------------------------------------------------------------------------------------------
# Budgets
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """The sizes of the notebook's experiments at one budget.

    Attributes
    ----------
    sis_grid
        Grid points on :math:`\\mu(I)\\in[0,1]` where the SIS fixed points are bracketed.
    couplings, lipschitz_pairs
        Number of garnet couplings in the Lemma 6 sweep and random pairs per game.
    temperatures
        Number of :math:`\\lambda` in the eq. (1) sweep.
    horizon, n, iterations
        mfglib's ``T`` and ``n`` of ``random_linear``, and the solver iterations.
    """

    sis_grid: int
    couplings: int
    lipschitz_pairs: int
    temperatures: int
    horizon: int
    n: int
    iterations: int


_SIZES: dict[str, Sizes] = {
    "ci": Sizes(sis_grid=201, couplings=6, lipschitz_pairs=20, temperatures=6, horizon=10, n=10, iterations=20),
    "full": Sizes(sis_grid=2001, couplings=12, lipschitz_pairs=60, temperatures=15, horizon=20, n=20, iterations=40),
}


def sizes(budget: str) -> Sizes:
    """The sizes at ``budget`` (``"ci"``: fewer games, pairs and iterations; ``"full"``: the book's)."""
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {sorted(BUDGETS)}, got {budget!r}")
    return _SIZES[budget]


def garnet(coupling: float, *, gamma: float, seed: int) -> StationaryMFG:
    """The notebook's garnet game (:data:`GARNET_STATES`, :data:`GARNET_ACTIONS`, mixing :data:`GARNET_MIXING`)."""
    return games.garnet(GARNET_STATES, GARNET_ACTIONS, coupling=coupling, mixing=GARNET_MIXING, gamma=gamma, seed=seed)


# ----------------------------------------------------------------------------------------------
# (c) The stationary SIS game
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SISFixedPoints:
    """Fixed points of :math:`m\\mapsto\\Lambda^\\lambda(1-m,m)_I` on the stationary SIS game (001 App. D).

    Attributes
    ----------
    grid, excess
        :math:`m=\\mu(I)` on the grid and :math:`\\Lambda^\\lambda(1-m,m)_I-m` there.
    roots
        Every fixed point :math:`\\mu(I)`: 0 (the disease-free state, a fixed point of :math:`\\Gamma_2`
        for every policy) and each sign change of ``excess`` refined by Brent's method.
    slope
        :math:`\\frac{d}{dm}\\Lambda^\\lambda(1-m,m)_I` at 0, exactly:
        :math:`(1-\\text{recovery})+\\text{infection rate}\\cdot\\pi(U|S)` with
        :math:`\\pi=\\Gamma_1^\\lambda(1,0)`.
    slope_fd
        The same slope by a forward difference of step ``1e-7``.
    """

    grid: FloatArray
    excess: FloatArray
    roots: FloatArray
    slope: float
    slope_fd: float

    @property
    def rounded_roots(self) -> list[float]:
        """The roots rounded to 4 decimals (the claim ``sis-stationary-fixed-points``)."""
        return [round(float(r), 4) for r in self.roots]


def sis_fixed_points(*, gamma: float, temperature: float, grid_size: int) -> SISFixedPoints:
    """All regularized NE of the stationary SIS game, as roots of :math:`\\Lambda^\\lambda(m)-m` (§2, Definition 1).

    Parameters
    ----------
    gamma
        Discount of the stationary game, in ``[0, 1)``.
    temperature
        Entropy weight :math:`\\lambda\\ge0` on the raw SIS rewards.
    grid_size
        Number of grid points on ``[0, 1]`` (``>= 3``) bracketing the roots.
    """
    check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    lam = check_temperature(temperature)
    size = check_int(grid_size, "grid_size", low=3)
    p = games.SISParameters()
    game = games.sis(gamma=gamma, infection_rate=p.infection_rate, recovery=p.recovery, distancing_cost=p.distancing_cost)

    def excess_at(m: float) -> float:
        return float(operators.mean_field_map(game, [1 - m, m], lam)[1] - m)

    grid = np.linspace(0.0, 1.0, size)
    excess = np.array([operators.mean_field_map(game, [1 - m, m], lam)[1] - m for m in grid])
    roots = [0.0]
    for i in range(1, grid.size - 1):
        if np.sign(excess[i]) != np.sign(excess[i + 1]) and excess[i] != 0.0:
            roots.append(float(brentq(excess_at, grid[i], grid[i + 1], xtol=1e-14)))
    pi0 = operators.best_response(game, [1.0, 0.0], lam).policy
    slope = (1.0 - p.recovery) + p.infection_rate * float(pi0[0, 1])
    h = 1e-7
    slope_fd = float(operators.mean_field_map(game, [1 - h, h], lam)[1] / h)
    return SISFixedPoints(grid, excess, np.array(roots), float(slope), slope_fd)


# ----------------------------------------------------------------------------------------------
# (a) Contraction on random games
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LipschitzSweep:
    """Estimates of Assumption 3's constants on garnets of growing coupling (001 App. A, Lemma 6).

    Attributes
    ----------
    couplings
        The reward couplings :math:`c`, ``(K,)``.
    estimates
        :func:`~mfcode.mfg.lipschitz.estimate_lipschitz` of each game.
    contraction, bound
        Estimated :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` and :math:`d_1d_2+d_3` per game, ``(K,)``.
    """

    couplings: FloatArray
    estimates: tuple[LipschitzEstimate, ...]
    contraction: FloatArray
    bound: FloatArray

    @property
    def max_excess(self) -> float:
        """:math:`\\max_c(\\mathrm{Lip}(\\Lambda^\\lambda)-(d_1d_2+d_3))` (claim ``mfg-lemma6-contraction``: at most 0)."""
        return float(np.max(self.contraction - self.bound))


def lipschitz_sweep(*, gamma: float, temperature: float, n_couplings: int, n_pairs: int, seed: int) -> LipschitzSweep:
    """Lemma 6 (001 App. A) on garnets with couplings ``geomspace(0.05, 20, n_couplings)``.

    The garnets are drawn with ``seed``; the random pairs of all games come, in turn, from one
    generator seeded with ``seed``.
    """
    check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    k = check_int(n_couplings, "n_couplings", low=1)
    pairs = check_int(n_pairs, "n_pairs", low=1)
    check_int(seed, "seed")
    rng = np.random.default_rng(seed)
    couplings = np.geomspace(0.05, 20.0, k)
    estimates = tuple(
        estimate_lipschitz(garnet(float(c), gamma=gamma, seed=seed), lam, n_pairs=pairs, seed=rng) for c in couplings
    )
    return LipschitzSweep(
        couplings,
        estimates,
        np.array([e.contraction for e in estimates]),
        np.array([e.bound for e in estimates]),
    )


@dataclass(frozen=True, eq=False)
class ExactIteration:
    """The exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` on two garnets (001 §2).

    Attributes
    ----------
    contractive_coupling, strong_coupling
        The couplings of the two games.
    contractive_residuals
        :math:`\\|\\Lambda^\\lambda(\\mu_k)-\\mu_k\\|_1` of :func:`~mfcode.mfg.solvers.solve_equilibrium`
        (``tol=1e-13``) on the contractive game.
    rate
        The largest ratio of successive residuals there.
    strong
        The trace of ``n_iter`` steps on the strongly coupled game (``converged=False`` unless a residual is 0).
    """

    contractive_coupling: float
    strong_coupling: float
    contractive_residuals: FloatArray
    rate: float
    strong: FixedPointTrace[FloatArray]


def exact_iteration(
    *, gamma: float, temperature: float, contractive_coupling: float, strong_coupling: float, seed: int, n_iter: int = 60
) -> ExactIteration:
    """The exact iteration from :math:`\\rho` on ``garnet(contractive_coupling)`` and ``garnet(strong_coupling)``.

    On the first it runs to the NE (residual ``1e-13``) and measures the linear rate (claim
    ``mfg-banach-linear-rate``: at most :math:`d_1d_2+d_3`); on the second it runs ``n_iter`` steps
    of :func:`~mfcode.fixed_point.compute_fixed_point` in the :math:`\\ell_1` distance, whatever they do.
    """
    check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    lam = check_temperature(temperature)
    check_real(contractive_coupling, "contractive_coupling", low=0.0)
    check_real(strong_coupling, "strong_coupling", low=0.0)
    check_int(seed, "seed")
    steps = check_int(n_iter, "n_iter", low=1)
    contractive = garnet(contractive_coupling, gamma=gamma, seed=seed)
    eq = solvers.solve_equilibrium(contractive, lam, tol=1e-13)
    rate = float(np.max(eq.residuals[1:] / eq.residuals[:-1]))
    strong = garnet(strong_coupling, gamma=gamma, seed=seed)

    def lam_map(mu: FloatArray) -> FloatArray:
        return operators.mean_field_map(strong, mu, lam)

    trace = compute_fixed_point(
        lam_map, strong.initial, tol=0.0, max_iter=steps, distance=l1_distance,
        what=f"the exact iteration on garnet(c={strong_coupling:g})", raise_on_failure=False,
    )
    return ExactIteration(float(contractive_coupling), float(strong_coupling), eq.residuals, rate, trace)


# ----------------------------------------------------------------------------------------------
# (b) The price of regularization
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BiasSweep:
    """The unregularized gap of the regularized NE against eq. (1) of 001, per :math:`\\lambda`.

    Attributes
    ----------
    temperatures
        :math:`\\lambda`, ``(K,)``.
    gaps
        :math:`\\max_\\pi V^\\pi_{\\mu^\\star}(\\rho)-V^{\\pi^\\star}_{\\mu^\\star}(\\rho)` at the regularized NE, ``(K,)``.
    bounds
        :math:`\\lambda\\log|\\mathcal A|/(1-\\gamma)`, ``(K,)``.
    """

    temperatures: FloatArray
    gaps: FloatArray
    bounds: FloatArray

    @property
    def max_excess(self) -> float:
        """:math:`\\max_\\lambda(\\text{gap}-\\text{bound})` (claim ``mfg-eq1-bias-sweep``: at most 0)."""
        return float(np.max(self.gaps - self.bounds))


def bias_sweep(*, gamma: float, n_temperatures: int, seed: int, coupling: float = 0.2) -> BiasSweep:
    """Eq. (1) of 001 on ``garnet(coupling)`` for :math:`\\lambda` in ``geomspace(0.01, 2, n_temperatures)``.

    Each regularized NE is solved exactly (:func:`~mfcode.mfg.solvers.solve_equilibrium`, ``tol=1e-12``)
    and scored by :func:`~mfcode.mfg.exploitability.exploitability` at :math:`\\lambda=0` against its own
    :math:`\\mu^\\star`.
    """
    check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    k = check_int(n_temperatures, "n_temperatures", low=1)
    check_int(seed, "seed")
    check_real(coupling, "coupling", low=0.0)
    lams = np.geomspace(0.01, 2.0, k)
    game = garnet(coupling, gamma=gamma, seed=seed)
    gaps, bounds = [], []
    for lam in lams:
        ne = solvers.solve_equilibrium(game, float(lam), tol=1e-12)
        gaps.append(exploitability(game, ne.policy, 0.0, mean_field=ne.mean_field))
        bounds.append(regularization_bias_bound(game, float(lam)))
    return BiasSweep(lams, np.array(gaps), np.array(bounds))


# ----------------------------------------------------------------------------------------------
# (d) Solvers compared, mfcode against mfglib
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SolverPair:
    """One solver run in both libraries from the uniform policy on the same game.

    Attributes
    ----------
    name
        The solver ("fixed point", "fictitious play", "online mirror descent", "prior descent").
    mfcode_exploitability, mfglib_exploitability
        Exploitability of the iterates :math:`\\pi_0,\\dots,\\pi_K` (App. D of 001), ``(K+1,)`` each.
    mfcode_times, mfglib_times
        Cumulative wall time of the solver steps (scoring excluded), ``(K+1,)``, starting at 0.
    mfcode_step, mfglib_step
        Median time of one step [s].
    """

    name: str
    mfcode_exploitability: FloatArray
    mfglib_exploitability: FloatArray
    mfcode_times: FloatArray
    mfglib_times: FloatArray
    mfcode_step: float
    mfglib_step: float

    @property
    def max_abs_diff(self) -> float:
        """Largest difference of the two exploitability histories."""
        return float(np.abs(self.mfcode_exploitability - self.mfglib_exploitability).max())

    @property
    def speedup(self) -> float:
        """Median mfglib step over median mfcode step, to one decimal."""
        return round(self.mfglib_step / self.mfcode_step, 1)


@dataclass(frozen=True, eq=False)
class SolverComparison:
    """The four solvers in mfcode and in mfglib 0.3.0 (float64) on mfglib's ``random_linear(T, n)``.

    ``horizon`` is mfglib's ``T`` (mfcode's game has ``T + 1`` times).
    """

    horizon: int
    n: int
    iterations: int
    pairs: tuple[SolverPair, ...]

    @property
    def agreement(self) -> float:
        """Largest difference of the exploitability histories over all solvers (claim ``mfg-solvers-match-mfglib``)."""
        return max(p.max_abs_diff for p in self.pairs)

    @property
    def step_times(self) -> dict[str, float]:
        """The fastest mfglib step and the slowest mfcode step (medians; claim ``mfg-step-time-ordering``, a record)."""
        return {
            "fastest mfglib step": min(p.mfglib_step for p in self.pairs),
            "slowest mfcode step": max(p.mfcode_step for p in self.pairs),
        }

    @property
    def speedups(self) -> dict[str, float]:
        """Per solver, :attr:`SolverPair.speedup` (claim ``mfg-step-speedup``, a record)."""
        return {p.name: p.speedup for p in self.pairs}


def solver_comparison(*, horizon: int, n: int, iterations: int, seed: int) -> SolverComparison:
    """Run each solver of :mod:`mfcode.mfg.solvers` and its mfglib twin on the very same game.

    mfglib builds ``random_linear(T=horizon, n=n, m=10, seed=seed)``; mfcode gets its coefficients
    (:func:`~mfcode.mfg.mfglib_compat.random_linear_parameters`). The pairs, all unregularized: the fixed
    point (mfglib's ``FictitiousPlay(alpha=1)``), fictitious play, online mirror descent (:math:`\\alpha=1`)
    and prior descent (:math:`\\eta=1`, prior reset every 10 steps). mfglib runs in float64 and both on one
    torch thread; torch's default dtype and thread count are restored afterwards.
    """
    import torch

    t = check_int(horizon, "horizon", low=1)
    size = check_int(n, "n", low=1)
    k = check_int(iterations, "iterations", low=1)
    check_int(seed, "seed")
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    try:
        env = mfglib_compat.mfglib_environment("random_linear", T=t, n=size, m=10.0, seed=seed)
        game = games.random_linear(horizon=t + 1, parameters=mfglib_compat.random_linear_parameters(env), check=False)
        configs: tuple[tuple[str, solvers.IterativeSolver[Any], Any], ...] = (
            ("fixed point", solvers.FixedPoint(), mfglib_compat.mfglib_algorithm("FictitiousPlay", alpha=1.0)),
            ("fictitious play", solvers.FictitiousPlay(), mfglib_compat.mfglib_algorithm("FictitiousPlay", alpha=0.0)),
            ("online mirror descent", solvers.OnlineMirrorDescent(alpha=1.0),
             mfglib_compat.mfglib_algorithm("OnlineMirrorDescent", alpha=1.0)),
            ("prior descent", solvers.PriorDescent(eta=1.0, n_inner=10),
             mfglib_compat.mfglib_algorithm("PriorDescent", eta=1.0, n_inner=10)),
        )
        ours = [solver.solve(game, max_iter=k) for _, solver, _ in configs]
        theirs = [mfglib_compat.run_mfglib(alg, env, k) for _, _, alg in configs]
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
    pairs = tuple(
        SolverPair(
            name=name,
            mfcode_exploitability=res.exploitability,
            mfglib_exploitability=ref.exploitability,
            mfcode_times=res.times,
            mfglib_times=np.concatenate([[0.0], np.cumsum(ref.step_times)]),
            mfcode_step=float(np.median(np.diff(res.times))),
            mfglib_step=float(np.median(ref.step_times)),
        )
        for (name, _, _), res, ref in zip(configs, ours, theirs, strict=True)
    )
    return SolverComparison(t, size, k, pairs)


# ----------------------------------------------------------------------------------------------
# Speed
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BenchmarkTables:
    """The three tables of the stored ``benchmarks/bench_mfg.py`` results (:func:`mfcode.mfg.speed.benchmark_tables`)."""

    equilibrium: speed.BenchmarkTable
    steps: speed.BenchmarkTable
    floor: speed.BenchmarkTable


def speed_tables(path: Path | str) -> BenchmarkTables:
    """The exact-NE, solver-step and floor tables of the results ``benchmarks/bench_mfg.py`` wrote to ``path``."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a Path, got {type(path).__name__}")
    results = speed.load_benchmark(path)
    return BenchmarkTables(*speed.benchmark_tables(results))
