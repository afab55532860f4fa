"""The N-player evaluation of a finite-horizon MFG (the episodic SIS and LQ games, the beach bar).

:class:`~mfcode.mfg.finite_horizon.FiniteHorizonMFG` with a state population: time-dependent
:math:`r_t(s,a,\\mu)`, :math:`P_t(\\cdot|s,a,\\mu)` and policies :math:`\\pi_t` ``(H, S, A)``, all agents started
i.i.d. from :math:`\\mu_0`. Agent :math:`i` of the N-player game receives :math:`r_t(s^i,a^i,\\mu^{-i}_t)` at
every epoch :math:`t<H` and moves by :math:`P_t(\\cdot|s^i,a^i,\\mu^{-i}_t)` for :math:`t<H-1`
(:prf:ref:`def-slides-nplayer` with time-dependent data). The mean-field value and best response are the
game's own backward inductions along the flow of :math:`\\pi`; the exact N-player value and best
deviation are :func:`~mfcode.nplayer.exact.flow_evaluation`; the Monte Carlo simulator is
:func:`~mfcode.nplayer.monte_carlo.simulate_flow`, its deviator playing the mean-field best response.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.mfg.finite_horizon import FiniteHorizonMFG
from mfcode.nplayer.exact import MAX_LIFTED_STATES, flow_evaluation, lifted_size
from mfcode.nplayer.monte_carlo import simulate_flow
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer
from mfcode.validation import check_int

__all__ = ["EpisodicGame", "GameEpoch"]


@dataclass(frozen=True)
class GameEpoch:
    """Epoch ``t`` of a finite-horizon game as a :class:`~mfcode.nplayer.protocol.StepModel`."""

    game: FiniteHorizonMFG
    t: int

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""
        return self.game.n_states

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""
        return self.game.n_actions

    def reward(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`r_t(\\cdot,\\cdot,\\mu)`."""
        return self.game.reward(self.t, np.asarray(mu, dtype=np.float64))

    def transition(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`P_t(\\cdot|\\cdot,\\cdot,\\mu)` (``t < H - 1``)."""
        return self.game.transition(self.t, np.asarray(mu, dtype=np.float64))


@dataclass(frozen=True, eq=False)
class EpisodicGame:
    """A finite-horizon MFG whose reward and kernel take the state distribution (``population="state"``)."""

    game: FiniteHorizonMFG

    def __post_init__(self) -> None:
        if not isinstance(self.game, FiniteHorizonMFG):
            raise TypeError(f"game must be a FiniteHorizonMFG, got {type(self.game).__name__}")
        if self.game.population != "state":
            raise ValueError("game: the N-player game needs a state population (the others' empirical law of states)")

    @property
    def name(self) -> str:
        """The game's name."""
        return self.game.name

    def _epoch(self, t: int) -> GameEpoch:
        return GameEpoch(self.game, t)

    def mean_field(self, policy: npt.ArrayLike) -> MeanFieldValues:
        """:math:`V^{\\mathrm{MF}}(\\pi)=\\langle\\mu_0,V^\\pi_0\\rangle` and the best response's value along the flow of :math:`\\pi`."""
        pi = self.game.check_policy(policy)
        _, dyn = self.game.induce(pi)
        mu0 = self.game.initial
        value = self.game.evaluate(pi, dyn, 0.0).value[0]
        return MeanFieldValues(float(mu0 @ value), float(mu0 @ self.game.best_response(dyn, 0.0).value[0]))

    def exact(self, policy: npt.ArrayLike, n_agents: int) -> ExactNPlayer | None:
        """The exact evaluation while the deviator's MDP is small enough, else ``None``."""
        n = check_int(n_agents, "n_agents", low=2)
        if lifted_size(self.game.n_states, n) > MAX_LIFTED_STATES:
            return None
        return flow_evaluation(self._epoch, self.game.check_policy(policy), n, self.game.initial, self.game.gamma)

    def simulate(self, policy: npt.ArrayLike, n_agents: int, *, n_replicates: int, seed: int) -> MonteCarloNPlayer:
        """Monte Carlo episodes, agent 0 deviating to the best response to the mean-field flow."""
        pi = self.game.check_policy(policy)
        _, dyn = self.game.induce(pi)
        br = self.game.best_response(dyn, 0.0).policy
        mc = simulate_flow(self._epoch, pi, n_agents, n_replicates=n_replicates, seed=seed, initial=self.game.initial,
                           gamma=self.game.gamma, deviation=br)
        reference = np.full(mc.population_return.shape, self.mean_field(pi).value)
        return MonteCarloNPlayer(mc.n_agents, mc.population_return, mc.deviation_gain, 0.0, reference)
