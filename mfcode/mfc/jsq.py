"""Join-the-Shortest-Queue (JSQ) as an upper-level policy of the scheduling instance.

Seed ``002_7da79a39441e57df.txt``, Sec. VI: "Join-Shortest-Queue (JSQ) algorithm [26], where
agents choose the shortest queue accessible and otherwise randomly". As a decision rule for
environment state :math:`x^0=(b_1..b_M)`: an agent with access set :math:`x` picks uniformly
among the accessible queues of minimal filling (ties broken uniformly at random, choice I7).
The same array is the symmetric N-agent policy (every agent uses it), so JSQ is evaluated
exactly by :meth:`mfcode.mfc.mdp.MFCMDP.objective` and :mod:`mfcode.mfc.finite_n`.
"""

from __future__ import annotations

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfc.model import uniform_over
from mfcode.mfc.scheduling import SchedulingModel

__all__ = ["jsq_policy"]


def jsq_policy(model: SchedulingModel) -> FloatArray:
    """JSQ as a stationary upper-level policy :math:`\\pi_{JSQ}:\\mathcal X^0\\to\\mathcal D`, :math:`\\pi(x^0)(x, u)`.

    Parameters
    ----------
    model : SchedulingModel

    Returns
    -------
    FloatArray, shape (X0, X, U)
        ``policy[x0, x, j] = 1{j accessible and b_j minimal among accessible} / #ties``.
    """
    if not isinstance(model, SchedulingModel):
        raise TypeError(f"model must be a SchedulingModel, got {type(model).__name__}")
    b = model.fillings(np.arange(model.n_env_states)).astype(float)  # (X0, M)
    access = model.access  # (X, M)
    masked = np.where(access[None, :, :], b[:, None, :], np.inf)  # (X0, X, M)
    return uniform_over(masked == masked.min(axis=-1, keepdims=True))
