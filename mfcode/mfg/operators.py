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

Evaluating the model at a mean field -- the rewards :math:`r_t(\\cdot,\\cdot,\\mu_t)` and above all the
kernels :math:`P_t(\\cdot|\\cdot,\\cdot,\\mu_t)` -- is the expensive part of every operator. A
:class:`Dynamics` holds them for one mean field (flow): :func:`dynamics_at` evaluates them,
:func:`flow_dynamics` records them while it runs the forward induction, and every operator that
works against a fixed mean field takes them through its ``dynamics`` argument instead of
re-evaluating the game. The solvers use this to evaluate each kernel once per flow.
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
    "Dynamics",
    "Game",
    "best_response",
    "dynamics_at",
    "flow",
    "flow_dynamics",
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


@dataclass(frozen=True, eq=False)
class Dynamics:
    """Rewards and kernels of a game evaluated at one mean field (a flow for a finite horizon).

    Attributes
    ----------
    reward
        :math:`r(\\cdot,\\cdot,\\mu)`, ``(S, A)``; finite horizon: :math:`r_t(\\cdot,\\cdot,\\mu_t)`,
        ``(T, S, A)``.
    kernel
        :math:`P(\\cdot|\\cdot,\\cdot,\\mu)`, ``(S, A, S)``; finite horizon: the ``T - 1`` kernels
        :math:`P_t(\\cdot|\\cdot,\\cdot,\\mu_t)`, ``t < T - 1``, each ``(S, A, S)``, as the game
        returned them, or copies in arrays of its own (a tuple, not a stacked array).
    owned
        Whether the arrays belong to this object (copies made by :func:`flow_dynamics`), so that a
        later :func:`flow_dynamics` may overwrite them (``out=``) instead of allocating new ones.
    """

    reward: Array
    kernel: Array | tuple[Array, ...]
    owned: bool = False


def _check_temperature(temperature: float) -> float:
    if not isinstance(temperature, (int, float, np.floating)) or not temperature >= 0.0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
    return float(temperature)


def _check_dynamics(game: Game, dynamics: object) -> Dynamics:
    """``dynamics`` if it is a :class:`Dynamics` of the game's shapes."""
    if not isinstance(dynamics, Dynamics):
        raise TypeError(f"dynamics must be a Dynamics, got {type(dynamics).__name__}")
    s, a = game.n_states, game.n_actions
    if isinstance(game, StationaryMFG):
        shapes = [(s, a), (s, a, s)]
        got = [np.shape(dynamics.reward), np.shape(dynamics.kernel)]
    else:
        shapes = [(game.horizon, s, a)] + [(s, a, s)] * (game.horizon - 1)
        got = [np.shape(dynamics.reward)] + [np.shape(k) for k in dynamics.kernel]
    if got != shapes:
        raise ValueError(f"dynamics must hold arrays of shapes {shapes}, got {got}")
    return dynamics


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
    dyn: Dynamics,
    temperature: float,
    method: str,
    tol: float,
    max_iter: int,
    q_init: Array | None,
) -> BestResponse:
    r, kernel = dyn.reward, dyn.kernel
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
    return _push(m, pi, game.transition(m))


def _push(mu: Array, policy: Array, kernel: Array) -> Array:
    """:math:`\\sum_{s,a}\\mu(s)\\pi(a|s)P(\\cdot|s,a)` for ``(S,)``, ``(S, A)``, ``(S, A, S)`` inputs."""
    s, a = policy.shape
    return (mu[:, None] * policy).reshape(s * a) @ kernel.reshape(s * a, s)


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
    (the argument the game's reward and kernel take). :func:`flow_dynamics` also returns the
    rewards and kernels met on the way.
    """
    if not isinstance(game, FiniteHorizonMFG):
        raise TypeError("flow needs a FiniteHorizonMFG")
    return _forward(game, game.check_policy(policy), None, None)


def flow_dynamics(
    game: FiniteHorizonMFG, policy: npt.ArrayLike, *, out: Dynamics | None = None
) -> tuple[Array, Dynamics]:
    """:func:`flow` of ``policy`` and the :class:`Dynamics` at that flow, each kernel evaluated once.

    The forward induction needs :math:`P_t(\\cdot|\\cdot,\\cdot,\\mu_t)` anyway; keeping it lets the
    best response, the policy's own Q-function and its exploitability against the same flow run
    without evaluating the game again.

    Parameters
    ----------
    game, policy
        As in :func:`flow`.
    out
        Dynamics of the same game that are no longer needed (a solver's previous iterate's). When
        they own their arrays, the rewards and kernels are copied into them and ``out`` is returned
        (overwritten), which spares allocating -- and page-faulting -- the memory of ``T - 1``
        kernels at every flow; otherwise, and when ``out`` is ``None``, new arrays are allocated.
    """
    if not isinstance(game, FiniteHorizonMFG):
        raise TypeError("flow_dynamics needs a FiniteHorizonMFG")
    if out is not None and _check_dynamics(game, out).owned:
        dyn = out
    else:
        shape = (game.n_states, game.n_actions, game.n_states)
        dyn = Dynamics(
            np.empty((game.horizon, game.n_states, game.n_actions)),
            tuple(np.empty(shape) for _ in range(game.horizon - 1)),
            owned=True,
        )
    m = _forward(game, game.check_policy(policy), dyn.reward, dyn.kernel)  # type: ignore[arg-type]
    return m, dyn


def _forward(
    game: FiniteHorizonMFG, pi: Array, rewards: Array | None, kernels: tuple[Array, ...] | None
) -> Array:
    """Forward induction; fills ``rewards`` and copies the kernels into ``kernels`` when given."""
    t_max = pi.shape[0]
    mus = np.empty(pi.shape[:2])
    mus[0] = game.initial
    for t in range(t_max):
        arg = game.population_argument(mus[t], pi[t])
        if rewards is not None:
            rewards[t] = game.reward(t, arg)
        if t == t_max - 1:
            break
        kernel = game.transition(t, arg)
        if kernels is not None:
            np.copyto(kernels[t], kernel)
        mus[t + 1] = _push(mus[t], pi[t], kernel)
    if game.coupling == "state":
        return mus
    return mus[:, :, None] * pi


def dynamics_at(game: Game, mu: npt.ArrayLike) -> Dynamics:
    """Rewards and kernels of ``game`` at the mean field ``mu`` (``(S,)``, or a flow as :func:`flow` returns it)."""
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        return Dynamics(game.reward(m), game.transition(m))
    if isinstance(game, FiniteHorizonMFG):
        m = game.check_flow(mu)
        t_max = game.horizon
        reward = np.stack([game.reward(t, m[t]) for t in range(t_max)])
        return Dynamics(reward, tuple(game.transition(t, m[t]) for t in range(t_max - 1)))
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")


def state_flow(game: FiniteHorizonMFG, m: npt.ArrayLike) -> Array:
    """State marginals ``(T, S)`` of a flow as :func:`flow` returns it."""
    arr = game.check_flow(m)
    return arr if game.coupling == "state" else arr.sum(axis=-1)


def _finite_best_response(game: FiniteHorizonMFG, dyn: Dynamics, temperature: float) -> BestResponse:
    t_max, s, a = game.horizon, game.n_states, game.n_actions
    q = np.empty((t_max, s, a))
    v = np.empty((t_max, s))
    q[-1] = dyn.reward[-1]
    v[-1] = _soft_max_value(q[-1], temperature)
    for t in range(t_max - 2, -1, -1):
        np.matmul(dyn.kernel[t].reshape(s * a, s), v[t + 1], out=q[t].reshape(s * a))
        q[t] *= game.gamma
        q[t] += dyn.reward[t]
        v[t] = _soft_max_value(q[t], temperature)
    return BestResponse(softmax(q, temperature), q, v, t_max)


def _finite_policy_q(game: FiniteHorizonMFG, pi: Array, dyn: Dynamics, temperature: float) -> tuple[Array, Array]:
    t_max, s, a = pi.shape
    q = np.empty((t_max, s, a))
    v = np.empty((t_max, s))
    q[-1] = dyn.reward[-1]
    v[-1] = _regularized_reward(q[-1], pi[-1], temperature)
    for t in range(t_max - 2, -1, -1):
        np.matmul(dyn.kernel[t].reshape(s * a, s), v[t + 1], out=q[t].reshape(s * a))
        q[t] *= game.gamma
        q[t] += dyn.reward[t]
        v[t] = _regularized_reward(q[t], pi[t], temperature)
    return q, v


def _finite_gap(game: FiniteHorizonMFG, pi: Array, dyn: Dynamics, temperature: float) -> Array:
    """:math:`V^{\\star,\\lambda}_0-V^{\\pi,\\lambda}_0`, ``(S,)``: both backward inductions in one pass over the kernels."""
    t_max, s, a = pi.shape
    v = np.empty((s, 2))
    q = np.empty((s, a, 2))
    r = dyn.reward[-1]
    v[:, 0] = _soft_max_value(r, temperature)
    v[:, 1] = _regularized_reward(r, pi[-1], temperature)
    for t in range(t_max - 2, -1, -1):
        np.matmul(dyn.kernel[t].reshape(s * a, s), v, out=q.reshape(s * a, 2))
        q *= game.gamma
        q += dyn.reward[t][..., None]
        v[:, 0] = _soft_max_value(q[..., 0], temperature)
        v[:, 1] = _regularized_reward(q[..., 1], pi[t], temperature)
    return v[:, 0] - v[:, 1]


# ----------------------------------------------------------------------------------------------
# Both
# ----------------------------------------------------------------------------------------------


def _dynamics_for(game: Game, m: Array, dynamics: Dynamics | None) -> Dynamics:
    """``dynamics`` checked against the game, or the game evaluated at the (checked) mean field ``m``."""
    return dynamics_at(game, m) if dynamics is None else _check_dynamics(game, dynamics)


def best_response(
    game: Game,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    method: Literal["policy_iteration", "value_iteration"] = "policy_iteration",
    tol: float = 1e-12,
    max_iter: int = 10_000,
    q_init: npt.ArrayLike | None = None,
    dynamics: Dynamics | None = None,
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
    dynamics
        The game's rewards and kernels at ``mu`` (:func:`dynamics_at`, :func:`flow_dynamics`), if
        already known; ``None`` evaluates them.
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        q0 = None if q_init is None else np.asarray(q_init, dtype=np.float64)
        return _stationary_best_response(game, _dynamics_for(game, m, dynamics), lam, method, tol, max_iter, q0)
    if isinstance(game, FiniteHorizonMFG):
        return _finite_best_response(game, _dynamics_for(game, game.check_flow(mu), dynamics), lam)
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")


def mean_field_map(game: Game, mu: npt.ArrayLike, temperature: float = 0.0, **kwargs: object) -> Array:
    """:math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (001 §2).

    For a finite-horizon game: the flow of :math:`\\Gamma_1^\\lambda(\\mu)` from :math:`\\mu_0`.
    Keyword arguments go to :func:`best_response`.
    """
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        dyn = kwargs.pop("dynamics", None) or dynamics_at(game, m)
        br = best_response(game, m, temperature, dynamics=dyn, **kwargs)  # type: ignore[arg-type]
        return _push(m, br.policy, dyn.kernel)  # type: ignore[union-attr]
    br = best_response(game, mu, temperature, **kwargs)  # type: ignore[arg-type]
    return flow(game, br.policy)


def policy_value(
    game: Game,
    policy: npt.ArrayLike,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    dynamics: Dynamics | None = None,
) -> Array:
    """(Soft) value :math:`V^{\\pi,\\lambda}_\\mu` of a policy against a fixed mean field, exactly.

    Stationary: the linear solve :math:`(I-\\gamma P^\\pi_\\mu)V=r^{\\pi,\\lambda}_\\mu`, ``(S,)``.
    Finite horizon: backward induction, ``(T, S)``. ``dynamics`` as in :func:`best_response`.
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        pi = game.check_policy(policy)
        dyn = _dynamics_for(game, m, dynamics)
        return _evaluate(dyn.reward, dyn.kernel, pi, game.gamma, lam)
    if isinstance(game, FiniteHorizonMFG):
        pi = game.check_policy(policy)
        return _finite_policy_q(game, pi, _dynamics_for(game, game.check_flow(mu), dynamics), lam)[1]
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")


def policy_q(
    game: Game,
    policy: npt.ArrayLike,
    mu: npt.ArrayLike,
    temperature: float = 0.0,
    *,
    dynamics: Dynamics | None = None,
) -> Array:
    """Soft Q-function :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`.

    The shifted Q-function of 001 §2 is ``policy_q - temperature * log(policy)``. ``dynamics`` as in
    :func:`best_response`.
    """
    lam = _check_temperature(temperature)
    if isinstance(game, StationaryMFG):
        m = game.check_mean_field(mu)
        pi = game.check_policy(policy)
        dyn = _dynamics_for(game, m, dynamics)
        v = _evaluate(dyn.reward, dyn.kernel, pi, game.gamma, lam)
        return _q_from_v(dyn.reward, dyn.kernel, v, game.gamma)
    if isinstance(game, FiniteHorizonMFG):
        pi = game.check_policy(policy)
        return _finite_policy_q(game, pi, _dynamics_for(game, game.check_flow(mu), dynamics), lam)[0]
    raise TypeError(f"game must be a StationaryMFG or FiniteHorizonMFG, got {type(game).__name__}")
