"""Exact operators of any finite MFG: regularized best response, induced mean field, the composite map.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2:

- regularized value :math:`V^{\\pi,\\lambda}_\\mu(s)=\\mathbb E[\\sum_t\\gamma^t(r(s_t,a_t,\\mu)-\\lambda
  \\log\\pi(a_t|s_t))\\mid s_0=s]` and soft Q-function
  :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\,\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`
  (:func:`policy_value`, :func:`policy_q`);
- :math:`\\Gamma_1^\\lambda(\\mu)=\\arg\\max_\\pi V^{\\pi,\\lambda}_\\mu`, unique for :math:`\\lambda>0` and
  Boltzmann in the optimal soft Q-function, :math:`\\pi^\\star\\propto\\exp(Q^\\star/\\lambda)` (001 App. A,
  proof of Lemma 3), greedy for :math:`\\lambda=0` (:func:`best_response`);
- :math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (:func:`mean_field_map`);
- the mean field :math:`\\mu_\\pi` a policy induces (:func:`induced_mean_field`).

Each function validates its arguments and calls the game's implementation of
:class:`~mfcode.mfg.protocol.MeanFieldGame`, so it works on every kind of game: a stationary game
(mean fields ``(S,)``, soft Bellman equation) and a finite-horizon one (flows, backward and forward
induction). Evaluating the game at a mean field is the expensive part; every function that works
against a fixed mean field accepts the game's dynamics there (``dynamics=``, from
:func:`dynamics_at` or :meth:`~mfcode.mfg.protocol.MeanFieldGame.induce`) instead of evaluating
them again.
"""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.mfg.protocol import BestResponse, MeanFieldGame, require_game
from mfcode.validation import check_array, check_temperature

__all__ = [
    "best_response",
    "dynamics_at",
    "induced_mean_field",
    "mean_field_map",
    "policy_q",
    "policy_value",
]


def dynamics_at(game: MeanFieldGame[Any], mean_field: npt.ArrayLike) -> Any:
    """The game's rewards and kernels at ``mean_field`` (an ``(S,)`` distribution or a flow)."""
    g = require_game(game)
    return g.dynamics_at(g.check_mean_field(mean_field))


def _dynamics(game: MeanFieldGame[Any], mean_field: npt.ArrayLike, dynamics: Any | None) -> Any:
    """``dynamics`` checked against the game, or the game evaluated at the (checked) mean field ``mu``."""
    m = game.check_mean_field(mean_field, "mu")
    return game.dynamics_at(m) if dynamics is None else game.check_dynamics(dynamics)


def induced_mean_field(
    game: MeanFieldGame[Any], policy: npt.ArrayLike, *, start: npt.ArrayLike | None = None
) -> FloatArray:
    """The mean field :math:`\\mu_\\pi` a policy generates (001 App. D).

    Stationary game: the fixed point of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)` reached from ``start``
    (default :math:`\\rho`); finite horizon: the flow of :math:`\\pi` from :math:`\\mu_0`.
    """
    g = require_game(game)
    s0 = None if start is None else g.check_mean_field(start, "start")
    return g.induce(g.check_policy(policy), start=s0)[0]


def best_response(
    game: MeanFieldGame[Any],
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    q_init: npt.ArrayLike | None = None,
    dynamics: Any | None = None,
) -> BestResponse:
    """Regularized best response :math:`\\Gamma_1^\\lambda(\\mu)` (001 §2), exactly.

    Parameters
    ----------
    game
        Any finite MFG (``mu`` of shape ``(S,)`` for a stationary game, a flow for a finite horizon).
    mu
        The mean field the agent responds to.
    temperature
        Entropy weight :math:`\\lambda\\ge0`; ``0`` gives the greedy best response (ties split evenly).
    q_init
        Warm start for the soft Q-function (used by the stationary game's policy iteration).
    dynamics
        The game's rewards and kernels at ``mu``, if already known.
    """
    g = require_game(game)
    lam = check_temperature(temperature)
    dyn = _dynamics(g, mu, dynamics)
    q0 = None if q_init is None else check_array(q_init, "q_init", shape=g.policy_shape, finite=True)
    return g.best_response(dyn, lam, q_init=q0)


def mean_field_map(
    game: MeanFieldGame[Any], mu: npt.ArrayLike, temperature: float = 0.0, *, dynamics: Any | None = None
) -> FloatArray:
    """:math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (001 §2).

    For a finite-horizon game: the flow of :math:`\\Gamma_1^\\lambda(\\mu)` from :math:`\\mu_0`.
    """
    g = require_game(game)
    lam = check_temperature(temperature)
    m = g.check_mean_field(mu, "mu")
    dyn = g.dynamics_at(m) if dynamics is None else g.check_dynamics(dynamics)
    br = g.best_response(dyn, lam)
    return g.mean_field_update(br.policy, m, dyn)[0]


def policy_value(
    game: MeanFieldGame[Any],
    policy: npt.ArrayLike,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    dynamics: Any | None = None,
) -> FloatArray:
    """(Soft) value :math:`V^{\\pi,\\lambda}_\\mu` of a policy against a fixed mean field, exactly.

    Stationary: the linear solve :math:`(I-\\gamma P^\\pi_\\mu)V=r^{\\pi,\\lambda}_\\mu`, ``(S,)``.
    Finite horizon: backward induction, ``(H, S)``.
    """
    g = require_game(game)
    lam = check_temperature(temperature)
    pi = g.check_policy(policy)
    return g.evaluate(pi, _dynamics(g, mu, dynamics), lam).value


def policy_q(
    game: MeanFieldGame[Any],
    policy: npt.ArrayLike,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    dynamics: Any | None = None,
) -> FloatArray:
    """Soft Q-function :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`.

    The shifted Q-function of 001 §2 is ``policy_q - temperature * log(policy)``.
    """
    g = require_game(game)
    lam = check_temperature(temperature)
    pi = g.check_policy(policy)
    return g.evaluate(pi, _dynamics(g, mu, dynamics), lam).q
