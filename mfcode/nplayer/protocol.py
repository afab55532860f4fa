"""The two interfaces of the N-player evaluation: a population model's dynamics, and a model family's evaluation.

The slides (seed ``004_ae508d4ce3677c60.txt``, "From N-player Game to MFG") obtain the mean-field
model from an N-player game by homogeneity, weak interaction through the empirical measure of the
*other* agents, :math:`\\mu^{-i}_t=\\frac1{N-1}\\sum_{j\\ne i}\\mathbb 1\\{s^j_t=\\cdot\\}`, and local
policies :math:`a^i_t\\sim\\pi(s^i_t)`. Run backwards, any model that gives :math:`r(s,a,\\mu)` and
:math:`P(\\cdot|s,a,\\mu)` at a state distribution :math:`\\mu` defines the N-player game in which agent
:math:`i` receives :math:`r(s^i,a^i,\\mu^{-i})` and moves by :math:`P(\\cdot|s^i,a^i,\\mu^{-i})`,
independently of the others given the current profile.

- :class:`StepModel` is one step of that game (the engines of :mod:`mfcode.nplayer.exact` and
  :mod:`mfcode.nplayer.monte_carlo` take one per epoch); :class:`PopulationModel` adds a discount
  and is what every :class:`~mfcode.mfg.stationary.StationaryMFG` (SIS, LQ, garnet, the ad auction of
  :mod:`mfcode.slides.auction`) implements as it is.
- :class:`NPlayerModel` is what :func:`mfcode.nplayer.evaluate.evaluate` needs from a model family, for
  one of its mean-field policies: (i) the mean-field value, (ii) a batched N-agent simulation, (iii) an
  exact N-agent evaluation with the best one-agent deviation where one exists. Each family implements it
  by an adapter of :mod:`mfcode.nplayer.adapters`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer

__all__ = ["NPlayerModel", "PopulationModel", "StepModel", "require_model", "require_nplayer_model", "require_step_model"]

P_contra = TypeVar("P_contra", contravariant=True)


@runtime_checkable
class StepModel(Protocol):
    """One step of a homogeneous population model: sizes, and :math:`r`, :math:`P` at a state distribution."""

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""

    def reward(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`r(\\cdot,\\cdot,\\mu)`, ``(S, A)``."""

    def transition(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`P(\\cdot|\\cdot,\\cdot,\\mu)`, ``(S, A, S)``."""


@runtime_checkable
class PopulationModel(StepModel, Protocol):
    """A stationary homogeneous population model: a :class:`StepModel` with a discount factor."""

    @property
    def gamma(self) -> float:
        """Discount factor in :math:`(0,1)`."""


@runtime_checkable
class NPlayerModel(Protocol[P_contra]):
    """A model family's N-player evaluation of its mean-field policies (of type ``P``).

    Values are per agent: every agent's expected return when all play the policy (the agents are
    exchangeable). What a "deviation" is depends on the family: in a game the deviator maximises its
    own return; in a cooperative model (MFC, load balancing) every agent's return is the team's, and
    the deviator maximises that.
    """

    @property
    def name(self) -> str:
        """The label of the figures."""

    def mean_field(self, policy: P_contra) -> MeanFieldValues:
        """The policy's value in the mean-field limit and the limit's best one-agent deviation value."""

    def exact(self, policy: P_contra, n_agents: int) -> ExactNPlayer | None:
        """The exact N-agent value and best deviation value, or ``None`` where the family has no exact
        evaluation at this :math:`N` (too large, or none at all)."""

    def simulate(self, policy: P_contra, n_agents: int, *, n_replicates: int, seed: int) -> MonteCarloNPlayer:
        """``n_replicates`` independent N-agent runs (agents and replicates as array axes), seeded."""


def require_model(model: Any, name: str = "model") -> PopulationModel:
    """``model`` if it implements :class:`PopulationModel`, else ``TypeError`` naming the argument."""
    if not isinstance(model, PopulationModel):
        raise TypeError(f"{name} must implement PopulationModel (n_states, n_actions, gamma, reward, transition), got {type(model).__name__}")
    return model


def require_step_model(model: Any, name: str = "model") -> StepModel:
    """``model`` if it implements :class:`StepModel`, else ``TypeError`` naming the argument."""
    if not isinstance(model, StepModel):
        raise TypeError(f"{name} must implement StepModel (n_states, n_actions, reward, transition), got {type(model).__name__}")
    return model


def require_nplayer_model(model: Any, name: str = "model") -> NPlayerModel[Any]:
    """``model`` if it implements :class:`NPlayerModel`, else ``TypeError`` naming the argument."""
    if not isinstance(model, NPlayerModel):
        raise TypeError(f"{name} must implement NPlayerModel (name, mean_field, exact, simulate), got {type(model).__name__}")
    return model
