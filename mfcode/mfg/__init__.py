"""Finite mean-field games (Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``).

- :mod:`mfcode.mfg.protocol` -- the protocol every kind of game implements (induced mean field,
  regularized best response, policy evaluation on the game's own dynamics type);
- :mod:`mfcode.mfg.stationary` -- the paper's stationary discounted game;
  :mod:`mfcode.mfg.finite_horizon` -- the episodic game of its simulations (mfglib's convention);
- :mod:`mfcode.mfg.operators` -- :math:`\\Gamma_1^\\lambda`, :math:`\\Lambda^\\lambda`, exact policy
  evaluation, for any game; :mod:`mfcode.mfg.soft` -- the entropy terms of the soft Bellman
  equations; :mod:`mfcode.mfg.soft_mdp` -- exact soft values and soft policy iteration of discounted
  MDPs over batch axes (the stationary game's and :mod:`mfcode.nac`'s); :mod:`mfcode.mfg.checks` --
  validation shared by the kinds of game;
- :mod:`mfcode.mfg.games` -- SIS, linear-quadratic, garnet and classic small games;
- :mod:`mfcode.mfg.exploitability` -- exploitability and the bias bound of eq. (1);
- :mod:`mfcode.mfg.solvers` -- fixed point, fictitious play, online mirror descent, prior descent and
  the exact regularized NE (:func:`~mfcode.mfg.solvers.solve_equilibrium`);
- :mod:`mfcode.mfg.lipschitz` -- estimates of :math:`d_1,d_2,d_3` (Assumption 3) and of
  :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` (Lemma 6);
- :mod:`mfcode.mfg.openspiel_games` -- OpenSpiel's crowd-modelling and linear-quadratic games, with
  OpenSpiel's evaluator rules; :mod:`mfcode.mfg.openspiel_solvers` -- OpenSpiel's solvers as
  configurations of mfcode's (its best response);
- :mod:`mfcode.mfg.mfglib_compat`, :mod:`mfcode.mfg.openspiel_compat` -- bridges to mfglib and OpenSpiel
  used for cross-checks (they import those libraries lazily);
- :mod:`mfcode.mfg.speed` -- the benchmark tables the chapter shows.
"""

from mfcode.mfg import (
    exploitability,
    finite_horizon,
    games,
    lipschitz,
    openspiel_games,
    openspiel_solvers,
    operators,
    protocol,
    solvers,
    stationary,
)
from mfcode.mfg.finite_horizon import FiniteHorizonMFG, FlowDynamics
from mfcode.mfg.protocol import BestResponse, MeanFieldGame, PolicyEvaluation
from mfcode.mfg.stationary import StationaryDynamics, StationaryMFG

__all__ = [
    "BestResponse",
    "FiniteHorizonMFG",
    "FlowDynamics",
    "MeanFieldGame",
    "PolicyEvaluation",
    "StationaryDynamics",
    "StationaryMFG",
    "exploitability",
    "finite_horizon",
    "games",
    "lipschitz",
    "openspiel_games",
    "openspiel_solvers",
    "operators",
    "protocol",
    "solvers",
    "stationary",
]
