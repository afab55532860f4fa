"""Finite mean-field games: the stationary discounted game of the paper and its finite-horizon twin.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2: a representative agent in state
:math:`s` takes action :math:`a`, receives :math:`r(s,a,\\mu)` and moves to
:math:`s'\\sim P(\\cdot|s,a,\\mu)`, where :math:`\\mu\\in\\Delta(\\mathcal S)` is the population
distribution (the mean-field state), which may enter the reward, the kernel or both.

- :class:`StationaryMFG` is the paper's game: infinite horizon, discount :math:`\\gamma\\in[0,1)`,
  stationary policies :math:`\\pi:\\mathcal S\\to\\Delta(\\mathcal A)` and a stationary mean field.
- :class:`FiniteHorizonMFG` is the episodic game the paper's simulations run (001 App. D: "Simulations
  are done in an episodic setting"), in the convention of mfglib and OpenSpiel: time-indexed policies
  :math:`\\pi_t`, a mean-field *flow* :math:`(\\mu_t)_{t<T}` started at the initial distribution,
  rewards :math:`r_t(s,a,\\mu_t)` at every decision epoch :math:`t=0,\\dots,T-1`, kernels
  :math:`P_t(\\cdot|s,a,\\mu_t)` for :math:`t<T-1`. An mfglib environment with horizon ``T`` has
  ``T + 1`` decision epochs, i.e. ``horizon = T + 1`` here.

Both take the model as two callables, so any finite MFG can be written down; the example games live in
:mod:`mfcode.mfg.games`. Arrays: mean fields ``(S,)``, rewards ``(S, A)``, kernels ``(S, A, S)``
(source state, action, next state), policies ``(S, A)`` or ``(T, S, A)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

import numpy as np
import numpy.typing as npt

from mfcode.simplex import Array, check_distribution

__all__ = ["FiniteHorizonMFG", "StationaryMFG"]

_TOL = 1e-8


def _names(names: tuple[str, ...] | None, n: int, prefix: str, arg: str) -> tuple[str, ...]:
    if names is None:
        return tuple(f"{prefix}{i}" for i in range(n))
    names = tuple(names)
    if len(names) != n:
        raise ValueError(f"{arg} must have {n} entries, got {len(names)}")
    return names


def _check_reward(r: npt.ArrayLike, shape: tuple[int, int]) -> Array:
    arr = np.asarray(r, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"reward must have shape {shape} (S, A), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("reward must be finite")
    return arr


def _check_kernel(p: npt.ArrayLike, shape: tuple[int, int, int]) -> Array:
    arr = np.asarray(p, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"transition must have shape {shape} (S, A, S'), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or arr.min() < -_TOL:
        raise ValueError("transition must have finite non-negative entries")
    err = np.abs(arr.sum(axis=-1) - 1.0).max()
    if err > _TOL:
        raise ValueError(f"transition rows P(.|s,a,mu) must sum to 1 (max error {err:.3g})")
    return arr


def _validate_common(game: Any, sizes: tuple[str, ...], argument: str, *, gamma_may_be_one: bool) -> Array:
    """Checks shared by both game classes; freezes ``initial``, ``gamma`` and the names in place.

    ``argument`` is how the reward/kernel functions are called (for the error message); the
    stationary game needs :math:`\\gamma<1`, the finite-horizon game allows :math:`\\gamma=1`.
    Returns the frozen initial distribution.
    """
    for arg in sizes:
        v = getattr(game, arg)
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{arg} must be a positive integer, got {v!r}")
    if not callable(game.reward_fn):
        raise TypeError(f"reward_fn must be callable {argument} -> (S, A) array")
    if not callable(game.transition_fn):
        raise TypeError(f"transition_fn must be callable {argument} -> (S, A, S) array")
    gamma_ok = isinstance(game.gamma, (int, float)) and 0.0 <= game.gamma and (
        game.gamma <= 1.0 if gamma_may_be_one else game.gamma < 1.0
    )
    if not gamma_ok:
        raise ValueError(f"gamma must lie in [0, 1{']' if gamma_may_be_one else ')'}, got {game.gamma!r}")
    init = check_distribution(game.initial, "initial")
    if init.shape != (game.n_states,):
        raise ValueError(f"initial must have shape ({game.n_states},), got {init.shape}")
    init = init.copy()
    init.setflags(write=False)
    object.__setattr__(game, "initial", init)
    object.__setattr__(game, "gamma", float(game.gamma))
    object.__setattr__(game, "state_names", _names(game.state_names, game.n_states, "s", "state_names"))
    object.__setattr__(game, "action_names", _names(game.action_names, game.n_actions, "a", "action_names"))
    return init


@dataclass(frozen=True, eq=False)
class StationaryMFG:
    """Stationary discounted MFG of 001 §2.

    Parameters
    ----------
    n_states, n_actions
        :math:`|\\mathcal S|`, :math:`|\\mathcal A|`.
    reward_fn
        :math:`\\mu\\mapsto r(\\cdot,\\cdot,\\mu)`, an ``(S, A)`` array. The paper's theory assumes
        values in :math:`[0,1]`; the simulations do not (SIS has rewards in :math:`[-1.5,0]`), so any
        finite reward is accepted.
    transition_fn
        :math:`\\mu\\mapsto P(\\cdot|\\cdot,\\cdot,\\mu)`, an ``(S, A, S)`` array whose rows lie on the
        simplex.
    gamma
        Discount factor in :math:`[0,1)`.
    initial
        :math:`\\rho\\in\\Delta(\\mathcal S)`: the distribution values are averaged over
        (:math:`V(\\rho)`), the start of mean-field iterations and of visitation measures.
    state_names, action_names
        Labels (default ``s0, s1, ...`` and ``a0, a1, ...``).
    name
        Short label for tables and plots.
    check
        Validate every ``reward``/``transition`` call (shapes, finiteness, rows on the simplex) and
        every mean field passed in. Costs one pass over the kernel per call; switch off only in
        benchmarks of games already validated.
    transition_depends_on_mu
        ``False`` declares that :math:`P` ignores :math:`\\mu` (the mean field enters the reward
        only, as in the LQ game); :func:`~mfcode.mfg.operators.induced_mean_field` then evaluates
        the kernel once instead of at every step of the population dynamics.
    """

    n_states: int
    n_actions: int
    reward_fn: Callable[[Array], Array]
    transition_fn: Callable[[Array], Array]
    gamma: float
    initial: Array
    state_names: tuple[str, ...] | None = None
    action_names: tuple[str, ...] | None = None
    name: str = "mfg"
    check: bool = True
    transition_depends_on_mu: bool = True

    def __post_init__(self) -> None:
        init = _validate_common(self, ("n_states", "n_actions"), "mu", gamma_may_be_one=False)
        # Validate the model once, at the initial distribution, whatever `check` says.
        _check_reward(self.reward_fn(init), (self.n_states, self.n_actions))
        _check_kernel(self.transition_fn(init), (self.n_states, self.n_actions, self.n_states))

    def check_mean_field(self, mu: npt.ArrayLike, name: str = "mu") -> Array:
        """Return ``mu`` as an ``(S,)`` float array, validated when ``check`` is on."""
        arr = np.asarray(mu, dtype=np.float64)
        if arr.shape != (self.n_states,):
            raise ValueError(f"{name} must have shape ({self.n_states},), got {arr.shape}")
        if self.check:
            check_distribution(arr, name)
        return arr

    def check_policy(self, policy: npt.ArrayLike, name: str = "policy") -> Array:
        """Return ``policy`` as an ``(S, A)`` float array with rows on the simplex."""
        arr = np.asarray(policy, dtype=np.float64)
        if arr.shape != (self.n_states, self.n_actions):
            raise ValueError(
                f"{name} must have shape ({self.n_states}, {self.n_actions}), got {arr.shape}"
            )
        if self.check:
            check_distribution(arr, name)
        return arr

    def reward(self, mu: npt.ArrayLike) -> Array:
        """:math:`r(s,a,\\mu)` as an ``(S, A)`` array."""
        m = self.check_mean_field(mu)
        r = self.reward_fn(m)
        return _check_reward(r, (self.n_states, self.n_actions)) if self.check else np.asarray(r)

    def transition(self, mu: npt.ArrayLike) -> Array:
        """:math:`P(s'|s,a,\\mu)` as an ``(S, A, S)`` array."""
        m = self.check_mean_field(mu)
        p = self.transition_fn(m)
        shape = (self.n_states, self.n_actions, self.n_states)
        return _check_kernel(p, shape) if self.check else np.asarray(p)


@dataclass(frozen=True, eq=False)
class FiniteHorizonMFG:
    """Finite-horizon (episodic) MFG with a mean-field flow, in the mfglib/OpenSpiel convention.

    Parameters
    ----------
    n_states, n_actions
        :math:`|\\mathcal S|`, :math:`|\\mathcal A|`.
    horizon
        Number of decision epochs :math:`T\\ge1`; times run over ``0, ..., T - 1`` and the agent
        collects a reward at every one of them (an mfglib environment with ``T`` is ``horizon=T+1``).
    reward_fn
        ``(t, m) -> (S, A)`` reward at epoch ``t``; ``m`` is :math:`\\mu_t` of shape ``(S,)``, or
        the state-action distribution :math:`L_t(s,a)=\\mu_t(s)\\pi_t(a|s)` of shape ``(S, A)`` when
        ``coupling == "state_action"``.
    transition_fn
        ``(t, m) -> (S, A, S)`` kernel from epoch ``t`` to ``t + 1`` (called for ``t < T - 1``).
    initial
        :math:`\\mu_0`.
    gamma
        Discount in :math:`[0,1]`; ``1.0`` (undiscounted, as in mfglib and OpenSpiel) by default.
    coupling
        What the population enters through: ``"state"`` (the paper's :math:`\\mu_t`) or
        ``"state_action"`` (mfglib's joint :math:`L_t`, needed for e.g. its ``random_linear`` game).
    state_names, action_names, name, check
        As in :class:`StationaryMFG`.
    """

    n_states: int
    n_actions: int
    horizon: int
    reward_fn: Callable[[int, Array], Array]
    transition_fn: Callable[[int, Array], Array]
    initial: Array
    gamma: float = 1.0
    coupling: Literal["state", "state_action"] = "state"
    state_names: tuple[str, ...] | None = None
    action_names: tuple[str, ...] | None = None
    name: str = "mfg"
    check: bool = True

    def __post_init__(self) -> None:
        init = _validate_common(self, ("n_states", "n_actions", "horizon"), "(t, m)", gamma_may_be_one=True)
        if self.coupling not in ("state", "state_action"):
            raise ValueError(f"coupling must be 'state' or 'state_action', got {self.coupling!r}")
        m0 = self.population_argument(init, np.full((self.n_states, self.n_actions), 1.0 / self.n_actions))
        _check_reward(self.reward_fn(0, m0), (self.n_states, self.n_actions))
        if self.horizon > 1:
            _check_kernel(self.transition_fn(0, m0), (self.n_states, self.n_actions, self.n_states))

    def population_argument(self, mu_t: Array, policy_t: Array) -> Array:
        """What ``reward_fn``/``transition_fn`` receive at one epoch: ``mu_t`` or ``mu_t * policy_t``."""
        return mu_t if self.coupling == "state" else mu_t[:, None] * policy_t

    def check_flow(self, mu: npt.ArrayLike, name: str = "mu") -> Array:
        """Return a mean-field flow as a ``(T, S)`` (or ``(T, S, A)`` joint) validated array."""
        arr = np.asarray(mu, dtype=np.float64)
        shape: tuple[int, ...] = (self.horizon, self.n_states)
        if self.coupling == "state_action":
            shape = shape + (self.n_actions,)
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
        if self.check:
            check_distribution(arr.reshape(self.horizon, -1), name)
        return arr

    def check_policy(self, policy: npt.ArrayLike, name: str = "policy") -> Array:
        """Return a time-indexed policy as a ``(T, S, A)`` array with rows on the simplex."""
        arr = np.asarray(policy, dtype=np.float64)
        shape = (self.horizon, self.n_states, self.n_actions)
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
        if self.check:
            check_distribution(arr, name)
        return arr

    def reward(self, t: int, m: Array) -> Array:
        """:math:`r_t(s,a,m)` as an ``(S, A)`` array."""
        if not 0 <= t < self.horizon:
            raise ValueError(f"t must lie in [0, {self.horizon}), got {t}")
        r = self.reward_fn(t, m)
        return _check_reward(r, (self.n_states, self.n_actions)) if self.check else np.asarray(r)

    def transition(self, t: int, m: Array) -> Array:
        """:math:`P_t(s'|s,a,m)` as an ``(S, A, S)`` array (``t < T - 1``)."""
        if not 0 <= t < self.horizon - 1:
            raise ValueError(f"t must lie in [0, {self.horizon - 1}), got {t}")
        p = self.transition_fn(t, m)
        shape = (self.n_states, self.n_actions, self.n_states)
        return _check_kernel(p, shape) if self.check else np.asarray(p)
