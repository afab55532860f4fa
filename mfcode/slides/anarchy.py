"""Cooperation vs competition: the MFC social optimum against the MFG equilibrium, and the price of anarchy.

Slides seed ``004_ae508d4ce3677c60.txt``, "Mean-field control" and Theorem 3 (Gu, Guo, Wei & Xu 2019):
the central planner's value satisfies the Bellman equation of the integrated Q-function on measures,

.. math:: Q(\\mu,h)=r(\\mu,h)+\\gamma\\sup_{h'}Q(\\Phi(\\mu,h),h'),\\quad
          \\Phi(\\mu,h)=\\sum_{s,a}P(s,\\mu,a)\\mu(s)h(s,a),\\quad r(\\mu,h)=\\sum_{s,a}\\mu(s)h(s,a)\\tilde r(s,a,\\mu),

an MDP whose state is :math:`\\mu` and whose action is a local policy :math:`h` -- the "no environment
state, with agent dynamics" counterpart of seed 002's eq. (27). For a two-state model (SIS)
:math:`\\mu` is one number :math:`\\mu(1)\\in[0,1]`; :func:`social_optimum` puts it on the grid :math:`\\{(i/M)^2\\}` of
:math:`M+1` points (denser near the disease-free state, where interpolation errs most), :math:`h` on a lattice of decision rules, replaces the deterministic flow
:math:`\\mu\\mapsto\\Phi(\\mu,h)` by linear interpolation between the two neighbouring grid points (a
stochastic kernel on the grid), and solves the result with the MFC chapter's exact value iteration
(:func:`mfcode.mfc.dp.value_iteration` on a :class:`~mfcode.mfc.dp.GridMDP`). The greedy rule of the grid
Q-function, used as feedback :math:`h_t=h^\\star(\\mu_t)` on the exact flow, is an implementable
policy; its exact welfare is a lower bound on the optimum, the grid value an estimate of it.

The price of anarchy compares the population's cost at the MFG equilibrium (the regularized NE of
:func:`mfcode.mfg.solvers.solve_equilibrium` at a small temperature, scored without the entropy term)
with the planner's: :math:`\\mathrm{PoA}=C_{\\mathrm{NE}}/C_{\\mathrm{opt}}\\ge1` for costs :math:`C=-V>0`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.mfc.dp import GridMDP, simplex_grid, value_iteration
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nplayer.mean_field import mean_field_evaluation
from mfcode.simplex import check_distribution
from mfcode.validation import check_int, check_real, check_temperature

__all__ = ["Anarchy", "SocialOptimum", "price_of_anarchy", "social_optimum"]


def _two_state(game: object) -> StationaryMFG:
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    if game.n_states != 2:
        raise ValueError(f"social_optimum discretises mu(1) in [0, 1]: game must have 2 states, got {game.n_states}")
    return game


def _rules(n_actions: int, resolution: int) -> FloatArray:
    """Every local policy with rows on the lattice of resolution ``resolution``: ``(K, 2, A)``."""
    rows = simplex_grid(n_actions, resolution)
    k = rows.shape[0]
    out: FloatArray = np.stack([np.repeat(rows, k, axis=0), np.tile(rows, (k, 1))], axis=1)
    return out


def _grid(grid_size: int) -> FloatArray:
    """Grid points :math:`(i/M)^2` of :math:`\\mu(1)`: denser near 0, where the flow of an epidemic slows down."""
    out: FloatArray = (np.arange(grid_size + 1) / grid_size) ** 2
    return out


def _interpolation(points: FloatArray, grid: FloatArray) -> FloatArray:
    """Weights ``(..., M+1)`` of linear interpolation at ``points`` in [0, 1] between the increasing ``grid`` points."""
    x = np.clip(points, 0.0, 1.0)
    lo = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    frac = (x - grid[lo]) / (grid[lo + 1] - grid[lo])
    w = np.zeros((*points.shape, grid.size))
    np.put_along_axis(w, lo[..., None], (1.0 - frac)[..., None], axis=-1)
    np.put_along_axis(w, lo[..., None] + 1, frac[..., None], axis=-1)
    return w


@dataclass(frozen=True, eq=False)
class SocialOptimum:
    """Output of :func:`social_optimum`.

    Attributes
    ----------
    grid_value
        :math:`V^\\star(\\rho)` of the grid MDP (interpolated at :math:`\\rho`).
    achieved_value
        Exact welfare of the feedback policy :math:`h^\\star(\\mu_t)` on the exact flow from :math:`\\rho`.
    flow
        :math:`\\mu_t(1)` along that flow, ``(H,)``.
    rules
        The rule used at each step, ``(H, 2, A)``.
    """

    grid_value: float
    achieved_value: float
    flow: FloatArray
    rules: FloatArray


def social_optimum(
    game: StationaryMFG, *, initial: npt.ArrayLike | None = None, grid_size: int = 100, rule_resolution: int = 10,
    horizon: int = 300,
) -> SocialOptimum:
    """The planner's optimum of a two-state model from ``initial`` (default the game's :math:`\\rho`), by the IQ Bellman equation on a grid."""
    g = _two_state(game)
    m = check_int(grid_size, "grid_size", low=2)
    rules = _rules(g.n_actions, check_int(rule_resolution, "rule_resolution", low=1))
    h = check_int(horizon, "horizon", low=1)
    rho = g.initial if initial is None else check_distribution(initial, "initial")
    points = _grid(m)
    mus = np.stack([1.0 - points, points], axis=1)
    rewards = np.zeros((rules.shape[0], m + 1))
    kernels = np.zeros((rules.shape[0], m + 1, m + 1))
    for i, mu in enumerate(mus):
        r, p = g.reward(mu), g.transition(mu)
        rewards[:, i] = np.einsum("s,ksa,sa->k", mu, rules, r)
        nxt = np.einsum("s,ksa,sat->kt", mu, rules, p)
        kernels[:, i] = _interpolation(nxt[:, 1], points)
    dp = value_iteration(GridMDP(rules=rules, rewards=rewards, kernels=kernels, gamma=g.gamma), tol=1e-9)
    grid_value = float(_interpolation(np.array(rho[1]), points) @ dp.V)
    mu = rho.copy()
    total, discount = 0.0, 1.0
    flow, used = [], []
    for _ in range(h):
        q = _interpolation(np.array(mu[1]), points) @ dp.Q  # Q(mu, h_k) interpolated
        rule = rules[int(np.argmax(q))]
        r, p = g.reward(mu), g.transition(mu)
        total += discount * float(np.einsum("s,sa,sa->", mu, rule, r))
        flow.append(float(mu[1]))
        used.append(rule)
        mu = np.einsum("s,sa,sat->t", mu, rule, p)
        discount *= g.gamma
    return SocialOptimum(grid_value, total, np.array(flow), np.stack(used))


@dataclass(frozen=True)
class Anarchy:
    """Welfare at the MFG equilibrium and at the social optimum, from the same :math:`\\rho`.

    Attributes
    ----------
    equilibrium_value
        :math:`V^{\\mathrm{MF}}(\\pi^\\star)` without the entropy term, from :math:`\\mu^\\star`.
    equilibrium_exploitability
        The unregularized mean-field exploitability of :math:`\\pi^\\star` there (how far from an exact NE).
    optimum_value, optimum_grid_value
        :attr:`SocialOptimum.achieved_value` and :attr:`SocialOptimum.grid_value`.
    """

    equilibrium_value: float
    equilibrium_exploitability: float
    optimum_value: float
    optimum_grid_value: float

    @property
    def price(self) -> float:
        """:math:`C_{\\mathrm{NE}}/C_{\\mathrm{opt}}` with the achieved optimum (a lower bound on the price of anarchy up to the NE's approximation)."""
        return self.equilibrium_value / self.optimum_value


def price_of_anarchy(
    game: StationaryMFG, *, temperature: float = 0.01, grid_size: int = 100, rule_resolution: int = 10
) -> Anarchy:
    """:class:`Anarchy` of a two-state model with non-positive rewards (costs), both started at the NE's :math:`\\mu^\\star`.

    From :math:`\\mu^\\star` the equilibrium flow is constant, so the equilibrium is an equilibrium of the game
    started there (its exploitability is the stationary one); the planner starts from the same population.
    """
    g = _two_state(game)
    lam = check_temperature(temperature)
    check_real(lam, "temperature", low=0.0, low_open=True)
    eq = solve_equilibrium(g, lam, memory=3, max_iter=2000)
    mf = mean_field_evaluation(g, eq.policy, eq.mean_field)
    opt = social_optimum(g, initial=eq.mean_field, grid_size=grid_size, rule_resolution=rule_resolution)
    if mf.value >= 0.0 or opt.achieved_value >= 0.0:
        raise ValueError("price_of_anarchy needs costs: the welfare at the NE and at the optimum must be negative")
    return Anarchy(mf.value, mf.exploitability, opt.achieved_value, opt.grid_value)
