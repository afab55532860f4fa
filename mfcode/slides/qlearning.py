"""The three-step fixed point on the state-action mean field, naive Q-learning and GMF-Q (seed ``004_ae508d4ce3677c60.txt``).

The slides' GMFG (Guo, Hu, Xu & Zhang 2019) lets rewards and kernels depend on the population
state-action distribution :math:`L\\in\\Delta(\\mathcal S\\times\\mathcal A)`; the games of
:mod:`mfcode.mfg` depend on its state marginal :math:`\\mu_L(s)=\\sum_aL(s,a)` (the ad auction of
:mod:`mfcode.slides.auction` keeps each bidder's bid in its state for that reason). On any
:class:`~mfcode.mfg.stationary.StationaryMFG`:

- :func:`population_step` -- :math:`\\Gamma_2(L,\\pi)(s',a')=\\sum_{s,a}L(s,a)P(s'|s,a,\\mu_L)\\pi(a'|s')`,
  "update from :math:`L` for one time step" (the slides' :math:`\\mathcal G(s,\\pi_k,L_k)` with its
  expectation taken exactly: the only sampling is the inner Q-learning's);
- :func:`three_step` -- the model-based iteration :math:`L_{k+1}=\\Gamma_2(L_k,\\mathrm{smooth}(Q^\\star_{L_k}))`
  with the MFG core's exact best response (:meth:`~mfcode.mfg.stationary.StationaryMFG.best_response`);
- :func:`learn` -- Algorithm 1 (naive: ``argmax-e``, no projection) and Algorithm 2 (GMF-Q:
  :class:`~mfcode.slides.smoothing.Softmax`, projection onto an :math:`\\epsilon`-net) with sampled,
  synchronous Q-learning as the inner solver, every sample path an index of a leading batch axis;
  :class:`~mfcode.slides.smoothing.MellowMax` and ``momentum`` (:math:`L_{k+1}=(1-m)\\tilde L_{k+1}+mL_k`)
  are the slides' other smoothing options.

The inner target may be the soft one, :math:`r+\\gamma\\lambda\\log\\sum_{a'}e^{Q(s',a')/\\lambda}`
(``inner_temperature`` :math:`=\\lambda`). With :math:`\\lambda=1/c` and :math:`\\mathrm{softmax}_c` the
fixed point of the learned iteration is the :math:`\\lambda`-regularized NE :math:`\\mu^\\star\\otimes\\pi^\\star`
that :func:`mfcode.mfg.solvers.solve_equilibrium` computes exactly; with :math:`\\lambda=0` (the slides'
Algorithm 2 as printed) it is the fixed point of :math:`L\\mapsto\\Gamma_2(L,\\mathrm{softmax}_c(Q^\\star_L))`,
which :func:`three_step` computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from tqdm.std import tqdm

from mfcode.arrays import FloatArray
from mfcode.mfg.soft import soft_max_value
from mfcode.mfg.stationary import StationaryDynamics, StationaryMFG
from mfcode.slides.smoothing import Smoothing
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "LearningConfig",
    "LearningRun",
    "ThreeStepRun",
    "learn",
    "population_step",
    "project_to_net",
    "q_learning",
    "three_step",
]


def _check_game(game: object) -> StationaryMFG:
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    return game


def _check_joint(game: StationaryMFG, joint: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(joint, dtype=np.float64)
    if arr.shape[-2:] != (game.n_states, game.n_actions):
        raise ValueError(f"{name} must end in shape {(game.n_states, game.n_actions)}, got {arr.shape}")
    flat = arr.reshape(*arr.shape[:-2], -1)
    if np.any(flat < -1e-12) or np.abs(flat.sum(axis=-1) - 1.0).max() > 1e-9:
        raise ValueError(f"{name} must be a distribution on S x A")
    return arr


def _dynamics(game: StationaryMFG, joint: FloatArray) -> list[StationaryDynamics]:
    """The game's reward and kernel at the state marginal of each ``(S, A)`` slice of ``joint`` (the game's
    model functions take one mean field, so this is one call per sample path and outer step)."""
    flat = joint.reshape(-1, game.n_states, game.n_actions)
    return [game.dynamics_at(game.check_mean_field(np.clip(m.sum(axis=-1), 0.0, None) / m.sum())) for m in flat]


def population_step(game: StationaryMFG, joint: npt.ArrayLike, policy: npt.ArrayLike) -> FloatArray:
    """:math:`\\Gamma_2(L,\\pi)(s',a')=\\sum_{s,a}L(s,a)P(s'|s,a,\\mu_L)\\pi(a'|s')` for ``(..., S, A)`` batches."""
    g = _check_game(game)
    lj = _check_joint(g, joint, "joint")
    pi = np.asarray(policy, dtype=np.float64)
    if pi.shape != lj.shape:
        raise ValueError(f"policy must have the shape of joint {lj.shape}, got {pi.shape}")
    kernels = np.stack([d.kernel for d in _dynamics(g, lj)]).reshape(*lj.shape, g.n_states)
    nxt = np.einsum("...sa,...sat->...t", lj, kernels)
    out: FloatArray = nxt[..., None] * pi
    return out


def project_to_net(joint: npt.ArrayLike, resolution: int) -> FloatArray:
    """Nearest point (in :math:`\\ell_1`) of the :math:`\\epsilon`-net :math:`\\{L:\\,L(s,a)\\in\\frac1m\\mathbb N\\}`, :math:`m=` ``resolution``.

    The slides' :math:`\\mathrm{Proj}_{S_\\epsilon}` with :math:`\\epsilon=1/m` on each coordinate (the slides
    leave the net open): round :math:`mL` down and give the missing units to the largest remainders.
    Batched over leading axes; the last two axes are :math:`(S, A)`.
    """
    m = check_int(resolution, "resolution", low=1)
    arr = np.asarray(joint, dtype=np.float64)
    flat = arr.reshape(-1, arr.shape[-2] * arr.shape[-1]) * m
    base = np.floor(flat)
    missing = (m - base.sum(axis=-1)).round().astype(np.int64)
    order = np.argsort(-(flat - base), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(flat.shape[-1])[None, :].repeat(flat.shape[0], 0), axis=-1)
    out: FloatArray = ((base + (ranks < missing[:, None])) / m).reshape(arr.shape)
    return out


def q_learning(
    reward: FloatArray,
    kernel: FloatArray,
    gamma: float,
    q_init: FloatArray,
    n_steps: int,
    rng: np.random.Generator,
    *,
    temperature: float = 0.0,
    step_exponent: float = 0.6,
    first_step: int = 0,
) -> FloatArray:
    """Synchronous Q-learning on a batch of MDPs (the slides' inner iteration).

    At step :math:`t` every :math:`(s,a)` of every MDP of the batch draws one :math:`s'\\sim P(\\cdot|s,a)` and
    :math:`Q\\leftarrow Q+\\beta_t(r+\\gamma V(Q)(s')-Q)`, :math:`\\beta_t=(t+1)^{-\\omega}` for
    :math:`t=` ``first_step`` :math:`,\\dots`, with
    :math:`V(Q)=\\max_aQ` (``temperature=0``) or :math:`\\lambda\\log\\sum_ae^{Q/\\lambda}`. Shapes: ``reward``
    ``(B, S, A)``, ``kernel`` ``(B, S, A, S)``, ``q_init`` ``(B, S, A)``.
    """
    check_int(n_steps, "n_steps", low=1)
    lam = check_temperature(temperature)
    check_real(step_exponent, "step_exponent", low=0.5, high=1.0, low_open=True)
    t0 = check_int(first_step, "first_step", low=0)
    cdf = np.cumsum(kernel, axis=-1)
    cdf[..., -1] = 1.0
    b, s, a = reward.shape
    q = q_init.copy()
    batch = np.arange(b)[:, None, None]
    for t in range(t0, t0 + n_steps):
        u = rng.random((b, s, a, 1))
        nxt = np.minimum((u > cdf).sum(axis=-1), s - 1)
        v = soft_max_value(q, lam)
        target = reward + gamma * v[batch, nxt]
        q += (t + 1.0) ** (-step_exponent) * (target - q)
    return q


@dataclass(frozen=True)
class LearningConfig:
    """One learning algorithm of the slides.

    Attributes
    ----------
    smoothing
        ``ArgmaxE()`` (Algorithm 1), ``Softmax(c)`` (Algorithm 2), ``MellowMax(c)``.
    outer_iterations
        :math:`K`, the outer iterations.
    inner_steps
        :math:`T_k`, Q-learning steps per outer iteration (constant; the slides' PAC schedule is not given).
    net_resolution
        :math:`m` of the :math:`\\epsilon`-net (:math:`\\epsilon=1/m`), or ``None`` for no projection.
    momentum
        :math:`m\\in[0,1)`: :math:`L_{k+1}=(1-m)\\tilde L_{k+1}+mL_k` (0: none).
    inner_temperature
        :math:`\\lambda` of the inner soft target (0: the slides' Q-learning).
    warm_start
        Start each inner Q-learning from the previous outer iteration's :math:`\\hat Q` and continue its
        step-size clock (our choice; the slides restart from an unspecified point). ``False``: restart from
        :math:`Q=0` and :math:`t=0`.
    step_exponent
        :math:`\\omega` of the inner step sizes :math:`(t+1)^{-\\omega}`.
    """

    smoothing: Smoothing
    outer_iterations: int
    inner_steps: int
    net_resolution: int | None = None
    momentum: float = 0.0
    inner_temperature: float = 0.0
    warm_start: bool = True
    step_exponent: float = 0.6

    def __post_init__(self) -> None:
        if not isinstance(self.smoothing, Smoothing):
            raise TypeError(f"smoothing must be a Smoothing rule, got {type(self.smoothing).__name__}")
        check_int(self.outer_iterations, "outer_iterations", low=1)
        check_int(self.inner_steps, "inner_steps", low=1)
        if self.net_resolution is not None:
            check_int(self.net_resolution, "net_resolution", low=1)
        check_real(self.momentum, "momentum", low=0.0, high=1.0, high_open=True)
        check_temperature(self.inner_temperature, "inner_temperature")
        check_real(self.step_exponent, "step_exponent", low=0.5, high=1.0, low_open=True)


@dataclass(frozen=True, eq=False)
class LearningRun:
    """Output of :func:`learn` (``P`` sample paths).

    Attributes
    ----------
    joints
        :math:`L_0,\\dots,L_K`, ``(K+1, P, S, A)``.
    policies
        :math:`\\pi_0,\\dots,\\pi_{K-1}`, ``(K, P, S, A)``.
    q
        The last :math:`\\hat Q`, ``(P, S, A)``.
    """

    joints: FloatArray
    policies: FloatArray
    q: FloatArray

    @property
    def step_sup(self) -> FloatArray:
        """:math:`\\|L_k-L_{k+1}\\|_\\infty`, ``(K, P)`` (the slides' left panel)."""
        out: FloatArray = np.abs(np.diff(self.joints, axis=0)).max(axis=(-2, -1))
        return out

    @property
    def step_l1(self) -> FloatArray:
        """:math:`\\|L_k-L_{k+1}\\|_1`, ``(K, P)`` (the slides' right panel)."""
        out: FloatArray = np.abs(np.diff(self.joints, axis=0)).sum(axis=(-2, -1))
        return out

    def distance_to(self, joint: npt.ArrayLike) -> FloatArray:
        """:math:`\\|L_k-L\\|_1` to a reference :math:`L`, ``(K+1, P)``."""
        out: FloatArray = np.abs(self.joints - np.asarray(joint, dtype=np.float64)).sum(axis=(-2, -1))
        return out


def _initial_joint(game: StationaryMFG, initial: npt.ArrayLike | None) -> FloatArray:
    if initial is None:
        return game.initial[:, None] * game.uniform_policy()
    return _check_joint(game, initial, "initial")


def learn(
    game: StationaryMFG,
    config: LearningConfig,
    *,
    n_paths: int,
    seed: int,
    initial: npt.ArrayLike | None = None,
    progress: bool = False,
) -> LearningRun:
    """Algorithm 1 or 2 of the slides on ``n_paths`` independent sample paths at once (batch axis ``P``).

    Outer iteration :math:`k`: Q-learning (:func:`q_learning`) on the MDP :math:`(r(\\cdot,\\cdot,\\mu_{L_k}),P(\\cdot|\\cdot,\\cdot,\\mu_{L_k}))`
    of each path, :math:`\\pi_k=` ``smoothing`` :math:`(\\hat Q_k)`, :math:`\\tilde L_{k+1}=\\Gamma_2(L_k,\\pi_k)`, momentum,
    then the projection onto the net. ``initial``: :math:`L_0` (default :math:`\\rho\\otimes` uniform).
    """
    g = _check_game(game)
    if not isinstance(config, LearningConfig):
        raise TypeError(f"config must be a LearningConfig, got {type(config).__name__}")
    p = check_int(n_paths, "n_paths", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    joint = np.broadcast_to(_initial_joint(g, initial), (p, g.n_states, g.n_actions)).copy()
    if config.net_resolution is not None:
        joint = project_to_net(joint, config.net_resolution)
    joints, policies = [joint], []
    q = np.zeros_like(joint)
    for k in tqdm(range(config.outer_iterations), disable=not progress, desc=config.smoothing.name):
        dyns = _dynamics(g, joint)
        reward = np.stack([d.reward for d in dyns])
        kernel = np.stack([d.kernel for d in dyns])
        q0 = q if config.warm_start else np.zeros_like(joint)
        q = q_learning(
            reward, kernel, g.gamma, q0, config.inner_steps, rng,
            temperature=config.inner_temperature, step_exponent=config.step_exponent,
            first_step=k * config.inner_steps if config.warm_start else 0,
        )
        pi = config.smoothing.policy(q)
        nxt = np.einsum("psa,psat->pt", joint, kernel)[..., None] * pi
        nxt = (1.0 - config.momentum) * nxt + config.momentum * joint
        if config.net_resolution is not None:
            nxt = project_to_net(nxt, config.net_resolution)
        policies.append(pi)
        joints.append(nxt)
        joint = nxt
    return LearningRun(np.stack(joints), np.stack(policies), q)


@dataclass(frozen=True, eq=False)
class ThreeStepRun:
    """Output of :func:`three_step`: :math:`L_0,\\dots,L_K` ``(K+1, S, A)`` and :math:`\\pi_0,\\dots,\\pi_{K-1}`."""

    joints: FloatArray
    policies: FloatArray

    @property
    def step_l1(self) -> FloatArray:
        """:math:`\\|L_k-L_{k+1}\\|_1`, ``(K,)``."""
        out: FloatArray = np.abs(np.diff(self.joints, axis=0)).sum(axis=(-2, -1))
        return out


def three_step(
    game: StationaryMFG,
    smoothing: Smoothing,
    n_iterations: int,
    *,
    temperature: float = 0.0,
    momentum: float = 0.0,
    initial: npt.ArrayLike | None = None,
) -> ThreeStepRun:
    """The model-based :math:`L_{k+1}=(1-m)\\Gamma_2(L_k,\\mathrm{smooth}(Q^{\\star,\\lambda}_{L_k}))+mL_k` with exact :math:`Q^\\star`.

    :math:`Q^{\\star,\\lambda}_{L}` is the MFG core's (soft, at ``temperature``) optimal Q-function at :math:`\\mu_L`:
    with :class:`~mfcode.slides.smoothing.ArgmaxE` and :math:`\\lambda=0` this is the slides' three-step
    approach :math:`\\Gamma_2\\circ\\Gamma_1`.
    """
    g = _check_game(game)
    if not isinstance(smoothing, Smoothing):
        raise TypeError(f"smoothing must be a Smoothing rule, got {type(smoothing).__name__}")
    n = check_int(n_iterations, "n_iterations", low=1)
    lam = check_temperature(temperature)
    mom = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
    joint = _initial_joint(g, initial)
    joints, policies = [joint], []
    for _ in range(n):
        (dyn,) = _dynamics(g, joint)
        pi = smoothing.policy(g.best_response(dyn, lam).q)
        nxt = (1.0 - mom) * (joint.reshape(-1) @ dyn.kernel.reshape(-1, g.n_states))[:, None] * pi + mom * joint
        policies.append(pi)
        joints.append(nxt)
        joint = nxt
    return ThreeStepRun(np.stack(joints), np.stack(policies))
