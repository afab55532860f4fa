"""Lemma 1 and Theorems 1-2 of seed 002 over many policies: the experiments of ``book/mfc/checks/theorems.ipynb``.

Seed ``002_7da79a39441e57df.txt``, Sec. IV. Everything runs on the two-queue scheduling instance
:class:`~mfcode.mfc.SchedulingModel` (Table I, choices I1-I8, :math:`|\\mathcal X| = 3`,
:math:`|\\mathcal U| = 2`, :math:`\\gamma = 0.99`) and reports values from empty queues.

- :func:`tail_study`: the tail bounds of Lemma 1 (ii),
  :math:`\\mathbb P(\\|\\mathbb G^N-\\mathbb E\\mathbb G^N\\|_1\\ge\\epsilon)\\le|\\mathcal X|^2|\\mathcal U|^2/(4\\epsilon^2N)`,
  and of eq. (24),
  :math:`\\mathbb P(\\|\\mathbb G^N_{\\hat\\pi}-\\mathbb G^N_{\\boldsymbol\\pi}\\|_1\\ge\\epsilon)\\le|\\mathcal X|^2|\\mathcal U|^2/(\\epsilon^2N)`,
  by Monte Carlo with the N-agent simulator (eqs. 1, 2, 4) and Clopper-Pearson intervals;
- :func:`mean_identities`: eq. (18) (:math:`\\mathbb E\\mathbb G^N_\\pi = \\mathbb G_\\pi`) and eq. (23)
  (a profile and its averaged policy have equal expected empirical distributions), both sides
  computed exactly from the law of the cell counts (:func:`mfcode.mfc.finite_n.count_law`);
- :func:`uniform_convergence`: Theorem 1 (eq. 14) for many policies at once: the exact
  :math:`|J^N(\\boldsymbol\\pi^N(\\pi)) - J(\\pi)|` of random decision-rule policies, JSQ and the grid
  MFC optimum, their largest value over the policies against the derived :math:`O(N^{-1/2})` bound
  (:func:`mfcode.mfc.bounds.theorem1_bound`);
- :func:`averaging_study`: Theorem 2 (eq. 20) for many asymmetric profiles: exact
  :math:`|J^N(\\pi^1,\\dots,\\pi^N) - J^N(\\boldsymbol\\pi^N(\\hat\\pi))|`.

The sizes of every budget live in :data:`THEOREMS_SIZES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.mfc import (
    MFCMDP,
    NAgentSystem,
    SchedulingModel,
    finite_n_optimum,
    jsq_policy,
    profile_value,
    solve_mfc_mdp_on_grid,
    state_action_mean_field,
    symmetric_value,
)
from mfcode.mfc.bounds import scheduling_lipschitz, theorem1_bound
from mfcode.mfc.combinatorics import compositions
from mfcode.mfc.finite_n import count_law, vertex_rules
from mfcode.mfc.model import validate_decision_rule
from mfcode.validation import check_int

__all__ = [
    "THEOREMS_SIZES",
    "AveragingStudy",
    "MeanIdentities",
    "TailStudy",
    "TheoremsSizes",
    "UniformConvergence",
    "averaging_study",
    "expected_empirical_distribution",
    "mean_identities",
    "random_policies",
    "tail_study",
    "theorems_sizes",
    "uniform_convergence",
]

#: Draws of the N-agent simulator held in memory at once (samples x agents).
_CHUNK_AGENTS = 2_000_000


# ---------------------------------------------------------------------------------------- budgets
@dataclass(frozen=True)
class TheoremsSizes:
    """Sizes of ``theorems.ipynb`` at one budget.

    Attributes
    ----------
    resolution : int
        Grid resolution of the MFC optimum :math:`\\pi^*` (:func:`mfcode.mfc.solve_mfc_mdp_on_grid`).
    tail_n_agents : tuple of int
        The N of the tail checks (Lemma 1 (ii), eq. 24); ``tail_samples`` draws of :math:`\\mathbb G^N` each.
    epsilons : tuple of float
        The thresholds :math:`\\epsilon` of the tail checks.
    exact_n_agents : tuple of int
        The N of the exact mean identities (eqs. 18, 23); the cell-count law has ``binom(N+5, 5)`` atoms.
    n_profiles : int
        Random rules (eq. 18) and random profiles (eq. 23) per N.
    convergence_n_agents : tuple of int
        The N of the exact :math:`J^N` curves (Thm 1); the rate is fitted over ``N >= fit_from``.
    averaging_n_agents : tuple of int
        The N of the exact profile-versus-average gaps (Thm 2).
    n_policies : int
        Random decision-rule policies (Thm 1) besides JSQ and :math:`\\pi^*`.
    """

    resolution: int
    tail_n_agents: tuple[int, ...]
    tail_samples: int
    exact_n_agents: tuple[int, ...]
    convergence_n_agents: tuple[int, ...]
    averaging_n_agents: tuple[int, ...]
    epsilons: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5)
    n_profiles: int = 5
    n_policies: int = 10
    fit_from: int = 10


THEOREMS_SIZES: Mapping[str, TheoremsSizes] = {
    "ci": TheoremsSizes(
        resolution=200,
        tail_n_agents=(10, 100, 1000),
        tail_samples=4000,
        exact_n_agents=(1, 2, 5, 8),
        convergence_n_agents=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
        averaging_n_agents=(1, 2, 10, 100, 1000),
    ),
    "full": TheoremsSizes(
        resolution=2000,
        tail_n_agents=(10, 30, 100, 300, 1000),
        tail_samples=20000,
        exact_n_agents=(1, 2, 3, 5, 8, 12),
        convergence_n_agents=(1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000),
        averaging_n_agents=(1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000),
    ),
}
"""Budget -> sizes of ``theorems.ipynb`` (ci: under a minute on two cores; full: a few minutes at most)."""


def theorems_sizes(budget: str) -> TheoremsSizes:
    """The sizes of ``theorems.ipynb`` at ``budget`` (``"ci"`` or ``"full"``)."""
    return THEOREMS_SIZES[check_budget(budget)]


def _rng(seed: object, stream: int) -> np.random.Generator:
    """An independent generator per study (``stream``), all derived from the page's ``seed``."""
    return np.random.default_rng([check_int(seed, "seed", low=0), stream])


def _empty(model: SchedulingModel) -> int:
    """Index of the environment state with both queues empty (choice I5)."""
    return int(model.env_index(np.array([0, 0])))


def _position(n_agents: IntArray, n: int) -> int:
    hits = np.flatnonzero(n_agents == check_int(n, "n"))
    if hits.size == 0:
        raise ValueError(f"n must be one of {n_agents.tolist()}, got {n}")
    return int(hits[0])


def _agent_counts(n_agents: Sequence[int], fit_from: int) -> tuple[int, ...]:
    """Check a list of N (integers >= 1, increasing, at least two >= ``fit_from``)."""
    if isinstance(n_agents, (str, bytes)) or not isinstance(n_agents, Sequence):
        raise TypeError(f"n_agents must be a sequence of int, got {type(n_agents).__name__}")
    ns = tuple(check_int(n, "n_agents", low=1) for n in n_agents)
    if any(b <= a for a, b in pairwise(ns)):
        raise ValueError(f"n_agents must increase strictly, got {list(ns)}")
    if sum(n >= fit_from for n in ns) < 2:
        raise ValueError(f"n_agents must hold at least two N >= {fit_from} (the slope is fitted over them), got {list(ns)}")
    return ns


def _slope(n_agents: IntArray, values: FloatArray, fit_from: int) -> float:
    """Least-squares log-log slope of ``values`` over ``N >= fit_from``."""
    fit = n_agents >= fit_from
    return float(np.polyfit(np.log(n_agents[fit].astype(np.float64)), np.log(values[fit]), 1)[0])


def random_policies(model: SchedulingModel, count: int, seed: int) -> FloatArray:
    """``count`` random stationary policies :math:`\\pi:\\mathcal X^0\\to\\mathcal H`, ``(count, X0, X, U)``.

    Every row :math:`\\pi(x^0)(x)` is drawn uniformly from the simplex :math:`\\mathcal P(\\mathcal U)`
    (Dirichlet(1, ..., 1)), independently over :math:`x^0` and :math:`x`.
    """
    if not isinstance(model, SchedulingModel):
        raise TypeError(f"model must be a SchedulingModel, got {type(model).__name__}")
    k = check_int(count, "count", low=1)
    rng = _rng(seed, 0)
    out: FloatArray = rng.dirichlet(np.ones(model.n_actions), size=(k, model.n_env_states, model.n_agent_states))
    return out


# ---------------------------------------------------------------------------- eqs. (18) and (23)
def expected_empirical_distribution(model: SchedulingModel, rules: ArrayLike) -> FloatArray:
    """Exact :math:`\\mathbb E[\\mathbb G^N]` of N independent agents with one-step rules ``rules`` ``(N, X, U)``.

    Agent ``i`` has state :math:`x^i\\sim\\mu_0` and action :math:`u^i\\sim h^i(x^i)` (eqs. 1-2); the cell
    counts :math:`N\\mathbb G^N` (eq. 4) have the law :func:`mfcode.mfc.finite_n.count_law` of the
    agents' cell probabilities :math:`\\mu_0(x)h^i(x,u)` over all :math:`|\\mathcal X||\\mathcal U|` cells,
    and the result is the mean of that law divided by N (not the closed form of eq. 18, which it is
    compared with). Cost: ``binom(N + XU - 1, XU - 1)`` count vectors.

    Returns
    -------
    FloatArray, shape (X, U)
    """
    if not isinstance(model, SchedulingModel):
        raise TypeError(f"model must be a SchedulingModel, got {type(model).__name__}")
    h = validate_decision_rule(rules, model.n_agent_states, model.n_actions, name="rules")
    if h.ndim != 3:
        raise ValueError(f"rules must have shape (N, {model.n_agent_states}, {model.n_actions}), got {h.shape}")
    n = h.shape[0]
    cells = model.n_agent_states * model.n_actions
    per_agent = state_action_mean_field(model.mu0, h).reshape(n, cells)
    law = count_law(per_agent)
    out: FloatArray = (law @ compositions(n, cells)).reshape(model.n_agent_states, model.n_actions) / n
    return out


@dataclass(frozen=True)
class MeanIdentities:
    """Eqs. (18) and (23), exactly: largest cell error over ``n_profiles`` random rules/profiles per N.

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    n_profiles : int
    eq18_error : FloatArray, shape (M,)
        :math:`\\max_{h,x,u}|\\mathbb E[\\mathbb G^N_\\pi(x,u)] - \\mu_0(x)h(x,u)|` for lifted random rules ``h``.
    eq23_error : FloatArray, shape (M,)
        :math:`\\max|\\mathbb E[\\mathbb G^N_{\\hat\\pi}] - \\mathbb E[\\mathbb G^N_{\\boldsymbol\\pi}]|` for random
        profiles of different rules (both sides from the exact count laws).
    wrong_average : FloatArray, shape (M,)
        The same difference with the first agent's rule in place of the average (a wrong averaging):
        how large an error the eq. (23) check detects.
    """

    n_agents: IntArray
    n_profiles: int
    eq18_error: FloatArray
    eq23_error: FloatArray
    wrong_average: FloatArray

    @property
    def max_eq18(self) -> float:
        """Largest eq. (18) error over N."""
        return float(self.eq18_error.max())

    @property
    def max_eq23(self) -> float:
        """Largest eq. (23) error over N."""
        return float(self.eq23_error.max())

    def report(self) -> str:
        """One line per N."""
        return "\n".join(
            f"N = {n:3d}:  eq. (18) error {a:.1e},  eq. (23) error {b:.1e},  first agent's rule instead of the average: {c:.3f}"
            for n, a, b, c in zip(self.n_agents, self.eq18_error, self.eq23_error, self.wrong_average, strict=True)
        )


def mean_identities(budget: str, seed: int) -> MeanIdentities:
    """Eqs. (18) and (23) for the budget's N, ``n_profiles`` random (Dirichlet) rules and profiles each.

    Eq. (18): N agents with the same rule ``h``; :func:`expected_empirical_distribution` against
    :math:`\\mathbb G(\\mu_0,h)` (eq. 9). Eq. (23): N agents with different rules :math:`h^i` against N
    agents with the averaged rule :math:`\\hat h = \\frac1N\\sum_i h^i`, both by
    :func:`expected_empirical_distribution`.
    """
    sizes = theorems_sizes(budget)
    rng = _rng(seed, 1)
    model = SchedulingModel()
    X, U = model.n_agent_states, model.n_actions
    e18, e23, wrong = [], [], []
    for n in sizes.exact_n_agents:
        err18 = err23 = off = 0.0
        for _ in range(sizes.n_profiles):
            h = rng.dirichlet(np.ones(U), size=X)
            lifted = expected_empirical_distribution(model, np.broadcast_to(h, (n, X, U)))
            err18 = max(err18, float(np.abs(lifted - state_action_mean_field(model.mu0, h)).max()))
            profile = rng.dirichlet(np.ones(U), size=(n, X))
            left = expected_empirical_distribution(model, profile)
            right = expected_empirical_distribution(model, np.broadcast_to(profile.mean(axis=0), (n, X, U)))
            err23 = max(err23, float(np.abs(left - right).max()))
            first = expected_empirical_distribution(model, np.broadcast_to(profile[0], (n, X, U)))
            off = max(off, float(np.abs(left - first).max()))
        e18.append(err18)
        e23.append(err23)
        wrong.append(off)
    return MeanIdentities(
        n_agents=np.array(sizes.exact_n_agents, dtype=np.int64),
        n_profiles=sizes.n_profiles,
        eq18_error=np.array(e18, dtype=np.float64),
        eq23_error=np.array(e23, dtype=np.float64),
        wrong_average=np.array(wrong, dtype=np.float64),
    )


# --------------------------------------------------------------------- Lemma 1 (ii) and eq. (24)
@dataclass(frozen=True)
class TailStudy:
    """Empirical tail frequencies of an :math:`\\ell_1` deviation against a Chebyshev bound.

    Attributes
    ----------
    name : str
        ``"lemma1"`` (:math:`\\|\\mathbb G^N - \\mathbb E\\mathbb G^N\\|_1`, Lemma 1 (ii)) or ``"eq24"``
        (:math:`\\|\\mathbb G^N_{\\hat\\pi} - \\mathbb G^N_{\\boldsymbol\\pi}\\|_1`, eq. 24).
    n_agents : IntArray, shape (M,)
    epsilons : FloatArray, shape (E,)
    n_samples : int
        Independent draws per N.
    hits : IntArray, shape (M, E)
        Draws with deviation :math:`\\ge\\epsilon`.
    bound : FloatArray, shape (M, E)
        The paper's bound :math:`c/(\\epsilon^2N)`, ``c`` = 9 (Lemma 1 (ii)) or 36 (eq. 24).
    constant : float
        ``c``.
    mean_square : FloatArray, shape (M,)
        :math:`N\\,\\mathbb E[\\text{deviation}^2]` (Monte Carlo), against ``constant`` (Lemma 1 (i) and the
        second-moment line before eq. 24).
    level : float
        Confidence level of the Clopper-Pearson intervals.
    """

    name: str
    n_agents: IntArray
    epsilons: FloatArray
    n_samples: int
    hits: IntArray
    bound: FloatArray
    constant: float
    mean_square: FloatArray
    level: float = 0.95

    @property
    def frequency(self) -> FloatArray:
        """Empirical tail frequencies, ``(M, E)``."""
        out: FloatArray = self.hits / self.n_samples
        return out

    @property
    def lower(self) -> FloatArray:
        """Clopper-Pearson lower confidence limits, ``(M, E)``."""
        a = (1.0 - self.level) / 2.0
        out: FloatArray = np.where(self.hits > 0, stats.beta.ppf(a, self.hits, self.n_samples - self.hits + 1), 0.0)
        return out

    @property
    def upper(self) -> FloatArray:
        """Clopper-Pearson upper confidence limits, ``(M, E)``."""
        a = (1.0 - self.level) / 2.0
        out: FloatArray = np.where(self.hits < self.n_samples,
                                   stats.beta.ppf(1.0 - a, self.hits + 1, self.n_samples - self.hits), 1.0)
        return out

    @property
    def informative(self) -> IntArray:
        """Mask (0/1) of the pairs (N, epsilon) where the bound is below 1 (elsewhere it says nothing)."""
        out: IntArray = (self.bound < 1.0).astype(np.int64)
        return out

    @property
    def n_informative(self) -> int:
        """Number of pairs where the bound is below 1."""
        return int(self.informative.sum())

    @property
    def max_excess(self) -> float:
        """Largest upper confidence limit minus bound over the informative pairs (<= 0: the bound holds)."""
        mask = self.informative.astype(bool)
        if not mask.any():
            raise ValueError("no pair (N, epsilon) has a bound below 1")
        return float((self.upper - self.bound)[mask].max())

    @property
    def max_ratio(self) -> float:
        """Largest upper confidence limit over bound, informative pairs (how much of the bound is used)."""
        mask = self.informative.astype(bool)
        return float((self.upper / self.bound)[mask].max())

    @property
    def scaled_epsilons(self) -> FloatArray:
        """:math:`\\epsilon\\sqrt N`, ``(M, E)``: the bound is :math:`c/(\\epsilon\\sqrt N)^2`, one curve for all N."""
        out: FloatArray = self.epsilons[None, :] * np.sqrt(self.n_agents.astype(np.float64))[:, None]
        return out

    def report(self) -> str:
        """One line per N: the second moment and the informative pairs."""
        lines = []
        up = self.upper
        for i, n in enumerate(self.n_agents):
            pairs = "; ".join(f"eps={e:g}: frequency {self.frequency[i, j]:.4f}, 95% upper {up[i, j]:.4f}, bound {self.bound[i, j]:.3f}"
                              for j, e in enumerate(self.epsilons) if self.bound[i, j] < 1.0)
            lines.append(f"N = {n:4d}: N * E[dev^2] = {self.mean_square[i]:.3f} (c = {self.constant:g}); {pairs or 'no informative eps'}")
        return "\n".join(lines)


def _sample_G(system: NAgentSystem, rules: FloatArray, n_samples: int, rng: np.random.Generator) -> FloatArray:
    """``n_samples`` draws of :math:`\\mathbb G^N` (eq. 4) of one-step rules ``(N, X, U)`` by the simulator (eqs. 1-2)."""
    model = system.model
    n = system.n_agents
    profile = np.broadcast_to(rules[:, None], (n, model.n_env_states, *rules.shape[1:]))
    out = []
    chunk = max(1, _CHUNK_AGENTS // n)
    for start in range(0, n_samples, chunk):
        size = min(chunk, n_samples - start)
        x = system.sample_agent_states(rng, size)
        u = system.sample_actions(profile, np.zeros(size, dtype=np.int64), x, rng)
        out.append(system.empirical_mean_field(x, u))
    return np.concatenate(out)


def tail_study(budget: str, seed: int, which: str) -> TailStudy:
    """Lemma 1 (ii) (``which="lemma1"``) or eq. (24) (``which="eq24"``) by Monte Carlo.

    For each N a profile of N different random rules :math:`h^i` (Dirichlet) is drawn. ``"lemma1"``:
    ``tail_samples`` draws of :math:`\\mathbb G^N` of the profile and their distance to
    :math:`\\mathbb E\\mathbb G^N = \\mu_0(x)\\frac1N\\sum_i h^i(x,u)` (eqs. 18, 23). ``"eq24"``: independent
    draws of :math:`\\mathbb G^N_{\\boldsymbol\\pi}` (the profile) and :math:`\\mathbb G^N_{\\hat\\pi}` (every agent
    with the averaged rule) and their distance. Counts of deviations :math:`\\ge\\epsilon` per epsilon.
    """
    if which not in ("lemma1", "eq24"):
        raise ValueError(f"which must be 'lemma1' or 'eq24', got {which!r}")
    sizes = theorems_sizes(budget)
    rng = _rng(seed, 2 if which == "lemma1" else 3)
    model = SchedulingModel()
    X, U = model.n_agent_states, model.n_actions
    eps = np.array(sizes.epsilons, dtype=np.float64)
    constant = float((X * U) ** 2 / (4.0 if which == "lemma1" else 1.0))
    hits, mean_square = [], []
    for n in sizes.tail_n_agents:
        system = NAgentSystem(model, n)
        rules = rng.dirichlet(np.ones(U), size=(n, X))
        G = _sample_G(system, rules, sizes.tail_samples, rng)
        if which == "lemma1":
            other = np.broadcast_to(state_action_mean_field(model.mu0, rules.mean(axis=0)), G.shape)
        else:
            other = _sample_G(system, np.broadcast_to(rules.mean(axis=0), rules.shape).copy(), sizes.tail_samples, rng)
        dev = np.abs(G - other).sum(axis=(1, 2))
        hits.append((dev[:, None] >= eps[None, :]).sum(axis=0))
        mean_square.append(n * float(np.mean(dev**2)))
    N = np.array(sizes.tail_n_agents, dtype=np.int64)
    return TailStudy(
        name=which,
        n_agents=N,
        epsilons=eps,
        n_samples=sizes.tail_samples,
        hits=np.array(hits, dtype=np.int64),
        bound=constant / (eps[None, :] ** 2 * N[:, None].astype(np.float64)),
        constant=constant,
        mean_square=np.array(mean_square, dtype=np.float64),
    )


# -------------------------------------------------------------------------------------- Theorem 1
@dataclass(frozen=True)
class UniformConvergence:
    """Theorem 1 (eq. 14) over many lifted policies: exact :math:`J^N` against :math:`J` from empty queues.

    Attributes
    ----------
    names : tuple of str
        ``"optimum"`` (grid MFC optimum :math:`\\pi^*`), ``"jsq"``, ``"random 1"``, ...
    limits : FloatArray, shape (P,)
        :math:`J(\\pi)` in the MFC MDP.
    n_agents : IntArray, shape (M,)
    values : FloatArray, shape (P, M)
        Exact :math:`J^N(\\boldsymbol\\pi^N(\\pi))` (:func:`mfcode.mfc.symmetric_value`).
    bound : FloatArray, shape (M,)
        The derived :math:`O(N^{-1/2})` bound (:func:`mfcode.mfc.bounds.theorem1_bound`).
    trivial_bound : float
        :math:`2R/(1-\\gamma)`: any two values of rewards bounded by R (Prop. 1) differ by at most this.
    slope : float
        Log-log slope of the largest gap over the policies, ``N >= fit_from``.
    fit_from : int
    """

    names: tuple[str, ...]
    limits: FloatArray
    n_agents: IntArray
    values: FloatArray
    bound: FloatArray
    trivial_bound: float
    slope: float
    fit_from: int

    @property
    def gaps(self) -> FloatArray:
        """:math:`|J^N(\\boldsymbol\\pi^N(\\pi)) - J(\\pi)|`, ``(P, M)``."""
        out: FloatArray = np.abs(self.values - self.limits[:, None])
        return out

    @property
    def sup_gap(self) -> FloatArray:
        """Largest gap over the policies, per N (a lower bound of the supremum over all of :math:`\\Pi`)."""
        out: FloatArray = self.gaps.max(axis=0)
        return out

    @property
    def worst(self) -> tuple[str, ...]:
        """The policy attaining :math:`\\max_\\pi` at each N."""
        return tuple(self.names[i] for i in self.gaps.argmax(axis=0))

    def sup_gaps_at(self, ns: Sequence[int]) -> dict[str, float]:
        """The largest gaps at the given N, keyed ``"N=<n>"``."""
        return {f"N={n}": float(self.sup_gap[_position(self.n_agents, n)]) for n in ns}

    @property
    def bound_slack(self) -> float:
        """Derived bound over the largest measured gap at the largest N."""
        return float(self.bound[-1] / self.sup_gap[-1])

    @property
    def bound_vacuous(self) -> bool:
        """Whether the derived bound exceeds the trivial bound :math:`2R/(1-\\gamma)` at every N of the study (so it cannot fail there)."""
        return bool(np.all(self.bound > self.trivial_bound))

    def report(self, ns: Sequence[int]) -> str:
        """One line per N in ``ns``: the largest gap, the policy attaining it, N times it, and the bound."""
        lines = []
        for n in ns:
            i = _position(self.n_agents, n)
            lines.append(f"N = {n:4d}: max gap {self.sup_gap[i]:.4f} ({self.worst[i]}), N * max gap = {n * self.sup_gap[i]:.2f}, "
                         f"derived bound {self.bound[i]:.3g}")
        return "\n".join(lines)


def uniform_convergence(budget: str, seed: int, n_agents: Sequence[int] | None = None) -> UniformConvergence:
    """Exact :math:`|J^N - J|` of the MFC optimum, JSQ and ``n_policies`` random policies over the budget's N.

    ``n_agents`` replaces the budget's N (at least two of them ``>= fit_from``, for the slope).
    """
    sizes = theorems_sizes(budget)
    ns = _agent_counts(sizes.convergence_n_agents if n_agents is None else n_agents, sizes.fit_from)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    empty = _empty(model)
    policies = [solve_mfc_mdp_on_grid(mdp, sizes.resolution).policy, jsq_policy(model), *random_policies(model, sizes.n_policies, seed)]
    names = ("optimum", "jsq", *(f"random {k + 1}" for k in range(sizes.n_policies)))
    N = np.array(ns, dtype=np.int64)
    values = np.array([[symmetric_value(model, pi, int(n))[empty] for n in N] for pi in policies])
    limits = np.array([mdp.policy_value(pi)[empty] for pi in policies])
    lipschitz = scheduling_lipschitz(model)
    sup_gap = np.abs(values - limits[:, None]).max(axis=0)
    return UniformConvergence(
        names=names,
        limits=limits,
        n_agents=N,
        values=values,
        bound=theorem1_bound(model.n_agent_states, model.n_actions, N.astype(np.float64), model.gamma, lipschitz),
        trivial_bound=2.0 * lipschitz.R / (1.0 - model.gamma),
        slope=_slope(N, sup_gap, sizes.fit_from),
        fit_from=sizes.fit_from,
    )


# -------------------------------------------------------------------------------------- Theorem 2
@dataclass(frozen=True)
class AveragingStudy:
    """Theorem 2 (eq. 20) over several asymmetric profiles: exact :math:`J^N` of each profile and of its average.

    Attributes
    ----------
    names : tuple of str
        The profiles: ``"finite-N optimum"`` (the optimal deterministic profile of
        :func:`mfcode.mfc.finite_n_optimum`), ``"alternating"`` (agents alternate between the two
        deterministic rules "queue 1"/"queue 2" when both are accessible), ``"random vertex"``
        (each agent draws one of those rules per environment state), ``"random mixture"`` (agent
        ``i`` uses random policy ``i mod K`` of :func:`random_policies`).
    n_agents : IntArray, shape (M,)
    profile_values, average_values : FloatArray, shape (P, M)
        :math:`J^N(\\pi^1,\\dots,\\pi^N)` and :math:`J^N(\\boldsymbol\\pi^N(\\hat\\pi))` from empty queues.
    slope : float
        Log-log slope of the largest gap over the profiles, ``N >= fit_from``.
    """

    names: tuple[str, ...]
    n_agents: IntArray
    profile_values: FloatArray
    average_values: FloatArray
    slope: float

    @property
    def gaps(self) -> FloatArray:
        """:math:`|J^N(\\text{profile}) - J^N(\\text{average})|`, ``(P, M)``."""
        out: FloatArray = np.abs(self.profile_values - self.average_values)
        return out

    @property
    def sup_gap(self) -> FloatArray:
        """Largest gap over the profiles, per N."""
        out: FloatArray = self.gaps.max(axis=0)
        return out

    @property
    def worst(self) -> tuple[str, ...]:
        """The profile attaining the largest gap at each N."""
        return tuple(self.names[i] for i in self.gaps.argmax(axis=0))

    def sup_gaps_at(self, ns: Sequence[int]) -> dict[str, float]:
        """The largest gaps at the given N, keyed ``"N=<n>"``."""
        return {f"N={n}": float(self.sup_gap[_position(self.n_agents, n)]) for n in ns}

    def report(self, ns: Sequence[int]) -> str:
        """One line per N in ``ns``."""
        lines = []
        for n in ns:
            i = _position(self.n_agents, n)
            lines.append(f"N = {n:4d}: max gap {self.sup_gap[i]:.5f} ({self.worst[i]}), N * max gap = {n * self.sup_gap[i]:.3f}")
        return "\n".join(lines)


def averaging_study(budget: str, seed: int, n_agents: Sequence[int] | None = None) -> AveragingStudy:
    """Exact profile-versus-average gaps of four kinds of asymmetric profile over the budget's N (eq. 20).

    Values by :func:`mfcode.mfc.profile_value` (profile: Poisson-binomial class counts) and
    :func:`mfcode.mfc.symmetric_value` (average: binomial counts). ``n_agents`` replaces the budget's
    N (at least two of them ``>= fit_from``, for the slope).
    """
    sizes = theorems_sizes(budget)
    ns = _agent_counts(sizes.averaging_n_agents if n_agents is None else n_agents, sizes.fit_from)
    rng = _rng(seed, 4)
    model = SchedulingModel()
    empty = _empty(model)
    rules = vertex_rules(model)  # (2, X, U): "queue 1" / "queue 2" for the both-access agents
    mixture = random_policies(model, sizes.n_policies, seed)
    names = ("finite-N optimum", "alternating", "random vertex", "random mixture")
    X0 = model.n_env_states
    prof_vals, avg_vals = [], []
    for n in ns:
        profiles = (
            finite_n_optimum(model, n).profile(),
            np.broadcast_to(rules[np.arange(n) % rules.shape[0]][:, None], (n, X0, *rules.shape[1:])),
            rules[rng.integers(rules.shape[0], size=(n, X0))],
            mixture[np.arange(n) % sizes.n_policies],
        )
        prof_vals.append([profile_value(model, p)[empty] for p in profiles])
        avg_vals.append([symmetric_value(model, p.mean(axis=0), n)[empty] for p in profiles])
    N = np.array(ns, dtype=np.int64)
    profile_values = np.array(prof_vals, dtype=np.float64).T
    average_values = np.array(avg_vals, dtype=np.float64).T
    return AveragingStudy(
        names=names,
        n_agents=N,
        profile_values=profile_values,
        average_values=average_values,
        slope=_slope(N, np.abs(profile_values - average_values).max(axis=0), sizes.fit_from),
    )
