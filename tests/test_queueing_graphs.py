"""Graphs of 003 §2.1: degree sequences, node counts, cross-checks with networkx, local statistics, bad input."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.queueing import graphs


def _nx(graph: graphs.Graph) -> nx.Graph:
    h = nx.Graph()
    h.add_nodes_from(range(graph.n_nodes))
    h.add_edges_from(graph.edges().tolist())
    return h


@pytest.mark.parametrize(("order", "nodes"), [(5, 160), (9, 4608)])
def test_ccc_node_count_and_cubic(order: int, nodes: int) -> None:
    g = graphs.cube_connected_cycles(order)
    assert graphs.ccc_nodes(order) == nodes == g.n_nodes
    assert np.all(g.degree == 3)
    # networkx's hypercube-based construction: CCC(o) is the replacement product of the o-cube and C_o.
    h = _nx(g)
    assert nx.is_connected(h)
    assert nx.girth(h) == min(order, 8)


def test_ccc_isomorphic_to_networkx_construction() -> None:
    o = 4
    ref = nx.Graph()
    for x in range(2**o):
        for k in range(o):
            ref.add_edge((x, k), (x, (k + 1) % o))
            ref.add_edge((x, k), (x ^ (1 << k), k))
    assert nx.is_isomorphic(_nx(graphs.cube_connected_cycles(o)), ref)


@pytest.mark.parametrize(("order", "nodes"), [(10, 100), (11, 121), (70, 4900)])
def test_torus_node_count_and_isomorphic_to_networkx(order: int, nodes: int) -> None:
    g = graphs.torus(order)
    assert graphs.torus_nodes(order) == nodes == g.n_nodes
    assert np.all(g.degree == 4)
    if order <= 11:
        ref = nx.grid_2d_graph(order, order, periodic=True)
        assert nx.is_isomorphic(_nx(g), ref)


@pytest.mark.parametrize(("depth", "nodes"), [(5, 94), (11, 6142)])
def test_bethe_node_count_and_tree(depth: int, nodes: int) -> None:
    g = graphs.bethe_lattice(depth)
    assert graphs.bethe_nodes(depth) == nodes == g.n_nodes
    h = _nx(g)
    assert nx.is_tree(h)
    assert nx.eccentricity(h, 0) == depth
    leaves = int(np.sum(g.degree == 1))
    assert leaves == 3 * 2 ** (depth - 1)  # the last level: about half of all nodes
    assert set(np.unique(g.degree).tolist()) == {1, 3}


def test_bethe_matches_networkx_balanced_tree_shape() -> None:
    # The root has 3 children, the others 2: the root's 3 subtrees are binary trees of depth o_b - 1.
    g = _nx(graphs.bethe_lattice(4))
    g.remove_node(0)
    parts = [g.subgraph(c) for c in nx.connected_components(g)]
    assert len(parts) == 3
    for part in parts:
        assert nx.is_isomorphic(part, nx.balanced_tree(2, 3))


def test_cycle_is_networkx_cycle() -> None:
    assert nx.is_isomorphic(_nx(graphs.cycle(21)), nx.cycle_graph(21))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(4, 300), seed=st.integers(0, 2**16))
def test_configuration_model_simple_with_degrees_two_or_three(n: int, seed: int) -> None:
    g = graphs.configuration_model(n, seed)
    assert set(np.unique(g.degree).tolist()) <= {2, 3}
    assert int(g.degree.sum()) % 2 == 0
    h = _nx(g)
    assert nx.number_of_selfloops(h) == 0
    assert sorted(d for _, d in h.degree()) == sorted(g.degree.tolist())  # no multi-edge collapsed


def test_configuration_model_keeps_given_degrees_and_is_seeded() -> None:
    degrees = np.array([3, 3, 2, 2, 3, 3, 2, 2, 2, 2])
    a = graphs.configuration_model_with_degrees(degrees, 7)
    b = graphs.configuration_model_with_degrees(degrees, 7)
    np.testing.assert_array_equal(a.degree, degrees)
    np.testing.assert_array_equal(a.neighbors, b.neighbors)


def test_configuration_model_degree_law_uniform() -> None:
    law = graphs.degree_distribution(graphs.configuration_model(20000, 3))
    assert abs(law[2] - 0.5) < 0.02 and abs(law[3] - 0.5) < 0.02


def test_from_edges_neighbours_symmetric() -> None:
    g = graphs.from_edges(4, [(0, 2), (1, 3)])  # 003 Fig. 1: N = M = 4, edges (s1, s3), (s2, s4)
    np.testing.assert_array_equal(g.degree, [1, 1, 1, 1])
    np.testing.assert_array_equal(g.neighbors[:, 0], [2, 3, 0, 1])


def test_ball_signatures_match_networkx_ego_graphs() -> None:
    for g in [graphs.configuration_model(60, 5), graphs.bethe_lattice(4), graphs.cube_connected_cycles(4)]:
        nodes, edges = graphs.ball_signatures(g)
        h = _nx(g)
        for i in range(0, g.n_nodes, 7):
            ego = nx.ego_graph(h, i, radius=2)
            assert (nodes[i], edges[i]) == (ego.number_of_nodes(), ego.number_of_edges())


def test_deeper_balls_match_networkx() -> None:
    g = graphs.configuration_model(300, 8)
    nodes, edges = graphs.ball_signatures(g, radius=4)
    h = _nx(g)
    for i in range(0, g.n_nodes, 23):
        ego = nx.ego_graph(h, i, radius=4)
        assert (nodes[i], edges[i]) == (ego.number_of_nodes(), ego.number_of_edges())
    # the 3-regular tree's depth-3 ball has 1 + 3 + 6 + 12 nodes: CCC(9) has girth 8 > 2 * 3 + 1
    assert graphs.ball_law(graphs.cube_connected_cycles(9), radius=3) == {(22, 21): 1.0}
    with pytest.raises(ValueError, match="radius"):
        graphs.ball_signatures(g, radius=0)


def test_limit_laws_of_regular_families_are_attained() -> None:
    assert graphs.ball_law(graphs.cycle(50)) == graphs.limit_ball_law("cycle")
    assert graphs.ball_law(graphs.torus(6)) == graphs.limit_ball_law("torus")
    assert graphs.ball_law(graphs.cube_connected_cycles(6)) == graphs.limit_ball_law("ccc")
    # Small members are not yet locally like the limit: the 5-cycle of CCC(5) closes inside B_2.
    assert graphs.total_variation(graphs.ball_law(graphs.cube_connected_cycles(5)), graphs.limit_ball_law("ccc")) == 1.0


def test_galton_watson_ball_law_sums_to_one_and_mean() -> None:
    law = graphs.galton_watson_ball_law()
    assert abs(sum(law.values()) - 1.0) < 1e-12
    # E|B_2| = 1 + E[D] + E[D] E[D_hat - 1] = 1 + 2.5 + 2.5 * 1.6
    assert abs(sum(n * p for (n, _), p in law.items()) - 7.5) < 1e-12


def test_cm_converges_locally_bethe_does_not() -> None:
    small = graphs.total_variation(graphs.ball_law(graphs.configuration_model(100, 0)), graphs.limit_ball_law("cm"))
    large = graphs.total_variation(graphs.ball_law(graphs.configuration_model(20000, 0)), graphs.limit_ball_law("cm"))
    assert large < 0.03 < small
    bethe = graphs.total_variation(graphs.ball_law(graphs.bethe_lattice(12)), graphs.limit_ball_law("bethe"))
    assert abs(bethe - 0.75) < 0.01  # only the nodes two or more levels above the leaves see the 3-regular tree


@pytest.mark.parametrize(
    ("call", "error", "word"),
    [
        (lambda: graphs.cycle(2), ValueError, "n_nodes"),
        (lambda: graphs.torus(2), ValueError, "order"),
        (lambda: graphs.cube_connected_cycles(2), ValueError, "order"),
        (lambda: graphs.cube_connected_cycles(3.0), TypeError, "order"),
        (lambda: graphs.bethe_lattice(0), ValueError, "depth"),
        (lambda: graphs.configuration_model_with_degrees([3, 2, 2], 0), ValueError, "even sum"),
        (lambda: graphs.configuration_model_with_degrees([3, 3], 0), RuntimeError, "simple pairing"),
        (lambda: graphs.configuration_model(3, 0), ValueError, "support"),
        (lambda: graphs.from_edges(3, [(0, 0)]), ValueError, "self-loop"),
        (lambda: graphs.from_edges(3, [(0, 1), (1, 0)]), ValueError, "multi-edge"),
        (lambda: graphs.from_edges(3, [(0, 3)]), ValueError, "edges"),
        (lambda: graphs.limit_ball_law("petersen"), ValueError, "family"),
    ],
)
def test_bad_input_rejected(call: object, error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=word):
        call()  # type: ignore[operator]


def test_asymmetric_neighbours_rejected() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        graphs.Graph("bad", np.array([[1], [-1]], dtype=np.int64), np.array([1, 0], dtype=np.int64))
