"""Iterative solvers for the (regularized) Nash equilibrium of a finite MFG, on one small base.

Every solver is an :class:`IterativeSolver`: ``init_state(game, policy)`` and ``step(game, state)``,
as in mfglib's ``Iterative`` algorithms, and :meth:`IterativeSolver.solve` runs the loop and records
the iterates, the exploitability of each iterate at the solver's temperature
(:func:`~mfcode.mfg.exploitability.exploitability`) and the cumulative step time. They work on a
:class:`~mfcode.mfg.model.StationaryMFG` (the paper's game; mean fields are stationary
distributions :math:`\\mu_\\pi` of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)`) and on a
:class:`~mfcode.mfg.model.FiniteHorizonMFG` (mean fields are flows from :math:`\\mu_0`).

- :class:`FixedPoint` -- damped exact iteration
  :math:`\\pi_k=\\Gamma_1^\\lambda(\\mu_k)`, :math:`\\mu_{k+1}=(1-\\alpha)\\mu_k+\\alpha\\Lambda^\\lambda(\\mu_k)`;
  with :math:`\\alpha=1` the exact iteration of 001 §2 ("Banach ... linear convergence") when
  :math:`\\Lambda^\\lambda` contracts (Lemma 6).
- :class:`FictitiousPlay` -- Perrin et al. (2020) with mfglib's damping: best response to the mean field
  of the average policy, averaged with weights :math:`\\mu`
  (:math:`\\bar\\pi\\leftarrow\\frac{(1-\\alpha_k)\\mu\\bar\\pi+\\alpha_k\\mu_{br}\\pi_{br}}{(1-\\alpha_k)\\mu+\\alpha_k\\mu_{br}}`,
  :math:`\\alpha_k=1/(k+2)` when ``alpha=0``).
- :class:`OnlineMirrorDescent` -- Pérolat et al. (2022):
  :math:`y\\leftarrow(1-\\alpha\\lambda)y+\\alpha Q^{\\pi,\\lambda}_{\\mu_\\pi}`, :math:`\\pi=\\mathrm{softmax}(y)`;
  the factor :math:`1-\\alpha\\lambda` is the entropy-regularized mirror step of Cen et al. (2022) [001:14],
  whose fixed points are exactly the regularized NE; at :math:`\\lambda=0` it is mfglib's update.
- :func:`solve_equilibrium` -- the exact regularized NE of a stationary game (Definition 1) by the
  fixed-point iteration on :math:`\\mu` accelerated with Anderson mixing (Walker & Ni 2011), each
  best response warm-started from the previous soft Q-function; iterates are projected back onto the
  simplex.
- :class:`PriorDescent` -- Boltzmann iteration of Cui & Koeppl (2021) [001:16]:
  :math:`\\pi\\propto q\\,\\exp(Q^{\\star,\\lambda}_{\\mu_\\pi}/\\eta)` with prior :math:`q` reset to the current
  policy every ``n_inner`` steps (mfglib's ``PriorDescent`` at :math:`\\lambda=0`).

Cost. On a finite-horizon game the expensive part of a step is evaluating the kernels
:math:`P_t(\\cdot|\\cdot,\\cdot,\\mu_t)` along a flow. A solver state carries the
:class:`~mfcode.mfg.operators.Dynamics` of its own flow (:func:`~mfcode.mfg.operators.flow_dynamics`),
so the next step's best response or Q-function and the exploitability recorded by
:meth:`IterativeSolver.solve` reuse them: every kernel is evaluated once per flow, i.e. one flow per
step for the fixed point, mirror descent and prior descent, two for fictitious play (the best
response's own flow weights the average).

With ``temperature=0`` each solver reproduces the corresponding mfglib 0.3.0 algorithm iterate by
iterate on a finite-horizon game (``tests/test_mfg_mfglib.py``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.model import FiniteHorizonMFG, StationaryMFG
from mfcode.mfg.operators import (
    Dynamics,
    Game,
    _push,
    best_response,
    dynamics_at,
    flow,
    flow_dynamics,
    induced_mean_field,
    policy_q,
    state_flow,
)
from mfcode.simplex import Array, project, softmax

__all__ = [
    "Equilibrium",
    "FictitiousPlay",
    "FixedPoint",
    "IterativeSolver",
    "MirrorState",
    "OnlineMirrorDescent",
    "PriorDescent",
    "SolverResult",
    "SolverState",
    "induced",
    "solve_equilibrium",
    "uniform_policy",
]


def uniform_policy(game: Game) -> Array:
    """The uniform policy, ``(S, A)`` or ``(T, S, A)``."""
    shape: tuple[int, ...] = (game.n_states, game.n_actions)
    if isinstance(game, FiniteHorizonMFG):
        shape = (game.horizon,) + shape
    return np.full(shape, 1.0 / game.n_actions)


def induced(game: Game, policy: Array, start: Array | None = None) -> Array:
    """The mean field ``policy`` generates: :func:`induced_mean_field` (from ``start``) or :func:`flow`."""
    if isinstance(game, StationaryMFG):
        return induced_mean_field(game, policy, start=start)
    return flow(game, policy)


def _induced_dynamics(game: Game, policy: Array, start: Array | None = None) -> tuple[Array, Dynamics | None]:
    """:func:`induced` and, for a finite horizon, the :class:`Dynamics` along the flow (``None`` otherwise)."""
    if isinstance(game, StationaryMFG):
        return induced_mean_field(game, policy, start=start), None
    return flow_dynamics(game, policy)


def _next_induced(game: Game, policy: Array, state: SolverState) -> tuple[Array, Dynamics | None]:
    """:func:`_induced_dynamics` of the next iterate, recycling the arrays of ``state.dynamics``.

    The state's dynamics are then dropped from it (set to ``None``): they describe the new flow.
    """
    if isinstance(game, StationaryMFG):
        return induced_mean_field(game, policy, start=state.mean_field), None
    out, state.dynamics = state.dynamics, None
    return flow_dynamics(game, policy, out=out)


def _dynamics_of(game: Game, state: SolverState) -> Dynamics:
    """Rewards and kernels at ``state.mean_field``: the ones the state carries, else evaluated."""
    return dynamics_at(game, state.mean_field) if state.dynamics is None else state.dynamics


def _start(game: Game, state: SolverState) -> Array | None:
    """Where the stationary population dynamics of the next iterate start: the current mean field."""
    return state.mean_field if isinstance(game, StationaryMFG) else None


def _state_marginal(game: Game, m: Array) -> Array:
    """``(S,)`` or ``(T, S)`` state distribution of a mean field as :func:`induced` returns it."""
    return m if isinstance(game, StationaryMFG) else state_flow(game, m)


@dataclass
class SolverResult:
    """Output of :meth:`IterativeSolver.solve`.

    Attributes
    ----------
    policies
        Iterates :math:`\\pi_0,\\pi_1,\\dots` (``policies[0]`` is the initial policy).
    exploitability
        Exploitability of each iterate at the scoring temperature of :meth:`IterativeSolver.solve`
        (by default the solver's own temperature).
    times
        Cumulative wall time of the solver steps (scoring excluded), ``times[0] = 0``.
    mean_fields
        The mean field each state carried after each step (the solver's own :math:`\\mu_k`).
    """

    policies: list[Array]
    exploitability: Array
    times: Array
    mean_fields: list[Array] = field(default_factory=list)

    @property
    def policy(self) -> Array:
        """The last iterate."""
        return self.policies[-1]


@dataclass
class SolverState:
    """Iterate of a solver (public so that other solver semantics, e.g. OpenSpiel's, can subclass it).

    ``dynamics``, when not ``None``, holds the rewards and kernels at ``mean_field``, which is then
    the flow ``policy`` induces (finite horizon); ``solve`` scores the iterate with them. A step
    hands their arrays on to the next iterate (and sets the field of the state it was given to
    ``None``), so that a run allocates the kernels of a flow once.
    """

    policy: Array
    mean_field: Array
    iteration: int = 0
    dynamics: Dynamics | None = None


S = TypeVar("S", bound=SolverState)


class IterativeSolver(ABC, Generic[S]):
    """Base class: subclasses implement :meth:`init_state` and :meth:`step`."""

    temperature: float

    @abstractmethod
    def init_state(self, game: Game, policy: Array) -> S:
        """State before the first step, from an initial policy."""

    @abstractmethod
    def step(self, game: Game, state: S) -> S:
        """One iteration."""

    def solve(
        self,
        game: Game,
        policy: npt.ArrayLike | None = None,
        *,
        max_iter: int = 100,
        atol: float | None = None,
        progress: bool = False,
        score_temperature: float | None = None,
    ) -> SolverResult:
        """Run up to ``max_iter`` steps from ``policy`` (uniform by default).

        Every iterate is scored by its exploitability at ``score_temperature`` (default: the
        solver's own ``temperature``; e.g. 0 scores a regularized solver by the unregularized
        exploitability, App. D of 001). Stops early when that drops to ``atol`` or below.
        """
        if not isinstance(max_iter, int) or max_iter < 0:
            raise ValueError(f"max_iter must be a non-negative integer, got {max_iter!r}")
        if atol is not None and not atol >= 0:
            raise ValueError(f"atol must be >= 0, got {atol!r}")
        if score_temperature is None:
            score_temperature = self.temperature
        elif not isinstance(score_temperature, (int, float)) or not score_temperature >= 0:
            raise ValueError(f"score_temperature must be a number >= 0 or None, got {score_temperature!r}")
        pi0 = uniform_policy(game) if policy is None else game.check_policy(policy, "policy").copy()
        state = self.init_state(game, pi0)
        policies, mean_fields = [state.policy], [state.mean_field]
        expl = [_score(game, state, score_temperature)]
        times = [0.0]
        elapsed = 0.0
        for _ in tqdm(range(max_iter), disable=not progress, desc=type(self).__name__):
            if atol is not None and expl[-1] <= atol:
                break
            t0 = time.perf_counter()
            state = self.step(game, state)
            elapsed += time.perf_counter() - t0
            policies.append(state.policy)
            mean_fields.append(state.mean_field)
            expl.append(_score(game, state, score_temperature))
            times.append(elapsed)
        return SolverResult(policies, np.array(expl), np.array(times), mean_fields)


def _score(game: Game, state: SolverState, temperature: float) -> float:
    """Exploitability of ``state.policy``, against its own flow's dynamics when the state carries them."""
    if state.dynamics is None:
        return exploitability(game, state.policy, temperature)
    return exploitability(game, state.policy, temperature, mean_field=state.mean_field, dynamics=state.dynamics)


def _check_temperature(temperature: float) -> None:
    if not isinstance(temperature, (int, float)) or not temperature >= 0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")


@dataclass
class _FixedPointState(SolverState):
    q: Array | None = None


@dataclass(frozen=True)
class FixedPoint(IterativeSolver[_FixedPointState]):
    """Damped exact fixed-point iteration on the mean field.

    Parameters
    ----------
    temperature
        :math:`\\lambda` of :math:`\\Gamma_1^\\lambda`.
    damping
        :math:`\\alpha\\in(0,1]`; 1 is the undamped iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)`.
    """

    temperature: float = 0.0
    damping: float = 1.0

    def __post_init__(self) -> None:
        _check_temperature(self.temperature)
        if not (isinstance(self.damping, (int, float)) and 0.0 < self.damping <= 1.0):
            raise ValueError(f"damping must lie in (0, 1], got {self.damping!r}")

    def init_state(self, game: Game, policy: Array) -> _FixedPointState:
        m, dyn = _induced_dynamics(game, policy)
        return _FixedPointState(policy, m, dynamics=dyn)

    def step(self, game: Game, state: _FixedPointState) -> _FixedPointState:
        mu = state.mean_field
        dyn = _dynamics_of(game, state)
        target_dyn: Dynamics | None = None
        if isinstance(game, StationaryMFG):
            br = best_response(game, mu, self.temperature, q_init=state.q, dynamics=dyn)
            target = _push(mu, br.policy, dyn.kernel)
        else:
            br = best_response(game, mu, self.temperature, dynamics=dyn)
            target, target_dyn = _next_induced(game, br.policy, state)
        if self.damping == 1.0:
            return _FixedPointState(br.policy, target, state.iteration + 1, target_dyn, br.q)
        nxt = (1.0 - self.damping) * mu + self.damping * target
        return _FixedPointState(br.policy, nxt, state.iteration + 1, None, br.q)


@dataclass(frozen=True)
class FictitiousPlay(IterativeSolver[SolverState]):
    """Fictitious play with the distribution-weighted average policy (mfglib's ``FictitiousPlay``).

    Parameters
    ----------
    temperature
        :math:`\\lambda` of the best responses.
    alpha
        Averaging weight in :math:`[0,1]`; 0 means :math:`\\alpha_k=1/(k+2)` (plain fictitious play).
    """

    temperature: float = 0.0
    alpha: float = 0.0

    def __post_init__(self) -> None:
        _check_temperature(self.temperature)
        if not (isinstance(self.alpha, (int, float)) and 0.0 <= self.alpha <= 1.0):
            raise ValueError(f"alpha must lie in [0, 1], got {self.alpha!r}")

    def init_state(self, game: Game, policy: Array) -> SolverState:
        m, dyn = _induced_dynamics(game, policy)
        return SolverState(policy, m, dynamics=dyn)

    def step(self, game: Game, state: SolverState) -> SolverState:
        m = state.mean_field
        br = best_response(game, m, self.temperature, dynamics=state.dynamics)
        m_br = induced(game, br.policy, _start(game, state))
        w = self.alpha if self.alpha else 1.0 / (state.iteration + 2)
        mu = _state_marginal(game, m)[..., None]
        mu_br = _state_marginal(game, m_br)[..., None]
        num = (1.0 - w) * mu * state.policy + w * mu_br * br.policy
        den = (1.0 - w) * mu + w * mu_br
        with np.errstate(invalid="ignore", divide="ignore"):
            pi = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / game.n_actions)
        m_pi, dyn = _next_induced(game, pi, state)
        return SolverState(pi, m_pi, state.iteration + 1, dyn)


@dataclass
class MirrorState(SolverState):
    """Iterate of mirror descent: the policy plus the accumulated (regularized) Q-values ``y``."""

    y: Array = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class OnlineMirrorDescent(IterativeSolver[MirrorState]):
    """Online mirror descent on the soft Q-function of the current policy.

    Parameters
    ----------
    temperature
        :math:`\\lambda`; requires :math:`\\alpha\\lambda\\le1`.
    alpha
        Learning rate :math:`\\alpha>0`.
    """

    temperature: float = 0.0
    alpha: float = 1.0

    def __post_init__(self) -> None:
        _check_temperature(self.temperature)
        if not (isinstance(self.alpha, (int, float)) and self.alpha > 0):
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        if self.alpha * self.temperature > 1.0:
            raise ValueError("alpha * temperature must be <= 1 (regularized mirror step)")

    def init_state(self, game: Game, policy: Array) -> MirrorState:
        with np.errstate(divide="ignore"):
            y = np.log(policy)
        m, dyn = _induced_dynamics(game, policy)
        return MirrorState(policy, m, 0, dyn, y)

    def step(self, game: Game, state: MirrorState) -> MirrorState:
        q = policy_q(game, state.policy, state.mean_field, self.temperature, dynamics=state.dynamics)
        y = (1.0 - self.alpha * self.temperature) * state.y + self.alpha * q
        pi = softmax(y)
        m, dyn = _next_induced(game, pi, state)
        return MirrorState(pi, m, state.iteration + 1, dyn, y)


@dataclass
class _PriorState(SolverState):
    prior: Array = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class PriorDescent(IterativeSolver[_PriorState]):
    """Boltzmann iteration with a prior (mfglib's ``PriorDescent``; GMF-V when ``n_inner is None``).

    Parameters
    ----------
    temperature
        :math:`\\lambda` of the optimal soft Q-function used.
    eta
        Boltzmann temperature :math:`\\eta>0`.
    n_inner
        Reset the prior to the current policy every ``n_inner`` steps (``None``: never).
    """

    temperature: float = 0.0
    eta: float = 1.0
    n_inner: int | None = None

    def __post_init__(self) -> None:
        _check_temperature(self.temperature)
        if not (isinstance(self.eta, (int, float)) and self.eta > 0):
            raise ValueError(f"eta must be > 0, got {self.eta!r}")
        if self.n_inner is not None and (not isinstance(self.n_inner, int) or self.n_inner < 1):
            raise ValueError(f"n_inner must be None or a positive integer, got {self.n_inner!r}")

    def init_state(self, game: Game, policy: Array) -> _PriorState:
        m, dyn = _induced_dynamics(game, policy)
        return _PriorState(policy, m, 0, dyn, policy.copy())

    def step(self, game: Game, state: _PriorState) -> _PriorState:
        q = best_response(game, state.mean_field, self.temperature, dynamics=state.dynamics).q
        with np.errstate(divide="ignore"):
            logits = np.log(state.prior) + q / self.eta
        pi = softmax(logits)
        prior = pi.copy() if self.n_inner and (state.iteration + 2) % self.n_inner == 0 else state.prior
        m, dyn = _next_induced(game, pi, state)
        return _PriorState(pi, m, state.iteration + 1, dyn, prior)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """Output of :func:`solve_equilibrium`.

    Attributes
    ----------
    policy, mean_field
        :math:`(\\pi^\\star,\\mu^\\star)` with :math:`\\pi^\\star=\\Gamma_1^\\lambda(\\mu^\\star)`.
    q
        Optimal soft Q-function at :math:`\\mu^\\star`.
    residuals
        :math:`\\|\\Lambda^\\lambda(\\mu_k)-\\mu_k\\|_1` per iteration.
    """

    policy: Array
    mean_field: Array
    q: Array
    residuals: Array

    @property
    def iterations(self) -> int:
        """Number of evaluations of :math:`\\Lambda^\\lambda`."""
        return int(self.residuals.size)


def solve_equilibrium(
    game: StationaryMFG,
    temperature: float,
    *,
    start: npt.ArrayLike | None = None,
    tol: float = 1e-12,
    max_iter: int = 500,
    memory: int = 0,
) -> Equilibrium:
    """Regularized NE of a stationary MFG: a root of :math:`\\Lambda^\\lambda(\\mu)-\\mu`.

    Parameters
    ----------
    game
        Stationary MFG.
    temperature
        :math:`\\lambda\\ge0`.
    start
        Initial mean field (default ``game.initial``).
    tol
        Stop when :math:`\\|\\Lambda^\\lambda(\\mu)-\\mu\\|_1\\le` ``tol``.
    max_iter
        Maximum number of evaluations of :math:`\\Lambda^\\lambda`.
    memory
        Anderson depth; 0 is the plain exact iteration :math:`\\mu\\leftarrow\\Lambda^\\lambda(\\mu)`.

    Raises
    ------
    RuntimeError
        If ``tol`` is not reached (e.g. :math:`\\Lambda^\\lambda` far from contractive).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError("solve_equilibrium needs a StationaryMFG")
    _check_temperature(temperature)
    if not isinstance(memory, int) or memory < 0:
        raise ValueError(f"memory must be a non-negative integer, got {memory!r}")
    mu = game.initial.copy() if start is None else game.check_mean_field(start, "start").copy()
    q: Array | None = None
    xs: list[Array] = []
    fs: list[Array] = []
    residuals: list[float] = []
    for _ in range(max_iter):
        dyn = dynamics_at(game, mu)
        br = best_response(game, mu, temperature, q_init=q, dynamics=dyn)
        q = br.q
        f = _push(mu, br.policy, dyn.kernel) - mu
        residuals.append(float(np.abs(f).sum()))
        if residuals[-1] <= tol:
            return Equilibrium(br.policy, mu, br.q, np.array(residuals))
        xs.append(mu)
        fs.append(f)
        xs, fs = xs[-(memory + 1) :], fs[-(memory + 1) :]
        if len(xs) > 1:
            d_f = np.diff(np.array(fs), axis=0).T
            d_x = np.diff(np.array(xs), axis=0).T
            coef, *_ = np.linalg.lstsq(d_f, f, rcond=None)
            nxt = mu + f - (d_x + d_f) @ coef
        else:
            nxt = mu + f
        mu = project(nxt)
    raise RuntimeError(f"no regularized NE to tol={tol} in {max_iter} iterations (Lambda not contractive?)")
