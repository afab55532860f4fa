"""The actor-critic update of NAC-NN (001 §5.2, App. E), written without reference to a mean-field game.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, App. E: "NAC-NN has one hidden layer
that consists of 64 hidden units", and "due to the complexity of computing the Fisher information
matrix in a large-scale environment, we use a standard gradient descent method with adaptive KL
divergence penalty to approximate the policy update step, which leads to a similar procedure as the
Proximal Policy Optimization algorithm [58]". One call of :func:`update` on a batch of sampled
transitions :math:`(s,a,r,s')` (:class:`TransitionBatch`) does, for every ensemble member at once:

1. **Critic** (Algorithm 1 line 4; Algorithm 2's TD(0) with a network in place of :math:`\\psi^\\top\\phi`):
   the network outputs :math:`\\hat Q(s,\\cdot)\\in\\mathbb R^{|\\mathcal A|}` and
   :math:`\\hat q=\\hat Q-\\lambda\\log\\pi`; semi-gradient TD(0) on
   :math:`(\\hat Q(s,a)-y)^2` with the expected-SARSA target
   :math:`y=r+\\gamma\\sum_{a'}\\pi(a'|s')\\,\\hat q(s',a')`, whose TD error
   :math:`y-\\hat Q(s,a)=r-\\lambda\\log\\pi(a|s)+\\gamma\\,\\mathbb E_{a'}\\hat q(s',a')-\\hat q(s,a)` is
   Algorithm 2's :math:`\\delta` with the sampled :math:`a'` replaced by its expectation under
   :math:`\\pi` (a variance reduction the |A| outputs make free).
2. **Actor** (Algorithm 1 lines 5 and 7, approximated as App. E says): with the soft advantage
   :math:`\\hat A(s,a)=\\hat q(s,a)-\\sum_{a'}\\pi_{old}(a'|s)\\hat q(s,a')` of the updated critic, Adam
   on the KL-penalty objective of the PPO paper (Schulman et al. 2017, §4)

   .. math:: \\mathbb E\\Big[\\frac{\\pi(a|s)}{\\pi_{old}(a|s)}\\hat A(s,a)-\\beta_{KL}\\,\\mathrm{KL}\\big(\\pi_{old}(\\cdot|s)\\,\\|\\,\\pi(\\cdot|s)\\big)\\Big],

   whose gradient at :math:`\\pi=\\pi_{old}` is the policy gradient of the entropy-regularized value
   :math:`\\mathbb E[\\nabla\\log\\pi\\,(Q-\\lambda\\log\\pi)]` (the centred :math:`q` of Alg. 1; for a
   log-linear actor the natural step on it is :math:`\\theta\\leftarrow\\theta+\\eta(w_A-\\lambda\\theta)`).
   In the tabular limit the penalised step is, to first order, :math:`\\pi\\propto\\pi_{old}^{1-\\lambda/\\beta_{KL}}e^{\\hat Q/\\beta_{KL}}`:
   Algorithm 1's update with :math:`\\eta=1/\\beta_{KL}`.
3. **Adaptive penalty** (PPO paper, §4): with :math:`d` the batch mean of
   :math:`\\mathrm{KL}(\\pi_{old}\\|\\pi)` after the epochs, :math:`\\beta_{KL}\\leftarrow\\beta_{KL}/2` if
   :math:`d<d_{targ}/1.5` and :math:`\\beta_{KL}\\leftarrow2\\beta_{KL}` if :math:`d>1.5\\,d_{targ}`
   (:func:`adapt_kl_coefficient`; mfcode.rl.ppo uses RLlib's different rule), then kept at least
   :math:`\\beta_{min}` (ours, :attr:`UpdateSettings.min_kl_coeff`; NAC-NN's is :math:`\\lambda`).

Members are independent: :class:`ActorCritic` holds ``K`` actors and ``K`` critics as
:class:`~mfcode.rl.networks.EnsembleMLP` (batched ``bmm``), the loss is the sum of the members'
losses and Adam is element-wise, so each member is trained on its own batch exactly as if alone.
Precision: float32 (the networks' and mfcode.rl's dtype; callers turn policies into float64 tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from mfcode.arrays import FloatArray
from mfcode.rl.networks import EnsembleMLP
from mfcode.validation import check_int, check_real, check_temperature

__all__ = [
    "ActorCritic",
    "TransitionBatch",
    "UpdateSettings",
    "UpdateStats",
    "actor_update",
    "adapt_kl_coefficient",
    "critic_update",
    "update",
]

#: normc scale of the actor's output layer: logits near 0, so the first policy is close to
#: uniform, as Algorithm 1's :math:`\theta_0=0` (and RLlib's policy head).
ACTOR_OUT_STD = 0.01
#: normc scale of the critic's output layer (RLlib's value head).
CRITIC_OUT_STD = 1.0


def adapt_kl_coefficient(kl_coeff: torch.Tensor, kl: torch.Tensor, kl_target: float, floor: float) -> torch.Tensor:
    """The PPO paper's adaptive rule (Schulman et al. 2017, §4), element-wise over members, kept above ``floor``.

    :math:`\\beta_{KL}/2` where :math:`d<d_{targ}/1.5`, :math:`2\\beta_{KL}` where :math:`d>1.5\\,d_{targ}`,
    unchanged otherwise; then :math:`\\max(\\beta_{KL},\\beta_{min})`. The PPO paper has no floor: where
    the learning rate rather than the penalty limits the step, :math:`d` stays below target, the
    coefficient halves every update and underflows to 0, from which doubling never returns it.

    Parameters
    ----------
    kl_coeff
        ``(K,)`` current :math:`\\beta_{KL}>0`.
    kl
        ``(K,)`` measured :math:`d=\\hat{\\mathbb E}[\\mathrm{KL}(\\pi_{old}\\|\\pi)]`.
    kl_target
        :math:`d_{targ}>0`.
    floor
        :math:`\\beta_{min}>0`.
    """
    if not isinstance(kl_coeff, torch.Tensor) or not isinstance(kl, torch.Tensor):
        raise TypeError("kl_coeff and kl must be torch tensors")
    if kl_coeff.ndim != 1 or kl.shape != kl_coeff.shape:
        raise ValueError(f"kl_coeff and kl must have the same shape (K,), got {tuple(kl_coeff.shape)} and {tuple(kl.shape)}")
    target = check_real(kl_target, "kl_target", low=0.0, low_open=True)
    lowest = check_real(floor, "floor", low=0.0, low_open=True)
    factor = torch.where(
        kl < target / 1.5,
        torch.full_like(kl_coeff, 0.5),
        torch.where(kl > 1.5 * target, torch.full_like(kl_coeff, 2.0), torch.ones_like(kl_coeff)),
    )
    return (kl_coeff * factor).clamp(min=lowest)


@dataclass(frozen=True)
class TransitionBatch:
    """A batch of sampled transitions :math:`(s,a,r,s')` per member, as the update sees them.

    Attributes
    ----------
    obs
        ``(K, B, k)`` float encodings of the states :math:`s`.
    actions
        ``(K, B)`` int64 actions :math:`a\\sim\\pi_{old}(\\cdot|s)`.
    rewards
        ``(K, B)`` rewards :math:`r(s,a)`.
    next_obs
        ``(K, B, k)`` encodings of the next states :math:`s'\\sim P(\\cdot|s,a)`.
    """

    obs: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_obs: torch.Tensor

    def __post_init__(self) -> None:
        for name in ("obs", "actions", "rewards", "next_obs"):
            if not isinstance(getattr(self, name), torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(getattr(self, name)).__name__}")
        if self.obs.ndim != 3 or self.next_obs.shape != self.obs.shape:
            raise ValueError(f"obs and next_obs must have the same shape (K, B, k), got {tuple(self.obs.shape)} and {tuple(self.next_obs.shape)}")
        if self.actions.shape != self.obs.shape[:2] or self.rewards.shape != self.obs.shape[:2]:
            raise ValueError(f"actions and rewards must have shape (K, B) = {tuple(self.obs.shape[:2])}, got {tuple(self.actions.shape)} and {tuple(self.rewards.shape)}")
        if self.actions.dtype != torch.int64:
            raise TypeError(f"actions must be int64, got {self.actions.dtype}")

    @property
    def members(self) -> int:
        """``K``."""
        return int(self.obs.shape[0])

    @property
    def size(self) -> int:
        """``B``, transitions per member."""
        return int(self.obs.shape[1])


@dataclass(frozen=True)
class UpdateSettings:
    """What one :func:`update` needs besides the batch and the networks.

    Attributes
    ----------
    temperature
        :math:`\\lambda\\ge0` of the shifted values :math:`q=Q-\\lambda\\log\\pi`.
    discount
        :math:`\\gamma\\in[0,1)`.
    min_kl_coeff
        Floor :math:`\\beta_{min}>0` of the adaptive coefficient (ours; see :func:`adapt_kl_coefficient`).
        NAC-NN uses :math:`\\lambda`: in the tabular limit the penalised step is
        :math:`\\pi\\propto\\pi_{old}^{1-\\lambda/\\beta_{KL}}e^{\\hat Q/\\beta_{KL}}`, Algorithm 1's with
        :math:`\\eta=1/\\beta_{KL}`, and :math:`\\beta_{KL}\\ge\\lambda` is its :math:`\\eta\\lambda\\le1` (the
        convex combination of §3; at :math:`\\beta_{KL}=\\lambda` the step is the soft best response
        :math:`\\pi\\propto e^{\\hat Q/\\lambda}`).
    epochs
        SGD epochs over the batch, for the critic and then for the actor (App. E: 5).
    minibatch_size
        Transitions per SGD step (App. E: "mini-batch size ... 5"; we read it as samples per
        minibatch, RLlib's ``sgd_minibatch_size``); the last minibatch of an epoch may be smaller.
    kl_target
        :math:`d_{targ}` of the adaptive rule. The paper gives none; 0.01 is ours (the middle of the
        PPO paper's 0.003, 0.01, 0.03).
    """

    temperature: float
    discount: float
    min_kl_coeff: float
    epochs: int = 5
    minibatch_size: int = 5
    kl_target: float = 0.01

    def __post_init__(self) -> None:
        check_temperature(self.temperature)
        check_real(self.discount, "discount", low=0.0, high=1.0, high_open=True)
        check_real(self.min_kl_coeff, "min_kl_coeff", low=0.0, low_open=True)
        check_int(self.epochs, "epochs", low=1)
        check_int(self.minibatch_size, "minibatch_size", low=1)
        check_real(self.kl_target, "kl_target", low=0.0, low_open=True)


@dataclass(frozen=True)
class UpdateStats:
    """Per-member diagnostics of one :func:`update`, ``(K,)`` float64 arrays.

    Attributes
    ----------
    critic_loss
        Last-epoch mean of :math:`(\\hat Q(s,a)-y)^2`.
    kl
        :math:`d`, the batch mean of :math:`\\mathrm{KL}(\\pi_{old}\\|\\pi)` after the actor's epochs.
    kl_coeff
        :math:`\\beta_{KL}` after adaptation (the value the next update uses).
    """

    critic_loss: FloatArray
    kl: FloatArray
    kl_coeff: FloatArray


class ActorCritic:
    """``K`` independent actor and critic networks, their Adam optimisers and KL coefficients.

    Actor: encoding :math:`\\to` hidden :math:`\\to|\\mathcal A|` logits; critic: encoding
    :math:`\\to` hidden :math:`\\to|\\mathcal A|` values :math:`\\hat Q(s,\\cdot)` (a Q-critic rather than
    a V-critic: Algorithm 1's critic estimates a state-action function, and with every action's
    value the advantage is centred exactly under :math:`\\pi_{old}` and the TD target is an expected
    SARSA one; Q rather than q because :math:`Q` is smooth in the state while
    :math:`q=Q-\\lambda\\log\\pi` moves with the policy).

    Parameters
    ----------
    num_members
        ``K`` (seeds, or agents of the serverless chapter).
    n_inputs
        Width ``k`` of the state encoding.
    n_actions
        :math:`|\\mathcal A|`.
    generator
        Draws the initial weights (actor first, then critic); on ``device``.
    hidden
        Hidden widths (App. E: one layer of 64).
    activation
        ``"tanh"`` (ours; the paper does not name one) or ``"relu"``.
    actor_lr, critic_lr
        Adam learning rates (App. E: :math:`3\\times10^{-4}` for both).
    kl_coeff
        Initial :math:`\\beta_{KL}>0` (the paper gives none; 1.0 is the PPO paper's).
    device
        Device of the parameters.
    """

    def __init__(
        self,
        num_members: int,
        n_inputs: int,
        n_actions: int,
        generator: torch.Generator,
        *,
        hidden: tuple[int, ...] = (64,),
        activation: str = "tanh",
        actor_lr: float = 3e-4,
        critic_lr: float = 3e-4,
        kl_coeff: float = 1.0,
        device: torch.device | str = "cpu",
    ) -> None:
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        k = check_int(num_members, "num_members", low=1)
        n_in = check_int(n_inputs, "n_inputs", low=1)
        n_out = check_int(n_actions, "n_actions", low=1)
        lr_a = check_real(actor_lr, "actor_lr", low=0.0, low_open=True)
        lr_c = check_real(critic_lr, "critic_lr", low=0.0, low_open=True)
        beta = check_real(kl_coeff, "kl_coeff", low=0.0, low_open=True)
        self.actor = EnsembleMLP(k, n_in, n_out, hidden, generator, ACTOR_OUT_STD, activation, device)
        self.critic = EnsembleMLP(k, n_in, n_out, hidden, generator, CRITIC_OUT_STD, activation, device)
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=lr_a, fused=True)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=lr_c, fused=True)
        self.kl_coeff = torch.full((k,), beta, device=self.actor.weights[0].device)

    @property
    def num_members(self) -> int:
        """``K``."""
        return self.actor.num_members

    def log_policy(self, obs: torch.Tensor) -> torch.Tensor:
        """:math:`\\log\\pi(\\cdot|s)`, ``(K, B, A)`` for encodings ``(K, B, k)``."""
        return torch.log_softmax(self.actor(obs), dim=-1)

    @torch.no_grad()
    def policy_table(self, encoding: torch.Tensor) -> FloatArray:
        """:math:`\\pi(a|s)` of every member at every encoded state, a float64 ``(K, S, A)`` array.

        ``encoding`` is ``(S, k)``. The float32 log-probabilities are exponentiated and renormalised
        in float64, so the table lies on the simplex to float64 rounding and has no zeros.
        """
        if encoding.ndim != 2:
            raise ValueError(f"encoding must have shape (S, k), got {tuple(encoding.shape)}")
        logp = self.log_policy(encoding.expand(self.num_members, *encoding.shape))
        table = np.exp(logp.cpu().numpy().astype(np.float64))
        out: FloatArray = table / table.sum(axis=-1, keepdims=True)
        return out


def _minibatches(k: int, b: int, size: int, generator: torch.Generator, device: torch.device) -> list[torch.Tensor]:
    """Index sets ``(K, m)`` of one epoch: an independent random permutation per member, cut into minibatches."""
    perm = torch.argsort(torch.rand(k, b, generator=generator, device=device), dim=1)
    return [perm[:, i : i + size] for i in range(0, b, size)]


def _soft_value(q_values: torch.Tensor, log_pi: torch.Tensor, temperature: float) -> torch.Tensor:
    """:math:`\\sum_a\\pi(a|s)(\\hat Q(s,a)-\\lambda\\log\\pi(a|s))`, ``(K, B)``."""
    return (log_pi.exp() * (q_values - temperature * log_pi)).sum(-1)


def _check_call(learner: object, batch: object, settings: object, generator: object) -> None:
    if not isinstance(learner, ActorCritic):
        raise TypeError(f"learner must be an ActorCritic, got {type(learner).__name__}")
    if not isinstance(batch, TransitionBatch):
        raise TypeError(f"batch must be a TransitionBatch, got {type(batch).__name__}")
    if not isinstance(settings, UpdateSettings):
        raise TypeError(f"settings must be UpdateSettings, got {type(settings).__name__}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    if batch.members != learner.num_members:
        raise ValueError(f"batch has {batch.members} members, the learner {learner.num_members}")


def _take(values: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """``values[k, b, actions[k, b]]``: ``(K, B, A)`` and ``(K, B)`` to ``(K, B)``."""
    return values.gather(-1, actions.unsqueeze(-1)).squeeze(-1)


def critic_update(learner: ActorCritic, batch: TransitionBatch, settings: UpdateSettings, generator: torch.Generator) -> torch.Tensor:
    """Algorithm 1 line 4 with a network: ``epochs`` of semi-gradient TD(0) on :math:`(\\hat Q(s,a)-y)^2`.

    The target :math:`y=r+\\gamma\\sum_{a'}\\pi(a'|s')(\\hat Q(s',a')-\\lambda\\log\\pi(a'|s'))` uses the
    current actor's :math:`\\pi` and is recomputed from the current critic at every minibatch (as
    Algorithm 2 uses :math:`\\psi_k` in :math:`\\delta_k`). Returns the last epoch's mean loss per member, ``(K,)``.
    """
    _check_call(learner, batch, settings, generator)
    k, b = batch.members, batch.size
    lam, gamma, device = settings.temperature, settings.discount, learner.kl_coeff.device
    rows = torch.arange(k, device=device).unsqueeze(1)
    with torch.no_grad():
        log_pi_next = learner.log_policy(batch.next_obs)
    sums, count = torch.zeros(k, device=device), 0
    for epoch in range(settings.epochs):
        for idx in _minibatches(k, b, settings.minibatch_size, generator, device):
            with torch.no_grad():
                v_next = _soft_value(learner.critic(batch.next_obs[rows, idx]), log_pi_next[rows, idx], lam)
                target = batch.rewards[rows, idx] + gamma * v_next
            q_sa = _take(learner.critic(batch.obs[rows, idx]), batch.actions[rows, idx])
            per_member = (q_sa - target).pow(2).mean(1)
            learner.critic_optimizer.zero_grad(set_to_none=True)
            torch.autograd.backward(per_member.sum())
            learner.critic_optimizer.step()
            if epoch == settings.epochs - 1:
                sums += per_member.detach()
                count += 1
    return sums / count


def actor_update(learner: ActorCritic, batch: TransitionBatch, settings: UpdateSettings, generator: torch.Generator) -> torch.Tensor:
    """Algorithm 1 lines 5 and 7 as App. E approximates them: ``epochs`` of Adam on the KL-penalised surrogate.

    :math:`\\pi_{old}` is the actor at the call, :math:`\\hat A=\\hat q-\\sum_a\\pi_{old}\\hat q` with
    :math:`\\hat q=\\hat Q-\\lambda\\log\\pi_{old}` from the critic as it is (call :func:`critic_update`
    first), :math:`\\beta_{KL}` is ``learner.kl_coeff`` (not adapted here). Returns :math:`d`, the mean
    of :math:`\\mathrm{KL}(\\pi_{old}(\\cdot|s)\\|\\pi(\\cdot|s))` over the batch after the epochs, ``(K,)``.
    """
    _check_call(learner, batch, settings, generator)
    k, b = batch.members, batch.size
    device = learner.kl_coeff.device
    rows = torch.arange(k, device=device).unsqueeze(1)
    with torch.no_grad():
        log_pi_old = learner.log_policy(batch.obs)
        pi_old = log_pi_old.exp()
        log_pi_old_a = _take(log_pi_old, batch.actions)
        q_hat = learner.critic(batch.obs) - settings.temperature * log_pi_old
        advantage = _take(q_hat, batch.actions) - (pi_old * q_hat).sum(-1)
    beta = learner.kl_coeff.unsqueeze(1)
    for _ in range(settings.epochs):
        for idx in _minibatches(k, b, settings.minibatch_size, generator, device):
            log_pi = learner.log_policy(batch.obs[rows, idx])
            ratio = torch.exp(_take(log_pi, batch.actions[rows, idx]) - log_pi_old_a[rows, idx])
            kl = (pi_old[rows, idx] * (log_pi_old[rows, idx] - log_pi)).sum(-1)
            objective = (ratio * advantage[rows, idx] - beta * kl).mean(1)
            learner.actor_optimizer.zero_grad(set_to_none=True)
            torch.autograd.backward(-objective.sum())
            learner.actor_optimizer.step()
    with torch.no_grad():
        d: torch.Tensor = (pi_old * (log_pi_old - learner.log_policy(batch.obs))).sum(-1).mean(1)
    return d


def update(learner: ActorCritic, batch: TransitionBatch, settings: UpdateSettings, generator: torch.Generator) -> UpdateStats:
    """One NAC-NN iteration on ``batch``: :func:`critic_update`, :func:`actor_update`, then :func:`adapt_kl_coefficient`.

    ``generator`` draws the minibatch permutations (on the learner's device). The networks, the
    optimisers' state and ``learner.kl_coeff`` are updated in place.
    """
    critic_loss = critic_update(learner, batch, settings, generator)
    d = actor_update(learner, batch, settings, generator)
    learner.kl_coeff = adapt_kl_coefficient(learner.kl_coeff, d, settings.kl_target, settings.min_kl_coeff)
    return UpdateStats(
        critic_loss=critic_loss.cpu().numpy().astype(np.float64),
        kl=d.cpu().numpy().astype(np.float64),
        kl_coeff=learner.kl_coeff.cpu().numpy().astype(np.float64),
    )
