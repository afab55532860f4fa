"""The paper's scheduling instance: N schedulers routing Poisson jobs to M finite queues.

Seed ``002_7da79a39441e57df.txt``, Sec. II (problem), Sec. VI and Table I (constants), with the
interpretation choices I1-I8 of the book's model page (``book/mfc/model.md``, "Choices the paper
leaves open"):

- agent state :math:`x` = the non-empty set of queues the scheduler can access, index
  ``mask - 1`` for the bit mask ``mask`` of the set (queue ``j`` <-> bit ``j``), so for M = 2
  the states are ``({1}, {2}, {1,2})``; :math:`\\mu_0` gives the full set ``p_full_access`` and
  splits the rest uniformly over the other sets (I1; Sec. VI, "the probability of access to both
  queues is 0.6 and otherwise uniformly random");
- action :math:`u\\in\\{1..M\\}` (0-based here) = the chosen queue; a job sent by a scheduler
  whose choice is inaccessible goes to a uniformly random accessible queue. We resample **per
  job**, which makes the routing fraction of queue ``j``

  .. math:: q_j(\\mathbb G) = \\sum_{x,u}\\mathbb G(x,u)\\big[\\mathbf 1\\{u=j\\in x\\}
            + \\mathbf 1\\{u\\notin x\\}\\mathbf 1\\{j\\in x\\}/|x|\\big]

  a function of :math:`\\mathbb G` as the model requires (for M = 2 per-job and per-scheduler
  resampling coincide, since single-access schedulers have one queue);
- environment state :math:`x^0=(b_1,\\dots,b_M)\\in\\{0..B\\}^M`, row-major index (queue 1 first);
- one step of length ``dt``: arrivals :math:`A\\sim\\mathrm{Poisson}(\\lambda\\Delta T)` split by
  independent routing into :math:`A_j\\sim\\mathrm{Poisson}(\\lambda\\Delta T q_j)` (I2, Poisson
  thinning); services :math:`D_j\\sim\\mathrm{Poisson}(\\beta\\Delta T)` happen first,
  :math:`\\tilde b_j=\\max(b_j-D_j,0)`, then :math:`b_j'=\\min(\\tilde b_j+A_j,B)` and
  :math:`\\max(\\tilde b_j+A_j-B,0)` jobs are dropped ("departures happen before the new
  arrivals");
- reward (I3) :math:`r(x^0,\\mathbb G) = -c_d\\,\\mathbb E[\\sum_j \\text{drops}_j\\mid x^0,q(\\mathbb G)]`.

All Poisson probabilities are exact (tails by the regularised incomplete gamma function), no
truncation. Both :math:`P^0` and :math:`r` are polynomials times exponentials in :math:`q`, so
Assumption 1 (eq. 12) holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammainc, gammaln, xlogy

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.limits import check_elements
from mfcode.mfc.model import MFCModel, uniform_over
from mfcode.validation import check_array, check_int, check_real

__all__ = ["SchedulingModel", "single_queue_step"]


def _poisson_pmf(k: FloatArray, mean: FloatArray) -> FloatArray:
    out: FloatArray = np.exp(xlogy(k, mean) - mean - gammaln(k + 1.0))
    return out


def _poisson_tail(c: FloatArray, mean: FloatArray) -> FloatArray:
    """P(Poisson(mean) >= c) for integer c >= 0 (exact, incomplete gamma)."""
    cc, mm = np.broadcast_arrays(np.asarray(c, dtype=np.float64), np.asarray(mean, dtype=np.float64))
    out = np.ones(cc.shape)
    pos = cc > 0
    out[pos] = gammainc(cc[pos], mm[pos])
    return out


def single_queue_step(arrival_mean: FloatArray, service_mean: float, buffer_size: int) -> tuple[FloatArray, FloatArray]:
    """Exact one-step kernel and expected drops of one finite FIFO queue (the factor of :math:`P^0` and :math:`r` per queue).

    Services :math:`D\\sim\\mathrm{Poisson}(\\text{service\\_mean})` first, then arrivals
    :math:`A\\sim\\mathrm{Poisson}(\\text{arrival\\_mean})`; jobs beyond the buffer are dropped
    (seed 002, Sec. II).

    Parameters
    ----------
    arrival_mean : FloatArray, shape (S,)
        Expected arrivals per step, one per batch entry.
    service_mean : float
        Expected services per step.
    buffer_size : int
        Buffer size ``B``; fillings are ``0..B``.

    Returns
    -------
    kernel : FloatArray, shape (S, B+1, B+1)
        ``kernel[s, b, b']`` = P(next filling b' | filling b).
    drops : FloatArray, shape (S, B+1)
        Expected number of dropped jobs given the filling.
    """
    a = check_array(arrival_mean, "arrival_mean")
    if a.ndim != 1 or np.any(a < 0) or not np.all(np.isfinite(a)):
        raise ValueError("arrival_mean must be a 1-D array of finite non-negative means")
    service_mean = check_real(service_mean, "service_mean", low=0.0)
    buffer_size = check_int(buffer_size, "buffer_size", low=1)
    check_elements(max(a.size, 1) * (buffer_size + 1) ** 2, f"the kernels (S, B+1, B+1) of {a.size} means, buffer_size={buffer_size}")
    nb = buffer_size + 1
    k = np.arange(nb, dtype=float)
    # after services: post[b, m] = P(b~ = m | b)
    diff = k[:, None] - k[None, :]
    post = np.where(diff >= 0, _poisson_pmf(np.maximum(diff, 0), np.full_like(diff, service_mean)), 0.0)
    post[:, 0] = _poisson_tail(k, np.full(nb, service_mean))
    # arrivals: arr[s, m, n] = P(min(m + A, B) = n)
    pa = _poisson_pmf(k[None, :], a[:, None])  # (S, nb)
    d = (k[None, :] - k[:, None]).astype(int)  # n - m
    arr = pa[:, np.clip(d, 0, buffer_size)] * (d >= 0)
    arr[:, :, buffer_size] = _poisson_tail((buffer_size - k)[None, :], a[:, None])
    kernel = np.matmul(post[None], arr)
    # expected drops from post-service filling m: E[(A - c)^+], c = B - m
    c = buffer_size - k  # (nb,)
    weights = np.clip(c[:, None] - k[None, :buffer_size], 0.0, None)  # (nb, B)
    drops_m = np.clip(a[:, None] - c[None, :] + pa[:, :buffer_size] @ weights.T, 0.0, None)  # (S, nb)
    drops = drops_m @ post.T
    return kernel, drops


@dataclass(frozen=True)
class SchedulingModel(MFCModel):
    """Scheduling to M parallel finite queues (seed 002, Sec. II and Table I).

    Parameters
    ----------
    n_queues : int
        Number of queues M (Table I: 2).
    buffer_size : int
        Buffer size B of every queue (Table I: 5).
    dt : float
        Time step size :math:`\\Delta T` in seconds (Table I: 0.5).
    arrival_rate : float or None
        Job arrival rate :math:`\\lambda` per second; ``None`` means Table I's :math:`3M-1`.
    service_rate : float
        Service rate :math:`\\beta` per queue per second (Table I: 3).
    drop_penalty : float
        Penalty :math:`c_d` per dropped job (Table I: 1).
    p_full_access : float
        Probability that a scheduler can access every queue (Sec. VI: 0.6). The paper says
        "otherwise uniformly random"; we split the rest evenly over the other non-empty access
        sets (choice I1).
    gamma : float
        Discount factor (Table I: 0.99).
    initial_fillings : tuple of int or None
        Initial queue fillings (the initial environment distribution is a point mass there). The
        paper does not state it; ``None`` means empty queues (choice I5).
    """

    n_queues: int = 2
    buffer_size: int = 5
    dt: float = 0.5
    arrival_rate: float | None = None
    service_rate: float = 3.0
    drop_penalty: float = 1.0
    p_full_access: float = 0.6
    gamma: float = 0.99
    initial_fillings: tuple[int, ...] | None = None
    _access: BoolArray = field(init=False, repr=False, compare=False)
    _routing: FloatArray = field(init=False, repr=False, compare=False)
    _mu0: FloatArray = field(init=False, repr=False, compare=False)
    _env_init: FloatArray = field(init=False, repr=False, compare=False)
    _classes: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_int(self.n_queues, "n_queues", low=1, high=62)  # 2^M - 1 access sets, counted in int64
        check_int(self.buffer_size, "buffer_size", low=1)
        check_real(self.dt, "dt", low=0.0, low_open=True)
        if self.arrival_rate is not None:
            check_real(self.arrival_rate, "arrival_rate", low=0.0)
        check_real(self.service_rate, "service_rate", low=0.0)
        check_real(self.drop_penalty, "drop_penalty", low=0.0)
        check_real(self.p_full_access, "p_full_access", low=0.0, high=1.0)
        check_real(self.gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
        M = self.n_queues
        check_elements((2**M - 1) * M * M, f"the routing table (2^M - 1, M, M) of n_queues={M}")
        check_elements((self.buffer_size + 1) ** M, f"the environment states (B+1)^M of n_queues={M}, buffer_size={self.buffer_size}")
        if self.initial_fillings is not None:
            f = self.initial_fillings
            if not isinstance(f, (tuple, list)) or len(f) != M:
                raise ValueError(f"initial_fillings must be a tuple of {M} fillings in 0..{self.buffer_size}, got {f!r}")
            for b in f:
                check_int(b, "initial_fillings", low=0, high=self.buffer_size)
        masks = np.arange(1, 2**M)
        access = ((masks[:, None] >> np.arange(M)[None, :]) & 1).astype(bool)  # (X, M)
        spread = uniform_over(access)  # (X, M): an inaccessible choice goes to a uniform accessible queue
        routing = np.zeros((masks.size, M, M))
        for x in range(masks.size):
            for u in range(M):
                routing[x, u] = np.where(access[x, u], np.eye(M)[u], spread[x])
        if M == 1:
            mu0 = np.ones(1)
        else:
            mu0 = np.full(masks.size, (1.0 - self.p_full_access) / (masks.size - 1))
            mu0[-1] = self.p_full_access
        _, classes = np.unique(routing.reshape(-1, M).round(12), axis=0, return_inverse=True)
        nb = self.buffer_size + 1
        env_init = np.zeros(nb**M)
        start = (0,) * M if self.initial_fillings is None else tuple(int(b) for b in self.initial_fillings)
        env_init[np.ravel_multi_index(start, (nb,) * M)] = 1.0
        object.__setattr__(self, "_access", access)
        object.__setattr__(self, "_routing", routing)
        object.__setattr__(self, "_mu0", mu0)
        object.__setattr__(self, "_env_init", env_init)
        object.__setattr__(self, "_classes", classes.reshape(masks.size, M).astype(np.int64))

    # ----------------------------------------------------------------- sizes and primitives
    @property
    def n_agent_states(self) -> int:
        """:math:`|\\mathcal X|` = ``2**M - 1`` access sets."""
        return int(2**self.n_queues - 1)

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal U|` = ``M`` queues (action ``u`` = the chosen queue)."""
        return int(self.n_queues)

    @property
    def n_env_states(self) -> int:
        """:math:`|\\mathcal X^0|` = ``(B+1)**M`` filling vectors :math:`x^0=(b_1,\\dots,b_M)`."""
        return int((self.buffer_size + 1) ** self.n_queues)

    @property
    def mu0(self) -> FloatArray:
        """Agent state (access set) distribution :math:`\\mu_0`, shape ``(X,)``."""
        return self._mu0.copy()

    @property
    def env_init(self) -> FloatArray:
        """Initial environment distribution :math:`\\mu^0_0` (point mass, choice I5)."""
        return self._env_init.copy()

    @property
    def access(self) -> BoolArray:
        """``access[x, j]``: is queue ``j`` in the access set :math:`x\\in\\mathcal X` of a scheduler; shape ``(X, M)``."""
        return self._access.copy()

    @property
    def action_mask(self) -> BoolArray:
        """Admissible actions: the accessible queues of each access set :math:`x` (an inaccessible choice acts as a uniform mixture of them)."""
        return self._access.copy()

    @property
    def cell_classes(self) -> IntArray:
        """Cells :math:`(x,u)` with the same routing vector :math:`q(\\delta_{(x,u)})` share a class."""
        return self._classes.copy()

    @property
    def arrivals_per_step(self) -> float:
        """:math:`\\lambda\\Delta T` (2.5 for Table I)."""
        lam = 3 * self.n_queues - 1 if self.arrival_rate is None else self.arrival_rate
        return float(lam * self.dt)

    @property
    def services_per_step(self) -> float:
        """:math:`\\beta\\Delta T` (1.5 for Table I)."""
        return float(self.service_rate * self.dt)

    # ----------------------------------------------------------------- state encoding
    def fillings(self, x0: ArrayLike) -> IntArray:
        """Queue fillings :math:`x^0=(b_1,\\dots,b_M)`, ``(..., M)``, of environment-state indices ``x0``."""
        return self._fillings_of(self._check_env_states(x0, "x0"))

    def _fillings_of(self, idx: IntArray) -> IntArray:
        nb = self.buffer_size + 1
        out: IntArray = np.stack(np.unravel_index(idx, (nb,) * self.n_queues), axis=-1).astype(np.int64, copy=False)
        return out

    def env_index(self, fillings: ArrayLike) -> IntArray:
        """Environment-state indices :math:`x^0` of filling vectors :math:`(b_1,\\dots,b_M)`, ``(..., M)`` (inverse of :meth:`fillings`)."""
        b = check_array(fillings, "fillings", integer=True)
        if b.shape[-1:] != (self.n_queues,) or np.any(b < 0) or np.any(b > self.buffer_size):
            raise ValueError(f"fillings must have shape (..., {self.n_queues}) with entries in 0..{self.buffer_size}")
        nb = self.buffer_size + 1
        out: IntArray = np.asarray(np.ravel_multi_index(tuple(np.moveaxis(b, -1, 0)), (nb,) * self.n_queues), dtype=np.int64)
        return out

    def env_features(self, x0: ArrayLike) -> FloatArray:
        """Learner features of :math:`x^0`: fillings :math:`b_j/B` in [0, 1], shape ``(..., M)``."""
        out: FloatArray = self.fillings(x0) / self.buffer_size
        return out

    # ----------------------------------------------------------------- dynamics
    def routing(self, G: ArrayLike) -> FloatArray:
        """Routing fractions :math:`q_j(\\mathbb G)` (module docstring), shape ``(..., M)``."""
        return self._routing_of(self._check_G(G))

    def _routing_of(self, G: FloatArray) -> FloatArray:
        out: FloatArray = np.einsum("...xu,xuj->...j", G, self._routing)
        return out

    def _queue_steps(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-queue kernels (S, M, nb, nb) and drops (S, M, nb) for routing q (S, M)."""
        S, M = q.shape
        means, inverse = np.unique(self.arrivals_per_step * q.reshape(-1), return_inverse=True)
        kern, drops = single_queue_step(means, self.services_per_step, self.buffer_size)
        nb = self.buffer_size + 1
        return kern[inverse].reshape(S, M, nb, nb), drops[inverse].reshape(S, M, nb)

    def kernel(self, G: FloatArray) -> FloatArray:
        """:math:`P^0(x^{0\\prime}\\mid x^0,\\mathbb G)`, shape ``(..., X0, X0)`` (product over queues)."""
        q = self.routing(G)
        batch = q.shape[:-1]
        kern, _ = self._queue_steps(q.reshape(-1, self.n_queues))
        P = kern[:, 0]
        for j in range(1, self.n_queues):
            S, n = P.shape[0], P.shape[1]
            nb = kern.shape[-1]
            P = np.einsum("sab,scd->sacbd", P, kern[:, j]).reshape(S, n * nb, n * nb)
        out: FloatArray = P.reshape(batch + P.shape[1:])
        return out

    def reward(self, G: FloatArray) -> FloatArray:
        """:math:`r(x^0,\\mathbb G)=-c_d\\,\\mathbb E[\\text{drops}]`, shape ``(..., X0)``."""
        q = self.routing(G)
        batch = q.shape[:-1]
        _, drops = self._queue_steps(q.reshape(-1, self.n_queues))
        total = self._sum_over_queues(drops)
        out: FloatArray = -self.drop_penalty * total.reshape((*batch, self.n_env_states))
        return out

    def _sum_over_queues(self, per_queue: FloatArray) -> FloatArray:
        """(S, M, nb) -> (S, X0): sum_j per_queue[s, j, b_j]."""
        S, M, nb = per_queue.shape
        total = np.zeros((S,) + (nb,) * M)
        for j in range(M):
            shape = [S] + [1] * M
            shape[1 + j] = nb
            total = total + per_queue[:, j].reshape(shape)
        out: FloatArray = total.reshape(S, -1)
        return out

    def _step(self, idx: IntArray, G: FloatArray) -> tuple[FloatArray, FloatArray]:
        """:math:`P^0(\\cdot\\mid x^0,\\mathbb G)` rows ``(S, X0)`` and :math:`r(x^0,\\mathbb G)` ``(S,)`` from one per-queue computation (cheaper than :meth:`kernel`)."""
        b = self._fillings_of(idx)
        kern, drops = self._queue_steps(self._routing_of(G))
        S = b.shape[0]
        sel = (np.arange(S)[:, None], np.arange(self.n_queues)[None, :], b)
        rows = kern[sel]
        out = rows[:, 0]
        for j in range(1, self.n_queues):
            out = (out[:, :, None] * rows[:, j][:, None, :]).reshape(S, -1)
        return out, -self.drop_penalty * drops[sel].sum(axis=1)

    def _check_G(self, G: ArrayLike) -> FloatArray:
        return self.check_state_action(G)
