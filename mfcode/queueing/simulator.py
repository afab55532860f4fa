"""The exact epoch simulator of 003 eq. (1), linear in the number of queues, with two drop estimates.

Seed ``003_99f599d21fa4851c.txt``, §1.2.4 and §3. Eq. (1) factorises the epoch transition over queues:
given the epoch-start states, the regime :math:`\\lambda_t` and the frozen routing, queue :math:`j` is an
M/M/1/B queue with constant arrival rate :math:`\\Lambda_j=\\lambda_tw_j`
(:meth:`~mfcode.queueing.policies.Policy.weights`) and service rate :math:`\\alpha_j`, independent of the
others over the epoch. Two exact samplers of that transition, chosen by ``drops`` of
:func:`run_episodes` (:data:`DROP_ESTIMATES`):

``"sampled"`` (:func:`simulate_epoch`, uniformization)
    :math:`K_j\\sim\\mathrm{Poisson}((\\Lambda_j+\\alpha_j)\\Delta t)` events per queue, each an arrival with
    probability :math:`\\Lambda_j/(\\Lambda_j+\\alpha_j)` (a drop when the buffer is full, counted at arrival)
    and otherwise a potential departure (none when empty). All queues of all replicate episodes advance
    together, sorted by their event count so that step :math:`k` touches only the queues with more than
    :math:`k` events: the work is :math:`\\sum_jK_j`, linear in :math:`N` and in :math:`\\Delta t`, with no
    global per-event loop (the seed's global Gillespie [47] has the same law). The drops are the
    realized counts, the paper's measurement.
``"expected"`` (:func:`sample_epoch`, the kernel of eq. (1))
    The next state is drawn from the row of :math:`P(\\Delta t)=e^{G\\Delta t}` of the queue's start state and
    rate (one uniform per queue, by its inverse distribution function; eq. (1)'s factor "computed by the
    Kolmogorov equation"), and the epoch's drops are their conditional expectation given the start
    state and the frozen rate, :math:`d_z(\\Delta t)` of the drop accumulator
    (:func:`~mfcode.queueing.exact.epoch_kernel`; 003 App. A's reward). The states have the same law as
    under ``"sampled"``, and so do the expected drops' means (tower property): a Rao-Blackwellized
    estimate, whose variance per epoch given the start state is zero instead of the count's. Its cost
    is a few passes per queue and epoch, independent of :math:`\\Delta t`.

Randomness: a seed spawns independent streams for the regime paths, the policy's tie-breaking, and
each epoch's queue events. Two runs with the same seed therefore share the regime paths (the common
noise that dominates the spread between episodes; see the caveats of the book's sparse chapter) and,
while their rates agree, the queue events too: common random numbers across policies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.queueing.exact import EpochKernels
from mfcode.queueing.graphs import Graph
from mfcode.queueing.policies import Policy, RoutingContext
from mfcode.queueing.system import QueueSystem, regime_paths
from mfcode.validation import check_int, check_real

__all__ = [
    "DROP_ESTIMATES",
    "NORMALIZATIONS",
    "EpisodeBatch",
    "EpochOutcome",
    "episode_regimes",
    "run_episodes",
    "sample_epoch",
    "simulate_epoch",
]

#: Evaluation normalizations (003 §3 "per 50 time units and queue" vs the 50-epoch episode; see
#: :meth:`EpisodeBatch.drops_per_queue`).
NORMALIZATIONS: tuple[str, ...] = ("per-episode", "per-50-time-units")

#: Drop estimates of :func:`run_episodes`: the realized counts (uniformization) or their conditional
#: expectation given each epoch's start (the kernel sampler); see the module docstring.
DROP_ESTIMATES: tuple[str, ...] = ("sampled", "expected")

#: Rates are rounded to this many decimals so that equal routings computed by different sums give
#: bit-identical rates (e.g. RND's shares 1/3 + 1/3 + 1/3 on the cycle and OWN's 1), hence identical
#: event streams under common random numbers and one kernel per rate.
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


def sample_epoch(z: IntArray, arrival_rates: FloatArray, kernels: EpochKernels, rng: np.random.Generator) -> tuple[IntArray, FloatArray]:
    """Advance independent M/M/1/B queues of one service rate by one epoch, drawing from the epoch kernel.

    Parameters
    ----------
    z : start states in ``{0..B}``, any shape.
    arrival_rates : the constant arrival rates :math:`\\Lambda_j` over the epoch, the shape of ``z``.
    kernels : the table of :math:`P(\\Delta t)` and :math:`d(\\Delta t)` by rate (its service rate, buffer and
        epoch length apply to every queue here).
    rng : the generator of this epoch's uniforms (one per queue).

    Returns
    -------
    The next states, drawn from :math:`P(\\Delta t)_{z_j\\cdot}` by the inverse distribution function of one
    uniform (so two queues with the same start, rate and uniform move alike), and the expected drops
    :math:`d_{z_j}(\\Delta t)` of each queue over the epoch.
    """
    lam = np.asarray(arrival_rates, dtype=np.float64)
    if lam.shape != z.shape or np.any(lam < 0):
        raise ValueError(f"arrival_rates must be non-negative of shape {z.shape}")
    if np.any(z < 0) or np.any(z > kernels.buffer):
        raise ValueError(f"z must lie in [0, {kernels.buffer}]")
    rows = kernels.rows(lam, z)
    u = rng.random(z.shape)
    nxt = np.zeros(z.shape, dtype=np.int64)
    for k in range(kernels.buffer):
        nxt += u > kernels.cumulative[:, k][rows]
    expected: FloatArray = kernels.drops[rows]
    return nxt, expected


@dataclass(frozen=True)
class EpisodeBatch:
    """``R`` replicate episodes of one policy on one graph.

    Attributes
    ----------
    drops
        ``(R, T)``: dropped jobs per queue (mean over the :math:`N` queues) in each epoch, as counted
        (``estimate == "sampled"``) or expected given the epoch's start (``"expected"``).
    regimes
        ``(R, T)``: the arrival regime of each epoch (0 = high, 1 = low).
    states
        ``(R, T + 1, B + 1)``: the empirical state distribution :math:`\\mu(t)` at each epoch start and at
        the end.
    epoch_lengths
        ``(T,)``: the length of each epoch (:math:`\\Delta t`; the last one shorter in an episode of a
        fixed time span, :meth:`~mfcode.queueing.system.QueueSystem.spanning`).
    estimate
        One of :data:`DROP_ESTIMATES`.
    """

    drops: FloatArray
    regimes: IntArray
    states: FloatArray
    epoch_lengths: FloatArray
    estimate: str

    def drops_per_queue(self, normalization: str = "per-episode") -> FloatArray:
        """``(R,)``: drops per queue of each episode.

        ``"per-episode"``: the sum over the :math:`T` epochs (an episode of ``epoch_lengths.sum()`` time
        units); ``"per-50-time-units"``: that sum times 50 / the episode's time, 003 §3's "average number
        of packets dropped per 50 time units and queue" read as a rate (the seed is ambiguous, see the
        chapter).
        """
        total: FloatArray = self.drops.sum(axis=1)
        if normalization == "per-episode":
            return total
        if normalization == "per-50-time-units":
            rate: FloatArray = total * 50.0 / float(self.epoch_lengths.sum())
            return rate
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")


def _service_classes(alpha: FloatArray) -> tuple[FloatArray, list[IntArray]]:
    """The distinct service rates and, for each, the indices of its queues."""
    values, inverse = np.unique(alpha, return_inverse=True)
    return values, [np.flatnonzero(inverse == c) for c in range(values.size)]


def _expected_epoch(
    z: IntArray, lam: FloatArray, tables: Sequence[EpochKernels], columns: Sequence[IntArray], rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    """:func:`sample_epoch` per service class (one class: the whole batch at once)."""
    if len(tables) == 1:
        return sample_epoch(z, lam, tables[0], rng)
    nxt = np.empty_like(z)
    drops = np.empty(z.shape)
    for table, cols in zip(tables, columns, strict=True):
        nxt[:, cols], drops[:, cols] = sample_epoch(z[:, cols], lam[:, cols], table, rng)
    return nxt, drops


def _streams(seed: int) -> list[np.random.SeedSequence]:
    """The regime, policy and event streams of a seed."""
    return np.random.SeedSequence(check_int(seed, "seed", low=0)).spawn(3)


def episode_regimes(system: QueueSystem, n_episodes: int, seed: int) -> IntArray:
    """``(R, T)``: the regime paths of :func:`run_episodes` with this ``seed`` (the same for every policy)."""
    return regime_paths(system, check_int(n_episodes, "n_episodes", low=1), np.random.default_rng(_streams(seed)[0]))


def run_episodes(
    graph: Graph,
    policy: Policy,
    system: QueueSystem,
    *,
    n_episodes: int,
    seed: int,
    service_rates: FloatArray | None = None,
    drops: str = "sampled",
) -> EpisodeBatch:
    """``n_episodes`` episodes of ``system.horizon`` epochs from empty queues, batched (003 §1.2, §2.3, §3).

    ``service_rates`` ``(N,)`` gives heterogeneous servers (Fig. 10(b)); default :math:`\\alpha` everywhere.
    ``drops`` (:data:`DROP_ESTIMATES`) picks the sampler and the drop estimate (module docstring).
    Runs with the same ``seed`` share the regime paths and the per-epoch random streams (common
    random numbers).
    """
    r = check_int(n_episodes, "n_episodes", low=1)
    if drops not in DROP_ESTIMATES:
        raise ValueError(f"drops must be one of {DROP_ESTIMATES}, got {drops!r}")
    regime_seq, policy_seq, event_seq = _streams(seed)
    regimes = regime_paths(system, r, np.random.default_rng(regime_seq))
    policy_rng = np.random.default_rng(policy_seq)
    event_rngs = [np.random.default_rng(s) for s in event_seq.spawn(system.horizon)]
    n = graph.n_nodes
    alpha = np.full(n, system.service_rate) if service_rates is None else np.asarray(service_rates, dtype=np.float64)
    context = RoutingContext(graph, alpha, system.buffer)
    classes, columns = _service_classes(alpha)
    lengths = system.epoch_lengths
    tables = {
        length: [EpochKernels(float(a), system.buffer, length) for a in classes] for length in set(lengths.tolist())
    }
    lam = system.rates[regimes]  # (R, T)
    z = np.zeros((r, n), dtype=np.int64)
    states = np.zeros((r, system.horizon + 1, system.n_states))
    dropped = np.zeros((r, system.horizon))
    bins = np.arange(r)[:, None] * system.n_states
    for t, length in enumerate(lengths.tolist()):
        states[:, t] = np.bincount((bins + z).ravel(), minlength=r * system.n_states).reshape(r, -1) / n
        weights = np.round(policy.weights(z, context, policy_rng), _RATE_DECIMALS)
        rates = lam[:, t, None] * weights
        if drops == "sampled":
            outcome = simulate_epoch(z, rates, alpha, length, system.buffer, event_rngs[t])
            z = outcome.z
            dropped[:, t] = outcome.drops.mean(axis=1)
        else:
            z, expected = _expected_epoch(z, rates, tables[length], columns, event_rngs[t])
            dropped[:, t] = expected.mean(axis=1)
    states[:, -1] = np.bincount((bins + z).ravel(), minlength=r * system.n_states).reshape(r, -1) / n
    return EpisodeBatch(dropped, regimes, states, lengths, drops)
