"""Hyperparameters of :class:`mfcode.rl.ppo.PPO` (RLlib 1.x PPO semantics).

Defaults are Table I of seed ``002_7da79a39441e57df.txt`` (Cui, Tahir, Sinzger, Koeppl,
"Discrete-Time Mean Field Control with Environment States", Sec. VI):

=========================  ==============  ==================================================
field                      Table I symbol  value
=========================  ==============  ==================================================
``lr``                     l_r             5e-5
``gae_lambda``             lambda_PPO      0.2
``kl_coeff``               beta_PPO        0.2 (initial KL coefficient)
``kl_target``              d_targ          0.01
``clip_param``             epsilon         0.3
``train_batch_size``       B               4000
``sgd_minibatch_size``     B_m             128
``num_sgd_iter``           k               30
``gamma``                  gamma           0.99
``hidden``/``activation``  (Sec. VI text)  two hidden layers of 256, tanh; separate critic
=========================  ==============  ==================================================

Every other field is something the paper leaves open; its default is the RLlib 1.2.0 default
(the implementation the paper used) and its docstring says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from mfcode.validation import check_bool, check_int, check_real

__all__ = ["PPOConfig", "rollout_length"]


@dataclass(frozen=True)
class PPOConfig:
    """PPO hyperparameters; see the module docstring for the sources.

    Attributes
    ----------
    lr
        Adam learning rate (Table I: 5e-5).
    gamma
        Discount factor (Table I: 0.99).
    gae_lambda
        GAE ``lambda`` (Table I: "GAE coefficient 0.2"; RLlib's default is 1.0, so 0.2 was a
        deliberate choice of the paper or a typo -- we reproduce 0.2 and say so).
    kl_coeff
        Initial coefficient of the KL penalty (Table I: 0.2).
    kl_target
        Target of the sampled KL (Table I: 0.01); the coefficient is multiplied by 1.5 when the
        KL exceeds twice the target and by 0.5 when it is below half of it (RLlib's rule).
    clip_param
        PPO ratio clip ``epsilon`` (Table I: 0.3).
    train_batch_size
        Samples per learner per iteration (Table I: 4000).
    sgd_minibatch_size
        SGD minibatch size (Table I: 128); the last minibatch of an epoch may be smaller.
    num_sgd_iter
        SGD epochs per iteration (Table I: 30).
    hidden
        Hidden widths of the actor and of the (separate) critic (Sec. VI: two layers of 256).
    activation
        Hidden activation (Sec. VI: tanh).
    vf_loss_coeff
        Weight of the value loss. Paper silent; RLlib default 1.0.
    vf_clip_param
        Clip of the value prediction around its rollout value. Paper silent; RLlib default 10.0
        (``math.inf`` disables it).
    entropy_coeff
        Entropy bonus. Paper silent; RLlib default 0.0.
    standardize_advantages
        Standardise advantages over each learner's batch. Paper silent; RLlib does it.
    clip_actions
        Clip Gaussian samples to the bounds of the ``gymnasium.spaces.Box`` action space before they reach the
        environment (Sec. VI: "sampled and clipped between 0 and 1"; RLlib ``clip_actions=True``).
    policy_out_std, value_out_std
        normc initialisation scale of the policy / value output layers. Paper silent; RLlib's
        fully connected network uses 0.01 and 1.0.
    max_grad_norm
        Per-learner gradient-norm clip. Paper silent; RLlib default ``None`` (no clipping).
    """

    lr: float = 5e-5
    gamma: float = 0.99
    gae_lambda: float = 0.2
    kl_coeff: float = 0.2
    kl_target: float = 0.01
    clip_param: float = 0.3
    train_batch_size: int = 4000
    sgd_minibatch_size: int = 128
    num_sgd_iter: int = 30
    hidden: tuple[int, ...] = (256, 256)
    activation: str = "tanh"
    vf_loss_coeff: float = 1.0
    vf_clip_param: float = 10.0
    entropy_coeff: float = 0.0
    standardize_advantages: bool = True
    clip_actions: bool = True
    policy_out_std: float = 0.01
    value_out_std: float = 1.0
    max_grad_norm: float | None = None

    def __post_init__(self) -> None:
        for name in ("lr", "clip_param", "policy_out_std", "value_out_std", "kl_target"):
            check_real(getattr(self, name), name, low=0.0, low_open=True)
        if not (isinstance(self.vf_clip_param, (int, float)) and not isinstance(self.vf_clip_param, bool)
                and self.vf_clip_param > 0 and not math.isnan(self.vf_clip_param)):
            raise ValueError(f"vf_clip_param must be positive (math.inf disables the clip), got {self.vf_clip_param!r}")
        for name in ("gamma", "gae_lambda"):
            check_real(getattr(self, name), name, low=0.0, high=1.0)
        for name in ("kl_coeff", "vf_loss_coeff", "entropy_coeff"):
            check_real(getattr(self, name), name, low=0.0)
        for name in ("train_batch_size", "sgd_minibatch_size", "num_sgd_iter"):
            check_int(getattr(self, name), name, low=1)
        if not isinstance(self.hidden, tuple) or not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in self.hidden):
            raise ValueError(f"hidden must be a tuple of positive ints, got {self.hidden!r}")
        if not isinstance(self.activation, str) or self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")
        for name in ("standardize_advantages", "clip_actions"):
            check_bool(getattr(self, name), name)
        if self.max_grad_norm is not None:
            check_real(self.max_grad_norm, "max_grad_norm", low=0.0, low_open=True)

    def with_(self, **changes: Any) -> PPOConfig:
        """A copy with some fields changed (validated by ``__post_init__``)."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise TypeError(f"changes: PPOConfig has no setting(s) {unknown}")
        return replace(self, **changes)


def rollout_length(config: PPOConfig, num_envs: int) -> int:
    """Steps per copy in one PPO iteration: ``train_batch_size`` rounded up to whole steps of ``num_envs`` copies."""
    if not isinstance(config, PPOConfig):
        raise TypeError(f"config must be a PPOConfig, got {type(config).__name__}")
    if not isinstance(num_envs, int) or isinstance(num_envs, bool) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
    return math.ceil(config.train_batch_size / num_envs)
