"""The N-player evaluation of a stationary discounted MFG (SIS, LQ, garnet, the ad auction).

Any :class:`~mfcode.nplayer.protocol.PopulationModel` (every :class:`~mfcode.mfg.stationary.StationaryMFG`)
with all agents started i.i.d. from a law :math:`\\rho`: the mean-field value along the flow from
:math:`\\rho` (:mod:`mfcode.nplayer.mean_field`), the exact N-player value and best deviation by the
deviator's lifted MDP while it has at most :data:`~mfcode.nplayer.exact.MAX_LIFTED_STATES` states
(:mod:`mfcode.nplayer.exact`), and the Monte Carlo simulator beyond (:mod:`mfcode.nplayer.monte_carlo`),
whose deviator plays the exact best response to the mean-field flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.nplayer.exact import MAX_LIFTED_STATES, exact_evaluation, lifted_size
from mfcode.nplayer.mean_field import mean_field_flow
from mfcode.nplayer.monte_carlo import simulate
from mfcode.nplayer.protocol import PopulationModel, require_model
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer
from mfcode.simplex import check_distribution
from mfcode.validation import check_int

__all__ = ["StationaryGame"]


@dataclass(frozen=True, eq=False)
class StationaryGame:
    """A stationary population model, its initial law and the Monte Carlo truncation.

    Parameters
    ----------
    model
        The population model.
    initial
        :math:`\\rho`, the law of every agent's initial state, ``(S,)``.
    horizon
        Steps of every Monte Carlo return (truncation bias :math:`\\gamma^H\\max|r|/(1-\\gamma)`).
    label
        The figures' name of the model.

    Policies are local policies :math:`\\pi` ``(S, A)``.
    """

    model: PopulationModel
    initial: FloatArray
    horizon: int = 100
    label: str = "stationary MFG"
    _rho: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        m = require_model(self.model)
        rho = check_distribution(self.initial, "initial")
        if rho.shape != (m.n_states,):
            raise ValueError(f"initial must have shape ({m.n_states},), got {rho.shape}")
        check_int(self.horizon, "horizon", low=1)
        object.__setattr__(self, "_rho", rho)

    @property
    def name(self) -> str:
        """:attr:`label`."""
        return self.label

    def _policy(self, policy: npt.ArrayLike) -> FloatArray:
        pi = check_distribution(policy, "policy")
        if pi.shape != (self.model.n_states, self.model.n_actions):
            raise ValueError(f"policy must have shape {(self.model.n_states, self.model.n_actions)}, got {pi.shape}")
        return pi

    def mean_field(self, policy: npt.ArrayLike) -> MeanFieldValues:
        """:math:`V^{\\mathrm{MF}}(\\pi)` and the best-response value along the flow from :math:`\\rho`."""
        return mean_field_flow(self.model, self._policy(policy), self._rho).values

    def exact(self, policy: npt.ArrayLike, n_agents: int) -> ExactNPlayer | None:
        """The exact evaluation while the deviator's MDP is small enough, else ``None``."""
        n = check_int(n_agents, "n_agents", low=2)
        if lifted_size(self.model.n_states, n) > MAX_LIFTED_STATES:
            return None
        return exact_evaluation(self.model, self._policy(policy), n, self._rho)

    def simulate(self, policy: npt.ArrayLike, n_agents: int, *, n_replicates: int, seed: int) -> MonteCarloNPlayer:
        """Monte Carlo returns, agent 0 deviating to the best response to the mean-field flow."""
        pi = self._policy(policy)
        flow = mean_field_flow(self.model, pi, self._rho)
        br = flow.best_response
        if br.shape[0] < self.horizon:  # past the flow's horizon the tail is below its tolerance
            br = np.concatenate([br, np.repeat(br[-1:], self.horizon - br.shape[0], axis=0)])
        mc = simulate(self.model, pi, n_agents, n_replicates=n_replicates, seed=seed, initial=self._rho, deviation=br,
                      horizon=self.horizon)
        return MonteCarloNPlayer(mc.n_agents, mc.population_return, mc.deviation_gain, mc.truncation_bias,
                                 np.full(mc.population_return.shape, flow.values.value))
