"""The mean-field counterparts of the N-player quantities, along the flow from the same initial law.

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

from mfcode.nplayer.protocol import require_model
from mfcode.simplex import check_distribution
from mfcode.validation import check_real

__all__ = ["MeanFieldValues", "mean_field_evaluation"]


@dataclass(frozen=True)
class MeanFieldValues:
    """:math:`V^{\\mathrm{MF}}(\\pi)`, the best-response value along the flow, and the horizon used."""

    value: float
    best_value: float
    horizon: int

    @property
    def exploitability(self) -> float:
        """Mean-field exploitability along the flow from :math:`\\rho`."""
        return self.best_value - self.value


def mean_field_evaluation(model: Any, policy: npt.ArrayLike, initial: npt.ArrayLike, *, tol: float = 1e-10) -> MeanFieldValues:
    """:class:`MeanFieldValues` of ``policy`` ``(S, A)`` from ``initial`` (truncation error at most ``tol``)."""
    m = require_model(model)
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
    for r, p in zip(reversed(rewards), reversed(kernels), strict=True):
        v_pi = (pi * (r + m.gamma * p @ v_pi)).sum(axis=1)
        v_star = (r + m.gamma * p @ v_star).max(axis=1)
    return MeanFieldValues(float(rho @ v_pi), float(rho @ v_star), horizon)
