"""One adapter per model family: what :func:`mfcode.nplayer.evaluate.evaluate` needs of it.

Each implements :class:`~mfcode.nplayer.protocol.NPlayerModel` for the family's mean-field policies:

- :class:`~mfcode.nplayer.adapters.stationary.StationaryGame` -- stationary discounted MFGs
  (:class:`~mfcode.mfg.stationary.StationaryMFG`), local policies ``(S, A)``;
- :class:`~mfcode.nplayer.adapters.finite_horizon.EpisodicGame` -- finite-horizon MFGs
  (:class:`~mfcode.mfg.finite_horizon.FiniteHorizonMFG`), policies ``(H, S, A)``;
- :class:`~mfcode.nplayer.adapters.mfc.MeanFieldControl` -- MFC with a common environment state
  (seed 002, :mod:`mfcode.mfc`), MFC policies ``(X0, X, U)``;
- :class:`~mfcode.nplayer.adapters.queueing.DenseLoadBalancing` -- 003's load-balancing system on the
  complete graph (:mod:`mfcode.queueing`), routing rules :math:`\\zeta` ``(B + 1,)``.
"""

from mfcode.nplayer.adapters.finite_horizon import EpisodicGame, GameEpoch
from mfcode.nplayer.adapters.mfc import DeviatorMDP, MeanFieldControl
from mfcode.nplayer.adapters.queueing import DenseLoadBalancing, UniformOffload, dense_arrival_weights
from mfcode.nplayer.adapters.stationary import StationaryGame

__all__ = [
    "DenseLoadBalancing",
    "DeviatorMDP",
    "EpisodicGame",
    "GameEpoch",
    "MeanFieldControl",
    "StationaryGame",
    "UniformOffload",
    "dense_arrival_weights",
]
