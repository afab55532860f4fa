"""Monte Carlo evaluation of a mean-field policy in the N-player game: agents and replicates as array axes.

The N-player game of a :class:`~mfcode.nplayer.protocol.PopulationModel` (seed ``004_ae508d4ce3677c60.txt``,
"From N-player Game to MFG"): agent :math:`i` in state :math:`s^i` draws :math:`a^i\\sim\\pi(s^i)`, receives
:math:`r(s^i,a^i,\\mu^{-i})` and moves by :math:`P(\\cdot|s^i,a^i,\\mu^{-i})`, :math:`\\mu^{-i}` the empirical law
of the others. All :math:`N` agents of all :math:`R` replicates advance together: states are an
``(R, N)`` integer array, actions and next states are drawn by inverse CDF from uniforms of the same
shape. Within a replicate :math:`\\mu^{-i}` depends on :math:`i` only through :math:`s^i`, so the model is
evaluated at :math:`S` views per distinct count vector (its functions take one distribution: this is
the only Python loop, over the distinct count vectors met, cached across steps; the :math:`R\\cdot N`
agents are vectorised).

:func:`simulate` runs two worlds on the same uniforms (common random numbers): everyone plays
:math:`\\pi`; agent 0 plays ``deviation`` and the others :math:`\\pi`. Returns are discounted sums over
``horizon`` steps (truncation bias at most :math:`\\gamma^H\\max|r|/(1-\\gamma)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from mfcode.arrays import FloatArray, IntArray
from mfcode.nplayer.protocol import PopulationModel, require_model
from mfcode.simplex import check_distribution
from mfcode.validation import check_int, check_real

__all__ = ["MonteCarloNPlayer", "simulate", "step"]


def _draw(cdf_table: FloatArray, rows: IntArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draws: agent ``i`` uses row ``rows[i]`` of ``cdf_table`` ``(M, K)`` and uniform ``u[i]``.

    A loop over the :math:`K` outcomes, each gathering one column for all agents (no ``(..., K)`` array per agent).
    """
    out = np.zeros(u.shape, dtype=np.int64)
    for k in range(cdf_table.shape[-1] - 1):
        out += u > cdf_table[:, k][rows]
    return out


_Tables = dict[tuple[int, ...], tuple[FloatArray, FloatArray]]


def _tables(model: PopulationModel, states: IntArray, cache: _Tables) -> tuple[FloatArray, FloatArray]:
    """Per replicate and own state :math:`x`: :math:`r(x,\\cdot,\\mu^{-i})` ``(R, S, A)`` and :math:`P(\\cdot|x,\\cdot,\\mu^{-i})` ``(R, S, A, S)``.

    The model is evaluated once per distinct count vector (``cache`` keeps them across steps: with
    :math:`N` agents there are at most :math:`\\binom{N+S-1}{S-1}`, and the counts of a large population
    concentrate on few of them).
    """
    r_n, n = states.shape
    s_n = model.n_states
    counts = np.bincount((states + s_n * np.arange(r_n)[:, None]).ravel(), minlength=r_n * s_n).reshape(r_n, s_n)
    unique, inverse = np.unique(counts, axis=0, return_inverse=True)
    eye = np.eye(s_n)
    reward = np.zeros((unique.shape[0], s_n, model.n_actions))
    kernel = np.zeros((unique.shape[0], s_n, model.n_actions, s_n))
    for u, c in enumerate(unique):
        key = tuple(int(v) for v in c)
        if key not in cache:
            rew, ker = np.zeros((s_n, model.n_actions)), np.zeros((s_n, model.n_actions, s_n))
            for x in np.flatnonzero(c):
                view = (c - eye[x]) / (n - 1)
                rew[x] = np.asarray(model.reward(view), dtype=np.float64)[x]
                ker[x] = np.asarray(model.transition(view), dtype=np.float64)[x]
            cache[key] = (rew, ker)
        reward[u], kernel[u] = cache[key]
    idx = inverse.reshape(-1)
    return reward[idx], kernel[idx]


def step(
    model: Any, policies: FloatArray, states: IntArray, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """One step of the N-player game for every replicate: rewards ``(R, N)`` and next states ``(R, N)``.

    ``policies``: ``(S, A)`` (everyone) or ``(N, S, A)`` (one policy per agent).
    """
    m = require_model(model)
    reward, kernel = _tables(m, states, {})
    s_n, a_n = m.n_states, m.n_actions
    pol_cdf = np.cumsum(policies, axis=-1).reshape(-1, a_n)
    pol_rows = states if policies.ndim == 2 else np.arange(states.shape[1])[None, :] * s_n + states
    actions = _draw(pol_cdf, pol_rows, rng.random(states.shape))
    rows = (np.arange(states.shape[0])[:, None] * s_n + states) * a_n + actions
    rewards = reward.reshape(-1)[rows]
    nxt = _draw(np.cumsum(kernel, axis=-1).reshape(-1, s_n), rows, rng.random(states.shape))
    return rewards, nxt


@dataclass(frozen=True, eq=False)
class MonteCarloNPlayer:
    """Replicate-level returns of :func:`simulate` (``R`` replicates).

    Attributes
    ----------
    n_agents
        :math:`N`.
    population_return
        Mean discounted return over the :math:`N` agents when all play :math:`\\pi`, ``(R,)``.
    deviation_gain
        Agent 0's return when it deviates minus its return when it does not (same uniforms), ``(R,)``.
    truncation_bias
        :math:`\\gamma^H\\max|r|/(1-\\gamma)` bound on the bias of every return.
    """

    n_agents: int
    population_return: FloatArray
    deviation_gain: FloatArray
    truncation_bias: float

    def _ci(self, x: FloatArray, level: float) -> tuple[float, float]:
        half = float(norm.ppf(0.5 + level / 2) * x.std(ddof=1) / np.sqrt(x.size))
        return float(x.mean()), half

    def value(self, level: float = 0.95) -> tuple[float, float]:
        """:math:`V^N(\\pi)` estimate and the half-width of its normal ``level`` confidence interval."""
        return self._ci(self.population_return, level)

    def gain(self, level: float = 0.95) -> tuple[float, float]:
        """The deviation's expected gain (a lower bound on the N-player exploitability) and its half-width."""
        return self._ci(self.deviation_gain, level)


def simulate(
    model: Any,
    policy: npt.ArrayLike,
    n_agents: int,
    *,
    n_replicates: int,
    seed: int,
    initial: npt.ArrayLike,
    deviation: npt.ArrayLike | None = None,
    horizon: int = 100,
) -> MonteCarloNPlayer:
    """Discounted returns of ``policy`` in the ``n_agents``-player game, with agent 0 deviating to ``deviation``.

    All states start i.i.d. from ``initial``; ``deviation`` defaults to ``policy`` (zero gain).
    """
    m = require_model(model)
    pi = check_distribution(policy, "policy")
    dev = pi if deviation is None else check_distribution(deviation, "deviation")
    for name, arr in (("policy", pi), ("deviation", dev)):
        if arr.shape != (m.n_states, m.n_actions):
            raise ValueError(f"{name} must have shape {(m.n_states, m.n_actions)}, got {arr.shape}")
    n = check_int(n_agents, "n_agents", low=2)
    r_n = check_int(n_replicates, "n_replicates", low=2)
    h = check_int(horizon, "horizon", low=1)
    rho = check_distribution(initial, "initial")
    check_real(m.gamma, "model.gamma", low=0.0, high=1.0, high_open=True)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    start = _draw(np.cumsum(rho)[None, :], np.zeros((r_n, n), dtype=np.int64), rng.random((r_n, n)))
    states = np.concatenate([start, start])  # world 0: all play pi; world 1: agent 0 deviates
    policies = np.broadcast_to(pi, (n, *pi.shape)).copy()
    both = np.stack([policies, policies])
    both[1, 0] = dev
    pol_cdf = np.cumsum(both, axis=-1).reshape(-1, m.n_actions)  # row (world, agent, state)
    agent_rows = (np.repeat(np.arange(2), r_n)[:, None] * n + np.arange(n)[None, :]) * m.n_states
    totals = np.zeros((2 * r_n, n))
    discount, r_max = 1.0, 0.0
    cache: _Tables = {}
    for _ in range(h):
        u_act, u_next = rng.random((r_n, n)), rng.random((r_n, n))
        reward, kernel = _tables(m, states, cache)
        r_max = max(r_max, float(np.abs(reward).max()))
        actions = _draw(pol_cdf, agent_rows + states, np.concatenate([u_act, u_act]))
        rows = (np.arange(2 * r_n)[:, None] * m.n_states + states) * m.n_actions + actions
        totals += discount * reward.reshape(-1)[rows]
        states = _draw(np.cumsum(kernel, axis=-1).reshape(-1, m.n_states), rows, np.concatenate([u_next, u_next]))
        discount *= m.gamma
    bias = discount * r_max / (1.0 - m.gamma)
    return MonteCarloNPlayer(n, totals[:r_n].mean(axis=1), totals[r_n:, 0] - totals[:r_n, 0], bias)
