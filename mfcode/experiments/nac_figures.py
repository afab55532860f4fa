"""The experiments of ``book/nac/figures.ipynb``: 001 Figs. 1–3, NAC against DL-NAC on SIS and LQ, and the LQ population.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §5.1 and App. D. Each function takes the
notebook's parameters and returns a frozen dataclass that the notebook plots and hands to
:func:`mfcode.claims.check`:

- :func:`fig1` (SIS) and :func:`fig2` (LQ), both :func:`compare`: Algorithm 1 ("NAC",
  :func:`mfcode.nac.algorithm.nac`) against the double loop ("DL-NAC", :func:`mfcode.nac.dl_nac.dl_nac`,
  cold and warm restarts), with App. D's step sizes (SIS :math:`\\beta=0.01`, :math:`\\eta=0.05`; LQ
  :math:`\\beta=0.05`, :math:`\\eta=0.1`; critic learning rate 0.001 for both), the stochastic oracles
  (projected TD(0) with that constant rate, warm-started across iterations,
  :class:`~mfcode.nac.td.ProjectedTD`; App. D's empirical natural gradient
  :math:`\\hat F^\\dagger\\hat\\nabla` from episodes, :class:`~mfcode.nac.simulation.EmpiricalNPG`, or
  Algorithm 3, :class:`~mfcode.nac.sgd.ProjectedSGD`), 10 seeds in one batch per run ("All results are
  averaged over 10 runs"), and App. D's exact exploitability
  :math:`\\mathcal E(\\pi_t)=\\max_{\\pi'}V^{\\pi',\\lambda}_{\\mu_{\\pi_t}}(\\rho)-V^{\\pi_t,\\lambda}_{\\mu_{\\pi_t}}(\\rho)` every
  ``score_every`` iterations; beside them the same three algorithms with the exact oracles
  (:class:`~mfcode.nac.exact.ExactCritic`, :class:`~mfcode.nac.exact.ExactActor`), one run each;
- :func:`curve` -- a run's mean exploitability with its 95% Student-t band over the seeds and the numbers the
  claims compare (the largest rise, the total variation and total rise, the iterations to a threshold);
- :func:`fig3` -- the LQ mean field :math:`\\mu_t` under NAC from the uniform distribution (Fig. 3, "LQ
  Evolution"), with its spread on the torus (:func:`torus_spread`) and its entropy;
- :func:`exact_check` -- the sanity check: Algorithm 1 with the exact oracles and App. D's steps against
  the exact regularized NE of :func:`mfcode.mfg.solvers.solve_equilibrium`;
- :func:`open_choices` -- every choice the paper leaves open, the value taken and why.

The features are one-hot (:func:`mfcode.nac.features.one_hot`, the realizable case of 001 §3, footnote
2), the games the chapter's stationary discounted ones (:func:`mfcode.mfg.games.sis`,
:func:`mfcode.mfg.games.lq`, :math:`\\gamma=0.9`) with App. D's raw rewards, and :math:`\\lambda=0.1`
(:data:`TEMPERATURE`). What is batched: the seeds of every run (the leading axis of
:class:`~mfcode.nac.protocol.NACRun`). What is not: the three algorithms and the two oracle kinds, which
are separate calls.

Cost, measured with one BLAS thread (``OPENBLAS_NUM_THREADS=1``) on a shared 2-core machine: the
functions of the page take about 30 s at ``"ci"`` and 4 to 6 minutes at ``"full"``, most of it the
per-sample loops of TD(0) and, on LQ, the empirical actor's batched :math:`175\times175`
pseudoinverses; with a multi-threaded BLAS on a loaded machine those pseudoinverses are many times
slower (LQ at ``"ci"``: about 185 s instead of 11 s).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.mfg import games
from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.solvers import Equilibrium, solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac.algorithm import NACConfig, nac
from mfcode.nac.dl_nac import DLNACConfig, Restart, dl_nac
from mfcode.nac.exact import ExactActor, ExactCritic
from mfcode.nac.features import Features, one_hot
from mfcode.nac.protocol import Actor, Critic, NACRun
from mfcode.nac.schedules import Constant
from mfcode.nac.sgd import ProjectedSGD
from mfcode.nac.simulation import EmpiricalNPG
from mfcode.nac.td import ConstantStepSize, ProjectedTD
from mfcode.plotting import mean_confidence_interval
from mfcode.simplex import entropy
from mfcode.validation import check_bool, check_int, check_real

__all__ = [
    "ACTORS",
    "CRITIC_RATE",
    "N_SEEDS",
    "RADIUS",
    "SIZES",
    "TEMPERATURE",
    "THRESHOLD_FRACTION",
    "Choice",
    "Comparison",
    "Concentration",
    "Curve",
    "ExactCheck",
    "GameSizes",
    "OpenChoices",
    "Sizes",
    "Task",
    "actor_step_norms",
    "compare",
    "curve",
    "exact_check",
    "fig1",
    "fig2",
    "fig3",
    "open_choices",
    "sizes",
    "task",
    "torus_spread",
]

TaskName = Literal["SIS", "LQ"]
ActorName = Literal["empirical", "algorithm3"]

#: "All results are averaged over 10 runs" (001 §5.1 and App. D).
N_SEEDS = 10
#: :math:`\lambda`, the book's (001 gives none); the value of book/mfg for SIS, on App. D's raw rewards.
TEMPERATURE = 0.1
#: App. D: "The learning rate of the critic is set to 0.001 for both algorithms" (both tasks).
CRITIC_RATE = 0.001
#: :math:`R`, the actor's radius (001 gives none): large enough that clipping stays inactive
#: (:meth:`Comparison.clipping` reports :math:`\max_t\|\hat w_t\|_2/R` per run).
RADIUS = 1e4
#: The threshold of "faster convergence": a fraction of the uniform policy's exploitability.
THRESHOLD_FRACTION = 0.1
#: The actors of the simulations: App. D's empirical :math:`\hat F^\dagger\hat\nabla` or Algorithm 3.
ACTORS: tuple[str, ...] = ("empirical", "algorithm3")
#: Expected visits per episode of the empirical actor, :math:`1/(1-\gamma)` at :math:`\gamma=0.9`: the
#: actor gets ``K // 10`` episodes, about as many samples as the critic's ``K``.
_EPISODE_VISITS = 10
#: Algorithm 3's step when chosen: :math:`1/(2\max\|\nabla\log\pi\|_2^2)=1/8`, the largest for which one
#: SGD update never overshoots along its sample's score (App. C's :math:`R/(Q_{\max}\sqrt K)` assumes
#: rewards in [0, 1] and is unstable at :data:`RADIUS`).
_SGD_STEP = 0.125


# ----------------------------------------------------------------------------------------------
# Tasks and budgets
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Task:
    """One of App. D's tasks as the chapter runs it.

    Attributes
    ----------
    name
        "SIS" or "LQ".
    figure
        The paper's figure ("Fig. 1", "Fig. 2").
    game
        The stationary game (:func:`mfcode.mfg.games.sis` or :func:`mfcode.mfg.games.lq`).
    eta, beta
        App. D's policy and mean-field steps (DL-NAC uses ``eta``; its mean-field step is 1).
    segment_length
        DL-NAC's default segment length :math:`M=1/\\beta` (001 gives none): one full step of
        :math:`\\Gamma_2` per segment against :math:`\\beta` of one per NAC iteration, so the two move
        the mean field at the same speed.
    """

    name: str
    figure: str
    game: StationaryMFG
    eta: float
    beta: float
    segment_length: int

    @property
    def features(self) -> Features:
        """One-hot features :math:`\\phi_{s,a}=e_{(s,a)}` (:math:`d=|\\mathcal S||\\mathcal A|`)."""
        return one_hot(*self.game.policy_shape)


def task(name: TaskName) -> Task:
    """App. D's SIS task (Fig. 1) or LQ task (Fig. 2), with its step sizes."""
    if name == "SIS":
        return Task("SIS", "Fig. 1", games.sis(), eta=0.05, beta=0.01, segment_length=100)
    if name == "LQ":
        return Task("LQ", "Fig. 2", games.lq(), eta=0.1, beta=0.05, segment_length=20)
    raise ValueError(f"name must be 'SIS' or 'LQ', got {name!r}")


@dataclass(frozen=True)
class GameSizes:
    """How much one task computes.

    Attributes
    ----------
    iterations
        :math:`T` of the runs of the figure (a multiple of the segment length).
    samples
        :math:`K`, the critic's TD(0) samples per iteration (the empirical actor gets ``K // 10``
        episodes, Algorithm 3 ``K`` samples).
    score_every
        The exploitability is computed every ``score_every`` iterations (and at :math:`T-1`).
    exact_iterations
        :math:`T` of the sanity run with exact oracles (:func:`exact_check`).
    """

    iterations: int
    samples: int
    score_every: int
    exact_iterations: int

    def __post_init__(self) -> None:
        check_int(self.iterations, "iterations", low=1)
        check_int(self.samples, "samples", low=_EPISODE_VISITS)
        check_int(self.score_every, "score_every", low=1, high=self.iterations)
        check_int(self.exact_iterations, "exact_iterations", low=1)


@dataclass(frozen=True)
class Sizes:
    """The sizes of the two tasks at one budget."""

    sis: GameSizes
    lq: GameSizes

    def of(self, name: TaskName) -> GameSizes:
        """The sizes of task ``name``."""
        if name not in ("SIS", "LQ"):
            raise ValueError(f"name must be 'SIS' or 'LQ', got {name!r}")
        return self.sis if name == "SIS" else self.lq


#: The sizes per budget: ``"ci"`` for the tests, ``"full"`` for the book. SIS's :math:`K=1000` keeps the
#: critic's slowest time constant :math:`|\mathcal S||\mathcal A|/(\alpha(1-\gamma)K)=40` iterations below
#: the mean field's :math:`1/\beta=100`; LQ's :math:`K` is what the budget allows (the same rule would need
#: :math:`K\approx10^5`). :math:`T` is where the exact-oracle NAC has nearly converged (full).
SIZES: Mapping[str, Sizes] = MappingProxyType(
    {
        "ci": Sizes(sis=GameSizes(300, 400, 10, 3000), lq=GameSizes(60, 1000, 5, 1000)),
        "full": Sizes(sis=GameSizes(1000, 1000, 10, 3000), lq=GameSizes(300, 6000, 5, 1000)),
    }
)


def sizes(budget: str) -> Sizes:
    """:data:`SIZES` ``[budget]``; ``TypeError``/``ValueError`` naming ``budget`` otherwise."""
    return SIZES[check_budget(budget)]


# ----------------------------------------------------------------------------------------------
# Curves: the band and the numbers the claims compare
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Curve:
    """A run's exploitability over its scored iterations, summarised over the seeds.

    Attributes
    ----------
    name
        The run's name.
    iterations
        ``(K,)`` the scored iterations.
    mean, lower, upper
        ``(K,)`` the mean over the seeds and its 95% Student-t interval (the figure's band).
    largest_rise
        The mean over the seeds of :math:`\\max_k(\\mathcal E_{k+1}-\\mathcal E_k)` over consecutive
        scored iterations (0 for a non-increasing curve): the "zigzag".
    total_variation
        The mean over the seeds of :math:`\\sum_k|\\mathcal E_{k+1}-\\mathcal E_k|` (equal to the drop
        :math:`\\mathcal E_0-\\mathcal E_K` for a non-increasing curve).
    total_rise
        The mean over the seeds of :math:`\\sum_k\\max(\\mathcal E_{k+1}-\\mathcal E_k,0)`, the variation
        beyond the net change (total variation :math:`=` net drop :math:`+2\\times` total rise): 0 for a
        curve that only goes down, whatever its drop (smoothness).
    threshold
        The threshold of :attr:`time_to_threshold`.
    time_to_threshold
        The first scored iteration from which the mean stays at or below ``threshold``; :math:`T`
        (the run's length, a lower bound) if it never does.
    """

    name: str
    iterations: IntArray
    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    largest_rise: float
    total_variation: float
    total_rise: float
    threshold: float
    time_to_threshold: int

    @property
    def final(self) -> tuple[float, float, float]:
        """The last scored iteration's mean and 95% interval ``(mean, lower, upper)``."""
        return float(self.mean[-1]), float(self.lower[-1]), float(self.upper[-1])


def curve(run: NACRun, threshold: float, level: float = 0.95) -> Curve:
    """The :class:`Curve` of ``run`` with ``threshold`` for the time to reach it.

    Raises
    ------
    TypeError, ValueError
        If ``run`` is not a :class:`~mfcode.nac.protocol.NACRun` or ``threshold`` is not a
        non-negative number.
    """
    if not isinstance(run, NACRun):
        raise TypeError(f"run must be a NACRun, got {type(run).__name__}")
    thr = check_real(threshold, "threshold", low=0.0)
    e = run.exploitability
    mean, lower, upper = mean_confidence_interval(e, level)
    steps = np.diff(e, axis=1)
    ups = np.maximum(steps, 0.0)
    rise = float(ups.max(axis=1, initial=0.0).mean())
    tv = float(np.abs(steps).sum(axis=1).mean())
    total_rise = float(ups.sum(axis=1).mean())
    above = np.flatnonzero(mean > thr)
    if above.size == 0:
        reached = int(run.scored_at[0])
    elif above[-1] + 1 < mean.size:
        reached = int(run.scored_at[above[-1] + 1])
    else:
        reached = run.iterations
    return Curve(run.name, run.scored_at, mean, lower, upper, rise, tv, total_rise, thr, reached)


def actor_step_norms(run: NACRun, eta: float, temperature: float) -> FloatArray:
    """:math:`\\|\\hat w_t\\|_2` per seed and iteration, recovered from :math:`\\theta_{t+1}=(1-\\eta\\lambda)\\theta_t+\\eta\\hat w_t`, ``(n, T)``.

    Iterations after which a cold restart set :math:`\\theta\\leftarrow0` (DL-NAC) are NaN: their
    :math:`\\hat w_t` was discarded.
    """
    if not isinstance(run, NACRun) or run.parameters is None:
        raise TypeError("run must be a NACRun of a log-linear actor (with parameters)")
    h = check_real(eta, "eta", low=0.0, low_open=True)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    theta = run.parameters
    w = (theta[:, 1:] - (1.0 - h * lam) * theta[:, :-1]) / h
    norms: FloatArray = np.linalg.norm(w, axis=-1)
    reset = ~theta[:, 1:].any(axis=-1) & theta[:, :-1].any(axis=-1)
    norms[reset] = np.nan
    return norms


# ----------------------------------------------------------------------------------------------
# Figs. 1 and 2
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Comparison:
    """Output of :func:`compare` (:func:`fig1`, :func:`fig2`).

    Attributes
    ----------
    task
        The task.
    temperature, radius
        :math:`\\lambda` and :math:`R`.
    critic_samples, actor
        :math:`K` and the actor used ("empirical" or "algorithm3").
    segment_length
        DL-NAC's :math:`M`.
    reading
        The restart reading of the figure ("cold"); the other is shown beside it.
    nac, dl_cold, dl_warm
        The stochastic runs (``n`` seeds each, one batch per run).
    exact_nac, exact_dl_cold, exact_dl_warm
        The same three with the exact oracles (one run each, the same scored iterations).
    """

    task: Task
    temperature: float
    radius: float
    critic_samples: int
    actor: str
    segment_length: int
    reading: Restart
    nac: NACRun
    dl_cold: NACRun
    dl_warm: NACRun
    exact_nac: NACRun
    exact_dl_cold: NACRun
    exact_dl_warm: NACRun

    @property
    def initial(self) -> float:
        """:math:`\\mathcal E(\\pi_0)`, the uniform policy's exploitability (the same for every seed)."""
        return float(self.nac.exploitability[0, 0])

    @property
    def threshold(self) -> float:
        """:data:`THRESHOLD_FRACTION` times :attr:`initial`."""
        return THRESHOLD_FRACTION * self.initial

    @property
    def figure_dl(self) -> NACRun:
        """The DL-NAC run of the figure's reading."""
        return self.dl_cold if self.reading == "cold" else self.dl_warm

    @property
    def other_dl(self) -> NACRun:
        """The DL-NAC run of the other reading."""
        return self.dl_warm if self.reading == "cold" else self.dl_cold

    @property
    def stochastic(self) -> tuple[NACRun, NACRun, NACRun]:
        """``(nac, dl_cold, dl_warm)``."""
        return self.nac, self.dl_cold, self.dl_warm

    @property
    def exact(self) -> tuple[NACRun, NACRun, NACRun]:
        """``(exact_nac, exact_dl_cold, exact_dl_warm)``."""
        return self.exact_nac, self.exact_dl_cold, self.exact_dl_warm

    def curve(self, run: NACRun) -> Curve:
        """:func:`curve` of ``run`` at :attr:`threshold`."""
        return curve(run, self.threshold)

    @property
    def final_ratio(self) -> float:
        """NAC's final exploitability (upper end of its 95% interval) over :attr:`initial` (claim "converges to 0")."""
        return self.curve(self.nac).final[2] / self.initial

    @property
    def clipping(self) -> dict[str, float]:
        """:math:`\\max_t\\|\\hat w_t\\|_2/R` per run (below 1: the actor's clipping never acted)."""
        labelled = [(run.name, run) for run in self.stochastic] + [(f"{run.name} (exact oracles)", run) for run in self.exact]
        return {label: float(np.nanmax(actor_step_norms(run, self.task.eta, self.temperature))) / self.radius for label, run in labelled}

    @property
    def zigzag(self) -> dict[str, float]:
        """The largest rise of the figure's DL-NAC and of NAC (claim "zigzag")."""
        return {self.figure_dl.name: self.curve(self.figure_dl).largest_rise, "NAC": self.curve(self.nac).largest_rise}

    @property
    def gap(self) -> dict[str, float]:
        """The figure's DL-NAC final lower 95% bound and NAC's upper one (claim "non-zero exploitability gap")."""
        return {
            f"{self.figure_dl.name}, lower 95% bound": self.curve(self.figure_dl).final[1],
            "NAC, upper 95% bound": self.curve(self.nac).final[2],
        }

    @property
    def speed(self) -> dict[str, float]:
        """The iterations to :attr:`threshold` of the figure's DL-NAC and of NAC (claim "faster convergence")."""
        return {
            self.figure_dl.name: float(self.curve(self.figure_dl).time_to_threshold),
            "NAC": float(self.curve(self.nac).time_to_threshold),
        }

    @property
    def smoothness(self) -> dict[str, float]:
        """The total rise of the figure's DL-NAC and of NAC (claim "more smooth learning behavior")."""
        return {self.figure_dl.name: self.curve(self.figure_dl).total_rise, "NAC": self.curve(self.nac).total_rise}

    @property
    def table(self) -> str:
        """One line per run: the final mean exploitability with its interval, the largest rise, the total variation, the time to the threshold."""
        lines = [f"{self.task.name}: initial exploitability {self.initial:.4g}, threshold {self.threshold:.4g}"]
        for run, kind in ((r, "App. D's oracles") for r in self.stochastic):
            c = self.curve(run)
            m, lo, hi = c.final
            lines.append(
                f"  {run.name:<14} ({kind}, {run.n_seeds} seeds): final {m:.4g} [{lo:.4g}, {hi:.4g}], largest rise {c.largest_rise:.4g}, "
                f"total variation {c.total_variation:.4g} (total rise {c.total_rise:.4g}), below threshold from t = {c.time_to_threshold}"
            )
        for run in self.exact:
            c = self.curve(run)
            lines.append(
                f"  {run.name:<14} (exact oracles): final {c.final[0]:.4g}, largest rise {c.largest_rise:.4g}, "
                f"total variation {c.total_variation:.4g} (total rise {c.total_rise:.4g}), below threshold from t = {c.time_to_threshold}"
            )
        return "\n".join(lines)


def _oracles(actor: str, samples: int) -> tuple[Critic, Actor]:
    critic = ProjectedTD(samples, math.inf, ConstantStepSize(CRITIC_RATE))
    if actor == "empirical":
        return critic, EmpiricalNPG(samples // _EPISODE_VISITS)
    if actor == "algorithm3":
        return critic, ProjectedSGD(samples, step=_SGD_STEP)
    raise ValueError(f"actor must be one of {ACTORS}, got {actor!r}")


def compare(
    name: TaskName,
    size: GameSizes,
    *,
    seed: int = 0,
    temperature: float = TEMPERATURE,
    radius: float = RADIUS,
    actor: ActorName = "empirical",
    segment_length: int | None = None,
    reading: Restart = "cold",
    n_seeds: int = N_SEEDS,
    progress: bool = False,
) -> Comparison:
    """NAC against DL-NAC (cold and warm) on task ``name``, with App. D's oracles and with the exact ones.

    Parameters
    ----------
    name
        "SIS" (Fig. 1) or "LQ" (Fig. 2).
    size
        :class:`GameSizes`.
    seed
        Seeds the batch generator of every stochastic run (the same seed for the three).
    temperature, radius
        :math:`\\lambda` and :math:`R`.
    actor
        "empirical" (App. D's :math:`\\hat F^\\dagger\\hat\\nabla`, ``K // 10`` episodes per iteration) or
        "algorithm3" (projected SGD with ``K`` samples).
    segment_length
        DL-NAC's :math:`M` (default: the task's :math:`1/\\beta`); must divide ``size.iterations``.
    reading
        The restart reading the figure shows ("cold" or "warm"; both are run).
    n_seeds
        The seeds of each stochastic run (at least 2, for the band), one batched call.
    progress
        Show tqdm bars.
    """
    t = task(name)
    if not isinstance(size, GameSizes):
        raise TypeError(f"size must be GameSizes, got {type(size).__name__}")
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    r = check_real(radius, "radius", low=0.0, low_open=True)
    length = t.segment_length if segment_length is None else check_int(segment_length, "segment_length", low=1)
    if reading not in ("cold", "warm"):
        raise ValueError(f"reading must be 'cold' or 'warm', got {reading!r}")
    critic, act = _oracles(actor, size.samples)
    feats, steps = t.features, Constant(t.eta)
    nac_config = NACConfig(size.iterations, lam, steps, Constant(t.beta), r, warm_start_critic=True, score_every=size.score_every)

    cold, warm = (
        DLNACConfig(size.iterations, lam, steps, r, length, restart, warm_start_critic=True, score_every=size.score_every)
        for restart in ("cold", "warm")
    )
    check_int(n_seeds, "n_seeds", low=2)
    runs = (
        nac(t.game, feats, critic=critic, actor=act, config=nac_config, n_seeds=n_seeds, seed=seed, progress=progress),
        dl_nac(t.game, feats, critic=critic, actor=act, config=cold, n_seeds=n_seeds, seed=seed, progress=progress),
        dl_nac(t.game, feats, critic=critic, actor=act, config=warm, n_seeds=n_seeds, seed=seed, progress=progress),
    )
    exact_critic, exact_actor = ExactCritic(), ExactActor()
    exact_runs = (
        nac(t.game, feats, critic=exact_critic, actor=exact_actor, config=nac_config, seed=seed),
        dl_nac(t.game, feats, critic=exact_critic, actor=exact_actor, config=cold, seed=seed),
        dl_nac(t.game, feats, critic=exact_critic, actor=exact_actor, config=warm, seed=seed),
    )
    return Comparison(t, lam, r, size.samples, actor, length, reading, *runs, *exact_runs)


def fig1(
    budget: str, *, seed: int = 0, temperature: float = TEMPERATURE, actor: ActorName = "empirical",
    segment_length: int | None = None, progress: bool = False,
) -> Comparison:
    """001 Fig. 1 ("SIS Exploitability"): :func:`compare` on SIS at ``budget``."""
    return compare("SIS", sizes(budget).sis, seed=seed, temperature=temperature, actor=actor, segment_length=segment_length, progress=progress)


def fig2(
    budget: str, *, seed: int = 0, temperature: float = TEMPERATURE, actor: ActorName = "empirical",
    segment_length: int | None = None, progress: bool = False,
) -> Comparison:
    """001 Fig. 2 ("LQ Exploitability"): :func:`compare` on LQ at ``budget``."""
    return compare("LQ", sizes(budget).lq, seed=seed, temperature=temperature, actor=actor, segment_length=segment_length, progress=progress)


# ----------------------------------------------------------------------------------------------
# Fig. 3
# ----------------------------------------------------------------------------------------------


def torus_spread(mean_fields: FloatArray) -> FloatArray:
    """The standard deviation of :math:`\\mu` on the torus :math:`\\mathbb Z/S`, over the last axis, ``(...)``.

    :math:`\\min_c\\big(\\sum_x\\mu(x)\\,\\delta(x,c)^2\\big)^{1/2}` with :math:`\\delta(x,c)=\\min(|x-c|,S-|x-c|)`:
    the spread around the best centre (0 for a point mass; :math:`\\sqrt{2\\sum_{k\\le12}k^2/25}=\\sqrt{52}`
    for the uniform law on 25 points).
    """
    mu = np.asarray(mean_fields, dtype=np.float64)
    if mu.ndim < 1 or mu.shape[-1] < 1:
        raise ValueError(f"mean_fields must have a last axis of states, got shape {mu.shape}")
    s = mu.shape[-1]
    gap = np.abs(np.arange(s)[:, None] - np.arange(s)[None, :])
    delta2 = np.minimum(gap, s - gap).astype(np.float64) ** 2
    out: FloatArray = np.sqrt(np.maximum(mu @ delta2, 0.0).min(axis=-1))
    return out


@dataclass(frozen=True, eq=False)
class Concentration:
    """Output of :func:`fig3`: the LQ population under NAC (001 Fig. 3, "LQ Evolution").

    Attributes
    ----------
    mean_fields
        ``(n, T + 1, S)`` :math:`\\mu_0..\\mu_T` of the stochastic NAC run, per seed.
    exact_mean_fields
        ``(T + 1, S)`` those of NAC with the exact oracles.
    spread, exact_spread
        :func:`torus_spread` of each, ``(n, T + 1)`` and ``(T + 1,)``.
    entropy
        ``(n, T + 1)`` :math:`-\\sum_x\\mu_t(x)\\log\\mu_t(x)` (:math:`\\log25` at the uniform start).
    snapshots
        The iterations the figure shows as profiles.
    """

    mean_fields: FloatArray
    exact_mean_fields: FloatArray
    spread: FloatArray
    exact_spread: FloatArray
    entropy: FloatArray
    snapshots: IntArray

    @property
    def average(self) -> FloatArray:
        """``(T + 1, S)`` the mean over the seeds of :math:`\\mu_t` (the heatmap)."""
        out: FloatArray = self.mean_fields.mean(axis=0)
        return out

    @property
    def spread_ratio(self) -> float:
        """The mean over the seeds of the spread at :math:`T` over the spread at 0 (claim "concentrates")."""
        return float((self.spread[:, -1] / self.spread[:, 0]).mean())

    @property
    def exact_spread_ratio(self) -> float:
        """The same for the exact-oracle run."""
        return float(self.exact_spread[-1] / self.exact_spread[0])

    def time_to_spread(self, fraction: float, *, exact: bool = False) -> int:
        """The first iteration at which the seed-mean spread (``exact``: the exact-oracle run's) is at most ``fraction`` of its start (:math:`T+1` if never)."""
        f = check_real(fraction, "fraction", low=0.0)
        mean = self.exact_spread if check_bool(exact, "exact") else self.spread.mean(axis=0)
        hit = np.flatnonzero(mean <= f * mean[0])
        return int(hit[0]) if hit.size else int(mean.size)


def fig3(comparison: Comparison, n_snapshots: int = 5) -> Concentration:
    """Fig. 3 from the NAC runs of :func:`fig2` (the LQ task), with ``n_snapshots`` evenly spaced profiles from 0 to :math:`T`."""
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be a Comparison, got {type(comparison).__name__}")
    if comparison.task.name != "LQ":
        raise ValueError(f"Fig. 3 shows the LQ task, got {comparison.task.name}")
    k = check_int(n_snapshots, "n_snapshots", low=2)
    mu, exact_mu = comparison.nac.mean_fields, comparison.exact_nac.mean_fields[0]
    horizon = mu.shape[1] - 1
    snaps = np.unique(np.rint(np.linspace(0, horizon, k)).astype(np.int64))
    return Concentration(mu, exact_mu, torus_spread(mu), torus_spread(exact_mu), entropy(mu), snaps)


# ----------------------------------------------------------------------------------------------
# The sanity check: exact oracles against the exact NE
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExactCheck:
    """Output of :func:`exact_check`.

    Attributes
    ----------
    task
        The task.
    run
        Algorithm 1 with the exact oracles and App. D's steps (one run).
    equilibrium
        :func:`~mfcode.mfg.solvers.solve_equilibrium`'s regularized NE (from :math:`\\rho`).
    final_exploitability
        :math:`\\mathcal E(\\pi_{T-1})` of the run.
    equilibrium_exploitability
        :math:`\\mathcal E(\\pi^\\star)` of the solver's NE (0 up to rounding).
    distance
        The last iterate's :math:`D(\\pi^\\star,\\pi_{T-1})+\\|\\mu^\\star-\\mu_T\\|_1` (001 §4's distance,
        :math:`D` weighted by :math:`d^{\\pi^\\star}_{\\mu^\\star}`).
    """

    task: Task
    run: NACRun
    equilibrium: Equilibrium
    final_exploitability: float
    equilibrium_exploitability: float
    distance: float

    @property
    def mean_states(self) -> tuple[float, float]:
        """:math:`\\sum_xx\\,\\mu(x)` of the run's last mean field and of the solver's NE."""
        x = np.arange(self.task.game.n_states, dtype=np.float64)
        return float(x @ self.run.mean_fields[0, -1]), float(x @ self.equilibrium.mean_field)


def exact_check(name: TaskName, budget: str, *, temperature: float = TEMPERATURE, radius: float = RADIUS) -> ExactCheck:
    """Algorithm 1 with the exact oracles, App. D's steps and :math:`T=` ``exact_iterations``, against the exact NE."""
    t = task(name)
    size = sizes(budget).of(name)
    lam = check_real(temperature, "temperature", low=0.0, low_open=True)
    config = NACConfig(size.exact_iterations, lam, Constant(t.eta), Constant(t.beta), radius, score_every=size.exact_iterations)
    run = nac(t.game, t.features, critic=ExactCritic(), actor=ExactActor(), config=config)
    ne = solve_equilibrium(t.game, lam)
    weights = t.game.visitation(ne.policy, ne.mean_field)
    distance = float(np.abs(run.policies[0, -1] - ne.policy).sum(axis=-1) @ weights + np.abs(run.mean_fields[0, -1] - ne.mean_field).sum())
    return ExactCheck(t, run, ne, float(run.exploitability[0, -1]), exploitability(t.game, ne.policy, lam), distance)


# ----------------------------------------------------------------------------------------------
# The choices the paper leaves open
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One open choice: what 001 says, the value the book takes, and why."""

    name: str
    paper: str
    value: str
    reason: str


@dataclass(frozen=True)
class OpenChoices:
    """Output of :func:`open_choices`; Jupyter shows it as an HTML table (:meth:`_repr_html_`)."""

    rows: tuple[Choice, ...]

    def markdown(self) -> str:
        """The rows as a Markdown table (choice, 001, the book's value, why; ``|`` inside a cell escaped)."""
        lines = ["| choice | 001 | value taken | why |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in (c.name, c.paper, c.value, c.reason)) + " |" for c in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("choice", "001", "value taken", "why"))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in (c.name, c.paper, c.value, c.reason)) + "</tr>" for c in self.rows
        )
        return f'<table class="table mfbook-choices"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def open_choices(budget: str) -> OpenChoices:
    """Every choice 001 §5.1 and App. D leave open for Figs. 1–3, with the values of ``budget``."""
    size = sizes(budget)
    sis, lq = task("SIS"), task("LQ")
    rho = sis.game.initial
    return OpenChoices(
        (
            Choice("discount γ", "not given", f"{sis.game.gamma:g} (both tasks)", "the chapter's stationary games"),
            Choice(
                "horizon", "\"Simulations are done in an episodic setting\"", "stationary discounted game; episodes are the samplers' restarts",
                "the theory's setting; the actor's episodes end with probability 1 − γ after each step",
            ),
            Choice(
                "temperature λ", "not given", f"{TEMPERATURE:g} on App. D's raw rewards",
                "book/mfg's value for SIS; on LQ's reward scale the NE is nearly greedy (see the sanity check)",
            ),
            Choice(
                "reward scale", "SIS in [−1.5, 0], LQ unbounded below; the theory assumes [0, 1]", "not rescaled",
                "a shift changes nothing; a scale c is the same as (η/c, cλ) on the raw rewards, i.e. other step sizes than App. D's",
            ),
            Choice(
                "μ₀ and ρ", "LQ uniform (Fig. 3); SIS not given", f"μ₀ = ρ; SIS ρ = ({rho[0]:g}, {rho[1]:g}), LQ uniform",
                "Algorithm 1's initial mean field; an infected share above 0 keeps SIS away from its disease-free fixed point",
            ),
            Choice(
                "LQ actions, noise, boundary", "not given", "actions −3..3, noise the N(0, 1) mass of [k − ½, k + ½], a torus",
                "OpenSpiel's game, the code base of the paper's references [49, 38]",
            ),
            Choice(
                "features φ", "\"linear function approximation\"", f"one-hot (d = {sis.features.dim} on SIS, {lq.features.dim} on LQ)",
                "the realizable case (ε_approx = 0, 001 §3 footnote 2): an exploitability of 0 is reachable",
            ),
            Choice("actor radius R", "not given", f"{RADIUS:g}", "clipping inactive: the page prints max_t ‖ŵ_t‖ / R of every run"),
            Choice("critic radius B", "not given", "∞ (no projection)", "TD(0) on the restart chain is stable; the projection serves the analysis"),
            Choice(
                "critic samples K per iteration", "not given (learning rate 0.001)", f"SIS {size.sis.samples}, LQ {size.lq.samples}",
                "SIS: the critic's slowest time constant |S||A| / (α(1 − γ)K) below the mean field's 1/β; LQ: what the budget allows",
            ),
            Choice("critic start", "Algorithm 2: ψ₀ = 0", "warm: the previous call's averaged ψ", "at rate 0.001 a cold critic cannot learn within one iteration"),
            Choice(
                "actor", "\"empirical trajectory to estimate the policy gradient and the Fisher information matrix\"",
                f"F̂†∇̂ from K/{_EPISODE_VISITS} episodes; Algorithm 3 as an option", "App. D; the episodes hold about K visits, as many as the critic's samples",
            ),
            Choice(
                "DL-NAC segment length M", "not given", f"1/β: SIS {sis.segment_length}, LQ {lq.segment_length}",
                "one full Γ₂ step per segment against β of one per NAC iteration: the same mean-field speed",
            ),
            Choice(
                "DL-NAC restart", "\"learn a new policy from scratch\"", "cold (θ ← 0, critic restarted) in the figures; warm beside",
                "a cold restart makes the sharp spikes App. D describes; a warm one moves θ by at most 2ηR per step",
            ),
            Choice(
                "iterations T", "not given", f"SIS {size.sis.iterations}, LQ {size.lq.iterations}",
                "where the exact-oracle NAC has nearly converged (full); the budget (ci)",
            ),
            Choice("runs", "\"averaged over 10 runs\"", f"{N_SEEDS} seeds, one batch per run", "the paper's number"),
            Choice("error bars", "not described", "95% Student-t interval of the mean over the seeds", "the book's convention"),
            Choice(
                "exploitability", "App. D, exact", f"App. D's, at μ_π reached from ρ, every {size.sis.score_every} (SIS) and {size.lq.score_every} (LQ) iterations",
                "the exact evaluation of SIS costs a fixed-point solve per policy and seed",
            ),
        )
    )
