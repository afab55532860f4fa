"""Exact policy evaluation of a finite Markov reward process, written once for every chapter.

A stationary policy :math:`\\pi` on a finite MDP (or a mean-field game at a fixed mean field, or
the MFC MDP on a grid) induces the state kernel :math:`P^\\pi(s,s')=\\sum_a\\pi(a|s)P(s'|s,a)` and
the reward :math:`r^\\pi(s)=\\sum_a\\pi(a|s)r(s,a)`; its discounted value solves the Bellman
equation :math:`V^\\pi=r^\\pi+\\gamma P^\\pi V^\\pi`, i.e.

.. math:: V^\\pi=(I-\\gamma P^\\pi)^{-1}r^\\pi

(001 §2 for the regularized value with :math:`r^\\pi` shifted by the entropy; 002 eq. (12) for the
MFC MDP). :func:`kernel_under` and :func:`reward_under` form :math:`P^\\pi` and :math:`r^\\pi`,
:func:`evaluate` solves the linear system (LU, as QuantEcon's ``DiscreteDP.evaluate_policy``).

Every function accepts leading batch axes (seeds first, as the batched NAC runs of
:mod:`mfcode.nac` need): policies ``(..., S, A)``, kernels ``(..., S, A, S)``, rewards
``(..., S)``; without them each computes exactly what it computed before the batch axes existed
(bit for bit: the same matrix products and LAPACK solve per matrix).
"""

from __future__ import annotations

import numpy as np

from mfcode.arrays import FloatArray

__all__ = ["evaluate", "kernel_under", "reward_under"]


def kernel_under(policy: FloatArray, kernel: FloatArray) -> FloatArray:
    """:math:`P^\\pi(s,s')=\\sum_a\\pi(a|s)P(s'|s,a)` for a ``(..., S, A)`` policy and a ``(..., S, A, S)`` kernel."""
    out: FloatArray = np.matmul(policy[..., :, None, :], kernel)[..., 0, :]
    return out


def reward_under(policy: FloatArray, reward: FloatArray) -> FloatArray:
    """:math:`r^\\pi(s)=\\sum_a\\pi(a|s)r(s,a)` for ``(..., S, A)`` arrays."""
    out: FloatArray = np.einsum("...sa,...sa->...s", policy, reward)
    return out


def evaluate(reward: FloatArray, kernel: FloatArray, gamma: float) -> FloatArray:
    """:math:`V=(I-\\gamma P)^{-1}r` for a ``(..., S)`` reward and a ``(..., S, S)`` row-stochastic kernel.

    The caller guarantees :math:`0\\le\\gamma<1` (or a substochastic ``kernel``), so that
    :math:`I-\\gamma P` is invertible. Leading axes of ``reward`` and ``kernel`` broadcast.
    """
    n = reward.shape[-1]
    batch = np.broadcast_shapes(reward.shape[:-1], kernel.shape[:-2])
    system = np.broadcast_to(np.eye(n) - gamma * kernel, (*batch, n, n))
    rhs = np.broadcast_to(reward, (*batch, n))
    out: FloatArray = np.linalg.solve(system, rhs[..., None])[..., 0].astype(np.float64, copy=False)
    return out
