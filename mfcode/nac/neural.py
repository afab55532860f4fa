"""NAC-NN: natural actor-critic for a stationary MFG with neural actor and critic (001 §5.2, App. E).

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``. §5.2 runs NAC with "a two-layer
fully-connected neural network as function approximation"; App. E: "NAC-NN has one hidden layer
that consists of 64 hidden units", with the policy step approximated by "a standard gradient descent
method with adaptive KL divergence penalty" (:mod:`mfcode.nac.neural_update`). The paper uses it on
the serverless platform only; here it runs on the chapter's stationary games (SIS, LQ), where the
exact exploitability of App. D can score it. Iteration :math:`t` of :func:`neural_nac`, for ``n``
seeds at once:

1. :math:`\\pi_t` is the actor's policy table (float64) at every encoded state;
2. each seed's ``n_envs`` copies of the representative agent take ``rollout_length`` steps of the
   game at :math:`\\mu_t` (:math:`a\\sim\\pi_t(\\cdot|s)`, :math:`r(s,a,\\mu_t)`,
   :math:`s'\\sim P(\\cdot|s,a,\\mu_t)`), restarting at :math:`\\rho` with probability :math:`1-\\gamma`
   after each step, so that the visited states follow the discounted visitation
   :math:`d^{\\pi_t}_{\\mu_t}` that Algorithm 3 samples from ("using a sampler (e.g., [2])", App. C);
   the copies keep their states from one iteration to the next (learning while playing);
3. :func:`~mfcode.nac.neural_update.update` on those transitions (critic, then actor, then
   :math:`\\beta_{KL}`): Algorithm 1 lines 4, 5 and 7 with networks;
4. Algorithm 1 line 6 exactly: :math:`\\mu_{t+1}=(1-\\beta)\\mu_t+\\beta\\,\\Gamma_2(\\pi_t,\\mu_t)` (the
   push-forward of the policy table under the model's kernel at :math:`\\mu_t`).

The result is a :class:`~mfcode.nac.protocol.NACRun` (``parameters=None``) whose exploitability is
App. D's, computed exactly (:func:`mfcode.nac.scoring.exploitability`) for the policy tables at
``scored_at``; the algorithm itself never sees model values, only sampled transitions.

Seeds are the ``K = n`` members of one :class:`~mfcode.nac.neural_update.ActorCritic`; one
``torch.Generator`` seeded with ``seed`` draws, in order, the actors' and critics' initial weights,
then every sample and minibatch. The members never share data, but their initial weights are slices
of joint draws, so member ``i`` of an ``n``-seed run is not the 1-seed run of any seed: a batch is
reproducible as a whole (on one device), and the seeds in it are independent learners.

Precision: the networks are float32 (mfcode.rl's networks; the noise of sampled transitions is
orders of magnitude above float32 rounding); policy tables, mean fields, the sampler's tables and
all scores are float64. Where the paper is silent (activation, :math:`d_{targ}`, initial
:math:`\beta_{KL}`, its floor, the sampler, batch sizes) :class:`NeuralNACConfig` and
:class:`~mfcode.nac.neural_update.UpdateSettings` name the book's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from tqdm.auto import tqdm

from mfcode.arrays import FloatArray
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac import scoring
from mfcode.nac.algorithm import push_forward
from mfcode.nac.neural_update import ActorCritic, TransitionBatch, UpdateSettings, update
from mfcode.nac.protocol import NACRun
from mfcode.rl.ppo import resolve_device
from mfcode.validation import check_int, check_real, check_temperature

__all__ = ["NeuralNACConfig", "neural_nac"]


@dataclass(frozen=True)
class NeuralNACConfig:
    """Hyperparameters of :func:`neural_nac`; where the paper is silent the field says the value is ours.

    Attributes
    ----------
    iterations
        :math:`T`, NAC iterations (ours; the paper reports none for NAC-NN).
    temperature
        :math:`\\lambda>0` (ours, the chapter's 0.1; the paper reports none).
    mean_field_step
        :math:`\\beta` of Algorithm 1 line 6 (App. D's SIS value 0.01; LQ used 0.05).
    hidden_units
        Width of the one hidden layer of the actor and of the critic (App. E: 64).
    activation
        ``"tanh"`` (ours; App. E names none) or ``"relu"``.
    actor_lr, critic_lr
        Adam learning rates (App. E: "the learning rate for both the actor and the critic networks"
        :math:`3\\times10^{-4}`).
    epochs
        SGD epochs per iteration, each network (App. E: 5).
    minibatch_size
        Transitions per SGD step (App. E: 5, read as samples per minibatch).
    kl_target
        :math:`d_{targ}` of the adaptive KL rule (ours: 0.01; App. E gives none).
    kl_coeff
        Initial :math:`\\beta_{KL}` (ours: 1.0, the PPO paper's; App. E gives none).
    n_envs
        Copies of the representative agent per seed, stepped in parallel (ours).
    rollout_length
        Steps of each copy per iteration (ours); a seed's batch holds ``n_envs * rollout_length``
        transitions.
    score_every
        :math:`k\\le T`: the exact exploitability is computed at :math:`t=0,k,2k,\\dots` and at :math:`T-1`
        (as :class:`mfcode.nac.algorithm.NACConfig`).
    """

    iterations: int = 500
    temperature: float = 0.1
    mean_field_step: float = 0.01
    hidden_units: int = 64
    activation: str = "tanh"
    actor_lr: float = 3e-4
    critic_lr: float = 3e-4
    epochs: int = 5
    minibatch_size: int = 5
    kl_target: float = 0.01
    kl_coeff: float = 1.0
    n_envs: int = 8
    rollout_length: int = 4
    score_every: int = 10

    def __post_init__(self) -> None:
        for name in ("iterations", "hidden_units", "epochs", "minibatch_size", "n_envs", "rollout_length"):
            check_int(getattr(self, name), name, low=1)
        check_int(self.score_every, "score_every", low=1, high=self.iterations)
        check_real(self.temperature, "temperature", low=0.0, low_open=True)
        check_real(self.mean_field_step, "mean_field_step", low=0.0, high=1.0)
        for name in ("actor_lr", "critic_lr", "kl_target", "kl_coeff"):
            check_real(getattr(self, name), name, low=0.0, low_open=True)
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")

    @property
    def batch_size(self) -> int:
        """Transitions per seed per iteration, ``n_envs * rollout_length``."""
        return self.n_envs * self.rollout_length

    def scored_at(self) -> npt.NDArray[np.int64]:
        """The iterations whose policy is scored: :math:`0,k,2k,\\dots` and :math:`T-1`."""
        return np.unique(np.r_[np.arange(0, self.iterations, self.score_every), self.iterations - 1]).astype(np.int64)


def _device(device: str | torch.device | None) -> torch.device:
    """:func:`mfcode.rl.ppo.resolve_device` (``None``: CUDA if available; missing CUDA is a ``ValueError``), CPU or CUDA only."""
    dev = resolve_device(device)
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {str(dev)!r}")
    return dev


def _check_encoding(encoding: npt.ArrayLike | None, n_states: int) -> FloatArray:
    if encoding is None:
        return np.eye(n_states)
    enc = np.asarray(encoding)
    if enc.dtype.kind not in "fiu" or enc.dtype == np.bool_:
        raise TypeError(f"encoding must be a real array, got dtype {enc.dtype}")
    if enc.ndim != 2 or enc.shape[0] != n_states or enc.shape[1] < 1:
        raise ValueError(f"encoding must have shape (S={n_states}, k) with k >= 1, got {enc.shape}")
    if not np.isfinite(enc).all():
        raise ValueError("encoding must be finite")
    out: FloatArray = enc.astype(np.float64)
    return out


def _categorical(probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One draw per row of ``probs`` ``(..., m)`` by the inverse CDF, int64 ``(...)``."""
    u = torch.rand(probs.shape[:-1], generator=generator, device=probs.device, dtype=probs.dtype)
    return (probs.cumsum(-1) <= u.unsqueeze(-1)).sum(-1).clamp(max=probs.shape[-1] - 1)


@dataclass(frozen=True)
class _Simulator:
    """The game at the current mean fields of the seeds, as tensors on the learner's device."""

    policy: torch.Tensor  # (n, S, A) float64
    reward: torch.Tensor  # (n, S, A) float64
    kernel: torch.Tensor  # (n, S, A, S) float64
    initial: torch.Tensor  # (S,) float64
    gamma: float

    def rollout(
        self, states: torch.Tensor, steps: int, encoding: torch.Tensor, generator: torch.Generator
    ) -> tuple[TransitionBatch, torch.Tensor]:
        """``steps`` transitions of every copy ``states`` ``(n, E)``, with restarts at :math:`\\rho` w.p. :math:`1-\\gamma`."""
        n, e = states.shape
        rows = torch.arange(n, device=states.device).unsqueeze(1)
        s_list, a_list, r_list, next_list = [], [], [], []
        for _ in range(steps):
            a = _categorical(self.policy[rows, states], generator)
            nxt = _categorical(self.kernel[rows, states, a], generator)
            s_list.append(states)
            a_list.append(a)
            r_list.append(self.reward[rows, states, a])
            next_list.append(nxt)
            restart = torch.rand((n, e), generator=generator, device=states.device, dtype=torch.float64) >= self.gamma
            fresh = _categorical(self.initial.expand(n, e, -1), generator)
            states = torch.where(restart, fresh, nxt)
        s, s_next = torch.cat(s_list, 1), torch.cat(next_list, 1)
        batch = TransitionBatch(
            obs=encoding[s],
            actions=torch.cat(a_list, 1),
            rewards=torch.cat(r_list, 1).to(encoding.dtype),
            next_obs=encoding[s_next],
        )
        return batch, states


def neural_nac(
    game: StationaryMFG,
    *,
    config: NeuralNACConfig,
    n_seeds: int,
    seed: int,
    device: str | torch.device | None = "cpu",
    encoding: npt.ArrayLike | None = None,
    progress: bool = False,
) -> NACRun:
    """Run NAC-NN for ``n_seeds`` seeds at once (see the module docstring).

    Parameters
    ----------
    game
        A stationary MFG (001 §2).
    config
        Hyperparameters.
    n_seeds
        ``n``, independent learners (ensemble members).
    seed
        Seed of the batch's ``torch.Generator``.
    device
        ``"cpu"`` (default), ``"cuda"`` (``ValueError`` where CUDA is unavailable) or ``None`` (CUDA
        if available, else CPU), as :func:`mfcode.rl.ppo.resolve_device` reads it.
    encoding
        ``(S, k)`` the networks' input for each state; default one-hot (``k = S``).
    progress
        Show a tqdm bar over the iterations.

    Returns
    -------
    NACRun
        ``name="NAC-NN"``, ``policies`` ``(n, T, S, A)`` (the float64 policy tables
        :math:`\\pi_0..\\pi_{T-1}`), ``mean_fields`` ``(n, T + 1, S)``, App. D's exact
        exploitability at :meth:`NeuralNACConfig.scored_at`, ``parameters=None``.
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG (the stationary game of 001 §2), got {type(game).__name__}")
    if not isinstance(config, NeuralNACConfig):
        raise TypeError(f"config must be a NeuralNACConfig, got {type(config).__name__}")
    n = check_int(n_seeds, "n_seeds", low=1)
    seed_ = check_int(seed, "seed", low=0)
    dev = _device(device)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    lam = check_temperature(config.temperature)
    enc_np = _check_encoding(encoding, game.n_states)
    s_count, a_count, t_count = game.n_states, game.n_actions, config.iterations

    generator = torch.Generator(device=dev)
    generator.manual_seed(seed_)
    learner = ActorCritic(
        n, enc_np.shape[1], a_count, generator, hidden=(config.hidden_units,), activation=config.activation,
        actor_lr=config.actor_lr, critic_lr=config.critic_lr, kl_coeff=config.kl_coeff, device=dev,
    )
    settings = UpdateSettings(lam, game.gamma, lam, config.epochs, config.minibatch_size, config.kl_target)
    encoding_t = torch.as_tensor(enc_np, dtype=torch.float32, device=dev)
    initial = torch.tensor(game.initial, dtype=torch.float64, device=dev)
    states = _categorical(initial.expand(n, config.n_envs, -1), generator)

    policies = np.empty((n, t_count, s_count, a_count))
    mean_fields = np.empty((n, t_count + 1, s_count))
    mean_fields[:, 0] = game.initial
    beta = config.mean_field_step
    for t in tqdm(range(t_count), desc="NAC-NN iterations", disable=not progress):
        pi = learner.policy_table(encoding_t)
        policies[:, t] = pi
        mu = mean_fields[:, t]
        reward, kernel = scoring.dynamics_batch(game, mu)
        sim = _Simulator(  # copies: the kernel of a game whose P ignores mu is a read-only broadcast view
            torch.tensor(pi, device=dev), torch.tensor(reward, device=dev), torch.tensor(kernel, device=dev), initial, game.gamma,
        )
        batch, states = sim.rollout(states, config.rollout_length, encoding_t, generator)
        update(learner, batch, settings, generator)
        mean_fields[:, t + 1] = (1.0 - beta) * mu + beta * push_forward(pi, mu, kernel)

    scored_at = config.scored_at()
    exploit = np.stack([scoring.exploitability(game, policies[:, t], lam) for t in scored_at], axis=1)
    return NACRun(
        name="NAC-NN", seed=seed_, temperature=lam, policies=policies, mean_fields=mean_fields,
        scored_at=scored_at, exploitability=exploit, parameters=None,
    )
