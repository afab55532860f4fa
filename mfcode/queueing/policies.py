"""Routing policies of 003 §2.2 behind one protocol, and the per-queue arrival rates they induce ([U1]).

Seed ``003_99f599d21fa4851c.txt``. At the start of each epoch every agent :math:`i` looks at the
epoch-start queue states and fixes, for the whole epoch (§2.2: "obtained at the beginning of each
:math:`\\Delta t` and then used for that entire :math:`\\Delta t` timestep"), how each arriving job is routed:
with probability :math:`p_{i\\to k}` to the accessible queue :math:`k\\in\\{i\\}\\cup\\mathcal N_i`. Jobs are routed
independently (per-packet randomization, §1.3.3), so by Poisson thinning and superposition queue
:math:`j` receives a Poisson stream of rate :math:`\\Lambda_j=\\lambda_t\\,w_j` with :math:`w_j=\\sum_ip_{i\\to j}`, and
:math:`\\sum_jw_j=N`. A :class:`Policy` returns these *arrival weights* ``(R, N)``, which is all the
simulator needs. Two kinds of routing produce them without forming the ``(R, N, N)`` matrix :math:`p`:

- an offload probability :math:`a_i` to a uniformly chosen neighbour (:func:`offload_weights`), which is
  003's rate formula [U1], :math:`\\lambda^i_t=\\lambda(t)\\,(1-a_i+\\sum_{j\\in\\mathcal N_i}a_j/|\\mathcal N_j|)`,
  with the *sender's* degree as divisor;
- a chosen queue per agent, every job of the epoch to it (:func:`choice_weights`): :math:`w_j` counts
  the agents that chose :math:`j`.

Policies (003 §2.2, Fig. 10(b)):

- :class:`SendToOwn` (OWN): every job to the own queue;
- :class:`UniformRandom` (RND): each job uniformly over the own queue and the neighbours;
- :class:`JoinShortestQueue` (JSQ): every job of the epoch to the shortest accessible queue at epoch
  start (ties: ``tie_rule``, the seed is silent);
- :class:`ShortestExpectedDelay` (SED): to the accessible queue minimising :math:`(z_k+1)/\\alpha_k` (the
  textbook rule; 003's reference [49] is missing);
- :class:`MeanFieldRule`: a decision rule :math:`\\zeta:\\{0..B\\}\\to[0,1]`, offloading with probability
  :math:`\\zeta(z_i)` to a uniformly chosen neighbour (§1.3.2);
- :class:`AgentRule`: any per-agent rule of (own state, neighbour histogram) giving the offload probability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.queueing.graphs import Graph
from mfcode.queueing.observations import neighbour_histogram

__all__ = [
    "TIE_RULES",
    "AgentRule",
    "JoinShortestQueue",
    "MeanFieldRule",
    "Policy",
    "RoutingContext",
    "SendToOwn",
    "ShortestExpectedDelay",
    "UniformRandom",
    "accessible_queues",
    "choice_weights",
    "offload_weights",
]

#: JSQ/SED tie rules: uniformly among the minima, or the own queue when it is among them (else uniformly).
TIE_RULES: tuple[str, ...] = ("random", "own-first")


@dataclass(frozen=True)
class RoutingContext:
    """What a policy may use besides the queue states: the graph, the service rates, the buffer."""

    graph: Graph
    service_rates: FloatArray
    buffer: int

    def __post_init__(self) -> None:
        rates = np.asarray(self.service_rates)
        if rates.shape != (self.graph.n_nodes,) or not np.all(rates > 0):
            raise ValueError(f"service_rates must be {self.graph.n_nodes} positive rates, got shape {rates.shape}")


class Policy(Protocol):
    """A routing policy: epoch-start states ``z`` ``(R, N)`` -> arrival weights ``(R, N)``."""

    @property
    def name(self) -> str:
        """The label of the figures (``"OWN"``, ``"RND"``, ``"JSQ"``, ``"SED"``, ``"MF"``, ...)."""
        ...

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        """:math:`w_j`: queue ``j`` receives a Poisson stream of rate :math:`\\lambda_tw_j` during the epoch."""
        ...


def offload_weights(offload: FloatArray, graph: Graph) -> FloatArray:
    """``(R, N)``: [U1], :math:`w_j=1-a_j+\\sum_{i\\in\\mathcal N_j}a_i/|\\mathcal N_i|`, for offload probabilities :math:`a` ``(R, N)``.

    Agent :math:`i` keeps a job with probability :math:`1-a_i` and sends it to each neighbour with
    probability :math:`a_i/|\\mathcal N_i|`. An isolated node (degree 0) keeps every job.
    """
    a = np.where(graph.degree[None] > 0, offload, 0.0)
    weights: FloatArray = (1.0 - a) + graph.neighbour_sum(a / np.maximum(graph.degree, 1)[None])
    return weights


def accessible_queues(graph: Graph) -> IntArray:
    """``(N, d_max + 1)``: agent ``i``'s own queue ``i`` (slot 0), then its neighbours; padding ``-1``."""
    return np.concatenate([np.arange(graph.n_nodes, dtype=np.int64)[:, None], graph.neighbors], axis=1)


def choice_weights(target: IntArray, graph: Graph) -> FloatArray:
    """``(R, N)``: :math:`w_j` = the number of agents whose jobs all go to queue ``j`` (``target`` ``(R, N)``, queue indices)."""
    t = np.asarray(target)
    r, n = t.shape
    if n != graph.n_nodes or np.any(t < 0) or np.any(t >= n):
        raise ValueError(f"target must be (R, {graph.n_nodes}) queue indices")
    counts = np.bincount((t + n * np.arange(r)[:, None]).ravel(), minlength=r * n)
    return counts.reshape(r, n).astype(np.float64)


def _tie_scores(shape: tuple[int, ...], tie_rule: str, rng: np.random.Generator) -> FloatArray:
    """Slot-major ``(d_max+1, R, N)`` uniform scores that break ties (the smallest wins); ``"own-first"`` gives the own slot -1."""
    score = rng.random(shape)
    if tie_rule == "own-first":
        score[0] = -1.0
    return score


def _smallest_target(key: FloatArray, graph: Graph, tie_rule: str, rng: np.random.Generator) -> IntArray:
    """Per agent, the accessible queue whose ``key`` ``(R, N)`` is smallest; ``(R, N)`` queue indices.

    Keys within a relative 1e-12 of the smallest tie; ties go to the smallest score of
    :func:`_tie_scores`, so uniformly among the minima (or to the own queue under ``"own-first"``).
    One pass over the slots finds the smallest key, a second the smallest score among the minima;
    padding slots never win. The loops run over the ``d_max + 1`` slots and touch contiguous
    ``(R, N)`` blocks.
    """
    slots = accessible_queues(graph)
    gathered = [np.where(slots[:, k] >= 0, key[:, np.maximum(slots[:, k], 0)], np.inf) for k in range(slots.shape[1])]
    best = gathered[0].copy()
    for values in gathered[1:]:
        np.minimum(best, values, out=best)
    best *= 1.0 + 1e-12
    score = _tie_scores((slots.shape[1], *key.shape), tie_rule, rng)
    target = np.zeros(key.shape, dtype=np.int64)
    lowest = np.full(key.shape, 2.0)
    for k, values in enumerate(gathered):
        wins = (values <= best) & (score[k] < lowest)
        lowest = np.where(wins, score[k], lowest)
        target = np.where(wins, slots[:, k][None], target)
    return target


def _shortest_target(z: IntArray, graph: Graph, tie_rule: str, rng: np.random.Generator) -> IntArray:
    """Per agent, the accessible queue of fewest jobs; ties as in :func:`_smallest_target` (the same choices).

    Queue lengths are integers, so :math:`z_k+s_k/2` with the scores :math:`s_k\\in[-1,1)` of
    :func:`_tie_scores` orders first by :math:`z_k`, then by the score: a single pass over the slots.
    """
    slots = accessible_queues(graph)
    score = _tie_scores((slots.shape[1], *z.shape), tie_rule, rng)
    best = z + 0.5 * score[0]
    target = np.broadcast_to(slots[:, 0][None], z.shape).copy()
    for k in range(1, slots.shape[1]):
        key = np.where(slots[:, k] >= 0, z[:, np.maximum(slots[:, k], 0)] + 0.5 * score[k], np.inf)
        wins = key < best
        np.minimum(best, key, out=best)
        target = np.where(wins, slots[:, k][None], target)
    return target


def _check_tie_rule(tie_rule: str) -> None:
    if tie_rule not in TIE_RULES:
        raise ValueError(f"tie_rule must be one of {TIE_RULES}, got {tie_rule!r}")


@dataclass(frozen=True)
class SendToOwn:
    """OWN: "only sends jobs to its own queue" (003 §2.2): :math:`w_j=1`."""

    name: str = "OWN"

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        return offload_weights(np.zeros(z.shape), context.graph)


@dataclass(frozen=True)
class UniformRandom:
    """RND: "the probability of sending the job to any accessible queues is equally likely" (003 §2.2), per job.

    The offload probability :math:`|\\mathcal N_i|/(|\\mathcal N_i|+1)`, so
    :math:`w_j=1/(|\\mathcal N_j|+1)+\\sum_{i\\in\\mathcal N_j}1/(|\\mathcal N_i|+1)`.
    """

    name: str = "RND"

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        deg = context.graph.degree[None].astype(np.float64)
        return offload_weights(np.broadcast_to(deg / (deg + 1.0), z.shape), context.graph)


@dataclass(frozen=True)
class JoinShortestQueue:
    """JSQ: every job of the epoch to the shortest accessible queue at epoch start (003 §2.2)."""

    tie_rule: str = "random"
    name: str = "JSQ"

    def __post_init__(self) -> None:
        _check_tie_rule(self.tie_rule)

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        return choice_weights(_shortest_target(z, context.graph, self.tie_rule, rng), context.graph)


@dataclass(frozen=True)
class ShortestExpectedDelay:
    """SED: to the accessible queue of smallest expected delay :math:`(z_k+1)/\\alpha_k` (003 Fig. 10(b))."""

    tie_rule: str = "random"
    name: str = "SED"

    def __post_init__(self) -> None:
        _check_tie_rule(self.tie_rule)

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        delay = (z + 1.0) / context.service_rates[None]
        return choice_weights(_smallest_target(delay, context.graph, self.tie_rule, rng), context.graph)


@dataclass(frozen=True)
class MeanFieldRule:
    """A decision rule :math:`\\zeta:\\{0..B\\}\\to[0,1]`: offload with probability :math:`\\zeta(z_i)` (003 §1.3.2)."""

    zeta: FloatArray
    name: str = "MF"

    def __post_init__(self) -> None:
        zeta = np.asarray(self.zeta, dtype=np.float64)
        if zeta.ndim != 1 or np.any(~np.isfinite(zeta)) or np.any(zeta < 0) or np.any(zeta > 1):
            raise ValueError(f"zeta must be a vector of offload probabilities in [0, 1], got {self.zeta!r}")
        object.__setattr__(self, "zeta", zeta)

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        if self.zeta.size != context.buffer + 1:
            raise ValueError(f"zeta must have B + 1 = {context.buffer + 1} entries, got {self.zeta.size}")
        return offload_weights(self.zeta[z], context.graph)


@dataclass(frozen=True)
class AgentRule:
    """A per-agent rule ``rule(own_state (R, N), neighbour_histogram (R, N, B+1)) -> offload probability (R, N)``."""

    rule: Callable[[IntArray, FloatArray], FloatArray]
    name: str = "agent rule"

    def weights(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        offload = np.asarray(self.rule(z, neighbour_histogram(z, context.graph, context.buffer + 1)), dtype=np.float64)
        if offload.shape != z.shape or np.any(offload < 0) or np.any(offload > 1):
            raise ValueError(f"rule must return offload probabilities in [0, 1] of shape {z.shape}")
        return offload_weights(offload, context.graph)
