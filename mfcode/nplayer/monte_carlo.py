"""Monte Carlo evaluation of a mean-field policy in the N-player game: agents and replicates as array axes.

The N-player game of a population model (seed ``004_ae508d4ce3677c60.txt``, "From N-player Game to
MFG"): agent :math:`i` in state :math:`s^i` draws :math:`a^i\\sim\\pi_t(s^i)`, receives
:math:`r_t(s^i,a^i,\\mu^{-i})` and moves by :math:`P_t(\\cdot|s^i,a^i,\\mu^{-i})`, :math:`\\mu^{-i}` the empirical
law of the others. All :math:`N` agents of all :math:`R` replicates advance together: states are an
``(R, N)`` integer array, actions and next states are drawn by inverse CDF from uniforms of the same
shape. Within a replicate :math:`\\mu^{-i}` depends on :math:`i` only through :math:`s^i`, so the model is
evaluated at :math:`S` views per distinct count vector (its functions take one distribution: this is
the only Python loop, over the distinct count vectors met, cached across steps of the same epoch model;
the :math:`R\\cdot N` agents are vectorised).

:func:`simulate_flow` runs ``H`` epochs of time-dependent models and policies (a finite-horizon game);
:func:`simulate` is the stationary discounted case, truncated at ``horizon`` steps (bias at most
:math:`\\gamma^H\\max|r|/(1-\\gamma)`, with the largest :math:`|r|` met in the run). With a ``deviation`` both run two worlds on the same uniforms
(common random numbers): everyone plays :math:`\\pi`; agent 0 plays the deviation and the others
:math:`\\pi`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray, IntArray
from mfcode.nplayer.protocol import StepModel, require_model, require_step_model
from mfcode.nplayer.results import MonteCarloNPlayer
from mfcode.simplex import check_distribution
from mfcode.validation import check_int, check_real

__all__ = ["simulate", "simulate_flow", "step"]


def _draw(cdf_table: FloatArray, rows: IntArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draws: agent ``i`` uses row ``rows[i]`` of ``cdf_table`` ``(M, K)`` and uniform ``u[i]``.

    A loop over the :math:`K` outcomes, each gathering one column for all agents (no ``(..., K)`` array per agent).
    """
    out = np.zeros(u.shape, dtype=np.int64)
    for k in range(cdf_table.shape[-1] - 1):
        out += u > cdf_table[:, k][rows]
    return out


_Tables = dict[tuple[int, ...], tuple[FloatArray, FloatArray | None]]


def _tables(model: StepModel, states: IntArray, cache: _Tables, need_kernel: bool) -> tuple[FloatArray, FloatArray | None]:
    """Per replicate and own state :math:`x`: :math:`r(x,\\cdot,\\mu^{-i})` ``(R, S, A)`` and :math:`P(\\cdot|x,\\cdot,\\mu^{-i})` ``(R, S, A, S)``.

    The model is evaluated once per distinct count vector (``cache`` keeps them across steps: with
    :math:`N` agents there are at most :math:`\\binom{N+S-1}{S-1}`, and the counts of a large population
    concentrate on few of them). Without ``need_kernel`` (an episode's last epoch) no kernel is evaluated.
    """
    r_n, n = states.shape
    s_n, a_n = model.n_states, model.n_actions
    counts = np.bincount((states + s_n * np.arange(r_n)[:, None]).ravel(), minlength=r_n * s_n).reshape(r_n, s_n)
    unique, inverse = np.unique(counts, axis=0, return_inverse=True)
    eye = np.eye(s_n)
    reward = np.zeros((unique.shape[0], s_n, a_n))
    kernel = np.zeros((unique.shape[0], s_n, a_n, s_n)) if need_kernel else None
    for u, c in enumerate(unique):
        key = tuple(int(v) for v in c)
        if key not in cache or (need_kernel and cache[key][1] is None):
            rew, ker = np.zeros((s_n, a_n)), (np.zeros((s_n, a_n, s_n)) if need_kernel else None)
            for x in np.flatnonzero(c):
                view = (c - eye[x]) / (n - 1)
                rew[x] = np.asarray(model.reward(view), dtype=np.float64)[x]
                if ker is not None:
                    ker[x] = np.asarray(model.transition(view), dtype=np.float64)[x]
            cache[key] = (rew, ker)
        reward[u] = cache[key][0]
        if kernel is not None:
            kernel[u] = cache[key][1]
    idx = inverse.reshape(-1)
    return reward[idx], (None if kernel is None else kernel[idx])


def step(model: Any, policies: FloatArray, states: IntArray, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
    """One step of the N-player game for every replicate: rewards ``(R, N)`` and next states ``(R, N)``.

    ``model``: a :class:`~mfcode.nplayer.protocol.StepModel` (a stationary model, or one epoch of a
    finite-horizon game); ``policies``: ``(S, A)`` (everyone) or ``(N, S, A)`` (one policy per agent).
    """
    m = require_step_model(model)
    reward, kernel = _tables(m, states, {}, True)
    assert kernel is not None  # asked for
    s_n, a_n = m.n_states, m.n_actions
    pol_cdf = np.cumsum(policies, axis=-1).reshape(-1, a_n)
    pol_rows = states if policies.ndim == 2 else np.arange(states.shape[1])[None, :] * s_n + states
    actions = _draw(pol_cdf, pol_rows, rng.random(states.shape))
    rows = (np.arange(states.shape[0])[:, None] * s_n + states) * a_n + actions
    rewards = reward.reshape(-1)[rows]
    nxt = _draw(np.cumsum(kernel, axis=-1).reshape(-1, s_n), rows, rng.random(states.shape))
    return rewards, nxt


def _check_flow_policy(policy: npt.ArrayLike, name: str, horizon: int, s_n: int, a_n: int) -> FloatArray:
    pi = check_distribution(policy, name)
    if pi.ndim != 3 or pi.shape[0] < horizon or pi.shape[1:] != (s_n, a_n):
        raise ValueError(f"{name} must have shape (H, {s_n}, {a_n}) with H >= {horizon}, got {pi.shape}")
    return pi


def simulate_flow(
    epoch: Callable[[int], StepModel],
    policy: npt.ArrayLike,
    n_agents: int,
    *,
    n_replicates: int,
    seed: int,
    initial: npt.ArrayLike,
    gamma: float,
    deviation: npt.ArrayLike | None = None,
) -> MonteCarloNPlayer:
    """Returns :math:`\\sum_{t<H}\\gamma^tr_t` of a time-dependent ``policy`` ``(H, S, A)`` with ``n_agents`` agents.

    ``epoch(t)`` is the model of epoch ``t`` (the same object at every epoch shares the cache of model
    evaluations); its ``transition`` is not called at the last epoch. All states start i.i.d. from
    ``initial``; agent 0 of the second world plays ``deviation`` ``(H, S, A)`` when given.
    ``truncation_bias`` is 0 (the episode is complete).
    """
    return _run(epoch, policy, n_agents, n_replicates, seed, initial, gamma, deviation)[0]


def _run(
    epoch: Callable[[int], StepModel],
    policy: npt.ArrayLike,
    n_agents: int,
    n_replicates: int,
    seed: int,
    initial: npt.ArrayLike,
    gamma: float,
    deviation: npt.ArrayLike | None,
) -> tuple[MonteCarloNPlayer, float]:
    """:func:`simulate_flow`, and the largest :math:`|r|` met."""
    pi = check_distribution(policy, "policy")
    if pi.ndim != 3:
        raise ValueError(f"policy must have shape (H, S, A), got {pi.shape}")
    horizon, s_n, a_n = pi.shape
    dev = None if deviation is None else _check_flow_policy(deviation, "deviation", horizon, s_n, a_n)
    n = check_int(n_agents, "n_agents", low=2)
    r_n = check_int(n_replicates, "n_replicates", low=2)
    rho = check_distribution(initial, "initial")
    if rho.shape != (s_n,):
        raise ValueError(f"initial must have shape ({s_n},), got {rho.shape}")
    g = check_real(gamma, "gamma", low=0.0, high=1.0)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    start = _draw(np.cumsum(rho)[None, :], np.zeros((r_n, n), dtype=np.int64), rng.random((r_n, n)))
    worlds = 1 if dev is None else 2
    states = np.concatenate([start] * worlds)  # world 0: all play pi; world 1: agent 0 deviates
    totals = np.zeros((worlds * r_n, n))
    caches: dict[int, tuple[StepModel, _Tables]] = {}
    discount, r_max = 1.0, 0.0
    replicate_rows = np.arange(worlds * r_n)[:, None] * s_n
    for t in range(horizon):
        model = epoch(t)
        _, cache = caches.setdefault(id(model), (model, {}))  # the model is kept alive: ids stay unique
        last = t == horizon - 1
        reward, kernel = _tables(model, states, cache, not last)
        r_max = max(r_max, float(np.abs(reward).max()))
        u_act, u_next = rng.random((r_n, n)), rng.random((r_n, n))
        actions = _draw(np.cumsum(pi[t], axis=-1), states, np.concatenate([u_act] * worlds))
        if dev is not None:
            actions[r_n:, 0] = _draw(np.cumsum(dev[t], axis=-1), states[r_n:, 0], u_act[:, 0])
        rows = (replicate_rows + states) * a_n + actions
        totals += discount * reward.reshape(-1)[rows]
        if kernel is not None:
            states = _draw(np.cumsum(kernel, axis=-1).reshape(-1, s_n), rows, np.concatenate([u_next] * worlds))
        discount *= g
    gain = None if dev is None else totals[r_n:, 0] - totals[:r_n, 0]
    return MonteCarloNPlayer(n, totals[:r_n].mean(axis=1), gain, 0.0), r_max


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
    """Discounted returns of ``policy`` ``(S, A)`` in the ``n_agents``-player game of a stationary model, truncated at ``horizon``.

    All states start i.i.d. from ``initial``. Agent 0 of a second world plays ``deviation``: ``(S, A)``
    or time-dependent ``(H', S, A)`` with :math:`H'\\ge` ``horizon`` (e.g. the best response to the
    mean-field flow); without one, ``deviation_gain`` is ``None``.
    """
    m = require_model(model)
    pi = check_distribution(policy, "policy")
    if pi.shape != (m.n_states, m.n_actions):
        raise ValueError(f"policy must have shape {(m.n_states, m.n_actions)}, got {pi.shape}")
    h = check_int(horizon, "horizon", low=1)
    gamma = check_real(m.gamma, "model.gamma", low=0.0, high=1.0, high_open=True)
    dev = None
    if deviation is not None:
        d = check_distribution(deviation, "deviation")
        dev = np.broadcast_to(d, (h, *d.shape)) if d.ndim == 2 else d
    out, r_max = _run(lambda t: m, np.broadcast_to(pi, (h, *pi.shape)), n_agents, n_replicates, seed, initial, gamma, dev)
    return MonteCarloNPlayer(out.n_agents, out.population_return, out.deviation_gain, gamma**h * r_max / (1.0 - gamma))
