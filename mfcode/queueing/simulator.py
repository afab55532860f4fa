"""The exact epoch simulator of 003 eq. (1), linear in the number of queues.

Seed ``003_99f599d21fa4851c.txt``, §1.2.4 and §3. Eq. (1) factorises the epoch transition over queues:
given the epoch-start states, the regime :math:`\\lambda_t` and the frozen routing, queue :math:`j` is an
M/M/1/B queue with constant arrival rate :math:`\\Lambda_j=\\lambda_tw_j`
(:func:`~mfcode.queueing.policies.arrival_weights`) and service rate :math:`\\alpha_j`, independent of the
others over :math:`[t\\Delta t,(t+1)\\Delta t)`. Each queue is simulated exactly by uniformization
(:func:`simulate_epoch`): :math:`K_j\\sim\\mathrm{Poisson}((\\Lambda_j+\\alpha_j)\\Delta t)` events, each an arrival
with probability :math:`\\Lambda_j/(\\Lambda_j+\\alpha_j)` (a drop when the buffer is full, counted at
arrival) and otherwise a potential departure (none when empty). All queues of all replicate episodes
advance together, queues sorted by their event count so that step :math:`k` touches only the contiguous
block of queues with more than :math:`k` events: the work is :math:`\\sum_jK_j`, linear in :math:`N`, with no
global per-event loop (the seed's global Gillespie [47] has the same law).

Randomness: a seed spawns independent streams for the regime paths, the policy's tie-breaking, and
each epoch's queue events. Two runs with the same seed therefore share the regime paths (the common
noise that dominates the spread between episodes; see the caveats of the book's sparse chapter) and,
while their rates agree, the queue events too: common random numbers across policies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.queueing.graphs import Graph
from mfcode.queueing.policies import Policy, RoutingContext, arrival_weights
from mfcode.queueing.system import QueueSystem, regime_paths
from mfcode.validation import check_int, check_real

__all__ = ["NORMALIZATIONS", "EpisodeBatch", "EpochOutcome", "run_episodes", "simulate_epoch"]

#: Evaluation normalizations (003 §3 "per 50 time units and queue" vs the 50-epoch episode; see
#: :meth:`EpisodeBatch.drops_per_queue`).
NORMALIZATIONS: tuple[str, ...] = ("per-episode", "per-50-time-units")

#: Rates are rounded to this many decimals so that equal routings computed by different sums give
#: bit-identical rates (e.g. RND's shares 1/3 + 1/3 + 1/3 on the cycle and OWN's 1), hence identical
#: event streams under common random numbers.
_RATE_DECIMALS = 12


@dataclass(frozen=True)
class EpochOutcome:
    """One epoch of every queue: ``(R, N)`` arrays.

    ``arrivals`` counts every job that reached the queue (dropped ones included), ``drops`` those that
    found it full, ``departures`` the completed services; ``z`` is the state at the epoch's end.
    """

    z: IntArray
    arrivals: IntArray
    drops: IntArray
    departures: IntArray


def simulate_epoch(
    z: IntArray, arrival_rates: FloatArray, service_rates: FloatArray, dt: float, buffer: int, rng: np.random.Generator
) -> EpochOutcome:
    """Advance independent M/M/1/B queues by ``dt`` exactly (uniformization, vectorized over all queues).

    Parameters
    ----------
    z : ``(R, N)`` start states in ``{0..buffer}``.
    arrival_rates : ``(R, N)`` constant arrival rates :math:`\\Lambda_j\\ge0` over the epoch.
    service_rates : service rates :math:`\\alpha_j>0`, broadcastable to ``(R, N)``.
    dt, buffer : the epoch length and :math:`B`.
    rng : the generator of this epoch's events.
    """
    b = check_int(buffer, "buffer", low=1)
    length = check_real(dt, "dt", low=0.0, low_open=True)
    shape = z.shape
    lam = np.asarray(arrival_rates, dtype=np.float64)
    mu = np.broadcast_to(np.asarray(service_rates, dtype=np.float64), shape)
    if lam.shape != shape or np.any(lam < 0) or np.any(mu <= 0):
        raise ValueError(f"arrival_rates must be non-negative of shape {shape} and service_rates positive")
    if np.any(z < 0) or np.any(z > b):
        raise ValueError(f"z must lie in [0, {b}]")
    nu = (lam + mu).ravel()
    events = rng.poisson(nu * length)
    order = np.argsort(-events, kind="stable")
    count = events[order]
    # active[k]: number of queues with more than k events (a prefix of the sorted order).
    active = np.searchsorted(-count, -np.arange(int(count[0]) if count.size else 0), side="left")
    state = z.ravel()[order].astype(np.int64)
    p_arrival = (lam.ravel() / nu)[order]
    arrivals = np.zeros(state.size, dtype=np.int64)
    drops = np.zeros(state.size, dtype=np.int64)
    departures = np.zeros(state.size, dtype=np.int64)
    for n in active:
        s = state[:n]
        arrive = rng.random(n) < p_arrival[:n]
        full = s == b
        leave = ~arrive & (s > 0)
        arrivals[:n] += arrive
        drops[:n] += arrive & full
        departures[:n] += leave
        s += (arrive & ~full).astype(np.int64) - leave
    out = np.empty((4, state.size), dtype=np.int64)
    out[:, order] = np.stack([state, arrivals, drops, departures])
    return EpochOutcome(*(row.reshape(shape) for row in out))


@dataclass(frozen=True)
class EpisodeBatch:
    """``R`` replicate episodes of one policy on one graph.

    Attributes
    ----------
    drops
        ``(R, T)``: dropped jobs per queue (mean over the :math:`N` queues) in each epoch.
    regimes
        ``(R, T)``: the arrival regime of each epoch (0 = high, 1 = low).
    states
        ``(R, T + 1, B + 1)``: the empirical state distribution :math:`\\mu(t)` at each epoch start and at
        the end.
    dt
        :math:`\\Delta t`.
    """

    drops: FloatArray
    regimes: IntArray
    states: FloatArray
    dt: float

    def drops_per_queue(self, normalization: str = "per-episode") -> FloatArray:
        """``(R,)``: drops per queue of each episode.

        ``"per-episode"``: the sum over the :math:`T` epochs (an episode of :math:`T\\Delta t` time units);
        ``"per-50-time-units"``: that sum times :math:`50/(T\\Delta t)`, 003 §3's "average number of packets
        dropped per 50 time units and queue" read as a rate (the seed is ambiguous, see the chapter).
        """
        total: FloatArray = self.drops.sum(axis=1)
        if normalization == "per-episode":
            return total
        if normalization == "per-50-time-units":
            rate: FloatArray = total * 50.0 / (self.drops.shape[1] * self.dt)
            return rate
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")


def run_episodes(
    graph: Graph,
    policy: Policy,
    system: QueueSystem,
    *,
    n_episodes: int,
    seed: int,
    service_rates: FloatArray | None = None,
) -> EpisodeBatch:
    """``n_episodes`` episodes of ``system.horizon`` epochs from empty queues, batched (003 §1.2, §2.3, §3).

    ``service_rates`` ``(N,)`` gives heterogeneous servers (Fig. 10(b)); default :math:`\\alpha` everywhere.
    Runs with the same ``seed`` share the regime paths and the per-epoch event streams (common random
    numbers).
    """
    r = check_int(n_episodes, "n_episodes", low=1)
    root = np.random.SeedSequence(check_int(seed, "seed", low=0))
    regime_seq, policy_seq, event_seq = root.spawn(3)
    regimes = regime_paths(system, r, np.random.default_rng(regime_seq))
    policy_rng = np.random.default_rng(policy_seq)
    event_rngs = [np.random.default_rng(s) for s in event_seq.spawn(system.horizon)]
    n = graph.n_nodes
    alpha = np.full(n, system.service_rate) if service_rates is None else np.asarray(service_rates, dtype=np.float64)
    context = RoutingContext(graph, alpha, system.buffer)
    lam = system.rates[regimes]  # (R, T)
    z = np.zeros((r, n), dtype=np.int64)
    states = np.zeros((r, system.horizon + 1, system.n_states))
    drops = np.zeros((r, system.horizon))
    bins = np.arange(r)[:, None] * system.n_states
    for t in range(system.horizon):
        states[:, t] = np.bincount((bins + z).ravel(), minlength=r * system.n_states).reshape(r, -1) / n
        weights = np.round(arrival_weights(policy.routing(z, context, policy_rng), graph), _RATE_DECIMALS)
        outcome = simulate_epoch(z, lam[:, t, None] * weights, alpha, system.dt, system.buffer, event_rngs[t])
        z = outcome.z
        drops[:, t] = outcome.drops.mean(axis=1)
    states[:, -1] = np.bincount((bins + z).ravel(), minlength=r * system.n_states).reshape(r, -1) / n
    return EpisodeBatch(drops, regimes, states, system.dt)
