"""Finite mean-field control models with a common environment state.

Implements the model of Cui, Tahir, Sinzger & Koeppl, *Discrete-Time Mean Field Control with
Environment States* (seed ``002_7da79a39441e57df.txt``, Sec. III):

- finite agent states :math:`\\mathcal X`, actions :math:`\\mathcal U`, environment states
  :math:`\\mathcal X^0`; agent states are drawn i.i.d. from :math:`\\mu_0` at every step (eq. 1);
- a decision rule :math:`h:\\mathcal X\\to\\mathcal P(\\mathcal U)`, stored as an array ``(X, U)``;
- the induced state-action mean field (eq. 9)

  .. math:: \\mathbb G(\\mu, h)(x, u) = \\mu(x)\\, h(x, u);

- the environment kernel :math:`P^0(x^0, \\mathbb G)` (eq. 3/10) and the reward
  :math:`r(x^0, \\mathbb G)` (eq. 5/11), both functions of the state-action distribution only.

A concrete model subclasses :class:`MFCModel` and implements :meth:`MFCModel.kernel` and
:meth:`MFCModel.reward`, both vectorised over leading batch axes of :math:`\\mathbb G`.
Two optional hooks make exact finite-N computations cheap (see :mod:`mfcode.mfc.finite_n`):
:attr:`MFCModel.action_mask` (admissible actions; any decision rule must be equivalent to one
supported on them) and :attr:`MFCModel.cell_classes` (cells (x, u) that act identically on
:math:`P^0` and :math:`r`, so that only the class counts of the agents matter).
"""

from __future__ import annotations

import abc

import numpy as np

__all__ = ["MFCModel", "state_action_mean_field", "validate_decision_rule"]


def validate_decision_rule(h: np.ndarray, n_agent_states: int, n_actions: int, name: str = "h") -> np.ndarray:
    """Check that ``h`` is a (batch of) decision rule(s) of shape ``(..., X, U)``.

    Parameters
    ----------
    h : array_like
        Candidate decision rules; each row ``h[..., x, :]`` must be a probability vector.
    n_agent_states, n_actions : int
        The sizes ``X`` and ``U``.
    name : str
        Argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        ``h`` as a float array.
    """
    h = np.asarray(h, dtype=float)
    if h.ndim < 2 or h.shape[-2:] != (n_agent_states, n_actions):
        raise ValueError(f"{name} must have shape (..., {n_agent_states}, {n_actions}), got {h.shape}")
    if not np.all(np.isfinite(h)) or np.any(h < -1e-12):
        raise ValueError(f"{name} must have finite non-negative entries")
    if not np.allclose(h.sum(axis=-1), 1.0, atol=1e-9):
        raise ValueError(f"the rows of {name} must sum to one")
    return h


def state_action_mean_field(mu: np.ndarray, h: np.ndarray) -> np.ndarray:
    """State-action mean field :math:`\\mathbb G(\\mu, h)(x,u) = \\mu(x) h(x,u)` (seed 002, eq. 9).

    Parameters
    ----------
    mu : numpy.ndarray, shape (X,)
        Agent state distribution.
    h : numpy.ndarray, shape (..., X, U)
        Decision rule(s).

    Returns
    -------
    numpy.ndarray, shape (..., X, U)
    """
    mu = np.asarray(mu, dtype=float)
    h = np.asarray(h, dtype=float)
    if mu.ndim != 1:
        raise ValueError(f"mu must be one-dimensional, got shape {mu.shape}")
    if h.ndim < 2 or h.shape[-2] != mu.shape[0]:
        raise ValueError(f"h must have shape (..., {mu.shape[0]}, U), got {h.shape}")
    return mu[:, None] * h


class MFCModel(abc.ABC):
    """A finite MFC model with a common environment state (seed 002, Sec. III-A/B).

    Subclasses provide the attributes ``mu0`` (shape ``(X,)``), ``env_init`` (the initial
    environment distribution :math:`\\mu^0_0`, shape ``(X0,)``), ``gamma`` and the sizes, and
    implement :meth:`kernel` and :meth:`reward`.
    """

    mu0: np.ndarray
    env_init: np.ndarray
    gamma: float

    @property
    @abc.abstractmethod
    def n_agent_states(self) -> int:
        """Number of agent states ``X``."""

    @property
    @abc.abstractmethod
    def n_actions(self) -> int:
        """Number of agent actions ``U``."""

    @property
    @abc.abstractmethod
    def n_env_states(self) -> int:
        """Number of environment states ``X0``."""

    @abc.abstractmethod
    def kernel(self, G: np.ndarray) -> np.ndarray:
        """Environment kernel :math:`P^0(x^{0\\prime} \\mid x^0, \\mathbb G)` (seed 002, eq. 10).

        Parameters
        ----------
        G : numpy.ndarray, shape (..., X, U)
            State-action distribution(s).

        Returns
        -------
        numpy.ndarray, shape (..., X0, X0)
            Row ``x0`` is the next-state distribution from ``x0``.
        """

    @abc.abstractmethod
    def reward(self, G: np.ndarray) -> np.ndarray:
        """Reward :math:`r(x^0, \\mathbb G)` for every environment state (seed 002, eq. 11).

        Parameters
        ----------
        G : numpy.ndarray, shape (..., X, U)

        Returns
        -------
        numpy.ndarray, shape (..., X0)
        """

    @property
    def action_mask(self) -> np.ndarray:
        """Admissible actions per agent state, boolean ``(X, U)``.

        Every decision rule must be equivalent (same :math:`P^0` and :math:`r` for all
        :math:`x^0`) to one supported on admissible actions; exact solvers search only those.
        Default: every action admissible.
        """
        return np.ones((self.n_agent_states, self.n_actions), dtype=bool)

    @property
    def cell_classes(self) -> np.ndarray:
        """Integer class label per cell (x, u), shape ``(X, U)``, labels ``0..C-1``.

        Cells with equal labels act identically: :math:`P^0` and :math:`r` depend on
        :math:`\\mathbb G` only through the class masses
        :math:`\\sum_{(x,u)\\in c} \\mathbb G(x,u)`. Default: every cell its own class.
        """
        return np.arange(self.n_agent_states * self.n_actions).reshape(self.n_agent_states, self.n_actions)

    def env_features(self, x0: np.ndarray) -> np.ndarray:
        """Real-valued features of environment states for learners (default: one-hot).

        Parameters
        ----------
        x0 : numpy.ndarray of int, shape (...)

        Returns
        -------
        numpy.ndarray, shape (..., d)
        """
        x0 = self._check_env_states(x0, "x0")
        return np.eye(self.n_env_states)[x0]

    def transition(self, x0: np.ndarray, G: np.ndarray) -> np.ndarray:
        """Next-state distributions :math:`P^0(\\cdot \\mid x^0, \\mathbb G)` for a batch.

        Parameters
        ----------
        x0 : numpy.ndarray of int, shape (B,)
        G : numpy.ndarray, shape (B, X, U)

        Returns
        -------
        numpy.ndarray, shape (B, X0)
        """
        x0 = self._check_env_states(x0, "x0")
        P = self.kernel(G)
        return P[np.arange(x0.shape[0]), x0]

    def reward_at(self, x0: np.ndarray, G: np.ndarray) -> np.ndarray:
        """Rewards :math:`r(x^0, \\mathbb G)` for a batch ``x0`` (B,), ``G`` (B, X, U)."""
        x0 = self._check_env_states(x0, "x0")
        return self.reward(G)[np.arange(x0.shape[0]), x0]

    def transition_and_reward(self, x0: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transition` and :meth:`reward_at` together (models may share the work)."""
        return self.transition(x0, G), self.reward_at(x0, G)

    def _check_env_states(self, x0: np.ndarray, name: str) -> np.ndarray:
        x0 = np.asarray(x0)
        if not np.issubdtype(x0.dtype, np.integer):
            raise TypeError(f"{name} must hold integer environment-state indices, got dtype {x0.dtype}")
        if np.any(x0 < 0) or np.any(x0 >= self.n_env_states):
            raise ValueError(f"{name} must lie in 0..{self.n_env_states - 1}")
        return x0
