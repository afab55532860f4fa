"""The entropy-regularized pieces of the soft Bellman equations, shared by every kind of game.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2: the regularized reward of a
policy, :math:`\\sum_a\\pi(a|s)\\big(r(s,a)-\\lambda\\log\\pi(a|s)\\big)=r^\\pi(s)+\\lambda\\mathcal H(\\pi(\\cdot|s))`,
and the optimal soft value :math:`V^\\star(s)=\\lambda\\log\\sum_a e^{Q^\\star(s,a)/\\lambda}` (the value of
the Boltzmann policy :math:`\\propto e^{Q^\\star/\\lambda}`, 001 App. A, proof of Lemma 3), which is
:math:`\\max_aQ^\\star(s,a)` at :math:`\\lambda=0`.
"""

from __future__ import annotations

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.simplex import _entropy, _logsumexp  # unchecked: the operators below run at every epoch of every sweep

__all__ = ["regularized_reward", "soft_max_value"]


def soft_max_value(q: FloatArray, temperature: float) -> FloatArray:
    """:math:`\\lambda\\log\\sum_a e^{q/\\lambda}` over the last axis (``max`` when :math:`\\lambda=0`)."""
    m: FloatArray = q.max(axis=-1)
    if temperature == 0.0:
        return m
    with np.errstate(over="ignore"):
        z = (q - m[..., None]) / temperature
    out: FloatArray = m + temperature * _logsumexp(z)
    return out


def regularized_reward(r: FloatArray, policy: FloatArray, temperature: float) -> FloatArray:
    """:math:`\\sum_a\\pi(a|s)(r(s,a)-\\lambda\\log\\pi(a|s))` over the last axis."""
    out: FloatArray = (policy * r).sum(axis=-1)
    if temperature > 0.0:
        out = out + temperature * _entropy(policy)
    return out
