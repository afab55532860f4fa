"""The MFC chapter's experiments: the exact optimum of the scheduling MFC MDP and its finite-N values.

Seed ``002_7da79a39441e57df.txt``. The notebooks ``book/mfc/exact.ipynb`` (Sec. V: Bellman equation
eqs. 26-28, Lemma 2, Thm 3, Cor. 2) and ``book/mfc/finite_n.ipynb`` (Sec. IV: Lemma 1, Thm 1, Thm 2,
Cor. 1; Sec. VI, Fig. 4(a)) call these functions and plot their results. Everything runs on the
two-queue scheduling instance :class:`~mfcode.mfc.SchedulingModel` (Table I, choices I1-I8,
:math:`\\gamma=0.99`) and reports values from empty queues (choice I5/I6).

The sizes of every budget live here, in :data:`EXACT_SIZES` and :data:`FINITE_N_SIZES`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.fixed_point import iterate, sup_distance
from mfcode.mfc import (
    MFCMDP,
    GridMDP,
    NAgentSystem,
    SchedulingModel,
    decision_rule_grid,
    finite_n_optimum,
    grid_refinement,
    jsq_policy,
    policy_iteration,
    profile_value,
    solve_mfc_mdp_on_grid,
    symmetric_value,
    value_iteration,
)
from mfcode.mfc.bounds import LipschitzConstants, lemma1_bound, scheduling_lipschitz, theorem1_bound
from mfcode.mfc.dp import bellman_operator
from mfcode.validation import check_int

__all__ = [
    "EXACT_SIZES",
    "FINITE_N_SIZES",
    "Concentration",
    "ContractionStudy",
    "Corollary1",
    "ExactSizes",
    "FiniteNSizes",
    "GridRefinement",
    "MeanFieldLimit",
    "MonteCarlo",
    "MonteCarloCurve",
    "PolicyCurve",
    "QueueOptimum",
    "RoutingVariance",
    "SamplingChecks",
    "ValueIterationRun",
    "contraction_study",
    "corollary1",
    "exact_sizes",
    "finite_n_sizes",
    "grid_refinement_study",
    "mean_field_limit",
    "queue_optimum",
    "routing_variance",
    "rule_monotonicity_violation",
    "sampling_checks",
]


# ---------------------------------------------------------------------------------------- budgets
@dataclass(frozen=True)
class ExactSizes:
    """Sizes of ``exact.ipynb`` at one budget.

    Attributes
    ----------
    resolution : int
        Grid resolution ``n`` of the main solve (``n + 1`` decision rules ``p``).
    refinement : tuple of int
        The nested resolutions ``n = 4, 8, ...`` of the grid-refinement study (Lemma 3, Cor. 2).
    contraction_resolution : int
        Grid of the contraction check (Lemma 2) and of value iteration (Thm 3).
    random_pairs, shifted_pairs : int
        Random pairs :math:`(Q_1, Q_2)` and pairs :math:`Q_2 = Q_1 + c` of the contraction check.
    sweeps : int
        Value-iteration sweeps traced against the exact fixed point.
    tol : float
        Accuracy of the two value iterations compared with policy iteration.
    """

    resolution: int
    refinement: tuple[int, ...]
    contraction_resolution: int = 200
    random_pairs: int = 200
    shifted_pairs: int = 20
    sweeps: int = 1500
    tol: float = 1e-8


@dataclass(frozen=True)
class FiniteNSizes:
    """Sizes of ``finite_n.ipynb`` at one budget.

    Attributes
    ----------
    resolution : int
        Grid resolution of the MF-optimal policy :math:`\\pi^*`.
    n_agents : tuple of int
        The N of the exact :math:`J^N` curves (Thm 1); the rate is fitted over ``N >= fit_from``.
    lemma1_n_agents : tuple of int
        The N of the Lemma 1 check; ``lemma1_samples`` samples of :math:`\\mathbb G^N` each.
    monte_carlo_n_agents : tuple of int
        The N of the Monte Carlo runs (Fig. 4(a)); ``runs`` runs of ``horizon`` steps each.
    epsilon_n_agents : tuple of int
        The N of the exact finite-N optimum (Cor. 1, Thm 2).
    """

    resolution: int
    n_agents: tuple[int, ...]
    lemma1_samples: int
    monte_carlo_n_agents: tuple[int, ...]
    runs: int
    epsilon_n_agents: tuple[int, ...]
    lemma1_n_agents: tuple[int, ...] = (1, 10, 100, 1000)
    horizon: int = 1000
    fit_from: int = 10


EXACT_SIZES: Mapping[str, ExactSizes] = {
    "ci": ExactSizes(resolution=200, refinement=tuple(2**k for k in range(2, 10))),
    "full": ExactSizes(resolution=2000, refinement=tuple(2**k for k in range(2, 13))),
}
"""Budget -> sizes of ``exact.ipynb`` (ci: 201 rules, grids up to 513 points; full: 2001 and 4097)."""

FINITE_N_SIZES: Mapping[str, FiniteNSizes] = {
    "ci": FiniteNSizes(
        resolution=200,
        n_agents=(1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000),
        lemma1_samples=4000,
        monte_carlo_n_agents=(2, 8, 32),
        runs=100,
        epsilon_n_agents=(1, 2, 5, 10, 20, 50, 100, 200),
    ),
    "full": FiniteNSizes(
        resolution=2000,
        n_agents=(1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000),
        lemma1_samples=20000,
        monte_carlo_n_agents=(1, 2, 4, 8, 16, 32, 64, 128),
        runs=500,
        epsilon_n_agents=(1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 200, 300, 500),
    ),
}
"""Budget -> sizes of ``finite_n.ipynb`` (full: the book's curves, 500 runs as in Fig. 4(a))."""


def exact_sizes(budget: str) -> ExactSizes:
    """The sizes of ``exact.ipynb`` at ``budget`` (``"ci"`` or ``"full"``)."""
    return EXACT_SIZES[check_budget(budget)]


def finite_n_sizes(budget: str) -> FiniteNSizes:
    """The sizes of ``finite_n.ipynb`` at ``budget`` (``"ci"`` or ``"full"``)."""
    return FINITE_N_SIZES[check_budget(budget)]


def _check_seed(seed: object) -> int:
    return check_int(seed, "seed", low=0)


def _empty(model: SchedulingModel) -> int:
    """Index of the environment state with both queues empty (choice I5)."""
    return int(model.env_index(np.array([0, 0])))


def _full_access_table(model: SchedulingModel, policy: FloatArray) -> FloatArray:
    """:math:`p(b_0, b_1) = \\pi(x^0)(\\{1,2\\}, \\text{queue 1})` as a 6 x 6 table (rows :math:`b_0`)."""
    side = math.isqrt(model.n_env_states)
    out: FloatArray = policy[:, 2, 0].reshape(side, side)
    return out


# ---------------------------------------------------------------------------------- exact.ipynb
@dataclass(frozen=True)
class QueueOptimum:
    """The exact MFC optimum of the scheduling instance on a grid of decision rules (Sec. V, eq. 27, Cor. 2).

    Attributes
    ----------
    n_rules : int
        Number of grid decision rules :math:`|\\mathcal H_n|`.
    n_policy_iterations : int
        Policy evaluations of policy iteration.
    optimal_value, jsq_value, uniform_value : float
        :math:`V^*`, :math:`J(\\text{JSQ})` and :math:`J(p = 1/2)` in the MFC MDP from empty queues.
    p_star, p_jsq : FloatArray, shape (6, 6)
        :math:`p(b_0, b_1)` of the optimal rule and of JSQ (rows :math:`b_0`, columns :math:`b_1`).
    monotonicity_violation : float
        Largest increase of :math:`p^*` in :math:`b_0` or decrease in :math:`b_1` (<= 0 when monotone).
    gamma : float
        Discount factor.
    """

    n_rules: int
    n_policy_iterations: int
    optimal_value: float
    jsq_value: float
    uniform_value: float
    p_star: FloatArray
    p_jsq: FloatArray
    monotonicity_violation: float
    gamma: float

    @property
    def symmetry_violation(self) -> float:
        """:math:`\\max|p^*(b_0,b_1)+p^*(b_1,b_0)-1|`: the queues are exchangeable under choice I1 (claim ``mfc-queue-optimal-rule-symmetric``)."""
        return float(np.abs(self.p_star + self.p_star.T - 1.0).max())


def rule_monotonicity_violation(table: FloatArray) -> float:
    """Largest increase of :math:`p(b_0,b_1)` in :math:`b_0` or decrease in :math:`b_1` (<= 0 when monotone).

    002 Sec. VI: "As a queue becomes more filled, the optimal solution will be more likely to avoid
    assignment of packets to that queue" -- for the probability :math:`p` of queue 1 (rows
    :math:`b_0`, its filling; columns :math:`b_1`), :math:`p` non-increasing in :math:`b_0` and
    non-decreasing in :math:`b_1`.
    """
    arr = np.asarray(table, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise ValueError(f"table must be a square (B+1, B+1) array with B >= 1, got shape {arr.shape}")
    return max(float(np.diff(arr, axis=0).max()), float(-np.diff(arr, axis=1).min()))


@dataclass(frozen=True)
class RoutingVariance:
    """Variance, per scheduler, of the number of schedulers that send to queue 1 in one step (eqs. 1, 2, 4).

    Access sets are redrawn from :math:`\\mu_0` at every step (eq. 1), so under any policy the count
    is a sum of independent Bernoulli variables; a policy only changes their means.

    Attributes
    ----------
    lifted : float
        :math:`q(1-q)` for the lifted rule with :math:`p = 1/2` for schedulers with access to both
        queues, :math:`q = \\mu_0(\\{1\\}) + \\mu_0(\\{1,2\\})/2` (the largest over :math:`p`, reached at the
        symmetric states); the count has variance ``lifted * N``.
    profile : float
        The largest :math:`q_i(1-q_i)` of a deterministic profile, where scheduler :math:`i` sends to
        queue 1 (:math:`q_i = \\mu_0(\\{1\\}) + \\mu_0(\\{1,2\\})`) or queue 2 (:math:`q_i = \\mu_0(\\{1\\})`)
        when both are accessible; the count has variance at most ``profile * N``.
    """

    lifted: float
    profile: float


def routing_variance(model: SchedulingModel | None = None) -> RoutingVariance:
    """:class:`RoutingVariance` of a two-queue ``model`` (default: the book's instance, :math:`\\mu_0 = (0.2, 0.2, 0.6)`)."""
    model = SchedulingModel() if model is None else model
    if not isinstance(model, SchedulingModel):
        raise TypeError(f"model must be a SchedulingModel, got {type(model).__name__}")
    if model.n_queues != 2:
        raise ValueError(f"model must have 2 queues, got {model.n_queues}")
    access = model.access
    both = access.all(axis=1)
    only_first = access[:, 0] & ~access[:, 1]
    mu = model.mu0
    first = float(mu[only_first].sum())
    flexible = float(mu[both].sum())

    def bernoulli(q: float) -> float:
        return q * (1.0 - q)

    return RoutingVariance(lifted=bernoulli(first + flexible / 2),
                           profile=max(bernoulli(first + flexible), bernoulli(first)))


def queue_optimum(budget: str) -> QueueOptimum:
    """Solve the MFC MDP of the scheduling instance on the budget's grid (eqs. 26-28) and compare with JSQ and p = 1/2.

    :func:`mfcode.mfc.solve_mfc_mdp_on_grid` (policy iteration) on :math:`p\\in\\{0, 1/n, \\dots, 1\\}`;
    the values of JSQ and of the uniform split are exact policy values of the MFC MDP.
    """
    sizes = exact_sizes(budget)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    optimum = solve_mfc_mdp_on_grid(mdp, sizes.resolution)
    empty = _empty(model)
    half = np.broadcast_to(decision_rule_grid(mdp, 2)[1], (model.n_env_states, 3, 2))
    jsq = jsq_policy(model)
    p_star = _full_access_table(model, optimum.policy)
    violation = rule_monotonicity_violation(p_star)
    return QueueOptimum(
        n_rules=int(optimum.Q.shape[1]),
        n_policy_iterations=optimum.n_iter,
        optimal_value=float(optimum.V[empty]),
        jsq_value=float(mdp.policy_value(jsq)[empty]),
        uniform_value=float(mdp.policy_value(half)[empty]),
        p_star=p_star,
        p_jsq=_full_access_table(model, jsq),
        monotonicity_violation=violation,
        gamma=float(model.gamma),
    )


@dataclass(frozen=True)
class GridRefinement:
    """Grid optima :math:`V^*_n` (empty queues) along nested grids (Lemma 3 continuity, Cor. 2).

    Attributes
    ----------
    resolutions : IntArray, shape (R,)
        The nested resolutions ``n``.
    values : FloatArray, shape (R,)
        :math:`V^*_n` from empty queues.
    gaps : FloatArray, shape (R - 1,)
        :math:`V^*_{n_{max}} - V^*_n` for all but the finest grid.
    slope : float
        Log-log slope of the gaps, fitted over all but the two finest grids.
    slope_two : FloatArray, shape (R - 1,)
        The reference line :math:`g_0 (n_0/n)^2` through the first gap.
    """

    resolutions: IntArray
    values: FloatArray
    gaps: FloatArray
    slope: float
    slope_two: FloatArray

    @property
    def finest_value(self) -> float:
        """:math:`V^*` on the finest grid."""
        return float(self.values[-1])

    @property
    def last_change(self) -> float:
        """:math:`V^*_{n_{max}} - V^*_{n_{max}/2}`: the change between the two finest grids."""
        return float(self.values[-1] - self.values[-2])


def grid_refinement_study(budget: str) -> GridRefinement:
    """:func:`mfcode.mfc.grid_refinement` on the budget's nested grids, with the measured convergence rate."""
    sizes = exact_sizes(budget)
    model = SchedulingModel()
    refined = grid_refinement(MFCMDP(model), list(sizes.refinement))
    empty = _empty(model)
    values = np.array([r.V[empty] for r in refined])
    resolutions = np.array(sizes.refinement, dtype=np.int64)
    gaps = values[-1] - values[:-1]
    slope = float(np.polyfit(np.log(resolutions[:-2]), np.log(gaps[:-1]), 1)[0])
    reference = gaps[0] * (resolutions[0] / resolutions[:-1].astype(np.float64)) ** 2
    return GridRefinement(resolutions=resolutions, values=values, gaps=gaps, slope=slope, slope_two=reference)


@dataclass(frozen=True)
class ValueIterationRun:
    """Value iteration :math:`Q_{k+1} = BQ_k` (eq. 28) from one start, against the exact fixed point.

    Attributes
    ----------
    label : str
        The start, as a plot label.
    start_error : float
        :math:`\\|Q_0 - Q^*\\|_\\infty`.
    errors : FloatArray, shape (K,)
        :math:`\\|Q_k - Q^*\\|_\\infty`, ``k = 1..K``.
    contraction_bound : FloatArray, shape (K,)
        :math:`\\gamma^k\\|Q_0 - Q^*\\|_\\infty` (Lemma 2).
    iterations : int
        Sweeps of :func:`mfcode.mfc.value_iteration` to the tolerance.
    gap : float
        Sup-norm distance of that value iteration's result to the policy-iteration :math:`Q^*`.
    """

    label: str
    start_error: float
    errors: FloatArray
    contraction_bound: FloatArray
    iterations: int
    gap: float


@dataclass(frozen=True)
class ContractionStudy:
    """The Bellman operator's contraction (Lemma 2) and the uniqueness of its fixed point (Thm 3) on a grid MDP.

    Attributes
    ----------
    ratios : FloatArray, shape (P,)
        :math:`\\|BQ_1 - BQ_2\\|_\\infty / \\|Q_1 - Q_2\\|_\\infty`: first the random pairs, then the shifted ones.
    random_pairs : int
        How many of the ratios are random pairs.
    below_max_ratios : FloatArray, shape (S,)
        The same ratio for pairs that differ only at rules strictly below each state's maximum
        (:math:`Q_2 = Q_1 - |\\xi|` there): the sup in eq. (28) ignores them, so the ratio is 0.
    sweeps : IntArray, shape (K,)
        The sweep numbers ``k = 1..K`` of the traces.
    runs : tuple of ValueIterationRun
        From :math:`Q_0 = 0` and from :math:`Q_0 = -R/(1-\\gamma)`.
    q_max : float
        :math:`\\max|Q^*|`.
    q_bound : float
        :math:`R/(1-\\gamma)`, :math:`R = \\max|r|`.
    gamma : float
    """

    ratios: FloatArray
    random_pairs: int
    below_max_ratios: FloatArray
    sweeps: IntArray
    runs: tuple[ValueIterationRun, ...]
    q_max: float
    q_bound: float
    gamma: float

    @property
    def max_ratio(self) -> float:
        """Largest ratio over all pairs."""
        return float(self.ratios.max())

    @property
    def max_random_ratio(self) -> float:
        """Largest ratio over the random pairs."""
        return float(self.ratios[: self.random_pairs].max())

    @property
    def max_shifted_ratio(self) -> float:
        """Largest ratio over the pairs :math:`Q_2 = Q_1 + c` (equal to :math:`\\gamma`)."""
        return float(self.ratios[self.random_pairs :].max())

    @property
    def max_below_max_ratio(self) -> float:
        """Largest ratio over the pairs that differ only below each state's maximum (0 for eq. 28)."""
        return float(self.below_max_ratios.max())

    @property
    def contraction_defect(self) -> float:
        """:math:`\\max(|\\max \\text{ratio} - \\gamma|, \\max \\text{below-max ratio})` (claim ``mfc-lemma2-contraction``).

        0 for the operator of eq. (28): Lemma 2 bounds the ratio by :math:`\\gamma`, shifted pairs
        attain it, and changes below the maximum do not reach the sup. Positive when the modulus is
        not :math:`\\gamma` (e.g. :math:`\\gamma` applied twice gives :math:`\\gamma - \\gamma^2`) or the operator
        does not take the sup over rules (e.g. averages over them).
        """
        return max(abs(self.max_ratio - self.gamma), self.max_below_max_ratio)

    @property
    def fixed_point_gap(self) -> float:
        """Largest distance of a value-iteration result to the policy-iteration fixed point."""
        return max(run.gap for run in self.runs)

    @property
    def iterations(self) -> list[int]:
        """Value-iteration sweeps of each run."""
        return [run.iterations for run in self.runs]


def _error_trace(grid: GridMDP, start: FloatArray, exact: FloatArray, sweeps: int) -> FloatArray:
    """:math:`\\|B^kQ_0 - Q^*\\|_\\infty` for ``k = 1..sweeps`` (:func:`mfcode.fixed_point.iterate`, no stopping)."""

    def sweep(q: FloatArray) -> tuple[FloatArray, float]:
        nxt = bellman_operator(grid, q)
        return nxt, sup_distance(nxt, exact)

    trace = iterate(sweep, start, tol=0.0, max_iter=sweeps, what="value iteration trace", raise_on_failure=False)
    return trace.residuals


def contraction_study(budget: str, seed: int) -> ContractionStudy:
    """Check Lemma 2 (eq. 28 is a :math:`\\gamma`-contraction) and Thm 3 on the grid MDP of the budget's contraction grid.

    Random pairs :math:`Q_1, Q_2` (scaled standard normals, scales uniform in [0.1, 100]) and shifted
    pairs :math:`Q_2 = Q_1 + c`, where the bound is attained; then pairs that differ only at rules
    below each state's maximum, which the sup of eq. (28) does not see; value iteration from :math:`Q_0 = 0` and
    :math:`Q_0 = -R/(1-\\gamma)`, traced against the policy-iteration fixed point and run to
    :func:`mfcode.mfc.value_iteration`'s tolerance.
    """
    sizes = exact_sizes(budget)
    rng = np.random.default_rng(_check_seed(seed))
    model = SchedulingModel()
    mdp = MFCMDP(model)
    small = GridMDP.from_mdp(mdp, decision_rule_grid(mdp, sizes.contraction_resolution))
    exact = policy_iteration(small)
    shape = (small.n_states, small.n_rules)
    ratios = []
    for i, scale in enumerate(rng.uniform(0.1, 100.0, sizes.random_pairs + sizes.shifted_pairs)):
        Q1 = scale * rng.standard_normal(shape)
        Q2 = scale * rng.standard_normal(shape) if i < sizes.random_pairs else Q1 + scale
        ratios.append(np.abs(bellman_operator(small, Q1) - bellman_operator(small, Q2)).max() / np.abs(Q1 - Q2).max())
    below = []
    for scale in rng.uniform(0.1, 100.0, sizes.shifted_pairs):
        Q1 = scale * rng.standard_normal(shape)
        lower = Q1.max(axis=1, keepdims=True) > Q1
        Q2 = Q1 - lower * np.abs(scale * rng.standard_normal(shape))
        below.append(np.abs(bellman_operator(small, Q1) - bellman_operator(small, Q2)).max() / np.abs(Q1 - Q2).max())
    R = float(np.abs(small.rewards).max())
    gamma = float(model.gamma)
    k = np.arange(1, sizes.sweeps + 1)
    runs = []
    for label, start in (("$Q_0 = 0$", np.zeros(shape)), ("$Q_0 = -R/(1-\\gamma)$", np.full(shape, -R / (1 - gamma)))):
        start_error = float(np.abs(start - exact.Q).max())
        solved = value_iteration(small, tol=sizes.tol, Q0=start)
        runs.append(ValueIterationRun(
            label=label,
            start_error=start_error,
            errors=_error_trace(small, start, exact.Q, sizes.sweeps),
            contraction_bound=np.asarray(start_error * gamma**k, dtype=np.float64),
            iterations=solved.n_iter,
            gap=float(np.abs(solved.Q - exact.Q).max()),
        ))
    return ContractionStudy(
        ratios=np.array(ratios, dtype=np.float64),
        random_pairs=sizes.random_pairs,
        below_max_ratios=np.array(below, dtype=np.float64),
        sweeps=k,
        runs=tuple(runs),
        q_max=float(np.abs(exact.Q).max()),
        q_bound=R / (1 - gamma),
        gamma=gamma,
    )


# ------------------------------------------------------------------------------- finite_n.ipynb
@dataclass(frozen=True)
class PolicyCurve:
    """Exact :math:`J^N(\\boldsymbol\\pi^N(\\pi))` of a lifted policy against its MFC value :math:`J(\\pi)` (Thm 1, eq. 14).

    Attributes
    ----------
    name : str
        ``"mean-field"`` (the grid MFC optimum :math:`\\pi^*`) or ``"jsq"``.
    policy : FloatArray, shape (X0, X, U)
    limit : float
        :math:`J(\\pi)` in the MFC MDP from empty queues.
    n_agents : IntArray, shape (M,)
    values : FloatArray, shape (M,)
        Exact :math:`J^N` from empty queues (:func:`mfcode.mfc.symmetric_value`).
    """

    name: str
    policy: FloatArray
    limit: float
    n_agents: IntArray
    values: FloatArray

    @property
    def gap(self) -> FloatArray:
        """:math:`J(\\pi) - J^N(\\boldsymbol\\pi^N(\\pi))` per N."""
        out: FloatArray = self.limit - self.values
        return out

    def value_at(self, n: int) -> float:
        """:math:`J^N` at ``N = n`` (one of ``n_agents``)."""
        return float(self.values[_position(self.n_agents, n)])

    def gaps_at(self, ns: Sequence[int]) -> dict[str, float]:
        """The gaps at the given N, keyed ``"N=<n>"`` (the measurement of an ordering claim)."""
        gap = self.gap
        return {f"N={n}": float(gap[_position(self.n_agents, n)]) for n in ns}


def _position(n_agents: IntArray, n: int) -> int:
    hits = np.flatnonzero(n_agents == check_int(n, "n"))
    if hits.size == 0:
        raise ValueError(f"n must be one of {n_agents.tolist()}, got {n}")
    return int(hits[0])


@dataclass(frozen=True)
class MeanFieldLimit:
    """How fast :math:`J^N \\to J` (Thm 1): exact curves of the MF optimum and JSQ with the derived bound.

    Attributes
    ----------
    mean_field, jsq : PolicyCurve
    slope : float
        Log-log slope of the MF optimum's gap over ``N >= fit_from``.
    lipschitz : LipschitzConstants
        :math:`L_r, L_P, R` of the instance.
    bound : FloatArray, shape (M,)
        The derived :math:`O(N^{-1/2})` bound (:func:`mfcode.mfc.bounds.theorem1_bound`).
    c_over_n : FloatArray, shape (M,)
        The line :math:`c/N` through the MF optimum's gap at the largest N.
    """

    mean_field: PolicyCurve
    jsq: PolicyCurve
    slope: float
    lipschitz: LipschitzConstants
    bound: FloatArray
    c_over_n: FloatArray

    @property
    def curves(self) -> tuple[PolicyCurve, PolicyCurve]:
        """``(mean_field, jsq)``."""
        return self.mean_field, self.jsq

    @property
    def n_agents(self) -> IntArray:
        """The N of the curves."""
        return self.mean_field.n_agents

    @property
    def bound_orders(self) -> tuple[float, float]:
        """Smallest and largest :math:`\\log_{10}(\\text{bound} / |J(\\pi^*) - J^N|)` over the N: how many orders of magnitude the derived bound overshoots."""
        orders = np.log10(self.bound / np.abs(self.mean_field.gap))
        return float(orders.min()), float(orders.max())

    @property
    def rate_constant(self) -> float:
        """:math:`N (J(\\pi^*) - J^N)` at the largest N."""
        return float(self.mean_field.gap[-1] * self.n_agents[-1])


def mean_field_limit(budget: str) -> MeanFieldLimit:
    """Exact :math:`J^N` of the lifted MF optimum and of JSQ over the budget's N (Prop. exact finite-N, Thm 1).

    :math:`\\pi^*` is :func:`mfcode.mfc.solve_mfc_mdp_on_grid` on the budget's grid; :math:`J^N` is one
    linear solve per N (:func:`mfcode.mfc.symmetric_value`).
    """
    sizes = finite_n_sizes(budget)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    empty = _empty(model)
    n_agents = np.array(sizes.n_agents, dtype=np.int64)
    curves = []
    for name, policy in (("mean-field", solve_mfc_mdp_on_grid(mdp, sizes.resolution).policy), ("jsq", jsq_policy(model))):
        values = np.array([symmetric_value(model, policy, int(n))[empty] for n in n_agents])
        curves.append(PolicyCurve(name=name, policy=policy, limit=float(mdp.policy_value(policy)[empty]),
                                  n_agents=n_agents, values=values))
    mean_field, jsq = curves
    agents = n_agents.astype(np.float64)
    fit = agents >= sizes.fit_from
    slope = float(np.polyfit(np.log(agents[fit]), np.log(mean_field.gap[fit]), 1)[0])
    lipschitz = scheduling_lipschitz(model)
    return MeanFieldLimit(
        mean_field=mean_field,
        jsq=jsq,
        slope=slope,
        lipschitz=lipschitz,
        bound=theorem1_bound(model.n_agent_states, model.n_actions, agents, model.gamma, lipschitz),
        c_over_n=mean_field.gap[-1] * agents[-1] / agents,
    )


@dataclass(frozen=True)
class Concentration:
    """Lemma 1 (i) by Monte Carlo: :math:`N\\,\\mathbb E\\|\\mathbb G^N - \\mathbb E\\mathbb G^N\\|_1^2` for random profiles.

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    n_samples : int
        Samples of :math:`\\mathbb G^N` per N.
    means, standard_errors : FloatArray, shape (M,)
        :math:`N\\,\\mathbb E\\|\\cdot\\|_1^2` and its standard error.
    bound : float
        :math:`|\\mathcal X|^2|\\mathcal U|^2/4` (= 9).
    """

    n_agents: IntArray
    n_samples: int
    means: FloatArray
    standard_errors: FloatArray
    bound: float

    @property
    def upper(self) -> float:
        """Largest mean + 3 standard errors over N."""
        return float((self.means + 3 * self.standard_errors).max())

    def report(self) -> str:
        """One line per N: the scaled mean, its standard error and the bound."""
        return "\n".join(
            f"N = {n:5d}:  N * E||G^N - E G^N||_1^2 = {m:.3f} +- {se:.3f}   (bound {self.bound:.0f})"
            for n, m, se in zip(self.n_agents, self.means, self.standard_errors, strict=True)
        )


@dataclass(frozen=True)
class MonteCarloCurve:
    """Simulated N-agent returns of one lifted policy against its exact :math:`J^N` (Fig. 4(a)).

    Attributes
    ----------
    name : str
    samples : FloatArray, shape (runs, M)
        Discounted returns over the horizon (:meth:`mfcode.mfc.NAgentSystem.rollout`), per N.
    exact : FloatArray, shape (M,)
        Exact :math:`J^N` from empty queues.
    limit : float
        :math:`J(\\pi)` in the MFC MDP.
    """

    name: str
    samples: FloatArray
    exact: FloatArray
    limit: float

    @property
    def z_scores(self) -> FloatArray:
        """:math:`|\\bar J^N_{MC} - J^N|` in standard errors, per N."""
        runs = self.samples.shape[0]
        out: FloatArray = np.abs(self.samples.mean(axis=0) - self.exact) / (self.samples.std(axis=0, ddof=1) / np.sqrt(runs))
        return out


@dataclass(frozen=True)
class MonteCarlo:
    """The paper's Monte Carlo of Fig. 4(a) for the MF optimum and JSQ.

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    runs : int
    curves : tuple of MonteCarloCurve
        ``(mean-field, jsq)``.
    horizon : int
        Steps of each discounted rollout.
    truncation_bound : float
        :math:`\\gamma^H \\max_{x^0}|V^N(x^0)|`, largest over N and policies: the discounted sum of eq. (5)
        from step :math:`H` on is :math:`\\gamma^H \\mathbb E[V^N(x^0_H)]`, so each truncated return
        misses at most this much.
    """

    n_agents: IntArray
    runs: int
    curves: tuple[MonteCarloCurve, ...]
    horizon: int = 1000
    truncation_bound: float = 0.0

    @property
    def truncation_orders(self) -> float:
        """:math:`\\log_{10}` of :attr:`truncation_bound`."""
        return math.log10(self.truncation_bound) if self.truncation_bound > 0 else -math.inf

    @property
    def max_z(self) -> float:
        """Largest :math:`|MC - exact|` in standard errors over N and policies."""
        return float(max(curve.z_scores.max() for curve in self.curves))


@dataclass(frozen=True)
class SamplingChecks:
    """The page's two random experiments, drawn from one generator in the page's order."""

    concentration: Concentration
    monte_carlo: MonteCarlo


def sampling_checks(limit: MeanFieldLimit, budget: str, seed: int) -> SamplingChecks:
    """Lemma 1 (i) and the Monte Carlo of Fig. 4(a), from one generator seeded with ``seed``.

    First, for each N of the Lemma 1 check, a profile of random decision rules (Dirichlet, one per
    agent) and ``lemma1_samples`` draws of :math:`\\mathbb G^N` (eqs. 1, 2, 4) by the N-agent
    simulator; then ``runs`` discounted rollouts of ``horizon`` steps (eqs. 3, 5) of the two
    policies of ``limit`` at each N of the Monte Carlo, compared with the exact :math:`J^N`.
    """
    if not isinstance(limit, MeanFieldLimit):
        raise TypeError(f"limit must be a MeanFieldLimit, got {type(limit).__name__}")
    sizes = finite_n_sizes(budget)
    rng = np.random.default_rng(_check_seed(seed))
    model = SchedulingModel()
    empty = _empty(model)
    n_samples = sizes.lemma1_samples
    means, ses = [], []
    for n in sizes.lemma1_n_agents:
        system = NAgentSystem(model, n)
        rules = rng.dirichlet(np.ones(model.n_actions), size=(n, model.n_agent_states))
        profile = np.broadcast_to(rules[:, None], (n, model.n_env_states, model.n_agent_states, model.n_actions))
        x = system.sample_agent_states(rng, n_samples)
        G = system.empirical_mean_field(x, system.sample_actions(profile, np.full(n_samples, empty), x, rng))
        squared = np.abs(G - (model.mu0[None, :, None] * rules).mean(axis=0)).sum(axis=(1, 2)) ** 2
        means.append(n * squared.mean())
        ses.append(n * squared.std() / np.sqrt(n_samples))
    concentration = Concentration(
        n_agents=np.array(sizes.lemma1_n_agents, dtype=np.int64),
        n_samples=n_samples,
        means=np.array(means, dtype=np.float64),
        standard_errors=np.array(ses, dtype=np.float64),
        bound=float(lemma1_bound(model.n_agent_states, model.n_actions, 1)),
    )
    curves = []
    tail = 0.0
    for curve in limit.curves:
        samples = np.stack([NAgentSystem(model, n).rollout(curve.policy, sizes.horizon, sizes.runs, rng, discount=model.gamma)
                            for n in sizes.monte_carlo_n_agents], axis=1)
        values = [symmetric_value(model, curve.policy, n) for n in sizes.monte_carlo_n_agents]
        exact = np.array([v[empty] for v in values])
        tail = max(tail, float(model.gamma) ** sizes.horizon * max(float(np.abs(v).max()) for v in values))
        curves.append(MonteCarloCurve(name=curve.name, samples=samples, exact=exact, limit=curve.limit))
    monte_carlo = MonteCarlo(n_agents=np.array(sizes.monte_carlo_n_agents, dtype=np.int64), runs=sizes.runs, curves=tuple(curves),
                             horizon=sizes.horizon, truncation_bound=tail)
    return SamplingChecks(concentration=concentration, monte_carlo=monte_carlo)


@dataclass(frozen=True)
class Corollary1:
    """The exact finite-N optimum against the lifted MF optimum (Cor. 1, eq. 25) and its averaged profile (Thm 2, eq. 20).

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    optimum : FloatArray, shape (M,)
        :math:`\\sup_{\\boldsymbol\\pi}J^N(\\boldsymbol\\pi)` from empty queues (:func:`mfcode.mfc.finite_n_optimum`).
    lifted : FloatArray, shape (M,)
        :math:`J^N(\\boldsymbol\\pi^N(\\pi^*))`.
    epsilon : FloatArray, shape (M,)
        :math:`\\varepsilon(N)` = optimum - lifted.
    averaging : FloatArray, shape (M,)
        :math:`J^N(\\text{optimal profile}) - J^N(\\text{its averaged policy})`.
    c_over_n : FloatArray, shape (M,)
        The line :math:`c/N` through :math:`\\varepsilon` at the largest N.
    """

    n_agents: IntArray
    optimum: FloatArray
    lifted: FloatArray
    epsilon: FloatArray
    averaging: FloatArray
    c_over_n: FloatArray

    def epsilon_at(self, ns: Sequence[int]) -> dict[str, float]:
        """:math:`\\varepsilon(N)` at the given N, keyed ``"N=<n>"``."""
        return {f"N={n}": float(self.epsilon[_position(self.n_agents, n)]) for n in ns}

    def averaging_at(self, ns: Sequence[int]) -> dict[str, float]:
        """:math:`|J^N(\\text{profile}) - J^N(\\text{average})|` at the given N, keyed ``"N=<n>"``."""
        return {f"N={n}": float(abs(self.averaging[_position(self.n_agents, n)])) for n in ns}

    def finite_n_optimum_at(self, n: int) -> float:
        """:math:`\\sup J^N` at ``N = n``, as :math:`\\varepsilon(N) + J^N(\\boldsymbol\\pi^N(\\pi^*))`."""
        i = _position(self.n_agents, n)
        return float(self.epsilon[i] + self.lifted[i])

    def report(self, ns: Sequence[int]) -> str:
        """One line per N in ``ns``: :math:`\\varepsilon`, :math:`N\\varepsilon` and the averaging gap."""
        lines = []
        for n in ns:
            i = _position(self.n_agents, n)
            lines.append(f"N = {n:4d}: epsilon = {self.epsilon[i]:.5f}, N * epsilon = {n * self.epsilon[i]:.3f}, "
                         f"profile - average = {self.averaging[i]:.5f}")
        return "\n".join(lines)


def corollary1(limit: MeanFieldLimit, budget: str) -> Corollary1:
    """:math:`\\varepsilon(N)` of Cor. 1 and the Thm 2 averaging gap, exactly, over the budget's N.

    The finite-N optimum is the allocation MDP of :func:`mfcode.mfc.finite_n_optimum`; the values of
    its optimal (deterministic, asymmetric) profile and of the averaged policy are
    :func:`mfcode.mfc.profile_value` and :func:`mfcode.mfc.symmetric_value`.
    """
    if not isinstance(limit, MeanFieldLimit):
        raise TypeError(f"limit must be a MeanFieldLimit, got {type(limit).__name__}")
    sizes = finite_n_sizes(budget)
    model = SchedulingModel()
    empty = _empty(model)
    optimum, lifted, epsilon, averaging = [], [], [], []
    for n in sizes.epsilon_n_agents:
        best = finite_n_optimum(model, n)
        mf = symmetric_value(model, limit.mean_field.policy, n)[empty]
        optimum.append(best.V[empty])
        lifted.append(mf)
        epsilon.append(best.V[empty] - mf)
        profile = best.profile()
        averaging.append(profile_value(model, profile)[empty] - symmetric_value(model, profile.mean(axis=0), n)[empty])
    eps = np.array(epsilon, dtype=np.float64)
    N = np.array(sizes.epsilon_n_agents, dtype=np.float64)
    return Corollary1(
        n_agents=np.array(sizes.epsilon_n_agents, dtype=np.int64),
        optimum=np.array(optimum, dtype=np.float64),
        lifted=np.array(lifted, dtype=np.float64),
        epsilon=eps,
        averaging=np.array(averaging, dtype=np.float64),
        c_over_n=eps[-1] * N[-1] / N,
    )
