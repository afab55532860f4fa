"""OpenSpiel's exact MFG solvers (``open_spiel/python/mfg/algorithms``) on mfcode's iterative base.

Each is an :class:`~mfcode.mfg.solvers.IterativeSolver`, so :meth:`~mfcode.mfg.solvers.IterativeSolver.solve`
records the exploitability of every iterate, which for ``temperature=0`` is OpenSpiel's ``NashConv``
(:func:`~mfcode.mfg.exploitability.exploitability` of 001 App. D with values at :math:`t=0`).
OpenSpiel's best responses are built from the *unregularized* optimal Q-function
:math:`Q^\\star_\\mu` (``best_response_value.BestResponse``):

- ``GreedyPolicy`` puts all mass on the first maximiser (``np.argmax``), :func:`greedy_first`;
- ``SoftmaxPolicy(temperature)`` is :math:`\\mathrm{softmax}(Q^\\star_\\mu/\\tau)`, not the regularized
  best response :math:`\\Gamma_1^\\lambda` of :mod:`mfcode.mfg.operators`.

Solvers (Perrin et al. 2020; Pérolat et al. 2022; Laurière et al. 2022):

- :class:`OpenSpielFictitiousPlay` -- ``fictitious_play.FictitiousPlay(lr, temperature)``: best
  response to the mean field of the current average policy, then the distribution-weighted average
  :math:`\\bar\\pi\\leftarrow\\frac{(1-w)\\mu\\bar\\pi+w\\mu_{br}\\pi_{br}}{(1-w)\\mu+w\\mu_{br}}`
  (uniform where both weights vanish), :math:`w=1/(k+1)` at iteration :math:`k=1,2,\\dots` or the
  constant ``lr``; the averaging of :class:`mfcode.mfg.solvers.FictitiousPlay`, with OpenSpiel's
  best response;
- :class:`OpenSpielFixedPoint` -- ``fixed_point.FixedPoint(temperature)``:
  :math:`\\pi_{k+1}=\\mathrm{greedy}(Q^\\star_{\\mu_{\\pi_k}})` or :math:`\\mathrm{softmax}(Q^\\star_{\\mu_{\\pi_k}}/\\tau)`;
- :class:`OpenSpielMirrorDescent` -- ``mirror_descent.MirrorDescent(lr)``:
  :math:`\\pi_k=\\mathrm{softmax}(y_k)`, :math:`y_k=\\sum_{j\\le k}\\mathrm{lr}\\,W_j`, with
  :math:`W_j(x,a)=Q_j(x,a)-r_t(x,a)` the value of the chance node action :math:`a` leads to, the
  update of :class:`mfcode.mfg.solvers.OnlineMirrorDescent` at ``temperature=0`` (OpenSpiel's logits
  omit :math:`\\log\\pi_0` and the decision node's reward, both constant over actions). One
  difference: OpenSpiel's projected policy reads the cumulative value table by reference, and the
  next evaluation fills that table while it runs, so :math:`W_{k+1}` is computed under the policy
  :math:`\\mathrm{softmax}(y_k+\\mathrm{lr}\\,\\mathbb 1_E W_{k+1})`, where :math:`E` marks the chance
  nodes evaluated before the traversal enters the decision node
  (:attr:`~mfcode.mfg.openspiel_games.Traversal.chance_evaluated`); the first evaluation runs the
  uniform policy itself. The iterates :math:`\\pi_k` themselves are the plain softmax of :math:`y_k`.

All start from the uniform policy, as OpenSpiel's do. On an
:class:`~mfcode.mfg.openspiel_games.OpenSpielMFG` (time-homogeneous kernel, rewards no action enters)
the steps take a vectorized fast path: the kernel under the policy is formed for all epochs in one
batched ``matmul``, rewards of all epochs in one call, so that an epoch costs one matrix-vector product;
fictitious play and fixed point fall back on the operators of :mod:`mfcode.mfg.operators` for any
other finite MFG, and give the same iterates (``tests/test_mfg_openspiel.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mfcode.mfg.model import StationaryMFG
from mfcode.mfg.openspiel_games import OpenSpielMFG
from mfcode.mfg.operators import Game, best_response
from mfcode.mfg.solvers import (
    FictitiousPlay,
    IterativeSolver,
    MirrorState,
    OnlineMirrorDescent,
    SolverState,
    induced,
)
from mfcode.simplex import Array, softmax

__all__ = [
    "OpenSpielFictitiousPlay",
    "OpenSpielFixedPoint",
    "OpenSpielMirrorDescent",
    "greedy_first",
    "openspiel_best_response",
    "openspiel_solver",
]


def greedy_first(q: Array) -> Array:
    """One-hot policy on the first maximiser of ``q`` over the last axis (OpenSpiel's ``GreedyPolicy``)."""
    q = np.asarray(q, dtype=np.float64)
    return (q.argmax(axis=-1)[..., None] == np.arange(q.shape[-1])).astype(np.float64)


def _check_softmax_temperature(tau: float | None) -> None:
    if tau is not None and not (isinstance(tau, (int, float)) and tau > 0):
        raise ValueError(f"softmax_temperature must be None or a number > 0, got {tau!r}")


# ----------------------------------------------------------------------------------------------
# Vectorized operators of an OpenSpielMFG (same arithmetic as OpenSpiel's, epoch by epoch)
# ----------------------------------------------------------------------------------------------


def _kernel2d(game: OpenSpielMFG) -> Array:
    assert game.dynamics is not None
    return game.dynamics.kernel.reshape(game.n_states * game.n_actions, game.n_states)


def _fast_flow(game: OpenSpielMFG, policy: Array) -> Array:
    """:math:`\\mu_{t+1}=\\mu_tP^{\\pi_t}` from :math:`\\mu_0`, ``(T, S)``."""
    assert game.dynamics is not None
    p_pi = np.matmul(policy[:-1, :, None, :], game.dynamics.kernel)[:, :, 0, :]  # (T-1, S, S)
    mus = np.empty((game.horizon, game.n_states))
    mus[0] = game.initial
    for t in range(game.horizon - 1):
        np.dot(mus[t], p_pi[t], out=mus[t + 1])
    return mus


def _fast_q(game: OpenSpielMFG, mu: Array) -> Array:
    """Unregularized optimal Q-function :math:`Q^\\star_\\mu` ``(T, S, A)`` by backward induction."""
    assert game.dynamics is not None
    t_max, s, a = game.horizon, game.n_states, game.n_actions
    r = game.dynamics.rewards(mu)
    k2 = _kernel2d(game)
    w = np.zeros((t_max, s, a))
    flat = w.reshape(t_max, s * a)
    v = r[-1]
    for t in range(t_max - 2, -1, -1):
        np.dot(k2, v, out=flat[t])
        v = r[t] + np.maximum.reduce(w[t], axis=1)
    return r[:, :, None] + w


def _flow(game: Game, policy: Array, start: Array | None) -> Array:
    return _fast_flow(game, policy) if isinstance(game, OpenSpielMFG) else induced(game, policy, start)


def openspiel_best_response(game: Game, mean_field: Array, softmax_temperature: float | None = None) -> Array:
    """OpenSpiel's best-response policy to a mean field: greedy (first maximiser) or softmax of :math:`Q^\\star/\\tau`.

    Parameters
    ----------
    game
        A finite MFG.
    mean_field
        The mean field (a flow for a finite-horizon game).
    softmax_temperature
        ``None`` for ``GreedyPolicy``, :math:`\\tau>0` for ``SoftmaxPolicy(τ)``.
    """
    _check_softmax_temperature(softmax_temperature)
    if isinstance(game, OpenSpielMFG):
        q = _fast_q(game, game.check_flow(mean_field, "mean_field"))
    else:
        q = best_response(game, mean_field, 0.0).q
    return greedy_first(q) if softmax_temperature is None else softmax(q, softmax_temperature)


def _marginal(game: Game, m: Array) -> Array:
    """State marginal of a mean field as :func:`~mfcode.mfg.solvers.induced` returns it."""
    if isinstance(game, StationaryMFG) or game.coupling == "state":
        return m
    return m.sum(axis=-1)


@dataclass(frozen=True)
class OpenSpielFictitiousPlay(FictitiousPlay):
    """OpenSpiel's fictitious play (Perrin et al. 2020).

    Parameters
    ----------
    temperature
        Entropy weight of the exploitability recorded by ``solve`` (0: OpenSpiel's NashConv). The best
        responses are OpenSpiel's whatever its value.
    alpha
        OpenSpiel's ``lr``: constant averaging weight in :math:`(0,1]`; 0 (OpenSpiel's ``None``) means
        :math:`w=1/(k+1)` at iteration :math:`k\\ge1`.
    softmax_temperature
        OpenSpiel's ``temperature``: ``None`` for greedy best responses, :math:`\\tau>0` for
        :math:`\\mathrm{softmax}(Q^\\star/\\tau)`.
    """

    softmax_temperature: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_softmax_temperature(self.softmax_temperature)

    def init_state(self, game: Game, policy: Array) -> SolverState:
        return SolverState(policy, _flow(game, policy, None))

    def step(self, game: Game, state: SolverState) -> SolverState:
        m = state.mean_field
        start = m if isinstance(game, StationaryMFG) else None
        br = openspiel_best_response(game, m, self.softmax_temperature)
        m_br = _flow(game, br, start)
        w = self.alpha if self.alpha else 1.0 / (state.iteration + 2)
        if math.isclose(w, 1.0):  # OpenSpiel keeps the best response itself
            pi = br
        else:
            mu = _marginal(game, m)[..., None]
            mu_br = _marginal(game, m_br)[..., None]
            num = (1.0 - w) * mu * state.policy + w * mu_br * br
            den = (1.0 - w) * mu + w * mu_br
            if (den > 0).all():
                pi = num / den
            else:
                safe = np.where(den > 0, den, 1.0)
                pi = np.where(den > 0, num / safe, 1.0 / game.n_actions)
        return SolverState(pi, _flow(game, pi, start), iteration=state.iteration + 1)


@dataclass(frozen=True)
class OpenSpielFixedPoint(IterativeSolver[SolverState]):
    """OpenSpiel's fixed point: :math:`\\pi_{k+1}=` :func:`openspiel_best_response` to :math:`\\mu_{\\pi_k}`.

    Parameters
    ----------
    temperature
        Entropy weight of the exploitability recorded by ``solve`` (0: OpenSpiel's NashConv).
    softmax_temperature
        OpenSpiel's ``temperature``: ``None`` (greedy) or :math:`\\tau>0`.
    """

    temperature: float = 0.0
    softmax_temperature: float | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.temperature, (int, float)) and self.temperature >= 0):
            raise ValueError(f"temperature must be a number >= 0, got {self.temperature!r}")
        _check_softmax_temperature(self.softmax_temperature)

    def init_state(self, game: Game, policy: Array) -> SolverState:
        return SolverState(policy, _flow(game, policy, None))

    def step(self, game: Game, state: SolverState) -> SolverState:
        start = state.mean_field if isinstance(game, StationaryMFG) else None
        pi = openspiel_best_response(game, state.mean_field, self.softmax_temperature)
        return SolverState(pi, _flow(game, pi, start), iteration=state.iteration + 1)


@dataclass(frozen=True)
class OpenSpielMirrorDescent(OnlineMirrorDescent):
    """OpenSpiel's mirror descent on an :class:`~mfcode.mfg.openspiel_games.OpenSpielMFG`.

    Parameters
    ----------
    temperature
        Entropy weight of the exploitability recorded by ``solve``; the update is OpenSpiel's
        unregularized one whatever its value.
    alpha
        OpenSpiel's ``lr`` (its default is 0.01).
    """

    def init_state(self, game: Game, policy: Array) -> MirrorState:
        if not isinstance(game, OpenSpielMFG):
            raise TypeError("OpenSpielMirrorDescent needs an OpenSpielMFG (e.g. openspiel_games.crowd_modelling())")
        with np.errstate(divide="ignore"):
            y = np.log(policy)
        return MirrorState(policy, _fast_flow(game, policy), iteration=0, y=y)

    def step(self, game: Game, state: MirrorState) -> MirrorState:
        assert isinstance(game, OpenSpielMFG) and game.dynamics is not None
        t_max, s, a = state.policy.shape
        lr = self.alpha
        r = game.dynamics.rewards(state.mean_field)
        k2 = _kernel2d(game)
        mixed = lr * game.dynamics.traversal.chance_evaluated
        w = np.zeros((t_max, s, a))
        flat = w.reshape(t_max, s * a)
        v = r[-1]
        for t in range(t_max - 2, -1, -1):
            np.dot(k2, v, out=flat[t])
            if state.iteration == 0:  # OpenSpiel's first evaluation runs the uniform policy itself
                v = r[t] + np.add.reduce(state.policy[t] * w[t], axis=1)
                continue
            logits = state.y[t] + mixed[t] * w[t]
            e = np.exp(logits - np.maximum.reduce(logits, axis=1)[:, None])
            v = r[t] + np.add.reduce(e * w[t], axis=1) / np.add.reduce(e, axis=1)
        y = state.y + lr * w
        pi = softmax(y)
        return MirrorState(pi, _fast_flow(game, pi), iteration=state.iteration + 1, y=y)


def openspiel_solver(
    name: Literal["fictitious_play", "mirror_descent", "fixed_point"],
    *,
    lr: float | None = None,
    temperature: float | None = None,
) -> IterativeSolver:  # type: ignore[type-arg]
    """The mfcode solver equivalent to OpenSpiel's ``name`` with its constructor arguments.

    Parameters
    ----------
    name
        ``"fictitious_play"`` (``FictitiousPlay(game, lr, temperature)``), ``"mirror_descent"``
        (``MirrorDescent(game, lr=lr)``, OpenSpiel's default ``lr=0.01``) or ``"fixed_point"``
        (``FixedPoint(game, temperature)``).
    lr
        Learning rate (fictitious play: constant averaging weight; ``None`` is :math:`1/(k+1)`).
    temperature
        Softmax temperature of the best responses (``None``: greedy).
    """
    if name == "fictitious_play":
        return OpenSpielFictitiousPlay(alpha=0.0 if lr is None else lr, softmax_temperature=temperature)
    if name == "mirror_descent":
        if temperature is not None:
            raise ValueError("temperature must be None for mirror_descent (OpenSpiel has none)")
        return OpenSpielMirrorDescent(alpha=0.01 if lr is None else lr)
    if name == "fixed_point":
        if lr is not None:
            raise ValueError("lr must be None for fixed_point (OpenSpiel has none)")
        return OpenSpielFixedPoint(softmax_temperature=temperature)
    raise ValueError(f"name must be 'fictitious_play', 'mirror_descent' or 'fixed_point', got {name!r}")
