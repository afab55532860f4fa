"""The functions the slides chapter's notebooks call (``book/slides/*.ipynb``), with typed results.

Slides seed ``004_ae508d4ce3677c60.txt`` ("MARL from a mean-field perspective"), which gives no
numbers; each function turns one of its statements into a computation:

- :func:`lecture_start` -- "When does the lecture start?": the equilibrium start by Banach iteration,
  the contraction factor :math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` at :math:`T^\\star` and its supremum,
  Proposition 1's first-order condition against a numerical derivative of :math:`\\mathbb E[c]`, the factor
  over :math:`(\\alpha,\\beta,\\gamma,m_0)`, the printed "whichever is earlier" rule and a case
  :math:`\\alpha<\\gamma` that Proposition 2 covers and that has no fixed point
  (:mod:`mfcode.slides.lecture`);
- :func:`learning` -- naive Q-learning (Algorithm 1) vs GMF-Q (Algorithm 2) over 30 sample paths on
  SIS and on the ad auction, against the MFG core's exact regularized NE, the argmax-e vs softmax
  demo (:mod:`mfcode.slides.qlearning`, :mod:`mfcode.slides.smoothing`), and the constants of the
  backup slide's "small parameter" condition :math:`d_1d_2+d_3<1` (Assumptions 1-2; Theorem 1 of Guo,
  Hu, Xu & Zhang 2019) for both best responses: :func:`mfcode.mfg.lipschitz.estimate_lipschitz` for
  softmax, :func:`switch_quotients` for argmax-e, whose :math:`d_1` is unbounded;
- :func:`n_player` -- the N-player value gap and exploitability of mean-field policies of four model
  families: stationary and episodic SIS, the MFC scheduling model of 002, dense load balancing of 003
  (:mod:`mfcode.nplayer`);
- :func:`anarchy` -- the price of anarchy against the infection rate (:mod:`mfcode.slides.anarchy`);
- :func:`nplayer_benchmark` -- the rows of ``benchmarks/bench_nplayer.py``'s results.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.claims.render import Table
from mfcode.experiments.budget import check_budget
from mfcode.mfc import MFCMDP, SchedulingModel, jsq_policy, solve_mfc_mdp_on_grid
from mfcode.mfg import games
from mfcode.mfg.lipschitz import LipschitzEstimate, estimate_lipschitz, pair_quotients
from mfcode.mfg.operators import best_response
from mfcode.mfg.solvers import FixedPoint, solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nplayer.adapters import DenseLoadBalancing, EpisodicGame, MeanFieldControl, StationaryGame
from mfcode.nplayer.evaluate import NPlayerCurve, evaluate, fitted_slope
from mfcode.nplayer.protocol import NPlayerModel
from mfcode.queueing.system import QueueSystem
from mfcode.slides import lecture as lec
from mfcode.slides.anarchy import price_of_anarchy
from mfcode.slides.auction import ad_auction
from mfcode.slides.qlearning import LearningConfig, LearningRun, learn, three_step
from mfcode.slides.smoothing import ArgmaxE, MellowMax, Softmax, argmax_jump_ratio, smoothing_ratio
from mfcode.validation import check_int, check_real

__all__ = [
    "CONTRACTION_CS",
    "JSQ_SLOPE_FROM",
    "NPLAYER_SIZES",
    "QUEUE_SYSTEM",
    "RATE_WINDOW",
    "SIZES",
    "THREE_STEP_ITERATIONS",
    "AnarchyCurve",
    "ContractionConstants",
    "GameLearning",
    "Learning",
    "LectureStart",
    "MonteCarloCheck",
    "NPlayer",
    "NPlayerSizes",
    "Sizes",
    "StepTiming",
    "SwitchQuotients",
    "anarchy",
    "learning",
    "lecture_start",
    "n_player",
    "nplayer_benchmark",
    "sizes",
    "switch_quotients",
]


@dataclass(frozen=True)
class Sizes:
    """How much each experiment computes at one budget.

    Attributes
    ----------
    factor_grid
        Points per axis of the contraction-factor maps.
    naive_iterations, gmfq_iterations, inner_steps
        Outer iterations of Algorithm 1 and 2, and Q-learning steps per outer iteration.
    anarchy_points, anarchy_grid
        Infection rates of the price-of-anarchy curve and the :math:`\\mu` grid of the planner's DP.
    lipschitz_pairs, switch_levels
        Random pairs of :func:`~mfcode.mfg.lipschitz.estimate_lipschitz` per game and :math:`c`, and
        bisection levels of :func:`switch_quotients`.
    """

    factor_grid: int
    naive_iterations: int
    gmfq_iterations: int
    inner_steps: int
    anarchy_points: int
    anarchy_grid: int
    lipschitz_pairs: int
    switch_levels: int


#: The sizes per budget: ``"ci"`` for the tests, ``"full"`` for the book.
SIZES: Mapping[str, Sizes] = MappingProxyType(
    {
        "ci": Sizes(12, 40, 60, 100, 4, 60, 50, 30),
        "full": Sizes(40, 100, 150, 300, 9, 150, 1000, 40),
    }
)

P = TypeVar("P")

#: The slides' number of sample paths (Fig. "Fluctuations of Naive Algorithm (30 sample paths)").
N_PATHS = 30


def sizes(budget: str) -> Sizes:
    """:data:`SIZES` ``[budget]``; ``TypeError``/``ValueError`` naming ``budget`` otherwise."""
    return SIZES[check_budget(budget)]


# ----------------------------------------------------------------------------------------------
# The lecture-start game
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LectureStart:
    """Output of :func:`lecture_start`.

    Attributes
    ----------
    game
        The game solved.
    equilibrium
        Its :class:`~mfcode.slides.lecture.LectureEquilibrium`.
    foc_error
        Largest :math:`|\\text{Prop. 1 left side}-\\gamma-\\partial_\\tau\\mathbb E[c]|` (central differences) on a grid of :math:`(\\tau,\\sigma,T)`.
    grid, derivative
        Start times :math:`T\\in[t,t+6\\max\\sigma]` and :math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` there.
    start_map, earlier_map
        :math:`T^{\\ast\\ast}(T)` on ``grid`` with the rule "later" and with the printed "earlier".
    earlier_excess
        :math:`\\max_T(\\min(t,F^{-1}(q;T))-t)` on the grid: the printed rule never starts after :math:`t`.
    alpha_ratio, factor_by_alpha
        :math:`\\alpha/\\gamma` values and the contraction factor at :math:`T^\\star` for :math:`\\beta\\in\\{0.5,1,2\\}`, ``(3, n)``.
    sigma_spread, factor_by_sigma
        Spreads :math:`w` of :math:`m_0` uniform on :math:`\\bar\\sigma\\{1-w,1,1+w\\}` and the factor at :math:`T^\\star`
        (a common scaling of :math:`m_0` leaves the factor unchanged when :math:`t=0`: the game is scale-invariant).
    counterexample
        The game with :math:`\\alpha=0.5<\\gamma` (other parameters unchanged).
    counterexample_grid, counterexample_gap
        Start times up to :math:`10^3` and :math:`T^{\\ast\\ast}(T)-T` there (positive: no fixed point).

    The maps leave NaN where :math:`T^{\\ast\\ast}` has no fixed point.
    counterexample_derivative
        :math:`\\mathrm dT^{\\ast\\ast}/\\mathrm dT` on that grid (it tends to 1).
    """

    game: lec.LectureGame
    equilibrium: lec.LectureEquilibrium
    foc_error: float
    grid: FloatArray
    derivative: FloatArray
    start_map: FloatArray
    earlier_map: FloatArray
    earlier_excess: float
    alpha_ratio: FloatArray
    factor_by_alpha: FloatArray
    sigma_spread: FloatArray
    factor_by_sigma: FloatArray
    counterexample: lec.LectureGame
    counterexample_grid: FloatArray
    counterexample_gap: FloatArray
    counterexample_derivative: FloatArray

    @property
    def sup_derivative(self) -> float:
        """:math:`\\sup_T\\mathrm dT^{\\ast\\ast}/\\mathrm dT` on the grid: Proposition 2's modulus."""
        return float(self.derivative.max())

    @property
    def observed_rate(self) -> float:
        """The ratio of the last two residuals above rounding: the iteration's observed linear rate."""
        return float(self.equilibrium.residual_ratios[-1])


def _factor(game: lec.LectureGame) -> float:
    """The contraction factor at the equilibrium; NaN when there is none.

    :math:`T^{\\ast\\ast}(T)-T` is decreasing (its derivative is below 1), so if it is still positive at
    :math:`T=t+10^4\\max\\sigma` it is positive everywhere and no fixed point exists.
    """
    far = game.scheduled + 1e4 * float(game.sigma.max())
    if float(lec.start_time(game, far)) > far:
        return float("nan")
    return lec.solve(game).contraction_factor


def lecture_start(
    budget: str, *, scheduled: float = 0.0, alpha: float = 2.0, beta: float = 1.0, gamma: float = 1.0,
    sigmas: Sequence[float] = (0.5, 1.0, 1.5),
) -> LectureStart:
    """Solve the lecture-start game and map its contraction factor (see :class:`LectureStart`)."""
    size = sizes(budget)
    game = lec.LectureGame(scheduled=scheduled, alpha=alpha, beta=beta, gamma=gamma, sigmas=tuple(float(s) for s in sigmas))
    eq = lec.solve(game)
    tau, sig, big_t = np.meshgrid(np.linspace(-2, 3, 7), game.sigma, np.linspace(scheduled, scheduled + 3, 5), indexing="ij")
    h = 1e-5
    numeric = (lec.expected_cost(game, tau + h, sig, big_t) - lec.expected_cost(game, tau - h, sig, big_t)) / (2 * h)
    foc_error = float(np.abs(lec.first_order_condition(game, tau, sig, big_t) - numeric).max())
    grid = scheduled + np.linspace(0.0, 6.0 * float(game.sigma.max()), 8 * size.factor_grid)
    ratios = np.linspace(0.3, 4.0, size.factor_grid)
    by_alpha = np.full((3, ratios.size), np.nan)
    for i, b in enumerate((0.5, 1.0, 2.0)):
        for j, a in enumerate(ratios):
            g = lec.LectureGame(scheduled=scheduled, alpha=float(a) * gamma, beta=b, gamma=gamma, sigmas=game.sigmas)
            by_alpha[i, j] = _factor(g)
    spreads = np.linspace(0.0, 0.95, size.factor_grid)
    centre = float(game.sigma.mean())
    by_sigma = np.array(
        [_factor(lec.LectureGame(scheduled, alpha, beta, gamma, (centre * (1 - w), centre, centre * (1 + w)))) for w in spreads]
    )
    counter = lec.LectureGame(scheduled=scheduled, alpha=0.5, beta=beta, gamma=gamma, sigmas=game.sigmas)
    far = scheduled + np.geomspace(1e-2, 1e3, 4 * size.factor_grid)
    earlier = lec.start_time(game, grid, rule="earlier")
    return LectureStart(
        game=game,
        equilibrium=eq,
        foc_error=foc_error,
        grid=grid,
        derivative=lec.start_time_derivative(game, grid),
        start_map=lec.start_time(game, grid),
        earlier_map=earlier,
        earlier_excess=float((earlier - scheduled).max()),
        alpha_ratio=ratios,
        factor_by_alpha=by_alpha,
        sigma_spread=spreads,
        factor_by_sigma=by_sigma,
        counterexample=counter,
        counterexample_grid=far,
        counterexample_gap=lec.start_time(counter, far) - far,
        counterexample_derivative=lec.start_time_derivative(counter, far),
    )


# ----------------------------------------------------------------------------------------------
# Naive Q-learning vs GMF-Q
# ----------------------------------------------------------------------------------------------

#: The softmax parameters :math:`c` (best response :math:`\\Gamma_1^{1/c}`) of :attr:`ContractionConstants.sweep`.
CONTRACTION_CS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

#: Iterations of the exact softmax three-step iteration on :math:`L` whose linear rate is measured.
THREE_STEP_ITERATIONS = 300

#: Steps :math:`\\|L_k-L_{k+1}\\|_1` inside this window give the measured rate: below it is rounding, above
#: it the iteration is not yet in its linear regime.
RATE_WINDOW: tuple[float, float] = (1e-10, 1e-3)


@dataclass(frozen=True, eq=False)
class SwitchQuotients:
    """Assumption 3's difference quotients for the greedy best response on pairs closing in on a switch.

    :math:`\\Gamma_1^0(\\mu)` is argmax-e of :math:`Q^\\star_\\mu` (Algorithm 1's best response). Bisection on the
    segment between two mean fields whose greedy best responses differ keeps the best responses at the
    two ends different, so level :math:`k` holds a pair :math:`(\\mu_k,\\mu'_k)` with
    :math:`\\|\\mu_k-\\mu'_k\\|_1=2^{-k}\\|\\mu_0-\\mu'_0\\|_1` and :math:`\\Gamma_1^0(\\mu_k)\\ne\\Gamma_1^0(\\mu'_k)`. The
    quotients are those of :func:`mfcode.mfg.lipschitz.estimate_lipschitz` (001 Assumption 3, Lemma 6), pair by
    pair: with :math:`\\pi=\\Gamma_1^0(\\mu_k)`, :math:`\\pi'=\\Gamma_1^0(\\mu'_k)`, ``d2`` is
    :math:`\\|\\Gamma_2(\\pi,\\mu_k)-\\Gamma_2(\\pi',\\mu_k)\\|_1/D(\\pi,\\pi')` and ``d3`` is
    :math:`\\|\\Gamma_2(\\pi',\\mu_k)-\\Gamma_2(\\pi',\\mu'_k)\\|_1/\\|\\mu_k-\\mu'_k\\|_1`.

    Attributes
    ----------
    distance
        :math:`\\|\\mu_k-\\mu'_k\\|_1`, ``(K,)``.
    policy_jump
        :math:`D(\\pi,\\pi')` (sup over states of the :math:`\\ell_1` distance), ``(K,)``.
    d2, d3
        The quotients above, ``(K,)``.
    population_jump
        :math:`\\|\\Lambda^0(\\mu_k)-\\Lambda^0(\\mu'_k)\\|_1`, :math:`\\Lambda^0=\\Gamma_2(\\Gamma_1^0(\\cdot),\\cdot)`, ``(K,)``.
    switch
        The midpoint of the last pair, ``(S,)``.
    """

    distance: FloatArray
    policy_jump: FloatArray
    d2: FloatArray
    d3: FloatArray
    population_jump: FloatArray
    switch: FloatArray

    @property
    def d1(self) -> FloatArray:
        """:math:`D(\\Gamma_1^0(\\mu_k),\\Gamma_1^0(\\mu'_k))/\\|\\mu_k-\\mu'_k\\|_1`, ``(K,)``: unbounded when the jump stays."""
        out: FloatArray = self.policy_jump / self.distance
        return out

    @property
    def contraction(self) -> FloatArray:
        """:math:`\\|\\Lambda^0(\\mu_k)-\\Lambda^0(\\mu'_k)\\|_1/\\|\\mu_k-\\mu'_k\\|_1`, ``(K,)``."""
        out: FloatArray = self.population_jump / self.distance
        return out


def _greedy(game: StationaryMFG, mu: FloatArray) -> FloatArray:
    """:math:`\\Gamma_1^0(\\mu)`: argmax-e of the exact :math:`Q^\\star_\\mu` (ties split evenly)."""
    return best_response(game, mu, 0.0).policy


def switch_quotients(game: StationaryMFG, levels: int, *, seed: int, max_draws: int = 200) -> SwitchQuotients:
    """The quotients of :class:`SwitchQuotients` on ``levels`` bisection pairs around a switch of :math:`\\Gamma_1^0`.

    The segment's ends are the first of ``max_draws`` uniform (Dirichlet(1)) mean fields and the first
    later one whose greedy best response differs.

    Raises
    ------
    ValueError
        If the greedy best response is the same at all ``max_draws`` mean fields (no switch found), or an
        argument is out of range (named).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    k_levels = check_int(levels, "levels", low=1, high=50)  # 2**-50 is below the rounding of a mean field
    draws = np.random.default_rng(check_int(seed, "seed", low=0)).dirichlet(
        np.ones(game.n_states), size=check_int(max_draws, "max_draws", low=2, high=100_000)
    )
    lo, pi_lo = draws[0], _greedy(game, draws[0])
    found = next((m for m in draws[1:] if not np.array_equal(_greedy(game, m), pi_lo)), None)
    if found is None:
        raise ValueError(f"game: the greedy best response of {game.name} is the same at {max_draws} random mean fields")
    hi, pi_hi = found, _greedy(game, found)
    rows = np.empty((k_levels, 5))
    for k in range(k_levels):
        mid = 0.5 * (lo + hi)
        pi_mid = _greedy(game, mid)
        if np.array_equal(pi_mid, pi_lo):
            lo = mid
        else:
            hi, pi_hi = mid, pi_mid
        q = pair_quotients(game, lo, pi_lo, hi, pi_hi)
        rows[k] = (q.distance, q.policy_jump, q.d2, q.d3, q.population_jump)
    return SwitchQuotients(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], 0.5 * (lo + hi))


@dataclass(frozen=True, eq=False)
class ContractionConstants:
    """The backup slide's "small parameter" condition :math:`d_1d_2+d_3<1` on one game.

    The constants are those of 001's Assumption 3 on the state mean field (``book/slides/theory.md``
    relates them to the slides' Assumptions 1-2 on :math:`L`): estimated lower bounds
    (:func:`~mfcode.mfg.lipschitz.estimate_lipschitz`), so an estimated :math:`d_1d_2+d_3\\ge1` shows that the
    condition fails, and one below 1 does not show that it holds.

    Attributes
    ----------
    softmax
        At GMF-Q's best response :math:`\\mathrm{softmax}_c(Q^{\\star,1/c})=\\Gamma_1^{1/c}`, the chapter's :math:`c`.
    argmax
        Algorithm 1's greedy best response (:func:`switch_quotients`).
    sweep_c, sweep
        :data:`CONTRACTION_CS` and the estimates at :math:`\\lambda=1/c` for each, on the same random pairs.
    softmax_steps
        :math:`\\|L_k-L_{k+1}\\|_1` of the exact three-step iteration on :math:`L` with :math:`\\Gamma_1^{1/c}`
        (:func:`mfcode.slides.qlearning.three_step`), ``(THREE_STEP_ITERATIONS,)``.
    """

    softmax: LipschitzEstimate
    argmax: SwitchQuotients
    sweep_c: FloatArray
    sweep: tuple[LipschitzEstimate, ...]
    softmax_steps: FloatArray

    @property
    def sweep_d1(self) -> FloatArray:
        """Estimated :math:`d_1` per :attr:`sweep_c`."""
        return np.array([e.d1 for e in self.sweep])

    @property
    def sweep_bound(self) -> FloatArray:
        """Estimated :math:`d_1d_2+d_3` per :attr:`sweep_c`."""
        return np.array([e.bound for e in self.sweep])

    @property
    def sweep_contraction(self) -> FloatArray:
        """Estimated :math:`\\mathrm{Lip}(\\Lambda^{1/c})` per :attr:`sweep_c`."""
        return np.array([e.contraction for e in self.sweep])

    @property
    def smallest_failing_c(self) -> float:
        """The smallest :attr:`sweep_c` whose estimated :math:`d_1d_2+d_3` is at least 1 (NaN if none): the condition fails there."""
        failing = self.sweep_c[self.sweep_bound >= 1.0]
        return float(failing.min()) if failing.size else float("nan")

    @property
    def softmax_rate(self) -> float:
        """Measured linear rate of the exact softmax iteration on :math:`L`: the geometric mean of the ratios of
        successive steps between the first and the last step inside :data:`RATE_WINDOW` (NaN if fewer than two)."""
        inside = np.flatnonzero((self.softmax_steps > RATE_WINDOW[0]) & (self.softmax_steps < RATE_WINDOW[1]))
        if inside.size < 2:
            return float("nan")
        i, j = int(inside[0]), int(inside[-1])
        return float((self.softmax_steps[j] / self.softmax_steps[i]) ** (1.0 / (j - i)))


def _contraction(game: StationaryMFG, c: float, size: Sizes, seed: int) -> ContractionConstants:
    pairs = {"n_pairs": size.lipschitz_pairs, "seed": seed}
    return ContractionConstants(
        softmax=estimate_lipschitz(game, 1.0 / c, **pairs),
        argmax=switch_quotients(game, size.switch_levels, seed=seed),
        sweep_c=np.array(CONTRACTION_CS),
        sweep=tuple(estimate_lipschitz(game, 1.0 / cs, **pairs) for cs in CONTRACTION_CS),
        softmax_steps=three_step(game, Softmax(c), THREE_STEP_ITERATIONS, temperature=1.0 / c).step_l1,
    )


@dataclass(frozen=True, eq=False)
class GameLearning:
    """Algorithms 1 and 2 on one game (30 paths each).

    Attributes
    ----------
    name
        The game's label.
    c
        Softmax parameter of GMF-Q (its inner target's temperature is :math:`1/c`).
    naive, gmfq, mellowmax
        The runs (argmax-e; softmax with the :math:`\\epsilon`-net; MellowMax with momentum 0.5).
    equilibrium
        :math:`L^\\star=\\mu^\\star\\otimes\\pi^\\star`, the MFG core's exact :math:`1/c`-regularized NE, ``(S, A)``.
    exact_naive_steps
        :math:`\\|L_k-L_{k+1}\\|_1` of the model-based argmax-e iteration :math:`\\Gamma_2\\circ\\Gamma_1` (no sampling).
    mellowmax_fixed_point
        The limit of the model-based MellowMax iteration with momentum 0.5 (its own fixed point: the MellowMax
        policy of :math:`Q^\\star` is not the regularized best response, so it is not :attr:`equilibrium`).
    constants
        The small-parameter condition for argmax-e and for :math:`\\mathrm{softmax}_c` (:class:`ContractionConstants`).
    """

    name: str
    c: float
    naive: LearningRun
    gmfq: LearningRun
    mellowmax: LearningRun
    equilibrium: FloatArray
    exact_naive_steps: FloatArray
    mellowmax_fixed_point: FloatArray
    constants: ContractionConstants

    @property
    def naive_amplitude(self) -> FloatArray:
        """Per path, :math:`\\max_k\\|L_k-L_{k+1}\\|_1` over the second half of the naive run, ``(P,)``."""
        steps = self.naive.step_l1
        out: FloatArray = steps[steps.shape[0] // 2 :].max(axis=0)
        return out

    @property
    def gmfq_distance(self) -> FloatArray:
        """Per path, :math:`\\|L_K-L^\\star\\|_1` at the end of GMF-Q, ``(P,)``."""
        out: FloatArray = self.gmfq.distance_to(self.equilibrium)[-1]
        return out


@dataclass(frozen=True, eq=False)
class Learning:
    """Output of :func:`learning`: the two games, and the argmax-e vs softmax demo.

    Attributes
    ----------
    games
        :class:`GameLearning` for SIS and the ad auction.
    epsilons, argmax_ratio, softmax_ratio
        The slides' pair :math:`x=(1,1)`, :math:`y=(1,1-\\epsilon)`: ratios for argmax-e and for
        :math:`\\mathrm{softmax}_c` (rows: ``cs``).
    cs
        The :math:`c` of the softmax rows.
    softmax_worst
        Largest :math:`\\|\\mathrm{softmax}_c(x)-\\mathrm{softmax}_c(y)\\|_2/(\\tfrac c2\\|x-y\\|_2)` over random pairs and the ``cs``.
    """

    games: tuple[GameLearning, ...]
    epsilons: FloatArray
    argmax_ratio: FloatArray
    softmax_ratio: FloatArray
    cs: FloatArray
    softmax_worst: float

    @property
    def contraction_table(self) -> Table:
        """Per game and best response: :math:`d_1,d_2,d_3`, :math:`d_1d_2+d_3`, :math:`\\mathrm{Lip}(\\Gamma_2\\circ\\Gamma_1)`, the condition and the exact iteration on :math:`L`."""
        rows: list[tuple[str, ...]] = []
        for g in self.games:
            a, e = g.constants.argmax, g.constants.softmax
            tail = f"at ||mu - mu'||_1 = {a.distance[-1]:.0e}"
            rows.append((
                g.name, "argmax-e", f"unbounded ({a.d1[-1]:.1e} {tail})", f"{a.d2[-1]:.3f} (switch)", f"{a.d3[-1]:.3f} (switch)",
                "unbounded", f"unbounded ({a.contraction[-1]:.1e} {tail})", "fails (d1 unbounded)",
                f"cycles (steps >= {g.exact_naive_steps[g.exact_naive_steps.size // 2:].min():.2f})",
            ))
            verdict = "fails (lower bound >= 1)" if e.bound >= 1.0 else "not refuted (lower bounds < 1)"
            rows.append((
                g.name, f"softmax c = {g.c:g}", f"{e.d1:.3f}", f"{e.d2:.3f}", f"{e.d3:.3f}", f"{e.bound:.3f}", f"{e.contraction:.3f}",
                verdict, f"converges, rate {g.constants.softmax_rate:.3f}",
            ))
        return Table(
            caption="Assumption constants on the state mean field (lower bounds: largest difference quotients); "
            "'switch': on the bisection pairs around a switch of the greedy best response",
            columns=("game", "best response", "d1", "d2", "d3", "d1 d2 + d3", "Lip(Gamma_2 o Gamma_1)", "d1 d2 + d3 < 1", "exact iteration on L"),
            rows=tuple(rows),
        )

    @property
    def contraction_record(self) -> dict[str, dict[str, float | list[float]]]:
        """The numbers of :attr:`contraction_table` and the :math:`c`-sweep, per game (claim ``slides-small-parameter-constants``)."""
        out: dict[str, dict[str, float | list[float]]] = {}
        for g in self.games:
            k = g.constants
            out[g.name] = {
                "c": g.c, "softmax_d1": k.softmax.d1, "softmax_d2": k.softmax.d2, "softmax_d3": k.softmax.d3,
                "softmax_bound": k.softmax.bound, "softmax_contraction": k.softmax.contraction, "softmax_rate_on_L": k.softmax_rate,
                "argmax_distance": k.argmax.distance.tolist(), "argmax_d1": k.argmax.d1.tolist(),
                "argmax_d2": k.argmax.d2.tolist(), "argmax_d3": k.argmax.d3.tolist(), "argmax_contraction": k.argmax.contraction.tolist(),
                "sweep_c": k.sweep_c.tolist(), "sweep_d1": k.sweep_d1.tolist(), "sweep_bound": k.sweep_bound.tolist(),
                "sweep_contraction": k.sweep_contraction.tolist(),
            }
        return out

    @property
    def smallest_bound(self) -> float:
        """The smaller of the two games' estimated :math:`d_1d_2+d_3` at the chapter's :math:`c` (claim ``slides-small-parameter-fails``)."""
        return min(g.constants.softmax.bound for g in self.games)

    @property
    def smallest_greedy_jump(self) -> float:
        """Smallest :math:`\\|\\Lambda^0(\\mu_k)-\\Lambda^0(\\mu'_k)\\|_1` over the games and the second half of the bisection levels."""
        return min(float(g.constants.argmax.population_jump[g.constants.argmax.distance.size // 2:].min()) for g in self.games)


def _learn_game(game: StationaryMFG, c: float, size: Sizes, seed: int) -> GameLearning:
    lam = 1.0 / c
    eq = solve_equilibrium(game, lam)
    naive = learn(game, LearningConfig(ArgmaxE(), size.naive_iterations, size.inner_steps, step_exponent=0.9),
                  n_paths=N_PATHS, seed=seed)
    gmfq = learn(game, LearningConfig(Softmax(c), size.gmfq_iterations, size.inner_steps, net_resolution=10_000,
                                      inner_temperature=lam, step_exponent=0.9), n_paths=N_PATHS, seed=seed + 1)
    mellow = learn(game, LearningConfig(MellowMax(c), size.gmfq_iterations, size.inner_steps, momentum=0.5,
                                        step_exponent=0.9), n_paths=N_PATHS, seed=seed + 2)
    exact = three_step(game, ArgmaxE(), size.naive_iterations)
    mellow_exact = three_step(game, MellowMax(c), 400, momentum=0.5)
    return GameLearning(
        game.name, c, naive, gmfq, mellow, eq.mean_field[:, None] * eq.policy, exact.step_l1, mellow_exact.joints[-1],
        _contraction(game, c, size, seed + 3),
    )


def learning(budget: str, *, seed: int, sis_c: float = 5.0, auction_c: float = 10.0) -> Learning:
    """Algorithms 1 and 2 on SIS (:func:`mfcode.mfg.games.sis`) and on the ad auction, and the smoothing demo."""
    size = sizes(budget)
    s = check_int(seed, "seed", low=0)
    check_real(sis_c, "sis_c", low=0.0, low_open=True)
    check_real(auction_c, "auction_c", low=0.0, low_open=True)
    results = (_learn_game(games.sis(), sis_c, size, s), _learn_game(ad_auction(), auction_c, size, s + 10))
    eps = np.geomspace(1e-3, 1.0, 25)
    cs = np.array([1.0, 5.0, 20.0])
    rng = np.random.default_rng(s)
    pairs = rng.normal(size=(200, 2, 4))
    worst = max(smoothing_ratio(Softmax(float(c)), x, y) / (c / 2) for c in cs for x, y in pairs)
    return Learning(
        games=results,
        epsilons=eps,
        argmax_ratio=argmax_jump_ratio(ArgmaxE(), eps),
        softmax_ratio=np.stack([argmax_jump_ratio(Softmax(float(c)), eps) for c in cs]),
        cs=cs,
        softmax_worst=float(worst),
    )


# ----------------------------------------------------------------------------------------------
# N-player evaluation
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NPlayerSizes:
    """How much :func:`n_player` computes at one budget.

    Attributes
    ----------
    exact_n
        :math:`N` of the exact evaluations of the two games (stationary and episodic SIS).
    mc_n, mc_replicates, mc_horizon
        :math:`N`, replicates and (stationary) horizon of their Monte Carlo evaluations.
    mfc_n, mfc_grid
        :math:`N` of the exact MFC evaluation and the resolution of the decision-rule grid of its optimum.
    mfc_check_replicates, mfc_horizon
        Replicates and horizon of the N-agent simulation checked against the exact MFC value.
    queue_n, queue_replicates
        :math:`N` and replicate episodes of the load-balancing simulation.
    """

    exact_n: tuple[int, ...]
    mc_n: tuple[int, ...]
    mc_replicates: int
    mc_horizon: int
    mfc_n: tuple[int, ...]
    mfc_grid: int
    mfc_check_replicates: int
    mfc_horizon: int
    queue_n: tuple[int, ...]
    queue_replicates: int


#: The sizes of :func:`n_player` per budget.
NPLAYER_SIZES: Mapping[str, NPlayerSizes] = MappingProxyType(
    {
        "ci": NPlayerSizes((5, 10, 20, 40), (100, 400), 32, 100, (2, 5, 10, 20, 50, 100, 200), 50, 32, 700,
                           (2, 4, 8, 16, 32), 512),
        "full": NPlayerSizes((5, 10, 20, 40, 80, 160), (100, 400, 1600), 128, 150, (2, 5, 10, 20, 50, 100, 200, 500, 1000),
                             200, 128, 1000, (2, 4, 8, 16, 32, 64, 128), 4096),
    }
)

#: The episodic SIS game's horizon (:func:`mfcode.mfg.games.sis_episodic`'s default, as in 001's episodic setting).
EPISODE_HORIZON = 50

#: The smallest N of the fit of JSQ's deviation gain (:attr:`NPlayer.jsq_deviation_slope`).
JSQ_SLOPE_FROM = 10

#: The load-balancing system of the chapter: 003 Table 1 with a constant arrival rate 0.9 (the high regime).
QUEUE_SYSTEM = QueueSystem(arrival_rates=(0.9, 0.9))


@dataclass(frozen=True, eq=False)
class MonteCarloCheck:
    """One Monte Carlo value against the exact one at the same :math:`N`.

    Attributes
    ----------
    n_agents
        :math:`N`.
    error, half
        :math:`|V^N_{\\mathrm{MC}}-V^N|` and the half-width of the 95% interval plus the truncation bias bound.
    """

    n_agents: int
    error: float
    half: float

    @property
    def ratio(self) -> float:
        """``error / half``: at most 1 when the exact value lies in the interval."""
        return self.error / self.half


@dataclass(frozen=True, eq=False)
class NPlayer:
    """Output of :func:`n_player`: one curve per model family, and the Monte Carlo checks.

    Attributes
    ----------
    ne, learned, ne_mc, check
        SIS (stationary, every agent i.i.d. from the NE's :math:`\\mu^\\star`): exact curves of the
        regularized NE's policy and of a GMF-Q-learned policy (the mean of the last policies of its 30
        paths), the NE's Monte Carlo curve at large :math:`N` (deviator: the mean-field best response), and
        a Monte Carlo run at an :math:`N` of the exact curve.
    episodic, episodic_mc, episodic_check
        The same for the regularized NE of the episodic SIS game (:data:`EPISODE_HORIZON` epochs, from its
        :math:`\\mu_0`).
    mfc_optimum, mfc_jsq, mfc_check
        The MFC scheduling model of 002: exact curves of the grid MFC optimum and of JSQ, and the N-agent
        simulator of :mod:`mfcode.mfc.nagent` against the exact :math:`J^N` of the optimum.
    queue_rule, queueing, queue_own
        Dense load balancing (:data:`QUEUE_SYSTEM`): the offload rule, the best threshold rule
        :math:`\\zeta=\\mathbb 1\\{z\\ge k\\}` of the mean-field limit; its Monte Carlo curve; OWN's curve
        (:math:`\\zeta\\equiv0`, whose gap is 0 for every :math:`N`).
    """

    ne: NPlayerCurve
    learned: NPlayerCurve
    ne_mc: NPlayerCurve
    check: MonteCarloCheck
    episodic: NPlayerCurve
    episodic_mc: NPlayerCurve
    episodic_check: MonteCarloCheck
    mfc_optimum: NPlayerCurve
    mfc_jsq: NPlayerCurve
    mfc_check: MonteCarloCheck
    queue_rule: FloatArray
    queueing: NPlayerCurve
    queue_own: NPlayerCurve

    @property
    def jsq_deviation_slope(self) -> float:
        """Fitted log-log slope of JSQ's deviation gain from :math:`N\\ge` :data:`JSQ_SLOPE_FROM` (below it the gain rises)."""
        keep = self.mfc_jsq.n_agents >= JSQ_SLOPE_FROM
        return fitted_slope(self.mfc_jsq.n_agents[keep], self.mfc_jsq.exploitability[keep])


def _check(model: NPlayerModel[P], policy: P, exact: NPlayerCurve, index: int, *, n_replicates: int, seed: int) -> MonteCarloCheck:
    """The Monte Carlo value at ``exact.n_agents[index]`` against the exact one."""
    n = int(exact.n_agents[index])
    mc = model.simulate(policy, n, n_replicates=n_replicates, seed=seed)
    v, half = mc.value()
    return MonteCarloCheck(n, abs(v - float(exact.value[index])), half + mc.truncation_bias)


def n_player(budget: str, *, seed: int, temperature: float = 0.1) -> NPlayer:
    """The N-player evaluation of mean-field policies of four model families (see :class:`NPlayer`)."""
    size = NPLAYER_SIZES[check_budget(budget)]
    learning_size = sizes(budget)
    s = check_int(seed, "seed", low=0)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    # stationary SIS
    sis = games.sis()
    eq = solve_equilibrium(sis, lam)
    stationary = StationaryGame(sis, eq.mean_field, horizon=size.mc_horizon, label=sis.name)
    run = learn(sis, LearningConfig(Softmax(1.0 / lam), learning_size.gmfq_iterations, learning_size.inner_steps,
                                    net_resolution=10_000, inner_temperature=lam, step_exponent=0.9), n_paths=N_PATHS, seed=s)
    ne = evaluate(stationary, eq.policy, size.exact_n, method="exact")
    # episodic SIS
    episodic_game = games.sis_episodic(horizon=EPISODE_HORIZON)
    solved = FixedPoint(temperature=lam).solve(episodic_game, max_iter=1000, atol=1e-12)
    if solved.exploitability[-1] > 1e-10:
        raise RuntimeError(f"the episodic NE iteration stopped at exploitability {solved.exploitability[-1]:.2e}")
    episodic = EpisodicGame(episodic_game)
    episodic_ne = evaluate(episodic, solved.policy, size.exact_n, method="exact")
    # MFC scheduling (002)
    model = SchedulingModel()
    optimum = solve_mfc_mdp_on_grid(MFCMDP(model), size.mfc_grid).policy
    control = MeanFieldControl(model, horizon=size.mfc_horizon, label="MFC scheduling")
    mfc_optimum = evaluate(control, optimum, size.mfc_n, method="exact")
    # dense load balancing (003)
    balancing = DenseLoadBalancing(QUEUE_SYSTEM, label="load balancing")
    thresholds = (np.arange(QUEUE_SYSTEM.n_states)[None, :] >= np.arange(QUEUE_SYSTEM.n_states + 1)[:, None]).astype(np.float64)
    rule = thresholds[int(np.argmax([balancing.mean_field(z).value for z in thresholds]))]
    return NPlayer(
        ne=ne,
        learned=evaluate(stationary, run.policies[-1].mean(axis=0), size.exact_n, method="exact"),
        ne_mc=evaluate(stationary, eq.policy, size.mc_n, method="monte-carlo", n_replicates=size.mc_replicates, seed=s),
        check=_check(stationary, eq.policy, ne, 1, n_replicates=4 * size.mc_replicates, seed=s + 99),
        episodic=episodic_ne,
        episodic_mc=evaluate(episodic, solved.policy, size.mc_n, method="monte-carlo", n_replicates=size.mc_replicates, seed=s),
        episodic_check=_check(episodic, solved.policy, episodic_ne, 1, n_replicates=4 * size.mc_replicates, seed=s + 99),
        mfc_optimum=mfc_optimum,
        mfc_jsq=evaluate(control, jsq_policy(model), size.mfc_n, method="exact"),
        mfc_check=_check(control, optimum, mfc_optimum, 2, n_replicates=size.mfc_check_replicates, seed=s + 99),
        queue_rule=rule,
        queueing=evaluate(balancing, rule, size.queue_n, n_replicates=size.queue_replicates, seed=s),
        queue_own=evaluate(balancing, np.zeros(QUEUE_SYSTEM.n_states), size.queue_n, n_replicates=size.queue_replicates, seed=s),
    )


# ----------------------------------------------------------------------------------------------
# Price of anarchy
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AnarchyCurve:
    """Output of :func:`anarchy`: per infection rate, welfare at the NE and at the optimum, and the price.

    Attributes
    ----------
    infection_rate
        The congestion strengths :math:`P(I|S,U,\\mu)/\\mu(I)`.
    equilibrium_value, optimum_value, optimum_grid_value, equilibrium_exploitability, price
        As in :class:`~mfcode.slides.anarchy.Anarchy`, one entry per rate.
    """

    infection_rate: FloatArray
    equilibrium_value: FloatArray
    optimum_value: FloatArray
    optimum_grid_value: FloatArray
    equilibrium_exploitability: FloatArray
    price: FloatArray


def anarchy(budget: str, *, temperature: float = 0.01, low: float = 0.45, high: float = 1.0) -> AnarchyCurve:
    """The price of anarchy of SIS against its infection rate, from ``low`` to ``high``."""
    size = sizes(budget)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    lo = check_real(low, "low", low=0.0, high=1.0)
    hi = check_real(high, "high", low=lo, high=1.0, low_open=True)
    rates = np.linspace(lo, hi, size.anarchy_points)
    res = [price_of_anarchy(games.sis(infection_rate=float(r)), temperature=lam, grid_size=size.anarchy_grid) for r in rates]
    return AnarchyCurve(
        infection_rate=rates,
        equilibrium_value=np.array([a.equilibrium_value for a in res]),
        optimum_value=np.array([a.optimum_value for a in res]),
        optimum_grid_value=np.array([a.optimum_grid_value for a in res]),
        equilibrium_exploitability=np.array([a.equilibrium_exploitability for a in res]),
        price=np.array([a.price for a in res]),
    )


# ----------------------------------------------------------------------------------------------
# The simulator's benchmark
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTiming:
    """One row of ``benchmarks/results/nplayer.json``: a game, :math:`N`, and the median time of one step."""

    game: str
    n_agents: int
    step_s: float
    step_cpu_s: float


def nplayer_benchmark(path: str | Path) -> tuple[StepTiming, ...]:
    """The rows written by ``benchmarks/bench_nplayer.py`` (the notebook passes the file's path)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        return tuple(
            StepTiming(str(r["game"]), int(r["n_agents"]), float(r["step_s"]), float(r["step_cpu_s"])) for r in data["steps"]
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"path: {path} is not a benchmarks/bench_nplayer.py result ({exc})") from None
