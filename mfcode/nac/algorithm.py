"""Algorithm 1 of 001: the online natural actor-critic for MFGs with linear function approximation.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt`` §3, Algorithm 1, with the signs of
seed ``000_b5b16c64d4b05e4a.txt`` (001's extraction drops the minus signs of lines 6–7):

.. code-block:: text

    θ_0 ← 0
    for t = 0, ..., T − 1:
        π_t = π_{θ_t}
        4  q̂_t ≈ q^{π_t,λ}_{μ_t}                       critic (eq. (2))
        5  ŵ_t ≈ argmin_{||w|| ≤ R} L(w, θ_t)            actor (eq. (3))
        6  μ_{t+1} = (1 − β_t) μ_t + β_t Γ_2(π_t, μ_t)
        7  θ_{t+1} = θ_t + η_t (ŵ_t − λ θ_t)

The loop runs :math:`t=0,\\dots,T-1`, the iterations Theorem 1 averages; Algorithm 1 prints "for
t = 0 to T" (:math:`T+1` iterations), which the book reads as that off-by-one (the seed extract,
§3.9 item 7). :math:`\\mu_0` is the game's :math:`\\rho` (Algorithm 1's "initial mean-field state"),
and :math:`\\Gamma_2` is the exact push-forward under the kernel at :math:`\\mu_t` ("access to a
simulator", 001 §3).

The pieces the double-loop variant (:mod:`mfcode.nac.dl_nac`) shares are written here once:
:func:`iterate_at` (what the oracles see), :func:`npg_step` (lines 4, 5 and 7),
:func:`push_forward` (:math:`\\Gamma_2` for a batch) and the run's record (scoring every
``score_every`` iterations with App. D's exact exploitability, :func:`mfcode.nac.scoring.exploitability`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray, IntArray
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac.features import Features
from mfcode.nac.protocol import Actor, Critic, CriticEstimate, Iterate, NACRun
from mfcode.nac.schedules import StepSize, mean_field_steps, policy_steps
from mfcode.nac.scoring import dynamics_batch, exploitability
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "NACConfig",
    "NPGStep",
    "RunRecord",
    "check_common",
    "check_oracles",
    "check_run",
    "iterate_at",
    "nac",
    "npg_step",
    "push_forward",
]

#: Relative slack on :math:`\|\hat w_t\|_2\le R` for an actor's rounding.
_RADIUS_SLACK = 1e-9


def check_common(iterations: object, temperature: object, radius: object, warm_start_critic: object, score_every: object) -> None:
    """Validate the settings every NAC variant has (the loop length, :math:`\\lambda`, :math:`R`, the critic's warm start, the scoring period)."""
    t = check_int(iterations, "iterations", low=1)
    lam = check_temperature(temperature)
    if lam == 0.0:
        raise ValueError("temperature must be > 0 (Algorithm 1 needs lambda > 0: Lemma 2, eta * lambda in (0, 1))")
    check_real(radius, "radius", low=0.0, low_open=True)
    if not isinstance(warm_start_critic, bool):
        raise TypeError(f"warm_start_critic must be a bool, got {type(warm_start_critic).__name__}")
    check_int(score_every, "score_every", low=1, high=t)


@dataclass(frozen=True)
class NACConfig:
    """Settings of Algorithm 1.

    Parameters
    ----------
    iterations
        :math:`T\\ge1` (the loop runs :math:`t=0,\\dots,T-1`).
    temperature
        :math:`\\lambda>0`.
    eta
        Policy step :math:`\\eta_t` (:math:`0<\\eta_t\\lambda<1` at every :math:`t`, Lemma 2).
    beta
        Mean-field step :math:`\\beta_t\\in(0,1]`.
    radius
        :math:`R>0`, the actor's clipping radius (:math:`\\|\\hat w_t\\|_2\\le R`).
    warm_start_critic
        Hand the critic its previous ``state`` at every iteration (``False``: Algorithm 2 as
        printed, :math:`\\psi_0=0` at every call).
    score_every
        Score the exploitability at :math:`t=0,k,2k,\\dots` and at :math:`t=T-1`.
    """

    iterations: int
    temperature: float
    eta: StepSize
    beta: StepSize
    radius: float
    warm_start_critic: bool = False
    score_every: int = 1

    def __post_init__(self) -> None:
        check_common(self.iterations, self.temperature, self.radius, self.warm_start_critic, self.score_every)
        self.policy_steps()
        self.mean_field_steps()

    def policy_steps(self) -> FloatArray:
        """:math:`\\eta_0,\\dots,\\eta_{T-1}`."""
        return policy_steps(self.eta, self.iterations, self.temperature)

    def mean_field_steps(self) -> FloatArray:
        """:math:`\\beta_0,\\dots,\\beta_{T-1}`."""
        return mean_field_steps(self.beta, self.iterations)


@dataclass(frozen=True, eq=False)
class NPGStep:
    """One actor-critic step (Algorithm 1 lines 4, 5 and 7).

    Attributes
    ----------
    theta
        :math:`\\theta_{t+1}=\\theta_t+\\eta_t(\\hat w_t-\\lambda\\theta_t)`, ``(n, d)``.
    w
        :math:`\\hat w_t`, ``(n, d)``.
    critic
        The critic's answer (:math:`\\hat q_t` and its parameters).
    """

    theta: FloatArray
    w: FloatArray
    critic: CriticEstimate


def check_oracles(critic: Critic, actor: Actor) -> None:
    """Raise ``TypeError`` unless ``critic`` and ``actor`` each have an ``estimate`` method."""
    for name, oracle in (("critic", critic), ("actor", actor)):
        if not callable(getattr(oracle, "estimate", None)):
            raise TypeError(f"{name} must have an estimate method (mfcode.nac.protocol.{name.title()}), got {type(oracle).__name__}")


def check_run(game: object, features: object, n_seeds: object, seed: object, progress: object) -> tuple[StationaryMFG, Features, int, int]:
    """Validate the arguments every NAC variant takes besides its oracles and settings."""
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG (the stationary game of 001 §2), got {type(game).__name__}")
    if not isinstance(features, Features):
        raise TypeError(f"features must be Features, got {type(features).__name__}")
    if (features.n_states, features.n_actions) != game.policy_shape:
        raise ValueError(f"features must have shape (S, A, d) = ({game.n_states}, {game.n_actions}, d), got {features.phi.shape}")
    n = check_int(n_seeds, "n_seeds", low=1)
    s = check_int(seed, "seed", low=0)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    return game, features, n, s


def iterate_at(
    game: StationaryMFG,
    features: Features,
    theta: FloatArray,
    mean_field: FloatArray,
    temperature: float,
    dynamics: tuple[FloatArray, FloatArray] | None = None,
) -> Iterate:
    """What the oracles see at :math:`(\\theta_t,\\mu_t)` for ``n`` seeds (``theta`` ``(n, d)``, ``mean_field`` ``(n, S)``).

    ``dynamics`` are the game's reward and kernel at ``mean_field`` (:func:`~mfcode.nac.scoring.dynamics_batch`)
    when already known (DL-NAC's frozen segments).
    """
    reward, kernel = dynamics_batch(game, mean_field) if dynamics is None else dynamics
    return Iterate(theta, features.policy(theta), mean_field, reward, kernel, game.initial, game.gamma, temperature)


def push_forward(policy: FloatArray, mean_field: FloatArray, kernel: FloatArray) -> FloatArray:
    """:math:`\\Gamma_2(\\pi,\\mu)(s')=\\sum_{s,a}\\mu(s)\\pi(a|s)P(s'|s,a,\\mu)` for a batch, ``(n, S)`` (001 §2)."""
    out: FloatArray = np.einsum("ns,nsa,nsat->nt", mean_field, policy, kernel)
    return out


def npg_step(
    iterate: Iterate,
    features: Features,
    *,
    critic: Critic,
    actor: Actor,
    eta: float,
    radius: float,
    rng: np.random.Generator,
    critic_start: FloatArray | None = None,
) -> NPGStep:
    """Algorithm 1 lines 4, 5 and 7 at ``iterate``: :math:`\\hat q_t`, :math:`\\hat w_t`, then :math:`\\theta_{t+1}=\\theta_t+\\eta(\\hat w_t-\\lambda\\theta_t)`.

    The oracles' answers are checked: :math:`\\hat q_t` finite of shape ``(n, S, A)``, :math:`\\hat w_t`
    finite of shape ``(n, d)`` with :math:`\\|\\hat w_t\\|_2\\le R` (up to rounding), which with
    :math:`0<\\eta\\lambda<1` and :math:`\\theta_0=0` gives Lemma 2's :math:`\\|\\theta_t\\|_2\\le R/\\lambda`.

    Raises
    ------
    RuntimeError
        If an oracle breaks its contract.
    """
    n = iterate.n_seeds
    est = critic.estimate(iterate, features, rng, critic_start)
    q_hat = np.asarray(est.q_hat)
    if q_hat.shape != iterate.policy.shape or not np.isfinite(q_hat).all():
        raise RuntimeError(f"the critic must return a finite q_hat of shape {iterate.policy.shape}, got {q_hat.shape}")
    if np.ndim(est.state) != 2 or np.shape(est.state)[0] != n:
        raise RuntimeError(f"the critic's state must have shape (n, k) with n = {n}, got {np.shape(est.state)}")
    w = np.asarray(actor.estimate(iterate, features, q_hat, radius, rng))
    if w.shape != (n, features.dim) or not np.isfinite(w).all():
        raise RuntimeError(f"the actor must return a finite w of shape {(n, features.dim)}, got {w.shape}")
    norm = float(np.linalg.norm(w, axis=-1).max())
    if norm > radius * (1.0 + _RADIUS_SLACK):
        raise RuntimeError(f"the actor returned ||w|| = {norm:.6g} > R = {radius:.6g} (Algorithm 1 line 5)")
    theta: FloatArray = iterate.theta + eta * (w - iterate.temperature * iterate.theta)
    return NPGStep(theta, w, est)


class RunRecord:
    """The arrays of a batched run, filled iteration by iteration, and App. D's exploitability at the scored iterations."""

    def __init__(self, game: StationaryMFG, features: Features, n_seeds: int, iterations: int, temperature: float, score_every: int) -> None:
        s, a = game.policy_shape
        self.game, self.temperature = game, temperature
        self.policies = np.empty((n_seeds, iterations, s, a))
        self.mean_fields = np.empty((n_seeds, iterations + 1, s))
        self.parameters = np.empty((n_seeds, iterations + 1, features.dim))
        self.scored_at: IntArray = np.unique(np.r_[np.arange(0, iterations, score_every), iterations - 1]).astype(np.int64)
        self.exploitability = np.empty((n_seeds, self.scored_at.size))
        self._next_score = 0

    def record(self, t: int, iterate: Iterate) -> None:
        """Store :math:`(\\theta_t,\\pi_t,\\mu_t)`; score :math:`\\pi_t` if ``t`` is a scored iteration."""
        self.policies[:, t] = iterate.policy
        self.mean_fields[:, t] = iterate.mean_field
        self.parameters[:, t] = iterate.theta
        if self._next_score < self.scored_at.size and self.scored_at[self._next_score] == t:
            self.exploitability[:, self._next_score] = exploitability(self.game, iterate.policy, self.temperature)
            self._next_score += 1

    def finish(self, name: str, seed: int, theta: FloatArray, mean_field: FloatArray) -> NACRun:
        """The run, with :math:`\\theta_T` and :math:`\\mu_T`."""
        self.parameters[:, -1] = theta
        self.mean_fields[:, -1] = mean_field
        return NACRun(name, seed, self.temperature, self.policies, self.mean_fields, self.scored_at, self.exploitability, self.parameters)


def nac(
    game: StationaryMFG,
    features: Features,
    *,
    critic: Critic,
    actor: Actor,
    config: NACConfig,
    n_seeds: int = 1,
    seed: int = 0,
    progress: bool = False,
) -> NACRun:
    """Algorithm 1 for ``n_seeds`` independent runs at once (seeds on the leading axis).

    The loop runs :math:`t=0,\\dots,T-1`, the iterations Theorem 1 averages (Algorithm 1 prints
    "t = 0 to T", :math:`T+1` iterations; the book reads it as :math:`T`).

    Parameters
    ----------
    game
        A stationary MFG (:math:`\\mu_0=\\rho`).
    features
        :math:`\\phi` of the log-linear actor :math:`\\pi_\\theta\\propto\\exp(\\theta^\\top\\phi)`, :math:`\\theta_0=0`.
    critic, actor
        The oracles of lines 4 and 5 (:class:`~mfcode.nac.exact.ExactCritic` /
        :class:`~mfcode.nac.exact.ExactActor` or stochastic ones).
    config
        :class:`NACConfig`.
    n_seeds
        The batch size ``n``.
    seed
        Seeds the one ``np.random.Generator`` that all oracles of the batch draw from.
    progress
        Show a tqdm bar.

    Returns
    -------
    NACRun
        Named "NAC": :math:`\\pi_0..\\pi_{T-1}`, :math:`\\mu_0..\\mu_T`, :math:`\\theta_0..\\theta_T`, and
        :math:`\\mathcal E(\\pi_t)` (App. D, exact) at ``scored_at``.
    """
    g, feats, n, s = check_run(game, features, n_seeds, seed, progress)
    check_oracles(critic, actor)
    if not isinstance(config, NACConfig):
        raise TypeError(f"config must be a NACConfig, got {type(config).__name__}")
    etas, betas = config.policy_steps(), config.mean_field_steps()
    lam, radius = float(config.temperature), float(config.radius)
    rng = np.random.default_rng(s)
    record = RunRecord(g, feats, n, config.iterations, lam, config.score_every)
    theta = np.zeros((n, feats.dim))
    mu = np.tile(g.initial, (n, 1))
    state: FloatArray | None = None
    for t in tqdm(range(config.iterations), disable=not progress, desc="NAC"):
        it = iterate_at(g, feats, theta, mu, lam)
        record.record(t, it)
        step = npg_step(it, feats, critic=critic, actor=actor, eta=float(etas[t]), radius=radius, rng=rng, critic_start=state)
        state = step.critic.state if config.warm_start_critic else None
        mu = (1.0 - betas[t]) * mu + betas[t] * push_forward(it.policy, mu, it.kernel)
        theta = step.theta
    return record.finish("NAC", s, theta, mu)
