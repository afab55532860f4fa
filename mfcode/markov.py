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
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.validation import check_array, check_real

__all__ = ["evaluate", "kernel_under", "reward_under"]

# The solvers call these functions in every sweep, so the checks below cost O(1): types and shapes.
# The values are the callers' (each validates its game, grid or policy once, at its boundary): a
# NaN in the inputs gives a NaN result, as the linear algebra does.


def _broadcast(what: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    if all(shape == shapes[0] for shape in shapes):  # the common case, without numpy's broadcasting rules
        return shapes[0]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"the leading (batch) axes of {what} do not broadcast: {shapes}") from None


def kernel_under(policy: npt.ArrayLike, kernel: npt.ArrayLike) -> FloatArray:
    """:math:`P^\\pi(s,s')=\\sum_a\\pi(a|s)P(s'|s,a)` for a ``(..., S, A)`` policy and a ``(..., S, A, S)`` kernel."""
    pi = check_array(policy, "policy", min_ndim=2)
    p = check_array(kernel, "kernel", min_ndim=3)
    if p.shape[-3:-1] != pi.shape[-2:] or p.shape[-1] != pi.shape[-2]:
        raise ValueError(f"policy (..., S, A) and kernel (..., S, A, S) must share S and A, got {pi.shape} and {p.shape}")
    _broadcast("policy and kernel", pi.shape[:-2], p.shape[:-3])
    out: FloatArray = np.matmul(pi[..., :, None, :], p)[..., 0, :]
    return out


def reward_under(policy: npt.ArrayLike, reward: npt.ArrayLike) -> FloatArray:
    """:math:`r^\\pi(s)=\\sum_a\\pi(a|s)r(s,a)` for ``(..., S, A)`` arrays."""
    pi = check_array(policy, "policy", min_ndim=2)
    r = check_array(reward, "reward", min_ndim=2)
    if r.shape[-2:] != pi.shape[-2:]:
        raise ValueError(f"policy and reward must both be (..., S, A), got {pi.shape} and {r.shape}")
    _broadcast("policy and reward", pi.shape[:-2], r.shape[:-2])
    out: FloatArray = np.einsum("...sa,...sa->...s", pi, r)
    return out


def evaluate(reward: npt.ArrayLike, kernel: npt.ArrayLike, gamma: float) -> FloatArray:
    """:math:`V=(I-\\gamma P)^{-1}r` for a ``(..., S)`` reward and a ``(..., S, S)`` row-stochastic kernel.

    The caller guarantees :math:`0\\le\\gamma<1` (or a substochastic ``kernel``), so that
    :math:`I-\\gamma P` is invertible. Leading axes of ``reward`` and ``kernel`` broadcast.

    Raises
    ------
    ValueError
        If the shapes do not fit, :math:`\\gamma\\notin[0,1]` or :math:`I-\\gamma P` is singular.
    """
    r = check_array(reward, "reward", min_ndim=1)
    p = check_array(kernel, "kernel", min_ndim=2)
    g = check_real(gamma, "gamma", low=0.0, high=1.0)
    n = r.shape[-1]
    if p.shape[-2:] != (n, n):
        raise ValueError(f"kernel must be (..., S, S) for a reward (..., S) with S = {n}, got {p.shape}")
    batch = _broadcast("reward and kernel", r.shape[:-1], p.shape[:-2])
    system = np.broadcast_to(np.eye(n) - g * p, (*batch, n, n))
    rhs = np.broadcast_to(r, (*batch, n))
    try:
        out: FloatArray = np.linalg.solve(system, rhs[..., None])[..., 0].astype(np.float64, copy=False)
    except np.linalg.LinAlgError:
        raise ValueError(f"I - gamma * kernel is singular (gamma = {g:g}): kernel must be substochastic or gamma < 1") from None
    return out
