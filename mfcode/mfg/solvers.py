"""Iterative solvers for the (regularized) Nash equilibrium of any finite MFG, on one small base.

Every solver is an :class:`IterativeSolver`: ``init_state(game, policy)`` and
``step(game, state) -> new state``, as mfglib's ``Iterative`` algorithms (``step_next_state``); a
step never modifies the state it is given. :meth:`IterativeSolver.solve` runs the loop and records
the iterates, the exploitability of each iterate (:func:`~mfcode.mfg.exploitability.exploitability`)
and the cumulative step time. Written once against :class:`~mfcode.mfg.protocol.MeanFieldGame`,
they run on the paper's stationary game (mean fields are stationary distributions
:math:`\\mu_\\pi` of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)`), on finite-horizon games (flows from
:math:`\\mu_0`) and on OpenSpiel's games as its evaluators compute them.

- :class:`FixedPoint` -- damped exact iteration
  :math:`\\pi_k=\\mathrm{BR}(\\mu_k)`, :math:`\\mu_{k+1}=(1-\\alpha)\\mu_k+\\alpha\\,\\Gamma_2(\\pi_k,\\mu_k)`;
  with :math:`\\alpha=1` and the regularized best response :math:`\\Gamma_1^\\lambda` the exact
  iteration of 001 §2 ("Banach ... linear convergence") when :math:`\\Lambda^\\lambda` contracts
  (Lemma 6).
- :class:`FictitiousPlay` -- Perrin et al. (2020) with mfglib's damping: best response to the mean
  field of the average policy, averaged with weights :math:`\\mu`
  (:math:`\\bar\\pi\\leftarrow\\frac{(1-\\alpha_k)\\mu\\bar\\pi+\\alpha_k\\mu_{br}\\pi_{br}}{(1-\\alpha_k)\\mu+\\alpha_k\\mu_{br}}`,
  :math:`\\alpha_k=1/(k+2)` when ``alpha=0``).
- :class:`OnlineMirrorDescent` -- Pérolat et al. (2022):
  :math:`y\\leftarrow(1-\\alpha\\lambda)y+\\alpha Q^{\\pi,\\lambda}_{\\mu_\\pi}`, :math:`\\pi=\\mathrm{softmax}(y)`;
  the factor :math:`1-\\alpha\\lambda` is the entropy-regularized mirror step of Cen et al. (2022) [001:14],
  whose fixed points are exactly the regularized NE; at :math:`\\lambda=0` it is mfglib's update.
- :class:`PriorDescent` -- Boltzmann iteration of Cui & Koeppl (2021) [001:16]:
  :math:`\\pi\\propto q\\,\\exp(Q^{\\star,\\lambda}_{\\mu_\\pi}/\\eta)` with prior :math:`q` reset to the current
  policy every ``n_inner`` steps (mfglib's ``PriorDescent`` at :math:`\\lambda=0`).
- :func:`solve_equilibrium` -- the exact regularized NE of a stationary game (Definition 1): the
  fixed-point iteration :math:`\\mu\\leftarrow\\Lambda^\\lambda(\\mu)` (the default), optionally
  accelerated with Anderson mixing (Walker & Ni 2011, ``memory > 0``); each best response is
  warm-started from the previous soft Q-function, iterates are projected back onto the simplex.

The best response of the fixed point and of fictitious play is a :class:`BestResponseRule`:
:class:`RegularizedBestResponse` (:math:`\\Gamma_1^\\lambda`, the default) or another library's
(:class:`~mfcode.mfg.openspiel_solvers.OpenSpielBestResponse`).

Cost. On a finite-horizon game the expensive part of a step is evaluating the kernels along a flow.
A solver state carries the game's dynamics at its own mean field
(:meth:`~mfcode.mfg.protocol.MeanFieldGame.induce`), so the next step's best response or
Q-function and the exploitability recorded by :meth:`IterativeSolver.solve` reuse them: every
kernel is evaluated once per flow (one flow per step for the fixed point, mirror descent and prior
descent, two for fictitious play). ``solve`` hands each step the dynamics of the iterate it has
finished scoring as ``scratch`` space, so that a run allocates the kernels of a flow only once.

With ``temperature=0`` each solver reproduces the corresponding mfglib 0.3.0 algorithm iterate by
iterate on a finite-horizon game (``tests/test_mfg_mfglib.py``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.arrays import FloatArray
from mfcode.fixed_point import iterate
from mfcode.limits import check_steps
from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.protocol import MeanFieldGame, require_game
from mfcode.mfg.stationary import StationaryMFG
from mfcode.simplex import project, softmax
from mfcode.validation import check_bool, check_int, check_real, check_temperature

__all__ = [
    "BestResponseRule",
    "Equilibrium",
    "FictitiousPlay",
    "FixedPoint",
    "FixedPointState",
    "IterativeSolver",
    "MirrorState",
    "OnlineMirrorDescent",
    "PriorDescent",
    "PriorState",
    "RegularizedBestResponse",
    "SolverResult",
    "SolverState",
    "solve_equilibrium",
]

Game = MeanFieldGame[Any]


class BestResponseRule(Protocol):
    """How a solver responds to a mean field: a policy from the game's dynamics there."""

    def respond(
        self, game: Game, dynamics: Any, temperature: float, *, q_init: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray | None]:
        """The response policy (``(S, A)`` or ``(H, S, A)``) to the mean field of ``dynamics``.

        Also returns a soft Q-function that warm-starts the next response (``q_init``), or ``None``.
        """


def _check_rule(rule: object) -> None:
    if not callable(getattr(rule, "respond", None)):
        raise TypeError(f"best_response must be a BestResponseRule (with a respond method), got {type(rule).__name__}")


@dataclass(frozen=True)
class RegularizedBestResponse:
    """:math:`\\Gamma_1^\\lambda(\\mu)` of 001 §2 (greedy with ties split evenly at :math:`\\lambda=0`)."""

    def respond(
        self, game: Game, dynamics: Any, temperature: float, *, q_init: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray | None]:
        """The regularized best response's policy and its soft Q-function."""
        br = game.best_response(dynamics, temperature, q_init=q_init)
        return br.policy, br.q


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

    policies: list[FloatArray]
    exploitability: FloatArray
    times: FloatArray
    mean_fields: list[FloatArray] = field(default_factory=list)

    @property
    def policy(self) -> FloatArray:
        """The last iterate."""
        return self.policies[-1]


@dataclass(frozen=True, eq=False)
class SolverState:
    """Iterate of a solver.

    ``dynamics``, when not ``None``, holds the game's rewards and kernels at ``mean_field``, which
    is then the mean field ``policy`` induces; ``solve`` scores the iterate with them.
    """

    policy: FloatArray
    mean_field: FloatArray
    iteration: int = 0
    dynamics: Any | None = None


St = TypeVar("St", bound=SolverState)


def _dynamics_of(game: Game, state: SolverState) -> Any:
    """The game's dynamics at ``state.mean_field``: the ones the state carries, else evaluated."""
    return game.dynamics_at(state.mean_field) if state.dynamics is None else state.dynamics


class IterativeSolver(ABC, Generic[St]):
    """Base class: subclasses implement :meth:`init_state` and :meth:`step`."""

    temperature: float

    @abstractmethod
    def init_state(self, game: Game, policy: FloatArray) -> St:
        """State before the first step, from an initial policy."""

    @abstractmethod
    def step(self, game: Game, state: St, *, scratch: Any | None = None) -> St:
        """One iteration; returns a new state and leaves ``state`` as it was.

        ``scratch``: dynamics of the game the caller no longer needs (never ``state.dynamics``,
        which the step reads), whose arrays the step may overwrite with the new iterate's.
        """

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
        g = require_game(game)
        max_iter = check_steps(check_int(max_iter, "max_iter", low=0), f"{type(self).__name__}.solve (max_iter={max_iter})")
        if atol is not None:
            atol = check_real(atol, "atol", low=0.0)
        check_bool(progress, "progress")
        lam = self.temperature if score_temperature is None else check_temperature(score_temperature, "score_temperature")
        pi0 = g.uniform_policy() if policy is None else g.check_policy(policy, "policy").copy()
        state = self.init_state(g, pi0)
        policies, mean_fields = [state.policy], [state.mean_field]
        expl = [_score(g, state, lam)]
        times = [0.0]
        elapsed = 0.0
        spare: Any | None = None
        for _ in tqdm(range(max_iter), disable=not progress, desc=type(self).__name__):
            if atol is not None and expl[-1] <= atol:
                break
            t0 = time.perf_counter()
            nxt = self.step(g, state, scratch=spare)
            elapsed += time.perf_counter() - t0
            # The previous iterate is scored and dropped: its dynamics are free for the step after next.
            spare = state.dynamics if state.dynamics is not nxt.dynamics else None
            state = nxt
            policies.append(state.policy)
            mean_fields.append(state.mean_field)
            expl.append(_score(g, state, lam))
            times.append(elapsed)
        return SolverResult(policies, np.array(expl), np.array(times), mean_fields)


def _score(game: Game, state: SolverState, temperature: float) -> float:
    """Exploitability of ``state.policy``: against its own flow's dynamics when the state carries them,
    else against the mean field the policy induces from :math:`\\rho` (:func:`~mfcode.mfg.exploitability.exploitability`)."""
    if state.dynamics is None:
        return exploitability(game, state.policy, temperature)
    return float(game.initial @ game.exploitability_gap(state.policy, state.dynamics, temperature))


@dataclass(frozen=True, eq=False)
class FixedPointState(SolverState):
    """Iterate of :class:`FixedPoint`; ``q`` warm-starts the next best response (stationary game)."""

    q: FloatArray | None = None


@dataclass(frozen=True)
class FixedPoint(IterativeSolver[FixedPointState]):
    """Damped exact fixed-point iteration on the mean field.

    Parameters
    ----------
    temperature
        :math:`\\lambda` of :math:`\\Gamma_1^\\lambda`.
    damping
        :math:`\\alpha\\in(0,1]`; 1 is the undamped iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)`.
    best_response
        How the solver responds (default :math:`\\Gamma_1^\\lambda`; OpenSpiel's greedy or softmax of
        :math:`Q^\\star` with :class:`~mfcode.mfg.openspiel_solvers.OpenSpielBestResponse`).
    """

    temperature: float = 0.0
    damping: float = 1.0
    best_response: BestResponseRule = RegularizedBestResponse()

    def __post_init__(self) -> None:
        check_temperature(self.temperature)
        check_real(self.damping, "damping", low=0.0, high=1.0, low_open=True)
        _check_rule(self.best_response)

    def init_state(self, game: Game, policy: FloatArray) -> FixedPointState:
        m, dyn = game.induce(policy)
        return FixedPointState(policy, m, dynamics=dyn)

    def step(self, game: Game, state: FixedPointState, *, scratch: Any | None = None) -> FixedPointState:
        mu = state.mean_field
        dyn = _dynamics_of(game, state)
        pi, q = self.best_response.respond(game, dyn, self.temperature, q_init=state.q)
        target, target_dyn = game.mean_field_update(pi, mu, dyn, scratch=scratch)
        if self.damping == 1.0:
            return FixedPointState(pi, target, state.iteration + 1, target_dyn, q)
        nxt = (1.0 - self.damping) * mu + self.damping * target
        return FixedPointState(pi, nxt, state.iteration + 1, None, q)


@dataclass(frozen=True)
class FictitiousPlay(IterativeSolver[SolverState]):
    """Fictitious play with the distribution-weighted average policy (mfglib's ``FictitiousPlay``).

    Parameters
    ----------
    temperature
        :math:`\\lambda` of the best responses.
    alpha
        Averaging weight in :math:`[0,1]`; 0 means :math:`\\alpha_k=1/(k+2)` (plain fictitious play).
        Where both weights vanish (states no flow reaches) the average is uniform, except that a
        weight of 1 keeps the best response itself everywhere.
    best_response
        How the solver responds (default :math:`\\Gamma_1^\\lambda`).
    """

    temperature: float = 0.0
    alpha: float = 0.0
    best_response: BestResponseRule = RegularizedBestResponse()

    def __post_init__(self) -> None:
        check_temperature(self.temperature)
        check_real(self.alpha, "alpha", low=0.0, high=1.0)
        _check_rule(self.best_response)

    def init_state(self, game: Game, policy: FloatArray) -> SolverState:
        m, dyn = game.induce(policy)
        return SolverState(policy, m, dynamics=dyn)

    def step(self, game: Game, state: SolverState, *, scratch: Any | None = None) -> SolverState:
        m = state.mean_field
        br, _ = self.best_response.respond(game, _dynamics_of(game, state), self.temperature)
        m_br, br_dyn = game.induce(br, start=m, scratch=scratch)
        w = self.alpha if self.alpha else 1.0 / (state.iteration + 2)
        if w == 1.0:
            pi = br
        else:
            mu = game.state_marginal(m)[..., None]
            mu_br = game.state_marginal(m_br)[..., None]
            num = (1.0 - w) * mu * state.policy + w * mu_br * br
            den = (1.0 - w) * mu + w * mu_br
            with np.errstate(invalid="ignore", divide="ignore"):
                pi = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / game.n_actions)
        m_pi, dyn = game.induce(pi, start=m, scratch=br_dyn)
        return SolverState(pi, m_pi, state.iteration + 1, dyn)


@dataclass(frozen=True, eq=False)
class MirrorState(SolverState):
    """Iterate of mirror descent: the policy plus the accumulated (regularized) Q-values ``y``.

    ``y`` is ``None`` for the initial state (its policy is given, not the softmax of accumulated
    scores); the first step starts from :math:`y_0=\\log\\pi_0`.
    """

    y: FloatArray | None = None


@dataclass(frozen=True)
class OnlineMirrorDescent(IterativeSolver[MirrorState]):
    """Online mirror descent on the soft Q-function of the current policy.

    The Q-function is the game's :meth:`~mfcode.mfg.protocol.MeanFieldGame.mirror_q` (the exact
    :math:`Q^{\\pi,\\lambda}_{\\mu_\\pi}` for the papers' games; OpenSpiel's evaluator for its games).

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
        check_temperature(self.temperature)
        check_real(self.alpha, "alpha", low=0.0, low_open=True)
        if self.alpha * self.temperature > 1.0:
            raise ValueError("alpha * temperature must be <= 1 (regularized mirror step)")

    def init_state(self, game: Game, policy: FloatArray) -> MirrorState:
        m, dyn = game.induce(policy)
        return MirrorState(policy, m, 0, dyn, None)

    def step(self, game: Game, state: MirrorState, *, scratch: Any | None = None) -> MirrorState:
        dyn = _dynamics_of(game, state)
        q = game.mirror_q(state.policy, state.y, self.alpha, dyn, self.temperature)
        if state.y is None:
            with np.errstate(divide="ignore"):
                y0 = np.log(state.policy)
        else:
            y0 = state.y
        y = (1.0 - self.alpha * self.temperature) * y0 + self.alpha * q
        pi = softmax(y)
        m, nxt_dyn = game.induce(pi, start=state.mean_field, scratch=scratch)
        return MirrorState(pi, m, state.iteration + 1, nxt_dyn, y)


@dataclass(frozen=True, eq=False)
class PriorState(SolverState):
    """Iterate of :class:`PriorDescent`: the policy plus the prior :math:`q` of the Boltzmann step."""

    prior: FloatArray | None = None


@dataclass(frozen=True)
class PriorDescent(IterativeSolver[PriorState]):
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
        check_temperature(self.temperature)
        check_real(self.eta, "eta", low=0.0, low_open=True)
        if self.n_inner is not None:
            check_int(self.n_inner, "n_inner", low=1)

    def init_state(self, game: Game, policy: FloatArray) -> PriorState:
        m, dyn = game.induce(policy)
        return PriorState(policy, m, 0, dyn, policy.copy())

    def step(self, game: Game, state: PriorState, *, scratch: Any | None = None) -> PriorState:
        assert state.prior is not None  # set by init_state
        q = game.best_response(_dynamics_of(game, state), self.temperature).q
        with np.errstate(divide="ignore"):
            logits = np.log(state.prior) + q / self.eta
        pi = softmax(logits)
        prior = pi.copy() if self.n_inner and (state.iteration + 2) % self.n_inner == 0 else state.prior
        m, dyn = game.induce(pi, start=state.mean_field, scratch=scratch)
        return PriorState(pi, m, state.iteration + 1, dyn, prior)


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

    policy: FloatArray
    mean_field: FloatArray
    q: FloatArray
    residuals: FloatArray

    @property
    def iterations(self) -> int:
        """Number of evaluations of :math:`\\Lambda^\\lambda`."""
        return int(self.residuals.size)


@dataclass(frozen=True, eq=False)
class _AndersonState:
    """:math:`\\mu_k`, the warm start, the last best response and the Anderson history."""

    mu: FloatArray
    q: FloatArray | None
    policy: FloatArray | None
    xs: tuple[FloatArray, ...]
    fs: tuple[FloatArray, ...]


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
        Anderson depth; 0 (the default) is the plain exact iteration :math:`\\mu\\leftarrow\\Lambda^\\lambda(\\mu)`.

    Raises
    ------
    RuntimeError
        If ``tol`` is not reached (e.g. :math:`\\Lambda^\\lambda` far from contractive).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG (the NE of Definition 1), got {type(game).__name__}")
    lam = check_temperature(temperature)
    memory = check_int(memory, "memory", low=0)
    tol = check_real(tol, "tol", low=0.0)
    mu0 = game.initial.copy() if start is None else game.check_mean_field(start, "start").copy()

    def sweep(s: _AndersonState) -> tuple[_AndersonState, float]:
        dyn = game.dynamics_at(s.mu)
        br = game.best_response(dyn, lam, q_init=s.q)
        f = game.mean_field_update(br.policy, s.mu, dyn)[0] - s.mu
        residual = float(np.abs(f).sum())
        if residual <= tol:  # s.mu is the NE; keep it with its best response
            return _AndersonState(s.mu, br.q, br.policy, s.xs, s.fs), residual
        xs, fs = (*s.xs, s.mu)[-(memory + 1) :], (*s.fs, f)[-(memory + 1) :]
        if len(xs) > 1:
            d_f = np.diff(np.array(fs), axis=0).T
            d_x = np.diff(np.array(xs), axis=0).T
            coef, *_ = np.linalg.lstsq(d_f, f, rcond=None)
            nxt = s.mu + f - (d_x + d_f) @ coef
        else:
            nxt = s.mu + f
        return _AndersonState(project(nxt), br.q, br.policy, xs, fs), residual

    trace = iterate(
        sweep, _AndersonState(mu0, None, None, (), ()), tol=tol, max_iter=max_iter,
        what="the regularized NE iteration mu <- Lambda(mu) (Lambda not contractive?)",
    )
    out = trace.value
    assert out.policy is not None and out.q is not None
    return Equilibrium(out.policy, out.mu, out.q, trace.residuals)
