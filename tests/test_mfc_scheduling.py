"""Tests for mfcode.mfc.scheduling against Table I and independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from mfcode.mfc.scheduling import SchedulingModel, single_queue_step


def brute_force_queue(a: float, s: float, B: int, kmax: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Independent computation by explicit double sums over truncated Poisson supports."""
    T = np.zeros((B + 1, B + 1))
    drops = np.zeros(B + 1)
    pa, ps = poisson.pmf(np.arange(kmax), a), poisson.pmf(np.arange(kmax), s)
    for b in range(B + 1):
        for d in range(kmax):
            m = max(b - d, 0)
            for k in range(kmax):
                T[b, min(m + k, B)] += ps[d] * pa[k]
                drops[b] += ps[d] * pa[k] * max(m + k - B, 0)
    return T, drops


def test_table_one_constants() -> None:
    m = SchedulingModel()
    assert m.arrivals_per_step == pytest.approx(2.5)
    assert m.services_per_step == pytest.approx(1.5)
    assert (m.n_agent_states, m.n_actions, m.n_env_states) == (3, 2, 36)
    np.testing.assert_allclose(m.mu0, [0.2, 0.2, 0.6])
    np.testing.assert_array_equal(m.access, [[True, False], [False, True], [True, True]])
    assert m.env_init[0] == 1.0
    np.testing.assert_array_equal(m.fillings(np.array([0, 7, 35])), [[0, 0], [1, 1], [5, 5]])
    np.testing.assert_array_equal(m.env_index(np.array([[2, 3]])), [15])
    assert SchedulingModel(n_queues=3).arrivals_per_step == pytest.approx(4.0)


@pytest.mark.parametrize(("a", "s", "B"), [(2.5, 1.5, 5), (0.0, 1.5, 3), (1.25, 0.0, 4), (7.0, 2.0, 2)])
def test_single_queue_against_brute_force(a: float, s: float, B: int) -> None:
    T, drops = single_queue_step(np.array([a]), s, B)
    T_ref, d_ref = brute_force_queue(a, s, B)
    np.testing.assert_allclose(T[0], T_ref, atol=1e-12)
    np.testing.assert_allclose(drops[0], d_ref, atol=1e-10)


def test_single_queue_monte_carlo() -> None:
    rng = np.random.default_rng(3)
    b, a, s, B, n = 4, 2.5, 1.5, 5, 200_000
    tilde = np.maximum(b - rng.poisson(s, n), 0)
    total = tilde + rng.poisson(a, n)
    nxt, dropped = np.minimum(total, B), np.maximum(total - B, 0)
    T, drops = single_queue_step(np.array([a]), s, B)
    freq = np.bincount(nxt, minlength=B + 1) / n
    assert np.abs(freq - T[0, b]).max() < 4 * np.sqrt(0.25 / n)
    assert abs(dropped.mean() - drops[0, b]) < 4 * dropped.std() / np.sqrt(n)


def test_kernel_factorises_over_queues() -> None:
    m = SchedulingModel()
    h = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7]])
    G = m.mu0[:, None] * h
    q = m.routing(G)
    np.testing.assert_allclose(q, [0.2 + 0.6 * 0.3, 0.2 + 0.6 * 0.7])
    T1, d1 = single_queue_step(np.array([2.5 * q[0]]), 1.5, 5)
    T2, d2 = single_queue_step(np.array([2.5 * q[1]]), 1.5, 5)
    np.testing.assert_allclose(m.kernel(G), np.kron(T1[0], T2[0]), atol=1e-15)
    np.testing.assert_allclose(m.reward(G), -(d1[0][:, None] + d2[0][None, :]).ravel())


@given(st.integers(2, 3), st.integers(0, 10**6))
@settings(max_examples=15, deadline=None)
def test_routing_resampling_rule(M: int, seed: int) -> None:
    """q_j = sum G(x,u)[1{u=j in x} + 1{u not in x} 1{j in x}/|x|], checked per job by Monte Carlo-free
    enumeration; inaccessible mass is equivalent to uniform accessible mass; classes act identically."""
    m = SchedulingModel(n_queues=M, buffer_size=2)
    rng = np.random.default_rng(seed)
    h = rng.dirichlet(np.ones(M), size=m.n_agent_states)
    G = m.mu0[:, None] * h
    q = m.routing(G)
    expected = np.zeros(M)
    for x in range(m.n_agent_states):
        acc = np.flatnonzero(m.access[x])
        for u in range(M):
            if m.access[x, u]:
                expected[u] += G[x, u]
            else:
                expected[acc] += G[x, u] / acc.size
    np.testing.assert_allclose(q, expected, atol=1e-14)
    # resampled (effective) rule supported on accessible queues gives the same kernel and reward
    eff = np.where(m.access, h, 0.0) + (np.where(m.access, 0.0, h).sum(1, keepdims=True) * m.access / m.access.sum(1, keepdims=True))
    G_eff = m.mu0[:, None] * eff
    np.testing.assert_allclose(m.kernel(G_eff), m.kernel(G), atol=1e-13)
    np.testing.assert_allclose(m.reward(G_eff), m.reward(G), atol=1e-13)
    # cells of one class have identical routing vectors
    cells = np.eye(m.n_agent_states * M).reshape(-1, m.n_agent_states, M)  # G = delta_(x,u), one per cell
    R, cls = m.routing(cells), m.cell_classes.ravel()
    for c in np.unique(cls):
        assert np.allclose(R[cls == c], R[cls == c][0])
    P = m.kernel(G)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, atol=1e-12)


def test_batch_rows_equal_kernel_rows_and_queue_symmetry() -> None:
    m = SchedulingModel()
    rng = np.random.default_rng(0)
    h = np.zeros((7, 3, 2))
    h[:, 0, 0] = h[:, 1, 1] = 1.0
    p = rng.random(7)
    h[:, 2, 0], h[:, 2, 1] = p, 1 - p
    G = m.mu0[:, None] * h
    x0 = rng.integers(0, 36, 7)
    np.testing.assert_allclose(m.transition(x0, G), m.kernel(G)[np.arange(7), x0], atol=1e-15)
    np.testing.assert_allclose(m.reward_at(x0, G), m.reward(G)[np.arange(7), x0], atol=1e-15)
    # swapping the queues: state (b1,b2)->(b2,b1) and p -> 1-p
    swap = m.env_index(m.fillings(np.arange(36))[:, ::-1])
    h_sw = h[:, [1, 0, 2]][:, :, ::-1]
    G_sw = m.mu0[:, None] * h_sw
    np.testing.assert_allclose(m.reward(G_sw), m.reward(G)[:, swap], atol=1e-15)
    np.testing.assert_allclose(m.kernel(G_sw), m.kernel(G)[:, swap][:, :, swap], atol=1e-15)


def test_argument_validation() -> None:
    with pytest.raises(ValueError, match="n_queues"):
        SchedulingModel(n_queues=0)
    with pytest.raises(ValueError, match="initial_fillings"):
        SchedulingModel(initial_fillings=(6, 0))
    with pytest.raises(ValueError, match="p_full_access"):
        SchedulingModel(p_full_access=1.5)
    with pytest.raises(ValueError, match="arrival_mean"):
        single_queue_step(np.array([-1.0]), 1.0, 3)
    with pytest.raises(ValueError, match="G"):
        SchedulingModel().kernel(np.ones((2, 2)))
    m = SchedulingModel(initial_fillings=(1, 2))
    assert m.env_init[m.env_index(np.array([1, 2]))] == 1.0
