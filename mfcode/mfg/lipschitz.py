"""Numerical estimates of the Lipschitz constants of Assumption 3 and of the contraction factor of Λ^λ.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §4, Assumption 3:
:math:`D(\\Gamma_1^\\lambda(\\mu),\\Gamma_1^\\lambda(\\mu'))\\le d_1\\|\\mu-\\mu'\\|_1`,
:math:`\\|\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi',\\mu)\\|_1\\le d_2D(\\pi,\\pi')`,
:math:`\\|\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi,\\mu')\\|_1\\le d_3\\|\\mu-\\mu'\\|_1`; Lemma 6 (App. A):
:math:`\\|\\Lambda^\\lambda(\\mu)-\\Lambda^\\lambda(\\mu')\\|_1\\le(d_1d_2+d_3)\\|\\mu-\\mu'\\|_1`.

The estimates are maxima of difference quotients over random pairs :math:`(\\mu,\\mu')` (half of
them nearby, half far apart), i.e. lower bounds on the true constants. All four quotients are
taken on the *same* pairs, with :math:`\\pi=\\Gamma_1^\\lambda(\\mu)`, :math:`\\pi'=\\Gamma_1^\\lambda(\\mu')`
in :math:`d_2` and :math:`\\pi'` in :math:`d_3`, so that Lemma 6's triangle inequality holds pair by
pair and hence for the estimates. :math:`D` is the sup-over-states policy distance
(``weights=None`` in :func:`mfcode.simplex.policy_distance`), which dominates the
:math:`d^\\star`-weighted one of §4; with it :math:`d_2\\le1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.limits import check_steps
from mfcode.mfg.operators import best_response
from mfcode.mfg.stationary import StationaryMFG
from mfcode.simplex import policy_distance
from mfcode.validation import check_int, check_real, check_rng

__all__ = ["LipschitzEstimate", "PairQuotients", "estimate_lipschitz", "pair_quotients"]


@dataclass(frozen=True)
class LipschitzEstimate:
    """Estimated :math:`d_1,d_2,d_3` and :math:`\\mathrm{Lip}(\\Lambda^\\lambda)` (``contraction``)."""

    d1: float
    d2: float
    d3: float
    contraction: float

    @property
    def bound(self) -> float:
        """Lemma 6's :math:`d_1d_2+d_3`."""
        return self.d1 * self.d2 + self.d3


@dataclass(frozen=True)
class PairQuotients:
    """The quotients of Assumption 3 and Lemma 6 on one pair :math:`(\\mu,\\pi)`, :math:`(\\mu',\\pi')`.

    Attributes
    ----------
    distance, policy_jump
        :math:`\\|\\mu-\\mu'\\|_1` and :math:`D(\\pi,\\pi')`.
    d2
        :math:`\\|\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi',\\mu)\\|_1/D(\\pi,\\pi')` (0 when the policies agree).
    d3
        :math:`\\|\\Gamma_2(\\pi',\\mu)-\\Gamma_2(\\pi',\\mu')\\|_1/\\|\\mu-\\mu'\\|_1`.
    population_jump
        :math:`\\|\\Gamma_2(\\pi,\\mu)-\\Gamma_2(\\pi',\\mu')\\|_1` (over ``distance``: the quotient of
        :math:`\\Lambda^\\lambda` when :math:`\\pi,\\pi'` are the best responses).
    """

    distance: float
    policy_jump: float
    d2: float
    d3: float
    population_jump: float


def pair_quotients(
    game: StationaryMFG, mu: npt.ArrayLike, policy: npt.ArrayLike, mu2: npt.ArrayLike, policy2: npt.ArrayLike
) -> PairQuotients:
    """:class:`PairQuotients` of two distinct mean fields and a policy at each (e.g. their best responses)."""
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG (Assumption 3 is stated for it), got {type(game).__name__}")
    m, m2 = game.check_mean_field(mu, "mu"), game.check_mean_field(mu2, "mu2")
    pi, pi2 = game.check_policy(policy, "policy"), game.check_policy(policy2, "policy2")
    dmu = float(np.abs(m - m2).sum())
    if dmu == 0.0:
        raise ValueError("mu2 must differ from mu (the quotients divide by ||mu - mu2||_1)")
    return _pair_quotients(game, m, pi, m2, pi2, dmu)


def _pair_quotients(game: StationaryMFG, mu: FloatArray, pi: FloatArray, mu2: FloatArray, pi2: FloatArray, dmu: float) -> PairQuotients:
    dpi = policy_distance(pi, pi2)
    image, image2, cross = game.push_forward(pi, mu), game.push_forward(pi2, mu2), game.push_forward(pi2, mu)
    d2 = float(np.abs(image - cross).sum()) / dpi if dpi > 0 else 0.0
    return PairQuotients(dmu, dpi, d2, float(np.abs(cross - image2).sum()) / dmu, float(np.abs(image - image2).sum()))


def estimate_lipschitz(
    game: StationaryMFG,
    temperature: float,
    *,
    n_pairs: int = 50,
    local_scale: float = 1e-3,
    seed: int | np.random.Generator = 0,
) -> LipschitzEstimate:
    """Estimate the constants of Assumption 3 and the Lipschitz constant of :math:`\\Lambda^\\lambda`.

    Parameters
    ----------
    game
        Stationary MFG.
    temperature
        :math:`\\lambda` (positive: :math:`\\Gamma_1^0` is discontinuous at ties).
    n_pairs
        Number of random pairs (even ones nearby, odd ones independent).
    local_scale
        :math:`\\ell_1` size of the nearby perturbations.
    seed
        ``int`` or ``np.random.Generator``.
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG (Assumption 3 is stated for it), got {type(game).__name__}")
    temperature = check_real(temperature, "temperature", low=0.0, low_open=True)
    n_pairs = check_steps(check_int(n_pairs, "n_pairs", low=1), f"estimate_lipschitz over n_pairs={n_pairs} pairs")
    local_scale = check_real(local_scale, "local_scale", low=0.0, high=1.0, low_open=True, high_open=True)
    rng = check_rng(seed)
    n = game.n_states
    d1 = d2 = d3 = lip = 0.0
    for k in range(n_pairs):
        mu = rng.dirichlet(np.ones(n))
        if k % 2 == 0:
            other = rng.dirichlet(np.ones(n))
            mu2 = (1 - local_scale) * mu + local_scale * other
        else:
            mu2 = rng.dirichlet(np.ones(n))
        dmu = np.abs(mu - mu2).sum()
        if dmu == 0.0:
            continue
        q = _pair_quotients(game, mu, best_response(game, mu, temperature).policy, mu2, best_response(game, mu2, temperature).policy, dmu)
        d1 = max(d1, q.policy_jump / dmu)
        d2 = max(d2, q.d2)
        d3 = max(d3, q.d3)
        lip = max(lip, q.population_jump / dmu)
    return LipschitzEstimate(float(d1), float(d2), float(d3), float(lip))
