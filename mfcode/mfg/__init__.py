"""Finite mean-field games (Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``).

- :mod:`mfcode.mfg.model` -- the stationary discounted game and the finite-horizon game;
- :mod:`mfcode.mfg.operators` -- :math:`\\Gamma_1^\\lambda`, :math:`\\Gamma_2`, :math:`\\Lambda^\\lambda`,
  exact policy evaluation and visitation;
- :mod:`mfcode.mfg.games` -- SIS, linear-quadratic, garnet and classic small games.
"""

from mfcode.mfg import games, model, operators
from mfcode.mfg.model import FiniteHorizonMFG, StationaryMFG

__all__ = ["FiniteHorizonMFG", "StationaryMFG", "games", "model", "operators"]
