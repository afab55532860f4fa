"""Expected drops exactly: the matrix exponential of the birth-death generator with a drop accumulator.

Seed ``003_99f599d21fa4851c.txt``, App. A (the rate matrix [U5] :math:`Q` and its augmented :math:`\\bar Q`). A
queue with constant arrival rate :math:`\\Lambda` and service rate :math:`\\alpha` is the birth-death chain on
:math:`\\{0..B\\}` with generator :math:`G` (births :math:`\\Lambda` below :math:`B`, deaths :math:`\\alpha` above 0).
Appending a state that accumulates the arrivals at :math:`B` gives

.. math:: \\bar G=\\begin{pmatrix}G&\\Lambda e_B\\\\0&0\\end{pmatrix},\\qquad
   e^{\\bar G\\Delta t}=\\begin{pmatrix}P(\\Delta t)&d(\\Delta t)\\\\0&1\\end{pmatrix},

where :math:`P(\\Delta t)=e^{G\\Delta t}` is the epoch's transition matrix and
:math:`d_z(\\Delta t)=\\int_0^{\\Delta t}\\Lambda P_{zB}(s)\\,ds` the expected number of drops over the epoch from
state :math:`z` (rows index the start state). App. A writes :math:`\\exp\\bar Q` without :math:`\\Delta t`;
the epoch length belongs inside the exponential (:func:`epoch_kernel`).

:class:`EpochKernels` keeps these kernels by arrival rate for the simulator's kernel sampler.
:func:`own_episode_drops` is the exact expected drops per queue in each epoch of an episode for OWN (on
any graph) and RND on regular graphs, where each queue receives exactly the Poisson stream
:math:`\\lambda_t` of its own agent: the forward recursion of the joint chain (queue state, regime) of the
modulated single queue, from the empty queue and :math:`\\lambda_0` uniform. :func:`own_path_drops` is
the same value conditional on a given regime path (the common noise of 003's arrival rate fixed), the
sharper reference for a simulation that shares those paths.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from mfcode.arrays import FloatArray, IntArray
from mfcode.queueing.system import QueueSystem
from mfcode.validation import check_int, check_real

__all__ = ["EpochKernels", "augmented_generator", "epoch_kernel", "own_episode_drops", "own_path_drops"]


def augmented_generator(arrival_rates: FloatArray, service_rate: float, buffer: int) -> FloatArray:
    """``(..., B+2, B+2)``: :math:`\\bar G` for each arrival rate (row = from state, last state = drop accumulator)."""
    b = check_int(buffer, "buffer", low=1)
    alpha = check_real(service_rate, "service_rate", low=0.0, low_open=True)
    lam = np.asarray(arrival_rates, dtype=np.float64)
    if np.any(~np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("arrival_rates must be finite and non-negative")
    g = np.zeros((*lam.shape, b + 2, b + 2))
    z = np.arange(b)
    g[..., z, z + 1] = lam[..., None]  # births below B
    g[..., z + 1, z] = alpha  # deaths above 0
    g[..., b, b + 1] = lam  # arrivals at B: drops, accumulated
    # The diagonal makes G a generator; the accumulator column adds Lambda at B without removing mass
    # from the chain (a drop leaves the queue at B), so the last column integrates Lambda * P(z(s) = B).
    g[..., np.arange(b + 1), np.arange(b + 1)] = -g[..., : b + 1, : b + 1].sum(axis=-1)
    return g


def epoch_kernel(arrival_rates: FloatArray, service_rate: float, buffer: int, dt: float) -> tuple[FloatArray, FloatArray]:
    """The epoch's transition matrix ``(..., B+1, B+1)`` and expected drops ``(..., B+1)`` per start state.

    Both from one :math:`e^{\\bar G\\Delta t}` (batched over the leading axes of ``arrival_rates``).
    """
    length = check_real(dt, "dt", low=0.0, low_open=True)
    e = scipy.linalg.expm(augmented_generator(arrival_rates, service_rate, buffer) * length)
    b = check_int(buffer, "buffer", low=1)
    return e[..., : b + 1, : b + 1], e[..., : b + 1, b + 1]


class EpochKernels:
    """The epoch kernels of M/M/1/B queues with one service rate, by arrival rate, each computed once.

    The simulator's kernel sampler (:func:`mfcode.queueing.simulator.sample_epoch`) looks up, for
    every queue, the row of :math:`P(\\Delta t)` and the expected drops :math:`d(\\Delta t)` of its start
    state and arrival rate. The distinct rates of a run are few (JSQ: whole multiples of
    :math:`\\lambda_t`; OWN, RND, a decision rule: a finite set of sums), so the table keeps them sorted
    and finds a queue's by binary search; an unseen rate costs one batched ``expm`` when it first
    appears. Rates are matched exactly (the simulator rounds them to 12 decimals first). A policy
    whose offload probabilities take continuous values (a network of the neighbour histogram, say)
    makes almost every rate new; the event sampler (drops ``"sampled"``) suits it better.
    """

    def __init__(self, service_rate: float, buffer: int, dt: float) -> None:
        self.service_rate = check_real(service_rate, "service_rate", low=0.0, low_open=True)
        self.buffer = check_int(buffer, "buffer", low=1)
        self.dt = check_real(dt, "dt", low=0.0, low_open=True)
        self.rates: FloatArray = np.empty(0)
        self.cumulative: FloatArray = np.empty((0, self.buffer))  # (U * (B+1), B): CDF of the next state, last column dropped
        self.drops: FloatArray = np.empty(0)  # (U * (B+1),): expected drops per (rate, start state)

    def rows(self, arrival_rates: FloatArray, z: IntArray) -> IntArray:
        """Row indices into ``cumulative`` and ``drops`` for queues of rates ``arrival_rates`` in states ``z`` (same shape)."""
        lam = np.asarray(arrival_rates, dtype=np.float64)
        where = self._find(lam)
        missing = where < 0
        if missing.any():
            self._add(np.unique(lam[missing]))
            where = self._find(lam)
        rows: IntArray = where * (self.buffer + 1) + z
        return rows

    def _find(self, lam: FloatArray) -> IntArray:
        """The table index of each rate, -1 where it is not in the table."""
        if self.rates.size == 0:
            return np.full(lam.shape, -1, dtype=np.int64)
        index = np.minimum(np.searchsorted(self.rates, lam), self.rates.size - 1)
        found: IntArray = np.where(self.rates[index] == lam, index, -1)
        return found

    def _add(self, new: FloatArray) -> None:
        kernel, drops = epoch_kernel(new, self.service_rate, self.buffer, self.dt)
        s = self.buffer + 1
        rates = np.concatenate([self.rates, new])
        order = np.argsort(rates, kind="stable")
        cumulative = np.concatenate([self.cumulative.reshape(-1, s, s - 1), np.cumsum(kernel, axis=-1)[..., :-1]])
        self.rates = rates[order]
        self.cumulative = cumulative[order].reshape(-1, s - 1)
        self.drops = np.concatenate([self.drops.reshape(-1, s), drops])[order].reshape(-1)


def _kernels_by_length(system: QueueSystem, alpha: float) -> dict[float, tuple[FloatArray, FloatArray]]:
    """``length -> (kernel (2, S, S), drops (2, S))`` for the two regimes, for each distinct epoch length."""
    return {length: epoch_kernel(system.rates, alpha, system.buffer, length) for length in set(system.epoch_lengths.tolist())}


def own_episode_drops(system: QueueSystem, service_rate: float | None = None) -> FloatArray:
    """``(T,)``: exact expected drops per queue in each epoch under OWN, from the empty queue, :math:`\\lambda_0` uniform.

    ``service_rate`` overrides :math:`\\alpha` (one class of heterogeneous servers). The sum is the exact
    expected drops per queue over one episode.
    """
    alpha = system.service_rate if service_rate is None else check_real(service_rate, "service_rate", low=0.0, low_open=True)
    kernels = _kernels_by_length(system, alpha)
    law = np.zeros((2, system.n_states))  # joint law of (regime, queue state) at the epoch start
    law[:, 0] = 0.5
    out = np.empty(system.horizon)
    switch = system.regime_kernel
    for t, length in enumerate(system.epoch_lengths.tolist()):
        kernel, drops = kernels[length]  # (2, S, S), (2, S)
        out[t] = float(np.sum(law * drops))
        after = np.einsum("ls,lsu->lu", law, kernel)
        law = switch.T @ after
    return out


def own_path_drops(system: QueueSystem, regimes: IntArray, service_rate: float | None = None) -> FloatArray:
    """``(R, T)``: exact expected drops per queue in each epoch under OWN, given each episode's regime path ``(R, T)``.

    The forward recursion of the single queue's law from the empty queue, with epoch ``t``'s kernel chosen
    by ``regimes[:, t]`` (0 = high, 1 = low).
    """
    alpha = system.service_rate if service_rate is None else check_real(service_rate, "service_rate", low=0.0, low_open=True)
    path = np.asarray(regimes)
    if path.ndim != 2 or path.shape[1] != system.horizon or not np.isin(path, (0, 1)).all():
        raise ValueError(f"regimes must be (R, {system.horizon}) with entries 0 (high) or 1 (low)")
    kernels = _kernels_by_length(system, alpha)
    law = np.zeros((path.shape[0], system.n_states))
    law[:, 0] = 1.0
    out = np.empty(path.shape)
    for t, length in enumerate(system.epoch_lengths.tolist()):
        kernel, drops = kernels[length]
        regime = path[:, t]
        out[:, t] = np.sum(law * drops[regime], axis=1)
        law = np.einsum("rs,rsu->ru", law, kernel[regime])
    return out
