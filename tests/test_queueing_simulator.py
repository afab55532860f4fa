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


def _dense_offload_weights(offload: np.ndarray, graph: graphs.Graph) -> np.ndarray:
    """Independent reference for [U1]: w_j = sum_i P(i -> j) from an explicit (R, N, N) routing matrix."""
    r, n = offload.shape
    full = np.zeros((r, n, n))
    for i in range(n):
        full[:, i, i] += 1.0 - offload[:, i]
        for k in range(graph.degree[i]):
            full[:, i, graph.neighbors[i, k]] += offload[:, i] / graph.degree[i]
    return full.sum(axis=1)


def _expected_jsq_weights(key: np.ndarray, graph: graphs.Graph, own_first: bool) -> np.ndarray:
    """Independent reference: E[w_j] when each agent picks uniformly among the accessible queues of smallest key."""
    w = np.zeros(key.shape)
    for r in range(key.shape[0]):
        for i in range(graph.n_nodes):
            queues = [i, *graph.neighbors[i, : graph.degree[i]].tolist()]
            values = key[r, queues]
            minima = [q for q, v in zip(queues, values, strict=True) if v <= values.min() * (1 + 1e-12)]
            if own_first and i in minima:
                minima = [i]
            for q in minima:
                w[r, q] += 1.0 / len(minima)
    return w


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_total_rate_conserved_for_every_policy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    alpha = rng.choice([1.0, 2.0], CM.n_nodes)
    z = rng.integers(0, 6, (3, CM.n_nodes))
    for policy in _all_policies():
        w = policy.weights(z, _context(CM, alpha), rng)
        assert np.all(w >= 0)
        np.testing.assert_allclose(w.sum(axis=1), CM.n_nodes, rtol=1e-12)  # sum_j Lambda_j = N lambda


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_offload_weights_match_dense_routing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    offload = rng.random((2, CM.n_nodes))
    np.testing.assert_allclose(policies.offload_weights(offload, CM), _dense_offload_weights(offload, CM), atol=1e-12)


@pytest.mark.parametrize("tie_rule", policies.TIE_RULES)
def test_jsq_and_sed_weights_match_uniform_choice_among_minima(tie_rule: str) -> None:
    # one state, many independent tie draws: the mean weight is the expected one of uniform ties
    graph = graphs.configuration_model(40, 3)
    z = np.random.default_rng(1).integers(0, 3, (1, graph.n_nodes))
    alpha = np.random.default_rng(2).choice([1.0, 2.0], graph.n_nodes)
    rng = np.random.default_rng(0)
    draws = 4000
    batch = np.repeat(z, draws, axis=0)
    for policy, key, ctx in [
        (policies.JoinShortestQueue(tie_rule), z.astype(float), _context(graph)),
        (policies.ShortestExpectedDelay(tie_rule), (z + 1.0) / alpha, _context(graph, alpha)),
    ]:
        w = policy.weights(batch, ctx, rng)
        assert np.array_equal(w, np.round(w))  # whole streams
        reference = _expected_jsq_weights(key, graph, tie_rule == "own-first")[0]
        np.testing.assert_allclose(w.mean(axis=0), reference, atol=4 * np.sqrt(2.0 / draws))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), index=st.integers(0, 2))
def test_rate_bounds_of_appendix_a(seed: int, index: int) -> None:
    graph = REGULAR[index]
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 6, (4, graph.n_nodes))
    mf = policies.MeanFieldRule(rng.random(6)).weights(z, _context(graph), rng)
    assert mf.max() <= 2.0 + 1e-12  # MF <= 2 lambda on regular graphs
    jsq = policies.JoinShortestQueue().weights(z, _context(graph), rng)
    assert np.all(jsq <= graph.degree + 1) and np.allclose(jsq, np.round(jsq))  # whole streams, <= (deg+1) lambda
    rnd = policies.UniformRandom().weights(z, _context(graph), rng)
    np.testing.assert_allclose(rnd, 1.0, atol=1e-12)  # RND's input equals OWN's on regular graphs


def test_rnd_rates_differ_from_own_on_cm_with_sender_degree_divisor() -> None:
    z = np.zeros((1, CM.n_nodes), dtype=np.int64)
    w = policies.UniformRandom().weights(z, _context(CM), np.random.default_rng(0))
    adj = CM.adjacency().toarray()
    expected = 1.0 / (CM.degree + 1) + adj @ (1.0 / (CM.degree + 1))
    np.testing.assert_allclose(w[0], expected, atol=1e-12)
    assert np.ptp(w) > 0.1


def test_mf_rule_is_rate_formula_u1() -> None:
    rng = np.random.default_rng(3)
    zeta = rng.random(6)
    z = rng.integers(0, 6, (2, CM.n_nodes))
    w = policies.MeanFieldRule(zeta).weights(z, _context(CM), rng)
    a = zeta[z]
    adj = CM.adjacency().toarray()
    np.testing.assert_allclose(w, 1.0 - a + (a / CM.degree) @ adj, atol=1e-12)  # [U1] with |N_j| of the sender


def test_triple_example_of_section_1_2_3() -> None:
    # A cycle of 9 cut into triples (0,1,2), (3,4,5), (6,7,8): ends send every job to the centre, the centre to
    # its left end.
    graph = graphs.cycle(9)
    i = np.arange(9)
    to_centre = np.where(i % 3 != 1, 3 * (i // 3) + 1, 3 * (i // 3))[None]
    w = policies.choice_weights(to_centre, graph)[0]
    np.testing.assert_allclose(w[1::3], 2.0)  # the centre receives 2 lambda
    nonoverlap = ((i + 1) % 9)[None]  # no two nodes share their first neighbour
    assert policies.choice_weights(nonoverlap, graph).max() <= 1.0  # at most lambda


def test_jsq_tie_rules() -> None:
    graph = graphs.cycle(3000)
    z = np.zeros((1, graph.n_nodes), dtype=np.int64)
    rng = np.random.default_rng(0)
    own = policies.JoinShortestQueue("own-first").weights(z, _context(graph), rng)
    assert np.all(own == 1.0)  # everyone keeps its jobs
    uniform = policies.JoinShortestQueue("random").weights(z, _context(graph), rng)
    assert uniform.std() > 0.5  # ties spread: w_j ~ sum of three Bernoulli(1/3)
    np.testing.assert_allclose(uniform.mean(), 1.0)
    z[0, 1] = 5  # queue 1 is longer than all its neighbours: nobody sends to it
    assert policies.JoinShortestQueue("random").weights(z, _context(graph), rng)[0, 1] == 0.0


def test_sed_is_jsq_with_equal_servers_and_prefers_fast_servers() -> None:
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    z = np.random.default_rng(1).integers(0, 6, (2, CM.n_nodes))
    sed = policies.ShortestExpectedDelay().weights(z, _context(CM), rng_a)
    jsq = policies.JoinShortestQueue().weights(z, _context(CM), rng_b)
    np.testing.assert_array_equal(sed, jsq)  # the same tie draws give the same choices
    graph = graphs.from_edges(2, [(0, 1)])
    w = policies.ShortestExpectedDelay().weights(np.array([[1, 2]]), _context(graph, np.array([1.0, 4.0])), rng_a)
    np.testing.assert_array_equal(w[0], [0.0, 2.0])  # both to the fast server: (2+1)/4 < (1+1)/1


def test_agent_rule_reproduces_mf_rule_and_zero_rule_is_own() -> None:
    zeta = np.array([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
    z = np.random.default_rng(2).integers(0, 6, (2, CM.n_nodes))
    rng = np.random.default_rng(0)
    a = policies.MeanFieldRule(zeta).weights(z, _context(CM), rng)
    b = policies.AgentRule(lambda own, hist: zeta[own]).weights(z, _context(CM), rng)
    np.testing.assert_array_equal(a, b)
    zero = policies.MeanFieldRule(np.zeros(6)).weights(z, _context(CM), rng)
    np.testing.assert_array_equal(zero, policies.SendToOwn().weights(z, _context(CM), rng))
    np.testing.assert_array_equal(zero, 1.0)


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


def test_kernel_table_rows_against_direct_expm_in_any_insertion_order() -> None:
    table = exact.EpochKernels(1.0, 5, 2.0)
    rng = np.random.default_rng(0)
    for batch in (np.array([2.7, 0.6]), np.array([0.9, 0.0, 2.7, 1.8]), np.array([0.3])):  # rates arrive unsorted, repeated
        z = rng.integers(0, 6, batch.size)
        rows = table.rows(batch, z)
        kernel, drops = exact.epoch_kernel(batch, 1.0, 5, 2.0)
        for k in range(batch.size):
            np.testing.assert_allclose(table.cumulative[rows[k]], np.cumsum(kernel[k, z[k]])[:-1], atol=1e-14)
            assert table.drops[rows[k]] == pytest.approx(drops[k, z[k]], abs=1e-14)
    assert table.rates.tolist() == [0.0, 0.3, 0.6, 0.9, 1.8, 2.7]


def test_kernel_sampler_draws_the_generator_law_and_expected_drops() -> None:
    # independent reference: expm of the plain birth-death generator written out here, and the drop integral
    rates, starts, reps, dt = np.array([0.6, 0.9, 2.7]), np.array([0, 3, 5]), 20000, 2.0
    z = np.repeat(starts, reps).reshape(1, -1)
    lam = np.repeat(rates, reps).reshape(1, -1)
    nxt, expected = simulator.sample_epoch(z, lam, exact.EpochKernels(1.0, 5, dt), np.random.default_rng(4))
    for k, (rate, start) in enumerate(zip(rates, starts, strict=True)):
        g = np.diag(np.full(5, rate), 1) + np.diag(np.ones(5), -1)
        g -= np.diag(g.sum(axis=1))
        p = scipy.linalg.expm(g * dt)[start]
        block = slice(k * reps, (k + 1) * reps)
        freq = np.bincount(nxt[0, block], minlength=6) / reps
        assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / reps) + 1e-9)
        integral = scipy.integrate.quad(lambda s: rate * scipy.linalg.expm(g * s)[start, 5], 0.0, dt)[0]  # noqa: B023
        np.testing.assert_allclose(expected[0, block], integral, atol=1e-9)


def test_expected_drops_have_the_mean_of_the_sampled_counts_and_less_variance() -> None:
    # Rao-Blackwell: the same mean per episode (tower property), a smaller spread between episodes; with a
    # constant arrival rate all of the spread is the queues' own noise, which the estimate removes per epoch
    for system in (QueueSystem(dt=2.0, horizon=20), QueueSystem(dt=2.0, horizon=20, arrival_rates=(0.9, 0.9))):
        for policy in (policies.SendToOwn(), policies.JoinShortestQueue()):
            counted = simulator.run_episodes(graphs.cycle(20), policy, system, n_episodes=400, seed=1, drops="sampled")
            expected = simulator.run_episodes(graphs.cycle(20), policy, system, n_episodes=400, seed=1, drops="expected")
            np.testing.assert_array_equal(counted.regimes, expected.regimes)
            gap = counted.drops_per_queue() - expected.drops_per_queue()  # paired on the regime path
            assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)
            assert expected.drops_per_queue().var(ddof=1) < 0.75 * counted.drops_per_queue().var(ddof=1)
            assert expected.estimate == "expected" and counted.estimate == "sampled"


def test_expected_drops_of_own_match_the_exact_value_given_the_regime_path() -> None:
    system = QueueSystem(dt=4.0, horizon=15)
    batch = simulator.run_episodes(graphs.cycle(3000), policies.SendToOwn(), system, n_episodes=20, seed=8, drops="expected")
    gap = batch.drops.sum(axis=1) - exact.own_path_drops(system, batch.regimes).sum(axis=1)
    assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)


@pytest.mark.parametrize("drops", simulator.DROP_ESTIMATES)
def test_episode_of_fifty_time_units_with_a_shorter_last_epoch(drops: str) -> None:
    system = QueueSystem(dt=3.0).spanning(50.0)
    assert system.horizon == 17 and system.epoch_lengths[-1] == 2.0 and system.duration == 50.0
    batch = simulator.run_episodes(graphs.cycle(2000), policies.SendToOwn(), system, n_episodes=30, seed=5, drops=drops)
    exact_path = exact.own_path_drops(system, batch.regimes)
    gap = batch.drops.sum(axis=1) - exact_path.sum(axis=1)
    assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)
    # the last epoch is shorter: its exact expected drops are below those of a full epoch from the same law
    full = exact.own_path_drops(QueueSystem(dt=3.0, horizon=17), batch.regimes)
    assert np.all(exact_path[:, -1] < full[:, -1]) and np.allclose(exact_path[:, :-1], full[:, :-1])
    np.testing.assert_allclose(batch.drops_per_queue("per-50-time-units"), batch.drops_per_queue())


def test_own_and_rnd_identical_under_common_random_numbers_with_expected_drops() -> None:
    system = QueueSystem(dt=3.0, horizon=10)
    for graph in REGULAR:
        own = simulator.run_episodes(graph, policies.SendToOwn(), system, n_episodes=3, seed=9, drops="expected")
        rnd = simulator.run_episodes(graph, policies.UniformRandom(), system, n_episodes=3, seed=9, drops="expected")
        np.testing.assert_array_equal(own.drops, rnd.drops)
        np.testing.assert_array_equal(own.states, rnd.states)


def test_heterogeneous_servers_with_expected_drops_match_sampled_counts() -> None:
    graph = graphs.torus(12)
    alpha = np.random.default_rng(0).choice([1.0, 2.0], graph.n_nodes)
    system = QueueSystem(dt=2.0, horizon=15)
    runs = [
        simulator.run_episodes(graph, policies.ShortestExpectedDelay(), system, n_episodes=60, seed=2, service_rates=alpha, drops=d)
        for d in simulator.DROP_ESTIMATES
    ]
    gap = runs[0].drops_per_queue() - runs[1].drops_per_queue()
    assert abs(gap.mean()) < 4 * gap.std(ddof=1) / np.sqrt(gap.size)
    states = runs[0].states[:, -1].mean(axis=0) - runs[1].states[:, -1].mean(axis=0)
    assert np.all(np.abs(states) < 0.02)  # the same law of the final state distribution


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
        (lambda: simulator.run_episodes(CM, policies.SendToOwn(), QueueSystem(), n_episodes=1, seed=0, drops="mean"), ValueError, "drops"),
        (lambda: simulator.sample_epoch(np.array([[6]]), np.ones((1, 1)), exact.EpochKernels(1.0, 5, 1.0), np.random.default_rng()), ValueError, "z must"),
        (lambda: simulator.sample_epoch(np.array([[0]]), np.ones((1, 2)), exact.EpochKernels(1.0, 5, 1.0), np.random.default_rng()), ValueError, "arrival_rates"),
        (lambda: exact.EpochKernels(0.0, 5, 1.0), ValueError, "service_rate"),
        (lambda: QueueSystem(dt=2.0, last_epoch=3.0), ValueError, "last_epoch"),
        (lambda: QueueSystem().spanning(0.0), ValueError, "duration"),
        (lambda: policies.choice_weights(np.array([[0, 5]]), graphs.cycle(3)), ValueError, "target"),
        (lambda: CM.neighbour_sum(np.ones((1, 3))), ValueError, "values"),
        (lambda: exact.epoch_kernel(np.array([-1.0]), 1.0, 5, 1.0), ValueError, "arrival_rates"),
        (lambda: exact.epoch_kernel(np.array([1.0]), 1.0, 5, -1.0), ValueError, "dt"),
    ],
)
def test_bad_input_rejected(call: object, error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=word):
        call()  # type: ignore[operator]


def test_mf_rule_of_wrong_length_rejected() -> None:
    with pytest.raises(ValueError, match="zeta"):
        policies.MeanFieldRule(np.zeros(3)).weights(np.zeros((1, CM.n_nodes), dtype=np.int64), _context(CM), np.random.default_rng())
