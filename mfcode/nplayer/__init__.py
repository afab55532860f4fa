"""N-player evaluation of any mean-field policy of any model (slides seed ``004_ae508d4ce3677c60.txt``, "From N-player Game to MFG").

- :mod:`mfcode.nplayer.protocol` -- :class:`StepModel`/:class:`PopulationModel`, a model's dynamics at a
  state distribution (every :class:`~mfcode.mfg.stationary.StationaryMFG` is one), and
  :class:`NPlayerModel`, what the evaluation needs from a model family;
- :mod:`mfcode.nplayer.results` -- mean-field values, exact N-agent values, Monte Carlo replicates;
- :mod:`mfcode.nplayer.exact` -- exact N-player values and exploitability by dynamic programming over
  the deviator's state and the others' counts (stationary and finite horizon);
- :mod:`mfcode.nplayer.mean_field` -- the mean-field counterparts of a stationary model along the flow
  from the same initial law;
- :mod:`mfcode.nplayer.monte_carlo` -- the vectorised Monte Carlo simulator (agents and replicates as array
  axes) with confidence intervals, for large N;
- :mod:`mfcode.nplayer.adapters` -- one :class:`NPlayerModel` per family: stationary and finite-horizon
  MFGs, MFC with an environment state (002), dense load balancing (003);
- :mod:`mfcode.nplayer.evaluate` -- :func:`evaluate`: the value gap and the exploitability against N, with
  fitted slopes.
"""

from mfcode.nplayer.adapters import DenseLoadBalancing, EpisodicGame, MeanFieldControl, StationaryGame
from mfcode.nplayer.evaluate import NPlayerCurve, evaluate, fitted_slope
from mfcode.nplayer.exact import exact_evaluation, flow_evaluation
from mfcode.nplayer.mean_field import mean_field_evaluation
from mfcode.nplayer.monte_carlo import simulate, simulate_flow
from mfcode.nplayer.protocol import NPlayerModel, PopulationModel, StepModel
from mfcode.nplayer.results import ExactNPlayer, MeanFieldValues, MonteCarloNPlayer

__all__ = [
    "DenseLoadBalancing",
    "EpisodicGame",
    "ExactNPlayer",
    "MeanFieldControl",
    "MeanFieldValues",
    "MonteCarloNPlayer",
    "NPlayerCurve",
    "NPlayerModel",
    "PopulationModel",
    "StationaryGame",
    "StepModel",
    "evaluate",
    "exact_evaluation",
    "fitted_slope",
    "flow_evaluation",
    "mean_field_evaluation",
    "simulate",
    "simulate_flow",
]
