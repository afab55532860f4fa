"""mfcode.markov: exact policy evaluation, with and without leading batch axes."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode import markov


def _model(rng: np.random.Generator, s: int, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    policy = rng.dirichlet(np.ones(a), size=s)
    kernel = rng.dirichlet(np.ones(s), size=(s, a))
    reward = rng.normal(size=(s, a))
    return policy, kernel, reward


@pytest.mark.parametrize(("s", "a"), [(1, 1), (2, 3), (7, 4), (25, 7)])
def test_unbatched_calls_are_bit_for_bit_the_formulas_before_batch_axes(s: int, a: int) -> None:
    rng = np.random.default_rng(s * 10 + a)
    policy, kernel, reward = _model(rng, s, a)
    p_pi = markov.kernel_under(policy, kernel)
    assert np.array_equal(p_pi, np.matmul(policy[:, None, :], kernel)[:, 0, :])
    r_pi = markov.reward_under(policy, reward)
    assert np.array_equal(r_pi, np.einsum("sa,sa->s", policy, reward))
    v = markov.evaluate(r_pi, p_pi, 0.9)
    assert np.array_equal(v, np.linalg.solve(np.eye(s) - 0.9 * p_pi, r_pi))
    # the transposed kernel of StationaryMFG.visitation
    d = markov.evaluate(np.full(s, 1.0 / s), p_pi.T, 0.9)
    assert np.array_equal(d, np.linalg.solve(np.eye(s) - 0.9 * p_pi.T, np.full(s, 1.0 / s)))


def test_batched_calls_equal_the_unbatched_ones_slice_by_slice() -> None:
    rng = np.random.default_rng(3)
    models = [_model(rng, 5, 3) for _ in range(4)]
    policy, kernel, reward = (np.stack(x) for x in zip(*models, strict=True))
    p_pi = markov.kernel_under(policy, kernel)
    r_pi = markov.reward_under(policy, reward)
    v = markov.evaluate(r_pi, p_pi, 0.8)
    assert p_pi.shape == (4, 5, 5) and r_pi.shape == (4, 5) and v.shape == (4, 5)
    for i, (pi, k, r) in enumerate(models):
        np.testing.assert_allclose(p_pi[i], markov.kernel_under(pi, k), rtol=0, atol=1e-15)
        np.testing.assert_allclose(r_pi[i], markov.reward_under(pi, r), rtol=0, atol=1e-15)
        np.testing.assert_allclose(v[i], markov.evaluate(r_pi[i], p_pi[i], 0.8), rtol=1e-13, atol=1e-13)
        # the Bellman equation itself
        np.testing.assert_allclose(v[i], r_pi[i] + 0.8 * p_pi[i] @ v[i], rtol=1e-12, atol=1e-12)


def test_evaluate_broadcasts_one_kernel_against_many_rewards() -> None:
    rng = np.random.default_rng(4)
    policy, kernel, _ = _model(rng, 6, 2)
    p_pi = markov.kernel_under(policy, kernel)
    rewards = rng.normal(size=(3, 6))
    v = markov.evaluate(rewards, p_pi, 0.5)
    assert v.shape == (3, 6)
    for i in range(3):
        np.testing.assert_allclose(v[i], markov.evaluate(rewards[i], p_pi, 0.5), rtol=1e-13, atol=1e-13)
