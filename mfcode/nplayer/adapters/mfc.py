"""The N-agent evaluation of a mean-field control policy (seed ``002_7da79a39441e57df.txt``).

In the MFC model of :mod:`mfcode.mfc` (Sec. III) agent states are redrawn i.i.d. from :math:`\\mu_0` at every
step, every agent acts on the common environment state :math:`x^0` by a decision rule, and all share the
reward :math:`r(x^0,\\mathbb G^N)`. The mean-field policy is a stationary policy of the MFC MDP,
:math:`\\pi:\\mathcal X^0\\to\\mathcal D` ``(X0, X, U)``; its mean-field value is :math:`J(\\pi)` (eq. 11,
:meth:`mfcode.mfc.mdp.MFCMDP.objective`) and its N-agent value :math:`J^N(\\pi)` (eq. 5), so the value gap is
:math:`J^N-J`.

*One-agent deviation gain.* Agent 1 replaces :math:`\\pi` by any decentralised policy
:math:`\\pi':\\mathcal X^0\\to\\mathcal D` while the other :math:`N-1` keep :math:`\\pi`; the gain is
:math:`\\Delta^N(\\pi)=\\sup_{\\pi'}J^N(\\pi',\\pi,\\dots,\\pi)-J^N(\\pi)\\ge0`, the reward still shared. It is the
cooperative counterpart of the N-player exploitability and differs from it in two ways: the deviator
improves the *team's* return, not a private one, and it acts on that return only through its weight
:math:`1/N` in :math:`\\mathbb G^N`, so :math:`\\Delta^N=O(1/N)` for every :math:`\\pi` and the mean-field
limit of the gain is 0 (a single agent does not move the limit); at the MFC optimum the first-order
term vanishes too (a planner's optimum is a stationary point for every direction, in particular the one
of mixing one agent's rule into the population's). It is 0 exactly when :math:`\\pi` is person-by-person
optimal for the N-agent team.

*Exact evaluation.* Given :math:`x^0`, the class counts of :math:`N\\mathbb G^N` are the others'
:math:`\\mathrm{Mult}(N-1,p(\\pi(x^0)))` plus the deviator's class, drawn from its rule's class
probabilities (:func:`mfcode.mfc.finite_n.class_probabilities`), so the deviator faces an MDP on
:math:`\\mathcal X^0` whose action is its decision rule. Its objective is linear in that rule, so the
deterministic rules :func:`mfcode.mfc.finite_n.vertex_rules` suffice; policy iteration
(:func:`mfcode.mfc.dp.policy_iteration`) gives :math:`\\sup_{\\pi'}`, and the deviator playing
:math:`\\pi` gives :math:`J^N(\\pi)`. *Monte Carlo:* :meth:`mfcode.mfc.nagent.NAgentSystem.rollout` of the
profile, agent 0 playing the exact deviator's best policy on the same random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray, IntArray
from mfcode.markov import evaluate
from mfcode.mfc.combinatorics import compositions
from mfcode.mfc.dp import GridMDP, policy_iteration
from mfcode.mfc.finite_n import class_probabilities, class_representatives, vertex_rules
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import MFCModel, validate_policy
from mfcode.mfc.nagent import NAgentSystem
from mfcode.nplayer.exact import count_index, multinomial_pmf
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer
from mfcode.validation import check_int

__all__ = ["DeviatorMDP", "MeanFieldControl"]


@dataclass(frozen=True, eq=False)
class DeviatorMDP:
    """The deviator's MDP on :math:`\\mathcal X^0` (module docstring) and its two values.

    Attributes
    ----------
    value
        :math:`J^N(\\pi)` per start state, ``(X0,)``.
    best
        :math:`\\sup_{\\pi'}J^N(\\pi',\\pi,\\dots,\\pi)` per start state, ``(X0,)``.
    best_policy
        An optimal deviator policy ``(X0, X, U)`` (a deterministic rule per environment state).
    reward_bound
        :math:`\\max|r|` over every :math:`\\mathbb G^N` the N agents can form.
    """

    value: FloatArray
    best: FloatArray
    best_policy: FloatArray
    reward_bound: float


def _count_laws(others: FloatArray, deviator: FloatArray, n_agents: int) -> tuple[IntArray, FloatArray]:
    """Laws of the class counts of all :math:`N` agents, ``(..., X0, L)``, over ``compositions(N, C)``.

    ``others`` ``(X0, C)``: the class probabilities of each of the :math:`N-1` others per :math:`x^0`;
    ``deviator`` ``(..., X0, C)``: the deviator's.
    """
    n_classes = others.shape[1]
    partial = compositions(n_agents - 1, n_classes)
    counts = compositions(n_agents, n_classes)
    pmf = np.stack([multinomial_pmf(n_agents - 1, p, partial) for p in others])  # (X0, L')
    lookup = count_index(counts)
    eye = np.eye(n_classes, dtype=np.int64)
    laws = np.zeros((*deviator.shape[:-1], counts.shape[0]))
    for c in range(n_classes):  # o -> o + e_c is one-to-one: plain fancy-index accumulation is exact
        laws[..., lookup(partial + eye[c])] += pmf * deviator[..., c, None]
    return counts, laws


@dataclass(frozen=True, eq=False)
class MeanFieldControl:
    """An MFC model with a common environment state (:class:`~mfcode.mfc.model.MFCModel`).

    Parameters
    ----------
    model
        The model (e.g. :class:`~mfcode.mfc.scheduling.SchedulingModel`, :class:`~mfcode.mfc.toy.BinaryToyModel`).
    horizon
        Steps of every Monte Carlo return (truncation bias :math:`\\gamma^H\\max|r|/(1-\\gamma)`).
    max_count_vectors
        The exact evaluation runs while the class counts of :math:`N` agents take at most this many values.
    label
        The figures' name of the model.

    Policies are stationary MFC policies ``(X0, X, U)``; the environment starts from :math:`\\mu^0_0`.
    """

    model: MFCModel
    horizon: int = 1000
    max_count_vectors: int = 2001
    label: str = "MFC"

    def __post_init__(self) -> None:
        if not isinstance(self.model, MFCModel):
            raise TypeError(f"model must be an MFCModel, got {type(self.model).__name__}")
        check_int(self.horizon, "horizon", low=1)
        check_int(self.max_count_vectors, "max_count_vectors", low=1)

    @property
    def name(self) -> str:
        """:attr:`label`."""
        return self.label

    def _n_classes(self) -> int:
        return int(np.asarray(self.model.cell_classes).max()) + 1

    def deviator_mdp(self, policy: npt.ArrayLike, n_agents: int) -> DeviatorMDP:
        """The deviator's MDP against ``policy`` with ``n_agents`` agents, solved."""
        m = self.model
        pi = validate_policy(policy, m)
        n = check_int(n_agents, "n_agents", low=2)
        rules = vertex_rules(m)
        p_pi = class_probabilities(m, pi)  # (X0, C)
        p_rules = np.broadcast_to(class_probabilities(m, rules)[:, None, :], (rules.shape[0], *p_pi.shape))
        counts, laws = _count_laws(p_pi, np.concatenate([p_pi[None], p_rules]), n)  # (1 + D, X0, L)
        g = class_representatives(m, counts, n)
        rewards, kernels = m.reward(g), m.kernel(g)  # (L, X0), (L, X0, X0)
        r_bar = np.einsum("dsl,ls->ds", laws, rewards)
        p_bar = np.einsum("dsl,lst->dst", laws, kernels)
        gamma = float(m.gamma)
        value = evaluate(r_bar[0], p_bar[0], gamma)
        best = policy_iteration(GridMDP(rules=rules, rewards=r_bar[1:], kernels=p_bar[1:], gamma=gamma))
        return DeviatorMDP(value, best.V, best.policy, float(np.abs(rewards).max()))

    def mean_field(self, policy: npt.ArrayLike) -> MeanFieldValues:
        """:math:`J(\\pi)`; the limit's deviation value is :math:`J(\\pi)` too (one agent does not move the limit)."""
        value = MFCMDP(self.model).objective(validate_policy(policy, self.model))
        return MeanFieldValues(value, value)

    def exact(self, policy: npt.ArrayLike, n_agents: int) -> ExactNPlayer | None:
        """:math:`J^N(\\pi)` and :math:`\\sup_{\\pi'}J^N(\\pi',\\pi,\\dots,\\pi)` from :math:`\\mu^0_0`, or ``None`` past :attr:`max_count_vectors`."""
        n = check_int(n_agents, "n_agents", low=2)
        c = self._n_classes()
        if comb(n + c - 1, c - 1) > self.max_count_vectors:
            return None
        mdp = self.deviator_mdp(policy, n)
        start = np.asarray(self.model.env_init, dtype=np.float64)
        return ExactNPlayer(n, float(start @ mdp.value), float(start @ mdp.best))

    def simulate(self, policy: npt.ArrayLike, n_agents: int, *, n_replicates: int, seed: int) -> MonteCarloNPlayer:
        """Truncated discounted team returns; agent 0 deviating to the exact deviator's best policy (same random numbers)."""
        pi = validate_policy(policy, self.model)
        n = check_int(n_agents, "n_agents", low=2)
        r_n = check_int(n_replicates, "n_replicates", low=2)
        s = check_int(seed, "seed", low=0)
        mdp = self.deviator_mdp(pi, n)
        system = NAgentSystem(self.model, n)
        gamma = float(self.model.gamma)
        profile = np.broadcast_to(pi, (n, *pi.shape)).copy()
        base = system.rollout(profile, self.horizon, r_n, np.random.default_rng(s), discount=gamma)
        profile[0] = mdp.best_policy
        deviated = system.rollout(profile, self.horizon, r_n, np.random.default_rng(s), discount=gamma)
        bias = gamma**self.horizon * mdp.reward_bound / (1.0 - gamma)
        return MonteCarloNPlayer(n, base, deviated - base, bias, np.full(r_n, self.mean_field(pi).value))
