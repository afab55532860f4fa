"""Example finite MFGs: the paper's SIS and LQ games, a garnet generator and classic small games.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, App. D, "SIS Epidemics Model" (the
setting of Cui & Koeppl 2021): states :math:`\\{S, I\\}`, actions :math:`\\{D, U\\}` (social distancing,
going out),

- :math:`P(I|S,D,\\mu)=0`, :math:`P(I|S,U,\\mu)=0.9^2\\,\\mu(I)`, :math:`P(S|I,\\cdot,\\mu)=0.3`;
- :math:`r(s,a,\\mu)=-\\mathbb 1\\{s=I\\}-0.5\\,\\mathbb 1\\{a=D\\}` (the paper's raw rewards, in
  :math:`[-1.5,0]`, not the :math:`[0,1]` the theory assumes; the book states which scale
  :math:`\\lambda` refers to).

The LQ game of 001 App. D ("the same discrete setting as [49, 38]"):
:math:`s_{t+1}=s_t+a_t\\Delta+\\sigma\\varepsilon_t\\sqrt\\Delta` with
:math:`r=(-\\tfrac12a^2+q\\,a(\\bar\\mu-s)-\\tfrac\\kappa2(\\bar\\mu-s)^2)\\Delta`, :math:`\\Delta=\\sigma=1`,
:math:`q=0.01`, :math:`\\kappa=0.5`, :math:`|\\mathcal S|=25`, no terminal cost; the action set, noise
law and boundary the paper leaves open are taken from OpenSpiel's ``linear_quadratic`` (actions
:math:`\\{-3..3\\}`, noise the :math:`\\mathcal N(0,1)` mass of :math:`[k-\\frac12,k+\\frac12]` with tails
folded into :math:`\\pm3`, a torus).

Cross-check games (finite horizon, mfglib 0.3.0's conventions, Cui & Koeppl 2021 and Perrin et al.
2020): :func:`left_right`, :func:`rock_paper_scissors`, :func:`beach_bar`, :func:`random_linear`.
:func:`garnet` is a random stationary MFG whose ``coupling`` knob makes :math:`\\Lambda^\\lambda`
contractive (small) or not (large).

Each game's parameters are a frozen dataclass whose fields document the paper's open choices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from mfcode.arrays import FloatArray
from mfcode.limits import check_elements
from mfcode.mfg.finite_horizon import FiniteHorizonMFG
from mfcode.mfg.stationary import StationaryMFG
from mfcode.simplex import check_distribution
from mfcode.validation import check_array, check_bool, check_callable, check_int, check_real, check_rng

__all__ = [
    "BeachBarParameters",
    "GarnetParameters",
    "LQParameters",
    "RandomLinearParameters",
    "SISParameters",
    "TimeHomogeneous",
    "beach_bar",
    "garnet",
    "left_right",
    "lq",
    "lq_episodic",
    "random_linear",
    "rock_paper_scissors",
    "sis",
    "sis_episodic",
]


@dataclass(frozen=True)
class TimeHomogeneous:
    """Wrap a stationary ``m -> array`` model function as the ``(t, m) -> array`` a finite-horizon game takes."""

    fn: Callable[[FloatArray], FloatArray]

    def __post_init__(self) -> None:
        check_callable(self.fn, "fn")

    def __call__(self, t: int, m: FloatArray) -> FloatArray:
        return self.fn(m)


def _unit(x: float, name: str) -> float:
    return check_real(x, name, low=0.0, high=1.0)


def _set_reals(obj: object, **values: float) -> None:
    """Store checked numbers as ``float`` in a frozen dataclass (a ``np.float32`` field would round its kernels)."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


def _mean_field(mu: npt.ArrayLike, n: int, name: str = "mu") -> FloatArray:
    """A model function's mean-field argument: ``(n,)`` on the simplex."""
    arr = check_distribution(mu, name)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


def _epoch(t: object) -> None:
    check_int(t, "t", low=0)


@dataclass(frozen=True)
class SISParameters:
    """SIS model of 001 App. D. States ``(S, I)``, actions ``(D, U)``.

    Parameters
    ----------
    infection_rate
        :math:`P(I|S,U,\\mu)/\\mu(I)`; the paper's :math:`0.9^2=0.81`.
    recovery
        :math:`P(S|I,a,\\mu)` for both actions; the paper's 0.3.
    distancing_cost
        Cost of action D; the paper's 0.5.
    infection_cost
        Cost of being in state I; the paper's 1.
    """

    infection_rate: float = 0.81
    recovery: float = 0.3
    distancing_cost: float = 0.5
    infection_cost: float = 1.0

    def __post_init__(self) -> None:
        _set_reals(
            self,
            infection_rate=_unit(self.infection_rate, "infection_rate"),
            recovery=_unit(self.recovery, "recovery"),
            distancing_cost=check_real(self.distancing_cost, "distancing_cost"),
            infection_cost=check_real(self.infection_cost, "infection_cost"),
        )

    def reward(self, mu: FloatArray) -> FloatArray:
        """:math:`r(s,a)=-c_I\\mathbb 1\\{s=I\\}-c_D\\mathbb 1\\{a=D\\}` (independent of :math:`\\mu`)."""
        return self._reward(_mean_field(mu, 2))

    def transition(self, mu: FloatArray) -> FloatArray:
        """:math:`P(\\cdot|s,a,\\mu)`; only :math:`P(\\cdot|S,U,\\mu)` depends on :math:`\\mu(I)`."""
        return self._transition(_mean_field(mu, 2))

    # The games call the unchecked model functions: they validate the mean field themselves (``check``).
    def _reward(self, mu: FloatArray) -> FloatArray:
        r = np.zeros((2, 2))
        r[:, 0] -= self.distancing_cost
        r[1, :] -= self.infection_cost
        return r

    def _transition(self, mu: FloatArray) -> FloatArray:
        p = np.zeros((2, 2, 2))
        infect = self.infection_rate * float(mu[1])
        p[0, 0] = (1.0, 0.0)
        p[0, 1] = (1.0 - infect, infect)
        p[1, :] = (self.recovery, 1.0 - self.recovery)
        return p


def sis(
    *,
    gamma: float = 0.9,
    infection_rate: float = 0.81,
    recovery: float = 0.3,
    distancing_cost: float = 0.5,
    initial: npt.ArrayLike = (0.4, 0.6),
) -> StationaryMFG:
    """Stationary discounted SIS game of 001 App. D with the paper's raw rewards.

    Parameters
    ----------
    gamma
        Discount :math:`\\gamma\\in(0,1)`. The paper gives none for its simulations; 0.9 is our choice (the
        chapter's table of choices the paper leaves open).
    infection_rate, recovery, distancing_cost
        See :class:`SISParameters`.
    initial
        :math:`\\rho=(\\mu(S),\\mu(I))`. The paper gives none; ``(0.4, 0.6)`` is Cui & Koeppl's and
        mfglib's. It must have :math:`\\mu(I)>0` for the dynamics to leave the disease-free state.
    """
    dyn = SISParameters(infection_rate, recovery, distancing_cost)
    return StationaryMFG(
        n_states=2,
        n_actions=2,
        reward_fn=dyn._reward,
        transition_fn=dyn._transition,
        gamma=gamma,
        initial=check_array(initial, "initial"),
        state_names=("S", "I"),
        action_names=("D", "U"),
        name="SIS",
    )


def sis_episodic(
    *,
    horizon: int = 50,
    gamma: float = 1.0,
    infection_rate: float = 0.81,
    recovery: float = 0.3,
    distancing_cost: float = 0.5,
    initial: npt.ArrayLike = (0.4, 0.6),
) -> FiniteHorizonMFG:
    """Episodic SIS game (001 App. D: "Simulations are done in an episodic setting").

    Parameters
    ----------
    horizon
        Decision epochs. The paper gives none; 50 is our choice (mfglib's ``susceptible_infected``
        has ``T=50``, i.e. 51 epochs).
    gamma
        Discount within the episode (1 = undiscounted, as in mfglib).
    infection_rate, recovery, distancing_cost, initial
        As in :func:`sis`.
    """
    dyn = SISParameters(infection_rate, recovery, distancing_cost)
    return FiniteHorizonMFG(
        n_states=2,
        n_actions=2,
        horizon=horizon,
        reward_fn=TimeHomogeneous(dyn._reward),
        transition_fn=TimeHomogeneous(dyn._transition),
        initial=check_array(initial, "initial"),
        gamma=gamma,
        state_names=("S", "I"),
        action_names=("D", "U"),
        name="SIS (episodic)",
    )


# ----------------------------------------------------------------------------------------------
# Linear-quadratic game (001 App. D)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LQParameters:
    """Discrete LQ tracking game of 001 App. D on a torus of ``n_states`` points.

    Parameters
    ----------
    n_states
        :math:`|\\mathcal S|`; the paper's 25.
    actions_per_side
        Actions :math:`a\\in\\{-m..m\\}`. The paper is silent; OpenSpiel's 3.
    noise_per_side
        Noise :math:`\\varepsilon\\in\\{-k..k\\}`; the paper's "values from :math:`\\{-3,\\dots,3\\}`".
    dt, sigma, cross_q, kappa
        :math:`\\Delta`, :math:`\\sigma`, :math:`q`, :math:`\\kappa`; the paper's 1, 1, 0.01, 0.5.
    """

    n_states: int = 25
    actions_per_side: int = 3
    noise_per_side: int = 3
    dt: float = 1.0
    sigma: float = 1.0
    cross_q: float = 0.01
    kappa: float = 0.5

    def __post_init__(self) -> None:
        for name in ("n_states", "actions_per_side", "noise_per_side"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, low=2 if name == "n_states" else 0))
        n, a, k = self.n_states, 2 * self.actions_per_side + 1, 2 * self.noise_per_side + 1
        check_elements(n * a * max(n, k), f"the kernel (S, A, S) of n_states={n}, actions_per_side={self.actions_per_side}, "
                       f"noise_per_side={self.noise_per_side}")
        _set_reals(
            self,
            dt=check_real(self.dt, "dt", low=0.0, low_open=True),
            sigma=check_real(self.sigma, "sigma", low=0.0, low_open=True),
            cross_q=check_real(self.cross_q, "cross_q"),
            kappa=check_real(self.kappa, "kappa"),
        )
        if (a * self.dt + k * self.sigma * np.sqrt(self.dt)) * n > 2.0**52:
            raise ValueError(f"dt and sigma move an agent by more than 2**52 cells (dt={self.dt:g}, sigma={self.sigma:g})")

    @property
    def moves(self) -> FloatArray:
        """Action values :math:`-m..m`."""
        return np.arange(-self.actions_per_side, self.actions_per_side + 1, dtype=np.float64)

    def noise(self) -> FloatArray:
        """:math:`\\Pr(\\varepsilon=k)`: the :math:`\\mathcal N(0,1)` mass of :math:`[k-\\frac12,k+\\frac12]`, tails folded."""
        k = np.arange(-self.noise_per_side, self.noise_per_side + 1, dtype=np.float64)
        upper = np.where(k == k[-1], np.inf, k + 0.5)
        lower = np.where(k == k[0], -np.inf, k - 0.5)
        return norm.cdf(upper) - norm.cdf(lower)

    def reward(self, mu: FloatArray) -> FloatArray:
        """:math:`(-\\frac12a^2+q\\,a(\\bar\\mu-s)-\\frac\\kappa2(\\bar\\mu-s)^2)\\Delta`, :math:`\\bar\\mu=\\sum_xx\\mu(x)`."""
        return self._reward(_mean_field(mu, self.n_states))

    def transition(self, mu: FloatArray) -> FloatArray:
        """:math:`s'=s+a\\Delta+\\sigma\\varepsilon\\sqrt\\Delta` rounded, modulo ``n_states`` (independent of :math:`\\mu`)."""
        return self._transition(_mean_field(mu, self.n_states))

    # The games call the unchecked model functions: they validate the mean field themselves (``check``).
    def _reward(self, mu: FloatArray) -> FloatArray:
        x = np.arange(self.n_states, dtype=np.float64)
        dist = (x @ mu - x)[:, None]
        a = self.moves[None, :]
        return (-0.5 * a**2 + self.cross_q * a * dist - 0.5 * self.kappa * dist**2) * self.dt

    def _transition(self, mu: FloatArray) -> FloatArray:
        n = self.n_states
        p = np.zeros((n, self.moves.size, n))
        eps = np.arange(-self.noise_per_side, self.noise_per_side + 1)
        s = np.arange(n)[:, None, None]
        step = self.moves[None, :, None] * self.dt + self.sigma * eps[None, None, :] * np.sqrt(self.dt)
        nxt = np.rint(s + step).astype(np.int64) % n
        w = np.broadcast_to(self.noise()[None, None, :], nxt.shape)
        si, ai = np.broadcast_to(s, nxt.shape), np.broadcast_to(np.arange(self.moves.size)[None, :, None], nxt.shape)
        np.add.at(p, (si.ravel(), ai.ravel(), nxt.ravel()), w.ravel())
        return p


P = TypeVar("P")


def _parameters(parameters: P | None, kind: type[P]) -> P:
    """``parameters`` if it is a ``kind``, the default ``kind()`` for ``None``."""
    if parameters is None:
        return kind()
    if not isinstance(parameters, kind):
        raise TypeError(f"parameters must be {kind.__name__} or None, got {type(parameters).__name__}")
    return parameters


def lq(*, gamma: float = 0.9, parameters: LQParameters | None = None, initial: npt.ArrayLike | None = None) -> StationaryMFG:
    """Stationary discounted LQ game of 001 App. D (uniform initial distribution, as in its Fig. 3).

    ``gamma`` is our choice (the paper gives none for its simulations).
    """
    dyn = _parameters(parameters, LQParameters)
    n = dyn.n_states
    init = np.full(n, 1.0 / n) if initial is None else check_array(initial, "initial")
    return StationaryMFG(
        n_states=n,
        n_actions=dyn.moves.size,
        reward_fn=dyn._reward,
        transition_fn=dyn._transition,
        gamma=gamma,
        initial=init,
        action_names=tuple(str(int(m)) for m in dyn.moves),
        name="LQ",
        transition_depends_on_mu=False,
    )


def lq_episodic(
    *, horizon: int = 10, gamma: float = 1.0, parameters: LQParameters | None = None, initial: npt.ArrayLike | None = None
) -> FiniteHorizonMFG:
    """Episodic LQ game of 001 App. D (no terminal cost). ``horizon`` is OpenSpiel's default 10."""
    dyn = _parameters(parameters, LQParameters)
    n = dyn.n_states
    init = np.full(n, 1.0 / n) if initial is None else check_array(initial, "initial")
    return FiniteHorizonMFG(
        n_states=n,
        n_actions=dyn.moves.size,
        horizon=horizon,
        reward_fn=TimeHomogeneous(dyn._reward),
        transition_fn=TimeHomogeneous(dyn._transition),
        initial=init,
        gamma=gamma,
        action_names=tuple(str(int(m)) for m in dyn.moves),
        name="LQ (episodic)",
    )


# ----------------------------------------------------------------------------------------------
# Garnet: random stationary MFGs with a contraction knob
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GarnetParameters:
    """:math:`r(s,a,\\mu)=r_0(s,a)+c\\,(W\\mu)(s)`, :math:`P=(1-\\epsilon)P_0+\\epsilon((1-h)u+h\\mu)`.

    ``r0`` is uniform on :math:`[0,1]`, ``w`` uniform on :math:`[-1,1]`, ``p0`` has ``branching``
    random successors per :math:`(s,a)` with uniform-Dirichlet weights, :math:`u` is uniform. The
    coupling :math:`c` scales how strongly the population moves the best response (the :math:`d_1` of
    Assumption 3), the mixing :math:`\\epsilon` bounds the Dobrushin coefficient of every
    :math:`P^\\pi` by :math:`1-\\epsilon` (:math:`d_3`), and the herding :math:`h` lets :math:`\\mu`
    enter the kernel.
    """

    r0: FloatArray
    w: FloatArray
    p0: FloatArray
    coupling: float
    mixing: float
    herding: float

    def __post_init__(self) -> None:
        r0 = check_array(self.r0, "r0", ndim=2, finite=True)
        s, a = r0.shape
        if s == 0 or a == 0:
            raise ValueError(f"r0 must have shape (S, A) with S, A >= 1, got {r0.shape}")
        object.__setattr__(self, "r0", r0)
        object.__setattr__(self, "w", check_array(self.w, "w", shape=(s, s), finite=True))
        p0 = check_distribution(self.p0, "p0")
        if p0.shape != (s, a, s):
            raise ValueError(f"p0 must have shape {(s, a, s)} (the states and actions of r0), got {p0.shape}")
        object.__setattr__(self, "p0", p0)
        _set_reals(self, coupling=check_real(self.coupling, "coupling", low=0.0), mixing=_unit(self.mixing, "mixing"),
                   herding=_unit(self.herding, "herding"))

    def reward(self, mu: FloatArray) -> FloatArray:
        """:math:`r_0(s,a)+c\\,(W\\mu)(s)`."""
        return self._reward(_mean_field(mu, self.w.shape[0]))

    def transition(self, mu: FloatArray) -> FloatArray:
        """:math:`(1-\\epsilon)P_0+\\epsilon((1-h)u+h\\mu)`."""
        return self._transition(_mean_field(mu, self.w.shape[0]))

    # The games call the unchecked model functions: they validate the mean field themselves (``check``).
    def _reward(self, mu: FloatArray) -> FloatArray:
        out: FloatArray = self.r0 + self.coupling * (self.w @ mu)[:, None]
        return out

    def _transition(self, mu: FloatArray) -> FloatArray:
        if self.herding == 0.0:
            return self.fixed_kernel
        n = mu.size
        target = (1.0 - self.herding) / n + self.herding * mu
        # renormalised: a mean field that sums to 1 only up to rounding must not let the rows'
        # error grow step after step (herding = 1 fed it back unchanged)
        target = target / target.sum()
        out: FloatArray = (1.0 - self.mixing) * self.p0 + self.mixing * target[None, None, :]
        return out

    @cached_property
    def fixed_kernel(self) -> FloatArray:
        """:math:`(1-\\epsilon)P_0+\\epsilon u`, the kernel when :math:`h=0` (computed once, read-only)."""
        n = self.p0.shape[0]
        p: FloatArray = (1.0 - self.mixing) * self.p0 + self.mixing / n
        p.setflags(write=False)
        return p


def garnet(
    n_states: int,
    n_actions: int,
    *,
    coupling: float = 1.0,
    mixing: float = 0.1,
    herding: float = 0.0,
    branching: int = 2,
    gamma: float = 0.9,
    seed: int | np.random.Generator = 0,
    check: bool = True,
) -> StationaryMFG:
    """Random (garnet-style) stationary MFG; see :class:`GarnetParameters`.

    Parameters
    ----------
    n_states, n_actions
        Sizes.
    coupling
        :math:`c\\ge0`: 0 decouples the agents (then :math:`\\Lambda^\\lambda` is the population
        dynamics of a fixed policy); large values break the contraction of Lemma 6.
    mixing, herding
        :math:`\\epsilon,h\\in[0,1]`.
    branching
        Successor states per :math:`(s,a)` of :math:`P_0`.
    gamma
        Discount :math:`\\gamma\\in(0,1)`.
    seed
        ``int`` or ``np.random.Generator``.
    check
        Passed to :class:`StationaryMFG` (switch off only in benchmarks).
    """
    n_states = check_int(n_states, "n_states", low=1)
    n_actions = check_int(n_actions, "n_actions", low=1)
    branching = check_int(branching, "branching", low=1, high=n_states)
    coupling = check_real(coupling, "coupling", low=0.0)
    check_elements(n_states * n_actions * n_states, f"the kernel (S, A, S) of garnet(n_states={n_states}, n_actions={n_actions})")
    mixing = _unit(mixing, "mixing")
    herding = _unit(herding, "herding")
    check_bool(check, "check")
    rng = check_rng(seed)
    r0 = rng.uniform(size=(n_states, n_actions))
    w = rng.uniform(-1.0, 1.0, size=(n_states, n_states))
    p0 = np.zeros((n_states, n_actions, n_states))
    succ = np.argsort(rng.uniform(size=(n_states, n_actions, n_states)), axis=-1)[..., :branching]
    np.put_along_axis(p0, succ, rng.dirichlet(np.ones(branching), size=(n_states, n_actions)), axis=-1)
    dyn = GarnetParameters(r0, w, p0, coupling, mixing, herding)
    return StationaryMFG(
        n_states=n_states,
        n_actions=n_actions,
        reward_fn=dyn._reward,
        transition_fn=dyn._transition,
        gamma=gamma,
        initial=np.full(n_states, 1.0 / n_states),
        name=f"garnet(c={coupling:g})",
        check=check,
        transition_depends_on_mu=herding > 0,
    )


# ----------------------------------------------------------------------------------------------
# Classic small games in mfglib 0.3.0's conventions (finite horizon, undiscounted)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ChooseNext:
    """Kernel of the one-shot games: from any state, action ``a`` leads to state ``1 + a``."""

    n_states: int
    n_actions: int

    def __call__(self, t: int, m: FloatArray) -> FloatArray:
        p = np.zeros((self.n_states, self.n_actions, self.n_states))
        p[:, np.arange(self.n_actions), 1 + np.arange(self.n_actions)] = 1.0
        return p


def _left_right_reward(t: int, mu: FloatArray) -> FloatArray:
    r = np.zeros((3, 2))
    r[1] = -mu[1]
    r[2] = -2.0 * mu[2]
    return r


def left_right(*, initial: npt.ArrayLike = (1.0, 0.0, 0.0)) -> FiniteHorizonMFG:
    """Left-right game (Cui & Koeppl 2021): from the start state choose L or R; then pay the crowd.

    States (start, L, R), actions (L, R), two epochs: at :math:`t=1` the reward is
    :math:`-\\mu_1(L)` in L and :math:`-2\\mu_1(R)` in R. The NE (:math:`\\lambda=0`) goes left with
    probability 2/3, equalising :math:`\\mu_1(L)=2\\mu_1(R)`.
    """
    return FiniteHorizonMFG(
        n_states=3,
        n_actions=2,
        horizon=2,
        reward_fn=_left_right_reward,
        transition_fn=_ChooseNext(3, 2),
        initial=check_array(initial, "initial"),
        state_names=("C", "L", "R"),
        action_names=("L", "R"),
        name="left-right",
    )


def _rps_reward(t: int, mu: FloatArray) -> FloatArray:
    r = np.zeros((4, 3))
    r[1] = 2.0 * mu[3] - mu[2]
    r[2] = 4.0 * mu[1] - 2.0 * mu[3]
    r[3] = 6.0 * mu[2] - 3.0 * mu[1]
    return r


def rock_paper_scissors(*, horizon: int = 2, initial: npt.ArrayLike = (1.0, 0.0, 0.0, 0.0)) -> FiniteHorizonMFG:
    """Generalised rock-paper-scissors (Shapley 1964; Cui & Koeppl 2021), mfglib's version.

    States (start, R, P, S), actions (R, P, S); playing a hand moves to its state, where the reward is
    :math:`2\\mu(S)-\\mu(P)`, :math:`4\\mu(R)-2\\mu(S)`, :math:`6\\mu(P)-3\\mu(R)` respectively.
    ``horizon`` is mfglib's ``T + 1``.
    """
    return FiniteHorizonMFG(
        n_states=4,
        n_actions=3,
        horizon=horizon,
        reward_fn=_rps_reward,
        transition_fn=_ChooseNext(4, 3),
        initial=check_array(initial, "initial"),
        state_names=("start", "R", "P", "S"),
        action_names=("R", "P", "S"),
        name="rock-paper-scissors",
    )


@dataclass(frozen=True)
class BeachBarParameters:
    """Beach bar (Perrin et al. 2020) as mfglib 0.3.0 writes it.

    Parameters
    ----------
    n_states
        Beach positions.
    bar_location
        Position of the bar (distance to it is measured on the torus).
    p_still
        Probability that the move is not perturbed by :math:`\\pm1` noise; positions clip at the ends.
    log_eps
        :math:`\\varepsilon` in the crowd-aversion term :math:`-\\log(\\mu(s)+\\varepsilon)`.
    """

    n_states: int = 4
    bar_location: int = 2
    p_still: float = 0.5
    log_eps: float = 1e-20

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_states", check_int(self.n_states, "n_states", low=2))
        check_elements(self.n_states * 3 * self.n_states, f"the kernel (S, 3, S) of n_states={self.n_states}")
        object.__setattr__(self, "bar_location", check_int(self.bar_location, "bar_location", low=0, high=self.n_states - 1))
        _set_reals(self, p_still=_unit(self.p_still, "p_still"), log_eps=check_real(self.log_eps, "log_eps", low=0.0, low_open=True))

    def reward(self, t: int, mu: FloatArray) -> FloatArray:
        """:math:`-d(s,\\text{bar})-c(a)/n-\\log(\\mu(s)+\\varepsilon)`."""
        _epoch(t)
        return self._reward(t, _mean_field(mu, self.n_states))

    def transition(self, t: int, mu: FloatArray) -> FloatArray:
        """A move left, stay or right, perturbed by :math:`\\pm1` with probability ``1 - p_still``, clipped at the ends."""
        _epoch(t)
        return self._transition(t, _mean_field(mu, self.n_states))

    # The games call the unchecked model functions: they validate the mean field themselves (``check``).
    def _reward(self, t: int, mu: FloatArray) -> FloatArray:
        n = self.n_states
        d = np.abs(np.arange(n) - self.bar_location)
        dist = np.minimum(d, n - d)[:, None]
        move_cost = np.array([1.0, 0.0, 1.0])[None, :] / n
        out: FloatArray = -dist - move_cost - np.log(mu + self.log_eps)[:, None]
        return out

    def _transition(self, t: int, mu: FloatArray) -> FloatArray:
        n = self.n_states
        p = np.zeros((n, 3, n))
        probs = ((1 - self.p_still) / 2, self.p_still, (1 - self.p_still) / 2)
        for a in range(3):
            for eps, pr in zip((-1, 0, 1), probs, strict=True):
                nxt = np.clip(np.arange(n) + a - 1 + eps, 0, n - 1)
                np.add.at(p[:, a, :], (np.arange(n), nxt), pr)
        return p


def beach_bar(*, horizon: int = 3, parameters: BeachBarParameters | None = None, initial: npt.ArrayLike | None = None) -> FiniteHorizonMFG:
    """Beach-bar game in mfglib's conventions (actions left, stay, right; ``horizon`` = mfglib ``T + 1``)."""
    dyn = _parameters(parameters, BeachBarParameters)
    n = dyn.n_states
    init = np.full(n, 1.0 / n) if initial is None else check_array(initial, "initial")
    return FiniteHorizonMFG(
        n_states=n,
        n_actions=3,
        horizon=horizon,
        reward_fn=dyn._reward,
        transition_fn=dyn._transition,
        initial=init,
        action_names=("left", "stay", "right"),
        name="beach bar",
    )


@dataclass(frozen=True, eq=False)
class RandomLinearParameters:
    """mfglib's ``random_linear`` game: rewards and kernel logits affine in the joint :math:`L_t`.

    :math:`r(s,a)=\\sum_xr_1(s,x)L(x,a)+r_2(s,a)` and
    :math:`P(s'|s,a)=\\mathrm{softmax}_{s'}\\big(\\sum_xp_1(s',s,x)L(x,a)+p_2(s',s,a)\\big)`
    (mfglib stores kernels destination-first; here they are transposed to ``(S, A, S')``). Requires
    :math:`|\\mathcal S|=|\\mathcal A|`.
    """

    p1: FloatArray
    p2: FloatArray
    r1: FloatArray
    r2: FloatArray

    def __post_init__(self) -> None:
        r2 = check_array(self.r2, "r2", ndim=2, finite=True)
        n = r2.shape[0]
        if r2.shape != (n, n) or n < 1:
            raise ValueError(f"r2 must have shape (n, n) with n >= 1 (|S| = |A|), got {r2.shape}")
        object.__setattr__(self, "r2", r2)
        object.__setattr__(self, "r1", check_array(self.r1, "r1", shape=(n, n), finite=True))
        object.__setattr__(self, "p1", check_array(self.p1, "p1", shape=(n, n, n), finite=True))
        object.__setattr__(self, "p2", check_array(self.p2, "p2", shape=(n, n, n), finite=True))

    @cached_property
    def _layout(self) -> tuple[FloatArray, FloatArray, FloatArray, bool]:
        """Coefficients laid out so that a kernel is one batched product written in place.

        ``p1`` as ``(s, x, s')``, so that the logits :math:`\\sum_xp_1(s',s,x)L(x,a)` of every
        ``(s, a, s')`` are the batched product ``L.T @ p1[s]`` written straight into the kernel's
        ``(S, A, S')`` array (one ``(A, X) @ (X, S')`` product per ``s``); ``p2`` as ``(s, a, s')``;
        a vector of ones for the row sums; and whether the logits are bounded well inside the range of
        ``exp``: :math:`|\\sum_xp_1(s',s,x)L(x,a)+p_2(s',s,a)|\\le\\max|p_1|+\\max|p_2|` because the
        joint sums to 1, so below 700 the softmax needs no max-shift (mfglib's coefficients lie in
        :math:`[-m,m]`).
        """
        p1 = np.ascontiguousarray(self.p1.transpose(1, 2, 0))
        p2 = np.ascontiguousarray(self.p2.transpose(1, 2, 0))
        bounded = bool(np.abs(self.p1).max() + np.abs(self.p2).max() < 700.0)
        return p1, p2, np.ones(p1.shape[0]), bounded

    def _joint(self, t: object, joint: npt.ArrayLike) -> FloatArray:
        """The state-action distribution ``(S, A)`` of an epoch (the kernel's logits are bounded because it sums to 1)."""
        _epoch(t)
        n = self.r2.shape[0]
        arr: FloatArray = check_array(joint, "joint", shape=(n, n))
        check_distribution(arr.reshape(-1), "joint")
        return arr

    def reward(self, t: int, joint: FloatArray) -> FloatArray:
        """:math:`\\sum_xr_1(s,x)L(x,a)+r_2(s,a)`."""
        return self._reward(t, self._joint(t, joint))

    def transition(self, t: int, joint: FloatArray) -> FloatArray:
        """:math:`\\mathrm{softmax}_{s'}(\\sum_xp_1(s',s,x)L(x,a)+p_2(s',s,a))`, ``(S, A, S')``."""
        return self._transition(t, self._joint(t, joint))

    # The games call the unchecked model functions: they validate the joint themselves (``check``).
    def _reward(self, t: int, joint: FloatArray) -> FloatArray:
        out: FloatArray = self.r1 @ joint + self.r2
        return out

    def _transition(self, t: int, joint: FloatArray) -> FloatArray:
        n = self.r2.shape[0]
        out: FloatArray = np.empty((n, n, n))
        self._transition_into(t, joint, out)
        return out

    def _transition_into(self, t: int, joint: FloatArray, out: FloatArray) -> None:
        """The kernel written into ``out`` (a C-contiguous ``(S, A, S')`` array), with no temporary of its size.

        Five passes over ``out``: the batched product, the add of ``p2``, the exponentials, the row
        sums (one matrix-vector product) and the scaling by their reciprocals.
        """
        p1, p2, ones, bounded = self._layout
        n = p2.shape[0]
        np.matmul(joint.T, p1, out=out)
        np.add(out, p2, out=out)
        if not bounded:
            out -= out.max(axis=-1, keepdims=True)
        np.exp(out, out=out)
        inverse = out.reshape(n * n, n) @ ones
        np.reciprocal(inverse, out=inverse)
        np.multiply(out, inverse.reshape(n, n, 1), out=out)


def random_linear(
    *,
    n: int = 5,
    m: float = 10.0,
    horizon: int = 4,
    seed: int | np.random.Generator = 0,
    parameters: RandomLinearParameters | None = None,
    check: bool = True,
) -> FiniteHorizonMFG:
    """mfglib's ``random_linear`` (|S| = |A| = n, coefficients uniform on :math:`[-m, m]`).

    ``parameters`` overrides the random draw (e.g. with the tensors of an mfglib environment, to put
    both libraries on the very same game; see :mod:`mfcode.mfg.mfglib_compat`). ``horizon`` is
    mfglib's ``T + 1``.
    """
    if parameters is None:
        n = check_int(n, "n", low=1)
        m = check_real(m, "m", low=0.0)
        check_elements(2 * n**3, f"the coefficients (n, n, n) of random_linear(n={n})")
        rng = check_rng(seed)
        parameters = RandomLinearParameters(
            p1=rng.uniform(-m, m, size=(n, n, n)),
            p2=rng.uniform(-m, m, size=(n, n, n)),
            r1=rng.uniform(-m, m, size=(n, n)),
            r2=rng.uniform(-m, m, size=(n, n)),
        )
    elif not isinstance(parameters, RandomLinearParameters):
        raise TypeError(f"parameters must be RandomLinearParameters or None, got {type(parameters).__name__}")
    n = parameters.r2.shape[0]
    return FiniteHorizonMFG(
        n_states=n,
        n_actions=n,
        horizon=horizon,
        reward_fn=parameters._reward,
        transition_fn=parameters._transition,
        transition_into=parameters._transition_into,
        initial=np.full(n, 1.0 / n),
        population="state_action",
        name="random linear",
        check=check,
    )
