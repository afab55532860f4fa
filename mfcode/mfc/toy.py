"""A closed-form MFC model with an environment state (for tests and the chapter's derivations).

Not in the paper (a closed-form test case of the book's): one agent state, actions
:math:`\\{0,1\\}`, environment states :math:`\\{0,1\\}`; the decision rule is the fraction
:math:`a=h(0,1)` of agents playing 1,

.. math:: P^0(x^{0\\prime}=1\\mid x^0,\\mathbb G)=a,\\qquad r(x^0,\\mathbb G)=x^0-c\\,a^2 .

Then :math:`V(1)-V(0)=1`, :math:`a^*=\\min(1,\\gamma/(2c))` and, for :math:`a^*<1`,
:math:`V^*(0)=\\gamma^2/(4c(1-\\gamma))`. With N agents and the symmetric rule ``a`` the
empirical fraction is :math:`K/N`, :math:`K\\sim\\mathrm{Bin}(N,a)`, and
:math:`J^N(0)=(\\gamma a-c(a^2+a(1-a)/N))/(1-\\gamma)`: the gap to the limit is exactly
:math:`c\\,a(1-a)/(N(1-\\gamma))`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfc.model import MFCModel
from mfcode.validation import check_real

__all__ = ["BinaryToyModel"]


@dataclass(frozen=True)
class BinaryToyModel(MFCModel):
    """The closed-form toy model of this module (not in the paper).

    Parameters
    ----------
    cost : float
        Quadratic action cost :math:`c > 0`.
    gamma : float
        Discount factor :math:`\\gamma\\in(0, 1)`.
    """

    cost: float = 1.0
    gamma: float = 0.9

    def __post_init__(self) -> None:
        check_real(self.cost, "cost", low=0.0, low_open=True)
        check_real(self.gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)

    @property
    def n_agent_states(self) -> int:
        """:math:`|\\mathcal X|=1`: one (trivial) agent state."""
        return 1

    @property
    def n_actions(self) -> int:
        """:math:`\\mathcal U=\\{0,1\\}`."""
        return 2

    @property
    def n_env_states(self) -> int:
        """:math:`\\mathcal X^0=\\{0,1\\}`."""
        return 2

    @property
    def mu0(self) -> FloatArray:
        """:math:`\\mu_0`: the point mass on the only agent state."""
        return np.ones(1)

    @property
    def env_init(self) -> FloatArray:
        """:math:`\\mu^0_0`: start in environment state 0."""
        return np.array([1.0, 0.0])

    def kernel(self, G: FloatArray) -> FloatArray:
        """:math:`P^0(x^{0\\prime}=1\\mid x^0,\\mathbb G)=a=\\mathbb G(0, 1)` from either state."""
        a = self._fraction(G)
        row = np.stack([1.0 - a, a], axis=-1)
        return np.stack([row, row], axis=-2)

    def reward(self, G: FloatArray) -> FloatArray:
        """:math:`r(x^0,\\mathbb G) = x^0 - c a^2`."""
        a = self._fraction(G)
        return np.stack([-self.cost * a**2, 1.0 - self.cost * a**2], axis=-1)

    def _fraction(self, G: FloatArray) -> FloatArray:
        arr = self.check_state_action(G)
        out: FloatArray = arr[..., 0, 1]
        return out
