"""The exact SIS notebook (``book/foundations/sis_exact.ipynb``): 001 §2 on the game of 001 App. D.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, on the stationary discounted SIS game
(:func:`mfcode.mfg.games.sis`, raw rewards):

- :func:`map_scan`: the regularized best response :math:`\\Gamma_1^\\lambda(\\mu)` and one step of the
  mean-field map :math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)` (001 §2, Definition 1)
  along a grid of infected fractions :math:`\\mu(I)`;
- :func:`regularized_equilibrium`: the exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` from
  :math:`\\mu_0=\\rho` (:func:`mfcode.fixed_point.compute_fixed_point`), its limit :math:`\\mu^\\star` and
  :math:`\\pi^\\star=\\Gamma_1^\\lambda(\\mu^\\star)`;
- :func:`eq1_gap`: both sides of eq. (1) (001 §2) at that NE, the gap
  :math:`\\max_\\pi V^\\pi_{\\mu^\\star}(\\rho)-V^{\\pi^\\star}_{\\mu^\\star}(\\rho)` at :math:`\\rho` (the game's
  initial distribution) and the bound :math:`\\lambda\\log|\\mathcal A|/(1-\\gamma)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.experiments.budget import check_budget
from mfcode.fixed_point import FixedPointTrace, compute_fixed_point, l1_distance
from mfcode.mfg import games, operators
from mfcode.mfg.exploitability import exploitability, regularization_bias_bound
from mfcode.mfg.stationary import StationaryMFG
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "GRID_POINTS",
    "Eq1Gap",
    "MapScan",
    "RegularizedEquilibrium",
    "eq1_gap",
    "map_scan",
    "regularized_equilibrium",
]

#: Points of the grid of infected fractions :math:`\mu(I)\in[0,1]` that :func:`map_scan` uses, per budget.
GRID_POINTS: Mapping[str, int] = MappingProxyType({"ci": 201, "full": 2001})


def _gamma(gamma: object) -> float:
    return check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)


@dataclass(frozen=True, eq=False)
class MapScan:
    """:math:`\\Gamma_1^\\lambda` and :math:`\\Lambda^\\lambda` of the SIS game along :math:`\\mu=(1-x, x)` (001 §2).

    Attributes
    ----------
    infected
        The grid of infected fractions :math:`x=\\mu(I)`, ``(n,)``, from 0 to 1.
    infected_next
        :math:`\\Lambda^\\lambda(\\mu)(I)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)(I)`, ``(n,)``.
    step_change
        ``infected_next - infected``: one step of the map minus the identity; its zeros are the
        regularized equilibria (Definition 1), ``(n,)``.
    going_out
        :math:`\\Gamma_1^\\lambda(\\mu)(U\\mid S)`, the probability a susceptible agent goes out, ``(n,)``.
    """

    infected: FloatArray
    infected_next: FloatArray
    step_change: FloatArray
    going_out: FloatArray


def map_scan(*, budget: str, gamma: float, temperature: float) -> MapScan:
    """The exact best response and mean-field map of :func:`~mfcode.mfg.games.sis` along a grid of :math:`\\mu(I)`.

    Parameters
    ----------
    budget
        ``"ci"`` or ``"full"``: the grid has :data:`GRID_POINTS` ``[budget]`` points.
    gamma
        Discount :math:`\\gamma\\in[0,1)` of the stationary game.
    temperature
        Entropy weight :math:`\\lambda>0` of :math:`\\Gamma_1^\\lambda` (001 §2).
    """
    n = GRID_POINTS[check_budget(budget)]
    lam = check_temperature(temperature)
    game = games.sis(gamma=_gamma(gamma))
    grid = np.linspace(0.0, 1.0, n)
    infected_next = np.empty(n)
    going_out = np.empty(n)
    for i, x in enumerate(grid):
        mu = np.array([1.0 - x, x])
        pi = operators.best_response(game, mu, lam).policy
        infected_next[i] = game.push_forward(pi, mu)[1]
        going_out[i] = pi[0, 1]
    return MapScan(grid, infected_next, infected_next - grid, going_out)


@dataclass(frozen=True, eq=False)
class RegularizedEquilibrium:
    """The regularized NE reached by the exact iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)` (001 §2, Definition 1).

    Attributes
    ----------
    game
        The stationary SIS game (:func:`~mfcode.mfg.games.sis`); ``game.initial`` is :math:`\\mu_0=\\rho`.
    temperature
        :math:`\\lambda`.
    mean_field
        :math:`\\mu^\\star`, the last iterate, ``(2,)`` = ``(mu(S), mu(I))``.
    policy
        :math:`\\pi^\\star=\\Gamma_1^\\lambda(\\mu^\\star)`, ``(2, 2)`` (states S, I; actions D, U).
    trace
        The iteration's trace: residuals :math:`\\|\\mu_{k+1}-\\mu_k\\|_1` of every sweep.
    consistency_residual
        :math:`\\|\\Lambda^\\lambda(\\mu^\\star)-\\mu^\\star\\|_1` (consistency of Definition 1).
    """

    game: StationaryMFG
    temperature: float
    mean_field: FloatArray
    policy: FloatArray
    trace: FixedPointTrace[FloatArray]
    consistency_residual: float


def regularized_equilibrium(*, gamma: float, temperature: float, n_iterations: int) -> RegularizedEquilibrium:
    """``n_iterations`` exact sweeps :math:`\\mu\\leftarrow\\Lambda^\\lambda(\\mu)` of the SIS game from :math:`\\mu_0=\\rho`.

    The iteration runs for exactly ``n_iterations`` sweeps (it stops earlier only at an exact fixed
    point, which the remaining sweeps would not move); the returned trace says whether its last
    step moved the mean field at all (``converged``).

    Parameters
    ----------
    gamma
        Discount :math:`\\gamma\\in[0,1)`.
    temperature
        :math:`\\lambda>0` (the best response is unique, 001 §2).
    n_iterations
        Number of sweeps, ``>= 1``.
    """
    lam = check_temperature(temperature)
    if lam <= 0.0:
        raise ValueError(f"temperature must be > 0 for the regularized NE, got {temperature!r}")
    sweeps = check_int(n_iterations, "n_iterations", low=1)
    game = games.sis(gamma=_gamma(gamma))

    def step(mu: FloatArray) -> FloatArray:
        return operators.mean_field_map(game, mu, lam)

    trace = compute_fixed_point(
        step, game.initial, tol=0.0, max_iter=sweeps, distance=l1_distance,
        what="mu <- Lambda^lambda(mu)", raise_on_failure=False,
    )
    mu = trace.value
    policy = operators.best_response(game, mu, lam).policy
    residual = l1_distance(step(mu), mu)
    return RegularizedEquilibrium(game, lam, mu, policy, trace, residual)


@dataclass(frozen=True, eq=False)
class Eq1Gap:
    """Both sides of eq. (1) (001 §2) at a regularized NE :math:`(\\pi^\\star,\\mu^\\star)`, at :math:`\\rho`.

    Attributes
    ----------
    gap
        :math:`\\max_\\pi V^\\pi_{\\mu^\\star}(\\rho)-V^{\\pi^\\star}_{\\mu^\\star}(\\rho)` (unregularized values,
        :math:`\\rho` = the game's initial distribution): the unregularized exploitability of
        :math:`\\pi^\\star` against :math:`\\mu^\\star`.
    bound
        :math:`\\lambda\\log|\\mathcal A|/(1-\\gamma)`, the right-hand side of eq. (1).
    """

    gap: float
    bound: float


def eq1_gap(equilibrium: RegularizedEquilibrium) -> Eq1Gap:
    """The gap of eq. (1) at :math:`\\rho` and its bound, by :func:`~mfcode.mfg.exploitability.exploitability` and
    :func:`~mfcode.mfg.exploitability.regularization_bias_bound`."""
    if not isinstance(equilibrium, RegularizedEquilibrium):
        raise TypeError(f"equilibrium must be a RegularizedEquilibrium, got {type(equilibrium).__name__}")
    game = equilibrium.game
    gap = exploitability(game, equilibrium.policy, 0.0, mean_field=equilibrium.mean_field)
    return Eq1Gap(gap, regularization_bias_bound(game, equilibrium.temperature))
