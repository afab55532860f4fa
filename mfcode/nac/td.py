"""Algorithm 2 of 001 App. C: projected TD(0) with linear function approximation, the critic of Algorithm 1.

For the policy :math:`\\pi` of an :class:`~mfcode.nac.protocol.Iterate` (at its frozen mean field
:math:`\\mu`), with samples :math:`O_k=(s_k,a_k,r_k,s'_k,a'_k)` of :class:`~mfcode.nac.sampling.MarkovChain`:

.. math::

    \\tilde\\psi_{k+1}=\\psi_k+\\alpha_k\\big(r_k-\\lambda\\log\\pi(a_k|s_k)+\\gamma\\psi_k^\\top\\phi_{s'_k,a'_k}
    -\\psi_k^\\top\\phi_{s_k,a_k}\\big)\\phi_{s_k,a_k},\\qquad
    \\psi_{k+1}=\\operatorname{Proj}_{\\|\\psi\\|_2\\le B}(\\tilde\\psi_{k+1}),

for :math:`k=0..K-1`, and the output :math:`\\hat q(s,a)=\\frac1K\\sum_{k=0}^{K-1}\\phi_{s,a}^\\top\\psi_k`
(the average of the iterates :math:`\\psi_0..\\psi_{K-1}`, as printed). The target is the shifted
soft Q-function :math:`q=Q^{\\pi,\\lambda}_\\mu-\\lambda\\log\\pi`, the fixed point of
:math:`q=r-\\lambda\\log\\pi+\\gamma P^\\pi q` (its TD target is the entropy-shifted one of [13]). The
mean TD update vanishes at :math:`\\psi` solving
:math:`\\Phi^\\top D(\\Phi-\\gamma P\\Phi)\\psi=\\Phi^\\top D(r-\\lambda\\log\\pi)`, with :math:`D` the law of
:math:`(s_k,a_k)`: :math:`d^\\pi_\\mu\\times\\pi` for the restart chain (then
:math:`\\|Px\\|_D\\le\\gamma^{-1/2}\\|x\\|_D` because :math:`\\nu P\\le\\nu/\\gamma`, so
:math:`\\Phi^\\top D(I-\\gamma P)\\Phi\\succeq(1-\\sqrt\\gamma)\\Phi^\\top D\\Phi` and TD is stable), the
stationary law of :math:`P^\\pi` for one long trajectory. With realizable features (one-hot) both
give :math:`\\hat q\\to q`.

Step sizes :math:`\\alpha_k=c\\,h(k)` per seed (:class:`StepSizes`):

- :class:`Prop1StepSize`, Prop. 1's :math:`\\alpha_k=1/(\\omega(k+1)(1-\\gamma))`, where
  :math:`\\omega` is the smallest eigenvalue of
  :math:`\\sum_{s,a}d^\\pi_\\mu(s)\\pi(a|s)\\phi_{s,a}\\phi_{s,a}^\\top` (:func:`steady_state_omega`):
  **computed from the model** (the visitation needs :math:`P`, which the learner otherwise only
  samples) unless a value is given; then
  :math:`\\mathbb E\\|\\hat q-q\\|^2_{d^\\pi\\times\\pi}\\le\\tilde O(\\tau^{mix}(\\alpha_K)/(K(1-\\gamma)^2\\omega))`;
- :class:`ConstantStepSize`, e.g. App. D's critic learning rate 0.001.

:class:`ProjectedTD` starts cold (:math:`\\psi_0=0`, as printed) or warm, from the ``state`` of an
earlier :class:`~mfcode.nac.protocol.CriticEstimate` (its averaged :math:`\\psi`), projected on the ball.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements, check_steps
from mfcode.nac.exact import visitation
from mfcode.nac.features import Features
from mfcode.nac.protocol import CriticEstimate, Iterate, check_iterate
from mfcode.nac.sampling import MarkovChain, SamplingTables, check_rng
from mfcode.validation import check_int, check_real

__all__ = [
    "ConstantStepSize",
    "ProjectedTD",
    "Prop1StepSize",
    "StepSizes",
    "block_length",
    "check_radius",
    "project_ball",
    "steady_state_omega",
]

# Sample indices drawn per block of the sequential loops (per seed and step; about 8 MiB each array).
_BLOCK_ENTRIES = 1 << 20


def check_radius(value: object, name: str) -> float:
    """A projection radius: a real number :math:`>0`; ``math.inf`` means no projection."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    r = float(value)
    if not r > 0.0:
        raise ValueError(f"{name} must be > 0 (math.inf: no projection), got {value!r}")
    return r


def project_ball(x: FloatArray, radius: float) -> FloatArray:
    """:math:`\\operatorname{argmin}_{\\|y\\|_2\\le R}\\|y-x\\|_2=x\\min(1,R/\\|x\\|_2)` row by row (last axis)."""
    if math.isinf(radius):
        return x
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    out: FloatArray = x * (radius / np.maximum(norm, radius))
    return out


def block_length(n_seeds: int, remaining: int) -> int:
    """Samples per seed drawn at once by the sequential loops: about :math:`2^{20}/n`, at most ``remaining``."""
    return max(1, min(remaining, _BLOCK_ENTRIES // max(1, n_seeds)))


def steady_state_omega(iterate: Iterate, features: Features) -> FloatArray:
    """Prop. 1's :math:`\\omega`: the smallest eigenvalue of :math:`\\sum_{s,a}d^\\pi_\\mu(s)\\pi(a|s)\\phi_{s,a}\\phi_{s,a}^\\top`, ``(n,)``.

    Uses the model (the exact :math:`d^\\pi_\\mu` of :func:`mfcode.nac.exact.visitation`).
    """
    check_iterate(iterate, features)
    check_elements(int(np.asarray(iterate.policy).shape[0]) * features.dim**2, "the feature covariances (n, d, d) of steady_state_omega")
    weight = visitation(iterate)[:, :, None] * np.asarray(iterate.policy, dtype=np.float64)
    s, a, d = features.phi.shape
    rows = np.sqrt(np.maximum(weight, 0.0)).reshape(-1, s * a, 1) * features.phi.reshape(1, s * a, d)
    cov: FloatArray = rows.transpose(0, 2, 1) @ rows
    out: FloatArray = np.linalg.eigvalsh(cov)[:, 0].astype(np.float64)
    return out


class StepSizes(Protocol):
    """The step sizes :math:`\\alpha_k=c\\,h(k)` of Algorithm 2: a per-seed scale :math:`c` and a profile :math:`h`."""

    def scale(self, iterate: Iterate, features: Features) -> FloatArray:
        """:math:`c` for every seed, ``(n,)``."""
        ...

    def profile(self, k: IntArray) -> FloatArray:
        """:math:`h(k)` for the sample indices ``k`` (counted from 0 at each call of the critic)."""
        ...


@dataclass(frozen=True)
class Prop1StepSize:
    """Prop. 1's :math:`\\alpha_k=\\frac{1}{\\omega(k+1)(1-\\gamma)}` (001 App. C, Theorem 3 of [10]).

    Parameters
    ----------
    omega
        :math:`\\omega>0`, or ``None`` to compute each seed's :math:`\\omega` from the model
        (:func:`steady_state_omega`; an information the sampling critic does not otherwise use).
    """

    omega: float | None = None

    def __post_init__(self) -> None:
        if self.omega is not None:
            check_real(self.omega, "omega", low=0.0, low_open=True)

    def scale(self, iterate: Iterate, features: Features) -> FloatArray:
        """:math:`1/(\\omega(1-\\gamma))` per seed.

        Raises
        ------
        ValueError
            If a computed :math:`\\omega` is not positive (features linearly dependent on the
            support of :math:`d^\\pi_\\mu\\times\\pi`): pass ``omega`` or use :class:`ConstantStepSize`.
        """
        n = int(np.asarray(iterate.policy).shape[0])
        if self.omega is not None:
            omega = np.full(n, float(self.omega))
        else:
            omega = steady_state_omega(iterate, features)
            if not (omega > 1e-14).all():
                raise ValueError(
                    f"Prop. 1's omega (smallest eigenvalue of the feature covariance under d x pi) is {omega.min():.3g}: "
                    "the features are dependent on the visited pairs; pass omega or use ConstantStepSize"
                )
        out: FloatArray = 1.0 / (omega * (1.0 - iterate.gamma))
        return out

    def profile(self, k: IntArray) -> FloatArray:
        """:math:`1/(k+1)`."""
        out: FloatArray = 1.0 / (k.astype(np.float64) + 1.0)
        return out


@dataclass(frozen=True)
class ConstantStepSize:
    """A constant rate :math:`\\alpha_k=\\alpha` (App. D: "The learning rate of the critic is set to 0.001")."""

    rate: float

    def __post_init__(self) -> None:
        check_real(self.rate, "rate", low=0.0, low_open=True)

    def scale(self, iterate: Iterate, features: Features) -> FloatArray:
        """:math:`\\alpha` for every seed."""
        return np.full(int(np.asarray(iterate.policy).shape[0]), float(self.rate))

    def profile(self, k: IntArray) -> FloatArray:
        """1."""
        return np.ones(k.shape)


@dataclass(frozen=True)
class ProjectedTD:
    """Algorithm 2, projected TD(0) with linear FA: a :class:`~mfcode.nac.protocol.Critic`.

    Parameters
    ----------
    iterations
        :math:`K\\ge1`, the number of samples (and of TD steps).
    radius
        :math:`B>0`, the radius of the ball :math:`\\psi` is projected on (not given in 001;
        realizability needs :math:`B\\ge\\|\\psi^\\star\\|_2`, e.g. :math:`\\|q\\|_2` with one-hot
        features); ``math.inf`` turns the projection off.
    step_size
        The rule :math:`\\alpha_k` (:class:`Prop1StepSize` or :class:`ConstantStepSize`).
    restart
        Which chain the samples come from: ``True`` (default) the restart chain, whose samples are
        :math:`d^\\pi_\\mu\\times\\pi`-distributed (eq. (2)'s weighting), ``False`` one long
        trajectory from :math:`\\rho` (see :mod:`mfcode.nac.sampling`).
    progress
        Show a tqdm bar over blocks of samples.
    """

    iterations: int
    radius: float
    step_size: StepSizes
    restart: bool = True
    progress: bool = False

    def __post_init__(self) -> None:
        check_int(self.iterations, "iterations", low=1)
        check_radius(self.radius, "radius")
        if not (callable(getattr(self.step_size, "scale", None)) and callable(getattr(self.step_size, "profile", None))):
            raise TypeError(f"step_size must have scale and profile methods (StepSizes), got {type(self.step_size).__name__}")
        if not isinstance(self.restart, bool):
            raise TypeError(f"restart must be a bool, got {type(self.restart).__name__}")

    def estimate(
        self, iterate: Iterate, features: Features, rng: np.random.Generator, start: FloatArray | None = None
    ) -> CriticEstimate:
        """:math:`\\hat q=\\bar\\psi^\\top\\phi` with :math:`\\bar\\psi=\\frac1K\\sum_{k<K}\\psi_k`; ``state`` is :math:`\\bar\\psi`, ``(n, d)``.

        ``start`` (``(n, d)``) warm-starts :math:`\\psi_0=\\operatorname{Proj}_B(\\text{start})`; ``None``
        is Algorithm 2's :math:`\\psi_0=0`.
        """
        check_iterate(iterate, features)
        check_rng(rng)
        check_steps(self.iterations, f"Algorithm 2's TD steps of ProjectedTD(iterations={self.iterations})")
        pi = np.asarray(iterate.policy, dtype=np.float64)
        n, d = pi.shape[0], features.dim
        if not (pi > 0.0).all():
            raise ValueError("iterate.policy must be positive (the TD target holds log pi(a|s))")
        if start is None:
            psi = np.zeros((n, d))
        else:
            first = features.check_theta(start, "start")
            if first.shape != (n, d):
                raise ValueError(f"start must have shape {(n, d)}, got {first.shape}")
            psi = project_ball(first.copy(), self.radius)
        cost = (np.asarray(iterate.reward, dtype=np.float64) - iterate.temperature * np.log(pi)).reshape(n, -1)
        scale = self.step_size.scale(iterate, features)
        chain = MarkovChain(SamplingTables.from_iterate(iterate), rng, restart=self.restart)
        phi = features.phi.reshape(-1, d)
        gamma, b2 = float(iterate.gamma), self.radius**2
        seeds = np.arange(n)[None, :]
        total = np.zeros((n, d))
        done, k_total = 0, self.iterations
        with tqdm(total=k_total, disable=not self.progress, desc="TD(0)") as bar:
            while done < k_total:
                m = block_length(n, k_total - done)
                tr = chain.run(m)
                now = (tr.states * features.n_actions + tr.actions).T
                after = (tr.next_states * features.n_actions + tr.next_actions).T
                c = cost[seeds, now]
                alpha = self.step_size.profile(np.arange(done, done + m))[:, None] * scale[None, :]
                for k in range(m):
                    total += psi
                    f = phi[now[k]]
                    delta = c[k] + np.einsum("nd,nd->n", gamma * phi[after[k]] - f, psi)
                    psi += (alpha[k] * delta)[:, None] * f
                    norm2 = np.einsum("nd,nd->n", psi, psi)
                    if norm2.max() > b2:
                        psi *= np.sqrt(b2 / np.maximum(norm2, b2))[:, None]
                done += m
                bar.update(m)
        psi_bar = total / k_total
        q_hat: FloatArray = np.einsum("sad,nd->nsa", features.phi, psi_bar)
        return CriticEstimate(q_hat, psi_bar)
