"""N-player evaluation of any mean-field policy (slides seed ``004_ae508d4ce3677c60.txt``, "From N-player Game to MFG").

- :mod:`mfcode.nplayer.protocol` -- :class:`PopulationModel`, what a model must give (every
  :class:`~mfcode.mfg.stationary.StationaryMFG` does);
- :mod:`mfcode.nplayer.exact` -- exact N-player values and exploitability by dynamic programming over
  the deviator's state and the others' counts;
- :mod:`mfcode.nplayer.mean_field` -- the mean-field counterparts along the flow from the same initial law;
- :mod:`mfcode.nplayer.monte_carlo` -- the vectorised Monte Carlo simulator (agents and replicates as array
  axes) with confidence intervals, for large N;
- :mod:`mfcode.nplayer.evaluate` -- the value gap and the exploitability against N, with fitted slopes.
"""

from mfcode.nplayer.evaluate import NPlayerCurve, fitted_slope, n_player_curve
from mfcode.nplayer.exact import ExactNPlayer, exact_evaluation
from mfcode.nplayer.mean_field import MeanFieldValues, mean_field_evaluation
from mfcode.nplayer.monte_carlo import MonteCarloNPlayer, simulate
from mfcode.nplayer.protocol import PopulationModel

__all__ = [
    "ExactNPlayer",
    "MeanFieldValues",
    "MonteCarloNPlayer",
    "NPlayerCurve",
    "PopulationModel",
    "exact_evaluation",
    "fitted_slope",
    "mean_field_evaluation",
    "n_player_curve",
    "simulate",
]
