"""Tests for mfcode.mfc.flow (agent dynamics; beyond the paper)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfc.flow import FlowMFC
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.scheduling import SchedulingModel


def test_resampling_kernel_recovers_the_paper_mdp() -> None:
    """With P(.|x,u,x0) = mu0 the flow stays at mu0 and returns match the MFC MDP value."""
    model = SchedulingModel(gamma=0.8)
    fl = FlowMFC.resampling(model)
    rng = np.random.default_rng(0)
    pol = np.zeros((36, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2] = [0.7, 0.3]
    mu = np.tile(model.mu0, (4, 1))
    np.testing.assert_allclose(fl.flow(mu, np.array([0, 5, 9, 35]), pol[[0, 5, 9, 35]]), mu)
    returns = fl.rollout(pol, 80, 3000, rng)
    J = MFCMDP(model).objective(pol)
    assert abs(returns.mean() - J) < 4 * returns.std() / np.sqrt(3000) + 1e-6


def test_flow_mass_conservation_and_access_dynamics() -> None:
    """A sticky access process: the flow conserves mass and converges to its stationary law."""
    model = SchedulingModel()
    stay = 0.9
    K = np.zeros((36, 3, 2, 3))
    K[..., :] = (1 - stay) * model.mu0
    K[:, np.arange(3), :, np.arange(3)] += stay
    fl = FlowMFC(model, K)
    mu = np.array([[1.0, 0.0, 0.0]])
    h = np.tile(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), (1, 1, 1))
    for _ in range(200):
        mu = fl.flow(mu, np.array([0]), h)
        assert mu.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mu[0], model.mu0, atol=1e-8)
    with pytest.raises(ValueError, match="agent_kernel"):
        FlowMFC(model, np.ones((36, 3, 2, 3)))
    with pytest.raises(ValueError, match="mu"):
        fl.flow(np.ones((1, 3)), np.array([0]), h)
