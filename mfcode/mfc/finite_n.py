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
solved exactly by policy iteration.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve
from scipy.special import gammaln, xlogy

from mfcode.mfc.combinatorics import compositions
from mfcode.mfc.dp import DPResult, GridMDP, policy_iteration
from mfcode.mfc.model import MFCModel, validate_decision_rule

__all__ = [
    "FiniteNOptimum",
    "class_probabilities",
    "compositions",
    "count_law",
    "finite_n_optimum",
    "profile_value",
    "symmetric_value",
    "vertex_rules",
]


def _n_classes(model: MFCModel) -> int:
    return int(np.asarray(model.cell_classes).max()) + 1


def class_probabilities(model: MFCModel, h: np.ndarray) -> np.ndarray:
    """Per-agent class probabilities :math:`p_c=\\sum_{(x,u)\\in c}\\mu_0(x)h(x,u)`; ``(..., C)``.

    Parameters
    ----------
    model : MFCModel
    h : numpy.ndarray, shape (..., X, U)
        Decision rule(s) of one agent.
    """
    h = validate_decision_rule(h, model.n_agent_states, model.n_actions)
    onehot = np.eye(_n_classes(model))[np.asarray(model.cell_classes)]  # (X, U, C)
    return np.einsum("x,...xu,xuc->...c", np.asarray(model.mu0, dtype=float), h, onehot)


def _representatives(model: MFCModel, counts: np.ndarray, n_agents: int) -> np.ndarray:
    """A state-action distribution (L, X, U) with the given class counts (L, C)."""
    classes = np.asarray(model.cell_classes).ravel()
    first = np.array([np.flatnonzero(classes == c)[0] for c in range(_n_classes(model))])
    G = np.zeros((counts.shape[0], classes.size))
    G[:, first] = counts / n_agents
    return G.reshape(counts.shape[0], model.n_agent_states, model.n_actions)


def _multinomial_pmf(counts: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """pmf of every count vector (L, C) under probabilities (..., C); returns (..., L)."""
    n = counts.sum(axis=1)[0]
    log = gammaln(n + 1.0) - gammaln(counts + 1.0).sum(axis=1)
    return np.exp(log + xlogy(counts[None], np.asarray(probs)[..., None, :]).sum(axis=-1).reshape(probs.shape[:-1] + (-1,)))


def count_law(per_agent: np.ndarray) -> np.ndarray:
    """Law of the class counts of independent agents (convolution of categoricals).

    Parameters
    ----------
    per_agent : numpy.ndarray, shape (N, C)
        Class probabilities of each agent.

    Returns
    -------
    numpy.ndarray, shape (L,)
        Probabilities of the count vectors ``compositions(N, C)`` (same order).
    """
    p = np.asarray(per_agent, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"per_agent must have shape (N, C), got {p.shape}")
    N, C = p.shape
    dense = np.zeros((N + 1,) * (C - 1))
    dense[(0,) * (C - 1)] = 1.0
    for i in range(N):
        new = p[i, C - 1] * dense
        for c in range(C - 1):
            shifted = np.roll(dense, 1, axis=c)
            idx = [slice(None)] * (C - 1)
            idx[c] = 0
            shifted[tuple(idx)] = 0.0
            new = new + p[i, c] * shifted
        dense = new
    heads = compositions(N, C)[:, : C - 1]
    return dense[tuple(heads.T)] if C > 1 else np.ones(1)


def _kernels_by_counts(model: MFCModel, n_agents: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = compositions(n_agents, _n_classes(model))
    G = _representatives(model, counts, n_agents)
    return counts, model.kernel(G), model.reward(G)


def _solve(gamma: float, P: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.linalg.solve(np.eye(r.size) - gamma * P, r)


def symmetric_value(model: MFCModel, policy: np.ndarray, n_agents: int) -> np.ndarray:
    """Exact :math:`J^N(\\boldsymbol\\pi^N(\\pi))` for every start state (eq. 5), shape ``(X0,)``.

    Every agent uses the stationary policy ``policy`` (X0, X, U) (the lifting of Sec. IV).
    One tabulation of :math:`P^0, r` on the count vectors and one linear solve.
    """
    policy = _check_policy(model, policy)
    counts, K, R = _kernels_by_counts(model, n_agents)
    W = _multinomial_pmf(counts, class_probabilities(model, policy))  # (X0, L)
    states = np.arange(model.n_env_states)
    P = np.einsum("sl,lsj->sj", W, K)
    r = np.einsum("sl,ls->s", W, R[:, states])
    return _solve(model.gamma, P, r)


def profile_value(model: MFCModel, policies: np.ndarray) -> np.ndarray:
    """Exact :math:`J^N(\\pi^1,\\dots,\\pi^N)` for a profile of stationary policies, ``(X0,)``.

    Parameters
    ----------
    model : MFCModel
    policies : numpy.ndarray, shape (N, X0, X, U)
        Agent ``i`` uses ``policies[i]``.
    """
    policies = np.asarray(policies, dtype=float)
    if policies.ndim != 4:
        raise ValueError(f"policies must have shape (N, X0, X, U), got {policies.shape}")
    N = policies.shape[0]
    for i in range(N):
        _check_policy(model, policies[i])
    counts, K, R = _kernels_by_counts(model, N)
    probs = class_probabilities(model, policies)  # (N, X0, C)
    W = np.stack([count_law(probs[:, s]) for s in range(model.n_env_states)])
    states = np.arange(model.n_env_states)
    P = np.einsum("sl,lsj->sj", W, K)
    r = np.einsum("sl,ls->s", W, R[:, states])
    return _solve(model.gamma, P, r)


def vertex_rules(model: MFCModel) -> np.ndarray:
    """Deterministic admissible decision rules with distinct class probabilities, ``(D, X, U)``."""
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
    return np.array(rules)


@dataclass(frozen=True)
class FiniteNOptimum:
    """Exact optimum over decentralised N-agent policies.

    Attributes
    ----------
    V : numpy.ndarray, shape (X0,)
        :math:`\\sup_{\\boldsymbol\\pi}J^N(\\boldsymbol\\pi)` per start state.
    rules : numpy.ndarray, shape (D, X, U)
        The distinct deterministic rules (vertices).
    allocations : numpy.ndarray of int, shape (A, D)
        Team actions: how many agents use each rule.
    index : numpy.ndarray of int, shape (X0,)
        Optimal allocation per environment state.
    dp : DPResult
        The full policy-iteration result on the allocation MDP.
    """

    V: np.ndarray
    rules: np.ndarray
    allocations: np.ndarray
    index: np.ndarray
    dp: DPResult

    def profile(self) -> np.ndarray:
        """An optimal deterministic profile ``(N, X0, X, U)`` (agents sorted by rule)."""
        alloc = self.allocations[self.index]  # (X0, D)
        N = int(alloc[0].sum())
        X0 = alloc.shape[0]
        out = np.zeros((N, X0) + self.rules.shape[1:])
        for s in range(X0):
            out[:, s] = np.repeat(self.rules, alloc[s], axis=0)
        return out


def finite_n_optimum(model: MFCModel, n_agents: int) -> FiniteNOptimum:
    """Exact :math:`\\sup_{\\boldsymbol\\pi\\in\\Pi_N^N}J^N(\\boldsymbol\\pi)` by the vertex argument.

    Enumerates allocations of the N agents to the distinct deterministic rules of
    :func:`vertex_rules`, computes the exact expected kernel and reward of each allocation (law of
    the class counts = convolution of multinomials) and solves the resulting finite MDP by policy
    iteration. Cost grows like ``binom(N+D-1, D-1) * binom(N+C-1, C-1)``; for the M = 2
    scheduling instance D = C = 2.
    """
    if not isinstance(n_agents, (int, np.integer)) or n_agents < 1:
        raise ValueError(f"n_agents must be a positive integer, got {n_agents!r}")
    rules = vertex_rules(model)
    D = rules.shape[0]
    C = _n_classes(model)
    allocations = compositions(n_agents, D)
    counts, K, R = _kernels_by_counts(model, n_agents)
    p_rule = class_probabilities(model, rules)  # (D, C)
    shape = (n_agents + 1,) * (C - 1)
    heads = counts[:, : C - 1]
    laws = np.zeros((allocations.shape[0], counts.shape[0]))
    for a, alloc in enumerate(allocations):
        dense = np.zeros(shape)
        dense[(0,) * (C - 1)] = 1.0
        for d in range(D):
            if alloc[d] == 0:
                continue
            part_counts = compositions(int(alloc[d]), C)
            part = np.zeros((int(alloc[d]) + 1,) * (C - 1))
            part[tuple(part_counts[:, : C - 1].T)] = _multinomial_pmf(part_counts, p_rule[d])
            dense = fftconvolve(dense, part)[tuple(slice(0, n_agents + 1) for _ in range(C - 1))] if C > 2 else np.convolve(dense, part)[: n_agents + 1]
        laws[a] = np.clip(dense[tuple(heads.T)], 0.0, None)
    laws /= laws.sum(axis=1, keepdims=True)
    grid = GridMDP(
        rules=np.zeros((allocations.shape[0], model.n_agent_states, model.n_actions)),
        rewards=laws @ R,
        kernels=np.einsum("al,lst->ast", laws, K),
        gamma=float(model.gamma),
    )
    dp = policy_iteration(grid)
    return FiniteNOptimum(V=dp.V, rules=rules, allocations=allocations, index=dp.index, dp=dp)


def _check_policy(model: MFCModel, policy: np.ndarray) -> np.ndarray:
    shape = (model.n_env_states, model.n_agent_states, model.n_actions)
    policy = np.asarray(policy, dtype=float)
    if policy.shape != shape:
        raise ValueError(f"policy must have shape {shape}, got {policy.shape}")
    return validate_decision_rule(policy, model.n_agent_states, model.n_actions, name="policy")
