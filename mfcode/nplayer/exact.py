"""Exact N-player values and exploitability of a mean-field policy, by dynamic programming over counts.

Slides seed ``004_ae508d4ce3677c60.txt`` ("N-player Games", "NE for N-player games"): in the N-player
game of a population model where the other :math:`N-1` agents play the local policy :math:`\\pi`, one
agent (the *deviator*) faces an MDP whose state is its own state :math:`s` and the others' counts
:math:`n\\in\\{n\\in\\mathbb N^{\\mathcal S}:\\sum n=N-1\\}`:

- it receives :math:`r(s,a,n/(N-1))` and moves by :math:`P(\\cdot|s,a,n/(N-1))`;
- independently, each of the :math:`n_x` others in state :math:`x` moves by
  :math:`q_x=\\sum_b\\pi(b|x)P(\\cdot|x,b,\\mu^{-j})` with :math:`\\mu^{-j}=(n-e_x+e_s)/(N-1)`, so the next
  counts are the convolution of the multinomials :math:`\\mathrm{Mult}(n_x,q_x)` (they do not depend on the
  deviator's action: the interaction is through states). That law is computed for
  every :math:`(s,n)` at once from its probability generating function
  :math:`\\prod_x(\\sum_yq_x(y)z_y)^{n_x}` on the :math:`N`-th roots of unity and one inverse FFT.

That MDP is finite, so the N-player value of :math:`\\pi` (the deviator plays :math:`\\pi` too) and the value
of the deviator's exact best response are exact linear algebra. For a stationary discounted model
(:func:`exact_evaluation`) the lifted MDP is a :class:`~mfcode.mfg.stationary.StationaryMFG` with
:math:`\\mu`-independent reward and kernel, solved by the MFG core's policy evaluation and policy
iteration; for a finite horizon with time-dependent :math:`r_t`, :math:`P_t`, :math:`\\pi_t`
(:func:`flow_evaluation`) it is backward induction,
:math:`Q_t(s,n,a)=r_t(s,a,n/(N-1))+\\gamma\\sum_{s'}P_t(s'|s,a,n/(N-1))\\sum_{n'}K_{t,s}(n'|n)V_{t+1}(s',n')`.
At time 0 all :math:`N` states are i.i.d. from ``initial``. The N-player exploitability is the deviator's
expected gain :math:`\\mathbb E[V^{N,\\star}-V^{N,\\pi}]`; the deviator's best response may use the counts
:math:`n` (a richer class than the others' local policies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from mfcode.arrays import FloatArray, IntArray
from mfcode.mfc.combinatorics import compositions
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nplayer.protocol import StepModel, require_model
from mfcode.nplayer.results import ExactNPlayer
from mfcode.simplex import check_distribution
from mfcode.validation import check_int

__all__ = [
    "MAX_LIFTED_STATES",
    "count_index",
    "count_kernel",
    "exact_evaluation",
    "flow_evaluation",
    "lifted_game",
    "lifted_size",
    "multinomial_pmf",
]

#: Largest lifted MDP (deviator states x count vectors) the exact evaluations build.
MAX_LIFTED_STATES = 6000


def multinomial_pmf(total: int, probs: npt.ArrayLike, outcomes: npt.ArrayLike) -> FloatArray:
    """:math:`\\mathrm{Mult}(total,probs)` at each row of ``outcomes`` ``(L, K)`` (compositions of ``total``)."""
    n = check_int(total, "total", low=0)
    probs = check_distribution(probs, "probs")
    outcomes = np.asarray(outcomes)
    if probs.ndim != 1 or outcomes.ndim != 2 or outcomes.shape[1] != probs.size or not np.issubdtype(outcomes.dtype, np.integer):
        raise ValueError(f"outcomes must be integer count vectors (L, {probs.size}) for probs of shape (K,)")
    if np.any(outcomes < 0) or np.any(outcomes.sum(axis=1) != n):
        raise ValueError(f"outcomes must be non-negative and sum to total = {n}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(outcomes > 0, outcomes * np.log(probs)[None, :], 0.0)
    out: FloatArray = np.exp(gammaln(n + 1) - gammaln(outcomes + 1).sum(axis=1) + terms.sum(axis=1))
    return out


def count_index(counts: IntArray) -> Callable[[IntArray], IntArray]:
    """The row of ``counts`` ``(C, S)`` (distinct count vectors of one total) holding each given vector ``(..., S)``."""
    c = np.asarray(counts)
    if c.ndim != 2 or c.shape[0] == 0 or not np.issubdtype(c.dtype, np.integer) or np.any(c < 0):
        raise ValueError(f"counts must be a non-empty (C, S) array of non-negative integers, got shape {c.shape}")
    counts = c.astype(np.int64)
    base = int(counts.sum(axis=1).max()) + 1
    weights = base ** np.arange(counts.shape[1], dtype=np.int64)
    keys = counts @ weights
    order = np.argsort(keys)

    def lookup(vectors: IntArray) -> IntArray:
        out: IntArray = order[np.searchsorted(keys, vectors @ weights, sorter=order)]
        return out

    return lookup


def lifted_size(n_states: int, n_agents: int) -> int:
    """:math:`|\\mathcal S|\\binom{N-1+|\\mathcal S|-1}{|\\mathcal S|-1}`, the number of states of the deviator's MDP."""
    return n_states * comb(n_agents - 1 + n_states - 1, n_states - 1)


def _check_size(n_states: int, n_agents: int) -> None:
    size = lifted_size(n_states, n_agents)
    if size > MAX_LIFTED_STATES:
        raise ValueError(f"n_agents={n_agents} gives {size} lifted states (> {MAX_LIFTED_STATES}); use the Monte Carlo evaluation")


def _others_kernel(policy: FloatArray, kernels: FloatArray, counts: IntArray) -> FloatArray:
    """The others' one-step count law given the deviator's state, ``(S, C, C)``.

    ``kernels[i]`` is :math:`P(\\cdot|\\cdot,\\cdot,\\mathrm{counts}_i/(N-1))` ``(C, S, A, S)`` at every count vector
    of the :math:`N-1` others (the views :math:`(n-e_x+e_s)/(N-1)` are such vectors); ``policy`` ``(S, A)``
    is theirs. Entry ``[s, i, j]`` is :math:`\\Pr(n'=\\mathrm{counts}_j\\mid n=\\mathrm{counts}_i,\\ \\text{deviator in }s)`.
    """
    c_n, s_n = counts.shape
    if s_n == 1:
        return np.ones((1, 1, 1))
    m = int(counts[0].sum()) + 1  # each of the first S - 1 coordinates of n' lies in 0..N-1
    lookup = count_index(counts)
    eye = np.eye(s_n, dtype=np.int64)
    # view[s, i, x]: the count vector that an other in x sees when the deviator is in s
    view = counts[None, :, None, :] - eye[None, None, :, :] + eye[:, None, None, :]
    present = counts[None, :, :, None] > 0
    idx = lookup(np.where(present, view, counts[None, :, None, :]))  # (S, C, S); absent x: any valid row
    q = np.einsum("sixay,xa->sixy", kernels[idx, np.arange(s_n)[None, None, :]], policy)  # (S, C, S_x, S')
    grid = np.stack(np.meshgrid(*[np.arange(m)] * (s_n - 1), indexing="ij"), axis=-1).reshape(-1, s_n - 1)
    roots = np.exp(-2j * np.pi * grid / m)  # (M^(S-1), S-1): z_y for y < S - 1; z_{S-1} = 1
    out = np.empty((s_n, c_n, c_n))
    heads = tuple(counts[:, : s_n - 1].T)
    for s in range(s_n):
        pgf = np.ones((c_n, grid.shape[0]), dtype=np.complex128)
        for x in range(s_n):
            base = q[s, :, x, s_n - 1][:, None] + q[s, :, x, : s_n - 1] @ roots.T  # (C, M^(S-1))
            pgf *= base ** counts[:, x][:, None]
        dense = np.fft.ifftn(pgf.reshape((c_n,) + (m,) * (s_n - 1)), axes=tuple(range(1, s_n))).real
        out[s] = np.clip(dense[(slice(None), *heads)], 0.0, None)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _views(model: StepModel, counts: IntArray, n_agents: int) -> tuple[FloatArray, FloatArray]:
    """:math:`r` ``(C, S, A)`` and :math:`P` ``(C, S, A, S)`` at every count vector of the others."""
    views = counts / (n_agents - 1)
    rewards = np.stack([np.asarray(model.reward(v), dtype=np.float64) for v in views])
    kernels = np.stack([np.asarray(model.transition(v), dtype=np.float64) for v in views])
    return rewards, kernels


def count_kernel(model: Any, policy: npt.ArrayLike, n_agents: int) -> tuple[IntArray, FloatArray]:
    """The others' counts and their one-step law given the deviator's state (stationary model).

    Returns ``counts`` ``(C, S)`` (all compositions of :math:`N-1`) and ``kernel`` ``(S, C, C)``:
    ``kernel[s, i, j]`` :math:`=\\Pr(n'=\\mathrm{counts}_j\\mid n=\\mathrm{counts}_i,\\ \\text{deviator in }s)`.
    """
    m = require_model(model)
    n = check_int(n_agents, "n_agents", low=2)
    pi = check_distribution(policy, "policy")
    counts = compositions(n - 1, m.n_states)
    return counts, _others_kernel(pi, _views(m, counts, n)[1], counts)


def _start_law(rho: FloatArray, counts: IntArray, n_agents: int) -> FloatArray:
    """Law of :math:`(s^1_0,n_0)` ``(S, C)`` when all :math:`N` states are i.i.d. ``rho``."""
    out: FloatArray = rho[:, None] * multinomial_pmf(n_agents - 1, rho, counts)[None, :]
    return out


@dataclass(frozen=True)
class _LiftedModel:
    reward_table: FloatArray
    kernel_table: FloatArray

    def reward(self, mu: FloatArray) -> FloatArray:
        return self.reward_table

    def transition(self, mu: FloatArray) -> FloatArray:
        return self.kernel_table


def lifted_game(model: Any, policy: npt.ArrayLike, n_agents: int, initial: npt.ArrayLike) -> tuple[StationaryMFG, IntArray]:
    """The deviator's MDP on :math:`(s,n)` (index :math:`s\\cdot C+i`) as a :math:`\\mu`-independent stationary game, and the counts.

    Its ``initial`` is the law of :math:`(s^1_0,n_0)` when all states are i.i.d. ``initial``.
    """
    m = require_model(model)
    s_n, a_n = m.n_states, m.n_actions
    rho = check_distribution(initial, "initial")
    n = check_int(n_agents, "n_agents", low=2)
    pi = check_distribution(policy, "policy")
    _check_size(s_n, n)
    counts = compositions(n - 1, s_n)
    c_n = counts.shape[0]
    rewards, kernels = _views(m, counts, n)
    others = _others_kernel(pi, kernels, counts)
    # P((s', n') | (s, n), a) = P(s'|s,a,n/(N-1)) * K_s(n'|n)
    kernel = kernels.transpose(1, 0, 2, 3)[:, :, :, :, None] * others[:, :, None, None, :]
    lifted = _LiftedModel(rewards.transpose(1, 0, 2).reshape(s_n * c_n, a_n), kernel.reshape(s_n * c_n, a_n, s_n * c_n))
    game = StationaryMFG(
        n_states=s_n * c_n, n_actions=a_n, reward_fn=lifted.reward, transition_fn=lifted.transition,
        gamma=m.gamma, initial=_start_law(rho, counts, n).reshape(-1), name=f"deviator MDP (N={n})",
        transition_depends_on_mu=False,
    )
    return game, counts


def exact_evaluation(model: Any, policy: npt.ArrayLike, n_agents: int, initial: npt.ArrayLike) -> ExactNPlayer:
    """:class:`~mfcode.nplayer.results.ExactNPlayer` of ``policy`` ``(S, A)`` for ``n_agents`` agents of a stationary model, i.i.d. from ``initial``."""
    m = require_model(model)
    pi = check_distribution(policy, "policy")
    if pi.shape != (m.n_states, m.n_actions):
        raise ValueError(f"policy must have shape {(m.n_states, m.n_actions)}, got {pi.shape}")
    game, counts = lifted_game(m, pi, n_agents, initial)
    dyn = game.dynamics_at(game.initial)
    lifted_pi = np.repeat(pi, counts.shape[0], axis=0)
    value = float(game.initial @ game.evaluate(lifted_pi, dyn, 0.0).value)
    best = float(game.initial @ game.best_response(dyn, 0.0).value)
    return ExactNPlayer(n_agents, value, best)


def flow_evaluation(
    epoch: Callable[[int], StepModel], policy: npt.ArrayLike, n_agents: int, initial: npt.ArrayLike, gamma: float
) -> ExactNPlayer:
    """:class:`~mfcode.nplayer.results.ExactNPlayer` of a time-dependent ``policy`` ``(H, S, A)`` over ``H`` epochs.

    ``epoch(t)`` is the model of epoch ``t`` (its ``transition`` is called for ``t < H - 1`` only);
    rewards are weighted :math:`\\gamma^t`. Backward induction on the deviator's MDP (module docstring).
    """
    pi = check_distribution(policy, "policy")
    if pi.ndim != 3:
        raise ValueError(f"policy must have shape (H, S, A), got {pi.shape}")
    horizon, s_n = pi.shape[:2]
    n = check_int(n_agents, "n_agents", low=2)
    rho = check_distribution(initial, "initial")
    if rho.shape != (s_n,):
        raise ValueError(f"initial must have shape ({s_n},), got {rho.shape}")
    _check_size(s_n, n)
    counts = compositions(n - 1, s_n)
    views = counts / (n - 1)
    v_pi = np.zeros((s_n, counts.shape[0]))
    v_star = np.zeros_like(v_pi)
    for t in range(horizon - 1, -1, -1):
        model = epoch(t)
        r = np.stack([np.asarray(model.reward(v), dtype=np.float64) for v in views]).transpose(1, 0, 2)  # (S, C, A)
        q_pi, q_star = r.copy(), r.copy()
        if t < horizon - 1:
            kernels = np.stack([np.asarray(model.transition(v), dtype=np.float64) for v in views])  # (C, S, A, S)
            others = _others_kernel(pi[t], kernels, counts)
            for q, v in ((q_pi, v_pi), (q_star, v_star)):
                w = np.einsum("sij,uj->siu", others, v)  # E[V_{t+1}(s', n') | s, n] per next own state s'
                q += gamma * np.einsum("isau,siu->sia", kernels, w)
        v_pi = np.einsum("sia,sa->si", q_pi, pi[t])
        v_star = q_star.max(axis=-1)
    start = _start_law(rho, counts, n)
    return ExactNPlayer(n, float((start * v_pi).sum()), float((start * v_star).sum()))
