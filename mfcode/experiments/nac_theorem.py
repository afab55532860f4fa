"""The experiments of ``book/nac/theorem/theorem.ipynb``: Theorem 1 measured, the :math:`\\lambda` trade-off, Props. 1–2, Lemma 2.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §4 and App. A–C. Each function takes
the notebook's parameters and returns a frozen dataclass the notebook prints, plots and hands to
:func:`mfcode.claims.check`:

- :func:`setting` -- the game of the page (a garnet with rewards in :math:`[0,1]`,
  :func:`mfcode.experiments.lemmas.unit_garnet`), its exact regularized NE per :math:`\\lambda`
  (:func:`~mfcode.mfg.solvers.solve_equilibrium`) and the constants of Assumptions 1 and 3:
  :math:`d_0` estimated (:func:`visitation_lipschitz`), :math:`d_1,d_2,d_3` estimated
  (:func:`mfcode.mfg.lipschitz.estimate_lipschitz`) and bounded in closed form
  (:func:`mfcode.experiments.mfg.closed_form_constants`), :math:`\\bar d=1-d_1d_2-d_3` for the
  paper's :math:`d^\\star`-weighted :math:`D`, and Lemma 3's bound;
- :func:`theorem1` -- Algorithm 1 (:func:`mfcode.nac.algorithm.nac`) with the theory's step sizes
  :math:`\\eta=c_\\eta T^{-2/5}/\\lambda`, :math:`\\beta=c_\\beta T^{-4/5}` over a grid of horizons
  :math:`T`: Theorem 1's left side :math:`D(\\pi^\\star,\\bar\\pi_T)+\\|\\mu^\\star-\\bar\\mu_T\\|_1`
  with exact oracles and one-hot features (:math:`\\varepsilon_{total}=0`), with exact oracles and
  low-dimensional features (:math:`\\varepsilon_{approx}>0`), and with the stochastic oracles
  (TD(0) and SGD, :mod:`mfcode.nac.td`, :mod:`mfcode.nac.sgd`), plus Assumption 2's ratios along
  the exact runs (:func:`concentrability`);
- :func:`tradeoff` -- eq. (1)'s bias of the regularized NE against :math:`\\lambda`, beside the
  horizon the exact runs need to reach a given distance (:func:`horizon_to_reach`);
- :func:`oracle_rates` -- Props. 1–2: the TD(0) error and the SGD excess risk against the number
  of samples :math:`K` at a fixed iterate;
- :func:`lemma2` -- Lemma 2's bounds along the runs with the stochastic oracles;
- :func:`nac_benchmark` -- the table of ``benchmarks/bench_nac.py``'s stored results.

:func:`log_log_fit` fits the slopes; :func:`sizes` maps the notebook's ``budget`` to the sizes.

What is batched: the seeds of every run (a leading axis, :func:`~mfcode.nac.algorithm.nac`), the
mean fields of the Lipschitz and concentrability estimates (batched exact solves of
:mod:`mfcode.nac.exact`), the seeds of Props. 1–2. What is not: the grid of horizons :math:`T` and
temperatures :math:`\\lambda`, because every run of a batch shares one
:class:`~mfcode.nac.algorithm.NACConfig` (one :math:`\\lambda` and one step-size schedule, which
depends on :math:`T`); the grid is a Python loop over calls of the batched loop.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray, IntArray
from mfcode.claims.render import Table
from mfcode.experiments.budget import check_budget
from mfcode.experiments.lemmas import q_max, unit_garnet
from mfcode.experiments.mfg import ClosedFormConstants, closed_form_constants
from mfcode.mfg.exploitability import exploitability, regularization_bias_bound
from mfcode.mfg.lipschitz import LipschitzEstimate, estimate_lipschitz
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac import exact
from mfcode.nac.algorithm import NACConfig, iterate_at, nac
from mfcode.nac.features import Features, one_hot
from mfcode.nac.protocol import Actor, Critic, Iterate, NACRun
from mfcode.nac.schedules import TheorySchedule
from mfcode.nac.scoring import dynamics_batch
from mfcode.nac.sgd import ProjectedSGD
from mfcode.nac.td import ConstantStepSize, ProjectedTD, Prop1StepSize, steady_state_omega
from mfcode.validation import check_int, check_real

__all__ = [
    "SIZES",
    "AssumptionConstants",
    "BenchmarkRow",
    "Concentrability",
    "EquilibriumAt",
    "Lemma2Along",
    "LogLogFit",
    "NACBenchmark",
    "OracleRates",
    "RateSweep",
    "Sizes",
    "Theorem1",
    "TheoremSetting",
    "Tradeoff",
    "concentrability",
    "concentrability_maxima",
    "constants_record",
    "horizon_to_reach",
    "lemma2",
    "log_log_fit",
    "low_dim_features",
    "nac_benchmark",
    "oracle_rates",
    "rate_sweep",
    "setting",
    "sizes",
    "theorem1",
    "tradeoff",
    "visitation_lipschitz",
    "weighted_d2",
]


# ----------------------------------------------------------------------------------------------
# Budgets
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much each experiment computes at one budget.

    Attributes
    ----------
    horizons
        The horizons :math:`T` of the runs with exact oracles.
    noisy_horizons
        The horizons of the runs with TD(0) and SGD.
    noisy_seeds
        Seeds (one batch) of each run with TD(0) and SGD.
    oracle_samples
        :math:`K` of TD(0) and of SGD at every iteration of those runs.
    td_samples, sgd_samples
        The grids of :math:`K` of Props. 1 and 2.
    oracle_seeds
        Seeds (one batch) of Props. 1–2.
    lipschitz_pairs
        Random pairs per estimated constant of Assumptions 1 and 3.
    concentrability_points
        Iterations of the longest exact run at which Assumption 2's ratios are computed.
    bias_temperatures
        Temperatures of eq. (1)'s bias sweep.
    """

    horizons: tuple[int, ...]
    noisy_horizons: tuple[int, ...]
    noisy_seeds: int
    oracle_samples: int
    td_samples: tuple[int, ...]
    sgd_samples: tuple[int, ...]
    oracle_seeds: int
    lipschitz_pairs: int
    concentrability_points: int
    bias_temperatures: int


#: The sizes per budget: ``"ci"`` for the tests, ``"full"`` for the book.
SIZES: Mapping[str, Sizes] = MappingProxyType(
    {
        "ci": Sizes(
            horizons=(10, 30, 100, 300),
            noisy_horizons=(10, 30, 100),
            noisy_seeds=8,
            oracle_samples=200,
            td_samples=(1000, 2000, 4000, 8000),
            sgd_samples=(100, 400, 1600, 6400),
            oracle_seeds=16,
            lipschitz_pairs=20,
            concentrability_points=8,
            bias_temperatures=8,
        ),
        "full": Sizes(
            horizons=(10, 32, 100, 316, 1000, 3162, 10000, 31623),
            noisy_horizons=(10, 32, 100, 316, 1000),
            noisy_seeds=16,
            oracle_samples=300,
            td_samples=(1000, 2000, 4000, 8000, 16000, 32000, 64000),
            sgd_samples=(100, 400, 1600, 6400, 25600, 102400),
            oracle_seeds=64,
            lipschitz_pairs=60,
            concentrability_points=16,
            bias_temperatures=15,
        ),
    }
)


def sizes(budget: str) -> Sizes:
    """:data:`SIZES` ``[budget]``; ``TypeError``/``ValueError`` naming ``budget`` otherwise."""
    return SIZES[check_budget(budget)]


# ----------------------------------------------------------------------------------------------
# Fits
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLogFit:
    """A least-squares line through :math:`(\\log x,\\log y)`: :math:`y\\approx e^{b}x^{a}`.

    Attributes
    ----------
    slope
        :math:`a`.
    intercept
        :math:`b`.
    stderr
        The standard error of :math:`a` from the residuals (``nan`` with two points).
    """

    slope: float
    intercept: float
    stderr: float

    def predict(self, x: npt.ArrayLike) -> FloatArray:
        """:math:`e^{b}x^{a}` at ``x``."""
        out: FloatArray = np.exp(self.intercept) * np.asarray(x, dtype=np.float64) ** self.slope
        return out


def log_log_fit(x: npt.ArrayLike, y: npt.ArrayLike) -> LogLogFit:
    """The least-squares fit of :math:`\\log y` on :math:`\\log x` (both positive, at least two distinct ``x``).

    Raises
    ------
    ValueError
        If ``x`` and ``y`` are not 1-D of the same length, not positive and finite, or ``x`` has
        fewer than two distinct values.
    """
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(f"x and y must be 1-D of the same length, got shapes {xs.shape} and {ys.shape}")
    for name, arr in (("x", xs), ("y", ys)):
        if not (np.isfinite(arr).all() and (arr > 0.0).all()):
            raise ValueError(f"{name} must be positive and finite (a log-log fit)")
    if np.unique(xs).size < 2:
        raise ValueError("x must hold at least two distinct values")
    lx, ly = np.log(xs), np.log(ys)
    design = np.stack([lx, np.ones_like(lx)], axis=1)
    coef, *_ = np.linalg.lstsq(design, ly, rcond=None)
    resid = ly - design @ coef
    dof = xs.size - 2
    if dof > 0:
        sigma2 = float(resid @ resid) / dof
        stderr = math.sqrt(sigma2 / float(((lx - lx.mean()) ** 2).sum()))
    else:
        stderr = math.nan
    return LogLogFit(float(coef[0]), float(coef[1]), stderr)


def horizon_to_reach(horizons: npt.ArrayLike, distances: npt.ArrayLike, target: float) -> float:
    """The horizon at which ``distances`` first falls to ``target``, interpolated linearly in :math:`(\\log T,\\log d)`.

    ``nan`` when the distance is below ``target`` already at the first horizon or never reaches it
    on the grid (no bracket: the page does not extrapolate).
    """
    t = np.asarray(horizons, dtype=np.float64)
    d = np.asarray(distances, dtype=np.float64)
    if t.ndim != 1 or t.shape != d.shape or t.size < 2:
        raise ValueError(f"horizons and distances must be 1-D of the same length >= 2, got {t.shape} and {d.shape}")
    if not ((t > 0).all() and (d > 0).all() and np.isfinite(d).all()):
        raise ValueError("horizons and distances must be positive and finite")
    if not (np.diff(t) > 0).all():
        raise ValueError("horizons must increase")
    goal = check_real(target, "target", low=0.0, low_open=True)
    if d[0] <= goal:
        return math.nan
    below = np.flatnonzero(d <= goal)
    if below.size == 0:
        return math.nan
    j = int(below[0])
    lt, ld = np.log(t[j - 1 : j + 1]), np.log(d[j - 1 : j + 1])
    frac = (math.log(goal) - ld[0]) / (ld[1] - ld[0])
    return float(np.exp(lt[0] + frac * (lt[1] - lt[0])))


# ----------------------------------------------------------------------------------------------
# The game and its constants
# ----------------------------------------------------------------------------------------------


def low_dim_features(n_states: int, n_actions: int, dim: int, seed: int) -> Features:
    """Random features :math:`\\phi_{s,a}=g_{s,a}/\\|g_{s,a}\\|_2`, :math:`g_{s,a}\\sim\\mathcal N(0,I_d)` (unit norm, 001 §2).

    With :math:`d<|\\mathcal S|(|\\mathcal A|-1)` the log-linear class cannot represent every policy,
    so :math:`\\varepsilon_{approx}>0` in general (001 §3, footnote 2 has :math:`0` only for tabular features).
    """
    s = check_int(n_states, "n_states", low=1)
    a = check_int(n_actions, "n_actions", low=1)
    d = check_int(dim, "dim", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    g = rng.normal(size=(s, a, d))
    return Features(g / np.linalg.norm(g, axis=-1, keepdims=True), name=f"random (d = {d})")


@dataclass(frozen=True, eq=False)
class EquilibriumAt:
    """The exact regularized NE at one :math:`\\lambda` (:func:`~mfcode.mfg.solvers.solve_equilibrium`).

    Attributes
    ----------
    temperature
        :math:`\\lambda`.
    policy, mean_field
        :math:`(\\pi^\\star,\\mu^\\star)`, ``(S, A)`` and ``(S,)``.
    visitation
        :math:`d^\\star=d^{\\pi^\\star}_{\\mu^\\star}`, the weights of Theorem 1's :math:`D`, ``(S,)``.
    residual
        :math:`\\|\\Lambda^\\lambda(\\mu^\\star)-\\mu^\\star\\|_1` at the last iterate of the solver.
    """

    temperature: float
    policy: FloatArray
    mean_field: FloatArray
    visitation: FloatArray
    residual: float


@dataclass(frozen=True)
class AssumptionConstants:
    """The constants of Assumptions 1 and 3 (001 §4) at one :math:`\\lambda`, and Lemma 3's bound.

    Attributes
    ----------
    temperature
        :math:`\\lambda`.
    d0
        Assumption 1's :math:`d_0`, estimated on random pairs (a lower bound, :func:`visitation_lipschitz`).
    estimate
        :math:`d_1,d_2,d_3` and :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` estimated on random pairs, for the
        sup-over-states :math:`D` (lower bounds, :func:`~mfcode.mfg.lipschitz.estimate_lipschitz`).
    closed
        The closed-form upper bounds on :math:`d_1,d_2,d_3` for the sup-over-states :math:`D`
        (:func:`~mfcode.experiments.mfg.closed_form_constants`).
    d2_weighted
        :math:`d_2` for the paper's :math:`D(\\pi,\\pi')=\\mathbb E_{s\\sim d^\\star}\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1`
        (:func:`weighted_d2`); :math:`d_1` and :math:`d_3` of ``closed`` hold for it as well.
    n_actions
        :math:`|\\mathcal A|`.
    q_max
        :math:`Q_{\\max}=(1+\\gamma\\lambda\\log|\\mathcal A|)/(1-\\gamma)` (Lemma 3).
    best_response_min
        :math:`\\min_{s,a}\\pi^\\star(a|s)` at the NE.
    """

    temperature: float
    d0: float
    estimate: LipschitzEstimate
    closed: ClosedFormConstants
    d2_weighted: float
    n_actions: int
    q_max: float
    best_response_min: float

    @property
    def dbar(self) -> float:
        """Theorem 1's :math:`\\bar d=1-d_1d_2-d_3` with the closed-form :math:`d_1,d_3` and :math:`d_2` for the weighted :math:`D`."""
        return 1.0 - self.closed.d1 * self.d2_weighted - self.closed.d3

    @property
    def lemma3_bound(self) -> float:
        """Lemma 3's lower bound :math:`1/(|\\mathcal A|e^{Q_{\\max}/\\lambda})` on every best response (001 App. A)."""
        return 1.0 / (self.n_actions * math.exp(self.q_max / self.temperature))


def weighted_d2(game: StationaryMFG, visitation: npt.ArrayLike) -> float:
    """:math:`d_2=\\max_sc_s/d^\\star(s)` with :math:`c_s=\\tfrac12\\max_{a,a'}\\|P(s,a)-P(s,a')\\|_1` (fixed kernel).

    For :math:`D` weighted by :math:`d^\\star`,
    :math:`\\|\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi',\\mu)\\|_1\\le\\sum_s\\mu(s)c_s\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1\\le\\max_s\\frac{\\mu(s)c_s}{d^\\star(s)}D(\\pi,\\pi')`,
    and a :math:`\\mu` on one state attains the maximum over :math:`\\mu` (as in
    :func:`mfcode.experiments.lemmas.lemma7_recursion`).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    if game.transition_depends_on_mu:
        raise ValueError("game: weighted_d2 needs a kernel that does not depend on mu")
    d_star = np.asarray(visitation, dtype=np.float64)
    if d_star.shape != (game.n_states,) or not (d_star > 0.0).all():
        raise ValueError(f"visitation must be a positive ({game.n_states},) array")
    kernel = game.transition(game.initial)
    c_s = 0.5 * np.abs(kernel[:, :, None, :] - kernel[:, None, :, :]).sum(axis=-1).max(axis=(1, 2))
    return float((c_s / d_star).max())


def _visitations(game: StationaryMFG, policies: FloatArray, mean_fields: FloatArray, temperature: float) -> FloatArray:
    """:math:`d^{\\pi_i}_{\\mu_i}` for a batch, ``(n, S)`` (one batched solve)."""
    reward, kernel = dynamics_batch(game, mean_fields)
    it = Iterate(np.zeros((policies.shape[0], 0)), policies, mean_fields, reward, kernel, game.initial, game.gamma, temperature)
    return exact.visitation(it)


def _best_responses(game: StationaryMFG, mean_fields: FloatArray, temperature: float) -> FloatArray:
    """:math:`\\Gamma_1^\\lambda(\\mu_i)` for a batch of mean fields, ``(n, S, A)`` (batched soft policy iteration)."""
    reward, kernel = dynamics_batch(game, mean_fields)
    return exact.soft_best_response(reward, kernel, game.gamma, temperature).policy


def visitation_lipschitz(game: StationaryMFG, temperature: float, *, n_pairs: int, seed: int, local_scale: float = 1e-3) -> float:
    """Assumption 1's :math:`d_0`: :math:`\\max\\|d^{\\pi^\\star}_\\mu-d^{\\pi'^\\star}_{\\mu'}\\|_1/\\|\\mu-\\mu'\\|_1` over random pairs (a lower bound).

    :math:`\\pi^\\star=\\Gamma_1^\\lambda(\\mu)`, :math:`\\pi'^\\star=\\Gamma_1^\\lambda(\\mu')`; even pairs are
    nearby (:math:`\\mu'=(1-\\epsilon)\\mu+\\epsilon\\nu`, :math:`\\epsilon=` ``local_scale``), odd pairs
    independent Dirichlet draws. All best responses and visitations are batched solves.
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    pairs = check_int(n_pairs, "n_pairs", low=1)
    eps = check_real(local_scale, "local_scale", low=0.0, high=1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    n = game.n_states
    mu = rng.dirichlet(np.ones(n), size=pairs)
    other = rng.dirichlet(np.ones(n), size=pairs)
    near = (np.arange(pairs) % 2 == 0)[:, None]
    mu2 = np.where(near, (1.0 - eps) * mu + eps * other, other)
    both = np.concatenate([mu, mu2])
    d = _visitations(game, _best_responses(game, both, lam), both, lam)
    num = np.abs(d[:pairs] - d[pairs:]).sum(axis=-1)
    den = np.abs(mu - mu2).sum(axis=-1)
    return float((num / den).max())


@dataclass(frozen=True, eq=False)
class TheoremSetting:
    """The game of the page, its features, and its NE and constants per :math:`\\lambda`.

    Attributes
    ----------
    game
        The unit garnet (:func:`mfcode.experiments.lemmas.unit_garnet`: rewards in :math:`[0,1]`,
        fixed kernel, reward affine in :math:`\\mu`).
    one_hot, low_dim
        Tabular features (:math:`\\varepsilon_{approx}=0`) and :func:`low_dim_features`.
    temperatures
        :math:`\\lambda` of the runs, ``(L,)``.
    equilibria, constants
        Per :math:`\\lambda`: :class:`EquilibriumAt` and :class:`AssumptionConstants`.
    """

    game: StationaryMFG
    one_hot: Features
    low_dim: Features
    temperatures: FloatArray
    equilibria: tuple[EquilibriumAt, ...]
    constants: tuple[AssumptionConstants, ...]

    @property
    def dbar(self) -> FloatArray:
        """:math:`\\bar d` per :math:`\\lambda`, ``(L,)`` (Theorem 1 needs every entry :math:`>0`)."""
        return np.array([c.dbar for c in self.constants])

    @property
    def table(self) -> str:
        """Per :math:`\\lambda`: the NE, the constants (estimated / closed form), :math:`\\bar d`, then :math:`\\mu^\\star` and :math:`d^\\star`."""
        lines = []
        for c, eq in zip(self.constants, self.equilibria, strict=True):
            lines.append(
                f"lambda = {c.temperature:g}: NE residual {eq.residual:.1e}, min pi* {c.best_response_min:.2e}; "
                f"d0 ~ {c.d0:.4f}; d1 {c.estimate.d1:.4f} / {c.closed.d1:.4f}; d2 {c.estimate.d2:.3f} / {c.closed.d2:.3f} "
                f"(d*-weighted {c.d2_weighted:.3f}); d3 {c.estimate.d3:.3f} / {c.closed.d3:.3f}; d_bar = {c.dbar:.3f}"
            )
            lines.append(f"    mu* = {np.array2string(eq.mean_field, precision=4)}")
            lines.append(f"    d*  = {np.array2string(eq.visitation, precision=4)}")
        return "\n".join(lines)

    @property
    def estimates_below_bounds(self) -> bool:
        """Whether every estimated :math:`d_1,d_2,d_3` (a lower bound) is at most its closed form (an upper bound)."""
        return all(
            c.estimate.d1 <= c.closed.d1 and c.estimate.d2 <= c.closed.d2 and c.estimate.d3 <= c.closed.d3 for c in self.constants
        )

    @property
    def lemma3_record(self) -> dict[str, dict[str, float]]:
        """Per :math:`\\lambda`: :math:`Q_{\\max}`, Lemma 3's bound and the smallest NE probability (claim ``nac-theorem-lemma3-bound``)."""
        return {
            f"lambda={c.temperature:g}": {"q_max": c.q_max, "lemma3_bound": c.lemma3_bound, "min_pi_star": c.best_response_min}
            for c in self.constants
        }

    def index(self, temperature: float) -> int:
        """The position of ``temperature`` in :attr:`temperatures`."""
        hits = np.flatnonzero(np.isclose(self.temperatures, temperature, rtol=1e-12, atol=0.0))
        if hits.size == 0:
            raise ValueError(f"temperature {temperature!r} is not one of the setting's {self.temperatures.tolist()}")
        return int(hits[0])


def setting(
    budget: str,
    *,
    n_states: int,
    n_actions: int,
    coupling: float,
    mixing: float,
    gamma: float,
    temperatures: Sequence[float],
    feature_dim: int,
    seed: int,
) -> TheoremSetting:
    """The unit garnet, its one-hot and random low-dimensional features, its NE and constants at each :math:`\\lambda`.

    ``seed`` draws the garnet, the random features and the random pairs of the estimates.
    """
    size = sizes(budget)
    s = check_int(seed, "seed", low=0)
    game = unit_garnet(n_states, n_actions, coupling=coupling, mixing=mixing, gamma=gamma, seed=s)
    lams = np.array([check_real(t, "temperatures", low=0.0, low_open=True) for t in temperatures])
    if lams.size < 1 or not (np.diff(lams) > 0).all():
        raise ValueError(f"temperatures must be a non-empty increasing sequence, got {list(temperatures)}")
    equilibria: list[EquilibriumAt] = []
    constants: list[AssumptionConstants] = []
    for lam in map(float, lams):
        eq = solve_equilibrium(game, lam, tol=1e-13)
        d_star = game.visitation(eq.policy, eq.mean_field)
        equilibria.append(EquilibriumAt(lam, eq.policy, eq.mean_field, d_star, float(eq.residuals[-1])))
        constants.append(
            AssumptionConstants(
                temperature=lam,
                d0=visitation_lipschitz(game, lam, n_pairs=size.lipschitz_pairs, seed=s),
                estimate=estimate_lipschitz(game, lam, n_pairs=size.lipschitz_pairs, seed=s),
                closed=closed_form_constants(game, lam),
                d2_weighted=weighted_d2(game, d_star),
                n_actions=game.n_actions,
                q_max=q_max(game.gamma, lam, game.n_actions),
                best_response_min=float(eq.policy.min()),
            )
        )
    return TheoremSetting(
        game,
        one_hot(game.n_states, game.n_actions),
        low_dim_features(game.n_states, game.n_actions, feature_dim, s),
        lams,
        tuple(equilibria),
        tuple(constants),
    )


# ----------------------------------------------------------------------------------------------
# Theorem 1 measured
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RateSweep:
    """Algorithm 1 over a grid of temperatures and horizons, with one pair of oracles and one feature map.

    Attributes
    ----------
    name
        What ran (oracles and features).
    temperatures, horizons
        :math:`\\lambda` ``(L,)`` and :math:`T` ``(H,)``.
    radius
        :math:`R`.
    distances
        Theorem 1's left side :math:`D(\\pi^\\star,\\bar\\pi_T)+\\|\\mu^\\star-\\bar\\mu_T\\|_1` per seed, ``(L, H, n)``.
    mean_field_distances
        Its second term :math:`\\|\\mu^\\star-\\bar\\mu_T\\|_1`, ``(L, H, n)``.
    theta_max
        :math:`\\max_{t,\\text{seed}}\\|\\theta_t\\|_2`, ``(L, H)`` (Lemma 2: at most :math:`R/\\lambda`).
    min_probability
        :math:`\\min_{t,\\text{seed}}\\min_{s,a}\\pi_t(a|s)`, ``(L, H)``.
    w_norm
        :math:`\\max_{t,\\text{seed}}\\|\\hat w_t\\|_2` with :math:`\\hat w_t=(\\theta_{t+1}-(1-\\eta\\lambda)\\theta_t)/\\eta`, ``(L, H)``.
    final_loss, final_approx
        At the last iterate of the longest run, per seed, ``(L, n)``: the exact
        :math:`L_t(\\hat w_t)=\\mathbb E[(\\hat w_t^\\top\\nabla\\log\\pi_t-A_t)^2]` (the quantity that
        App. B.2 bounds by :math:`4\\varepsilon_{approx}+2\\varepsilon_{actor}+6\\varepsilon_{critic}`)
        and :math:`\\min_{\\|w\\|_2\\le R}L_t(w)` (that iterate's :math:`\\varepsilon_{approx}`).
    longest
        The run of the longest horizon at each :math:`\\lambda`.
    """

    name: str
    temperatures: FloatArray
    horizons: IntArray
    radius: float
    distances: FloatArray
    mean_field_distances: FloatArray
    theta_max: FloatArray
    min_probability: FloatArray
    w_norm: FloatArray
    final_loss: FloatArray
    final_approx: FloatArray
    longest: tuple[NACRun, ...]

    @property
    def mean_distance(self) -> FloatArray:
        """The distance averaged over seeds, ``(L, H)``."""
        out: FloatArray = self.distances.mean(axis=-1)
        return out

    @property
    def theta_ratio(self) -> FloatArray:
        """:math:`\\max_{t,\\text{seed}}\\|\\theta_t\\|_2/(R/\\lambda)`, ``(L, H)`` (Lemma 2: at most 1)."""
        out: FloatArray = self.theta_max * self.temperatures[:, None] / self.radius
        return out

    @property
    def fits(self) -> tuple[LogLogFit, ...]:
        """Per :math:`\\lambda`, the log-log fit of the mean distance against :math:`T`."""
        return tuple(log_log_fit(self.horizons, d) for d in self.mean_distance)

    @property
    def slopes(self) -> FloatArray:
        """The fitted slopes per :math:`\\lambda`, ``(L,)``."""
        return np.array([f.slope for f in self.fits])

    @property
    def local_slopes(self) -> FloatArray:
        """The slopes between consecutive horizons of the mean distance, ``(L, H - 1)``."""
        out: FloatArray = np.diff(np.log(self.mean_distance), axis=1) / np.diff(np.log(self.horizons))
        return out

    @property
    def table(self) -> str:
        """One line per :math:`\\lambda`: the mean distance per :math:`T`, the fitted slope and the local slopes."""
        lines = [self.name + ":"]
        for i, lam in enumerate(self.temperatures):
            cells = ", ".join(f"T={t}: {d:.4f}" for t, d in zip(self.horizons.tolist(), self.mean_distance[i].tolist(), strict=True))
            local = ", ".join(f"{x:.2f}" for x in self.local_slopes[i])
            lines.append(f"  lambda = {lam:g}: {cells}; fitted slope {self.slopes[i]:.3f} (local {local})")
        return "\n".join(lines)


def _final_losses(game: StationaryMFG, features: Features, run: NACRun, eta: float, radius: float) -> tuple[FloatArray, FloatArray]:
    """:math:`L_t(\\hat w_t)` and :math:`\\min_{\\|w\\|\\le R}L_t` at :math:`t=T-1` with the exact advantage, per seed."""
    assert run.parameters is not None  # a log-linear run stores its parameters
    lam = run.temperature
    theta, mu = run.parameters[:, -2], run.mean_fields[:, -2]
    w = (run.parameters[:, -1] - (1.0 - eta * lam) * theta) / eta
    it = iterate_at(game, features, theta, mu, lam)
    target = exact.advantage(it)
    best = exact.compatible_weights(it, features, target, radius)
    return exact.actor_loss(it, features, target, w), exact.actor_loss(it, features, target, best)


def rate_sweep(
    sett: TheoremSetting,
    features: Features,
    *,
    temperatures: Sequence[float],
    horizons: Sequence[int],
    critic: Critic,
    actor: Actor,
    c_eta: float,
    c_beta: float,
    radius: float,
    n_seeds: int,
    seed: int,
    warm_start_critic: bool,
    name: str,
    progress: bool = False,
) -> RateSweep:
    """Algorithm 1 (:func:`~mfcode.nac.algorithm.nac`) at every :math:`(\\lambda,T)` with :math:`\\eta=c_\\eta T^{-2/5}/\\lambda`, :math:`\\beta=c_\\beta T^{-4/5}`.

    Each run is a batch of ``n_seeds`` seeds from :math:`\\theta_0=0`, :math:`\\mu_0=\\rho`, scored against
    the exact NE of its :math:`\\lambda` (``sett.equilibria``) with
    :meth:`~mfcode.nac.protocol.NACRun.distance_to`.
    """
    if not isinstance(sett, TheoremSetting):
        raise TypeError(f"sett must be a TheoremSetting, got {type(sett).__name__}")
    hs = np.array([check_int(h, "horizons", low=1) for h in horizons], dtype=np.int64)
    if hs.size < 2 or not (np.diff(hs) > 0).all():
        raise ValueError(f"horizons must be an increasing sequence of at least two, got {list(horizons)}")
    lams = np.array([float(sett.temperatures[sett.index(t)]) for t in temperatures])
    n = check_int(n_seeds, "n_seeds", low=1)
    r = check_real(radius, "radius", low=0.0, low_open=True)
    shape = (lams.size, hs.size)
    dist, dist_mu = np.empty((*shape, n)), np.empty((*shape, n))
    theta_max, min_prob, w_norm = np.empty(shape), np.empty(shape), np.empty(shape)
    final_loss, final_approx = np.empty((lams.size, n)), np.empty((lams.size, n))
    longest: list[NACRun] = []
    bar = tqdm(total=int(hs.sum()) * lams.size, disable=not progress, desc=name)
    for i, lam in enumerate(lams):
        eq = sett.equilibria[sett.index(lam)]
        for j, horizon in enumerate(map(int, hs)):
            config = NACConfig(
                iterations=horizon, temperature=lam, eta=TheorySchedule.eta(c_eta, lam), beta=TheorySchedule.beta(c_beta),
                radius=r, warm_start_critic=warm_start_critic, score_every=horizon,
            )
            run = nac(sett.game, features, critic=critic, actor=actor, config=config, n_seeds=n, seed=seed)
            assert run.parameters is not None and run.theta_norm is not None  # log-linear actor
            eta = float(config.policy_steps()[0])
            dist[i, j] = run.distance_to(eq.policy, eq.mean_field, eq.visitation)
            dist_mu[i, j] = np.abs(run.average_mean_field - eq.mean_field).sum(axis=-1)
            theta_max[i, j] = float(run.theta_norm.max())
            min_prob[i, j] = float(run.min_probability.min())
            steps = (run.parameters[:, 1:] - (1.0 - eta * lam) * run.parameters[:, :-1]) / eta
            w_norm[i, j] = float(np.linalg.norm(steps, axis=-1).max())
            bar.update(horizon)
        final_loss[i], final_approx[i] = _final_losses(sett.game, features, run, eta, r)
        longest.append(run)
    bar.close()
    return RateSweep(name, lams, hs, r, dist, dist_mu, theta_max, min_prob, w_norm, final_loss, final_approx, tuple(longest))


@dataclass(frozen=True)
class Concentrability:
    """Assumption 2's ratios (001 §4) at sampled iterations of one run, and their maxima.

    Attributes
    ----------
    temperature
        :math:`\\lambda`.
    iterations
        The iterations :math:`t` at which they were computed, ``(P,)``.
    c1, c2, c3
        :math:`\\sup_sd_t^\\star(s)/d^\\star(s)`, :math:`(\\mathbb E_{d_t^\\star}[(d^\\star/d_t^\\star)^2])^{1/2}` and
        :math:`(\\mathbb E_{d^{\\pi_t}_{\\mu_t}}[(d_t^\\star/d^{\\pi_t}_{\\mu_t})^2])^{1/2}` per iteration, ``(P,)``,
        with :math:`d_t^\\star=d^{\\Gamma_1^\\lambda(\\mu_t)}_{\\mu_t}`.
    """

    temperature: float
    iterations: IntArray
    c1: FloatArray
    c2: FloatArray
    c3: FloatArray

    @property
    def maxima(self) -> tuple[float, float, float]:
        """:math:`(C_1,C_2,C_3)` over the sampled iterations."""
        return float(self.c1.max()), float(self.c2.max()), float(self.c3.max())


def concentrability(sett: TheoremSetting, features: Features, run: NACRun, *, points: int) -> Concentrability:
    """Assumption 2's :math:`C_1,C_2,C_3` of the first seed of ``run`` at ``points`` evenly spaced iterations (batched solves)."""
    if not isinstance(run, NACRun) or run.parameters is None:
        raise TypeError("run must be a NACRun of a log-linear actor (with parameters)")
    p = check_int(points, "points", low=1)
    eq = sett.equilibria[sett.index(run.temperature)]
    ts = np.unique(np.linspace(0, run.iterations - 1, p).round().astype(np.int64))
    lam = run.temperature
    it = iterate_at(sett.game, features, run.parameters[0, ts], run.mean_fields[0, ts], lam)
    d_pi = exact.visitation(it)
    best = exact.soft_best_response(it.reward, it.kernel, it.gamma, lam).policy
    d_t = exact.visitation(dataclasses.replace(it, policy=best))
    d_star = eq.visitation[None, :]
    c1 = (d_t / d_star).max(axis=-1)
    c2 = np.sqrt((d_t * (d_star / d_t) ** 2).sum(axis=-1))
    c3 = np.sqrt((d_pi * (d_t / d_pi) ** 2).sum(axis=-1))
    return Concentrability(lam, ts, c1, c2, c3)


@dataclass(frozen=True, eq=False)
class Theorem1:
    """Theorem 1's left side along four sweeps, and Assumption 2's ratios along the exact runs.

    Attributes
    ----------
    exact
        Exact oracles, one-hot features (:math:`\\varepsilon_{total}=0`), every :math:`\\lambda`, ``n = 1``.
    approx
        Exact oracles, low-dimensional features (:math:`\\varepsilon_{approx}>0` only), at ``noisy_temperature``.
    noisy
        TD(0) and SGD, one-hot features (:math:`\\varepsilon_{critic},\\varepsilon_{actor}>0`), batched seeds.
    noisy_low_dim
        TD(0) and SGD, low-dimensional features (all three errors).
    concentrability
        Per :math:`\\lambda`, :class:`Concentrability` along the longest exact run.
    c_eta, c_beta
        The constants of :math:`\\eta=c_\\eta T^{-2/5}/\\lambda` and :math:`\\beta=c_\\beta T^{-4/5}`.
    noisy_temperature
        :math:`\\lambda` of the last three sweeps.
    critic_rate, oracle_samples
        TD(0)'s constant rate and :math:`K` of both stochastic oracles.
    """

    exact: RateSweep
    approx: RateSweep
    noisy: RateSweep
    noisy_low_dim: RateSweep
    concentrability: tuple[Concentrability, ...]
    c_eta: float
    c_beta: float
    noisy_temperature: float
    critic_rate: float
    oracle_samples: int

    @property
    def max_slope(self) -> float:
        """The least steep fitted slope of the exact sweep over :math:`\\lambda` (Theorem 1: at most about :math:`-1/5`)."""
        return float(self.exact.slopes.max())

    @property
    def sweeps(self) -> tuple[RateSweep, ...]:
        """The four sweeps, exact one-hot first."""
        return (self.exact, self.approx, self.noisy, self.noisy_low_dim)

    @property
    def table(self) -> str:
        """The sweeps' tables, then Assumption 2's ratios per :math:`\\lambda`."""
        lines = [sweep.table for sweep in self.sweeps]
        lines += [f"Assumption 2 along the exact run, lambda = {c.temperature:g}: C1 = {c.maxima[0]:.4f}, C2 = {c.maxima[1]:.4f}, C3 = {c.maxima[2]:.4f}"
                  for c in self.concentrability]
        return "\n".join(lines)

    @property
    def floor_record(self) -> dict[str, float]:
        """Theorem 1's left side at the largest noisy horizon per sweep, and the last actor losses (claim ``nac-theorem-error-floor``)."""
        last = int(self.noisy.horizons[-1])
        col = int(np.searchsorted(self.exact.horizons, last))
        return {
            "horizon": float(last),
            "exact one-hot": float(self.exact_at_noisy_temperature[col]),
            "exact low-dim": float(self.approx.mean_distance[0, col]),
            "exact low-dim, largest T": float(self.approx.mean_distance[0, -1]),
            "TD+SGD one-hot": float(self.noisy.mean_distance[0, -1]),
            "TD+SGD low-dim": float(self.noisy_low_dim.mean_distance[0, -1]),
            "L(w) TD+SGD one-hot": float(self.noisy.final_loss.mean()),
            "L(w) TD+SGD low-dim": float(self.noisy_low_dim.final_loss.mean()),
            "eps_approx low-dim (last iterate of TD+SGD)": float(self.noisy_low_dim.final_approx.mean()),
            "eps_approx low-dim (last iterate of exact)": float(self.approx.final_approx.mean()),
        }

    @property
    def exact_at_noisy_temperature(self) -> FloatArray:
        """The exact one-hot mean distance at ``noisy_temperature`` on the exact horizons, ``(H,)``."""
        i = int(np.flatnonzero(np.isclose(self.exact.temperatures, self.noisy_temperature))[0])
        out: FloatArray = self.exact.mean_distance[i]
        return out


def theorem1(
    sett: TheoremSetting,
    budget: str,
    *,
    c_eta: float,
    c_beta: float,
    radius: float,
    noisy_temperature: float,
    critic_rate: float,
    td_radius: float,
    seed: int,
    progress: bool = False,
) -> Theorem1:
    """The four sweeps of :class:`Theorem1` at ``budget``'s sizes.

    The stochastic critic is Algorithm 2 (:class:`~mfcode.nac.td.ProjectedTD`, radius ``td_radius``)
    with the constant rate ``critic_rate``, warm-started from its previous :math:`\\bar\\psi` (App. D's
    online actor-critic); the actor is Algorithm 3 (:class:`~mfcode.nac.sgd.ProjectedSGD`) with App. C's
    step :math:`R/(Q_{\\max}\\sqrt K)`. The noisy horizons must be a subset of the exact ones.
    """
    size = sizes(budget)
    if not set(size.noisy_horizons) <= set(size.horizons):
        raise ValueError("the noisy horizons must be among the exact horizons")
    noisy_lam = [float(sett.temperatures[sett.index(noisy_temperature)])]

    def sweep(
        features: Features, lams: Sequence[float], horizons: Sequence[int], critic: Critic, actor: Actor, n: int, warm: bool, name: str
    ) -> RateSweep:
        return rate_sweep(
            sett, features, temperatures=lams, horizons=horizons, critic=critic, actor=actor, c_eta=c_eta, c_beta=c_beta,
            radius=radius, n_seeds=n, seed=seed, warm_start_critic=warm, name=name, progress=progress,
        )

    exact_sweep = sweep(sett.one_hot, sett.temperatures.tolist(), size.horizons, exact.ExactCritic(), exact.ExactActor(), 1, False, "exact oracles, one-hot")
    approx = sweep(sett.low_dim, noisy_lam, size.horizons, exact.ExactCritic(), exact.ExactActor(), 1, False, f"exact oracles, {sett.low_dim.name}")
    k = size.oracle_samples
    td = ProjectedTD(k, radius=check_real(td_radius, "td_radius", low=0.0, low_open=True), step_size=ConstantStepSize(critic_rate))
    sgd = ProjectedSGD(k)
    noisy = sweep(sett.one_hot, noisy_lam, size.noisy_horizons, td, sgd, size.noisy_seeds, True, "TD(0) + SGD, one-hot")
    noisy_low = sweep(sett.low_dim, noisy_lam, size.noisy_horizons, td, sgd, size.noisy_seeds, True, f"TD(0) + SGD, {sett.low_dim.name}")
    conc = tuple(concentrability(sett, sett.one_hot, run, points=size.concentrability_points) for run in exact_sweep.longest)
    return Theorem1(exact_sweep, approx, noisy, noisy_low, conc, float(c_eta), float(c_beta), noisy_lam[0], float(critic_rate), k)


def constants_record(sett: TheoremSetting, result: Theorem1) -> dict[str, dict[str, float]]:
    """Per :math:`\\lambda`: the constants of Assumptions 1–3 (claim ``nac-theorem-constants``)."""
    out: dict[str, dict[str, float]] = {}
    for c in sett.constants:
        conc = next(x for x in result.concentrability if np.isclose(x.temperature, c.temperature))
        c1, c2, c3 = conc.maxima
        out[f"lambda={c.temperature:g}"] = {
            "d0_estimated": c.d0, "d1_estimated": c.estimate.d1, "d1_closed": c.closed.d1, "d2_estimated": c.estimate.d2,
            "d2_closed": c.closed.d2, "d2_weighted": c.d2_weighted, "d3_estimated": c.estimate.d3, "d3_closed": c.closed.d3,
            "d_bar": c.dbar, "C1": c1, "C2": c2, "C3": c3,
        }
    return out


def concentrability_maxima(result: Theorem1) -> FloatArray:
    """:math:`(C_1,C_2,C_3)` per :math:`\\lambda` of :attr:`Theorem1.concentrability`, ``(L, 3)``."""
    return np.array([c.maxima for c in result.concentrability], dtype=np.float64).reshape(-1, 3)


# ----------------------------------------------------------------------------------------------
# The trade-off in lambda
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Tradeoff:
    """Eq. (1)'s bias against :math:`\\lambda`, and the horizon the exact runs need to reach a distance.

    Attributes
    ----------
    bias_temperatures
        :math:`\\lambda` of the bias sweep, ``(K,)``.
    gaps
        :math:`\\max_\\pi V^{\\pi}_{\\mu^\\star}(\\rho)-V^{\\pi^\\star}_{\\mu^\\star}(\\rho)` (unregularized) at each regularized NE, ``(K,)``.
    bounds
        :math:`\\lambda\\log|\\mathcal A|/(1-\\gamma)`, ``(K,)``.
    temperatures
        :math:`\\lambda` of the exact runs, ``(L,)``.
    target
        The distance :math:`\\delta`.
    horizons_needed
        The horizon at which Theorem 1's left side reaches :math:`\\delta` per :math:`\\lambda` (``nan`` if not
        bracketed by the grid), ``(L,)``.
    """

    bias_temperatures: FloatArray
    gaps: FloatArray
    bounds: FloatArray
    temperatures: FloatArray
    target: float
    horizons_needed: FloatArray

    @property
    def max_excess(self) -> float:
        """:math:`\\max_\\lambda(\\text{gap}-\\text{bound})` (eq. (1): at most 0)."""
        return float(np.max(self.gaps - self.bounds))

    @property
    def exponent(self) -> LogLogFit | None:
        """The log-log fit of the horizons needed against :math:`\\lambda` (``None`` with fewer than two finite ones)."""
        ok = np.isfinite(self.horizons_needed)
        if np.unique(self.temperatures[ok]).size < 2:
            return None
        return log_log_fit(self.temperatures[ok], self.horizons_needed[ok])

    @property
    def table(self) -> str:
        """The bias sweep and the horizons needed, one line each."""
        bias = ", ".join(f"lambda={lam:.3g}: {g:.4f} <= {b:.4f}" for lam, g, b in zip(self.bias_temperatures, self.gaps, self.bounds, strict=True))
        need = ", ".join(f"lambda={lam:g}: T = {h:.0f}" for lam, h in zip(self.temperatures, self.horizons_needed, strict=True))
        fit = self.exponent
        slope = "n/a" if fit is None else f"{fit.slope:.2f} +- {fit.stderr:.2f}"
        return f"unregularized gap of the regularized NE vs bound: {bias}\nhorizon to reach {self.target:g}: {need}; T ~ lambda^x with x = {slope}"

    @property
    def needed(self) -> dict[str, float]:
        """The horizons needed, keyed ``"lambda=<value>"`` (for an ordering claim)."""
        return {f"lambda={lam:g}": float(h) for lam, h in zip(self.temperatures, self.horizons_needed, strict=True)}


def tradeoff(sett: TheoremSetting, result: Theorem1, budget: str, *, target_distance: float, bias_range: tuple[float, float]) -> Tradeoff:
    """Eq. (1) of 001 on ``sett.game`` for :math:`\\lambda` in ``geomspace(*bias_range)``, and :func:`horizon_to_reach` on the exact sweep.

    Each regularized NE is solved exactly (:func:`~mfcode.mfg.solvers.solve_equilibrium`) and scored
    by :func:`~mfcode.mfg.exploitability.exploitability` at :math:`\\lambda=0` against its own :math:`\\mu^\\star`.
    """
    size = sizes(budget)
    low = check_real(bias_range[0], "bias_range[0]", low=0.0, low_open=True)
    high = check_real(bias_range[1], "bias_range[1]", low=low, low_open=True)
    goal = check_real(target_distance, "target_distance", low=0.0, low_open=True)
    lams = np.geomspace(low, high, size.bias_temperatures)
    gaps, bounds = np.empty(lams.size), np.empty(lams.size)
    for i, lam in enumerate(map(float, lams)):
        ne = solve_equilibrium(sett.game, lam, tol=1e-12)
        gaps[i] = exploitability(sett.game, ne.policy, 0.0, mean_field=ne.mean_field)
        bounds[i] = regularization_bias_bound(sett.game, lam)
    sweep = result.exact
    needed = np.array([horizon_to_reach(sweep.horizons, d, goal) for d in sweep.mean_distance])
    return Tradeoff(lams, gaps, bounds, sweep.temperatures, goal, needed)


# ----------------------------------------------------------------------------------------------
# Props. 1-2 at a fixed iterate
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OracleRates:
    """Props. 1–2 (001 App. C) at a fixed iterate: the oracles' errors against :math:`K`, per seed.

    Attributes
    ----------
    td_samples, td_errors
        :math:`K` ``(K1,)`` and eq. (2)'s :math:`\\mathbb E_{d^\\pi\\times\\pi}(\\hat q-q)^2` per seed ``(n, K1)``
        (Algorithm 2 with Prop. 1's step, :math:`\\omega` from the model, one-hot features: realizable).
    omega
        Prop. 1's :math:`\\omega` at the iterate.
    q_scale
        :math:`\\mathbb E_{d^\\pi\\times\\pi}q^2`, the error of :math:`\\hat q=0`.
    sgd_samples, sgd_excess
        :math:`K` ``(K2,)`` and :math:`L(\\hat w)-\\min_{\\|w\\|_2\\le R}L` per seed ``(n, K2)`` (Algorithm 3
        with App. C's step, low-dimensional features, exact :math:`\\hat A=A`).
    sgd_minimum
        :math:`\\min_{\\|w\\|_2\\le R}L` (positive: the low-dimensional class does not fit :math:`A`).
    """

    td_samples: IntArray
    td_errors: FloatArray
    omega: float
    q_scale: float
    sgd_samples: IntArray
    sgd_excess: FloatArray
    sgd_minimum: float

    @property
    def table(self) -> str:
        """The mean errors per :math:`K` and the fitted slopes."""
        td = ", ".join(f"K={k}: {e:.2e}" for k, e in zip(self.td_samples.tolist(), self.td_errors.mean(axis=0).tolist(), strict=True))
        sgd = ", ".join(f"K={k}: {e:.2e}" for k, e in zip(self.sgd_samples.tolist(), self.sgd_excess.mean(axis=0).tolist(), strict=True))
        return (
            f"Prop. 1 (TD(0), omega = {self.omega:.4f}, E q^2 = {self.q_scale:.3f}): {td}; slope {self.td_fit.slope:.3f} +- {self.td_fit.stderr:.3f}\n"
            f"Prop. 2 (SGD, min over the ball {self.sgd_minimum:.2e}): {sgd}; slope {self.sgd_fit.slope:.3f} +- {self.sgd_fit.stderr:.3f}"
        )

    @property
    def td_fit(self) -> LogLogFit:
        """Log-log fit of the mean TD error against :math:`K` (Prop. 1: slope at most about :math:`-1`)."""
        return log_log_fit(self.td_samples, self.td_errors.mean(axis=0))

    @property
    def sgd_fit(self) -> LogLogFit:
        """Log-log fit of the mean excess risk against :math:`K` (Prop. 2: slope at most about :math:`-1/2`)."""
        return log_log_fit(self.sgd_samples, self.sgd_excess.mean(axis=0))


def _fixed_iterate(sett: TheoremSetting, features: Features, temperature: float, scale: float, n: int, seed: int) -> Iterate:
    """:math:`\\theta\\sim\\mathcal N(0,\\text{scale}^2I)` (one draw, repeated for ``n`` seeds) at :math:`\\mu^\\star`."""
    eq = sett.equilibria[sett.index(temperature)]
    theta = np.random.default_rng(seed).normal(scale=scale, size=features.dim)
    return iterate_at(sett.game, features, np.tile(theta, (n, 1)), np.tile(eq.mean_field, (n, 1)), temperature)


def oracle_rates(
    sett: TheoremSetting, budget: str, *, temperature: float, radius: float, td_radius: float, theta_scale: float, seed: int
) -> OracleRates:
    """Props. 1–2 at the iterate :math:`(\\theta,\\mu^\\star)`, :math:`\\theta\\sim\\mathcal N(0,\\text{theta\\_scale}^2I)`, for ``oracle_seeds`` seeds at once."""
    size = sizes(budget)
    s = check_int(seed, "seed", low=0)
    lam = float(sett.temperatures[sett.index(temperature)])
    r = check_real(radius, "radius", low=0.0, low_open=True)
    scale = check_real(theta_scale, "theta_scale", low=0.0)
    n = size.oracle_seeds
    rng = np.random.default_rng(s)
    it = _fixed_iterate(sett, sett.one_hot, lam, scale, n, s)
    q = exact.shifted_q(it)
    td_k = np.array(size.td_samples, dtype=np.int64)
    td_err = np.stack(
        [exact.critic_error(it, ProjectedTD(int(k), radius=td_radius, step_size=Prop1StepSize()).estimate(it, sett.one_hot, rng).q_hat) for k in td_k],
        axis=1,
    )
    omega = float(steady_state_omega(it, sett.one_hot)[0])
    q_scale = float(exact.critic_error(it, np.zeros_like(q))[0])
    it2 = _fixed_iterate(sett, sett.low_dim, lam, scale, n, s)
    target = exact.advantage(it2)
    q2 = exact.shifted_q(it2)
    best = exact.compatible_weights(it2, sett.low_dim, target, r)
    minimum = exact.actor_loss(it2, sett.low_dim, target, best)
    sgd_k = np.array(size.sgd_samples, dtype=np.int64)
    excess = np.stack(
        [exact.actor_loss(it2, sett.low_dim, target, ProjectedSGD(int(k)).estimate(it2, sett.low_dim, q2, r, rng)) - minimum for k in sgd_k],
        axis=1,
    )
    return OracleRates(td_k, td_err, omega, q_scale, sgd_k, excess, float(minimum[0]))


# ----------------------------------------------------------------------------------------------
# Lemma 2 along the runs
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lemma2Along:
    """Lemma 2 (001 App. A) over every iteration and seed of the runs with the stochastic oracles.

    Attributes
    ----------
    temperature, radius, n_actions
        :math:`\\lambda`, :math:`R`, :math:`|\\mathcal A|`.
    theta_max
        :math:`\\max\\|\\theta_t\\|_2` over iterations, seeds, horizons and both feature maps.
    min_probability
        :math:`\\min\\pi_t(a|s)` over the same.
    """

    temperature: float
    radius: float
    n_actions: int
    theta_max: float
    min_probability: float

    @property
    def theta_bound(self) -> float:
        """:math:`R/\\lambda`."""
        return self.radius / self.temperature

    @property
    def log_probability_bound(self) -> float:
        """:math:`\\log(e^{-2R/\\lambda}/|\\mathcal A|)=-2R/\\lambda-\\log|\\mathcal A|` (the bound itself may underflow)."""
        return -2.0 * self.radius / self.temperature - math.log(self.n_actions)

    @property
    def probability_bound(self) -> float:
        """:math:`e^{-2R/\\lambda}/|\\mathcal A|`."""
        return math.exp(self.log_probability_bound)

    @property
    def theta_ratio(self) -> float:
        """:math:`\\max\\|\\theta_t\\|_2/(R/\\lambda)` (at most 1)."""
        return self.theta_max / self.theta_bound


def lemma2(result: Theorem1, n_actions: int) -> Lemma2Along:
    """:class:`Lemma2Along` over :attr:`Theorem1.noisy` and :attr:`Theorem1.noisy_low_dim`."""
    if not isinstance(result, Theorem1):
        raise TypeError(f"result must be a Theorem1, got {type(result).__name__}")
    a = check_int(n_actions, "n_actions", low=1)
    sweeps = (result.noisy, result.noisy_low_dim)
    lam, r = result.noisy_temperature, result.noisy.radius
    theta_max = max(float(s.theta_max.max()) for s in sweeps)
    return Lemma2Along(lam, r, a, theta_max, min(float(s.min_probability.min()) for s in sweeps))


# ----------------------------------------------------------------------------------------------
# The stored benchmark
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkRow:
    """One row of ``benchmarks/bench_nac.py``'s results: a variant on a game with a batch of seeds.

    ``iteration_s`` is the time of one iteration on the row's ``clock``: process CPU time on the CPU,
    wall time on a GPU (the script's choice).
    """

    game: str
    variant: str
    device: str
    clock: str
    seeds: int
    samples: int
    iteration_s: float
    iterations_per_s: float
    seed_iterations_per_s: float


@dataclass(frozen=True)
class NACBenchmark:
    """The stored results of ``benchmarks/bench_nac.py`` (the time of one NAC iteration per variant).

    Attributes
    ----------
    rows
        One :class:`BenchmarkRow` per game, variant, device and batch size.
    date, command
        When and how the results were made.
    """

    rows: tuple[BenchmarkRow, ...]
    date: str
    command: str

    @property
    def table(self) -> Table:
        """The rows as a captioned table (renders as Markdown in the notebook)."""
        return Table(
            caption=f"benchmarks/bench_nac.py, {self.date} ({self.command})",
            columns=("game", "variant", "device", "clock", "seeds", "samples / seed / iteration", "ms / iteration", "iterations / s",
                     "seed-iterations / s"),
            rows=tuple(
                (r.game, r.variant, r.device, r.clock, str(r.seeds), str(r.samples), f"{1e3 * r.iteration_s:.2f}",
                 f"{r.iterations_per_s:.1f}", f"{r.seed_iterations_per_s:.1f}")
                for r in self.rows
            ),
        )


def nac_benchmark(path: Path | str) -> NACBenchmark:
    """The results ``benchmarks/bench_nac.py`` wrote to ``path`` (the notebook passes the file's path).

    Raises
    ------
    ValueError
        If the file is not such a result (names ``path``).
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a Path, got {type(path).__name__}")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = tuple(
            BenchmarkRow(
                str(r["game"]), str(r["variant"]), str(r["device"]), str(r["clock"]), int(r["n_seeds"]), int(r["samples_per_seed_iteration"]),
                float(r["iteration_cpu_s"] if r["clock"] == "cpu" else r["iteration_s"]), float(r["iterations_per_s"]),
                float(r["seed_iterations_per_s"]),
            )
            for r in data["rows"]
        )
        return NACBenchmark(rows, str(data["date_utc"]), str(data["command"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"path: {path} is not a benchmarks/bench_nac.py result ({exc})") from None
