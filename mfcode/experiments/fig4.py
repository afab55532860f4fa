"""Fig. 4 of seed ``002_7da79a39441e57df.txt`` (Sec. VI): learned MF / NA / PS policies against the exact optimum.

The functions behind ``book/mfc/fig4.ipynb``, in the order of the page:

- :func:`load_or_train_learners` -- the learners: the paper-scale artifact of
  :mod:`mfcode.rl.train_mfc` at the full budget (:func:`~mfcode.rl.artifact.load_artifact`), or the
  ``ci`` smoke run (:func:`~mfcode.rl.training.train_all`) when it is absent or at budget ``ci``;
- :func:`mfc_mdp_values` -- values in the MFC MDP from empty queues of the learned MF rule, of JSQ
  and of the exact optimum :math:`V^*` (Bellman equation, eqs. 26-28, on a decision-rule grid);
- :func:`decision_rule_tables` -- Fig. 4(b): :math:`h(x^0)(\\text{queue 1}\\mid\\text{access to both})`
  against the fillings :math:`(b_0, b_1)`;
- :func:`learning_curve` -- the exact value of the MF learner after each PPO iteration;
- :func:`fig4a` -- Fig. 4(a): exact :math:`J^N` (Thm. 1's finite-N values, eq. 7) and Monte Carlo
  returns of every method against N, with the exact finite-N optimum (Def. 1);
- :func:`limit_approach` -- :math:`|J(\\pi_{\\mathrm{PPO}}) - J^N(\\pi_{\\mathrm{PPO}})|` over N
  (Thm. 2: uniform convergence to the MFC MDP).

JSQ is scored as the learners were when they were trained (:func:`mfcode.rl.evaluation.evaluate_n_agent`
over the learner budget's ``eval_horizon`` with its ``n_eval_runs`` runs); its Monte Carlo runs draw
from one generator ``default_rng(seed)``, N after N in the order of ``n_agents``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mfcode.arrays import FloatArray, IntArray
from mfcode.experiments.budget import check_budget
from mfcode.experiments.mfc import rule_monotonicity_violation
from mfcode.mfc import (
    MFCMDP,
    DPResult,
    SchedulingModel,
    finite_n_optimum,
    jsq_policy,
    solve_mfc_mdp_on_grid,
    symmetric_value,
)
from mfcode.rl.artifact import load_artifact
from mfcode.rl.budget import BUDGETS, Budget
from mfcode.rl.evaluation import evaluate_n_agent
from mfcode.rl.training import train_all
from mfcode.validation import check_int

__all__ = [
    "GRID_RESOLUTION",
    "DecisionRuleTables",
    "Fig4a",
    "GapTrend",
    "LearnedPolicies",
    "LearningCurve",
    "LimitApproach",
    "LimitCurves",
    "MFCMDPValues",
    "MethodSeries",
    "TrainingPlateau",
    "decision_rule_tables",
    "fig4a",
    "learned_policies",
    "learning_curve",
    "limit_approach",
    "limit_curves",
    "load_or_train_learners",
    "mfc_mdp_values",
    "training_plateau",
]

#: Resolution ``n`` of the decision-rule grid :math:`\mathcal H_n` of the exact MFC optimum, per notebook budget.
GRID_RESOLUTION: dict[str, int] = {"ci": 200, "full": 2000}

#: Agent state "access to both queues" and action "queue 1" of :class:`~mfcode.mfc.SchedulingModel` (Fig. 4(b)).
_BOTH, _QUEUE_1 = 2, 0


def _empty(model: SchedulingModel) -> int:
    """Index of the environment state with both queues empty (the start state :math:`\\mu^0_0`)."""
    return int(model.env_index(np.zeros(model.n_queues, dtype=np.int64)))


@dataclass(frozen=True)
class LearnedPolicies:
    """The learners of Fig. 4 and their evaluations (the arrays of :mod:`mfcode.rl.artifact`).

    Attributes
    ----------
    budget_name
        ``"full"`` (paper-scale, from the artifact) or ``"ci"`` (the smoke run); the budget at which
        the learned-policy claims are recorded.
    budget
        :data:`~mfcode.rl.budget.BUDGETS` of ``budget_name``: N values, Monte Carlo runs and horizon.
    description
        What the page says about the learners (artifact commit, parts and run times, or the smoke run).
    mf_policy, mf_policy_avg
        ``(X0, X, U)``: the MF rule from the Gaussian mean, and averaged over 500 Gaussian samples.
    curve_steps, curve_objective, curve_objective_stochastic
        Per PPO iteration: MFC-MDP steps, exact J of the deterministic and of the Gaussian policy.
    n_agents, n_agents_trained
        The N of the budget, and those at which NA and PS were trained.
    exact_mf, eval_mf
        ``(len(n_agents),)`` exact :math:`J^N` of the MF rule and ``(len(n_agents), runs)`` Monte Carlo returns.
    exact_na, eval_na, exact_ps, eval_ps
        The same for NA and PS at ``n_agents_trained``.
    returns_na, returns_ps
        One ``(iterations,)`` array per N of ``n_agents_trained``: the mean episode return of the
        training batches after each PPO iteration (averaged over NA's N learners); empty when the
        arrays hold no training curves.
    """

    budget_name: str
    budget: Budget
    description: str
    mf_policy: FloatArray
    mf_policy_avg: FloatArray
    curve_steps: IntArray
    curve_objective: FloatArray
    curve_objective_stochastic: FloatArray
    n_agents: IntArray
    n_agents_trained: IntArray
    exact_mf: FloatArray
    eval_mf: FloatArray
    exact_na: FloatArray
    eval_na: FloatArray
    exact_ps: FloatArray
    eval_ps: FloatArray
    returns_na: tuple[FloatArray, ...] = ()
    returns_ps: tuple[FloatArray, ...] = ()


def _training_returns(arrays: Mapping[str, NDArray[Any]], mode: str) -> tuple[FloatArray, ...]:
    """``<mode>_curve_return_N<n>`` averaged over the learners, per trained N; ``()`` if any is missing."""
    trained = np.asarray(arrays["n_agents_trained"], dtype=np.int64).tolist()
    keys = [f"{mode}_curve_return_N{n}" for n in trained]
    if not keys or any(k not in arrays for k in keys):
        return ()
    return tuple(np.asarray(arrays[k], dtype=np.float64).reshape(len(arrays[k]), -1).mean(axis=1) for k in keys)


def learned_policies(arrays: Mapping[str, NDArray[Any]], budget_name: str, description: str = "") -> LearnedPolicies:
    """The :class:`LearnedPolicies` of artifact arrays (keys of :mod:`mfcode.rl.artifact`, as merged by ``combine``)."""
    if not isinstance(budget_name, str) or budget_name not in BUDGETS:
        raise ValueError(f"budget_name must be one of {sorted(BUDGETS)}, got {budget_name!r}")
    if not isinstance(description, str):
        raise TypeError(f"description must be a str, got {type(description).__name__}")
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of artifact keys to arrays, got {type(arrays).__name__}")
    keys = ("mf_policy", "mf_policy_avg", "mf_curve_steps", "mf_curve_objective", "mf_curve_objective_stochastic",
            "n_agents", "n_agents_trained", "exact_mf", "eval_mf", "exact_na", "eval_na", "exact_ps", "eval_ps")
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"arrays lack the artifact keys {missing}")

    def floats(key: str) -> FloatArray:
        return np.asarray(arrays[key], dtype=np.float64)

    def ints(key: str) -> IntArray:
        return np.asarray(arrays[key], dtype=np.int64)

    learned = LearnedPolicies(
        budget_name=budget_name, budget=BUDGETS[budget_name], description=description,
        mf_policy=floats("mf_policy"), mf_policy_avg=floats("mf_policy_avg"),
        curve_steps=ints("mf_curve_steps"), curve_objective=floats("mf_curve_objective"),
        curve_objective_stochastic=floats("mf_curve_objective_stochastic"),
        n_agents=ints("n_agents"), n_agents_trained=ints("n_agents_trained"),
        exact_mf=floats("exact_mf"), eval_mf=floats("eval_mf"), exact_na=floats("exact_na"), eval_na=floats("eval_na"),
        exact_ps=floats("exact_ps"), eval_ps=floats("eval_ps"),
        returns_na=_training_returns(arrays, "na"), returns_ps=_training_returns(arrays, "ps"),
    )
    if learned.exact_mf.shape != learned.n_agents.shape or learned.exact_na.shape != learned.n_agents_trained.shape:
        raise ValueError("arrays: exact_mf must have one value per n_agents and exact_na one per n_agents_trained")
    if not set(learned.n_agents_trained.tolist()) <= set(learned.n_agents.tolist()):
        raise ValueError("arrays: n_agents_trained must be a subset of n_agents")
    return learned


def load_or_train_learners(budget: str, seed: int, artifact_dir: Path | str) -> LearnedPolicies:
    """The learners of Fig. 4: the paper-scale artifact at budget ``"full"``, else the ``ci`` smoke run.

    At ``budget="full"`` the artifact of ``python -m mfcode.rl.train_mfc --budget full`` in
    ``artifact_dir`` (the book's ``artifacts/mfc``) is loaded, its parts merged
    (``require_all=False``: NA and PS only at the N trained). Without it, and always at
    ``budget="ci"``, the ``ci`` smoke run is trained here (:func:`~mfcode.rl.training.train_all`,
    tens of seconds), never hours of paper-scale training.
    """
    budget = check_budget(budget)
    seed = check_int(seed, "seed", low=0)
    if not isinstance(artifact_dir, (str, Path)):
        raise TypeError(f"artifact_dir must be a str or Path, got {type(artifact_dir).__name__}")
    directory = Path(artifact_dir)
    loaded = load_artifact(directory, budget, seed, require_all=False) if budget == "full" else None
    if loaded is None:
        arrays, info = train_all(BUDGETS["ci"], seed=seed)
        lines = [f"learners: the ci smoke run, trained in this notebook ({info['times_s']}, device {info['device']})"]
        if budget == "full":
            lines.append(f"paper-scale artifact in {directory.name}/ not found: the learned-policy results and")
            lines.append("their claims below are the smoke run's (recorded at budget 'ci'); the exact results are at full resolution.")
        return learned_policies(arrays, "ci", "\n".join(lines))
    arrays, provenance = loaded
    lines = [f"learners: paper-scale artifact in artifacts/mfc, commit {provenance['git_commit']}, device {provenance['device']}, "
             f"{provenance['wall_time_s'] / 60:.0f} min of training in {len(provenance['parts'])} parts"]
    lines += [f"  {part['command']}  ({part['wall_time_s'] / 60:.0f} min)" for part in provenance["parts"]]
    if provenance["missing_n"]:
        lines.append(f"  NA and PS not trained at N = {provenance['missing_n']} (no part in the artifact): "
                     "those N show MF, JSQ and the optimum only")
    return learned_policies(arrays, "full", "\n".join(lines))


@dataclass(frozen=True)
class MFCMDPValues:
    """Values in the MFC MDP from empty queues, :math:`V^\\pi(x^0_{\\mathrm{empty}})` (eq. 9).

    Attributes
    ----------
    optimum
        The exact optimum on the grid :math:`\\mathcal H_n` (:func:`~mfcode.mfc.solve_mfc_mdp_on_grid`).
    jsq
        ``(X0, X, U)``: the JSQ policy table.
    optimum_value, mf_value, mf_avg_value, jsq_value
        :math:`V^*`, the learned MF rule (Gaussian mean), the averaged rule of Fig. 4(b), JSQ.
    """

    optimum: DPResult
    jsq: FloatArray
    optimum_value: float
    mf_value: float
    mf_avg_value: float
    jsq_value: float

    @property
    def relative_gap(self) -> float:
        """:math:`(J^* - J(\\pi_{\\mathrm{PPO}})) / |J^*|` (claim ``mfc-queue-ppo-competitive-with-jsq``)."""
        return self._gap_to_optimum(self.mf_value)

    def _gap_to_optimum(self, value: float) -> float:
        """:math:`(J^* - J) / |J^*|` of a value ``J`` in the MFC MDP."""
        return (self.optimum_value - value) / abs(self.optimum_value)

    @property
    def averaged_gap(self) -> float:
        """The same for the averaged rule of Fig. 4(b)."""
        return self._gap_to_optimum(self.mf_avg_value)

    @property
    def versus_jsq(self) -> float:
        """:math:`(J(\\pi_{\\mathrm{PPO}}) - J(\\mathrm{JSQ})) / |J(\\mathrm{JSQ})|` (claim ``mfc-queue-ppo-vs-jsq``)."""
        return (self.mf_value - self.jsq_value) / abs(self.jsq_value)

    @property
    def jsq_relative_gap(self) -> float:
        """:math:`(J^* - J(\\mathrm{JSQ})) / |J^*|`: JSQ's own gap to the optimum (reference of ``mfc-queue-ppo-competitive-with-jsq``)."""
        return self._gap_to_optimum(self.jsq_value)

    @property
    def jsq_gap_closed(self) -> float:
        """:math:`(J(\\pi_{\\mathrm{PPO}}) - J(\\mathrm{JSQ})) / (J^* - J(\\mathrm{JSQ}))` (claim ``mfc-queue-ppo-gap-closed``)."""
        return (self.mf_value - self.jsq_value) / (self.optimum_value - self.jsq_value)

    @property
    def values(self) -> dict[str, float]:
        """The three values by the names the page prints (stored with claim ``mfc-queue-ppo-competitive-with-jsq``)."""
        return {"exact MFC optimum": self.optimum_value, "MF-PPO (Gaussian mean)": self.mf_value, "JSQ": self.jsq_value}

    @property
    def summary(self) -> str:
        """One line per value."""
        return "\n".join(f"{name:<24} value in the MFC MDP from empty queues: {value:9.4f}" for name, value in self.values.items())


def mfc_mdp_values(learned: LearnedPolicies, budget: str) -> MFCMDPValues:
    """Exact MFC-MDP values of the learned MF rules, JSQ and the grid optimum (resolution :data:`GRID_RESOLUTION` of ``budget``)."""
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    budget = check_budget(budget)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    empty = _empty(model)
    optimum = solve_mfc_mdp_on_grid(mdp, GRID_RESOLUTION[budget])
    jsq = jsq_policy(model)
    return MFCMDPValues(
        optimum=optimum, jsq=jsq, optimum_value=float(optimum.V[empty]),
        mf_value=float(mdp.policy_value(learned.mf_policy)[empty]),
        mf_avg_value=float(mdp.policy_value(learned.mf_policy_avg)[empty]),
        jsq_value=float(mdp.policy_value(jsq)[empty]),
    )


@dataclass(frozen=True)
class DecisionRuleTables:
    """Fig. 4(b): probability of queue 1 for schedulers with access to both, ``(b_0, b_1)`` tables.

    Attributes
    ----------
    ppo, optimum, jsq
        ``(B+1, B+1)`` tables (row: filling ``b_0`` of queue 1, column: ``b_1``) of the averaged
        MF-PPO rule, the exact optimum and JSQ.
    """

    ppo: FloatArray
    optimum: FloatArray
    jsq: FloatArray

    @property
    def panels(self) -> tuple[tuple[str, FloatArray], ...]:
        """(title, table) of the three panels, left to right."""
        return (("MF-PPO (mean over 500 samples)", self.ppo), ("exact MFC optimum", self.optimum), ("JSQ", self.jsq))

    @property
    def close_to_jsq(self) -> float:
        """Fraction of cells with :math:`|p_{\\mathrm{PPO}} - p_{\\mathrm{JSQ}}| < 0.25` (claim ``mfc-fig4b-ppo-close-to-jsq``)."""
        return float(np.mean(np.abs(self.ppo - self.jsq) < 0.25))

    @property
    def ppo_monotonicity_violation(self) -> float:
        """Largest violation of "more filled, less assigned" by the learned rule (claim ``mfc-fig4b-ppo-rule-monotone``)."""
        return rule_monotonicity_violation(self.ppo)

    @property
    def max_gap_to_optimum(self) -> float:
        """:math:`\\max |p_{\\mathrm{PPO}} - p^*|` over the cells."""
        return float(np.abs(self.ppo - self.optimum).max())

    @property
    def summary(self) -> str:
        """The line the page prints under the figure."""
        return (f"cells with |p_PPO - p_JSQ| < 0.25: {self.close_to_jsq:.2f};  "
                f"max |p_PPO - p*| = {self.max_gap_to_optimum:.2f}")


def decision_rule_tables(learned: LearnedPolicies, values: MFCMDPValues) -> DecisionRuleTables:
    """The tables of Fig. 4(b) from the averaged MF rule, the grid optimum's policy and JSQ."""
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    if not isinstance(values, MFCMDPValues):
        raise TypeError(f"values must be MFCMDPValues, got {type(values).__name__}")
    side = SchedulingModel().buffer_size + 1

    def table(policy: FloatArray) -> FloatArray:
        return np.asarray(policy[:, _BOTH, _QUEUE_1].reshape(side, side), dtype=np.float64)

    return DecisionRuleTables(ppo=table(learned.mf_policy_avg), optimum=table(values.optimum.policy), jsq=table(values.jsq))


@dataclass(frozen=True)
class LearningCurve:
    """Exact value in the MFC MDP of the MF learner after each PPO iteration.

    Attributes
    ----------
    steps, objective, objective_stochastic
        MFC-MDP steps; J of the deterministic rule (Gaussian mean) and of the Gaussian policy.
    last_change
        Steps after which the deterministic rule's value last changed (by more than 1e-9).
    interior_fraction
        Fraction of the Fig. 4(b) cells of the deterministic rule with a value other than 0, 1/2, 1.
    """

    steps: IntArray
    objective: FloatArray
    objective_stochastic: FloatArray
    last_change: int
    interior_fraction: float

    @property
    def summary(self) -> str:
        """The line the page prints under the curve."""
        return (f"the deterministic rule last changed after {self.last_change:,} of {int(self.steps[-1]):,} steps; "
                f"fraction of Fig. 4(b) cells with a value other than 0, 1/2, 1: {self.interior_fraction:.2f}")


def learning_curve(learned: LearnedPolicies) -> LearningCurve:
    """The MF learner's curve, when its deterministic rule last changed, and how much it still mixes."""
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    changes = np.flatnonzero(np.abs(np.diff(learned.curve_objective)) > 1e-9) + 1
    last_change = int(learned.curve_steps[changes[-1]]) if changes.size else 0
    rule = learned.mf_policy[:, _BOTH, _QUEUE_1]
    interior = float(np.mean((rule > 1e-9) & (rule < 1 - 1e-9) & (np.abs(rule - 0.5) > 1e-9)))
    return LearningCurve(steps=learned.curve_steps, objective=learned.curve_objective,
                         objective_stochastic=learned.curve_objective_stochastic, last_change=last_change,
                         interior_fraction=interior)


def _by_n(n_agents: IntArray, values: FloatArray) -> dict[str, float]:
    """``values`` keyed ``"N=<n>"`` (the keys of the claims' ``order`` lists)."""
    return {f"N={n}": float(v) for n, v in zip(n_agents.tolist(), values, strict=True)}


def _checked_n(learned: LearnedPolicies, values: MFCMDPValues, n_agents: tuple[int, ...]) -> list[int]:
    """The argument checks of :func:`limit_approach` and :func:`limit_curves`; returns the N."""
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    if not isinstance(values, MFCMDPValues):
        raise TypeError(f"values must be MFCMDPValues, got {type(values).__name__}")
    if not isinstance(n_agents, tuple) or not n_agents:
        raise ValueError(f"n_agents must be a non-empty tuple of positive ints, got {n_agents!r}")
    return [check_int(n, "n_agents", low=1) for n in n_agents]


def _at(values: FloatArray, n_agents: IntArray, subset: IntArray) -> FloatArray:
    """``values`` (one per ``n_agents``) at the N of ``subset``."""
    index = [n_agents.tolist().index(n) for n in subset.tolist()]
    return np.asarray(values[index], dtype=np.float64)


@dataclass(frozen=True)
class MethodSeries:
    """One method of Fig. 4(a).

    Attributes
    ----------
    key, label
        Colour key of :func:`mfcode.plotting.color_of` and legend label.
    n_agents
        The N at which the method is shown.
    returns
        ``(len(n_agents), runs)`` Monte Carlo discounted returns from empty queues.
    exact
        ``(len(n_agents),)`` exact :math:`J^N`.
    """

    key: str
    label: str
    n_agents: IntArray
    returns: FloatArray
    exact: FloatArray


@dataclass(frozen=True)
class GapTrend:
    """One learner's relative gap to the exact finite-N optimum over the trained N from 4 on ("begin to fail").

    Attributes
    ----------
    claim_id, label : str
        The claim it is checked against, and ``"NA"`` or ``"PS"``.
    n_agents : IntArray
        The trained N from 4 on, increasing.
    gap : FloatArray
        :math:`(J^N_* - J^N(\\pi)) / |J^N_*|` at those N.
    """

    claim_id: str
    label: str
    n_agents: IntArray
    gap: FloatArray

    def measured(self) -> dict[str, float]:
        """The gaps keyed ``"N=<n>"`` (the claim's ``order`` lists them from the largest N down)."""
        return _by_n(self.n_agents, self.gap)


@dataclass(frozen=True)
class Fig4a:
    """Fig. 4(a): every method's :math:`J^N` against N, beside the exact finite-N optimum.

    Attributes
    ----------
    n_agents
        The N of the learner budget.
    trained
        The N at which NA and PS were trained.
    series
        MF-PPO, JSQ, NA, PS (in that order).
    optimum
        ``(len(n_agents),)`` exact finite-N optimum :math:`\\sup_{\\boldsymbol\\pi}J^N(\\boldsymbol\\pi)` (Def. 1).
    gap_na, gap_ps
        ``(len(trained),)`` relative gaps :math:`(J^N_* - J^N(\\pi)) / |J^N_*|` of NA and PS.
    """

    n_agents: IntArray
    trained: IntArray
    series: tuple[MethodSeries, ...]
    optimum: FloatArray
    gap_na: FloatArray
    gap_ps: FloatArray

    def _method(self, key: str) -> MethodSeries:
        return next(s for s in self.series if s.key == key)

    @property
    def optimum_trained(self) -> FloatArray:
        """The finite-N optimum at the trained N."""
        return _at(self.optimum, self.n_agents, self.trained)

    @property
    def table(self) -> str:
        """Exact values per N, then the NA / PS gaps per trained N (the lines the page prints)."""
        mf, jsq, na, ps = (self._method(k) for k in ("mf", "jsq", "na", "ps"))
        trained = self.trained.tolist()
        lines = []
        for i, n in enumerate(self.n_agents.tolist()):
            na_ps = (f"NA {na.exact[trained.index(n)]:8.3f}  PS {ps.exact[trained.index(n)]:8.3f}" if n in trained
                     else f"{'NA, PS not trained':>23}")
            lines.append(f"N = {n:3d}: exact J^N  MF-PPO {mf.exact[i]:8.3f}  JSQ {jsq.exact[i]:8.3f}  {na_ps}  optimum {self.optimum[i]:8.3f}")
        lines += [f"N = {n:3d}: relative gap to the finite-N optimum  NA {self.gap_na[i]:.4f}  PS {self.gap_ps[i]:.4f}"
                  for i, n in enumerate(trained)]
        return "\n".join(lines)

    @property
    def trained_text(self) -> str:
        """The trained N, comma-separated."""
        return ", ".join(map(str, self.trained.tolist()))

    @property
    def missing_text(self) -> str:
        """The N at which NA and PS were not trained, comma-separated, or ``"none"``."""
        return ", ".join(str(n) for n in self.n_agents.tolist() if n not in self.trained.tolist()) or "none"

    @property
    def gap_series(self) -> tuple[tuple[str, str, IntArray, FloatArray], ...]:
        """``(label, colour key, trained N, relative gap)`` for NA and PS (what the page plots)."""
        return (("NA", "na", self.trained, self.gap_na), ("PS", "ps", self.trained, self.gap_ps))

    def gap_trends(self, from_n: int = 4) -> tuple[GapTrend, ...]:
        """NA's and PS's gaps at the trained N from ``from_n`` on (claims ``mfc-fig4a-<na|ps>-begin-to-fail``).

        Empty unless NA and PS were trained at every N of the budget from ``from_n`` on, and that is
        at least two N (the ``ci`` smoke run trains at N = 2 only, and an artifact may lack a part:
        then there is no trend to check, and the claims' verdicts are *not run*).
        """
        from_n = check_int(from_n, "from_n", low=1)
        needed = self.n_agents[self.n_agents >= from_n]
        keep = self.trained >= from_n
        if needed.size < 2 or from_n not in needed.tolist() or self.trained[keep].tolist() != needed.tolist():
            return ()
        return tuple(GapTrend(claim_id=f"mfc-fig4a-{key}-begin-to-fail", label=label, n_agents=self.trained[keep],
                              gap=gap[keep]) for label, key, _, gap in self.gap_series)

    def na_ps_record(self) -> dict[str, list[int] | list[float]]:
        """Measured value of claim ``mfc-fig4a-na-ps-vs-n``: N, exact NA / PS values and the optimum at the trained N."""
        return {"N": self.trained.tolist(), "na": [float(v) for v in self._method("na").exact],
                "ps": [float(v) for v in self._method("ps").exact], "optimum": [float(v) for v in self.optimum_trained]}


def fig4a(learned: LearnedPolicies, values: MFCMDPValues, seed: int) -> Fig4a:
    """Fig. 4(a): the learners' stored evaluations, JSQ scored the same way, and the exact finite-N optimum.

    JSQ at every N of the learner budget: :func:`~mfcode.rl.evaluation.evaluate_n_agent` (exact
    :math:`J^N` and ``budget.n_eval_runs`` discounted returns over ``budget.eval_horizon`` steps),
    the runs drawn from one generator ``default_rng(seed)``, N after N.
    """
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    if not isinstance(values, MFCMDPValues):
        raise TypeError(f"values must be MFCMDPValues, got {type(values).__name__}")
    seed = check_int(seed, "seed", low=0)
    model = SchedulingModel()
    empty = _empty(model)
    budget = learned.budget
    rng = np.random.default_rng(seed)
    ns = [int(n) for n in learned.n_agents]
    jsq = [evaluate_n_agent(model, values.jsq, n, budget.eval_horizon, budget.n_eval_runs, rng) for n in ns]
    optimum = np.array([finite_n_optimum(model, n).V[empty] for n in ns], dtype=np.float64)
    trained = learned.n_agents_trained
    series = (
        MethodSeries("mf", "MF-PPO", learned.n_agents, learned.eval_mf, learned.exact_mf),
        MethodSeries("jsq", "JSQ", learned.n_agents, np.stack([r[1] for r in jsq]), np.array([r[0] for r in jsq], dtype=np.float64)),
        MethodSeries("na", "NA", trained, learned.eval_na, learned.exact_na),
        MethodSeries("ps", "PS", trained, learned.eval_ps, learned.exact_ps),
    )
    at_trained = _at(optimum, learned.n_agents, trained)
    return Fig4a(n_agents=learned.n_agents, trained=trained, series=series, optimum=optimum,
                 gap_na=(at_trained - learned.exact_na) / np.abs(at_trained),
                 gap_ps=(at_trained - learned.exact_ps) / np.abs(at_trained))


@dataclass(frozen=True)
class LimitApproach:
    """:math:`|J(\\pi_{\\mathrm{PPO}}) - J^N(\\pi_{\\mathrm{PPO}})|` at each N (Thm. 2; claim ``mfc-fig4a-ppo-approaches-limit``).

    Attributes
    ----------
    n_agents, gap
        The N and the gaps (exact: :func:`~mfcode.mfc.symmetric_value` against the MFC-MDP value).
    """

    n_agents: IntArray
    gap: FloatArray

    def measured(self) -> dict[str, float]:
        """The gaps keyed ``"N=<n>"`` (the claim's ``order``)."""
        return _by_n(self.n_agents, self.gap)


def limit_approach(learned: LearnedPolicies, values: MFCMDPValues, n_agents: tuple[int, ...] = (1, 10, 100, 1000)) -> LimitApproach:
    """Exact distance of the learned MF rule's N-agent value to its MFC-MDP value at each ``n_agents``."""
    ns = _checked_n(learned, values, n_agents)
    model = SchedulingModel()
    empty = _empty(model)
    gap = [float(abs(values.mf_value - symmetric_value(model, learned.mf_policy, n)[empty])) for n in ns]
    return LimitApproach(n_agents=np.asarray(ns, dtype=np.int64), gap=np.asarray(gap, dtype=np.float64))


@dataclass(frozen=True)
class TrainingPlateau:
    """Whether the NA and PS training returns have stopped moving (Sec. VI: "sufficient for convergence ... up to N=4").

    For each trained N and method, the mean training return of the last ``window`` PPO iterations
    against that of the ``window`` iterations before them, relative to the latter's magnitude.
    A plateau of the training return is necessary for convergence, not sufficient: a learner may
    settle on a poor policy (its exact value is in :class:`Fig4a`).

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    change_na, change_ps : FloatArray, shape (M,)
        ``|mean(last window) - mean(window before)| / |mean(window before)|``.
    window : int
        PPO iterations per window (0 when a curve has a single iteration: no plateau can be seen).
    returns_na, returns_ps : tuple of FloatArray
        The training curves (:attr:`LearnedPolicies.returns_na`), one per N.
    """

    n_agents: IntArray
    change_na: FloatArray
    change_ps: FloatArray
    window: int
    returns_na: tuple[FloatArray, ...]
    returns_ps: tuple[FloatArray, ...]

    @property
    def series(self) -> tuple[tuple[int, int, IntArray, FloatArray], ...]:
        """``(panel, N, PPO iterations 1..K, curve)`` for every curve; panel 0 is NA, 1 is PS (what the page plots)."""
        out = []
        for panel, curves in enumerate((self.returns_na, self.returns_ps)):
            for n, curve in zip(self.n_agents.tolist(), curves, strict=True):
                out.append((panel, int(n), np.arange(1, curve.size + 1, dtype=np.int64), curve))
        return tuple(out)

    def largest_change(self, up_to: int) -> float:
        """Largest relative change over both methods and the trained N ``<= up_to``."""
        up_to = check_int(up_to, "up_to", low=1)
        keep = self.n_agents <= up_to
        if not keep.any():
            raise ValueError(f"up_to: no trained N <= {up_to} (trained: {self.n_agents.tolist()})")
        return float(max(self.change_na[keep].max(), self.change_ps[keep].max()))

    @property
    def summary(self) -> str:
        """One line per trained N."""
        return "\n".join(f"N = {n}: change of the mean training return over the last {self.window} iterations: "
                         f"NA {a:.2%}, PS {b:.2%}"
                         for n, a, b in zip(self.n_agents.tolist(), self.change_na, self.change_ps, strict=True))


def _plateau_change(returns: FloatArray, window: int) -> float:
    if window == 0:
        return 1.0
    last = float(returns[-window:].mean())
    before = float(returns[-2 * window:-window].mean())
    return abs(last - before) / abs(before)


def training_plateau(learned: LearnedPolicies, window: int = 20) -> TrainingPlateau:
    """:class:`TrainingPlateau` of the NA and PS training curves of ``learned``.

    The window shrinks to half the shortest curve; a curve of a single iteration (the ``ci`` smoke
    run) shows no plateau, and its change is reported as 1 (100%).
    """
    if not isinstance(learned, LearnedPolicies):
        raise TypeError(f"learned must be LearnedPolicies, got {type(learned).__name__}")
    window = check_int(window, "window", low=1)
    curves = learned.returns_na + learned.returns_ps
    if len(learned.returns_na) != learned.n_agents_trained.size or len(learned.returns_ps) != learned.n_agents_trained.size:
        raise ValueError("learned: holds no NA/PS training curves (returns_na, returns_ps)")
    window = min([window] + [c.size // 2 for c in curves])
    return TrainingPlateau(
        n_agents=learned.n_agents_trained,
        change_na=np.array([_plateau_change(c, window) for c in learned.returns_na], dtype=np.float64),
        change_ps=np.array([_plateau_change(c, window) for c in learned.returns_ps], dtype=np.float64),
        window=window,
        returns_na=learned.returns_na,
        returns_ps=learned.returns_ps,
    )


@dataclass(frozen=True)
class LimitCurves:
    """Exact :math:`J^N` of the learned MF rule and of JSQ out to large N, with their MFC-MDP values (Fig. 4(a)).

    Attributes
    ----------
    n_agents : IntArray, shape (M,)
    mf, jsq : FloatArray, shape (M,)
        :math:`J^N(\\boldsymbol\\pi^N(\\pi))` from empty queues (:func:`~mfcode.mfc.symmetric_value`).
    mf_limit, jsq_limit : float
        Their values in the MFC MDP (the limit of Thm 1, eq. 14).
    """

    n_agents: IntArray
    mf: FloatArray
    jsq: FloatArray
    mf_limit: float
    jsq_limit: float

    @property
    def series(self) -> tuple[tuple[str, str, FloatArray, float, FloatArray], ...]:
        """``(label, colour key, J^N, limit, |limit - J^N|)`` for MF-PPO and JSQ (what the page plots)."""
        return (("MF-PPO", "mf", self.mf, self.mf_limit, np.abs(self.mf_limit - self.mf)),
                ("JSQ", "jsq", self.jsq, self.jsq_limit, np.abs(self.jsq_limit - self.jsq)))

    def at(self, n: int) -> dict[str, float]:
        """``{"MF-PPO": J^N, "JSQ": J^N}`` at ``N = n`` (the order of claim ``mfc-fig4a-ppo-competitive-at-large-n``)."""
        n = check_int(n, "n", low=1)
        hits = np.flatnonzero(self.n_agents == n)
        if not hits.size:
            raise ValueError(f"n must be one of {self.n_agents.tolist()}, got {n}")
        i = int(hits[0])
        return {"MF-PPO": float(self.mf[i]), "JSQ": float(self.jsq[i])}


def limit_curves(learned: LearnedPolicies, values: MFCMDPValues,
                 n_agents: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)) -> LimitCurves:
    """Exact N-agent values of the learned MF rule and of JSQ at each ``n_agents`` (one linear solve each)."""
    ns = _checked_n(learned, values, n_agents)
    model = SchedulingModel()
    empty = _empty(model)
    return LimitCurves(
        n_agents=np.asarray(ns, dtype=np.int64),
        mf=np.array([symmetric_value(model, learned.mf_policy, n)[empty] for n in ns], dtype=np.float64),
        jsq=np.array([symmetric_value(model, values.jsq, n)[empty] for n in ns], dtype=np.float64),
        mf_limit=values.mf_value,
        jsq_limit=values.jsq_value,
    )
