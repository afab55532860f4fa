"""Exact soft values and soft best responses of discounted finite MDPs, over any leading batch axes.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2: against a fixed mean field
:math:`\\mu` the agent faces the MDP :math:`(r(\\cdot,\\cdot,\\mu),P(\\cdot|\\cdot,\\cdot,\\mu),\\gamma)`;

- :math:`V^{\\pi,\\lambda}_\\mu=(I-\\gamma P^\\pi_\\mu)^{-1}r^{\\pi,\\lambda}_\\mu` and
  :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\sum_{s'}P(s'|s,a,\\mu)V^{\\pi,\\lambda}_\\mu(s')`
  (:func:`policy_values`, :func:`q_from_v`);
- :math:`\\Gamma_1^\\lambda(\\mu)`, Boltzmann in the optimal soft Q-function (greedy at :math:`\\lambda=0`),
  by soft policy iteration (:func:`soft_policy_iteration`).

Rewards are ``(..., S, A)``, kernels ``(..., S, A, S)``, policies ``(..., S, A)`` and values
``(..., S)``: one MDP (the stationary game of :mod:`mfcode.mfg.stationary`) or a batch of them (the
seeds of :mod:`mfcode.nac`), by the same code. These are the unchecked inner pieces; their callers
validate.
"""

from __future__ import annotations

import numpy as np

from mfcode import markov
from mfcode.arrays import FloatArray
from mfcode.fixed_point import iterate
from mfcode.mfg.protocol import BestResponse
from mfcode.mfg.soft import regularized_reward, soft_max_value
from mfcode.simplex import softmax

__all__ = ["policy_values", "q_from_v", "soft_policy_iteration"]


def q_from_v(reward: FloatArray, kernel: FloatArray, value: FloatArray, gamma: float) -> FloatArray:
    """:math:`Q(s,a)=r(s,a)+\\gamma\\sum_{s'}P(s'|s,a)V(s')`: one ``(S A, S) @ (S,)`` product per MDP of the batch."""
    s, a = reward.shape[-2:]
    pv = np.matmul(kernel.reshape(*kernel.shape[:-3], s * a, s), value[..., None])  # (..., S A, 1)
    out: FloatArray = reward + gamma * pv.reshape(*pv.shape[:-2], s, a)
    return out


def policy_values(reward: FloatArray, kernel: FloatArray, policy: FloatArray, gamma: float, temperature: float) -> FloatArray:
    """Exact :math:`V^{\\pi,\\lambda}=(I-\\gamma P^\\pi)^{-1}r^{\\pi,\\lambda}`, ``(..., S)`` (one linear solve per MDP)."""
    return markov.evaluate(regularized_reward(reward, policy, temperature), markov.kernel_under(policy, kernel), gamma)


def soft_policy_iteration(
    reward: FloatArray,
    kernel: FloatArray,
    gamma: float,
    temperature: float,
    q_init: FloatArray,
    *,
    tol: float,
    max_iter: int,
) -> BestResponse:
    """:math:`\\Gamma_1^\\lambda` at fixed dynamics by soft policy iteration (Newton's method on the soft Bellman equation).

    Evaluate every MDP's policy exactly, improve it to the Boltzmann (greedy at :math:`\\lambda=0`)
    policy of its Q-function, starting from the Boltzmann policy of ``q_init``, until the largest
    sup-norm error bound on :math:`V^\\star`, :math:`\\|V^\\star_{\\mathrm{soft}}(Q)-V\\|_\\infty/(1-\\gamma)`,
    over the batch is at most ``tol`` (an MDP whose gap is at rounding level counts as 0).
    ``iterations`` counts the sweeps of the slowest MDP.
    """

    def sweep(state: tuple[FloatArray, FloatArray]) -> tuple[tuple[FloatArray, FloatArray], float]:
        policy, _ = state
        v = policy_values(reward, kernel, policy, gamma, temperature)
        q = q_from_v(reward, kernel, v, gamma)
        gap = np.abs(soft_max_value(q, temperature) - v).max(axis=-1)
        at_rounding = gap <= 1e-15 * np.maximum(1.0, np.abs(v).max(axis=-1))
        residual = float(np.where(at_rounding, 0.0, gap / (1.0 - gamma)).max())
        return (softmax(q, temperature), q), residual

    trace = iterate(sweep, (softmax(q_init, temperature), q_init), tol=tol, max_iter=max_iter, what="soft policy iteration")
    policy, q = trace.value
    return BestResponse(policy, q, soft_max_value(q, temperature), trace.iterations)
