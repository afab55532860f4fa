"""Generalised advantage estimation (Schulman et al., 2016) on batched rollouts.

For a rollout of length ``T`` with rewards ``r_t``, values ``V(s_t)`` and values of the states
reached ``V(s'_t)`` (``s'_t`` is the final observation when an episode ended at step ``t``),

.. math::
    \\delta_t = r_t + \\gamma (1 - \\mathrm{term}_t) V(s'_t) - V(s_t), \\qquad
    \\hat A_t = \\delta_t + \\gamma \\lambda (1 - \\mathrm{done}_t) \\hat A_{t+1}, \\qquad
    \\hat A_T = 0,

with ``done_t = term_t or trunc_t``; the value targets are ``\\hat A_t + V(s_t)`` (RLlib's
``value_targets``). A truncated (time-limit) step is bootstrapped with ``V(s'_t)``; a terminated
one is not. Seed ``002_7da79a39441e57df.txt``, Table I sets the "GAE coefficient"
``lambda_PPO = 0.2`` (RLlib's default is 1.0, the value of the load-balancing paper's Table 2).
"""

from __future__ import annotations

import torch

from mfcode.validation import check_real

__all__ = ["gae"]


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    next_values: torch.Tensor,
    terminated: torch.Tensor,
    truncated: torch.Tensor,
    gamma: float,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages and value targets of a batched rollout; time is axis 0.

    Parameters
    ----------
    rewards, values, next_values
        Shape ``(T, *batch)``: ``r_t``, ``V(s_t)`` and ``V(s'_t)``.
    terminated, truncated
        Bool tensors of shape ``(T, *batch)``.
    gamma
        Discount factor in ``[0, 1]``.
    lam
        GAE parameter ``lambda`` in ``[0, 1]``.

    Returns
    -------
    advantages, value_targets
        Both of shape ``(T, *batch)``.
    """
    gamma = check_real(gamma, "gamma", low=0.0, high=1.0)
    lam = check_real(lam, "lam", low=0.0, high=1.0)
    tensors = (("rewards", rewards), ("values", values), ("next_values", next_values), ("terminated", terminated), ("truncated", truncated))
    for name, tensor in tensors:  # O(1) checks: PPO calls gae every iteration (values are not scanned)
        floating = name not in ("terminated", "truncated")
        ok = isinstance(tensor, torch.Tensor) and (tensor.is_floating_point() if floating else tensor.dtype == torch.bool)
        if not ok:
            raise TypeError(f"{name} must be a {'floating-point' if floating else 'bool'} torch.Tensor, got "
                            f"{getattr(tensor, 'dtype', type(tensor).__name__)}")
    shape = rewards.shape
    for name, tensor in tensors[1:]:
        if tensor.shape != shape:
            raise ValueError(f"{name} must have the shape of rewards {tuple(shape)}, got {tuple(tensor.shape)}")
    if rewards.ndim < 1:
        raise ValueError("rewards must have a leading time axis")
    not_term = (~terminated).to(rewards.dtype)
    not_done = (~(terminated | truncated)).to(rewards.dtype)
    deltas = rewards + gamma * not_term * next_values - values
    advantages = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for step in range(shape[0] - 1, -1, -1):
        running = deltas[step] + gamma * lam * not_done[step] * running
        advantages[step] = running
    return advantages, advantages + values
