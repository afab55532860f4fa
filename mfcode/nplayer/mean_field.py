"""The mean-field counterparts of the N-player quantities of a stationary model, along the flow from the same initial law.

For a :class:`~mfcode.nplayer.protocol.PopulationModel` and a local policy :math:`\\pi`, with all agents
started i.i.d. from :math:`\\rho`, the mean-field limit of the N-player game is the deterministic flow
:math:`\\mu_0=\\rho`, :math:`\\mu_{t+1}=\\sum_{s,a}\\mu_t(s)\\pi(a|s)P(\\cdot|s,a,\\mu_t)` (the slides'
aggregated dynamics :math:`\\Phi(\\mu,h)`), and a representative agent's value is
:math:`V^{\\mathrm{MF}}(\\pi)=\\sum_t\\gamma^t\\langle\\mu_t,r^\\pi(\\mu_t)\\rangle`. Its best response to the flow
is a time-dependent policy (backward induction); the mean-field exploitability is the gap between the
two. Sums are truncated at the horizon :math:`H` where :math:`\\gamma^H\\max|r|/(1-\\gamma)\\le` ``tol``.
When :math:`\\rho` is the stationary :math:`\\mu_\\pi`, the flow is constant and these are the stationary
quantities of :mod:`mfcode.mfg` averaged over :math:`\\mu_\\pi`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.nplayer.protocol import PopulationModel, require_model
from mfcode.nplayer.results import MeanFieldValues
from mfcode.simplex import check_distribution
from mfcode.validation import check_real

__all__ = ["MeanFieldFlow", "mean_field_evaluation", "mean_field_flow"]


@dataclass(frozen=True, eq=False)
class MeanFieldFlow:
    """The flow of a policy from :math:`\\rho`, its values and the best response to it.

    Attributes
    ----------
    values
        :math:`V^{\\mathrm{MF}}(\\pi)` and the best-response value, averaged over :math:`\\rho`.
    best_response
        The greedy best response to the flow, ``(H, S, A)`` (ties to the first action).
    """

    values: MeanFieldValues
    best_response: FloatArray

    @property
    def horizon(self) -> int:
        """The truncation horizon :math:`H`."""
        return int(self.best_response.shape[0])


def mean_field_flow(model: Any, policy: npt.ArrayLike, initial: npt.ArrayLike, *, tol: float = 1e-10) -> MeanFieldFlow:
    """:class:`MeanFieldFlow` of ``policy`` ``(S, A)`` from ``initial`` (truncation error at most ``tol``)."""
    m: PopulationModel = require_model(model)
    pi = check_distribution(policy, "policy")
    rho = check_distribution(initial, "initial")
    check_real(tol, "tol", low=0.0, low_open=True)
    mu = rho.copy()
    rewards, kernels = [], []
    scale = 1.0
    t = 0
    while True:  # the flow until the discounted tail gamma^t max|r| / (1 - gamma) is below tol
        r = np.asarray(m.reward(mu), dtype=np.float64)
        p = np.asarray(m.transition(mu), dtype=np.float64)
        rewards.append(r)
        kernels.append(p)
        scale = max(scale, float(np.abs(r).max()))
        t += 1
        if m.gamma**t * scale / (1.0 - m.gamma) <= tol:
            break
        mu = np.einsum("s,sa,sat->t", mu, pi, p)
    horizon = len(rewards)
    v_pi = np.zeros(m.n_states)
    v_star = np.zeros(m.n_states)
    greedy = np.zeros((horizon, m.n_states, m.n_actions))
    for k, (r, p) in enumerate(zip(reversed(rewards), reversed(kernels), strict=True)):
        q = r + m.gamma * p @ v_star
        v_pi = (pi * (r + m.gamma * p @ v_pi)).sum(axis=1)
        v_star = q.max(axis=1)
        greedy[horizon - 1 - k, np.arange(m.n_states), q.argmax(axis=1)] = 1.0
    return MeanFieldFlow(MeanFieldValues(float(rho @ v_pi), float(rho @ v_star)), greedy)


def mean_field_evaluation(model: Any, policy: npt.ArrayLike, initial: npt.ArrayLike, *, tol: float = 1e-10) -> MeanFieldValues:
    """:class:`~mfcode.nplayer.results.MeanFieldValues` of ``policy`` ``(S, A)`` from ``initial`` (truncation error at most ``tol``)."""
    return mean_field_flow(model, policy, initial, tol=tol).values
