"""The dense load-balancing adapter (mfcode.nplayer.adapters.queueing) against mfcode.queueing's simulator and exact OWN value."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.nplayer import DenseLoadBalancing, evaluate
from mfcode.nplayer.adapters.queueing import UniformOffload
from mfcode.queueing import exact, graphs, policies, simulator
from mfcode.queueing.system import QueueSystem, regime_paths

ZETA = np.array([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])


def _complete(n: int) -> graphs.Graph:
    return graphs.from_edges(n, [(i, j) for i in range(n) for j in range(i + 1, n)])


def test_weights_are_the_mean_field_rules_on_the_complete_graph() -> None:
    graph = _complete(7)
    rng = np.random.default_rng(0)
    z = rng.integers(0, 6, size=(5, 7))
    context = policies.RoutingContext(graph, np.ones(7), 5)
    routed = policies.MeanFieldRule(ZETA).weights(z, context, rng)
    np.testing.assert_allclose(UniformOffload(ZETA).weights(z, context, rng), routed, atol=1e-12)


@pytest.mark.parametrize("drops", simulator.DROP_ESTIMATES)
def test_episodes_are_those_of_the_mean_field_rule_on_the_complete_graph(drops: str) -> None:
    system = QueueSystem(horizon=20)
    batch = simulator.run_episodes(_complete(7), policies.MeanFieldRule(ZETA), system, n_episodes=16, seed=3, drops=drops)
    mc = DenseLoadBalancing(system, drops=drops).simulate(ZETA, 7, n_replicates=16, seed=3)
    np.testing.assert_allclose(mc.population_return, -batch.drops_per_queue(), atol=1e-12)


def test_own_limit_is_the_exact_single_queue_value() -> None:
    system = QueueSystem(dt=2.0, horizon=30)
    paths = regime_paths(system, 40, np.random.default_rng(1))
    lb = DenseLoadBalancing(system)
    np.testing.assert_allclose(lb.limit_value(np.zeros(6), paths), -exact.own_path_drops(system, paths).sum(axis=1), atol=1e-12)
    constant = QueueSystem(arrival_rates=(0.9, 0.9), horizon=30)
    mf = DenseLoadBalancing(constant).mean_field(np.zeros(6))
    assert mf.value == pytest.approx(-exact.own_episode_drops(constant).sum(), abs=1e-12)
    assert mf.value_half == 0.0 and mf.exploitability == 0.0


def test_own_n_queue_value_is_the_exact_one_for_every_n() -> None:
    # OWN: every queue receives lambda_t exactly, so V^N = V^MF given the regime path for every N.
    system = QueueSystem(horizon=30)
    curve = evaluate(DenseLoadBalancing(system), np.zeros(6), [2, 8, 32], n_replicates=200, seed=4)
    assert not curve.exact.any() and np.isnan(curve.exploitability).all()
    assert np.all(np.abs(curve.value_gap) <= curve.value_gap_half)


def test_offloading_rule_gap_shrinks_with_n() -> None:
    rule = (np.arange(6) >= 3).astype(float)
    curve = evaluate(DenseLoadBalancing(QueueSystem(arrival_rates=(0.9, 0.9), horizon=30)), rule, [2, 32], n_replicates=400, seed=0)
    assert abs(curve.value_gap[0]) - curve.value_gap_half[0] > abs(curve.value_gap[1]) + curve.value_gap_half[1]
    assert curve.value_gap[0] + curve.value_gap_half[0] < 0.0  # a finite system drops more than its limit


def test_bad_arguments() -> None:
    lb = DenseLoadBalancing(QueueSystem(arrival_rates=(0.9, 0.9)))
    with pytest.raises(ValueError, match="zeta"):
        lb.mean_field(np.array([0.5, 1.5, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="policy"):
        lb.mean_field(np.zeros(4))
    with pytest.raises(ValueError, match="regimes"):
        lb.limit_value(np.zeros(6), np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="system"):
        DenseLoadBalancing("table 1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="drops"):
        DenseLoadBalancing(QueueSystem(), drops="counted")
    with pytest.raises(ValueError, match="n_agents"):
        evaluate(lb, np.zeros(6), [4], method="exact")
    assert lb.exact(np.zeros(6), 4) is None
    with pytest.raises(ValueError, match="z"):
        UniformOffload(ZETA).weights(np.full((2, 3), 6), policies.RoutingContext(_complete(3), np.ones(3), 5), np.random.default_rng(0))
    with pytest.raises(ValueError, match="z"):
        UniformOffload(ZETA).weights(np.zeros((2, 1), dtype=np.int64), policies.RoutingContext(_complete(1), np.ones(1), 5),
                                     np.random.default_rng(0))
