"""Sparse mean-field load balancing, part 1: the functions of ``book/sparse/`` (seed ``003_99f599d21fa4851c.txt``).

Tahir, Cui, Koeppl, "Sparse Mean Field Load Balancing in Large Localized Queueing Systems" (draft of
Dec. 2023). Everything here is exact simulation or exact computation (no learning; the learned MF-R
policy is part 2):

- :func:`local_convergence`: the depth-2 ball law of each graph family against its local weak limit,
  over growing sizes (§1.3.1, §2.1);
- :func:`evaluate`: replicate episodes of several policies on one graph over a grid of :math:`\\Delta t`,
  with common random numbers across policies and delays (:class:`Curves`);
- :func:`fig3a`, :func:`fig5`, :func:`fig7`, :func:`fig8`, :func:`fig10a`, :func:`fig10b`: the baseline
  curves of the paper's figures (JSQ, RND, OWN; SED in Fig. 10(b));
- :func:`own_exact_vs_simulated`: the exact expected drops per queue of an OWN episode (the modulated
  single-queue chain, :func:`mfcode.queueing.exact.own_episode_drops`) beside the simulated ones;
- :func:`expected_vs_sampled`: the two drop estimates of the simulator (the counted drops and their
  conditional expectation by the matrix exponential) side by side.

Sizes per budget are in :data:`SIZES`: ``"full"`` has the paper's graphs, delays and 100 episodes per
point, ``"ci"`` smaller graphs, fewer delays and episodes. The figures' curves use the expected drops
(:data:`~mfcode.queueing.simulator.DROP_ESTIMATES`), which have the counted drops' mean and cost a few
passes per queue and epoch whatever :math:`\\Delta t`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from scipy import stats
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.queueing import graphs
from mfcode.queueing.exact import own_episode_drops, own_path_drops
from mfcode.queueing.policies import JoinShortestQueue, Policy, SendToOwn, ShortestExpectedDelay, UniformRandom
from mfcode.queueing.simulator import NORMALIZATIONS, episode_regimes, run_episodes
from mfcode.queueing.system import QueueSystem
from mfcode.validation import check_int, check_real

__all__ = [
    "PRINTED_SIZES",
    "SIZES",
    "Curves",
    "EstimateComparison",
    "ExactOwn",
    "FamilyConvergence",
    "LocalConvergence",
    "Sizes",
    "baselines",
    "bethe_tv_limit",
    "episode_spread",
    "evaluate",
    "expected_vs_sampled",
    "fig3a",
    "fig5",
    "fig7",
    "fig8",
    "fig10a",
    "fig10b",
    "largest_difference",
    "local_convergence",
    "own_exact_vs_simulated",
    "ranking_disagreements",
    "significant_difference",
    "sizes",
    "smallest_margin",
]


@dataclass(frozen=True)
class Sizes:
    """How much each experiment computes at one budget.

    Attributes
    ----------
    dts
        The synchronization delays of the :math:`\\Delta t` axes (the paper: 1, 2, ..., 10).
    episodes
        Replicate episodes per point (the paper's Table 1: "I Monte Carlo simulations 100").
    episodes_small
        Replicate episodes on Fig. 3(a)'s 10x10 torus and in :func:`expected_vs_sampled`.
    cycle_sizes
        Fig. 5's :math:`N` (the paper: 9, 21, 91, 901, 3501, 5001).
    fig5_dts
        Fig. 5's delays (the paper's text names 1, 3, 5, 7 and 10).
    cycle_n, ccc_order, torus_order, cm_n, bethe_depth
        The graphs of Figs. 7 and 8 (the paper: 5001, 9 (4608 nodes), 70 (4900), 5001, 11 (6142)).
    fig10_torus_order
        The torus of Fig. 10 (the paper does not say its size).
    lwc_scale
        How far the local-convergence sizes go (number of sizes per family taken from the list).
    estimate_sizes
        The cycles on which :func:`expected_vs_sampled` compares the two drop estimates.
    """

    dts: tuple[float, ...]
    episodes: int
    episodes_small: int
    cycle_sizes: tuple[int, ...]
    fig5_dts: tuple[float, ...]
    cycle_n: int
    ccc_order: int
    torus_order: int
    cm_n: int
    bethe_depth: int
    fig10_torus_order: int
    lwc_scale: int
    estimate_sizes: tuple[int, ...]


#: The sizes per budget: ``"ci"`` for the tests, ``"full"`` for the book.
SIZES: Mapping[str, Sizes] = MappingProxyType(
    {
        "ci": Sizes((1.0, 5.0, 10.0), 6, 20, (9, 21, 91), (1.0, 5.0, 10.0), 501, 6, 20, 501, 8, 10, 4, (21, 201)),
        "full": Sizes(
            tuple(float(d) for d in range(1, 11)), 100, 100, (9, 21, 91, 901, 3501, 5001), (1.0, 3.0, 5.0, 7.0, 10.0),
            5001, 9, 70, 5001, 11, 30, 6, (21, 901),
        ),
    }
)

#: The sizes the paper prints next to the formula's (003 §2.3 and the caption of Fig. 3(a)):
#: ``(what is printed, order, printed N, formula N)``.
PRINTED_SIZES: tuple[tuple[str, int, int, int], ...] = (
    ("CCC training graph, 'o_c = 5, N = 125'", 5, 125, graphs.ccc_nodes(5)),
    ("TORUS training graph, 'o_t = 11, N = 111'", 11, 111, graphs.torus_nodes(11)),
    ("Fig. 3(a) torus, 'o_t = 100, N = 100'", 100, 100, graphs.torus_nodes(100)),
    ("Fig. 7(b) CCC, 'N = 4608'", 9, 4608, graphs.ccc_nodes(9)),
    ("Fig. 7(c) TORUS, 'o_t = 70, N = 4900'", 70, 4900, graphs.torus_nodes(70)),
    ("BETHE training graph, 'o_b = 5, N = 94'", 5, 94, graphs.bethe_nodes(5)),
    ("Fig. 8 BETHE, 'o_b = 11, N = 6142'", 11, 6142, graphs.bethe_nodes(11)),
)


def sizes(budget: str) -> Sizes:
    """:data:`SIZES` ``[budget]``; ``TypeError``/``ValueError`` naming ``budget`` otherwise."""
    return SIZES[check_budget(budget)]


# ----------------------------------------------------------------------------------------------
# Local weak convergence (003 §1.3.1, §2.1)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyConvergence:
    """One family over growing sizes: the size ``parameter`` (:math:`N`, order or depth) of each member, its
    ``n_nodes``, the total-variation distance ``tv`` of its depth-2 ball law to the limit's, and its share of leaves."""

    family: str
    parameter: IntArray
    n_nodes: IntArray
    tv: FloatArray
    leaf_fraction: FloatArray


@dataclass(frozen=True)
class LocalConvergence:
    """:class:`FamilyConvergence` per family (``cycle``, ``torus``, ``ccc``, ``cm``, ``bethe``)."""

    families: Mapping[str, FamilyConvergence]

    def table(self) -> str:
        """One line per family: the sizes and the distances to the limit."""
        lines = []
        for name, fam in self.families.items():
            cells = ", ".join(f"N={n}: {tv:.4f}" for n, tv in zip(fam.n_nodes.tolist(), fam.tv.tolist(), strict=True))
            lines.append(f"{name:6s} TV to the limit's depth-2 ball law: {cells}")
        return "\n".join(lines)


def bethe_tv_limit(depth: int) -> float:
    """The exact distance of the Bethe lattice's depth-2 ball law to the 3-regular tree's: the share of nodes within two levels of the leaves.

    Nodes at depth :math:`\\le o_b-2` see the 3-regular tree's ball; there are
    :math:`1+3(2^{o_b-2}-1)` of them among :math:`1+3(2^{o_b}-1)`, so the distance tends to 3/4.
    """
    o = check_int(depth, "depth", low=2)
    return 1.0 - graphs.bethe_nodes(o - 2) / graphs.bethe_nodes(o) if o > 2 else 1.0 - 1.0 / graphs.bethe_nodes(o)


def local_convergence(budget: str, seed: int) -> LocalConvergence:
    """Empirical depth-2 ball laws vs :math:`N` for each family against its local weak limit (Bethe: against the 3-regular tree)."""
    scale = sizes(budget).lwc_scale
    s = check_int(seed, "seed", low=0)
    builders: dict[str, tuple[Callable[[int], graphs.Graph], tuple[int, ...]]] = {
        "cycle": (graphs.cycle, (4, 5, 6, 9, 101, 5001)),
        "torus": (graphs.torus, (3, 4, 5, 6, 10, 70)),
        "ccc": (graphs.cube_connected_cycles, (3, 4, 5, 6, 7, 9)),
        "cm": (lambda n: graphs.configuration_model(n, s), (20, 100, 1000, 5001, 20000, 100000)),
        "bethe": (graphs.bethe_lattice, (2, 3, 5, 8, 11, 14)),
    }
    out: dict[str, FamilyConvergence] = {}
    for family, (build, params) in builders.items():
        limit = graphs.limit_ball_law(family)
        members = [build(p) for p in params[:scale]]
        out[family] = FamilyConvergence(
            family,
            np.array(params[:scale], dtype=np.int64),
            np.array([g.n_nodes for g in members], dtype=np.int64),
            np.array([graphs.total_variation(graphs.ball_law(g), limit) for g in members]),
            np.array([float(np.mean(g.degree == 1)) for g in members]),
        )
    return LocalConvergence(MappingProxyType(out))


# ----------------------------------------------------------------------------------------------
# Baseline curves over the synchronization delay
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curves:
    """Drops per queue of several policies on one graph over :math:`\\Delta t`.

    Attributes
    ----------
    graph
        The graph's name.
    names
        The policies, in the order of the first axis.
    dts
        ``(D,)`` the delays.
    per_episode
        ``(P, R, D)``: drops per queue summed over the epochs of each episode.
    episode_times
        ``(D,)``: the time an episode covers at each delay (:math:`T\\Delta t` for :math:`T` epochs, or the
        fixed span of :meth:`~mfcode.queueing.system.QueueSystem.spanning`).
    estimate
        The drop estimate, one of :data:`~mfcode.queueing.simulator.DROP_ESTIMATES`.
    """

    graph: str
    names: tuple[str, ...]
    dts: FloatArray
    per_episode: FloatArray
    episode_times: FloatArray
    estimate: str

    def drops(self, normalization: str) -> FloatArray:
        """``(P, R, D)`` in the normalization of :data:`~mfcode.queueing.simulator.NORMALIZATIONS`."""
        if normalization == "per-episode":
            return self.per_episode
        if normalization == "per-50-time-units":
            scaled: FloatArray = self.per_episode * 50.0 / self.episode_times
            return scaled
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")

    def mean(self, name: str, normalization: str) -> FloatArray:
        """``(D,)`` the mean over episodes of one policy."""
        mean: FloatArray = self.drops(normalization)[self.names.index(name)].mean(axis=0)
        return mean

    def half_width(self, name: str, normalization: str, level: float = 0.95) -> FloatArray:
        """``(D,)`` the Student-t half-width of :meth:`mean` at ``level``."""
        return _t_half_width(self.drops(normalization)[self.names.index(name)], level)

    def paired_gap(self, worse: str, better: str, normalization: str, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
        """``(D,)`` mean of ``worse - better`` over paired episodes (common random numbers) and its CI half-width."""
        d = self.drops(normalization)
        diff = d[self.names.index(worse)] - d[self.names.index(better)]
        gap: FloatArray = diff.mean(axis=0)
        return gap, _t_half_width(diff, level)


def _t_half_width(sample: FloatArray, level: float) -> FloatArray:
    """Student-t half-width of the mean over axis 0 (zeros for a single episode)."""
    r = sample.shape[0]
    if r < 2:
        return np.zeros(sample.shape[1:])
    half: FloatArray = stats.t.ppf(0.5 + level / 2.0, df=r - 1) * sample.std(axis=0, ddof=1) / np.sqrt(r)
    return half


def evaluate(
    graph: graphs.Graph,
    policies: Sequence[Policy],
    dts: Sequence[float],
    *,
    n_episodes: int,
    seed: int,
    drops: str,
    system: QueueSystem | None = None,
    service_rates: FloatArray | None = None,
    span: float | None = None,
) -> Curves:
    """``n_episodes`` episodes of each policy at each :math:`\\Delta t`, all with the same seed (common random numbers).

    ``system`` gives every parameter but :math:`\\Delta t` (default: 003 Table 1); ``drops`` the drop
    estimate (:data:`~mfcode.queueing.simulator.DROP_ESTIMATES`); ``span``, when given, makes each
    episode cover that many time units (:meth:`~mfcode.queueing.system.QueueSystem.spanning`) instead of
    ``system.horizon`` epochs.
    """
    base = QueueSystem() if system is None else system
    grid = np.array([check_real(d, "dts", low=0.0, low_open=True) for d in dts])
    if grid.size < 1:
        raise ValueError("dts must not be empty")
    r = check_int(n_episodes, "n_episodes", low=2)
    systems = [replace(base, dt=float(dt)) for dt in grid]
    if span is not None:
        systems = [sys_k.spanning(span) for sys_k in systems]
    out = np.empty((len(policies), r, grid.size))
    for p, policy in enumerate(policies):
        for k, system_k in enumerate(systems):
            batch = run_episodes(graph, policy, system_k, n_episodes=r, seed=seed, service_rates=service_rates, drops=drops)
            out[p, :, k] = batch.drops_per_queue("per-episode")
    times = np.array([sys_k.duration for sys_k in systems])
    return Curves(graph.name, tuple(pol.name for pol in policies), grid, out, times, drops)


def baselines() -> tuple[Policy, ...]:
    """JSQ (ties uniform), RND, OWN: the baselines of 003 Figs. 3, 5, 7, 8."""
    return (JoinShortestQueue(), UniformRandom(), SendToOwn())


def fig3a(budget: str, seed: int, *, drops: str = "expected", span: float | None = None) -> Curves:
    """Fig. 3(a): JSQ vs :math:`\\Delta t` on the 10x10 torus (the caption's "o_t = 100, N = 100"; :math:`N=100` needs :math:`o_t=10`).

    ``span=None``: episodes of 50 epochs; ``span=50.0``: episodes of 50 time units.
    """
    size = sizes(budget)
    return evaluate(graphs.torus(10), (JoinShortestQueue(),), (*size.dts,), n_episodes=size.episodes_small, seed=seed,
                    drops=drops, span=span)


def fig5(budget: str, seed: int, *, drops: str = "expected") -> dict[int, Curves]:
    """Fig. 5: JSQ, RND, OWN on CYC-1D for each :math:`N`."""
    size = sizes(budget)
    return {
        n: evaluate(graphs.cycle(n), baselines(), size.fig5_dts, n_episodes=size.episodes, seed=seed, drops=drops)
        for n in tqdm(size.cycle_sizes, desc="Fig. 5 sizes", leave=False)
    }


def fig7(budget: str, seed: int, *, drops: str = "expected") -> dict[str, Curves]:
    """Fig. 7(a-d): JSQ, RND, OWN on CYC-1D, CCC, TORUS and CM over :math:`\\Delta t`."""
    size = sizes(budget)
    members = {
        "CYC-1D": graphs.cycle(size.cycle_n),
        "CCC": graphs.cube_connected_cycles(size.ccc_order),
        "TORUS": graphs.torus(size.torus_order),
        "CM": graphs.configuration_model(size.cm_n, seed),
    }
    return {
        name: evaluate(graph, baselines(), size.dts, n_episodes=size.episodes, seed=seed, drops=drops)
        for name, graph in tqdm(members.items(), desc="Fig. 7 graphs", leave=False)
    }


def fig8(budget: str, seed: int, *, drops: str = "expected") -> Curves:
    """Fig. 8: JSQ, RND, OWN on the Bethe lattice (:math:`o_b=11`, :math:`N=6142` at ``full``)."""
    size = sizes(budget)
    return evaluate(graphs.bethe_lattice(size.bethe_depth), baselines(), size.dts, n_episodes=size.episodes, seed=seed,
                    drops=drops)


def fig10a(budget: str, seed: int, *, drops: str = "expected") -> Curves:
    """Fig. 10(a)'s baselines: :math:`B=20`, :math:`\\lambda\\equiv1`, :math:`T=200`, TORUS, :math:`\\Delta t=5`."""
    size = sizes(budget)
    system = QueueSystem(dt=5.0, buffer=20, arrival_rates=(1.0, 1.0), horizon=200)
    graph = graphs.torus(size.fig10_torus_order)
    return evaluate(graph, baselines(), (5.0,), n_episodes=size.episodes, seed=seed, drops=drops, system=system)


def fig10b(budget: str, seed: int, *, drops: str = "expected") -> Curves:
    """Fig. 10(b)'s baselines: servers fast (rate 2) or slow (rate 1) with probability 1/2, TORUS, SED added."""
    size = sizes(budget)
    graph = graphs.torus(size.fig10_torus_order)
    rates = np.where(np.random.default_rng(check_int(seed, "seed", low=0)).random(graph.n_nodes) < 0.5, 2.0, 1.0)
    policies = (ShortestExpectedDelay(), *baselines())
    return evaluate(graph, policies, size.dts, n_episodes=size.episodes, seed=seed, drops=drops, service_rates=rates)


def smallest_margin(curves: Mapping[str, Curves], best: str, others: Sequence[str], normalization: str, index: int = 0) -> float:
    """The smallest, over graphs, of :math:`\\min_{o\\in\\text{others}}\\bar J_o-\\bar J_{\\text{best}}` at ``dts[index]``.

    Positive when ``best`` has the fewest mean drops on every graph.
    """
    margins = []
    for c in curves.values():
        rivals = min(float(c.mean(o, normalization)[index]) for o in others)
        margins.append(rivals - float(c.mean(best, normalization)[index]))
    return min(margins)


def largest_difference(curves: Mapping[str, Curves], first: str, second: str, normalization: str) -> float:
    """The largest :math:`|\\bar J_{\\text{first}}-\\bar J_{\\text{second}}|` over graphs and delays."""
    return max(float(np.max(np.abs(c.mean(first, normalization) - c.mean(second, normalization)))) for c in curves.values())


def significant_difference(curves: Curves, worse: str, better: str, normalization: str) -> float:
    """The largest, over delays, of :math:`|\\text{paired gap}|` minus its 95% half-width: positive when some gap is resolved."""
    gap, half = curves.paired_gap(worse, better, normalization)
    return float(np.max(np.abs(gap) - half))


def episode_spread(by_size: Mapping[int, Curves], name: str, normalization: str) -> tuple[IntArray, FloatArray]:
    """The sizes ``(S,)`` and the standard deviation over episodes ``(S, D)`` of one policy's drops: the common noise."""
    ordered = sorted(by_size)
    spread = np.array([by_size[n].drops(normalization)[by_size[n].names.index(name)].std(axis=0, ddof=1) for n in ordered])
    return np.array(ordered, dtype=np.int64), spread


def ranking_disagreements(by_size: Mapping[int, Curves], first: str, second: str, normalization: str) -> int:
    """Corollary 1.1 on the cycle: the number of (size, delay) pairs whose resolved sign of ``first - second`` differs from the largest size's.

    A sign is *resolved* where the paired gap exceeds its 95% half-width.
    """
    sizes_sorted = sorted(by_size)
    gap, half = by_size[sizes_sorted[-1]].paired_gap(first, second, normalization)
    reference = np.sign(gap) * (np.abs(gap) > half)
    count = 0
    for n in sizes_sorted[:-1]:
        g, h = by_size[n].paired_gap(first, second, normalization)
        resolved = np.abs(g) > h
        count += int(np.sum(resolved & (reference != 0) & (np.sign(g) != reference)))
    return count


# ----------------------------------------------------------------------------------------------
# The exact OWN value beside the simulated one
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactOwn:
    """Exact and simulated drops per queue over one 50-epoch OWN episode (from empty queues, :math:`\\lambda_0` uniform).

    Per delay ``dts[k]``: ``exact[k]`` the exact expected value (:func:`~mfcode.queueing.exact.own_episode_drops`),
    ``simulated[k]`` the mean over episodes and ``half_width[k]`` its 99% Student-t half-width (wide: the
    shared arrival rate makes episodes differ); ``path_gap[k]`` the mean over episodes of simulated minus
    exact-given-the-episode's-regime-path (:func:`~mfcode.queueing.exact.own_path_drops`) and
    ``path_half_width[k]`` its 99% half-width (narrow: only the queues' own randomness is left).
    """

    dts: FloatArray
    exact: FloatArray
    simulated: FloatArray
    half_width: FloatArray
    path_gap: FloatArray
    path_half_width: FloatArray
    n_nodes: int
    n_episodes: int


def own_exact_vs_simulated(budget: str, seed: int, dts: Sequence[float] = (1.0, 10.0)) -> ExactOwn:
    """The exact per-queue episode value of OWN (modulated single-queue chain) beside a simulation of it on the cycle.

    The simulation counts the drops (uniformization, no matrix exponential), so the comparison tests the
    event sampler against :func:`~mfcode.queueing.exact.epoch_kernel`.
    """
    size = sizes(budget)
    graph = graphs.cycle(size.cycle_n)
    r = size.episodes
    rows = []
    for d in dts:
        system = QueueSystem(dt=check_real(d, "dts", low=0.0, low_open=True))
        batch = run_episodes(graph, SendToOwn(), system, n_episodes=r, seed=seed, drops="sampled")
        sample = batch.drops_per_queue("per-episode")
        gap = sample - own_path_drops(system, batch.regimes).sum(axis=1)
        rows.append((system.dt, own_episode_drops(system).sum(), sample.mean(), float(_t_half_width(sample, 0.99)),
                     gap.mean(), float(_t_half_width(gap, 0.99))))
    dt, exact, simulated, half, path_gap, path_half = np.array(rows).T
    return ExactOwn(dt, exact, simulated, half, path_gap, path_half, graph.n_nodes, r)


# ----------------------------------------------------------------------------------------------
# The two drop estimates side by side
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateComparison:
    """Counted and expected drops of the same policies and delays on cycles of several sizes.

    ``sampled[n]`` and ``expected[n]`` (:class:`Curves`, JSQ then OWN) share the seed, so each episode of
    one has the regime path of the same episode of the other; their queue events differ.
    ``exact_own[n]`` ``(R, D)`` is OWN's exact expected drops per queue of each episode given its regime
    path (:func:`~mfcode.queueing.exact.own_path_drops`), the value both OWN estimates scatter around.
    """

    sampled: Mapping[int, Curves]
    expected: Mapping[int, Curves]
    exact_own: Mapping[int, FloatArray]

    @property
    def sizes(self) -> IntArray:
        """``(S,)`` the cycles' :math:`N`."""
        return np.array(sorted(self.sampled), dtype=np.int64)

    def gap_ratio(self, normalization: str, family_level: float = 0.99) -> float:
        """The largest :math:`|\\overline{\\text{sampled}-\\text{expected}}|` / its half-width over sizes, policies and delays.

        Differences are paired on the regime path; the half-widths are Bonferroni-corrected so that
        all of them hold together at ``family_level``. At most 1: the estimates have the same mean.
        """
        count = sum(c.per_episode.shape[0] * c.per_episode.shape[2] for c in self.sampled.values())
        level = 1.0 - (1.0 - check_real(family_level, "family_level", low=0.0, high=1.0, low_open=True, high_open=True)) / count
        ratios = []
        for n, counted in self.sampled.items():
            diff = counted.drops(normalization) - self.expected[n].drops(normalization)  # (P, R, D)
            half = np.stack([_t_half_width(d, level) for d in diff])
            ratios.append(float(np.max(np.abs(diff.mean(axis=1)) / half)))
        return max(ratios)

    def own_residuals(self, n: int, estimate: str) -> FloatArray:
        """``(R, D)``: OWN's estimate (``"sampled"`` or ``"expected"``) minus the exact value given the regime path, per episode."""
        curves = {"sampled": self.sampled, "expected": self.expected}[estimate][n]
        residual: FloatArray = curves.per_episode[curves.names.index("OWN")] - self.exact_own[n]
        return residual

    def spread_ratio(self) -> float:
        """Root mean square of OWN's residuals around the exact path value, expected over counted, pooled over sizes, delays, episodes."""
        counted = np.concatenate([self.own_residuals(int(n), "sampled").ravel() for n in self.sizes])
        expected = np.concatenate([self.own_residuals(int(n), "expected").ravel() for n in self.sizes])
        return float(np.sqrt(np.mean(expected**2) / np.mean(counted**2)))


def expected_vs_sampled(budget: str, seed: int) -> EstimateComparison:
    """JSQ and OWN on the cycles of ``estimate_sizes`` at Fig. 5's delays, with counted and with expected drops."""
    size = sizes(budget)
    policies = (JoinShortestQueue(), SendToOwn())
    r = size.episodes_small
    runs = {
        drops: {
            n: evaluate(graphs.cycle(n), policies, size.fig5_dts, n_episodes=r, seed=seed, drops=drops)
            for n in size.estimate_sizes
        }
        for drops in ("sampled", "expected")
    }
    exact = np.stack(
        [own_path_drops(s, episode_regimes(s, r, seed)).sum(axis=1) for s in (QueueSystem(dt=d) for d in size.fig5_dts)],
        axis=1,
    )
    return EstimateComparison(
        MappingProxyType(runs["sampled"]), MappingProxyType(runs["expected"]), MappingProxyType(dict.fromkeys(size.estimate_sizes, exact))
    )
