"""Tests of mfcode.rl.gae against hand-computed advantages and the lambda = 0 / 1 closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode.rl.gae import gae

R = torch.tensor([1.0, 2.0, 3.0])
V = torch.tensor([0.5, 1.0, 1.5])
V_NEXT = torch.tensor([1.0, 1.5, 2.0])
NO = torch.zeros(3, dtype=torch.bool)


def _flags(t: int) -> torch.Tensor:
    f = torch.zeros(3, dtype=torch.bool)
    f[t] = True
    return f


def test_hand_computed_no_episode_end() -> None:
    # gamma 0.9, lambda 0.5: deltas 1.4, 2.35, 3.3; A2 = 3.3, A1 = 2.35 + .45 * 3.3, A0 = 1.4 + .45 * A1
    adv, targets = gae(R, V, V_NEXT, NO, NO, gamma=0.9, lam=0.5)
    a1 = 2.35 + 0.45 * 3.3
    np.testing.assert_allclose(adv.numpy(), [1.4 + 0.45 * a1, a1, 3.3], rtol=1e-6)
    np.testing.assert_allclose(targets.numpy(), adv.numpy() + V.numpy(), rtol=1e-6)


def test_termination_cuts_bootstrap_and_trace() -> None:
    adv, _ = gae(R, V, V_NEXT, _flags(1), NO, gamma=0.9, lam=0.5)
    # delta_1 = 2 - 1 (no bootstrap), the trace does not cross t = 1
    np.testing.assert_allclose(adv.numpy(), [1.4 + 0.45 * 1.0, 1.0, 3.3], rtol=1e-6)


def test_truncation_bootstraps_but_cuts_trace() -> None:
    adv, _ = gae(R, V, V_NEXT, NO, _flags(1), gamma=0.9, lam=0.5)
    np.testing.assert_allclose(adv.numpy(), [1.4 + 0.45 * 2.35, 2.35, 3.3], rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.floats(0.0, 1.0), st.integers(0, 2**31 - 1))
def test_lambda_limits(steps: int, gamma: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    r, v, vn = (torch.tensor(rng.normal(size=(steps, 2))) for _ in range(3))
    none = torch.zeros((steps, 2), dtype=torch.bool)
    adv0, _ = gae(r, v, vn, none, none, gamma, 0.0)
    np.testing.assert_allclose(adv0.numpy(), (r + gamma * vn - v).numpy(), atol=1e-10)
    # lambda = 1 on a consistent trajectory (V(s'_t) = V(s_{t+1})): the targets are the discounted
    # returns to the end of the rollout, bootstrapped with the last V(s')
    vn = torch.cat([v[1:], vn[-1:]])
    _, targets = gae(r, v, vn, none, none, gamma, 1.0)
    for t in range(steps):
        disc = gamma ** np.arange(steps - t)
        ret = (disc[:, None] * r[t:].numpy()).sum(0) + gamma ** (steps - t) * vn[-1].numpy()
        np.testing.assert_allclose(targets[t].numpy(), ret, atol=1e-8)


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="gamma"):
        gae(R, V, V_NEXT, NO, NO, gamma=1.5, lam=0.5)
    with pytest.raises(ValueError, match="lam"):
        gae(R, V, V_NEXT, NO, NO, gamma=0.9, lam=-0.1)
    with pytest.raises(ValueError, match="next_values"):
        gae(R, V, V_NEXT[:2], NO, NO, gamma=0.9, lam=0.5)
