"""Exact policy evaluation and best responses of a stationary MFG at fixed mean fields, for a batch of seeds.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2 and §3, at the rewards
:math:`r(\\cdot,\\cdot,\\mu)` and kernels :math:`P(\\cdot|\\cdot,\\cdot,\\mu)` of ``n`` mean fields at once
(seeds on the leading axis; every linear solve is one batched LAPACK call, :func:`mfcode.markov.evaluate`):

- :func:`policy_evaluation`: :math:`V^{\\pi,\\lambda}_\\mu=(I-\\gamma P^\\pi_\\mu)^{-1}r^{\\pi,\\lambda}_\\mu`
  and :math:`Q^{\\pi,\\lambda}_\\mu=r_\\mu+\\gamma P_\\mu V^{\\pi,\\lambda}_\\mu`, what
  :meth:`mfcode.mfg.stationary.StationaryMFG.evaluate` computes for one mean field;
- :func:`soft_best_response`: :math:`\\Gamma_1^\\lambda(\\mu)\\propto\\exp(Q^{\\star,\\lambda}_\\mu/\\lambda)` by
  soft policy iteration with the stopping rule of
  :meth:`mfcode.mfg.stationary.StationaryMFG.best_response`, run until every seed has converged.
"""

from __future__ import annotations

import numpy as np

from mfcode import markov
from mfcode.arrays import FloatArray
from mfcode.fixed_point import iterate
from mfcode.mfg.protocol import BestResponse, PolicyEvaluation
from mfcode.mfg.soft import regularized_reward, soft_max_value
from mfcode.simplex import softmax
from mfcode.validation import check_int, check_real, check_temperature

__all__ = ["policy_evaluation", "soft_best_response"]


def _check_model(reward: FloatArray, kernel: FloatArray, gamma: float) -> tuple[FloatArray, FloatArray, float]:
    r = np.asarray(reward, dtype=np.float64)
    p = np.asarray(kernel, dtype=np.float64)
    if r.ndim < 2 or p.shape != (*r.shape, r.shape[-2]):
        raise ValueError(f"reward (..., S, A) and kernel (..., S, A, S) do not match: {r.shape}, {p.shape}")
    g = check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    return r, p, g


def _q_from_v(reward: FloatArray, kernel: FloatArray, value: FloatArray, gamma: float) -> FloatArray:
    """:math:`Q(s,a)=r(s,a)+\\gamma\\sum_{s'}P(s'|s,a)V(s')` over leading axes."""
    out: FloatArray = reward + gamma * np.matmul(kernel, value[..., None, :, None])[..., 0]
    return out


def policy_evaluation(
    reward: FloatArray, kernel: FloatArray, policy: FloatArray, gamma: float, temperature: float
) -> PolicyEvaluation:
    """Exact soft values of ``policy`` against fixed dynamics, batched.

    Parameters
    ----------
    reward, kernel
        :math:`r(\\cdot,\\cdot,\\mu)` ``(..., S, A)`` and :math:`P(\\cdot|\\cdot,\\cdot,\\mu)` ``(..., S, A, S)``.
    policy
        ``(..., S, A)`` (its leading axes broadcast against the model's).
    gamma, temperature
        :math:`\\gamma\\in[0,1)`, :math:`\\lambda\\ge0`.

    Returns
    -------
    PolicyEvaluation
        ``q`` :math:`Q^{\\pi,\\lambda}_\\mu` ``(..., S, A)`` and ``value`` :math:`V^{\\pi,\\lambda}_\\mu` ``(..., S)``.
    """
    r, p, g = _check_model(reward, kernel, gamma)
    lam = check_temperature(temperature)
    pi = np.asarray(policy, dtype=np.float64)
    if pi.shape[-2:] != r.shape[-2:]:
        raise ValueError(f"policy must have shape (..., {r.shape[-2]}, {r.shape[-1]}), got {pi.shape}")
    v = markov.evaluate(regularized_reward(r, pi, lam), markov.kernel_under(pi, p), g)
    return PolicyEvaluation(_q_from_v(r, p, v, g), v)


def soft_best_response(
    reward: FloatArray,
    kernel: FloatArray,
    gamma: float,
    temperature: float,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> BestResponse:
    """:math:`\\Gamma_1^\\lambda` at fixed dynamics by soft policy iteration, batched.

    Evaluate every seed's policy exactly, improve it to the Boltzmann (greedy at :math:`\\lambda=0`)
    policy of its Q-function, until the largest sup-norm error bound
    :math:`\\|V^\\star_{\\mathrm{soft}}(Q)-V\\|_\\infty/(1-\\gamma)` over the batch is at most ``tol``
    (or at rounding level), the rule of :meth:`mfcode.mfg.stationary.StationaryMFG.best_response`
    started, as there, from :math:`Q=r`. ``iterations`` counts the sweeps of the slowest seed.
    """
    r, p, g = _check_model(reward, kernel, gamma)
    lam = check_temperature(temperature)
    check_real(tol, "tol", low=0.0)
    check_int(max_iter, "max_iter", low=1)

    def sweep(state: tuple[FloatArray, FloatArray]) -> tuple[tuple[FloatArray, FloatArray], float]:
        policy, _ = state
        v = markov.evaluate(regularized_reward(r, policy, lam), markov.kernel_under(policy, p), g)
        q = _q_from_v(r, p, v, g)
        gap = np.abs(soft_max_value(q, lam) - v).max(axis=-1)
        at_rounding = gap <= 1e-15 * np.maximum(1.0, np.abs(v).max(axis=-1))
        residual = float(np.where(at_rounding, 0.0, gap / (1.0 - g)).max())
        return (softmax(q, lam), q), residual

    trace = iterate(sweep, (softmax(r, lam), r.copy()), tol=tol, max_iter=max_iter, what="batched soft policy iteration")
    policy, q = trace.value
    return BestResponse(policy, q, soft_max_value(q, lam), trace.iterations)
