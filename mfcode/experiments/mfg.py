"""The experiments of ``book/mfg/mfg_exact.ipynb``: exact equilibria, contraction and solvers vs mfglib.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``. Each function takes the notebook's
parameters and returns a frozen dataclass the notebook prints, plots and hands to
:func:`mfcode.claims.check`:

- :func:`sis_fixed_points` -- the fixed points of :math:`\\Lambda^\\lambda` on the stationary SIS game
  (App. D; Definition 1 of §2) and its slope at :math:`\\mu(I)=0` (Lemma 6);
- :func:`closed_form_constants` -- upper bounds on Assumption 3's :math:`d_1,d_2,d_3` (§4) in closed
  form, for games with a fixed kernel and a reward affine in :math:`\\mu`;
- :func:`lemma6_estimates` / :func:`lipschitz_sweep` -- :math:`d_1,d_2,d_3` and
  :math:`\\mathrm{Lip}(\\Lambda^\\lambda)`, each estimated on its own random pairs, against those
  bounds and Lemma 6's :math:`d_1d_2+d_3` (App. A) on garnet games of growing reward coupling;
- :func:`exact_iteration` -- the exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` on every
  garnet where that bound is below 1, against it (§2, "linear rate"), and on a strongly coupled one;
- :func:`bias_sweep` -- the unregularized gap of the regularized NE against eq. (1);
- :func:`solver_comparison` -- the four solvers of :mod:`mfcode.mfg.solvers` beside mfglib's on
  mfglib's ``random_linear`` game (App. D, exploitability), per iteration and per second;
- :func:`speed_tables` -- the stored benchmark of ``benchmarks/bench_mfg.py`` as tables.

:func:`sizes` maps the notebook's ``budget`` to the sizes of all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import brentq

from mfcode.arrays import FloatArray
from mfcode.experiments.budget import check_budget
from mfcode.fixed_point import FixedPointTrace, compute_fixed_point, l1_distance
from mfcode.mfg import games, mfglib_compat, operators, solvers, speed
from mfcode.mfg.exploitability import exploitability, regularization_bias_bound
from mfcode.mfg.stationary import StationaryMFG
from mfcode.simplex import policy_distance
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "GARNET_ACTIONS",
    "GARNET_MIXING",
    "GARNET_STATES",
    "RATE_FLOOR",
    "BenchmarkTables",
    "BiasSweep",
    "ClosedFormConstants",
    "ExactIteration",
    "Lemma6Estimates",
    "LipschitzSweep",
    "SISFixedPoints",
    "Sizes",
    "SolverComparison",
    "SolverPair",
    "bias_sweep",
    "closed_form_constants",
    "exact_iteration",
    "garnet",
    "lemma6_estimates",
    "lipschitz_sweep",
    "residual_rate",
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
    return _SIZES[check_budget(budget)]


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

#: Residuals below this are rounding: their ratios say nothing about the rate (claim ``mfg-banach-linear-rate``).
RATE_FLOOR = 1e-10


@dataclass(frozen=True)
class ClosedFormConstants:
    """Upper bounds on Assumption 3's constants (001 §4), in closed form, and Lemma 6's :math:`d_1d_2+d_3`.

    For a stationary game whose kernel :math:`P(s'|s,a)` does not depend on :math:`\\mu` and whose
    reward is :math:`r(s,a,\\mu)=r_0(s,a)+(M\\mu)(s)` (affine in :math:`\\mu`, the same shift for every
    action), with :math:`D(\\pi,\\pi')=\\max_s\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1`:

    - ``d3`` :math:`=\\tfrac12\\max_{(s,a),(s',a')}\\|P(s,a)-P(s',a')\\|_1` bounds the Dobrushin
      coefficient of every :math:`P^\\pi` (its rows are mixtures of the rows of :math:`P`), and
      :math:`\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi,\\mu')=(\\mu-\\mu')P^\\pi`;
    - ``d2`` :math:`=\\max_s\\tfrac12\\max_{a,a'}\\|P(s,a)-P(s,a')\\|_1`: a signed measure of mass 0 on
      the actions moves :math:`\\sum_a\\delta(a)P(s,a)` by at most half its mass times that diameter;
    - ``d1`` :math:`=\\gamma\\,d_2\\,\\omega/(2\\lambda(1-\\gamma d_3))` with
      :math:`\\omega=\\max_{s,s'}\\tfrac12\\operatorname{osc}_j(M_{sj}-M_{s'j})`: the soft-optimal
      :math:`Q` moves by :math:`\\Delta Q(s,a)=(M\\delta)(s)+\\gamma P(s,a)\\Delta V`, the shift
      :math:`(M\\delta)(s)` does not move the Boltzmann policy, :math:`\\operatorname{osc}\\Delta V\\le
      \\omega\\|\\delta\\|_1/(1-\\gamma d_3)`, and :math:`\\|\\mathrm{softmax}(x/\\lambda)-\\mathrm{softmax}(y/\\lambda)\\|_1
      \\le\\operatorname{osc}(x-y)/(2\\lambda)`.

    The derivation is written out in ``book/mfg/mfg_exact.ipynb``.
    """

    d1: float
    d2: float
    d3: float

    @property
    def bound(self) -> float:
        """Lemma 6's :math:`d_1d_2+d_3` with these constants (001 App. A)."""
        return self.d1 * self.d2 + self.d3


def closed_form_constants(game: StationaryMFG, temperature: float, *, atol: float = 1e-12) -> ClosedFormConstants:
    """The constants of :class:`ClosedFormConstants` for ``game`` at temperature :math:`\\lambda>0`.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`~mfcode.mfg.stationary.StationaryMFG`.
    ValueError
        If ``temperature`` is not positive, or the game's kernel depends on :math:`\\mu`, or its
        reward is not affine in :math:`\\mu` with the same shift for every action (checked at the
        vertices of the simplex and two interior points, to ``atol``).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    n, gamma = game.n_states, float(game.gamma)
    vertices = np.eye(n)
    kernel = game.transition(vertices[0])
    rewards = np.stack([game.reward(v) for v in vertices])  # (j, s, a): r(s, a, e_j)
    probes = (np.full(n, 1.0 / n), np.arange(1.0, n + 1.0) / (n * (n + 1) / 2))
    for mu in (*vertices, *probes):
        if np.max(np.abs(game.transition(mu) - kernel)) > atol:
            raise ValueError(f"game: the kernel of {game.name} depends on mu; the closed form needs a fixed kernel")
    for mu in probes:
        if np.max(np.abs(game.reward(mu) - np.tensordot(mu, rewards, axes=1))) > atol:
            raise ValueError(f"game: the reward of {game.name} is not affine in mu")
    shift = rewards - rewards[:, :, :1]  # r(s,a,e_j) - r(s,0,e_j): must not depend on j
    if np.max(np.abs(shift - shift[:1])) > atol:
        raise ValueError(f"game: the mu-dependent part of the reward of {game.name} differs between actions")
    rows = kernel.reshape(n * game.n_actions, n)
    d3 = 0.5 * float(np.max(np.abs(rows[:, None, :] - rows[None, :, :]).sum(axis=-1)))
    d2 = 0.5 * float(max(np.max(np.abs(kernel[s][:, None, :] - kernel[s][None, :, :]).sum(axis=-1)) for s in range(n)))
    m = rewards[:, :, 0].T  # M_{sj} up to a constant per row s (r_0(s, 0))
    diff = m[:, None, :] - m[None, :, :]
    omega = 0.5 * float(np.max(diff.max(axis=-1) - diff.min(axis=-1)))
    d1 = gamma * d2 * omega / (2.0 * lam * (1.0 - gamma * d3))
    return ClosedFormConstants(d1, d2, d3)


PolicyMap = Callable[[FloatArray], FloatArray]
PushForward = Callable[[FloatArray, FloatArray], FloatArray]


@dataclass(frozen=True)
class Lemma6Estimates:
    """Assumption 3's constants and :math:`\\mathrm{Lip}(\\Lambda^\\lambda)`, each estimated on its own random pairs.

    Every estimate is a largest difference quotient, so a lower bound on the true constant;
    ``exact`` holds the closed-form upper bounds (:class:`ClosedFormConstants`). On a correct
    implementation each ``ratio`` is at most 1 (claim ``mfg-lemma6-contraction``).
    """

    d1: float
    d2: float
    d3: float
    contraction: float
    exact: ClosedFormConstants

    @property
    def estimated_bound(self) -> float:
        """:math:`d_1d_2+d_3` of the estimates (a product of lower bounds: theory does not order it with ``contraction``)."""
        return self.d1 * self.d2 + self.d3

    @property
    def ratios(self) -> dict[str, float]:
        """Each estimate over its closed-form upper bound (``"Lip"``: the contraction over Lemma 6's bound)."""
        return {
            "d1": _ratio(self.d1, self.exact.d1),
            "d2": _ratio(self.d2, self.exact.d2),
            "d3": _ratio(self.d3, self.exact.d3),
            "Lip": _ratio(self.contraction, self.exact.bound),
        }


def _ratio(estimate: float, bound: float) -> float:
    if bound > 0.0:
        return estimate / bound
    return 0.0 if estimate == 0.0 else math.inf


def _mean_field_pair(rng: np.random.Generator, n: int, k: int, local_scale: float) -> tuple[FloatArray, FloatArray]:
    """Pair ``k``: two vertices (k % 3 == 0), a nearby pair (1) or two independent draws (2)."""
    if k % 3 == 0:
        i, j = rng.choice(n, size=2, replace=False)
        return np.eye(n)[i], np.eye(n)[j]
    mu = rng.dirichlet(np.ones(n))
    if k % 3 == 1:
        return mu, (1.0 - local_scale) * mu + local_scale * rng.dirichlet(np.ones(n))
    return mu, rng.dirichlet(np.ones(n))


def _policy(rng: np.random.Generator, n_states: int, n_actions: int, k: int) -> FloatArray:
    """A deterministic random policy (even ``k``) or rows drawn uniformly from the simplex (odd ``k``)."""
    if k % 2 == 0:
        return np.eye(n_actions)[rng.integers(n_actions, size=n_states)]
    return rng.dirichlet(np.ones(n_actions), size=n_states)


def lemma6_estimates(
    game: StationaryMFG,
    temperature: float,
    *,
    n_pairs: int,
    seed: int | np.random.Generator,
    local_scale: float = 1e-3,
    best_response: PolicyMap | None = None,
    push_forward: PushForward | None = None,
) -> Lemma6Estimates:
    """Estimate :math:`d_1,d_2,d_3` (Assumption 3) and :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` (Lemma 6) separately.

    Assumption 3 quantifies over all pairs, so each constant is maximised on pairs of its own:
    :math:`d_1` and :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` on pairs :math:`(\\mu,\\mu')` (two vertices of the
    simplex, nearby, or independent; ``n_pairs`` of them), :math:`d_3` on fresh pairs
    :math:`(\\mu,\\mu')` with a random policy, :math:`d_2` on pairs of random policies (deterministic,
    nearby or independent) at a random :math:`\\mu`. The sup-over-states distance
    :func:`~mfcode.simplex.policy_distance` is :math:`D`.

    Parameters
    ----------
    game, temperature
        A game accepted by :func:`closed_form_constants`, and :math:`\\lambda>0`.
    n_pairs
        Pairs per constant (``>= 1``).
    seed
        ``int`` or ``np.random.Generator`` for the pairs.
    local_scale
        :math:`\\ell_1` size of the nearby perturbations, in ``(0, 1)``.
    best_response, push_forward
        :math:`\\Gamma_1^\\lambda` (``mu -> policy``) and :math:`\\Gamma_2` (``(policy, mu) -> mu'``);
        default :func:`mfcode.mfg.operators.best_response` and ``game.push_forward``. The tests pass
        wrong ones to show that the check can fail.
    """
    exact = closed_form_constants(game, temperature)
    pairs = check_int(n_pairs, "n_pairs", low=1)
    scale = check_real(local_scale, "local_scale", low=0.0, high=1.0, low_open=True, high_open=True)
    if game.n_states < 2:
        raise ValueError(f"game: needs at least two states, got {game.n_states}")
    rng = np.random.default_rng(seed)
    lam = float(temperature)

    def default_br(mu: FloatArray) -> FloatArray:
        return operators.best_response(game, mu, lam).policy

    br: PolicyMap = default_br if best_response is None else best_response
    push: PushForward = game.push_forward if push_forward is None else push_forward
    n, a = game.n_states, game.n_actions
    d1 = d2 = d3 = lip = 0.0
    for k in range(pairs):
        mu, mu2 = _mean_field_pair(rng, n, k, scale)
        dmu = float(np.abs(mu - mu2).sum())
        pi, pi2 = br(mu), br(mu2)
        d1 = max(d1, policy_distance(pi, pi2) / dmu)
        lip = max(lip, float(np.abs(push(pi, mu) - push(pi2, mu2)).sum()) / dmu)
        nu, nu2 = _mean_field_pair(rng, n, k, scale)
        sigma = _policy(rng, n, a, k)
        d3 = max(d3, float(np.abs(push(sigma, nu) - push(sigma, nu2)).sum()) / float(np.abs(nu - nu2).sum()))
        nu = np.eye(n)[rng.integers(n)] if k % 3 == 0 else rng.dirichlet(np.ones(n))
        sigma, sigma2 = _policy(rng, n, a, k), _policy(rng, n, a, k)
        if k % 3 == 1:
            sigma2 = (1.0 - scale) * sigma + scale * sigma2
        dpi = policy_distance(sigma, sigma2)
        if dpi > 0.0:
            d2 = max(d2, float(np.abs(push(sigma, nu) - push(sigma2, nu)).sum()) / dpi)
    return Lemma6Estimates(float(d1), float(d2), float(d3), float(lip), exact)


@dataclass(frozen=True, eq=False)
class LipschitzSweep:
    """:func:`lemma6_estimates` on garnets of growing reward coupling (001 App. A, Lemma 6).

    Attributes
    ----------
    couplings
        The reward couplings :math:`c`, ``(K,)``.
    estimates
        :func:`lemma6_estimates` of each game.
    """

    couplings: FloatArray
    estimates: tuple[Lemma6Estimates, ...]

    @property
    def contraction(self) -> FloatArray:
        """Estimated :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` per game (a lower bound)."""
        return np.array([e.contraction for e in self.estimates])

    @property
    def bound(self) -> FloatArray:
        """Lemma 6's :math:`d_1d_2+d_3` from the closed-form constants, per game (an upper bound)."""
        return np.array([e.exact.bound for e in self.estimates])

    @property
    def estimated_bound(self) -> FloatArray:
        """:math:`d_1d_2+d_3` of the estimated constants, per game."""
        return np.array([e.estimated_bound for e in self.estimates])

    @property
    def lip_ratio(self) -> float:
        """Largest estimated :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` over the closed-form :math:`d_1d_2+d_3` (claim ``mfg-lemma6-contraction``: at most 1)."""
        return max(e.ratios["Lip"] for e in self.estimates)

    @property
    def constants_ratio(self) -> float:
        """Largest estimated :math:`d_i` over its closed form, over games and :math:`i` (claim ``mfg-assumption3-constants``: at most 1)."""
        return max(max(e.ratios[k] for k in ("d1", "d2", "d3")) for e in self.estimates)

    def constant_ratios(self, name: str) -> FloatArray:
        """Per game, the ratio ``name`` (``"d1"``, ``"d2"``, ``"d3"`` or ``"Lip"``) of :attr:`Lemma6Estimates.ratios`."""
        if name not in ("d1", "d2", "d3", "Lip"):
            raise ValueError(f"name must be one of 'd1', 'd2', 'd3', 'Lip', got {name!r}")
        return np.array([e.ratios[name] for e in self.estimates])

    @property
    def contracting(self) -> FloatArray:
        """The couplings whose closed-form bound is below 1 (Lemma 6 then proves a contraction)."""
        return self.couplings[self.bound < 1.0]


def lipschitz_sweep(*, gamma: float, temperature: float, n_couplings: int, n_pairs: int, seed: int) -> LipschitzSweep:
    """Lemma 6 (001 App. A) on garnets with couplings ``geomspace(0.05, 20, n_couplings)``.

    The garnets are drawn with ``seed``; the pairs of all games come, in turn, from one generator
    seeded with ``seed``.
    """
    check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    k = check_int(n_couplings, "n_couplings", low=1)
    pairs = check_int(n_pairs, "n_pairs", low=1)
    check_int(seed, "seed")
    rng = np.random.default_rng(seed)
    couplings = np.geomspace(0.05, 20.0, k)
    estimates = tuple(
        lemma6_estimates(garnet(float(c), gamma=gamma, seed=seed), lam, n_pairs=pairs, seed=rng) for c in couplings
    )
    return LipschitzSweep(couplings, estimates)


@dataclass(frozen=True, eq=False)
class ExactIteration:
    """The exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` on garnets (001 §2, "linear rate").

    Attributes
    ----------
    couplings
        The couplings whose closed-form Lemma 6 bound is below 1, ``(K,)``.
    bounds
        Those bounds, ``(K,)``.
    rates
        Per game, the largest ratio of successive residuals
        :math:`\\|\\Lambda^\\lambda(\\mu_{k+1})-\\mu_{k+1}\\|_1/\\|\\Lambda^\\lambda(\\mu_k)-\\mu_k\\|_1` among those
        whose denominator exceeds :data:`RATE_FLOOR`, ``(K,)``. The numerator is
        :math:`\\|\\Lambda^\\lambda(\\mu_{k+1})-\\Lambda^\\lambda(\\mu_k)\\|_1`, so each ratio is at most
        :math:`\\mathrm{Lip}(\\Lambda^\\lambda)`, hence at most the bound.
    contractive_residuals
        The residuals of the first (most weakly coupled) game, run by
        :func:`~mfcode.mfg.solvers.solve_equilibrium` (plain iteration, ``tol=1e-13``).
    strong_coupling, strong
        The coupling of the strongly coupled game and the trace of ``n_iter`` steps there.
    """

    couplings: FloatArray
    bounds: FloatArray
    rates: FloatArray
    contractive_residuals: FloatArray
    strong_coupling: float
    strong: FixedPointTrace[FloatArray]

    @property
    def max_ratio(self) -> float:
        """:math:`\\max_c` rate over bound (claim ``mfg-banach-linear-rate``: at most 1)."""
        return float(np.max(self.rates / self.bounds))

    @property
    def strong_rate(self) -> float:
        """Largest ratio of successive residuals on the strongly coupled game, over its last 10 steps above :data:`RATE_FLOOR`."""
        r = self.strong.residuals
        keep = r[:-1] > RATE_FLOOR
        ratios = (r[1:] / r[:-1])[keep]
        return float(np.max(ratios[-10:])) if ratios.size else math.nan


def residual_rate(residuals: FloatArray) -> float:
    """Largest ratio of successive residuals whose denominator exceeds :data:`RATE_FLOOR`."""
    r = np.asarray(residuals, dtype=np.float64)
    keep = r[:-1] > RATE_FLOOR
    if not np.any(keep):
        raise ValueError("residuals: no residual above RATE_FLOOR to take a ratio from")
    return float(np.max((r[1:] / r[:-1])[keep]))


def exact_iteration(
    sweep: LipschitzSweep, *, gamma: float, temperature: float, seed: int, n_iter: int = 60
) -> ExactIteration:
    """The exact iteration on every garnet of ``sweep`` whose closed-form bound is below 1, and on its last one.

    On each contracting game it runs :func:`~mfcode.mfg.solvers.solve_equilibrium` (the plain
    iteration, to a residual of ``1e-13``) and measures the linear rate (claim
    ``mfg-banach-linear-rate``: at most Lemma 6's bound, by 001 §2's Banach argument); on the most
    strongly coupled game of the sweep it runs ``n_iter`` steps of
    :func:`~mfcode.fixed_point.compute_fixed_point` in the :math:`\\ell_1` distance, whatever they do.

    Raises
    ------
    ValueError
        If no game of ``sweep`` has a bound below 1.
    """
    if not isinstance(sweep, LipschitzSweep):
        raise TypeError(f"sweep must be a LipschitzSweep, got {type(sweep).__name__}")
    check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    lam = check_temperature(temperature)
    check_int(seed, "seed")
    steps = check_int(n_iter, "n_iter", low=1)
    mask = sweep.bound < 1.0
    if not np.any(mask):
        raise ValueError("sweep: no garnet has a closed-form bound d1*d2+d3 below 1")
    runs = [solvers.solve_equilibrium(garnet(float(c), gamma=gamma, seed=seed), lam, tol=1e-13) for c in sweep.couplings[mask]]
    rates = np.array([residual_rate(eq.residuals) for eq in runs])
    strong_c = float(sweep.couplings[-1])
    strong = garnet(strong_c, gamma=gamma, seed=seed)

    def lam_map(mu: FloatArray) -> FloatArray:
        return operators.mean_field_map(strong, mu, lam)

    trace = compute_fixed_point(
        lam_map, strong.initial, tol=0.0, max_iter=steps, distance=l1_distance,
        what=f"the exact iteration on garnet(c={strong_c:g})", raise_on_failure=False,
    )
    return ExactIteration(sweep.couplings[mask], sweep.bound[mask], rates, runs[0].residuals, strong_c, trace)


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
    """The five tables of the stored ``benchmarks/bench_mfg.py`` results (:func:`mfcode.mfg.speed.benchmark_tables`)."""

    equilibrium: speed.BenchmarkTable
    steps: speed.BenchmarkTable
    floor: speed.BenchmarkTable
    breakdown: speed.BenchmarkTable
    histories: speed.BenchmarkTable


def speed_tables(path: Path | str) -> BenchmarkTables:
    """The exact-NE, solver-step, floor, step-breakdown and history tables of the results ``benchmarks/bench_mfg.py`` wrote to ``path``."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a Path, got {type(path).__name__}")
    results = speed.load_benchmark(path)
    return BenchmarkTables(*speed.benchmark_tables(results))
