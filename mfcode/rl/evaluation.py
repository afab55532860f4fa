"""Evaluation of a learned policy table on the N-agent system of seed ``002_7da79a39441e57df.txt``.

Fig. 4(a) plots, for each method and N, "the cumulative discounted reward ... averaged over 500
runs with 95% confidence interval". :func:`evaluate_n_agent` gives both sides of that figure for a
stationary policy table started from empty queues (:math:`\\mu^0_0`):

- the exact discounted value :math:`J^N=\\sum_{x^0}\\mu^0_0(x^0)V^N(x^0)` of the lifted symmetric
  policy (:func:`~mfcode.mfc.symmetric_value`) or of a profile of per-agent policies
  (:func:`~mfcode.mfc.profile_value`);
- Monte Carlo returns :math:`\\sum_{t<T}\\gamma^t r(x^0_t,\\mathbb G^N_t)` of ``n_runs`` independent
  runs over ``horizon`` steps (:meth:`~mfcode.mfc.NAgentSystem.rollout`), whose mean estimates
  :math:`J^N` up to the truncation :math:`\\gamma^T` and Monte Carlo error.
"""

from __future__ import annotations

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfc import MFCModel, NAgentSystem, profile_value, symmetric_value
from mfcode.mfc.model import validate_policy
from mfcode.validation import check_int

__all__ = ["evaluate_n_agent"]


def evaluate_n_agent(
    model: MFCModel, table: FloatArray, n_agents: int, horizon: int, n_runs: int, rng: np.random.Generator
) -> tuple[float, FloatArray]:
    """Exact :math:`J^N` from :math:`\\mu^0_0` and ``n_runs`` Monte Carlo discounted returns of a policy table.

    Parameters
    ----------
    model
        The MFC model (e.g. :class:`~mfcode.mfc.SchedulingModel`).
    table
        ``(X0, X, U)``: one policy for every agent; ``(N, X0, X, U)``: agent ``i`` uses ``table[i]``.
    n_agents
        ``N``; must match ``table.shape[0]`` for a profile.
    horizon, n_runs
        Steps ``T`` and number of the Monte Carlo runs.
    rng
        Generator of the runs.

    Returns
    -------
    exact, returns
        :math:`J^N` and the ``(n_runs,)`` returns.
    """
    if not isinstance(model, MFCModel):
        raise TypeError(f"model must be an MFCModel, got {type(model).__name__}")
    n_agents = check_int(n_agents, "n_agents", low=1)
    horizon = check_int(horizon, "horizon", low=1)
    n_runs = check_int(n_runs, "n_runs", low=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    table = validate_policy(table, model, name="table", profile=None)
    if table.ndim == 4:
        if table.shape[0] != n_agents:
            raise ValueError(f"table holds {table.shape[0]} agent policies, n_agents is {n_agents}")
        value = profile_value(model, table)
    elif table.ndim == 3:
        value = symmetric_value(model, table, n_agents)
    else:
        raise ValueError(f"table must have shape (X0, X, U) or (N, X0, X, U), got {table.shape}")
    exact = float(np.asarray(model.env_init, dtype=np.float64) @ value)
    returns: FloatArray = np.asarray(
        NAgentSystem(model, n_agents).rollout(table, horizon, n_runs, rng, discount=model.gamma), dtype=np.float64
    )
    return exact, returns
