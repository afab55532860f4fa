"""Routing policies of 003 §2.2 behind one protocol, and the per-queue arrival rates they induce ([U1]).

Seed ``003_99f599d21fa4851c.txt``. At the start of each epoch every agent :math:`i` looks at the
epoch-start queue states and fixes, for the whole epoch (§2.2: "obtained at the beginning of each
:math:`\\Delta t` and then used for that entire :math:`\\Delta t` timestep"), the probabilities with which each
arriving job goes to its own queue or to each neighbour. A :class:`Policy` returns them as an array
``(R, N, d_max + 1)``: slot 0 is the own queue, slot :math:`k\\ge1` the neighbour ``graph.neighbors[i, k-1]``
(padding slots get 0). Jobs are routed independently (per-packet randomization, §1.3.3), so by Poisson
thinning and superposition queue :math:`j` receives a Poisson stream of rate
:math:`\\Lambda_j=\\lambda_t\\,w_j` with :math:`w_j=p_{j\\to j}+\\sum_{i\\in\\mathcal N_j}p_{i\\to j}`
(:func:`arrival_weights`). For an offload probability :math:`a_i` to a uniformly chosen neighbour this is
003's rate formula [U1],
:math:`\\lambda^i_t=\\lambda(t)\\,(1-a_i+\\sum_{j\\in\\mathcal N_i}a_j/|\\mathcal N_j|)`, with the *sender's*
degree as divisor.

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
    "arrival_weights",
    "offload_routing",
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
    """A routing policy: epoch-start states ``z`` ``(R, N)`` -> routing probabilities ``(R, N, d_max + 1)``."""

    @property
    def name(self) -> str:
        """The label of the figures (``"OWN"``, ``"RND"``, ``"JSQ"``, ``"SED"``, ``"MF"``, ...)."""
        ...

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        """Per agent, the probability that a job goes to its own queue (slot 0) or to each neighbour."""
        ...


def arrival_weights(routing: FloatArray, graph: Graph) -> FloatArray:
    """``(R, N)``: :math:`w_j`, the expected number of streams of rate :math:`\\lambda_t` that queue ``j`` receives.

    :math:`\\sum_jw_j=N` for every policy whose rows sum to 1 (all jobs go somewhere).
    """
    r, n = routing.shape[:2]
    target = (np.arange(r).reshape(r, 1, 1) * n + graph.neighbors[None])[:, graph.mask]
    sent = routing[:, :, 1:][:, graph.mask]
    received = np.bincount(target.ravel(), weights=sent.ravel(), minlength=r * n).reshape(r, n)
    return routing[:, :, 0] + received


def offload_routing(offload: FloatArray, graph: Graph) -> FloatArray:
    """Routing for an offload probability :math:`a_i` ``(R, N)``: own :math:`1-a_i`, each neighbour :math:`a_i/|\\mathcal N_i|`.

    An isolated node (degree 0) keeps every job.
    """
    a = np.where(graph.degree[None] > 0, offload, 0.0)
    share = a / np.maximum(graph.degree, 1)[None]
    routing = np.where(graph.mask[None], share[..., None], 0.0)
    return np.concatenate([(1.0 - a)[..., None], routing], axis=-1)


def _one_hot_argmin(key: FloatArray, graph: Graph, tie_rule: str, rng: np.random.Generator) -> FloatArray:
    """One-hot routing to the slot of smallest ``key`` ``(R, N, d_max+1)``, ties by ``tie_rule``, padding excluded."""
    valid = np.concatenate([np.ones((graph.n_nodes, 1), dtype=bool), graph.mask], axis=1)[None]
    best = np.where(valid, key, np.inf).min(axis=-1, keepdims=True)
    minima = valid & (key <= best * (1.0 + 1e-12))
    score = rng.random(key.shape)
    if tie_rule == "own-first":
        score[..., 0] = 2.0
    choice = np.where(minima, score, -1.0).argmax(axis=-1)
    one_hot: FloatArray = (np.arange(key.shape[-1]) == choice[..., None]).astype(np.float64)
    return one_hot


def _accessible(values: FloatArray, graph: Graph) -> FloatArray:
    """``(R, N, d_max+1)``: ``values`` ``(R, N)`` of each agent's own queue, then of its neighbours (padding: 0)."""
    return np.concatenate([values[..., None], values[:, np.maximum(graph.neighbors, 0)]], axis=-1)


def _check_tie_rule(tie_rule: str) -> None:
    if tie_rule not in TIE_RULES:
        raise ValueError(f"tie_rule must be one of {TIE_RULES}, got {tie_rule!r}")


@dataclass(frozen=True)
class SendToOwn:
    """OWN: "only sends jobs to its own queue" (003 §2.2)."""

    name: str = "OWN"

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        return offload_routing(np.zeros(z.shape), context.graph)


@dataclass(frozen=True)
class UniformRandom:
    """RND: "the probability of sending the job to any accessible queues is equally likely" (003 §2.2), per job."""

    name: str = "RND"

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        deg = context.graph.degree[None].astype(np.float64)
        return offload_routing(np.broadcast_to(deg / (deg + 1.0), z.shape), context.graph)


@dataclass(frozen=True)
class JoinShortestQueue:
    """JSQ: every job of the epoch to the shortest accessible queue at epoch start (003 §2.2)."""

    tie_rule: str = "random"
    name: str = "JSQ"

    def __post_init__(self) -> None:
        _check_tie_rule(self.tie_rule)

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        return _one_hot_argmin(_accessible(z.astype(np.float64), context.graph), context.graph, self.tie_rule, rng)


@dataclass(frozen=True)
class ShortestExpectedDelay:
    """SED: to the accessible queue of smallest expected delay :math:`(z_k+1)/\\alpha_k` (003 Fig. 10(b))."""

    tie_rule: str = "random"
    name: str = "SED"

    def __post_init__(self) -> None:
        _check_tie_rule(self.tie_rule)

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        delay = (z + 1.0) / context.service_rates[None]
        return _one_hot_argmin(_accessible(delay, context.graph), context.graph, self.tie_rule, rng)


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

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        if self.zeta.size != context.buffer + 1:
            raise ValueError(f"zeta must have B + 1 = {context.buffer + 1} entries, got {self.zeta.size}")
        return offload_routing(self.zeta[z], context.graph)


@dataclass(frozen=True)
class AgentRule:
    """A per-agent rule ``rule(own_state (R, N), neighbour_histogram (R, N, B+1)) -> offload probability (R, N)``."""

    rule: Callable[[IntArray, FloatArray], FloatArray]
    name: str = "agent rule"

    def routing(self, z: IntArray, context: RoutingContext, rng: np.random.Generator) -> FloatArray:
        offload = np.asarray(self.rule(z, neighbour_histogram(z, context.graph, context.buffer + 1)), dtype=np.float64)
        if offload.shape != z.shape or np.any(offload < 0) or np.any(offload > 1):
            raise ValueError(f"rule must return offload probabilities in [0, 1] of shape {z.shape}")
        return offload_routing(offload, context.graph)
