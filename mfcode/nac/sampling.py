"""Samplers of 001 App. C and D: the discounted visitation, Markov-chain transitions, episodes; ``n`` seeds at once.

The oracles of Algorithm 1 see the model only through samples drawn under the iterate's policy
:math:`\\pi` and kernel :math:`P(\\cdot|\\cdot,\\cdot,\\mu)` (:class:`~mfcode.nac.protocol.Iterate`):

- **the visitation sampler** (Algorithm 3 line 4: "Sample :math:`s_k\\sim d^\\pi` and
  :math:`a_k\\sim\\pi(\\cdot|s_k)` using a sampler (e.g., [2])"). The discounted visitation
  :math:`d^\\pi_\\mu(s)=(1-\\gamma)\\sum_{t\\ge0}\\gamma^t\\Pr(s_t=s\\mid s_0\\sim\\rho)` is the law of
  :math:`s_L` for a trajectory from :math:`\\rho` stopped at an independent time :math:`L` with
  :math:`\\Pr(L=t)=(1-\\gamma)\\gamma^t`: start at :math:`\\rho`, at each step continue with probability
  :math:`\\gamma` or stop (and restart at :math:`\\rho` for the next draw) with probability
  :math:`1-\\gamma`. :func:`sample_visitation` draws such states, independent and exactly
  :math:`d^\\pi_\\mu`-distributed, every trajectory of the batch at once (about
  :math:`1/(1-\\gamma)` kernel draws per state).
- **the Markov chain** of Algorithm 2 line 4 ("Execute policy :math:`\\pi` to collect sample
  :math:`(s_k,a_k,r_k,s_{k+1},a_{k+1})`"), :class:`MarkovChain`: each sample is a true transition,
  :math:`s'_k\\sim P(\\cdot|s_k,a_k,\\mu)`, :math:`a'_k\\sim\\pi(\\cdot|s'_k)`. With restarts (the
  default) the chain continues from :math:`(s'_k,a'_k)` with probability :math:`\\gamma` and restarts
  at :math:`s\\sim\\rho`, :math:`a\\sim\\pi(\\cdot|s)` otherwise; its state kernel is
  :math:`\\gamma P^\\pi+(1-\\gamma)\\mathbf 1\\rho^\\top`, whose stationary law is exactly
  :math:`d^\\pi_\\mu` (:math:`\\nu=(1-\\gamma)\\rho+\\gamma\\nu P^\\pi` solves to
  :math:`(1-\\gamma)\\rho^\\top(I-\\gamma P^\\pi)^{-1}`), and it starts from a draw of
  :math:`d^\\pi_\\mu`, so every :math:`(s_k,a_k)` is :math:`d^\\pi_\\mu\\times\\pi`-distributed: the
  weighting of eq. (2) and of Prop. 1's norm. Without restarts it is one long trajectory of
  :math:`P^\\pi` from :math:`\\rho` (the setting of Bhandari et al., Prop. 1's [10]), whose samples
  follow the stationary law of :math:`P^\\pi` instead.
- **episodes** (App. D: "we use the collected empirical trajectory to estimate the policy gradient
  and the Fisher information matrix (instead of formally calculating the state visitation
  distribution)"), :func:`episode_visits`: the empirical measure of the pairs :math:`(s_t,a_t)`
  visited by episodes from :math:`\\rho` that end with probability :math:`1-\\gamma` after each step
  (expected visits :math:`\\sum_t\\gamma^t\\Pr(s_t=s)=d^\\pi_\\mu(s)/(1-\\gamma)`, so the measure tends
  to :math:`d^\\pi_\\mu\\times\\pi`), or of fixed length :math:`H` with visits weighted by
  :math:`\\gamma^t` (the truncated visitation, off by at most :math:`2\\gamma^H` in :math:`\\ell_1`).

All draws are inverse-CDF lookups in cumulative tables computed once per iterate
(:class:`SamplingTables`; the chain draws the pair :math:`(s',a')` in one lookup), with uniforms drawn in blocks from one ``numpy.random.Generator`` for the
whole batch; the seed is the leading axis of every array.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements, check_steps
from mfcode.nac.protocol import Iterate
from mfcode.validation import check_int

__all__ = [
    "MarkovChain",
    "SamplingTables",
    "Transitions",
    "check_rng",
    "episode_visits",
    "sample_state_actions",
    "sample_visitation",
]


def check_rng(rng: object) -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _cumulative(p: FloatArray) -> FloatArray:
    """Cumulative sums along the last axis, scaled so that the last entry is exactly 1."""
    c = np.cumsum(p, axis=-1)
    out: FloatArray = c / c[..., -1:]
    return out


def _draw(cdf: FloatArray, rows: IntArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draws: the index :math:`\\min\\{i: u<F_i\\}` in row ``rows`` of ``cdf`` for ``u`` in [0, 1)."""
    out: IntArray = (cdf[rows] <= u[..., None]).sum(axis=-1)
    return out


@dataclass(frozen=True, eq=False)
class SamplingTables:
    """The laws of an :class:`~mfcode.nac.protocol.Iterate` and their cumulative tables for inverse-CDF draws.

    Attributes
    ----------
    policy
        ``(n, S, A)`` :math:`\\pi(a|s)` per seed.
    kernel
        ``(n, S, A, S)`` :math:`P(s'|s,a,\\mu)` per seed.
    initial
        ``(S,)`` :math:`\\rho`.
    gamma
        :math:`\\gamma`, the continuation probability of the restart chain and of episodes.
    """

    policy: FloatArray
    kernel: FloatArray
    initial: FloatArray
    gamma: float

    @classmethod
    def from_iterate(cls, iterate: Iterate) -> SamplingTables:
        """Tables of a validated iterate (see :func:`mfcode.nac.protocol.check_iterate`)."""
        return cls(
            np.asarray(iterate.policy, dtype=np.float64),
            np.asarray(iterate.kernel, dtype=np.float64),
            np.asarray(iterate.initial, dtype=np.float64),
            float(iterate.gamma),
        )

    @property
    def n_seeds(self) -> int:
        """``n``."""
        return int(self.policy.shape[0])

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""
        return int(self.policy.shape[1])

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""
        return int(self.policy.shape[2])

    @cached_property
    def policy_cdf(self) -> FloatArray:
        """``(n * S, A)``: row ``i * S + s`` is the CDF of :math:`\\pi(\\cdot|s)` of seed ``i``."""
        return _cumulative(self.policy).reshape(-1, self.n_actions)

    @cached_property
    def kernel_cdf(self) -> FloatArray:
        """``(n * S * A, S)``: row ``(i * S + s) * A + a`` is the CDF of :math:`P(\\cdot|s,a,\\mu)` of seed ``i``."""
        return _cumulative(self.kernel).reshape(-1, self.n_states)

    @cached_property
    def initial_cdf(self) -> FloatArray:
        """``(S,)`` the CDF of :math:`\\rho`."""
        return _cumulative(self.initial)

    @cached_property
    def pair_cdf(self) -> FloatArray:
        """``(n * S * A, S * A)``: row ``(i * S + s) * A + a`` is the CDF of :math:`(s',a')\\sim P(s'|s,a,\\mu)\\pi(a'|s')`, pairs numbered ``s' * A + a'``."""
        n, s, a = self.policy.shape
        check_elements(n * (s * a) ** 2, "the pair table (n, S A, S A) of the Markov chain")
        joint = self.kernel[..., None] * self.policy[:, None, None, :, :]
        return _cumulative(joint.reshape(n * s * a, s * a))

    @cached_property
    def initial_pair_cdf(self) -> FloatArray:
        """``(n, S * A)``: the CDF of :math:`(s,a)\\sim\\rho\\times\\pi` of each seed."""
        return _cumulative((self.initial[None, :, None] * self.policy).reshape(self.n_seeds, -1))

    def initial_states(self, u: FloatArray) -> IntArray:
        """:math:`s\\sim\\rho` for each uniform in ``u`` (any shape)."""
        out: IntArray = (self.initial_cdf <= u[..., None]).sum(axis=-1)
        return out

    def actions(self, seeds: IntArray, states: IntArray, u: FloatArray) -> IntArray:
        """:math:`a\\sim\\pi(\\cdot|s)` of seed ``seeds`` (arrays that broadcast with ``states`` and ``u``)."""
        return _draw(self.policy_cdf, seeds * self.n_states + states, u)

    def next_states(self, seeds: IntArray, states: IntArray, actions: IntArray, u: FloatArray) -> IntArray:
        """:math:`s'\\sim P(\\cdot|s,a,\\mu)` of seed ``seeds``."""
        return _draw(self.kernel_cdf, (seeds * self.n_states + states) * self.n_actions + actions, u)


def _walk(
    tables: SamplingTables,
    seeds: IntArray,
    states: IntArray,
    steps: IntArray,
    rng: np.random.Generator,
    visits: FloatArray | None = None,
    weights: FloatArray | None = None,
) -> IntArray:
    """Move chain ``j`` (seed ``seeds[j]``, start ``states[j]``) ``steps[j]`` times under :math:`\\pi` and :math:`P`.

    Returns the final states. With ``visits`` (a flat ``(n * S * A,)`` array) the pairs
    :math:`(s_t,a_t)`, :math:`t=0..\\text{steps}_j`, are added to it with weight ``weights[t]`` (1
    when ``weights`` is None). Chains still moving are compacted at every step, so the cost is the
    total number of moves.
    """
    s_out = states.copy()
    idx = np.arange(s_out.size)
    t = 0
    size = tables.n_seeds * tables.n_states * tables.n_actions
    while idx.size:
        if visits is None:
            idx = idx[steps[idx] > t]
            seed, s = seeds[idx], s_out[idx]
            a = tables.actions(seed, s, rng.random(idx.size))
        else:
            seed, s = seeds[idx], s_out[idx]
            a = tables.actions(seed, s, rng.random(idx.size))
            pairs = (seed * tables.n_states + s) * tables.n_actions + a
            count = np.bincount(pairs, minlength=size).astype(np.float64)
            visits += count if weights is None else weights[t] * count
            moving = steps[idx] > t
            idx, seed, s, a = idx[moving], seed[moving], s[moving], a[moving]
        s_out[idx] = tables.next_states(seed, s, a, rng.random(idx.size))
        t += 1
    return s_out


def sample_visitation(tables: SamplingTables, size: int, rng: np.random.Generator) -> IntArray:
    """``size`` independent states :math:`s\\sim d^\\pi_\\mu` per seed, ``(n, size)`` (the sampler of 001 App. C, [2]).

    Each draw starts at :math:`s_0\\sim\\rho` and makes :math:`L` moves under :math:`\\pi` and
    :math:`P`, :math:`\\Pr(L=t)=(1-\\gamma)\\gamma^t`; then
    :math:`\\Pr(s_L=s)=(1-\\gamma)\\sum_t\\gamma^t\\Pr(s_t=s)=d^\\pi_\\mu(s)`.
    """
    m = check_int(size, "size", low=1)
    check_rng(rng)
    n = tables.n_seeds
    check_elements(n * m, f"the states of sample_visitation(size={m}) for {n} seeds")
    seeds = np.repeat(np.arange(n), m)
    start = tables.initial_states(rng.random(n * m))
    steps = rng.geometric(1.0 - tables.gamma, size=n * m) - 1
    return _walk(tables, seeds, start, steps, rng).reshape(n, m)


def sample_state_actions(tables: SamplingTables, size: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """``size`` independent pairs :math:`s\\sim d^\\pi_\\mu`, :math:`a\\sim\\pi(\\cdot|s)` per seed, two ``(n, size)`` arrays."""
    states = sample_visitation(tables, size, rng)
    seeds = np.arange(tables.n_seeds)[:, None]
    return states, tables.actions(seeds, states, rng.random(states.shape))


def episode_visits(
    tables: SamplingTables, episodes: int, rng: np.random.Generator, length: int | None = None
) -> FloatArray:
    """The empirical measure of the pairs :math:`(s_t,a_t)` visited by ``episodes`` episodes per seed, ``(n, S, A)``.

    Episodes start at :math:`s_0\\sim\\rho` and take :math:`a_t\\sim\\pi(\\cdot|s_t)`,
    :math:`s_{t+1}\\sim P(\\cdot|s_t,a_t,\\mu)`. With ``length=None`` an episode ends with probability
    :math:`1-\\gamma` after each step (the restart of App. C's sampler) and every visit counts 1;
    the expected measure is :math:`d^\\pi_\\mu\\times\\pi`. With ``length=H`` it has :math:`H` steps and
    visit :math:`t` counts :math:`\\gamma^t`; the expected measure is the truncated visitation
    :math:`\\propto\\sum_{t<H}\\gamma^t\\Pr(s_t=s)\\pi(a|s)`. Each seed's measure sums to 1.
    """
    e = check_int(episodes, "episodes", low=1)
    check_rng(rng)
    n, s, a = tables.n_seeds, tables.n_states, tables.n_actions
    check_elements(n * max(e, s * a), f"the episodes of episode_visits(episodes={e}) for {n} seeds")
    seeds = np.repeat(np.arange(n), e)
    start = tables.initial_states(rng.random(n * e))
    if length is None:
        steps = rng.geometric(1.0 - tables.gamma, size=n * e) - 1
        weights = None
    else:
        h = check_int(length, "length", low=1)
        steps = np.full(n * e, h - 1)
        weights = tables.gamma ** np.arange(h, dtype=np.float64)
    visits = np.zeros(n * s * a)
    _walk(tables, seeds, start, steps, rng, visits, weights)
    counts = visits.reshape(n, s, a)
    out: FloatArray = counts / counts.sum(axis=(1, 2), keepdims=True)
    return out


@dataclass(frozen=True, eq=False)
class Transitions:
    """Samples :math:`O_k=(s_k,a_k,s'_k,a'_k)` of Algorithm 2 line 4, ``(n, K)`` index arrays each.

    :math:`s'_k\\sim P(\\cdot|s_k,a_k,\\mu)` and :math:`a'_k\\sim\\pi(\\cdot|s'_k)`; the reward
    :math:`r_k=r(s_k,a_k,\\mu)` is read from the iterate.
    """

    states: IntArray
    actions: IntArray
    next_states: IntArray
    next_actions: IntArray


class MarkovChain:
    """The chain of Algorithm 2's samples for every seed of an iterate (see the module docstring).

    Parameters
    ----------
    tables
        The iterate's :class:`SamplingTables`.
    rng
        The batch's generator (also used by :meth:`run`).
    restart
        ``True``: restart at :math:`\\rho` with probability :math:`1-\\gamma` after each sample,
        starting from :math:`s_0\\sim d^\\pi_\\mu` (stationary law :math:`d^\\pi_\\mu\\times\\pi`).
        ``False``: one long trajectory from :math:`s_0\\sim\\rho`.
    """

    def __init__(self, tables: SamplingTables, rng: np.random.Generator, *, restart: bool = True) -> None:
        if not isinstance(restart, bool):
            raise TypeError(f"restart must be a bool, got {type(restart).__name__}")
        self._tables = tables
        self._rng = check_rng(rng)
        self._restart = restart
        n, seeds = tables.n_seeds, np.arange(tables.n_seeds)
        s0 = sample_visitation(tables, 1, rng)[:, 0] if restart else tables.initial_states(rng.random(n))
        # The chain's position is the pair index x = s * A + a.
        self._pair = s0 * tables.n_actions + tables.actions(seeds, s0, rng.random(n))

    def run(self, steps: int) -> Transitions:
        """The next ``steps`` samples of every seed's chain, ``(n, steps)`` arrays."""
        m = check_int(steps, "steps", low=1)
        t, rng = self._tables, self._rng
        n, sa = t.n_seeds, t.n_states * t.n_actions
        check_steps(m, f"MarkovChain.run(steps={m})")
        check_elements(4 * m * n, f"the samples of MarkovChain.run(steps={m}) for {n} seeds")
        cdf, offset = t.pair_cdf, np.arange(n) * sa
        u = rng.random((m, n))
        if self._restart:
            stop = rng.random((m, n)) >= t.gamma
            fresh = _draw(t.initial_pair_cdf, np.broadcast_to(np.arange(n), (m, n)), rng.random((m, n)))
        pairs = np.empty((2, m, n), dtype=np.int64)
        x = self._pair
        for k in range(m):
            pairs[0, k] = x
            nxt = _draw(cdf, offset + x, u[k])
            pairs[1, k] = nxt
            x = np.where(stop[k], fresh[k], nxt) if self._restart else nxt
        self._pair = x
        now, after = np.ascontiguousarray(pairs.transpose(0, 2, 1))
        a = t.n_actions
        return Transitions(now // a, now % a, after // a, after % a)
