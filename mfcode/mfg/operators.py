"""Exact operators of a finite MFG: regularized best response, push-forward, the composite map.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2:

- regularized value :math:`V^{\\pi,\\lambda}_\\mu(s)=\\mathbb E[\\sum_t\\gamma^t(r(s_t,a_t,\\mu)-\\lambda
  \\log\\pi(a_t|s_t))\\mid s_0=s]` and soft Q-function
  :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\,\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`
  (:func:`policy_value`, :func:`policy_q`, an exact linear solve);
- :math:`\\Gamma_1^\\lambda(\\mu)=\\arg\\max_\\pi V^{\\pi,\\lambda}_\\mu`, unique for :math:`\\lambda>0` and
  Boltzmann in the optimal soft Q-function, :math:`\\pi^\\star\\propto\\exp(Q^\\star/\\lambda)` (001 App. A,
  proof of Lemma 3), greedy for :math:`\\lambda=0` (:func:`best_response`);
- :math:`\\Gamma_2(\\pi,\\mu)(s')=\\sum_{s,a}\\mu(s)\\pi(a|s)P(s'|s,a,\\mu)` (:func:`push_forward`);
- :math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (:func:`mean_field_map`);
- the discounted visitation :math:`d^\\pi_\\mu=(1-\\gamma)\\rho^\\top(I-\\gamma P^\\pi_\\mu)^{-1}`
  (:func:`visitation`);
- the mean field a policy induces, the fixed point of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)` reached
  from :math:`\\rho` (:func:`induced_mean_field`).

For a :class:`~mfcode.mfg.model.FiniteHorizonMFG` the same functions work on time-indexed policies and
mean-field flows by backward induction (best response, values) and forward induction (:func:`flow`);
there :math:`\\Lambda^\\lambda(\\mu)` is the flow of :math:`\\Gamma_1^\\lambda(\\mu)` started at
:math:`\\mu_0`, the map of mfglib's and OpenSpiel's fixed-point solvers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mfcode.mfg.model import FiniteHorizonMFG, StationaryMFG
from mfcode.simplex import Array, entropy, logsumexp, softmax

__all__ = [
    "BestResponse",
    "Game",
    "best_response",
    "flow",
    "induced_mean_field",
    "mean_field_map",
    "policy_q",
    "policy_value",
    "push_forward",
    "state_flow",
    "visitation",
]

Game = StationaryMFG | FiniteHorizonMFG


@dataclass(frozen=True, eq=False)
class BestResponse:
    """Result of :func:`best_response`.

    Attributes
    ----------
    policy
        :math:`\\Gamma_1^\\lambda(\\mu)`, ``(S, A)`` (or ``(T, S, A)``).
    q
        Optimal soft Q-function :math:`Q^{\\star,\\lambda}_\\mu`, same shape as ``policy``.
    value
        Optimal soft value :math:`V^{\\star,\\lambda}_\\mu=\\lambda\\log\\sum_a e^{Q^\\star/\\lambda}`
        (:math:`\\max_a Q^\\star` at :math:`\\lambda=0`), ``(S,)`` (or ``(T, S)``).
    iterations
        Number of policy- or value-iteration sweeps (``T`` backward steps for finite horizon).
    """

    policy: Array
    q: Array
    value: Array
    iterations: int


def _check_temperature(temperature: float) -> float:
    if not isinstance(temperature, (int, float, np.floating)) or not temperature >= 0.0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
    return float(temperature)


def _soft_max_value(q: Array, temperature: float) -> Array:
    """:math:`\\lambda\\log\\sum_a e^{q/\\lambda}` over the last axis (``max`` when ``λ = 0``)."""
    m = q.max(axis=-1)
    if temperature == 0.0:
        return m
    with np.errstate(over="ignore"):
        z = (q - m[..., None]) / temperature
    return m + temperature * logsumexp(z)


def _regularized_reward(r: Array, policy: Array, temperature: float) -> Array:
    """:math:`\\sum_a\\pi(a|s)(r(s,a)-\\lambda\\log\\pi(a|s))` over the last axis."""
    out = (policy * r).sum(axis=-1)
    if temperature > 0.0:
        out = out + temperature * entropy(policy)
    return out


def _kernel_under(policy: Array, kernel: Array) -> Array:
    """:math:`P^\\pi(s,s')=\\sum_a\\pi(a|s)P(s'|s,a)` for ``(S, A)`` and ``(S, A, S)`` inputs."""
    return np.matmul(policy[:, None, :], kernel)[:, 0, :]


def _evaluate(r: Array, kernel: Array, policy: Array, gamma: float, temperature: float) -> Array:
    """Exact :math:`V^{\\pi,\\lambda}=(I-\\gamma P^\\pi)^{-1}r^{\\pi,\\lambda}` of a stationary policy."""
    n = r.shape[0]
    a = np.eye(n) - gamma * _kernel_under(policy, kernel)
    return np.linalg.solve(a, _regularized_reward(r, policy, temperature))


def _q_from_v(r: Array, kernel: Array, v: Array, gamma: float) -> Array:
    s, a = r.shape
    return r + gamma * (kernel.reshape(s * a, s) @ v).reshape(s, a)


# ----------------------------------------------------------------------------------------------
# Stationary game
# ----------------------------------------------------------------------------------------------


def _stationary_best_response(
    game: StationaryMFG,
    mu: Array,
    temperature: float,
    method: str,
    tol: float,
    max_iter: int,
    q_init: Array | None,
) -> BestResponse:
    r = game.reward(mu)
    kernel = game.transition(mu)
    gamma = game.gamma
    if q_init is not None:
        q = np.asarray(q_init, dtype=np.float64)
        if q.shape != r.shape:
            raise ValueError(f"q_init must have shape {r.shape}, got {q.shape}")
    else:
        q = r.copy()
    if method == "value_iteration":
        # Soft Bellman optimality operator, a gamma-contraction in sup norm.
        for it in range(1, max_iter + 1):
            q_new = _q_from_v(r, kernel, _soft_max_value(q, temperature), gamma)
            err = np.abs(q_new - q).max()
            q = q_new
            if err * gamma <= tol * (1.0 - gamma):
                break
        else:
            raise RuntimeError(f"soft value iteration did not reach tol={tol} in {max_iter} sweeps")
    elif method == "policy_iteration":
        # Soft policy iteration (Newton's method on the soft Bellman equation): evaluate exactly,
        # improve by the Boltzmann (greedy for λ = 0) policy of the evaluated Q.
        policy = softmax(q, temperature)
        for it in range(1, max_iter + 1):
            v = _evaluate(r, kernel, policy, gamma, temperature)
            q = _q_from_v(r, kernel, v, gamma)
            gap = np.abs(_soft_max_value(q, temperature) - v).max()
            if gap <= tol * (1.0 - gamma) or gap <= 1e-15 * max(1.0, np.abs(v).max()):
                break
            policy = softmax(q, temperature)
        else:
            raise RuntimeError(f"soft policy iteration did not reach tol={tol} in {max_iter} sweeps")
    else:
        raise ValueError(f"method must be 'policy_iteration' or 'value_iteration', got {method!r}")
    return BestResponse(softmax(q, temperature), q, _soft_max_value(q, temperature), it)


def push_forward(game: StationaryMFG, policy: npt.ArrayLike, mu: npt.ArrayLike) -> Array:
    """:math:`\\Gamma_2(\\pi,\\mu)(s')=\\sum_{s,a}\\mu(s)\\pi(a|s)P(s'|s,a,\\mu)` (001 §2).

    For a finite-horizon game use :func:`flow`.
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError("push_forward needs a StationaryMFG; use flow() for a FiniteHorizonMFG")
    m = game.check_mean_field(mu)
    pi = game.check_policy(policy)
    s, a = pi.shape
    return (m[:, None] * pi).reshape(s * a) @ game.transition(m).reshape(s * a, s)


def induced_mean_field(
    game: StationaryMFG,
    policy: npt.ArrayLike,
    *,
    start: npt.ArrayLike | None = None,
    tol: float = 1e-13,
    max_iter: int = 100_000,
) -> Array:
    """The mean field :math:`\\mu_\\pi` a stationary policy induces: :math:`\\mu=\\Gamma_2(\\pi,\\mu)`.

    Found by iterating :math:`\\mu\\leftarrow\\Gamma_2(\\pi,\\mu)` from ``start`` (default
    ``game.initial``), the population dynamics of 001 §2 run to stationarity. When the kernel
    depends on :math:`\\mu` the fixed point need not be unique (SIS: :math:`\\mu(I)=0` is always
    one); the one reached from ``start`` is returned.

    Raises
    ------
    RuntimeError
        If the iterates do not settle to ``tol`` (in :math:`\\ell_1`) within ``max_iter`` steps, e.g.
        for a periodic chain.
    """
    pi = game.check_policy(policy)
    mu = game.initial.copy() if start is None else game.check_mean_field(start, "start").copy()
    s, a = pi.shape
    fixed = None if game.transition_depends_on_mu else _kernel_under(pi, game.transition(mu))
    for _ in range(max_iter):
        if fixed is None:
            nxt = (mu[:, None] * pi).reshape(s * a) @ game.transition(mu).reshape(s * a, s)
        else:
            nxt = mu @ fixed
        if np.abs(nxt - mu).sum() <= tol:
            return nxt
        mu = nxt
    raise RuntimeError(
        f"mu <- Gamma_2(pi, mu) did not settle to tol={tol} in {max_iter} steps (periodic chain?)"
    )


def visitation(
    game: StationaryMFG, policy: npt.ArrayLike, mu: npt.ArrayLike, rho: npt.ArrayLike | None = None
) -> Array:
    """Discounted visitation :math:`d^\\pi_\\mu(s)=(1-\\gamma)\\sum_t\\gamma^t\\Pr(s_t=s|s_0\\sim\\rho)` (001 §2)."""
    if not isinstance(game, StationaryMFG):
        raise TypeError("visitation needs a StationaryMFG")
    m = game.check_mean_field(mu)
    pi = game.check_policy(policy)
    r0 = game.initial if rho is None else game.check_mean_field(rho, "rho")
    a = np.eye(game.n_states) - game.gamma * _kernel_under(pi, game.transition(m))
    return (1.0 - game.gamma) * np.linalg.solve(a.T, r0)


# ----------------------------------------------------------------------------------------------
# Finite-horizon game
# ----------------------------------------------------------------------------------------------


def flow(game: FiniteHorizonMFG, policy: npt.ArrayLike) -> Array:
    """Mean-field flow a time-indexed policy induces from :math:`\\mu_0` (forward induction).

    :math:`\\mu_{t+1}(s')=\\sum_{s,a}\\mu_t(s)\\pi_t(a|s)P_t(s'|s,a,\\mu_t)`. Returns ``(T, S)``, or
    the joint :math:`L_t=\\mu_t\\pi_t` of shape ``(T, S, A)`` when ``game.coupling == "state_action"``
    (the argument the game's reward and kernel take).
    """
    if not isinstance(game, FiniteHorizonMFG):
        raise TypeError("flow needs a FiniteHorizonMFG")
    pi = game.check_policy(policy)
    t_max, s, a = pi.shape
    mus = np.empty((t_max, s))
    mus[0] = game.initial
    for t in range(t_max - 1):
        arg = game.population_argument(mus[t], pi[t])
        mus[t + 1] = (mus[t][:, None] * pi[t]).reshape(s * a) @ game.transition(t, arg).reshape(
            s * a, s
        )
    if game.coupling == "state":
        return mus
    return mus[:, :, None] * pi


def state_flow(game: FiniteHorizonMFG, m: npt.ArrayLike) -> Array:
    """State marginals ``(T, S)`` of a flow as :func:`flow` returns it."""
    arr = game.check_flow(m)
    return arr if game.coupling == "state" else arr.sum(axis=-1)


def _finite_best_response(game: FiniteHorizonMFG, m: Array, temperature: float) -> BestResponse:
    t_max, s, a = game.horizon, game.n_states, game.n_actions
    q = np.empty((t_max, s, a))
    v = np.empty((t_max, s))
    q[-1] = game.reward(t_max - 1, m[t_max - 1])
    v[-1] = _soft_max_value(q[-1], temperature)
    for t in range(t_max - 2, -1, -1):
        kernel = game.transition(t, m[t]).reshape(s * a, s)
        q[t] = game.reward(t, m[t]) + game.gamma * (kernel @ v[t + 1]).reshape(s, a)
        v[t] = _soft_max_value(q[t], temperature)
    return BestResponse(softmax(q, temperature), q, v, t_max)


def _finite_policy_q(
    game: FiniteHorizonMFG, pi: Array, m: Array, temperature: float
) -> tuple[Array, Array]:
    t_max, s, a = pi.shape
    q = np.empty((t_max, s, a))
    v = np.empty((t_max, s))
    q[-1] = game.reward(t_max - 1, m[t_max - 1])
    v[-1] = _regularized_reward(q[-1], pi[-1], temperature)
    for t in range(t_max - 2, -1, -1):
        kernel = game.transition(t, m[t]).reshape(s * a, s)
        q[t] = game.reward(t, m[t]) + game.gamma * (kernel @ v[t + 1]).reshape(s, a)
        v[t] = _regularized_reward(q[t], pi[t], temperature)
    return q, v


# ----------------------------------------------------------------------------------------------
# Both
# ----------------------------------------------------------------------------------------------


def best_response(
    game: Game,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    method: Literal["policy_iteration", "value_iteration"] = "policy_iteration",
    tol: float = 1e-12,
    max_iter: int = 10_000,
    q_init: npt.ArrayLike | None = None,
) -> BestResponse:
    """Regularized best response :math:`\\Gamma_1^\\lambda(\\mu)` (001 §2), exactly.

    Parameters
    ----------
    game
        A :class:`StationaryMFG` (``mu`` of shape ``(S,)``) or a :class:`FiniteHorizonMFG` (``mu`` a
        flow as :func:`flow` returns it; solved by backward induction, ``method`` etc. unused).
    mu
        The mean field the agent responds to.
    temperature
        Entropy weight :math:`\\lambda\\ge0`; ``0`` gives the greedy best response (ties split evenly).
    method
        Stationary game only: ``"policy_iteration"`` (soft policy iteration, Newton's method on the
        soft Bellman equation; the default, a few sweeps) or ``"value_iteration"`` (soft value
        iteration, a :math:`\\gamma`-contraction).
    tol
        Stationary game: stop when the sup-norm error bound on :math:`V^\\star` is below ``tol``.
    max_iter
        Maximum number of sweeps.
    q_init
        Warm start for the soft Q-function (stationary game).
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        q0 = None if q_init is None else np.asarray(q_init, dtype=np.float64)
        return _stationary_best_response(game, m, lam, method, tol, max_iter, q0)
    if isinstance(game, FiniteHorizonMFG):
        return _finite_best_response(game, game.check_flow(mu), lam)
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")


def mean_field_map(game: Game, mu: npt.ArrayLike, temperature: float = 0.0, **kwargs: object) -> Array:
    """:math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (001 §2).

    For a finite-horizon game: the flow of :math:`\\Gamma_1^\\lambda(\\mu)` from :math:`\\mu_0`.
    Keyword arguments go to :func:`best_response`.
    """
    br = best_response(game, mu, temperature, **kwargs)  # type: ignore[arg-type]
    if isinstance(game, StationaryMFG):
        return push_forward(game, br.policy, mu)
    return flow(game, br.policy)


def policy_value(
    game: Game, policy: npt.ArrayLike, mu: npt.ArrayLike, temperature: float = 0.0
) -> Array:
    """(Soft) value :math:`V^{\\pi,\\lambda}_\\mu` of a policy against a fixed mean field, exactly.

    Stationary: the linear solve :math:`(I-\\gamma P^\\pi_\\mu)V=r^{\\pi,\\lambda}_\\mu`, ``(S,)``.
    Finite horizon: backward induction, ``(T, S)``.
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        pi = game.check_policy(policy)
        return _evaluate(game.reward(m), game.transition(m), pi, game.gamma, lam)
    if isinstance(game, FiniteHorizonMFG):
        return _finite_policy_q(game, game.check_policy(policy), game.check_flow(mu), lam)[1]
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")


def policy_q(
    game: Game, policy: npt.ArrayLike, mu: npt.ArrayLike, temperature: float = 0.0
) -> Array:
    """Soft Q-function :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`.

    The shifted Q-function of 001 §2 is ``policy_q - temperature * log(policy)``.
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        pi = game.check_policy(policy)
        r, kernel = game.reward(m), game.transition(m)
        return _q_from_v(r, kernel, _evaluate(r, kernel, pi, game.gamma, lam), game.gamma)
    if isinstance(game, FiniteHorizonMFG):
        return _finite_policy_q(game, game.check_policy(policy), game.check_flow(mu), lam)[0]
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")
