"""What an agent or the central learner observes (003 §1.4, §1.4.1, Fig. 9(b)).

Batch axes first: queue states ``z`` are ``(R, N)`` integers in :math:`\\{0,\\dots,B\\}`.

- :func:`own_one_hot` ``(R, N, B+1)``: the own queue state (MF-R's input, Fig. 9(b));
- :func:`neighbour_histogram` ``(R, N, B+1)``: counts of the neighbours' states (MF-N's input, and the
  second argument of a per-agent policy, :class:`~mfcode.queueing.policies.AgentRule`);
- :func:`global_histogram` ``(R, B+1)``: the empirical distribution :math:`\\mu(t)` (MF-G; the MFC-MDP's
  observation, Alg. 1 line 8);
- :func:`regime_one_hot` ``(R, 2)``: the arrival regime; the seed does not say whether its learner
  observes it (§1.4.2), so it is an option.
"""

from __future__ import annotations

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.queueing.graphs import Graph

__all__ = ["global_histogram", "neighbour_histogram", "own_one_hot", "regime_one_hot"]


def own_one_hot(z: IntArray, n_states: int) -> FloatArray:
    """``(R, N, B+1)`` one-hot encoding of each agent's own queue state."""
    return np.eye(n_states)[z]


def neighbour_histogram(z: IntArray, graph: Graph, n_states: int) -> FloatArray:
    """``(R, N, B+1)``: entry ``[r, i, s]`` counts the neighbours :math:`j\\in\\mathcal N_i` with :math:`z_j=s`."""
    r, n = z.shape
    states = z[:, np.maximum(graph.neighbors, 0)]  # (R, N, d_max); padding masked out below
    cell = (np.arange(r * n).reshape(r, n, 1) * n_states + states)[:, graph.mask]
    counts = np.bincount(cell.ravel(), minlength=r * n * n_states)
    return counts.reshape(r, n, n_states).astype(np.float64)


def global_histogram(z: IntArray, n_states: int) -> FloatArray:
    """``(R, B+1)``: the empirical distribution :math:`\\mu(t)` of the queue states in each episode."""
    r, n = z.shape
    counts = np.bincount((np.arange(r)[:, None] * n_states + z).ravel(), minlength=r * n_states)
    mu: FloatArray = counts.reshape(r, n_states) / n
    return mu


def regime_one_hot(regimes: IntArray) -> FloatArray:
    """``(R, 2)``: the arrival regime (0 = high, 1 = low) one-hot."""
    return np.eye(2)[regimes]
