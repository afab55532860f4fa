"""What the N-player evaluation needs from a mean-field model: its per-agent reward and kernel at a population.

The slides (seed ``004_ae508d4ce3677c60.txt``, "From N-player Game to MFG") obtain the mean-field
model from an N-player game by homogeneity, weak interaction through the empirical measure of the
*other* agents, :math:`\\mu^{-i}_t=\\frac1{N-1}\\sum_{j\\ne i}\\mathbb 1\\{s^j_t=\\cdot\\}`, and local
policies :math:`a^i_t\\sim\\pi(s^i_t)`. Run backwards, any model that gives :math:`r(s,a,\\mu)` and
:math:`P(\\cdot|s,a,\\mu)` at a state distribution :math:`\\mu` defines the N-player game in which agent
:math:`i` receives :math:`r(s^i,a^i,\\mu^{-i})` and moves by :math:`P(\\cdot|s^i,a^i,\\mu^{-i})`,
independently of the others given the current profile. :class:`PopulationModel` is that interface;
every :class:`~mfcode.mfg.stationary.StationaryMFG` (SIS, LQ, garnet, the ad auction of
:mod:`mfcode.slides.auction`) implements it as it is.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy.typing as npt

from mfcode.arrays import FloatArray

__all__ = ["PopulationModel", "require_model"]


@runtime_checkable
class PopulationModel(Protocol):
    """A homogeneous population model: sizes, discount, and :math:`r`, :math:`P` at a state distribution."""

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""

    @property
    def gamma(self) -> float:
        """Discount factor in :math:`(0,1)`."""

    def reward(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`r(\\cdot,\\cdot,\\mu)`, ``(S, A)``."""

    def transition(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`P(\\cdot|\\cdot,\\cdot,\\mu)`, ``(S, A, S)``."""


def require_model(model: Any, name: str = "model") -> PopulationModel:
    """``model`` if it implements :class:`PopulationModel`, else ``TypeError`` naming the argument."""
    if not isinstance(model, PopulationModel):
        raise TypeError(f"{name} must implement PopulationModel (n_states, n_actions, gamma, reward, transition), got {type(model).__name__}")
    return model
