"""The epoch simulator, the policies and the exact expected drops of 003 (eq. (1), [U1], App. A)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.queueing import exact, graphs, observations, policies, simulator
from mfcode.queueing.system import QueueSystem, regime_paths

CM = graphs.configuration_model(80, 4)
REGULAR = [graphs.cycle(30), graphs.torus(5), graphs.cube_connected_cycles(4)]


def _all_policies(buffer: int = 5) -> list[policies.Policy]:
    zeta = np.linspace(0.0, 1.0, buffer + 1)
    return [
        policies.SendToOwn(),
        policies.UniformRandom(),
        policies.JoinShortestQueue(),
        policies.JoinShortestQueue("own-first"),
        policies.ShortestExpectedDelay(),
        policies.MeanFieldRule(zeta),
        policies.AgentRule(lambda own, hist: hist[..., 0] / np.maximum(hist.sum(-1), 1)),
    ]


def _context(graph: graphs.Graph, alpha: np.ndarray | None = None) -> policies.RoutingContext:
    return policies.RoutingContext(graph, np.ones(graph.n_nodes) if alpha is None else alpha, 5)


def _dense_weights(routing: np.ndarray, graph: graphs.Graph) -> np.ndarray:
    """Independent reference: w_j = sum_i P(i -> j) from an explicit (R, N, N) routing matrix."""
    r, n = routing.shape[:2]
    full = np.zeros((r, n, n))
    for i in range(n):
        full[:, i, i] += routing[:, i, 0]
        for k in range(graph.degree[i]):
            full[:, i, graph.neighbors[i, k]] += routing[:, i, k + 1]
    return full.sum(axis=1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_total_rate_conserved_and_weights_match_dense_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    alpha = rng.choice([1.0, 2.0], CM.n_nodes)
    z = rng.integers(0, 6, (3, CM.n_nodes))
    for policy in _all_policies():
        routing = policy.routing(z, _context(CM, alpha), rng)
        assert np.all(routing >= 0) and np.allclose(routing.sum(-1), 1.0)
        w = policies.arrival_weights(routing, CM)
        np.testing.assert_allclose(w.sum(axis=1), CM.n_nodes, rtol=1e-12)  # sum_j Lambda_j = N lambda
        np.testing.assert_allclose(w, _dense_weights(routing, CM), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), index=st.integers(0, 2))
def test_rate_bounds_of_appendix_a(seed: int, index: int) -> None:
    graph = REGULAR[index]
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 6, (4, graph.n_nodes))
    mf = policies.arrival_weights(policies.MeanFieldRule(rng.random(6)).routing(z, _context(graph), rng), graph)
    assert mf.max() <= 2.0 + 1e-12  # MF <= 2 lambda on regular graphs
    jsq = policies.arrival_weights(policies.JoinShortestQueue().routing(z, _context(graph), rng), graph)
    assert np.all(jsq <= graph.degree + 1) and np.allclose(jsq, np.round(jsq))  # whole streams, <= (deg+1) lambda
    rnd = policies.arrival_weights(policies.UniformRandom().routing(z, _context(graph), rng), graph)
    np.testing.assert_allclose(rnd, 1.0, atol=1e-12)  # RND's input equals OWN's on regular graphs


def test_rnd_rates_differ_from_own_on_cm_with_sender_degree_divisor() -> None:
    z = np.zeros((1, CM.n_nodes), dtype=np.int64)
    w = policies.arrival_weights(policies.UniformRandom().routing(z, _context(CM), np.random.default_rng(0)), CM)
    adj = CM.adjacency().toarray()
    expected = 1.0 / (CM.degree + 1) + adj @ (1.0 / (CM.degree + 1))
    np.testing.assert_allclose(w[0], expected, atol=1e-12)
    assert np.ptp(w) > 0.1


def test_mf_rule_is_rate_formula_u1() -> None:
    rng = np.random.default_rng(3)
    zeta = rng.random(6)
    z = rng.integers(0, 6, (2, CM.n_nodes))
    w = policies.arrival_weights(policies.MeanFieldRule(zeta).routing(z, _context(CM), rng), CM)
    a = zeta[z]
    adj = CM.adjacency().toarray()
    np.testing.assert_allclose(w, 1.0 - a + (a / CM.degree) @ adj, atol=1e-12)  # [U1] with |N_j| of the sender


def test_triple_example_of_section_1_2_3() -> None:
    # A cycle of 9 cut into triples (0,1,2), (3,4,5), (6,7,8): ends send every job to the centre, the centre to
    # its left end. Slot k+1 of node i is graph.neighbors[i, k].
    graph = graphs.cycle(9)
    routing = np.zeros((1, 9, 3))
    for i in range(9):
        target = 3 * (i // 3) + (1 if i % 3 != 1 else 0)
        routing[0, i, 1 + list(graph.neighbors[i]).index(target)] = 1.0
    w = policies.arrival_weights(routing, graph)[0]
    np.testing.assert_allclose(w[1::3], 2.0)  # the centre receives 2 lambda
    nonoverlap = np.zeros((1, 9, 3))
    for i in range(9):
        nonoverlap[0, i, 1 + list(graph.neighbors[i]).index((i + 1) % 9)] = 1.0
    assert policies.arrival_weights(nonoverlap, graph).max() <= 1.0  # at most lambda


def test_jsq_tie_rules() -> None:
    graph = graphs.cycle(3000)
    z = np.zeros((1, graph.n_nodes), dtype=np.int64)
    rng = np.random.default_rng(0)
    own = policies.JoinShortestQueue("own-first").routing(z, _context(graph), rng)
    assert np.all(own[..., 0] == 1.0)
    uniform = policies.JoinShortestQueue("random").routing(z, _context(graph), rng)
    shares = uniform.mean(axis=(0, 1))
    np.testing.assert_allclose(shares, 1 / 3, atol=0.03)
    z[0, 1] = 5  # node 0's neighbours: 2999 and 1; 1 is longer, so ties are between 0 and 2999 only
    choice = policies.JoinShortestQueue("random").routing(z, _context(graph), rng)[0, 0]
    assert choice[list(graph.neighbors[0]).index(1) + 1] == 0.0


def test_sed_is_jsq_with_equal_servers_and_prefers_fast_servers() -> None:
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    z = np.random.default_rng(1).integers(0, 6, (2, CM.n_nodes))
    sed = policies.ShortestExpectedDelay().routing(z, _context(CM), rng_a)
    jsq = policies.JoinShortestQueue().routing(z, _context(CM), rng_b)
    np.testing.assert_array_equal(sed, jsq)
    graph = graphs.from_edges(2, [(0, 1)])
    routing = policies.ShortestExpectedDelay().routing(np.array([[1, 2]]), _context(graph, np.array([1.0, 4.0])), rng_a)
    np.testing.assert_array_equal(routing[0, 0], [0.0, 1.0])  # (2+1)/4 < (1+1)/1


def test_agent_rule_reproduces_mf_rule_and_zero_rule_is_own() -> None:
    zeta = np.array([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
    z = np.random.default_rng(2).integers(0, 6, (2, CM.n_nodes))
    rng = np.random.default_rng(0)
    a = policies.MeanFieldRule(zeta).routing(z, _context(CM), rng)
    b = policies.AgentRule(lambda own, hist: zeta[own]).routing(z, _context(CM), rng)
    np.testing.assert_array_equal(a, b)
    zero = policies.MeanFieldRule(np.zeros(6)).routing(z, _context(CM), rng)
    np.testing.assert_array_equal(zero, policies.SendToOwn().routing(z, _context(CM), rng))


def test_observations_against_loops() -> None:
    z = np.random.default_rng(0).integers(0, 6, (2, CM.n_nodes))
    hist = observations.neighbour_histogram(z, CM, 6)
    for r in range(2):
        for i in range(0, CM.n_nodes, 9):
            ref = np.bincount(z[r, CM.neighbors[i, : CM.degree[i]]], minlength=6)
            np.testing.assert_array_equal(hist[r, i], ref)
    mu = observations.global_histogram(z, 6)
    np.testing.assert_allclose(mu[1], np.bincount(z[1], minlength=6) / CM.n_nodes)
    np.testing.assert_array_equal(observations.own_one_hot(z, 6).argmax(-1), z)
    np.testing.assert_array_equal(observations.regime_one_hot(np.array([1, 0])), [[0, 1], [1, 0]])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), dt=st.sampled_from([0.5, 1.0, 5.0]))
def test_flow_conservation_per_queue_and_epoch(seed: int, dt: float) -> None:
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 6, (3, 200))
    rates = rng.random((3, 200)) * 4.0
    out = simulator.simulate_epoch(z, rates, rng.choice([1.0, 2.0], 200), dt, 5, rng)
    np.testing.assert_array_equal(out.arrivals - out.drops - out.departures, out.z - z)
    assert out.z.min() >= 0 and out.z.max() <= 5
    assert np.all(out.drops <= out.arrivals) and np.all(out.departures >= 0)
    # a queue that never reached B dropped nothing: drops need z = B at some arrival
    assert np.all(out.drops[(z + out.arrivals) < 5] == 0)


def test_single_epoch_matches_expm_law_and_expected_drops() -> None:
    rng = np.random.default_rng(11)
    rates = np.array([0.6, 0.9, 2.7])
    starts = np.array([0, 3, 5])
    reps = 20000
    z = np.repeat(starts, reps).reshape(1, -1)
    lam = np.repeat(rates, reps).reshape(1, -1)
    out = simulator.simulate_epoch(z, lam, np.ones(1), 2.0, 5, rng)
    kernel, drops = exact.epoch_kernel(rates, 1.0, 5, 2.0)
    for k in range(3):
        block = slice(k * reps, (k + 1) * reps)
        sample = out.drops[0, block]
        assert abs(sample.mean() - drops[k, starts[k]]) < 4 * sample.std() / np.sqrt(reps)
        freq = np.bincount(out.z[0, block], minlength=6) / reps
        p = kernel[k, starts[k]]
        assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / reps) + 1e-9)


def test_epoch_kernel_against_integral_of_generator() -> None:
    lam, alpha, b, dt = 1.3, 0.8, 4, 3.0
    g = exact.augmented_generator(np.array(lam), alpha, b)[: b + 1, : b + 1]
    assert np.allclose(g.sum(axis=1), 0.0)  # the queue block is a generator
    kernel, drops = exact.epoch_kernel(np.array(lam), alpha, b, dt)
    np.testing.assert_allclose(kernel, scipy.linalg.expm(g * dt), atol=1e-12)
    integral = scipy.integrate.quad_vec(lambda s: lam * scipy.linalg.expm(g * s)[:, b], 0.0, dt)[0]
    np.testing.assert_allclose(drops, integral, atol=1e-9)
    # App. A's exp(Q) without dt is the dt = 1 kernel, not this one
    assert not np.allclose(exact.epoch_kernel(np.array(lam), alpha, b, 1.0)[1], drops)


@pytest.mark.parametrize("dt", [1.0, 10.0])
def test_own_episode_drops_match_simulation(dt: float) -> None:
    system = QueueSystem(dt=dt)
    batch = simulator.run_episodes(graphs.cycle(500), policies.SendToOwn(), system, n_episodes=40, seed=2)
    per_epoch = exact.own_episode_drops(system)
    sample = batch.drops_per_queue()
    assert abs(sample.mean() - per_epoch.sum()) < 4 * sample.std(ddof=1) / np.sqrt(sample.size)


def test_rnd_on_a_regular_graph_matches_the_exact_own_value() -> None:
    system = QueueSystem(dt=3.0, horizon=20)
    batch = simulator.run_episodes(graphs.torus(30), policies.UniformRandom(), system, n_episodes=20, seed=6)
    gap = batch.drops.sum(axis=1) - exact.own_path_drops(system, batch.regimes).sum(axis=1)
    assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)
    cm = simulator.run_episodes(graphs.configuration_model(2000, 1), policies.UniformRandom(), system, n_episodes=20, seed=6)
    cm_gap = cm.drops.sum(axis=1) - exact.own_path_drops(system, cm.regimes).sum(axis=1)
    assert cm_gap.mean() > 4 * cm_gap.std(ddof=1) / np.sqrt(cm_gap.size)  # irregular degrees: RND is worse than OWN


def test_own_path_drops_average_to_own_episode_drops_and_match_simulation() -> None:
    system = QueueSystem(dt=2.0, horizon=12)
    batch = simulator.run_episodes(graphs.cycle(4000), policies.SendToOwn(), system, n_episodes=30, seed=3)
    conditional = exact.own_path_drops(system, batch.regimes)
    gap = batch.drops.sum(axis=1) - conditional.sum(axis=1)
    assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)
    # averaging over all 2^T regime paths with their eq. (2) probabilities gives the unconditional value
    paths = ((np.arange(2**system.horizon)[:, None] >> np.arange(system.horizon)) & 1).astype(np.int64)
    k = system.regime_kernel
    prob = 0.5 * np.prod(k[paths[:, :-1], paths[:, 1:]], axis=1)
    np.testing.assert_allclose(prob @ exact.own_path_drops(system, paths), exact.own_episode_drops(system), atol=1e-12)


def test_own_and_rnd_identical_under_common_random_numbers_on_regular_graphs() -> None:
    system = QueueSystem(dt=3.0, horizon=10)
    for graph in REGULAR:
        own = simulator.run_episodes(graph, policies.SendToOwn(), system, n_episodes=3, seed=9)
        rnd = simulator.run_episodes(graph, policies.UniformRandom(), system, n_episodes=3, seed=9)
        np.testing.assert_array_equal(own.drops, rnd.drops)
        np.testing.assert_array_equal(own.states, rnd.states)
    own = simulator.run_episodes(CM, policies.SendToOwn(), system, n_episodes=3, seed=9)
    rnd = simulator.run_episodes(CM, policies.UniformRandom(), system, n_episodes=3, seed=9)
    assert not np.array_equal(own.states, rnd.states)
    np.testing.assert_array_equal(own.regimes, rnd.regimes)  # common regime paths


def test_seeded_reproducibility_and_state_distributions() -> None:
    system = QueueSystem(dt=2.0, horizon=8)
    a = simulator.run_episodes(CM, policies.JoinShortestQueue(), system, n_episodes=2, seed=4)
    b = simulator.run_episodes(CM, policies.JoinShortestQueue(), system, n_episodes=2, seed=4)
    c = simulator.run_episodes(CM, policies.JoinShortestQueue(), system, n_episodes=2, seed=5)
    np.testing.assert_array_equal(a.drops, b.drops)
    assert not np.array_equal(a.drops, c.drops)
    np.testing.assert_allclose(a.states.sum(-1), 1.0)
    np.testing.assert_array_equal(a.states[:, 0, 0], 1.0)  # episodes start from empty queues


def test_normalizations() -> None:
    batch = simulator.run_episodes(graphs.cycle(10), policies.SendToOwn(), QueueSystem(dt=5.0, horizon=4), n_episodes=2, seed=0)
    np.testing.assert_allclose(batch.drops_per_queue("per-50-time-units"), batch.drops_per_queue() * 50 / 20)
    with pytest.raises(ValueError, match="normalization"):
        batch.drops_per_queue("per-queue")


def test_regime_paths_follow_eq_2() -> None:
    system = QueueSystem(horizon=200)
    regimes = regime_paths(system, 400, np.random.default_rng(0))
    assert abs(regimes[:, 0].mean() - 0.5) < 0.08  # lambda_0 uniform
    prev, nxt = regimes[:, :-1].ravel(), regimes[:, 1:].ravel()
    assert abs(np.mean(nxt[prev == 0] == 1) - 0.2) < 0.01
    assert abs(np.mean(nxt[prev == 1] == 0) - 0.5) < 0.01


@pytest.mark.parametrize(
    ("call", "error", "word"),
    [
        (lambda: QueueSystem(dt=0.0), ValueError, "dt"),
        (lambda: QueueSystem(buffer=0), ValueError, "buffer"),
        (lambda: QueueSystem(arrival_rates=(0.9,)), ValueError, "arrival_rates"),
        (lambda: QueueSystem(switch_high_low=1.5), ValueError, "switch_high_low"),
        (lambda: policies.JoinShortestQueue("first"), ValueError, "tie_rule"),
        (lambda: policies.MeanFieldRule(np.array([0.5, 1.2])), ValueError, "zeta"),
        (lambda: policies.RoutingContext(CM, np.zeros(CM.n_nodes), 5), ValueError, "service_rates"),
        (lambda: simulator.simulate_epoch(np.array([[6]]), np.ones((1, 1)), np.ones(1), 1.0, 5, np.random.default_rng()), ValueError, "z must"),
        (lambda: simulator.simulate_epoch(np.array([[0]]), -np.ones((1, 1)), np.ones(1), 1.0, 5, np.random.default_rng()), ValueError, "arrival_rates"),
        (lambda: simulator.run_episodes(CM, policies.SendToOwn(), QueueSystem(), n_episodes=0, seed=0), ValueError, "n_episodes"),
        (lambda: exact.epoch_kernel(np.array([-1.0]), 1.0, 5, 1.0), ValueError, "arrival_rates"),
        (lambda: exact.epoch_kernel(np.array([1.0]), 1.0, 5, -1.0), ValueError, "dt"),
    ],
)
def test_bad_input_rejected(call: object, error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=word):
        call()  # type: ignore[operator]


def test_mf_rule_of_wrong_length_rejected() -> None:
    with pytest.raises(ValueError, match="zeta"):
        policies.MeanFieldRule(np.zeros(3)).routing(np.zeros((1, CM.n_nodes), dtype=np.int64), _context(CM), np.random.default_rng())
