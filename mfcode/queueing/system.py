"""The queueing system's parameters (003 Table 1) and the Markov-modulated arrival rate (003 eq. (2)).

Seed ``003_99f599d21fa4851c.txt``, §1.2 and §2.3. Every queue is M/M/1/B with buffer :math:`B` and service
rate :math:`\\alpha`; jobs arrive at each agent as a Poisson process of a rate :math:`\\lambda_t` common to all
agents, which takes the values :math:`(\\lambda_h,\\lambda_l)` and switches only at epoch boundaries
(Alg. 1 line 15) with :math:`P(\\lambda_{t+1}=\\lambda_l|\\lambda_t=\\lambda_h)=0.2` and
:math:`P(\\lambda_{t+1}=\\lambda_h|\\lambda_t=\\lambda_l)=0.5`, from :math:`\\lambda_0` uniform (eq. (2)). An
episode is :math:`T` epochs of length :math:`\\Delta t` from empty queues (Table 1: :math:`z^n=0`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.validation import check_int, check_real

__all__ = ["QueueSystem", "regime_paths"]


@dataclass(frozen=True)
class QueueSystem:
    """Parameters of 003 Table 1 and eq. (2).

    Attributes
    ----------
    dt
        Synchronization delay :math:`\\Delta t` (epoch length, Table 1: 1 - 10).
    buffer
        Queue buffer size :math:`B` (5; 20 in Fig. 10(a)).
    service_rate
        :math:`\\alpha` (1). Heterogeneous servers (Fig. 10(b)) pass a vector to the simulator instead.
    arrival_rates
        :math:`(\\lambda_h,\\lambda_l)` = (0.9, 0.6); equal entries give a constant rate (Fig. 10(a): the
        seed's "increased the arrival rate to the service rate of 1" is read as :math:`\\lambda\\equiv1`).
    switch_high_low, switch_low_high
        The switching probabilities per epoch of eq. (2): 0.2 and 0.5.
    horizon
        :math:`T`, epochs per episode (Table 1: 50; Fig. 10(a): 200).
    last_epoch
        The length of the last epoch; ``None`` (default): :math:`\\Delta t` like the others. An episode of
        a given length of time (:meth:`spanning`) ends with a shorter epoch when :math:`\\Delta t` does not
        divide it.
    """

    dt: float = 1.0
    buffer: int = 5
    service_rate: float = 1.0
    arrival_rates: tuple[float, float] = (0.9, 0.6)
    switch_high_low: float = 0.2
    switch_low_high: float = 0.5
    horizon: int = 50
    last_epoch: float | None = None

    def __post_init__(self) -> None:
        check_real(self.dt, "dt", low=0.0, low_open=True)
        check_int(self.buffer, "buffer", low=1)
        check_real(self.service_rate, "service_rate", low=0.0, low_open=True)
        if len(self.arrival_rates) != 2:
            raise ValueError(f"arrival_rates must be (lambda_h, lambda_l), got {self.arrival_rates!r}")
        for rate in self.arrival_rates:
            check_real(rate, "arrival_rates", low=0.0)
        check_real(self.switch_high_low, "switch_high_low", low=0.0, high=1.0)
        check_real(self.switch_low_high, "switch_low_high", low=0.0, high=1.0)
        check_int(self.horizon, "horizon", low=1)
        if self.last_epoch is not None:
            check_real(self.last_epoch, "last_epoch", low=0.0, high=self.dt, low_open=True)

    def spanning(self, duration: float) -> QueueSystem:
        """The same system over episodes of ``duration`` time units: :math:`\\lceil\\text{duration}/\\Delta t\\rceil` epochs, the last one cut.

        003 §3 reports drops "per 50 time units and queue" and mentions "simulating the same time span
        with different :math:`\\Delta t`"; ``spanning(50.0)`` is that reading (e.g. 17 epochs at
        :math:`\\Delta t=3`, the last of length 2, routed at its start like every epoch).
        """
        span = check_real(duration, "duration", low=0.0, low_open=True)
        epochs = max(1, math.ceil(span / self.dt - 1e-9))
        return replace(self, horizon=epochs, last_epoch=span - (epochs - 1) * self.dt)

    @property
    def epoch_lengths(self) -> FloatArray:
        """``(T,)``: the length of each epoch (:math:`\\Delta t`, the last one ``last_epoch`` when set)."""
        lengths = np.full(self.horizon, self.dt)
        if self.last_epoch is not None:
            lengths[-1] = self.last_epoch
        return lengths

    @property
    def duration(self) -> float:
        """The time an episode covers, :math:`\\sum_t` ``epoch_lengths[t]``."""
        return float(self.epoch_lengths.sum())

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal Z|=B+1`."""
        return self.buffer + 1

    @property
    def regime_kernel(self) -> FloatArray:
        """The ``(2, 2)`` transition matrix of eq. (2) over regimes (0 = high, 1 = low)."""
        a, b = self.switch_high_low, self.switch_low_high
        return np.array([[1.0 - a, a], [b, 1.0 - b]])

    @property
    def rates(self) -> FloatArray:
        """:math:`(\\lambda_h,\\lambda_l)` as an array indexed by regime."""
        return np.asarray(self.arrival_rates, dtype=np.float64)


def regime_paths(system: QueueSystem, n_episodes: int, rng: np.random.Generator) -> IntArray:
    """``(R, T)`` regimes (0 = high, 1 = low) of eq. (2), :math:`\\lambda_0` uniform, one row per episode."""
    r = check_int(n_episodes, "n_episodes", low=1)
    u = rng.random((r, system.horizon))
    regimes = np.empty((r, system.horizon), dtype=np.int64)
    regimes[:, 0] = (u[:, 0] < 0.5).astype(np.int64)
    leave = np.array([system.switch_high_low, system.switch_low_high])
    for t in range(1, system.horizon):
        previous = regimes[:, t - 1]
        regimes[:, t] = np.where(u[:, t] < leave[previous], 1 - previous, previous)
    return regimes
