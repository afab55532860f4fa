"""The N-queue evaluation of a mean-field routing rule in the dense load-balancing system (seed ``003_99f599d21fa4851c.txt``).

003's system (§1.2, Table 1) on the complete graph: :math:`N` agents, each with its own M/M/1/B queue,
receive jobs at the common Markov-modulated rate :math:`\\lambda_t` (eq. (2)); at the start of each epoch of
length :math:`\\Delta t` agent :math:`i` fixes the probability :math:`\\zeta(z_i)` of sending a job to a
uniformly chosen other queue (the mean-field decision rule of §1.3.2,
:class:`~mfcode.queueing.policies.MeanFieldRule`). By Poisson thinning queue :math:`j` then receives a
Poisson stream of rate :math:`\\lambda_tw_j` over the epoch,

.. math:: w_j=1-\\zeta(z_j)+\\frac1{N-1}\\sum_{k\\ne j}\\zeta(z_k)

(:meth:`MeanFieldRule.weights <mfcode.queueing.policies.MeanFieldRule.weights>` on the complete graph, here
in :math:`O(N)` by :class:`UniformOffload` without the graph's :math:`N(N-1)/2` edges), and the queues move
independently given the epoch-start states: the episodes are :func:`~mfcode.queueing.simulator.run_episodes`'
(by default with its ``"expected"`` drops, the Rao-Blackwellized estimate of the same mean). An
agent's return is minus the jobs its queue drops over the episode of :math:`T` epochs from empty queues
(003's drop penalty 1 per job); the team's is their mean, the objective of the MFC problem of 003.

*Mean-field limit.* As :math:`N\\to\\infty` the others' empirical law :math:`\\mu_t` of queue states becomes
deterministic given the regime path (the common noise), every queue in state :math:`z` receives the rate
:math:`\\lambda_t(1-\\zeta(z)+\\langle\\mu_t,\\zeta\\rangle)`, and :math:`\\mu_{t+1}(z')=\\sum_z\\mu_t(z)K_t(z,z')`
with the epoch kernel :math:`K_t` and expected drops :math:`d_t` of that rate and the epoch's length
(:func:`~mfcode.queueing.exact.epoch_kernel`, 003 App. A). The per-queue limit value given the path is
:math:`-\\sum_t\\langle\\mu_t,d_t\\rangle`; for :math:`\\zeta\\equiv0` (OWN) it is
:func:`~mfcode.queueing.exact.own_path_drops`, and so is the N-queue value for every :math:`N` (each queue
receives exactly :math:`\\lambda_t`). Each Monte Carlo replicate is compared
with the limit value given its own regime path, so the common noise cancels from the gap.

No exact N-queue evaluation and no deviation are implemented: the coupled chain of :math:`N` queues lives on
:math:`\\binom{N+B}{B}` count vectors per regime, the best one-agent deviation of the team objective needs
that chain, and the limit offers no candidate deviation (one queue does not move it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray, IntArray
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer, confidence_interval
from mfcode.queueing.exact import epoch_kernel
from mfcode.queueing.graphs import from_edges
from mfcode.queueing.policies import MeanFieldRule, RoutingContext
from mfcode.queueing.simulator import DROP_ESTIMATES, run_episodes
from mfcode.queueing.system import QueueSystem, regime_paths
from mfcode.validation import check_int

__all__ = ["DenseLoadBalancing", "UniformOffload", "dense_arrival_weights"]


def dense_arrival_weights(zeta: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    """:math:`w_j=1-\\zeta(z_j)+\\frac1{N-1}\\sum_{k\\ne j}\\zeta(z_k)` for queue states ``z`` ``(R, N)`` on the complete graph."""
    rule = MeanFieldRule(np.asarray(zeta, dtype=np.float64)).zeta
    states = np.asarray(z)
    if states.ndim != 2 or states.shape[1] < 2 or not np.issubdtype(states.dtype, np.integer):
        raise ValueError(f"z must be an (R, N) integer array of queue states with N >= 2, got shape {states.shape}")
    if np.any(states < 0) or np.any(states >= rule.size):
        raise ValueError(f"z must hold queue states in 0..{rule.size - 1}")
    a = rule[states]
    out: FloatArray = 1.0 - a + (a.sum(axis=1, keepdims=True) - a) / (states.shape[1] - 1)
    return out


@dataclass(frozen=True)
class UniformOffload:
    """A :class:`~mfcode.queueing.policies.Policy`: offload with probability :math:`\\zeta(z_i)` to a uniformly chosen other queue.

    :class:`~mfcode.queueing.policies.MeanFieldRule` on the complete graph, whose neighbours are all the
    other queues, computed without the graph: the context's graph only gives :math:`N`.
    """

    zeta: FloatArray
    name: str = "MF (complete graph)"

    def __post_init__(self) -> None:
        object.__setattr__(self, "zeta", MeanFieldRule(self.zeta).zeta)

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        if self.zeta.size != context.buffer + 1:
            raise ValueError(f"zeta must have B + 1 = {context.buffer + 1} entries, got {self.zeta.size}")
        return dense_arrival_weights(self.zeta, z)


@dataclass(frozen=True, eq=False)
class DenseLoadBalancing:
    """003's queueing system on the complete graph of :math:`N` agents.

    Parameters
    ----------
    system
        Buffer, service rate, arrival regimes, epoch lengths and episode length (003 Table 1).
    drops
        The simulator's drop estimate (:data:`~mfcode.queueing.simulator.DROP_ESTIMATES`).
    n_paths
        Regime paths (seeded by 0) averaged for :meth:`mean_field` when the two arrival rates differ.
    label
        The figures' name of the model.

    Policies are mean-field decision rules :math:`\\zeta` ``(B + 1,)`` with values in :math:`[0,1]`.
    """

    system: QueueSystem
    drops: str = "expected"
    n_paths: int = 256
    label: str = "load balancing"

    def __post_init__(self) -> None:
        if not isinstance(self.system, QueueSystem):
            raise TypeError(f"system must be a QueueSystem, got {type(self.system).__name__}")
        if self.drops not in DROP_ESTIMATES:
            raise ValueError(f"drops must be one of {DROP_ESTIMATES}, got {self.drops!r}")
        check_int(self.n_paths, "n_paths", low=2)

    @property
    def name(self) -> str:
        """:attr:`label`."""
        return self.label

    def _rule(self, policy: npt.ArrayLike) -> FloatArray:
        zeta = MeanFieldRule(np.asarray(policy, dtype=np.float64)).zeta
        if zeta.shape != (self.system.n_states,):
            raise ValueError(f"policy must be a rule zeta of B + 1 = {self.system.n_states} offload probabilities, got shape {zeta.shape}")
        return zeta

    def limit_value(self, policy: npt.ArrayLike, regimes: IntArray) -> FloatArray:
        """The limit's per-queue value given each regime path ``(R, T)`` (module docstring), ``(R,)``."""
        zeta = self._rule(policy)
        sys = self.system
        paths = np.asarray(regimes)
        if paths.ndim != 2 or paths.shape[1] != sys.horizon or not np.isin(paths, (0, 1)).all():
            raise ValueError(f"regimes must be (R, {sys.horizon}) with entries 0 (high) or 1 (low)")
        rates, inverse = np.unique(sys.rates[paths], axis=0, return_inverse=True)  # distinct rate paths
        mu = np.zeros((rates.shape[0], sys.n_states))
        mu[:, 0] = 1.0
        dropped = np.zeros(rates.shape[0])
        z = np.arange(sys.n_states)
        for t, length in enumerate(sys.epoch_lengths.tolist()):
            lam = rates[:, t, None] * (1.0 - zeta[None, :] + (mu @ zeta)[:, None])  # (P, S): rate of a queue in z
            distinct, where = np.unique(lam, return_inverse=True)  # one expm per distinct rate
            kernel, expected = epoch_kernel(distinct, sys.service_rate, sys.buffer, length)  # (U, S, S), (U, S)
            where = where.reshape(lam.shape)
            dropped += np.einsum("pz,pz->p", mu, expected[where, z[None, :]])
            mu = np.einsum("pz,pzy->py", mu, kernel[where, z[None, :]])
        out: FloatArray = -dropped[inverse.reshape(-1)]
        return out

    def mean_field(self, policy: npt.ArrayLike) -> MeanFieldValues:
        """The limit's per-queue value averaged over :attr:`n_paths` regime paths (exact when the two rates agree)."""
        values = self.limit_value(policy, regime_paths(self.system, self.n_paths, np.random.default_rng(0)))
        if np.all(values == values[0]):  # one rate path: the limit is deterministic
            return MeanFieldValues(float(values[0]), float(values[0]))
        mean, half = confidence_interval(values)
        return MeanFieldValues(mean, mean, half)

    def exact(self, policy: npt.ArrayLike, n_agents: int) -> ExactNPlayer | None:
        """None: no exact N-queue evaluation (module docstring)."""
        return None

    def simulate(self, policy: npt.ArrayLike, n_agents: int, *, n_replicates: int, seed: int) -> MonteCarloNPlayer:
        """``n_replicates`` episodes of ``n_agents`` queues from empty (:func:`~mfcode.queueing.simulator.run_episodes`), each
        compared with the limit's value given its regime path."""
        zeta = self._rule(policy)
        n = check_int(n_agents, "n_agents", low=2)
        batch = run_episodes(from_edges(n, []), UniformOffload(zeta), self.system, n_episodes=n_replicates, seed=seed,
                             drops=self.drops)
        return MonteCarloNPlayer(n, -batch.drops_per_queue(), None, 0.0, self.limit_value(zeta, batch.regimes))
