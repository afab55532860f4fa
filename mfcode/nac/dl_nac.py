"""DL-NAC: the double-loop natural actor-critic of 001 §5.1, the baseline of Figs. 1–2.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §5.1 ("a 'double-loop' version of
natural actor-critic ('DL-NAC') that uses a fixed point iteration") and App. D: "In each 'segment'
of the zigzag plot, DL-NAC fixes the population distribution and learns an approximately optimal
policy with respect to it. At the end of the segment, DL-NAC abruptly updates the mean-field
estimate by applying one step of the mean-field dynamics operator :math:`\\Gamma_2` under the
learned policy. Such an abrupt change in the environment dynamics nullifies the policies learned
from the past, and the algorithm needs to learn a new policy from scratch."

Here: segments of ``segment_length`` iterations with :math:`\\mu` frozen (the game's dynamics at
:math:`\\mu` evaluated once per segment), each iteration the NPG step of Algorithm 1
(:func:`mfcode.nac.algorithm.npg_step`), then :math:`\\mu\\leftarrow\\Gamma_2(\\pi_\\theta,\\mu)`
(:math:`\\beta=1`) under the last policy of the segment. The paper leaves the restart open:
``restart="cold"`` sets :math:`\\theta\\leftarrow0` at the start of every later segment ("learn a
new policy from scratch"; the critic's warm-start state is dropped too), ``"warm"`` keeps
:math:`\\theta`. The segment length is not given either (a parameter). With exact oracles and
segments long enough for the NPG to converge, the segment ends follow the exact fixed-point
iteration :math:`\\mu_{k+1}=\\Lambda^\\lambda(\\mu_k)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu_k),\\mu_k)` of 001 §2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac.algorithm import RunRecord, check_common, check_oracles, check_run, iterate_at, npg_step, push_forward
from mfcode.nac.features import Features
from mfcode.nac.protocol import Actor, Critic, NACRun
from mfcode.nac.schedules import StepSize, policy_steps
from mfcode.nac.scoring import dynamics_batch
from mfcode.validation import check_int

__all__ = ["DLNACConfig", "dl_nac"]

Restart = Literal["warm", "cold"]


@dataclass(frozen=True)
class DLNACConfig:
    """Settings of DL-NAC.

    Parameters
    ----------
    iterations
        :math:`T`, a multiple of ``segment_length``.
    temperature
        :math:`\\lambda>0`.
    eta
        Policy step (:math:`0<\\eta_t\\lambda<1`), indexed by the global iteration :math:`t`.
    radius
        :math:`R>0`.
    segment_length
        Iterations per segment (the mean field is frozen within one).
    restart
        ``"cold"`` (:math:`\\theta\\leftarrow0` at each new segment) or ``"warm"`` (keep :math:`\\theta`).
    warm_start_critic
        Hand the critic its previous state within a segment (and across segments when warm).
    score_every
        As in :class:`~mfcode.nac.algorithm.NACConfig`.
    """

    iterations: int
    temperature: float
    eta: StepSize
    radius: float
    segment_length: int
    restart: Restart = "cold"
    warm_start_critic: bool = False
    score_every: int = 1

    def __post_init__(self) -> None:
        check_common(self.iterations, self.temperature, self.radius, self.warm_start_critic, self.score_every)
        length = check_int(self.segment_length, "segment_length", low=1, high=self.iterations)
        if self.iterations % length:
            raise ValueError(f"iterations ({self.iterations}) must be a multiple of segment_length ({length})")
        if self.restart not in ("warm", "cold"):
            raise ValueError(f"restart must be 'warm' or 'cold', got {self.restart!r}")
        self.policy_steps()

    def policy_steps(self) -> FloatArray:
        """:math:`\\eta_0,\\dots,\\eta_{T-1}`."""
        return policy_steps(self.eta, self.iterations, self.temperature)


def dl_nac(
    game: StationaryMFG,
    features: Features,
    *,
    critic: Critic,
    actor: Actor,
    config: DLNACConfig,
    n_seeds: int = 1,
    seed: int = 0,
    progress: bool = False,
) -> NACRun:
    """DL-NAC for ``n_seeds`` runs at once; arguments as :func:`mfcode.nac.algorithm.nac`.

    Returns
    -------
    NACRun
        Named "DL-NAC (cold)" or "DL-NAC (warm)". ``mean_fields[:, t]`` is the frozen mean field of
        the segment holding :math:`t` and ``mean_fields[:, T]`` the one after the last segment;
        with a cold restart ``parameters[:, kL]`` is 0 for every segment :math:`k\\ge1`.
    """
    g, feats, n, s = check_run(game, features, n_seeds, seed, progress)
    check_oracles(critic, actor)
    if not isinstance(config, DLNACConfig):
        raise TypeError(f"config must be a DLNACConfig, got {type(config).__name__}")
    etas = config.policy_steps()
    lam, radius, length = float(config.temperature), float(config.radius), config.segment_length
    rng = np.random.default_rng(s)
    record = RunRecord(g, feats, n, config.iterations, lam, config.score_every)
    theta = np.zeros((n, feats.dim))
    mu = np.tile(g.initial, (n, 1))
    state: FloatArray | None = None
    bar = tqdm(total=config.iterations, disable=not progress, desc=f"DL-NAC ({config.restart})")
    for start in range(0, config.iterations, length):
        if start and config.restart == "cold":
            theta, state = np.zeros_like(theta), None
        dynamics = dynamics_batch(g, mu)
        for t in range(start, start + length):
            it = iterate_at(g, feats, theta, mu, lam, dynamics)
            record.record(t, it)
            step = npg_step(it, feats, critic=critic, actor=actor, eta=float(etas[t]), radius=radius, rng=rng, critic_start=state)
            state = step.critic.state if config.warm_start_critic else None
            theta = step.theta
            bar.update()
        mu = push_forward(feats.policy(theta), mu, dynamics[1])
    bar.close()
    return record.finish(f"DL-NAC ({config.restart})", s, theta, mu)
