"""Feature maps and the log-linear softmax policy class of 001 §2.

The policy class :math:`\\tilde\\Pi=\\{\\pi_\\theta(a|s)\\propto\\exp(\\theta^\\top\\phi_{s,a})\\}` with
:math:`\\|\\phi_{s,a}\\|_2\\le1` for every :math:`(s,a)` (001 §2, §3). Its score function is
:math:`\\nabla_\\theta\\log\\pi_\\theta(a|s)=\\phi_{s,a}-\\sum_{a'}\\pi_\\theta(a'|s)\\phi_{s,a'}` (001 App. B.2).
One-hot features (:func:`one_hot`) give the tabular case, where :math:`\\varepsilon_{approx}=0`
(001 §3, footnote 2). Parameters carry leading batch axes (seeds first): ``theta`` is ``(..., d)``,
policies ``(..., S, A)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.validation import check_int

__all__ = ["Features", "one_hot"]

_NORM_SLACK = 1e-12


@dataclass(frozen=True)
class Features:
    """A feature map :math:`\\phi:\\mathcal S\\times\\mathcal A\\to\\mathbb R^d` with :math:`\\|\\phi_{s,a}\\|_2\\le1`.

    Parameters
    ----------
    phi
        ``(S, A, d)`` array of finite floats; every row :math:`\\phi_{s,a}` has Euclidean norm at
        most 1 (the assumption of 001 §2 that Lemma 2 and the 1-smoothness of
        :math:`\\log\\pi_\\theta` rest on).
    name
        A label for tables and plots.
    """

    phi: FloatArray
    name: str = "features"

    def __post_init__(self) -> None:
        arr = np.asarray(self.phi)
        if arr.dtype.kind not in "fiu" or arr.dtype == np.bool_:
            raise TypeError(f"phi must be a real array, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
        if arr.ndim != 3 or min(arr.shape) < 1:
            raise ValueError(f"phi must have shape (S, A, d) with positive sizes, got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError("phi must be finite")
        norm = float(np.linalg.norm(arr, axis=-1).max())
        if norm > 1.0 + _NORM_SLACK:
            raise ValueError(f"phi must satisfy ||phi(s, a)||_2 <= 1 for every (s, a) (001 §2), largest norm {norm:.6g}")
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string, got {type(self.name).__name__}")
        arr.setflags(write=False)
        object.__setattr__(self, "phi", arr)

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""
        return int(self.phi.shape[0])

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""
        return int(self.phi.shape[1])

    @property
    def dim(self) -> int:
        """:math:`d`."""
        return int(self.phi.shape[2])

    def check_theta(self, theta: npt.ArrayLike, name: str = "theta") -> FloatArray:
        """``theta`` as a finite float array of shape ``(..., d)``."""
        arr = np.asarray(theta, dtype=np.float64)
        if arr.ndim < 1 or arr.shape[-1] != self.dim:
            raise ValueError(f"{name} must have shape (..., {self.dim}), got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite")
        return arr

    def logits(self, theta: npt.ArrayLike) -> FloatArray:
        """:math:`f_\\theta(s,a)=\\theta^\\top\\phi_{s,a}`, ``(..., S, A)``."""
        out: FloatArray = np.einsum("sad,...d->...sa", self.phi, self.check_theta(theta))
        return out

    def policy(self, theta: npt.ArrayLike) -> FloatArray:
        """:math:`\\pi_\\theta(a|s)=\\exp(\\theta^\\top\\phi_{s,a})/\\sum_{a'}\\exp(\\theta^\\top\\phi_{s,a'})`, ``(..., S, A)``."""
        z = self.logits(theta)
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        out: FloatArray = e / e.sum(axis=-1, keepdims=True)
        return out

    def score(self, policy: npt.ArrayLike) -> FloatArray:
        """:math:`\\nabla_\\theta\\log\\pi_\\theta(a|s)=\\phi_{s,a}-\\sum_{a'}\\pi(a'|s)\\phi_{s,a'}`, ``(..., S, A, d)`` (001 App. B.2)."""
        pi = np.asarray(policy, dtype=np.float64)
        if pi.shape[-2:] != (self.n_states, self.n_actions):
            raise ValueError(f"policy must have shape (..., {self.n_states}, {self.n_actions}), got {pi.shape}")
        mean = np.einsum("...sa,sad->...sd", pi, self.phi)
        out: FloatArray = self.phi - mean[..., None, :]
        return out


def one_hot(n_states: int, n_actions: int) -> Features:
    """Tabular features :math:`\\phi_{s,a}=e_{(s,a)}\\in\\mathbb R^{|\\mathcal S||\\mathcal A|}` (:math:`\\|\\phi\\|_2=1`)."""
    s = check_int(n_states, "n_states", low=1)
    a = check_int(n_actions, "n_actions", low=1)
    return Features(np.eye(s * a).reshape(s, a, s * a), name="one-hot")
