"""OpenSpiel's exact MFG solvers (``open_spiel/python/mfg/algorithms``) as configurations of mfcode's.

OpenSpiel's solvers differ from :mod:`mfcode.mfg.solvers` in two places only, neither of which
needs a solver of its own:

- **the best response**: OpenSpiel builds it from the *unregularized* optimal Q-function
  :math:`Q^\\star_\\mu` (``best_response_value.BestResponse``): ``GreedyPolicy`` puts all mass on the
  first maximiser (``np.argmax``, :func:`greedy_first`), ``SoftmaxPolicy(temperature)`` is
  :math:`\\mathrm{softmax}(Q^\\star_\\mu/\\tau)` -- not the regularized best response
  :math:`\\Gamma_1^\\lambda` of 001. That is :class:`OpenSpielBestResponse`, a
  :class:`~mfcode.mfg.solvers.BestResponseRule` of the fixed point and of fictitious play;
- **the evaluator of mirror descent**, which reads its own value table while filling it: a rule of
  OpenSpiel's games, :meth:`~mfcode.mfg.openspiel_games.OpenSpielMFG.mirror_q`.

So (Perrin et al. 2020; Pérolat et al. 2022; Laurière et al. 2022), with :func:`openspiel_solver`:

- ``fictitious_play.FictitiousPlay(lr, temperature)`` is
  :class:`~mfcode.mfg.solvers.FictitiousPlay` with OpenSpiel's best response: best response to the
  mean field of the current average policy, then the distribution-weighted average with
  :math:`w=1/(k+1)` at iteration :math:`k=1,2,\\dots` or the constant ``lr``;
- ``fixed_point.FixedPoint(temperature)`` is :class:`~mfcode.mfg.solvers.FixedPoint` with OpenSpiel's
  best response: :math:`\\pi_{k+1}=\\mathrm{greedy}(Q^\\star_{\\mu_{\\pi_k}})` or
  :math:`\\mathrm{softmax}(Q^\\star_{\\mu_{\\pi_k}}/\\tau)`;
- ``mirror_descent.MirrorDescent(lr)`` is :class:`~mfcode.mfg.solvers.OnlineMirrorDescent` at
  :math:`\\lambda=0` with step ``lr`` (OpenSpiel's logits omit :math:`\\log\\pi_0`, constant over
  actions for its uniform start).

All start from the uniform policy, as OpenSpiel's do; each works on any finite MFG, and on an
:class:`~mfcode.mfg.openspiel_games.OpenSpielMFG` reproduces OpenSpiel's iterates
(``tests/test_mfg_openspiel.py``). Their exploitability at ``score_temperature=0`` (the default) is
OpenSpiel's ``NashConv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.mfg.protocol import MeanFieldGame, require_game
from mfcode.mfg.solvers import FictitiousPlay, FixedPoint, IterativeSolver, OnlineMirrorDescent
from mfcode.simplex import softmax
from mfcode.validation import check_array, check_real

__all__ = [
    "OpenSpielBestResponse",
    "greedy_first",
    "openspiel_best_response",
    "openspiel_solver",
]


def greedy_first(q: npt.ArrayLike) -> FloatArray:
    """One-hot policy on the first maximiser of ``q`` over the last axis (OpenSpiel's ``GreedyPolicy``)."""
    arr = check_array(q, "q", min_ndim=1)
    if arr.size == 0 or np.isnan(arr).any():
        raise ValueError(f"q must be a non-empty array without NaN, got shape {arr.shape}")
    out: FloatArray = (arr.argmax(axis=-1)[..., None] == np.arange(arr.shape[-1])).astype(np.float64)
    return out


@dataclass(frozen=True)
class OpenSpielBestResponse:
    """OpenSpiel's best-response policy: greedy (first maximiser) or softmax of :math:`Q^\\star_\\mu/\\tau`.

    Parameters
    ----------
    softmax_temperature
        ``None`` for ``GreedyPolicy``, :math:`\\tau>0` for ``SoftmaxPolicy(τ)``.
    """

    softmax_temperature: float | None = None

    def __post_init__(self) -> None:
        if self.softmax_temperature is not None:
            check_real(self.softmax_temperature, "softmax_temperature", low=0.0, low_open=True)

    def respond(
        self, game: MeanFieldGame[Any], dynamics: Any, temperature: float, *, q_init: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray | None]:
        """The policy from the unregularized :math:`Q^\\star` (``temperature`` and ``q_init`` do not enter)."""
        q = game.best_response(dynamics, 0.0).q
        tau = self.softmax_temperature
        return (greedy_first(q) if tau is None else softmax(q, tau)), None


def openspiel_best_response(
    game: MeanFieldGame[Any], mean_field: npt.ArrayLike, softmax_temperature: float | None = None
) -> FloatArray:
    """:class:`OpenSpielBestResponse` to ``mean_field`` (a flow for a finite-horizon game)."""
    g = require_game(game)
    rule = OpenSpielBestResponse(softmax_temperature)
    return rule.respond(g, g.dynamics_at(g.check_mean_field(mean_field)), 0.0)[0]


def openspiel_solver(
    name: Literal["fictitious_play", "mirror_descent", "fixed_point"],
    *,
    lr: float | None = None,
    softmax_temperature: float | None = None,
) -> IterativeSolver[Any]:
    """The mfcode solver equivalent to OpenSpiel's ``name`` with its constructor arguments.

    Parameters
    ----------
    name
        ``"fictitious_play"`` (``FictitiousPlay(game, lr, temperature)``), ``"mirror_descent"``
        (``MirrorDescent(game, lr=lr)``, OpenSpiel's default ``lr=0.01``) or ``"fixed_point"``
        (``FixedPoint(game, temperature)``).
    lr
        Learning rate (fictitious play: constant averaging weight; ``None`` is :math:`1/(k+1)`).
    softmax_temperature
        OpenSpiel's ``temperature``: of the softmax best responses (``None``: greedy).
    """
    if not isinstance(name, str) or name not in ("fictitious_play", "mirror_descent", "fixed_point"):
        raise ValueError(f"name must be 'fictitious_play', 'mirror_descent' or 'fixed_point', got {name!r}")
    if name == "fictitious_play":
        weight = 0.0 if lr is None else check_real(lr, "lr", low=0.0, high=1.0)
        return FictitiousPlay(alpha=weight, best_response=OpenSpielBestResponse(softmax_temperature))
    if name == "mirror_descent":
        if softmax_temperature is not None:
            raise ValueError("softmax_temperature must be None for mirror_descent (OpenSpiel's has none)")
        return OnlineMirrorDescent(alpha=0.01 if lr is None else check_real(lr, "lr", low=0.0, low_open=True))
    if lr is not None:  # fixed_point
        raise ValueError("lr must be None for fixed_point (OpenSpiel's has none)")
    return FixedPoint(best_response=OpenSpielBestResponse(softmax_temperature))
