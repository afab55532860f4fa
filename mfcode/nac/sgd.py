"""Algorithm 3 of 001 App. C: projected SGD on the compatible regression, the actor of Algorithm 1.

From the critic's :math:`\\hat q` form (eq. (3)) :math:`\\hat Q=\\hat q+\\lambda\\log\\pi` and
:math:`\\hat A(s,a)=\\hat Q(s,a)-\\sum_{a'}\\pi(a'|s)\\hat Q(s,a')`
(:func:`mfcode.nac.exact.advantage_estimate`); then minimise
:math:`L(w)=\\mathbb E_{s\\sim d^\\pi_\\mu,a\\sim\\pi}[(w^\\top\\nabla\\log\\pi(a|s)-\\hat A(s,a))^2]` over
:math:`\\|w\\|_2\\le R` by

.. math::

    \\bar w_{k+1}=\\operatorname{Proj}_{\\|w\\|_2\\le R}\\big(\\bar w_k-2\\bar\\alpha(\\bar w_k^\\top\\nabla\\log\\pi(a_k|s_k)
    -\\hat A(s_k,a_k))\\nabla\\log\\pi(a_k|s_k)\\big),\\qquad \\hat w=\\frac1K\\sum_{k=0}^{K-1}\\bar w_k,

with :math:`\\bar w_0=0` and independent :math:`s_k\\sim d^\\pi_\\mu`, :math:`a_k\\sim\\pi(\\cdot|s_k)` from
the visitation sampler (:func:`~mfcode.nac.sampling.sample_state_actions`). The output averages
:math:`\\bar w_0..\\bar w_{K-1}` as Algorithm 3 prints it (Prop. 2 averages :math:`x_1..x_K`; the
two differ by :math:`(\\bar w_K-\\bar w_0)/K`). It lies in the ball, a convex set.

Step :math:`\\bar\\alpha=R/(Q_{\\max}\\sqrt K)` with :math:`Q_{\\max}=(1+\\gamma\\lambda\\log|\\mathcal A|)/(1-\\gamma)`
(App. C; Prop. 2's :math:`R/(\\rho\\sqrt K)` with the gradient bound :math:`\\rho` replaced by
:math:`Q_{\\max}`), after which :math:`\\mathbb E L(\\hat w)-\\min_{\\|w\\|\\le R}L=O(1/\\sqrt K)`. The theory
assumes :math:`r\\in[0,1]`; for other rewards (SIS, LQ) :math:`Q_{\\max}` is only a scale, and an
explicit step can be given instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray
from mfcode.limits import check_steps
from mfcode.nac.exact import advantage_estimate
from mfcode.nac.features import Features
from mfcode.nac.protocol import Iterate, check_iterate
from mfcode.nac.sampling import SamplingTables, check_rng, sample_state_actions
from mfcode.nac.td import block_length, check_radius, project_ball
from mfcode.validation import check_int, check_real, check_temperature

__all__ = ["ProjectedSGD", "q_max"]


def q_max(gamma: float, temperature: float, n_actions: int) -> float:
    """:math:`Q_{\\max}=(1+\\gamma\\lambda\\log|\\mathcal A|)/(1-\\gamma)`, the bound on the soft Q-function for rewards in [0, 1] (001 App. A)."""
    g = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    lam = check_temperature(temperature)
    a = check_int(n_actions, "n_actions", low=1)
    return (1.0 + g * lam * math.log(a)) / (1.0 - g)


@dataclass(frozen=True)
class ProjectedSGD:
    """Algorithm 3, projected SGD on the compatible regression: an :class:`~mfcode.nac.protocol.Actor`.

    Parameters
    ----------
    iterations
        :math:`K\\ge1` samples (and SGD steps).
    step
        :math:`\\bar\\alpha>0`, or ``None`` for App. C's :math:`R/(Q_{\\max}\\sqrt K)`.
    progress
        Show a tqdm bar over blocks of samples.
    """

    iterations: int
    step: float | None = None
    progress: bool = False

    def __post_init__(self) -> None:
        check_int(self.iterations, "iterations", low=1)
        if self.step is not None:
            check_real(self.step, "step", low=0.0, low_open=True)

    def step_size(self, iterate: Iterate, features: Features, radius: float) -> float:
        """:math:`\\bar\\alpha`: ``step``, or :math:`R/(Q_{\\max}\\sqrt K)`."""
        if self.step is not None:
            return float(self.step)
        r = check_radius(radius, "radius")
        if math.isinf(r):
            raise ValueError("radius must be finite for the step R / (Q_max sqrt(K)); pass step")
        return r / (q_max(iterate.gamma, iterate.temperature, features.n_actions) * math.sqrt(self.iterations))

    def estimate(
        self, iterate: Iterate, features: Features, q_hat: FloatArray, radius: float, rng: np.random.Generator
    ) -> FloatArray:
        """:math:`\\hat w=\\frac1K\\sum_{k<K}\\bar w_k`, ``(n, d)``, :math:`\\|\\hat w\\|_2\\le R`."""
        check_iterate(iterate, features)
        check_rng(rng)
        check_steps(self.iterations, f"Algorithm 3's SGD steps of ProjectedSGD(iterations={self.iterations})")
        r = check_radius(radius, "radius")
        pi = np.asarray(iterate.policy, dtype=np.float64)
        adv = advantage_estimate(iterate, q_hat)
        score = features.score(pi)
        step2, r2 = 2.0 * self.step_size(iterate, features, r), r * r
        tables = SamplingTables.from_iterate(iterate)
        n, d = pi.shape[0], features.dim
        score = score.reshape(-1, d)
        adv = adv.reshape(-1)
        offset = np.arange(n)[:, None] * (features.n_states * features.n_actions)
        w, total = np.zeros((n, d)), np.zeros((n, d))
        done, k_total = 0, self.iterations
        with tqdm(total=k_total, disable=not self.progress, desc="SGD") as bar:
            while done < k_total:
                m = block_length(n, k_total - done)
                s, a = sample_state_actions(tables, m, rng)
                rows = (offset + s * features.n_actions + a).T
                y = adv[rows]
                for k in range(m):
                    total += w
                    g = score[rows[k]]
                    resid = np.einsum("nd,nd->n", g, w) - y[k]
                    w -= (step2 * resid)[:, None] * g
                    norm2 = np.einsum("nd,nd->n", w, w)
                    if norm2.max() > r2:
                        w *= np.sqrt(r2 / np.maximum(norm2, r2))[:, None]
                done += m
                bar.update(m)
        return project_ball(total / k_total, r)
