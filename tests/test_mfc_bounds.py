"""Tests for mfcode.mfc.bounds: Lemma 1 by Monte Carlo, the quantitative Theorem 1 bound."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfc.bounds import lemma1_bound, scheduling_lipschitz, theorem1_bound
from mfcode.mfc.finite_n import symmetric_value
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel


@pytest.mark.parametrize("N", [1, 10, 100])
def test_lemma1_for_a_non_identical_profile(N: int) -> None:
    """E||G^N - E G^N||_1^2 <= X^2 U^2/(4N) and the Chebyshev tail, for random per-agent rules."""
    model = SchedulingModel()
    sys = NAgentSystem(model, N)
    rng = np.random.default_rng(N)
    h = rng.dirichlet(np.ones(2), size=(N, 3))  # agent i uses h[i]
    prof = np.broadcast_to(h[:, None], (N, 36, 3, 2))
    n = 20_000
    x = sys.sample_agent_states(rng, n)
    u = sys.sample_actions(prof, np.zeros(n, dtype=int), x, rng)
    G = sys.empirical_mean_field(x, u)
    mean = (model.mu0[None, :, None] * h).mean(axis=0)  # E G^N, eq. (18)/(23)
    dev = np.abs(G - mean).sum(axis=(1, 2))
    sq = dev**2
    assert sq.mean() + 3 * sq.std() / np.sqrt(n) <= lemma1_bound(3, 2, N)
    assert (dev >= 0.5).mean() <= lemma1_bound(3, 2, N) / 0.5**2  # Lemma 1 (ii), Chebyshev
    np.testing.assert_allclose(G.mean(axis=0), mean, atol=5 * np.sqrt(0.25 / (n * N)))


def test_theorem1_bound_holds_but_is_loose_on_the_queue() -> None:
    model = SchedulingModel()
    c = scheduling_lipschitz(model)
    assert c.L_r > 0 and c.L_P > 0 and 1.0 < c.R < 3.0
    assert scheduling_lipschitz(model, 801).L_r == pytest.approx(c.L_r, rel=1e-2)
    pol = np.zeros((36, 3, 2))
    pol[:, 0, 0] = pol[:, 1, 1] = 1.0
    pol[:, 2] = 0.5
    J = MFCMDP(model).objective(pol)
    for N in (1, 10, 100):
        gap = abs(J - symmetric_value(model, pol, N)[0])
        assert gap <= theorem1_bound(3, 2, N, model.gamma, c)
    assert theorem1_bound(3, 2, 100, 0.99, c) > 100 * abs(J - symmetric_value(model, pol, 100)[0])


def test_bound_arguments() -> None:
    np.testing.assert_allclose(lemma1_bound(3, 2, np.array([1, 4])), [9.0, 2.25])
    with pytest.raises(ValueError, match="n_agents"):
        lemma1_bound(3, 2, 0)
    with pytest.raises(TypeError, match="n_agent_states"):
        lemma1_bound(3.0, 2, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gamma"):
        theorem1_bound(3, 2, 1, 1.0, scheduling_lipschitz(SchedulingModel(), 11))
    with pytest.raises(ValueError, match="n_grid"):
        scheduling_lipschitz(SchedulingModel(), 2)
    with pytest.raises(ValueError, match="model"):
        scheduling_lipschitz(BinaryToyModel())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model"):
        scheduling_lipschitz(SchedulingModel(n_queues=3, buffer_size=1))
