"""The topologies of 003 §2.1 as a neighbour-index array plus a degree vector, and their local statistics.

Seed ``003_99f599d21fa4851c.txt``, §1.1 (the graph :math:`G=(\\mathcal N,\\mathcal E)`, static and undirected,
of bounded degree), §2.1 (the families) and §1.3.1 (local weak convergence). A :class:`Graph` stores, for
each node :math:`i`, its neighbours :math:`\\mathcal N_i` in row ``i`` of ``neighbors`` (padded with ``-1``
up to the largest degree) and :math:`|\\mathcal N_i|` in ``degree``; every graph here is simple (no
self-loops, no multi-edges), so an agent reaches :math:`|\\mathcal N_i|+1` distinct queues.

Families and node counts (§2.1, §2.3):

- :func:`cycle` CYC-1D, degree 2, :math:`N` nodes;
- :func:`torus` TORUS, the periodic :math:`o_t\\times o_t` grid, degree 4, :math:`N=o_t^2`
  (:func:`torus_nodes`);
- :func:`cube_connected_cycles` CCC, vertices :math:`(x,k)\\in\\{0,1\\}^{o_c}\\times\\mathbb Z_{o_c}`, edges
  :math:`(x,k)\\sim(x,k\\pm1)` and :math:`(x,k)\\sim(x\\oplus e_k,k)`, degree 3, :math:`N=o_c2^{o_c}`
  (:func:`ccc_nodes`; the seed's "o_c which is the degree d" is wrong: the degree is always 3);
- :func:`configuration_model` CM, degrees i.i.d. uniform on :math:`\\{2,3\\}` (resampled until their sum is
  even), stubs paired uniformly at random; a pairing with a self-loop or a multi-edge is rejected and the
  stubs re-paired (the seed is silent), so the degrees are kept exactly and the graph is uniform among
  simple graphs with that degree sequence;
- :func:`bethe_lattice` BETHE, a root with :math:`d` children, every other internal node with
  :math:`d-1`, down to depth :math:`o_b`: :math:`N=1+\\sum_{o=1}^{o_b}d(d-1)^{o-1}` (:func:`bethe_nodes`;
  the seed prints the exponent as :math:`o_b-1`, a typo).

Local statistics: :func:`ball_signatures` gives, per node, the number of nodes and of edges of its depth-r
ball :math:`B_r` (default :math:`r=2`); :func:`ball_law` their empirical law; :func:`limit_ball_law` the law of the
depth-2 signature at the root of each family's local weak limit (the line :math:`\\mathbb Z`, the grid
:math:`\\mathbb Z^2`, the 3-regular tree, the unimodular Galton-Watson tree of the CM's degree law); and
:func:`total_variation` the distance between two such laws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import scipy.sparse as sp

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.validation import check_int

__all__ = [
    "BallLaw",
    "Graph",
    "ball_law",
    "ball_signatures",
    "bethe_lattice",
    "bethe_nodes",
    "ccc_nodes",
    "configuration_model",
    "configuration_model_with_degrees",
    "cube_connected_cycles",
    "cycle",
    "degree_distribution",
    "from_edges",
    "galton_watson_ball_law",
    "grid_ball_law",
    "limit_ball_law",
    "line_ball_law",
    "regular_tree_ball_law",
    "torus",
    "torus_nodes",
    "total_variation",
]

#: A law of depth-2 ball signatures: ``(nodes, edges) -> probability``.
BallLaw = Mapping[tuple[int, int], float]


@dataclass(frozen=True)
class Graph:
    """A simple undirected graph as a padded neighbour-index array and a degree vector.

    Attributes
    ----------
    name
        The family and size, e.g. ``"torus(o=10)"``.
    neighbors
        ``(N, d_max)`` int64: row ``i`` lists :math:`\\mathcal N_i` first, then ``-1`` padding.
    degree
        ``(N,)`` int64: :math:`|\\mathcal N_i|` (003 [U1] divides by the sender's degree).
    family
        The family name used by :func:`limit_ball_law` (``"cycle"``, ``"torus"``, ``"ccc"``, ``"cm"``,
        ``"bethe"``, or ``"custom"``).
    """

    name: str
    neighbors: IntArray
    degree: IntArray
    family: str = "custom"
    mask: BoolArray = field(init=False, repr=False, compare=False)
    _adjacency_csc: sp.csc_matrix = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nbr = np.asarray(self.neighbors)
        deg = np.asarray(self.degree)
        if nbr.ndim != 2 or nbr.dtype != np.int64:
            raise ValueError(f"neighbors must be a 2-D int64 array, got shape {nbr.shape} and dtype {nbr.dtype}")
        if deg.shape != (nbr.shape[0],) or deg.dtype != np.int64:
            raise ValueError(f"degree must be an int64 vector of length {nbr.shape[0]}, got shape {deg.shape}")
        n = nbr.shape[0]
        if n < 1:
            raise ValueError("neighbors must have at least one row (node)")
        mask = np.arange(nbr.shape[1]) < deg[:, None]
        if np.any(deg < 0) or np.any(deg > nbr.shape[1]):
            raise ValueError("degree must lie between 0 and the width of neighbors")
        if np.any(nbr[mask] < 0) or np.any(nbr[mask] >= n) or np.any(nbr[~mask] != -1):
            raise ValueError("neighbors must hold node indices in [0, N) then -1 padding, as degree says")
        rows = np.repeat(np.arange(n), deg)
        cols = nbr[mask]
        if np.any(rows == cols):
            raise ValueError("neighbors has a self-loop")
        adj = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        if adj.nnz != rows.size:
            raise ValueError("neighbors has a multi-edge")
        if (adj - adj.T.tocsr()).count_nonzero():
            raise ValueError("neighbors is not symmetric: j in N_i must imply i in N_j")
        object.__setattr__(self, "mask", mask)
        # the symmetric adjacency in the layout that multiplies the transpose of an (R, N) batch fastest
        object.__setattr__(self, "_adjacency_csc", adj.tocsc())

    @property
    def n_nodes(self) -> int:
        """:math:`N`."""
        return int(self.degree.size)

    @property
    def max_degree(self) -> int:
        """The width of ``neighbors``."""
        return int(self.neighbors.shape[1])

    @property
    def is_regular(self) -> bool:
        """Whether every node has the same degree."""
        return bool(np.all(self.degree == self.degree[0]))

    def adjacency(self) -> sp.csr_matrix:
        """The 0/1 adjacency matrix (sparse, symmetric)."""
        rows = np.repeat(np.arange(self.n_nodes), self.degree)
        return sp.csr_matrix((np.ones(rows.size), (rows, self.neighbors[self.mask])), shape=(self.n_nodes,) * 2)

    def neighbour_sum(self, values: FloatArray) -> FloatArray:
        """``(R, N)``: entry ``[r, j]`` is :math:`\\sum_{i\\in\\mathcal N_j}` ``values[r, i]`` (a sparse product, no loop)."""
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_nodes:
            raise ValueError(f"values must be (R, {self.n_nodes}), got shape {x.shape}")
        total: FloatArray = np.ascontiguousarray((self._adjacency_csc @ x.T).T)
        return total

    def edges(self) -> IntArray:
        """``(|E|, 2)``: each undirected edge once, as ``(i, j)`` with ``i < j``."""
        rows = np.repeat(np.arange(self.n_nodes), self.degree)
        cols = self.neighbors[self.mask]
        keep = rows < cols
        return np.stack([rows[keep], cols[keep]], axis=1).astype(np.int64)


def from_edges(n_nodes: int, edges: IntArray | Sequence[tuple[int, int]], *, name: str = "custom", family: str = "custom") -> Graph:
    """The :class:`Graph` on ``n_nodes`` nodes with the given undirected edges (each listed once)."""
    n = check_int(n_nodes, "n_nodes", low=1)
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if e.size and (e.min() < 0 or e.max() >= n):
        raise ValueError(f"edges must join nodes in [0, {n}), got indices from {e.min()} to {e.max()}")
    src = np.concatenate([e[:, 0], e[:, 1]])
    dst = np.concatenate([e[:, 1], e[:, 0]])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    degree = np.bincount(src, minlength=n).astype(np.int64)
    width = int(degree.max()) if degree.size else 0
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    slot = np.arange(src.size) - start[src]
    neighbors = np.full((n, width), -1, dtype=np.int64)
    neighbors[src, slot] = dst
    return Graph(name, neighbors, degree, family)


def _ring(n: int) -> tuple[IntArray, IntArray]:
    i = np.arange(n, dtype=np.int64)
    return i, (i + 1) % n


def cycle(n_nodes: int) -> Graph:
    """CYC-1D (003 §2.1): node ``i`` sees ``i-1`` and ``i+1`` modulo :math:`N`; :math:`N\\ge3`."""
    n = check_int(n_nodes, "n_nodes", low=3)
    return from_edges(n, np.stack(_ring(n), axis=1), name=f"cycle(N={n})", family="cycle")


def torus_nodes(order: int) -> int:
    """:math:`N=o_t^2` (003 §2.1)."""
    o = check_int(order, "order", low=3)
    return o * o


def torus(order: int) -> Graph:
    """TORUS (003 §2.1): the periodic :math:`o_t\\times o_t` grid, 4-regular for :math:`o_t\\ge3`."""
    o = check_int(order, "order", low=3)
    r, c = np.divmod(np.arange(o * o, dtype=np.int64), o)
    right = r * o + (c + 1) % o
    down = ((r + 1) % o) * o + c
    idx = np.arange(o * o, dtype=np.int64)
    edges = np.concatenate([np.stack([idx, right], 1), np.stack([idx, down], 1)])
    return from_edges(o * o, edges, name=f"torus(o={o})", family="torus")


def ccc_nodes(order: int) -> int:
    """:math:`N=o_c2^{o_c}` (003 §2.1)."""
    o = check_int(order, "order", low=3)
    return o * (1 << o)


def cube_connected_cycles(order: int) -> Graph:
    """CCC (003 §2.1) of order :math:`o_c\\ge3`: node ``x*o + k`` is :math:`(x,k)`; cubic."""
    o = check_int(order, "order", low=3)
    n = ccc_nodes(o)
    idx = np.arange(n, dtype=np.int64)
    x, k = np.divmod(idx, o)
    along = x * o + (k + 1) % o
    across = (x ^ (np.int64(1) << k)) * o + k
    keep = idx < across
    edges = np.concatenate([np.stack([idx, along], 1), np.stack([idx[keep], across[keep]], 1)])
    return from_edges(n, edges, name=f"ccc(o={o})", family="ccc")


def bethe_nodes(depth: int, degree: int = 3) -> int:
    """:math:`N=1+\\sum_{o=1}^{o_b}d(d-1)^{o-1}` (003 §2.1, with the exponent :math:`o-1`)."""
    o = check_int(depth, "depth", low=1)
    d = check_int(degree, "degree", low=2)
    return 1 + d * sum(math.prod([d - 1] * level) for level in range(o))


def bethe_lattice(depth: int, degree: int = 3) -> Graph:
    """BETHE (003 §2.1): the regular tree of ``degree`` cut at ``depth`` (leaves have degree 1)."""
    o = check_int(depth, "depth", low=1)
    d = check_int(degree, "degree", low=2)
    n = bethe_nodes(o, d)
    # Breadth-first numbering: node 0 is the root, its children are 1..d, and node v >= 1 has the
    # d - 1 children (d - 1) * v + 2 .. (d - 1) * v + d.
    child = np.arange(1, n, dtype=np.int64)
    parent = np.where(child <= d, 0, (child - 2) // (d - 1))
    return from_edges(n, np.stack([parent, child], 1), name=f"bethe(o={o}, d={d})", family="bethe")


def configuration_model_with_degrees(degrees: IntArray | Sequence[int], seed: int, *, max_tries: int = 1000) -> Graph:
    """A uniform simple graph with the given degree sequence, by pairing stubs and rejecting non-simple pairings.

    Raises ``ValueError`` for an odd degree sum or a negative degree, and ``RuntimeError`` when no simple
    pairing is found in ``max_tries`` pairings (e.g. a sequence no simple graph realizes).
    """
    deg = np.asarray(degrees)
    if deg.ndim != 1 or deg.size < 1 or not np.issubdtype(deg.dtype, np.integer):
        raise TypeError("degrees must be a non-empty 1-D integer sequence")
    deg = deg.astype(np.int64)
    if np.any(deg < 0):
        raise ValueError("degrees must be non-negative")
    if int(deg.sum()) % 2:
        raise ValueError(f"degrees must have an even sum (each edge joins two stubs), got {int(deg.sum())}")
    tries = check_int(max_tries, "max_tries", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    stubs = np.repeat(np.arange(deg.size, dtype=np.int64), deg)
    n = deg.size
    for _ in range(tries):
        pairs = rng.permutation(stubs).reshape(-1, 2)
        lo, hi = pairs.min(axis=1), pairs.max(axis=1)
        if np.any(lo == hi) or np.unique(lo * n + hi).size != lo.size:
            continue
        return from_edges(n, np.stack([lo, hi], 1), name=f"cm(N={n})", family="cm")
    raise RuntimeError(f"no simple pairing of the stubs of degrees in {max_tries} tries")


def configuration_model(n_nodes: int, seed: int, *, support: Sequence[int] = (2, 3), max_tries: int = 1000) -> Graph:
    """CM (003 §2.1): degrees i.i.d. uniform on ``support`` (redrawn until the sum is even), then paired.

    See :func:`configuration_model_with_degrees` for the pairing and the handling of self-loops and
    multi-edges (rejection, so the degree sequence is kept).
    """
    n = check_int(n_nodes, "n_nodes", low=2)
    values = np.asarray(support)
    if values.ndim != 1 or values.size < 1 or not np.issubdtype(values.dtype, np.integer) or np.any(values < 1):
        raise ValueError(f"support must be a non-empty sequence of positive integers, got {support!r}")
    if int(values.max()) >= n:
        raise ValueError(f"support must stay below n_nodes = {n} for a simple graph, got {support!r}")
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    for _ in range(check_int(max_tries, "max_tries", low=1)):
        degrees = rng.choice(values.astype(np.int64), size=n)
        if int(degrees.sum()) % 2 == 0:
            return configuration_model_with_degrees(degrees, int(rng.integers(2**31)), max_tries=max_tries)
    raise RuntimeError(f"no even degree sum in {max_tries} draws from support {support!r}")


# ----------------------------------------------------------------------------------------------
# Local statistics (local weak convergence, 003 §1.3.1)
# ----------------------------------------------------------------------------------------------


def degree_distribution(graph: Graph) -> dict[int, float]:
    """The empirical degree law ``degree -> fraction of nodes``."""
    values, counts = np.unique(graph.degree, return_counts=True)
    return {int(v): float(c) / graph.n_nodes for v, c in zip(values, counts, strict=True)}


def ball_signatures(graph: Graph, radius: int = 2) -> tuple[IntArray, IntArray]:
    """Per node ``i``: the number of nodes and of edges of its ball :math:`B_r(G,i)` (default depth 2).

    The ball's nodes are those within graph distance ``radius`` of ``i``; its edges are those of :math:`G`
    between them. A ball is a tree exactly when ``edges == nodes - 1``.
    """
    r = check_int(radius, "radius", low=1)
    adj = graph.adjacency()
    step = (sp.identity(graph.n_nodes, format="csr") + adj).tocsr()
    ball = step.copy()
    for _ in range(r - 1):
        ball = ((ball @ step) > 0).astype(np.float64)
    ball = (ball > 0).astype(np.float64)
    nodes = np.asarray(ball.sum(axis=1)).ravel().astype(np.int64)
    inside = (ball @ adj).multiply(ball)
    edges = (np.asarray(inside.sum(axis=1)).ravel() / 2).round().astype(np.int64)
    return nodes, edges


def ball_law(graph: Graph, radius: int = 2) -> dict[tuple[int, int], float]:
    """The empirical law of :func:`ball_signatures` over a uniformly chosen root."""
    nodes, edges = ball_signatures(graph, radius)
    pairs, counts = np.unique(np.stack([nodes, edges], 1), axis=0, return_counts=True)
    return {(int(a), int(b)): float(c) / graph.n_nodes for (a, b), c in zip(pairs, counts, strict=True)}


def total_variation(p: BallLaw, q: BallLaw) -> float:
    """:math:`\\tfrac12\\sum_x|p(x)-q(x)|`."""
    keys = set(p) | set(q)
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def line_ball_law() -> dict[tuple[int, int], float]:
    """Depth-2 ball of :math:`\\mathbb Z` (limit of cycles): a path of 5 nodes."""
    return {(5, 4): 1.0}


def grid_ball_law() -> dict[tuple[int, int], float]:
    """Depth-2 ball of :math:`\\mathbb Z^2` (limit of tori): 13 nodes, 16 edges (no two nodes at distance 2 adjacent)."""
    return {(13, 16): 1.0}


def regular_tree_ball_law(degree: int = 3) -> dict[tuple[int, int], float]:
    """Depth-2 ball of the ``degree``-regular tree: :math:`1+d+d(d-1)` nodes, one fewer edges."""
    d = check_int(degree, "degree", low=1)
    n = 1 + d + d * (d - 1)
    return {(n, n - 1): 1.0}


def galton_watson_ball_law(support: Sequence[int] = (2, 3)) -> dict[tuple[int, int], float]:
    """Depth-2 ball law at the root of the unimodular Galton-Watson tree with root degree uniform on ``support``.

    This is the local weak limit of the configuration model with that degree law: the root has degree
    :math:`D`, each neighbour has :math:`\\hat D-1` further children where :math:`\\hat D` is size-biased,
    :math:`P(\\hat D=k)=kP(D=k)/E[D]`. The ball is a tree with :math:`1+D+\\sum_{i\\le D}(\\hat D_i-1)` nodes.
    """
    values = [check_int(v, "support", low=1) for v in support]
    if not values:
        raise ValueError("support must not be empty")
    p_root = {k: 1.0 / len(values) for k in values}
    mean = sum(k * p for k, p in p_root.items())
    p_child = {k - 1: k * p / mean for k, p in p_root.items()}
    law: dict[tuple[int, int], float] = {}
    for d, pd in p_root.items():
        for children in product(p_child, repeat=d):
            n = 1 + d + sum(children)
            law[(n, n - 1)] = law.get((n, n - 1), 0.0) + pd * math.prod(p_child[c] for c in children)
    return law


def limit_ball_law(family: str) -> dict[tuple[int, int], float]:
    """The depth-2 ball law at the root of a family's local weak limit (the Bethe lattice against the 3-regular tree).

    ``"cycle"`` -> :math:`\\mathbb Z`, ``"torus"`` -> :math:`\\mathbb Z^2`, ``"ccc"`` -> the infinite cube-connected
    cycles (girth 8, so its depth-2 ball is that of the 3-regular tree), ``"cm"`` -> the Galton-Watson tree
    of degrees uniform on {2, 3}, ``"bethe"`` -> the 3-regular tree, which is *not* its limit (003 §2.1).
    """
    laws = {
        "cycle": line_ball_law,
        "torus": grid_ball_law,
        "ccc": regular_tree_ball_law,
        "cm": galton_watson_ball_law,
        "bethe": regular_tree_ball_law,
    }
    if family not in laws:
        raise ValueError(f"family must be one of {sorted(laws)}, got {family!r}")
    return laws[family]()
