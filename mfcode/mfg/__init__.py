"""Finite mean-field games (Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``).

- :mod:`mfcode.mfg.model` -- the stationary discounted game and the finite-horizon game;
- :mod:`mfcode.mfg.operators` -- :math:`\\Gamma_1^\\lambda`, :math:`\\Gamma_2`, :math:`\\Lambda^\\lambda`,
  exact policy evaluation and visitation;
- :mod:`mfcode.mfg.games` -- SIS, linear-quadratic, garnet and classic small games;
- :mod:`mfcode.mfg.exploitability` -- exploitability and the bias bound of eq. (1);
- :mod:`mfcode.mfg.solvers` -- fixed point, fictitious play, online mirror descent, prior descent and
  the exact regularized NE (:func:`~mfcode.mfg.solvers.solve_equilibrium`);
- :mod:`mfcode.mfg.lipschitz` -- estimates of :math:`d_1,d_2,d_3` (Assumption 3) and of
  :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` (Lemma 6);
- :mod:`mfcode.mfg.openspiel_games` -- OpenSpiel's crowd-modelling and linear-quadratic games, exactly
  as OpenSpiel evaluates them; :mod:`mfcode.mfg.openspiel_solvers` -- OpenSpiel's solver semantics on
  the same iterative base;
- :mod:`mfcode.mfg.mfglib_compat`, :mod:`mfcode.mfg.openspiel_compat` -- bridges to mfglib and OpenSpiel
  used for cross-checks (they import those libraries lazily);
- :mod:`mfcode.mfg.speed` -- the benchmark tables the chapter shows.
"""

from mfcode.mfg import exploitability, games, lipschitz, model, openspiel_games, openspiel_solvers, operators, solvers
from mfcode.mfg.model import FiniteHorizonMFG, StationaryMFG

__all__ = [
    "FiniteHorizonMFG",
    "StationaryMFG",
    "exploitability",
    "games",
    "lipschitz",
    "model",
    "openspiel_games",
    "openspiel_solvers",
    "operators",
    "solvers",
]
