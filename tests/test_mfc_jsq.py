"""Tests for mfcode.mfc.jsq."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfc.jsq import jsq_policy
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.scheduling import SchedulingModel


def test_jsq_rule_on_two_queues() -> None:
    m = SchedulingModel()
    pol = jsq_policy(m)
    b = m.fillings(np.arange(36))
    p = pol[:, 2, 0]
    np.testing.assert_allclose(p, np.where(b[:, 0] < b[:, 1], 1.0, np.where(b[:, 0] == b[:, 1], 0.5, 0.0)))
    np.testing.assert_allclose(pol[:, 0], np.tile([1.0, 0.0], (36, 1)))
    np.testing.assert_allclose(pol[:, 1], np.tile([0.0, 1.0], (36, 1)))


def test_jsq_three_queues_ties() -> None:
    m = SchedulingModel(n_queues=3, buffer_size=2)
    pol = jsq_policy(m)
    x0 = m.env_index(np.array([1, 0, 0]))
    np.testing.assert_allclose(pol[x0, 6], [0.0, 0.5, 0.5])  # full access: tie between queues 2 and 3
    np.testing.assert_allclose(pol[x0, 2], [0.0, 1.0, 0.0])  # access {1, 2}
    np.testing.assert_allclose(pol.sum(-1), 1.0)


def test_jsq_beats_uniform_routing_in_the_limit() -> None:
    m = SchedulingModel()
    mdp = MFCMDP(m)
    uniform = np.zeros((36, 3, 2))
    uniform[:, 0, 0] = uniform[:, 1, 1] = 1.0
    uniform[:, 2] = 0.5
    assert mdp.objective(jsq_policy(m)) > mdp.objective(uniform)
    with pytest.raises(TypeError, match="model"):
        jsq_policy(mdp)  # type: ignore[arg-type]
