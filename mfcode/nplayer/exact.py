"""Exact N-player values and exploitability of a mean-field policy, by dynamic programming over counts.

Slides seed ``004_ae508d4ce3677c60.txt`` ("N-player Games", "NE for N-player games"): in the N-player
game of a :class:`~mfcode.nplayer.protocol.PopulationModel` where the other :math:`N-1` agents play the
local policy :math:`\\pi`, one agent (the *deviator*) faces an MDP whose state is its own state
:math:`s` and the others' counts :math:`n\\in\\{n\\in\\mathbb N^{\\mathcal S}:\\sum n=N-1\\}`:

- it receives :math:`r(s,a,n/(N-1))` and moves by :math:`P(\\cdot|s,a,n/(N-1))`;
- independently, each of the :math:`n_x` others in state :math:`x` moves by
  :math:`q_x=\\sum_b\\pi(b|x)P(\\cdot|x,b,\\mu^{-j})` with :math:`\\mu^{-j}=(n-e_x+e_s)/(N-1)`, so the next
  counts are the convolution of the multinomials :math:`\\mathrm{Mult}(n_x,q_x)` (they do not depend on the
  deviator's action: the interaction is through states).

That MDP is finite, so the N-player value of :math:`\\pi` (the deviator plays :math:`\\pi` too) and the value
of the deviator's exact best response are exact linear algebra: the lifted MDP is a
:class:`~mfcode.mfg.stationary.StationaryMFG` with :math:`\\mu`-independent reward and kernel, solved by the
MFG core's policy evaluation and policy iteration. At time 0 all :math:`N` states are i.i.d. from
``initial``. The N-player exploitability is the deviator's expected gain,
:math:`\\mathbb E[V^{N,\\star}-V^{N,\\pi}]`, 0 exactly when no agent gains by deviating; the deviator's
best response may use the counts :math:`n` (a richer class than the others' local policies).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from mfcode.arrays import FloatArray, IntArray
from mfcode.mfc.combinatorics import compositions
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nplayer.protocol import require_model
from mfcode.simplex import check_distribution
from mfcode.validation import check_int

__all__ = ["ExactNPlayer", "count_kernel", "exact_evaluation", "lifted_game"]

#: Largest lifted MDP (deviator states x count vectors) the exact evaluation builds.
MAX_LIFTED_STATES = 6000


def _multinomial_pmf(total: int, probs: FloatArray, outcomes: IntArray) -> FloatArray:
    """:math:`\\mathrm{Mult}(total,probs)` at each row of ``outcomes`` (compositions of ``total``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(outcomes > 0, outcomes * np.log(probs)[None, :], 0.0)
    out: FloatArray = np.exp(gammaln(total + 1) - gammaln(outcomes + 1).sum(axis=1) + terms.sum(axis=1))
    return out


def _keys(vectors: IntArray, base: int) -> IntArray:
    out: IntArray = vectors @ (base ** np.arange(vectors.shape[1], dtype=np.int64))
    return out


def count_kernel(model: Any, policy: npt.ArrayLike, n_agents: int) -> tuple[IntArray, FloatArray]:
    """The others' counts and their one-step law given the deviator's state.

    Returns ``counts`` ``(C, S)`` (all compositions of :math:`N-1`) and ``kernel`` ``(S, C, C)``:
    ``kernel[s, i, j]`` :math:`=\\Pr(n'=\\mathrm{counts}_j\\mid n=\\mathrm{counts}_i,\\ \\text{deviator in }s)`.
    """
    m = require_model(model)
    s_n = m.n_states
    n = check_int(n_agents, "n_agents", low=2)
    pi = check_distribution(policy, "policy")
    counts = compositions(n - 1, s_n)
    keys = _keys(counts, n)
    order = np.argsort(keys)
    kernel = np.zeros((s_n, counts.shape[0], counts.shape[0]))
    for dev in range(s_n):
        for i, c in enumerate(counts):
            law_keys, law = np.zeros(1, dtype=np.int64), np.ones(1)
            for x in range(s_n):
                if c[x] == 0:
                    continue
                view = (c - np.eye(s_n, dtype=np.int64)[x] + np.eye(s_n, dtype=np.int64)[dev]) / (n - 1)
                q = pi[x] @ np.asarray(m.transition(view), dtype=np.float64)[x]
                outcomes = compositions(int(c[x]), s_n)
                pmf = _multinomial_pmf(int(c[x]), q, outcomes)
                keep = pmf > 0.0
                law_keys = (law_keys[:, None] + _keys(outcomes[keep], n)[None, :]).reshape(-1)
                law = (law[:, None] * pmf[keep][None, :]).reshape(-1)
            cols = order[np.searchsorted(keys, law_keys, sorter=order)]
            np.add.at(kernel[dev, i], cols, law)
    return counts, kernel


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
    c_n = comb(n - 1 + s_n - 1, s_n - 1)
    if s_n * c_n > MAX_LIFTED_STATES:
        raise ValueError(f"n_agents={n} gives {s_n * c_n} lifted states (> {MAX_LIFTED_STATES}); use the Monte Carlo evaluation")
    counts, others = count_kernel(m, policy, n)
    views = counts / (n_agents - 1)
    reward = np.zeros((s_n, c_n, a_n))
    kernel = np.zeros((s_n, c_n, a_n, s_n, c_n))
    for i, view in enumerate(views):
        r = np.asarray(m.reward(view), dtype=np.float64)
        p = np.asarray(m.transition(view), dtype=np.float64)
        reward[:, i] = r
        # P((s', n') | (s, n), a) = P(s'|s,a,n/(N-1)) * K_s(n'|n)
        kernel[:, i] = p[:, :, :, None] * others[:, i][:, None, None, :]
    start = (rho[:, None] * _multinomial_pmf(n_agents - 1, rho, counts)[None, :]).reshape(-1)
    lifted = _LiftedModel(reward.reshape(s_n * c_n, a_n), kernel.reshape(s_n * c_n, a_n, s_n * c_n))
    game = StationaryMFG(
        n_states=s_n * c_n, n_actions=a_n, reward_fn=lifted.reward, transition_fn=lifted.transition,
        gamma=m.gamma, initial=start, name=f"deviator MDP (N={n_agents})", transition_depends_on_mu=False,
    )
    return game, counts


@dataclass(frozen=True)
class ExactNPlayer:
    """Exact N-player quantities of a local policy (per agent, averaged over i.i.d. initial states).

    Attributes
    ----------
    n_agents
        :math:`N`.
    value
        :math:`V^N(\\pi)`: every agent's expected discounted reward when all play :math:`\\pi`.
    best_value
        The deviator's optimal value when the other :math:`N-1` play :math:`\\pi`.
    """

    n_agents: int
    value: float
    best_value: float

    @property
    def exploitability(self) -> float:
        """The N-player exploitability :math:`\\mathbb E[V^{N,\\star}-V^N(\\pi)]`."""
        return self.best_value - self.value


def exact_evaluation(model: Any, policy: npt.ArrayLike, n_agents: int, initial: npt.ArrayLike) -> ExactNPlayer:
    """:class:`ExactNPlayer` of ``policy`` ``(S, A)`` for ``n_agents`` agents started i.i.d. from ``initial``."""
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
