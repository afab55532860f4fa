"""Exact finite-N values and the exact finite-N optimum (seed 002, Sec. III-A and IV).

Because agent states are re-drawn i.i.d. from :math:`\\mu_0` every step (eq. 1) and each agent
acts on :math:`(x^0, x^i)` only (eq. 2), the finite-N system is a Markov chain on the environment
states :math:`\\mathcal X^0` alone once the policy profile is fixed: from :math:`x^0` the
empirical state-action distribution :math:`\\mathbb G^N` (eq. 4) has an explicit law, and

.. math:: \\bar P^N(x^{0\\prime}\\mid x^0)=\\mathbb E\\big[P^0(x^{0\\prime}\\mid x^0,\\mathbb G^N)\\big],\\qquad
          \\bar r^N(x^0)=\\mathbb E\\big[r(x^0,\\mathbb G^N)\\big],\\qquad
          V^N=(I-\\gamma\\bar P^N)^{-1}\\bar r^N ,

which is :math:`J^N` of eq. (5) for every start state. The model's ``cell_classes`` reduce
:math:`\\mathbb G^N` to counts of agents per class: for a symmetric (lifted) policy
:math:`\\boldsymbol\\pi^N(\\pi)` the counts are multinomial (binomial for the M = 2 scheduling
instance, where only "routes to queue 1 / queue 2" matters), for a profile of different policies
they are a convolution of per-agent categoricals (Poisson-binomial).

The finite-N optimum :math:`\\sup_{\\boldsymbol\\pi\\in\\Pi_N^N}J^N(\\boldsymbol\\pi)` (the
benchmark of Def. 1 / Cor. 1) is an MDP on :math:`\\mathcal X^0` whose action is the profile
:math:`(h^1,\\dots,h^N)`: every agent observes :math:`x^0`, so a coordinator choosing the profile
from :math:`x^0` is implementable by decentralised policies :math:`\\pi^i(x^0,x)=h^i(x)`. The
one-step objective :math:`\\mathbb E[r+\\gamma V(x^{0\\prime})]` is multilinear in
:math:`(h^1,\\dots,h^N)` (independent agents), so its maximum over the product of simplices is
attained at a vertex: deterministic rules :math:`h^i:\\mathcal X\\to\\mathcal U`; by exchangeability
only the number of agents using each distinct deterministic rule matters. This is a finite MDP,
solved exactly by policy iteration (:func:`mfcode.mfc.dp.policy_iteration`). Every value
:math:`(I-\\gamma\\bar P)^{-1}\\bar r` is :func:`mfcode.markov.evaluate`, with :math:`\\bar P`,
:math:`\\bar r` formed by :func:`mfcode.markov.kernel_under` / :func:`~mfcode.markov.reward_under`
from the law of the count vectors (a distribution over count vectors plays the part of a mixed
action).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import fftconvolve
from scipy.special import gammaln, xlogy

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements
from mfcode.markov import evaluate, kernel_under, reward_under
from mfcode.mfc.combinatorics import compositions, count_compositions
from mfcode.mfc.dp import DPResult, GridMDP, policy_iteration
from mfcode.mfc.model import (
    DISTRIBUTION_ATOL,
    MFCModel,
    state_action_mean_field,
    validate_decision_rule,
    validate_policy,
)
from mfcode.simplex import check_distribution
from mfcode.validation import check_int

__all__ = [
    "FiniteNOptimum",
    "class_probabilities",
    "class_representatives",
    "count_law",
    "finite_n_optimum",
    "profile_value",
    "symmetric_value",
    "vertex_rules",
]


def _check_model(model: object) -> MFCModel:
    if not isinstance(model, MFCModel):
        raise TypeError(f"model must be an MFCModel, got {type(model).__name__}")
    return model


def _n_classes(model: MFCModel) -> int:
    return int(np.asarray(model.cell_classes).max()) + 1


def class_probabilities(model: MFCModel, h: ArrayLike) -> FloatArray:
    """Per-agent class probabilities :math:`p_c=\\sum_{(x,u)\\in c}\\mathbb G(\\mu_0,h)(x,u)`; ``(..., C)``.

    The class masses of the state-action mean field of eq. (9): the law of the class of one agent
    with decision rule :math:`h` (eqs. 1-2).

    Parameters
    ----------
    model : MFCModel
    h : array_like, shape (..., X, U)
        Decision rule(s) of one agent.
    """
    _check_model(model)
    rule = validate_decision_rule(h, model.n_agent_states, model.n_actions)
    onehot = np.eye(_n_classes(model))[np.asarray(model.cell_classes)]  # (X, U, C)
    out: FloatArray = np.einsum("...xu,xuc->...c", state_action_mean_field(model.mu0, rule), onehot)
    return out


def class_representatives(model: MFCModel, counts: ArrayLike, n_agents: int) -> FloatArray:
    """A state-action distribution ``(L, X, U)`` with each row's class counts ``(L, C)``.

    Each class's mass :math:`N_c/N` sits on its first cell: the model's rewards and kernels depend
    on :math:`\\mathbb G^N` only through the class masses (eq. 4, by classes), so any distribution
    with those masses stands for the count vector.
    """
    _check_model(model)
    n = check_int(n_agents, "n_agents", low=1)
    arr = np.asarray(counts)
    c = _n_classes(model)
    if arr.ndim != 2 or arr.shape[1] != c or arr.dtype.kind not in "iu":
        raise ValueError(f"counts must be an integer array of shape (L, {c}), got {arr.dtype} {arr.shape}")
    if (arr < 0).any() or (arr.sum(axis=1) != n).any():
        raise ValueError(f"counts must be non-negative with every row summing to n_agents={n}")
    return _representatives(model, arr, n)


def _representatives(model: MFCModel, counts: IntArray, n_agents: int) -> FloatArray:
    classes = np.asarray(model.cell_classes).ravel()
    first = np.array([np.flatnonzero(classes == c)[0] for c in range(_n_classes(model))])
    G = np.zeros((counts.shape[0], classes.size))
    G[:, first] = counts / n_agents
    return G.reshape(counts.shape[0], model.n_agent_states, model.n_actions)


def _multinomial_pmf(counts: IntArray, probs: FloatArray) -> FloatArray:
    """pmf of every count vector (L, C) under probabilities (..., C); returns (..., L)."""
    n = counts.sum(axis=1)[0]
    log = gammaln(n + 1.0) - gammaln(counts + 1.0).sum(axis=1)
    out: FloatArray = np.exp(log + xlogy(counts[None], np.asarray(probs)[..., None, :]).sum(axis=-1).reshape((*probs.shape[:-1], -1)))
    return out


def count_law(per_agent: ArrayLike) -> FloatArray:
    """Law of the class counts :math:`N\\,\\mathbb G^N` (eq. 4, by classes) of independent agents.

    The convolution of the agents' categorical class laws.

    Parameters
    ----------
    per_agent : array_like, shape (N, C)
        Class probabilities of each agent.

    Returns
    -------
    FloatArray, shape (L,)
        Probabilities of the count vectors ``compositions(N, C)`` (same order).
    """
    p = check_distribution(per_agent, "per_agent", atol=DISTRIBUTION_ATOL)
    if p.ndim != 2:
        raise ValueError(f"per_agent must have shape (N, C), got {p.shape}")
    N, C = p.shape
    check_elements((N + 1) ** (C - 1), f"the law of the class counts (N + 1)^(C - 1) of per_agent with N={N}, C={C}")
    dense = np.zeros((N + 1,) * (C - 1))
    dense[(0,) * (C - 1)] = 1.0
    for i in range(N):
        new = p[i, C - 1] * dense
        for c in range(C - 1):
            shifted = np.roll(dense, 1, axis=c)
            idx: list[slice | int] = [slice(None)] * (C - 1)
            idx[c] = 0
            shifted[tuple(idx)] = 0.0
            new = new + p[i, c] * shifted
        dense = new
    heads = compositions(N, C)[:, : C - 1]
    out: FloatArray = dense[tuple(heads.T)] if C > 1 else np.ones(1)
    return out


def _kernels_by_counts(model: MFCModel, n_agents: int) -> tuple[IntArray, FloatArray, FloatArray]:
    rows = count_compositions(n_agents, _n_classes(model))
    check_elements(rows * max(model.n_agent_states * model.n_actions, model.n_env_states**2),
                   f"the kernels of the {rows:,} class-count vectors of n_agents={n_agents}")
    counts = compositions(n_agents, _n_classes(model))
    G = _representatives(model, counts, n_agents)
    return counts, model.kernel(G), model.reward(G)


def _value_under_count_law(model: MFCModel, laws: FloatArray, kernels: FloatArray, rewards: FloatArray) -> FloatArray:
    """:math:`(I-\\gamma\\bar P)^{-1}\\bar r` with :math:`\\bar P(x^0,\\cdot)=\\sum_l w(x^0,l)P^0(\\cdot|x^0,\\mathbb G_l)`,
    :math:`\\bar r(x^0)=\\sum_l w(x^0,l)r(x^0,\\mathbb G_l)` for the laws ``w`` (X0, L) of the count vectors ``l``."""
    P = kernel_under(laws, kernels.transpose(1, 0, 2))
    r = reward_under(laws, rewards.T)
    return evaluate(r, P, float(model.gamma))


def symmetric_value(model: MFCModel, policy: ArrayLike, n_agents: int) -> FloatArray:
    """Exact :math:`J^N(\\boldsymbol\\pi^N(\\pi))` for every start state (eq. 5), shape ``(X0,)``.

    Every agent uses the stationary policy ``policy`` (X0, X, U) (the lifting of Sec. IV), so the
    class counts are multinomial. One tabulation of :math:`P^0, r` on the count vectors and one
    linear solve.
    """
    _check_model(model)
    n = check_int(n_agents, "n_agents", low=1)
    pi = validate_policy(policy, model)
    counts, K, R = _kernels_by_counts(model, n)
    W = _multinomial_pmf(counts, class_probabilities(model, pi))  # (X0, L)
    return _value_under_count_law(model, W, K, R)


def profile_value(model: MFCModel, policies: ArrayLike) -> FloatArray:
    """Exact :math:`J^N(\\pi^1,\\dots,\\pi^N)` (eq. 5) for a profile of stationary policies, ``(X0,)``.

    Parameters
    ----------
    model : MFCModel
    policies : array_like, shape (N, X0, X, U)
        Agent ``i`` uses ``policies[i]``.
    """
    _check_model(model)
    profile = validate_policy(policies, model, name="policies", profile=True)
    N = profile.shape[0]
    _counts, K, R = _kernels_by_counts(model, N)
    probs = class_probabilities(model, profile)  # (N, X0, C)
    W = np.stack([count_law(probs[:, s]) for s in range(model.n_env_states)])
    return _value_under_count_law(model, W, K, R)


def vertex_rules(model: MFCModel) -> FloatArray:
    """Deterministic admissible decision rules :math:`h:\\mathcal X\\to\\mathcal U` (vertices of :math:`\\mathcal D`)
    with distinct class probabilities, ``(D, X, U)``."""
    _check_model(model)
    mask = np.asarray(model.action_mask)
    choices = [np.flatnonzero(mask[x]) for x in range(model.n_agent_states)]
    rules, seen = [], set()
    for combo in itertools.product(*choices):
        h = np.zeros((model.n_agent_states, model.n_actions))
        h[np.arange(model.n_agent_states), combo] = 1.0
        key = tuple(np.round(class_probabilities(model, h), 12))
        if key not in seen:
            seen.add(key)
            rules.append(h)
    return np.array(rules, dtype=np.float64)


@dataclass(frozen=True)
class FiniteNOptimum:
    """Exact optimum :math:`\\sup_{\\boldsymbol\\pi\\in\\Pi_N^N}J^N(\\boldsymbol\\pi)` over decentralised N-agent policies (Def. 1).

    Attributes
    ----------
    V : FloatArray, shape (X0,)
        :math:`\\sup_{\\boldsymbol\\pi}J^N(\\boldsymbol\\pi)` per start state.
    rules : FloatArray, shape (D, X, U)
        The distinct deterministic rules (vertices).
    allocations : IntArray, shape (A, D)
        Team actions: how many agents use each rule.
    allocation_index : IntArray, shape (X0,)
        Optimal allocation per environment state.
    allocation_solution : DPResult
        The full policy-iteration result on the allocation MDP.
    """

    V: FloatArray
    rules: FloatArray
    allocations: IntArray
    allocation_index: IntArray
    allocation_solution: DPResult

    def profile(self) -> FloatArray:
        """An optimal deterministic profile :math:`(\\pi^1,\\dots,\\pi^N)`, ``(N, X0, X, U)`` (agents sorted by rule)."""
        alloc = self.allocations[self.allocation_index]  # (X0, D)
        N = int(alloc[0].sum())
        X0 = alloc.shape[0]
        out = np.zeros((N, X0, *self.rules.shape[1:]))
        for s in range(X0):
            out[:, s] = np.repeat(self.rules, alloc[s], axis=0)
        return out


def finite_n_optimum(model: MFCModel, n_agents: int) -> FiniteNOptimum:
    """Exact :math:`\\sup_{\\boldsymbol\\pi\\in\\Pi_N^N}J^N(\\boldsymbol\\pi)` (Def. 1, eq. 7) by the vertex argument.

    Enumerates allocations of the N agents to the distinct deterministic rules of
    :func:`vertex_rules`, computes the exact expected kernel and reward of each allocation (law of
    the class counts = convolution of multinomials) and solves the resulting finite MDP by policy
    iteration. Cost grows like ``binom(N+D-1, D-1) * binom(N+C-1, C-1)``; for the M = 2
    scheduling instance D = C = 2.
    """
    _check_model(model)
    n = check_int(n_agents, "n_agents", low=1)
    rules = vertex_rules(model)
    D = rules.shape[0]
    C = _n_classes(model)
    n_alloc = count_compositions(n, D)
    check_elements(n_alloc * max(count_compositions(n, C), (n + 1) ** (C - 1), model.n_env_states**2),
                   f"the allocation MDP of n_agents={n} ({n_alloc:,} allocations of {D} rules)")
    allocations = compositions(n, D)
    counts, K, R = _kernels_by_counts(model, n)
    p_rule = class_probabilities(model, rules)  # (D, C)
    shape = (n + 1,) * (C - 1)
    heads = counts[:, : C - 1]
    laws = np.zeros((allocations.shape[0], counts.shape[0]))
    if C == 1:  # one class (e.g. a single queue): the only count vector has probability 1
        laws[:] = 1.0
    for a, alloc in enumerate(allocations if C > 1 else ()):
        dense = np.zeros(shape)
        dense[(0,) * (C - 1)] = 1.0
        for d in range(D):
            if alloc[d] == 0:
                continue
            part_counts = compositions(int(alloc[d]), C)
            part = np.zeros((int(alloc[d]) + 1,) * (C - 1))
            part[tuple(part_counts[:, : C - 1].T)] = _multinomial_pmf(part_counts, p_rule[d])
            dense = fftconvolve(dense, part)[tuple(slice(0, n + 1) for _ in range(C - 1))] if C > 2 else np.convolve(dense, part)[: n + 1]
        laws[a] = np.clip(dense[tuple(heads.T)], 0.0, None)
    laws /= laws.sum(axis=1, keepdims=True)
    grid = GridMDP(
        rules=np.zeros((allocations.shape[0], model.n_agent_states, model.n_actions)),
        rewards=laws @ R,
        kernels=np.einsum("al,lst->ast", laws, K),
        gamma=float(model.gamma),
    )
    solution = policy_iteration(grid)
    return FiniteNOptimum(V=solution.V, rules=rules, allocations=allocations, allocation_index=solution.rule_index,
                          allocation_solution=solution)
