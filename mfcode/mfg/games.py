"""Example finite MFGs: SIS epidemics (001 App. D) and its finite-horizon twin.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, App. D, "SIS Epidemics Model" (the
setting of Cui & Koeppl 2021): states :math:`\\{S, I\\}`, actions :math:`\\{D, U\\}` (social distancing,
going out),

- :math:`P(I|S,D,\\mu)=0`, :math:`P(I|S,U,\\mu)=0.9^2\\,\\mu(I)`, :math:`P(S|I,\\cdot,\\mu)=0.3`;
- :math:`r(s,a,\\mu)=-\\mathbb 1\\{s=I\\}-0.5\\,\\mathbb 1\\{a=D\\}` (the paper's raw rewards, in
  :math:`[-1.5,0]`, not the :math:`[0,1]` the theory assumes; the book states which scale
  :math:`\\lambda` refers to).

Each game's parameters are a frozen dataclass whose fields document the paper's open choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import numpy.typing as npt

from mfcode.mfg.model import FiniteHorizonMFG, StationaryMFG
from mfcode.simplex import Array

__all__ = ["SISDynamics", "TimeHomogeneous", "sis", "sis_finite_horizon"]


@dataclass(frozen=True)
class TimeHomogeneous:
    """Wrap a stationary ``m -> array`` model function as the ``(t, m) -> array`` a finite-horizon game takes."""

    fn: Callable[[Array], Array]

    def __call__(self, t: int, m: Array) -> Array:
        return self.fn(m)


def _unit(x: float, name: str) -> float:
    if not (isinstance(x, (int, float)) and 0.0 <= x <= 1.0):
        raise ValueError(f"{name} must lie in [0, 1], got {x!r}")
    return float(x)


@dataclass(frozen=True)
class SISDynamics:
    """SIS model of 001 App. D. States ``(S, I)``, actions ``(D, U)``.

    Parameters
    ----------
    infection_rate
        :math:`P(I|S,U,\\mu)/\\mu(I)`; the paper's :math:`0.9^2=0.81`.
    recovery
        :math:`P(S|I,a,\\mu)` for both actions; the paper's 0.3.
    distancing_cost
        Cost of action D; the paper's 0.5.
    infection_cost
        Cost of being in state I; the paper's 1.
    """

    infection_rate: float = 0.81
    recovery: float = 0.3
    distancing_cost: float = 0.5
    infection_cost: float = 1.0

    def __post_init__(self) -> None:
        _unit(self.infection_rate, "infection_rate")
        _unit(self.recovery, "recovery")
        for name in ("distancing_cost", "infection_cost"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v)):
                raise ValueError(f"{name} must be a finite number, got {v!r}")

    def reward(self, mu: Array) -> Array:
        """:math:`r(s,a)=-c_I\\mathbb 1\\{s=I\\}-c_D\\mathbb 1\\{a=D\\}` (independent of :math:`\\mu`)."""
        r = np.zeros((2, 2))
        r[:, 0] -= self.distancing_cost
        r[1, :] -= self.infection_cost
        return r

    def transition(self, mu: Array) -> Array:
        """:math:`P(\\cdot|s,a,\\mu)`; only :math:`P(\\cdot|S,U,\\mu)` depends on :math:`\\mu(I)`."""
        p = np.zeros((2, 2, 2))
        infect = self.infection_rate * float(mu[1])
        p[0, 0] = (1.0, 0.0)
        p[0, 1] = (1.0 - infect, infect)
        p[1, :] = (self.recovery, 1.0 - self.recovery)
        return p


def sis(
    *,
    gamma: float = 0.9,
    infection_rate: float = 0.81,
    recovery: float = 0.3,
    distancing_cost: float = 0.5,
    initial: npt.ArrayLike = (0.4, 0.6),
) -> StationaryMFG:
    """Stationary discounted SIS game of 001 App. D with the paper's raw rewards.

    Parameters
    ----------
    gamma
        Discount. The paper gives none for its simulations; 0.9 is our choice (seed note §8).
    infection_rate, recovery, distancing_cost
        See :class:`SISDynamics`.
    initial
        :math:`\\rho=(\\mu(S),\\mu(I))`. The paper gives none; ``(0.4, 0.6)`` is Cui & Koeppl's and
        mfglib's. It must have :math:`\\mu(I)>0` for the dynamics to leave the disease-free state.
    """
    dyn = SISDynamics(infection_rate, recovery, distancing_cost)
    return StationaryMFG(
        n_states=2,
        n_actions=2,
        reward_fn=dyn.reward,
        transition_fn=dyn.transition,
        gamma=gamma,
        initial=np.asarray(initial, dtype=np.float64),
        state_names=("S", "I"),
        action_names=("D", "U"),
        name="SIS",
    )


def sis_finite_horizon(
    *,
    horizon: int = 50,
    gamma: float = 1.0,
    infection_rate: float = 0.81,
    recovery: float = 0.3,
    distancing_cost: float = 0.5,
    initial: npt.ArrayLike = (0.4, 0.6),
) -> FiniteHorizonMFG:
    """Episodic SIS game (001 App. D: "Simulations are done in an episodic setting").

    Parameters
    ----------
    horizon
        Decision epochs. The paper gives none; 50 is our choice (mfglib's ``susceptible_infected``
        has ``T=50``, i.e. 51 epochs).
    gamma
        Discount within the episode (1 = undiscounted, as in mfglib).
    infection_rate, recovery, distancing_cost, initial
        As in :func:`sis`.
    """
    dyn = SISDynamics(infection_rate, recovery, distancing_cost)
    return FiniteHorizonMFG(
        n_states=2,
        n_actions=2,
        horizon=horizon,
        reward_fn=TimeHomogeneous(dyn.reward),
        transition_fn=TimeHomogeneous(dyn.transition),
        initial=np.asarray(initial, dtype=np.float64),
        gamma=gamma,
        state_names=("S", "I"),
        action_names=("D", "U"),
        name="SIS (episodic)",
    )
