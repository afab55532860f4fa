"""Finite mean-field control models with a common environment state.

Implements the model of Cui, Tahir, Sinzger & Koeppl, *Discrete-Time Mean Field Control with
Environment States* (seed ``002_7da79a39441e57df.txt``, Sec. III):

- finite agent states :math:`\\mathcal X`, actions :math:`\\mathcal U`, environment states
  :math:`\\mathcal X^0`; agent states are drawn i.i.d. from :math:`\\mu_0` at every step (eq. 1);
- a decision rule :math:`h:\\mathcal X\\to\\mathcal P(\\mathcal U)` (the set :math:`\\mathcal D` of
  decision rules, the paper's :math:`\\mathcal H` of Sec. III-A, renamed because the book's
  :math:`\\mathcal H` is the entropy), stored as an array ``(X, U)``; a stationary upper-level policy
  :math:`\\pi:\\mathcal X^0\\to\\mathcal D` (Sec. III-B) as ``(X0, X, U)``;
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

Every probability vector of the chapter (rows of ``h``, of policies, :math:`\\mu`) is checked by
:func:`mfcode.simplex.check_distribution` with the one tolerance :data:`DISTRIBUTION_ATOL`.
"""

from __future__ import annotations

import abc

import numpy as np
from numpy.typing import ArrayLike

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.simplex import check_distribution
from mfcode.validation import check_array, check_int

__all__ = [
    "DISTRIBUTION_ATOL",
    "MFCModel",
    "state_action_mean_field",
    "uniform_over",
    "validate_decision_rule",
    "validate_policy",
]

DISTRIBUTION_ATOL = 1e-6
"""Tolerance on negativity and on ``|sum - 1|`` of every probability vector of :mod:`mfcode.mfc`.

Loose enough for policies learned in single precision (rows of a float32 softmax sum to 1 within
about 1e-7; the stored PPO policies of ``artifacts/mfc`` are float32), tight enough to reject
anything that is not a distribution."""


def validate_decision_rule(h: ArrayLike, n_agent_states: int, n_actions: int, name: str = "h") -> FloatArray:
    """Check that ``h`` is a (batch of) decision rule(s) :math:`h\\in\\mathcal D` (seed 002, Sec. III-A).

    Parameters
    ----------
    h : array_like, shape (..., X, U)
        Candidate decision rules; each row ``h[..., x, :]`` must be a probability vector
        :math:`h(x)\\in\\mathcal P(\\mathcal U)` (within :data:`DISTRIBUTION_ATOL`).
    n_agent_states, n_actions : int
        The sizes ``X`` and ``U``.
    name : str
        Argument name used in error messages.

    Returns
    -------
    FloatArray
        ``h`` as a float array.

    Raises
    ------
    ValueError
        If the shape is wrong or a row is not a probability vector (the message names ``name``).
    """
    check_int(n_agent_states, "n_agent_states", low=1)
    check_int(n_actions, "n_actions", low=1)
    arr = check_array(h, name)
    if arr.ndim < 2 or arr.shape[-2:] != (n_agent_states, n_actions):
        raise ValueError(f"{name} must have shape (..., {n_agent_states}, {n_actions}), got {arr.shape}")
    return check_distribution(arr, name, atol=DISTRIBUTION_ATOL)


def validate_policy(policy: ArrayLike, model: MFCModel, *, name: str = "policy", profile: bool | None = False) -> FloatArray:
    """Check a stationary upper-level policy :math:`\\pi:\\mathcal X^0\\to\\mathcal D` (seed 002, Sec. III-B).

    Parameters
    ----------
    policy : array_like
        ``(X0, X, U)`` (one policy, the lifting :math:`\\boldsymbol\\pi^N(\\pi)` when every agent uses it)
        or ``(N, X0, X, U)`` (a profile :math:`(\\pi^1,\\dots,\\pi^N)` of Sec. III-A).
    model : MFCModel
        Provides the sizes ``X0``, ``X``, ``U``.
    name : str
        Argument name used in error messages.
    profile : bool or None
        ``False``: only ``(X0, X, U)``; ``True``: only ``(N, X0, X, U)``; ``None``: either.
    """
    if not isinstance(model, MFCModel):
        raise TypeError(f"model must be an MFCModel, got {type(model).__name__}")
    if not (profile is None or isinstance(profile, (bool, np.bool_))):
        raise TypeError(f"profile must be True, False or None, got {profile!r}")
    arr = check_array(policy, name)
    shape = (model.n_env_states, model.n_agent_states, model.n_actions)
    single = arr.shape == shape
    many = arr.ndim == 4 and arr.shape[1:] == shape
    if not ((single and profile is not True) or (many and profile is not False)):
        want = {False: f"{shape}", True: f"(N, {', '.join(map(str, shape))})", None: f"{shape} or (N, {', '.join(map(str, shape))})"}
        raise ValueError(f"{name} must have shape {want[profile]}, got {arr.shape}")
    return validate_decision_rule(arr, model.n_agent_states, model.n_actions, name=name)


def state_action_mean_field(mu: ArrayLike, h: ArrayLike) -> FloatArray:
    """State-action mean field :math:`\\mathbb G(\\mu, h)(x,u) = \\mu(x) h(x,u)` (seed 002, eq. 9).

    Its state marginal is :math:`\\mu` and its conditional given :math:`x` is :math:`h(x)`.

    Parameters
    ----------
    mu : array_like, shape (X,)
        Agent state distribution :math:`\\mu` (the paper's :math:`\\mu_0`).
    h : array_like, shape (..., X, U)
        Decision rule(s) :math:`h`.

    Returns
    -------
    FloatArray, shape (..., X, U)
    """
    # float32 policy networks give rules whose rows sum to 1 within ~1e-7
    mu_arr = check_distribution(mu, "mu", atol=1e-6)
    h_arr = check_distribution(h, "h", atol=1e-6)
    if mu_arr.ndim != 1:
        raise ValueError(f"mu must be one-dimensional, got shape {mu_arr.shape}")
    if h_arr.ndim < 2 or h_arr.shape[-2] != mu_arr.shape[0]:
        raise ValueError(f"h must have shape (..., {mu_arr.shape[0]}, U), got {h_arr.shape}")
    out: FloatArray = mu_arr[:, None] * h_arr
    return out


def uniform_over(mask: ArrayLike) -> FloatArray:
    """The uniform distribution over the ``True`` entries of each last-axis row of ``mask``.

    The one "uniformly at random" of the chapter: a scheduler's uniform choice among accessible
    queues (seed 002, Sec. II), JSQ's uniform tie break (choice I7), the action head's fallback.

    Raises
    ------
    ValueError
        If a row of ``mask`` has no ``True`` entry.
    """
    m = np.asarray(mask, dtype=bool)
    if m.ndim == 0 or np.any(m.sum(axis=-1) == 0):
        raise ValueError("mask must have at least one True entry in every last-axis row")
    out: FloatArray = m / m.sum(axis=-1, keepdims=True)
    return out


class MFCModel(abc.ABC):
    """A finite MFC model with a common environment state (seed 002, Sec. III-A/B).

    Subclasses provide :math:`\\mu_0` (:attr:`mu0`, shape ``(X,)``), the initial environment
    distribution :math:`\\mu^0_0` (:attr:`env_init`, shape ``(X0,)``), the discount factor
    :math:`\\gamma` (:attr:`gamma`), the sizes, and implement :meth:`kernel` (:math:`P^0`) and
    :meth:`reward` (:math:`r`).
    """

    @property
    @abc.abstractmethod
    def mu0(self) -> FloatArray:
        """Agent state distribution :math:`\\mu_0\\in\\mathcal P(\\mathcal X)` of eq. (1), shape ``(X,)``."""

    @property
    @abc.abstractmethod
    def env_init(self) -> FloatArray:
        """Initial environment distribution :math:`\\mu^0_0\\in\\mathcal P(\\mathcal X^0)`, shape ``(X0,)``."""

    @property
    @abc.abstractmethod
    def gamma(self) -> float:
        """Discount factor :math:`\\gamma\\in(0,1)` of eq. (5)/(11)."""

    @property
    @abc.abstractmethod
    def n_agent_states(self) -> int:
        """Number of agent states :math:`|\\mathcal X|`."""

    @property
    @abc.abstractmethod
    def n_actions(self) -> int:
        """Number of agent actions :math:`|\\mathcal U|`."""

    @property
    @abc.abstractmethod
    def n_env_states(self) -> int:
        """Number of environment states :math:`|\\mathcal X^0|`."""

    @abc.abstractmethod
    def kernel(self, G: FloatArray) -> FloatArray:
        """Environment kernel :math:`P^0(x^{0\\prime} \\mid x^0, \\mathbb G)` for every :math:`x^0` (seed 002, eq. 10).

        Parameters
        ----------
        G : FloatArray, shape (..., X, U)
            State-action distribution(s) :math:`\\mathbb G`.

        Returns
        -------
        FloatArray, shape (..., X0, X0)
            Row ``x0`` is the next-state distribution from ``x0``.
        """

    @abc.abstractmethod
    def reward(self, G: FloatArray) -> FloatArray:
        """Reward :math:`r(x^0, \\mathbb G)` for every environment state (seed 002, eq. 11).

        Parameters
        ----------
        G : FloatArray, shape (..., X, U)

        Returns
        -------
        FloatArray, shape (..., X0)
        """

    @property
    def action_mask(self) -> BoolArray:
        """Admissible actions per agent state, boolean ``(X, U)``.

        Every decision rule must be equivalent (same :math:`P^0` and :math:`r` for all
        :math:`x^0`) to one supported on admissible actions; exact solvers search only those.
        Default: every action admissible.
        """
        return np.ones((self.n_agent_states, self.n_actions), dtype=bool)

    @property
    def cell_classes(self) -> IntArray:
        """Integer class label per cell (x, u), shape ``(X, U)``, labels ``0..C-1``.

        Cells with equal labels act identically: :math:`P^0` and :math:`r` depend on
        :math:`\\mathbb G` only through the class masses
        :math:`\\sum_{(x,u)\\in c} \\mathbb G(x,u)`. Default: every cell its own class.
        """
        return np.arange(self.n_agent_states * self.n_actions, dtype=np.int64).reshape(self.n_agent_states, self.n_actions)

    def env_features(self, x0: IntArray) -> FloatArray:
        """Real-valued features of environment states :math:`x^0` for learners (default: one-hot).

        Parameters
        ----------
        x0 : IntArray, shape (...)

        Returns
        -------
        FloatArray, shape (..., d)
        """
        idx = self._check_env_states(x0, "x0")
        out: FloatArray = np.eye(self.n_env_states)[idx]
        return out

    def transition(self, x0: IntArray, G: FloatArray) -> FloatArray:
        """Next-state distributions :math:`P^0(\\cdot \\mid x^0, \\mathbb G)` for a batch.

        Parameters
        ----------
        x0 : IntArray, shape (B,)
        G : FloatArray, shape (B, X, U)

        Returns
        -------
        FloatArray, shape (B, X0)
        """
        return self._step(*self._check_batch(x0, G))[0]

    def reward_at(self, x0: IntArray, G: FloatArray) -> FloatArray:
        """Rewards :math:`r(x^0, \\mathbb G)` for a batch ``x0`` (B,), ``G`` (B, X, U)."""
        return self._step(*self._check_batch(x0, G))[1]

    def transition_and_reward(self, x0: IntArray, G: FloatArray) -> tuple[FloatArray, FloatArray]:
        """:meth:`transition` and :meth:`reward_at` together (models may share the work)."""
        return self._step(*self._check_batch(x0, G))

    def _step(self, idx: IntArray, G: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Next-state rows ``(B, X0)`` and rewards ``(B,)`` of a checked batch.

        The simulators (:meth:`mfcode.mfc.mdp.MFCMDP.step`, :class:`mfcode.mfc.nagent.NAgentSystem`)
        call this at every step with the states and mean fields they built; a model may override
        it to share the work (the scheduling model computes both queue by queue).
        """
        rows = np.arange(idx.shape[0])
        out: tuple[FloatArray, FloatArray] = (self.kernel(G)[rows, idx], self.reward(G)[rows, idx])
        return out

    def _check_batch(self, x0: ArrayLike, G: ArrayLike) -> tuple[IntArray, FloatArray]:
        """A batch of environment states ``(B,)`` and state-action distributions ``(B, X, U)``."""
        idx = self._check_env_states(x0, "x0")
        if idx.ndim != 1:
            raise ValueError(f"x0 must be one-dimensional (B,), got shape {idx.shape}")
        mf = self.check_state_action(G)
        if mf.shape[:1] != idx.shape or mf.ndim != 3:
            raise ValueError(f"G must have shape ({idx.shape[0]}, X, U), one distribution per entry of x0, got {mf.shape}")
        return idx, mf

    def check_state_action(self, G: ArrayLike, name: str = "G") -> FloatArray:
        """``G`` as state-action distributions ``(..., X, U)`` of this model (within :data:`DISTRIBUTION_ATOL`)."""
        arr = check_array(G, name)
        if arr.ndim < 2 or arr.shape[-2:] != (self.n_agent_states, self.n_actions):
            raise ValueError(f"{name} must have shape (..., {self.n_agent_states}, {self.n_actions}), got {arr.shape}")
        check_distribution(arr.reshape(*arr.shape[:-2], self.n_agent_states * self.n_actions), name, atol=DISTRIBUTION_ATOL)
        return arr

    def _check_env_states(self, x0: ArrayLike, name: str) -> IntArray:
        if x0 is None or isinstance(x0, (str, bytes)):
            raise TypeError(f"{name} must hold integer environment-state indices, got {type(x0).__name__}")
        arr = np.asarray(x0)
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold integer environment-state indices, got dtype {arr.dtype}")
        if np.any(arr < 0) or np.any(arr >= self.n_env_states):
            raise ValueError(f"{name} must lie in 0..{self.n_env_states - 1}")
        out: IntArray = arr.astype(np.int64, copy=False)
        return out
