"""Helpers on the probability simplex: softmax, entropy, KL, Euclidean projection, policy distance.

Shared by every chapter. The notation follows Mao et al. (NeurIPS 2022), seed
``001_00c545ba2a0e4aca.txt``:

- the Shannon entropy :math:`\\mathcal H(\\pi(\\cdot|s)) = -\\sum_a \\pi(a|s)\\log\\pi(a|s)` of §2;
- :math:`\\mathrm{KL}(p\\|q)=\\sum_a p(a)\\log(p(a)/q(a))` of Lemma 1 and Lemma 4 (App. A);
- the policy distance of §4,
  :math:`D(\\pi,\\pi') = \\mathbb E_{s\\sim d}\\big[\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1\\big]`, where the paper
  takes :math:`d = d^{\\pi^\\star}_{\\mu^\\star}` (the visitation of the NE) and we let the caller pass it;
- the Euclidean projection onto the simplex of Duchi et al. (2008), Fig. 1 (sort-based).

All functions act on the last axis and broadcast over leading (batch) axes. Conventions:
``0 log 0 = 0``; ``KL(p||q) = inf`` where ``p(a) > 0 = q(a)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.validation import check_array, check_real, check_temperature

__all__ = [
    "check_distribution",
    "entropy",
    "kl_divergence",
    "logsumexp",
    "policy_distance",
    "project",
    "softmax",
]



def check_distribution(x: npt.ArrayLike, name: str, *, atol: float = 1e-8) -> FloatArray:
    """Return ``x`` as a float array after checking that its last axis lies on the simplex.

    Parameters
    ----------
    x
        FloatArray whose last axis holds probability vectors.
    name
        Argument name used in the error message.
    atol
        Tolerance on negativity and on ``|sum - 1|``.

    Raises
    ------
    ValueError
        If ``x`` is empty, not finite, has an entry below ``-atol`` or a last-axis sum off 1 by more
        than ``atol``.
    TypeError
        If ``x`` does not hold real numbers.
    """
    check_real(atol, "atol", low=0.0)
    arr: FloatArray = check_array(x, name)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must have a non-empty last axis, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if arr.min() < -atol:
        raise ValueError(f"{name} has a negative entry ({arr.min():.3g})")
    err = np.abs(arr.sum(axis=-1) - 1.0).max()
    if err > atol:
        raise ValueError(f"{name} must sum to 1 along its last axis (max error {err:.3g})")
    return arr


def _last_axis(x: npt.ArrayLike, name: str, *, empty: bool = False) -> FloatArray:
    """``x`` as a float array with a last axis (non-empty unless ``empty``)."""
    arr: FloatArray = check_array(x, name, min_ndim=1)
    if not empty and arr.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty last axis, got shape {arr.shape}")
    return arr


def logsumexp(x: npt.ArrayLike) -> FloatArray:
    """Stable :math:`\\log\\sum_a e^{x_a}` over the last axis (``-inf`` entries allowed, NaN refused)."""
    arr = _last_axis(x, "x")
    if np.isnan(arr.max(axis=-1)).any():  # the row maxima are NaN exactly where a row holds a NaN
        raise ValueError("x must not contain NaN")
    return _logsumexp(arr)


# The unchecked kernels of logsumexp and entropy, for the soft Bellman operators of mfcode.mfg.soft,
# which apply them at every epoch of every sweep to arrays they computed themselves.
def _logsumexp(arr: FloatArray) -> FloatArray:
    m = arr.max(axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out: FloatArray = np.log(np.exp(arr - m).sum(axis=-1)) + m[..., 0]
    return out


def _entropy(arr: FloatArray) -> FloatArray:
    out: FloatArray = -_xlogy(arr, arr).sum(axis=-1)
    return out


def softmax(x: npt.ArrayLike, temperature: float = 1.0) -> FloatArray:
    """Boltzmann distribution :math:`\\propto\\exp(x/\\lambda)` over the last axis.

    Parameters
    ----------
    x
        Scores (e.g. soft Q-values), last axis = actions.
    temperature
        :math:`\\lambda \\ge 0`. ``temperature == 0`` returns the uniform distribution over the
        maximisers (the greedy policy with ties split evenly), which is the limit
        :math:`\\lambda\\to0` of the Boltzmann policy.
    """
    temperature = check_temperature(temperature)
    arr = _last_axis(x, "x")
    top = arr.max(axis=-1, keepdims=True)
    if not np.isfinite(top).all():
        # the row maxima are NaN if a row holds a NaN, +inf if it holds +inf, -inf if it has no finite entry
        raise ValueError("x must have a finite maximum in every row (no NaN or +inf, not all -inf)")
    if temperature == 0.0:
        mask = (arr == top).astype(np.float64)
        greedy: FloatArray = mask / mask.sum(axis=-1, keepdims=True)
        return greedy
    with np.errstate(over="ignore"):
        z = (arr - top) / temperature
    e = np.exp(z)
    out: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return out


def _xlogy(x: FloatArray, y: FloatArray) -> FloatArray:
    """Elementwise ``x * log(y)`` with ``0 * log(anything) = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    res: FloatArray = np.where(x == 0.0, 0.0, out)
    return res


def entropy(p: npt.ArrayLike) -> FloatArray:
    """Shannon entropy :math:`-\\sum_a p_a\\log p_a` over the last axis (nats)."""
    arr = _last_axis(p, "p", empty=True)
    if arr.size and not (arr.min() >= 0.0 and arr.max() < np.inf):
        raise ValueError(f"p must be finite non-negative probabilities, got entries from {float(arr.min())!r} to {float(arr.max())!r}")
    return _entropy(arr)


def kl_divergence(p: npt.ArrayLike, q: npt.ArrayLike) -> FloatArray:
    """:math:`\\mathrm{KL}(p\\|q) = \\sum_a p_a \\log(p_a/q_a)` over the last axis (``inf`` if unbounded)."""
    pa = _last_axis(p, "p")
    qa = _last_axis(q, "q")
    if pa.shape[-1] != qa.shape[-1]:
        raise ValueError(f"p and q must share the last axis, got {pa.shape} and {qa.shape}")
    for name, arr in (("p", pa), ("q", qa)):
        if arr.size and not (arr.min() >= 0.0 and arr.max() < np.inf):
            raise ValueError(f"{name} must hold finite non-negative probabilities")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pa == 0.0, 0.0, pa * (np.log(pa) - np.log(qa)))
    out: FloatArray = terms.sum(axis=-1)
    return out


def project(x: npt.ArrayLike) -> FloatArray:
    """Euclidean projection of each last-axis vector onto the probability simplex.

    Duchi, Shalev-Shwartz, Singer, Chandra (2008), Fig. 1: sort decreasingly, find the largest
    ``k`` with ``u_k > (sum_{j<=k} u_j - 1)/k``, subtract that threshold and clip at 0 (after
    shifting each vector so that its largest entry is 0, which leaves the projection unchanged).
    """
    arr = _last_axis(x, "x")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x must be finite")
    n = arr.shape[-1]
    # The projection is invariant under x -> x + c 1: shifting the largest entry to 0 keeps the
    # cumulative sums below from cancelling catastrophically (x = (1e16, 0) gave (5e15, 0)).
    arr = arr - arr.max(axis=-1, keepdims=True)
    u = -np.sort(-arr, axis=-1)
    css = np.cumsum(u, axis=-1) - 1.0
    k = np.arange(1, n + 1)
    cond = u - css / k > 0
    rho = n - 1 - np.argmax(cond[..., ::-1], axis=-1)
    theta = np.take_along_axis(css, rho[..., None], axis=-1) / (rho[..., None] + 1.0)
    out: FloatArray = np.maximum(arr - theta, 0.0)
    return out


def policy_distance(
    pi: npt.ArrayLike, pi_prime: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> float:
    """Policy distance :math:`D(\\pi,\\pi')=\\sum_s d(s)\\,\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1` (001 §4).

    Parameters
    ----------
    pi, pi_prime
        Policies of shape ``(S, A)`` (or ``(T, S, A)``; then ``weights`` has shape ``(T, S)`` and
        the time steps are summed).
    weights
        State weights ``d`` (the paper uses the NE visitation :math:`d^{\\pi^\\star}_{\\mu^\\star}`).
        ``None`` takes the maximum over states instead (the sup-distance, which bounds every
        weighted one).
    """
    a = check_distribution(pi, "pi")
    b = check_distribution(pi_prime, "pi_prime")
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"pi and pi_prime must be policies of equal shape, got {a.shape} and {b.shape}")
    l1 = np.abs(a - b).sum(axis=-1)
    if weights is None:
        return float(l1.max(axis=-1).sum())
    w = check_array(weights, "weights", shape=l1.shape, finite=True)
    if w.min() < 0:
        raise ValueError("weights must be non-negative")
    return float((w * l1).sum())
