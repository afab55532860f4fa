"""The actor of 001 App. D's simulations: the empirical natural gradient :math:`\\hat F^\\dagger\\hat\\nabla` from episodes.

App. D: "In our implementation, we use the collected empirical trajectory to estimate the policy
gradient and the Fisher information matrix (instead of formally calculating the state visitation
distribution)". :class:`EmpiricalNPG` collects ``episodes`` episodes per seed under the iterate's
policy and kernel (:func:`~mfcode.nac.sampling.episode_visits`: from :math:`\\rho`, ending with
probability :math:`1-\\gamma` after each step, i.e. geometric lengths, so the visited pairs tend to
:math:`d^\\pi_\\mu\\times\\pi`; or of a fixed length :math:`H` with visits weighted by :math:`\\gamma^t`),
and with :math:`\\hat p` the empirical measure of the visited :math:`(s,a)`, :math:`g=\\nabla\\log\\pi` and
the centred critic :math:`\\hat q_c(s,a)=\\hat q(s,a)-\\sum_{a'}\\pi(a'|s)\\hat q(s,a')` forms

.. math::

    \\hat F=\\sum_{s,a}\\hat p(s,a)\\,g(s,a)g(s,a)^\\top,\\qquad
    \\hat\\nabla=\\sum_{s,a}\\hat p(s,a)\\,g(s,a)\\,\\hat q_c(s,a),

(:math:`(1-\\gamma)` times the regularized policy gradient of §3, estimated with the baseline
:math:`\\sum_a\\pi\\hat q`) and returns :math:`\\hat w=\\operatorname{Proj}_{\\|w\\|_2\\le R}(\\hat F^\\dagger\\hat\\nabla+\\lambda\\theta)`,
so that before clipping :math:`\\hat w-\\lambda\\theta=\\hat F^\\dagger\\hat\\nabla` is the empirical
regularized NPG direction and Algorithm 1's step :math:`\\theta+\\eta(\\hat w-\\lambda\\theta)` is the
natural-gradient step (the :math:`1/(1-\\gamma)` absorbed in :math:`\\eta`).

Why this is the :math:`\\hat w` of the compatible regression. For a log-linear policy
:math:`\\log\\pi(a|s)=\\theta^\\top\\phi_{s,a}-\\log\\sum_{a'}e^{\\theta^\\top\\phi_{s,a'}}`, so
:math:`\\log\\pi(a|s)-\\sum_{a'}\\pi(a'|s)\\log\\pi(a'|s)=\\theta^\\top(\\phi_{s,a}-\\sum_{a'}\\pi(a'|s)\\phi_{s,a'})=\\theta^\\top g(s,a)`.
With :math:`\\hat Q=\\hat q+\\lambda\\log\\pi` and :math:`\\hat A=\\hat Q-\\sum_a\\pi\\hat Q` (eq. (3)), the
centred critic is therefore :math:`\\hat q_c=\\hat A-\\lambda\\theta^\\top g`, pair by pair, hence
:math:`\\hat\\nabla=\\sum\\hat p\\,g\\hat A-\\lambda\\hat F\\theta` and

.. math::

    \\hat F^\\dagger\\hat\\nabla=\\hat w_A-\\lambda\\hat F^\\dagger\\hat F\\theta,\\qquad
    \\hat w_A=\\hat F^\\dagger\\textstyle\\sum\\hat p\\,g\\hat A,

where :math:`\\hat w_A` is the minimum-norm least-squares fit of :math:`\\hat A` on the score over the
visited pairs (the normal equations :math:`\\hat Fw=\\sum\\hat p\\,g\\hat A`), the empirical minimiser of
Algorithm 3's loss, and :math:`\\hat F^\\dagger\\hat F` projects on the range of :math:`\\hat F`. So
:math:`\\hat F^\\dagger\\hat\\nabla+\\lambda\\theta=\\hat w_A+\\lambda(I-\\hat F^\\dagger\\hat F)\\theta`: it is
:math:`\\hat w_A` when :math:`\\theta` lies in the range of :math:`\\hat F` (always when :math:`\\hat F` is
invertible); the extra term keeps the directions of :math:`\\theta` that do not move :math:`\\log\\pi`
on the visited pairs (beyond a constant per state), which the natural gradient does not decay.
In expectation (:math:`\\hat p=d^\\pi_\\mu\\times\\pi`, exact :math:`q`) the same algebra gives §3's
:math:`F^\\dagger\\,\\mathbb E[g\\,q]=w_A-\\lambda\\theta` for :math:`\\theta` in the range of :math:`F`.

The pseudoinverse is ``numpy.linalg.pinv`` (symmetric, eigenvalues below ``rtol`` times the
largest dropped): with one-hot features the score is orthogonal to the per-state constant vectors,
so :math:`\\hat F` is always singular.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.limits import check_elements
from mfcode.nac.exact import advantage_estimate
from mfcode.nac.features import Features
from mfcode.nac.protocol import Iterate, check_iterate
from mfcode.nac.sampling import SamplingTables, check_rng, episode_visits
from mfcode.nac.td import check_radius, project_ball
from mfcode.validation import check_int, check_real

__all__ = ["EmpiricalNPG"]


@dataclass(frozen=True)
class EmpiricalNPG:
    """App. D's actor: :math:`\\hat w=\\operatorname{Proj}_R(\\hat F^\\dagger\\hat\\nabla+\\lambda\\theta)` from episodes; an :class:`~mfcode.nac.protocol.Actor`.

    Parameters
    ----------
    episodes
        Episodes per seed and call.
    episode_length
        ``None`` (default): each episode ends with probability :math:`1-\\gamma` after each step
        (App. D's "episodic setting" read as App. C's restart); an integer :math:`H\\ge1`: episodes
        of :math:`H` steps, visit :math:`t` weighted by :math:`\\gamma^t` (001 gives no length).
    rtol
        Relative cut-off of the pseudoinverse (eigenvalues of :math:`\\hat F` below ``rtol`` times
        the largest count as zero).
    """

    episodes: int
    episode_length: int | None = None
    rtol: float = 1e-10

    def __post_init__(self) -> None:
        check_int(self.episodes, "episodes", low=1)
        if self.episode_length is not None:
            check_int(self.episode_length, "episode_length", low=1)
        check_real(self.rtol, "rtol", low=0.0, high=1.0, low_open=True, high_open=True)

    def direction(
        self, iterate: Iterate, features: Features, q_hat: FloatArray, rng: np.random.Generator
    ) -> FloatArray:
        """The empirical regularized NPG direction :math:`\\hat F^\\dagger\\hat\\nabla`, ``(n, d)`` (not clipped)."""
        check_iterate(iterate, features)
        check_rng(rng)
        pi = np.asarray(iterate.policy, dtype=np.float64)
        log_pi = np.log(pi)
        # q_hat - sum_a pi q_hat, written as eq. (3)'s A_hat minus lambda (log pi - sum_a pi log pi).
        centred = advantage_estimate(iterate, q_hat) - iterate.temperature * (
            log_pi - np.einsum("nsa,nsa->ns", pi, log_pi)[..., None]
        )
        visits = episode_visits(SamplingTables.from_iterate(iterate), self.episodes, rng, self.episode_length)
        score = features.score(pi)
        n, d = pi.shape[0], features.dim
        check_elements(n * max(d * d, pi.shape[1] * pi.shape[2] * d), "the Fisher matrices (n, d, d) of EmpiricalNPG")
        rows = (np.sqrt(visits)[..., None] * score).reshape(n, -1, d)
        fisher = rows.transpose(0, 2, 1) @ rows
        gradient = np.einsum("nsa,nsad,nsa->nd", visits, score, centred)
        out: FloatArray = np.einsum("nde,ne->nd", np.linalg.pinv(fisher, rtol=self.rtol, hermitian=True), gradient)
        return out

    def estimate(
        self, iterate: Iterate, features: Features, q_hat: FloatArray, radius: float, rng: np.random.Generator
    ) -> FloatArray:
        """:math:`\\hat w=\\operatorname{Proj}_{\\|w\\|_2\\le R}(\\hat F^\\dagger\\hat\\nabla+\\lambda\\theta)`, ``(n, d)``."""
        r = check_radius(radius, "radius")
        step = self.direction(iterate, features, q_hat, rng)
        w = step + iterate.temperature * np.asarray(iterate.theta, dtype=np.float64)
        return project_ball(w, r)
