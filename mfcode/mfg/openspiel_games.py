"""OpenSpiel's crowd-modelling and linear-quadratic mean-field games as finite-horizon MFGs.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, App. D, run the LQ game "in the same
discrete setting as" Perrin et al. (2020) and Laurière et al. (2022), whose reference code is
OpenSpiel's ``python/mfg`` (open-spiel 2.0.2): the games ``mean_field_lin_quad``
(``games/linear_quadratic.py``, Perrin et al. §4.1) and ``python_mfg_crowd_modelling`` (same as the
C++ ``mfg_crowd_modelling``; ``games/crowd_modelling.py``, Perrin et al. §4.2). This module writes
both down as :class:`~mfcode.mfg.model.FiniteHorizonMFG` instances whose values are *the values
OpenSpiel computes*, so that every operator and solver of :mod:`mfcode.mfg` applies and agrees with
OpenSpiel's to rounding (``tests/test_mfg_openspiel.py``).

An OpenSpiel MFG episode is: an initial chance node draws :math:`x_0\\sim\\mu_0` (uniform); then for
ticks :math:`t=0,1,\\dots` a decision node (the agent picks :math:`a_t`, the deterministic move is
applied), a chance node (the noise), a mean-field node (the population's :math:`\\mu_{t+1}` is
registered); the game ends when the tick reaches the horizon. The reward is paid at decision nodes
only and reads the *previous* action (``_last_action``; a neutral move at :math:`t=0`):

- crowd modelling: :math:`r=1-|x-\\lfloor N/2\\rfloor|/\\lfloor N/2\\rfloor-|m(a_{t-1})|/N-\\log(\\mu_t(x)+10^{-25})`;
- linear-quadratic: :math:`r=\\frac{\\Delta}{2}\\big(-m^2+2q\\,m\\,(\\bar\\mu_t-x)-\\kappa(\\bar\\mu_t-x)^2\\big)`,
  :math:`m=m(a_{t-1})`, :math:`\\bar\\mu_t=\\sum_xx\\,\\mu_t(x)`.

OpenSpiel's exact evaluators (``PolicyValue``, ``BestResponse``, ``MirrorDescent``) cache values in
a table keyed by the observation string ``"(x, t)"``, which does not contain the previous action.
A decision node's value, reward included, is therefore computed once, for the previous action of
the first path that reaches it in their depth-first traversal (initial states :math:`0..N-1`,
actions and noise outcomes in index order), and reused for every other path. The previous-action
terms are thus a fixed function :math:`a^{\\mathrm{first}}_t(x)` of the state, the same for every
policy and mean field (:func:`traverse`), and the reward becomes a function of :math:`(t,x,\\mu_t)`
that no action enters: an ordinary finite-horizon MFG (:class:`OpenSpielMFG`). The terminal node's player is the mean-field
player, whose reward is 0, so the LQ terminal cost is never collected (OpenSpiel's NashConv does not
depend on ``terminal_cost``), and the cost of the last action is never paid.

OpenSpiel's solvers have two more such traits (the first maximiser as greedy action, and mirror
descent's policy reading a value table that its next evaluation is filling); they live in
:mod:`mfcode.mfg.openspiel_solvers`, the latter with :attr:`Traversal.chance_evaluated`.

Time indexing: decision epochs :math:`t=0..H-1` with :math:`H` the number of ticks before
``tick * dt >= horizon`` (``horizon / dt`` for integers); :math:`\\mu_0` uniform.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.limits import check_elements, check_steps
from mfcode.mfg.finite_horizon import FiniteHorizonMFG, FlowDynamics
from mfcode.simplex import check_distribution
from mfcode.validation import check_array, check_bool, check_int, check_real

__all__ = [
    "CROWD_EPSILON",
    "CrowdModelling",
    "LinearQuadratic",
    "OpenSpielMFG",
    "Traversal",
    "openspiel_crowd_modelling",
    "openspiel_kernel",
    "openspiel_lq",
    "traverse",
]

#: OpenSpiel's ``_EPSILON`` inside crowd modelling's :math:`-\log(\mu+\epsilon)`.
CROWD_EPSILON = 1e-25


@dataclass(frozen=True, eq=False)
class Traversal:
    """What OpenSpiel's cached depth-first evaluation of a game fixes, independently of policy and mean field.

    Attributes
    ----------
    first_action
        ``(H, S)``: :math:`a^{\\mathrm{first}}_t(x)`, the action of the first traversal path that reaches
        decision node :math:`(x,t)` (the previous action its cached reward is charged with).
    chance_evaluated
        ``(H, S, A)`` bool: whether the chance node that action ``a`` leads to from :math:`(x,t)` has
        been evaluated before the traversal enters :math:`(x,t)`. OpenSpiel's ``MirrorDescent``
        projects its policy from the cumulative value table it is still filling during the next
        evaluation, so these children are scored with their updated cumulative values
        (:class:`~mfcode.mfg.openspiel_solvers.OpenSpielMirrorDescent`).
    """

    first_action: IntArray
    chance_evaluated: BoolArray


def traverse(after_move: IntArray, after_noise: IntArray, n_epochs: int, neutral: int) -> Traversal:
    """OpenSpiel's depth-first evaluation order of a game: first-visit actions and evaluated chance nodes.

    Parameters
    ----------
    after_move
        ``(S, A)`` integer array: the position after the agent's deterministic move.
    after_noise
        ``(S, K)`` integer array: the position after noise outcome ``k`` (chance outcomes in
        OpenSpiel's index order) from a post-move position.
    n_epochs
        Number of decision epochs :math:`H`.
    neutral
        The action index OpenSpiel stores as ``_last_action`` before the first decision.

    Returns
    -------
    Traversal
        ``first_action`` is ``neutral`` at :math:`t=0`. Decision, chance (post-move) and mean-field
        nodes are each visited once, keyed by position and tick, as OpenSpiel's
        ``TabularValueFunction`` does; initial positions, actions and noise outcomes in index order.
    """
    after_move, after_noise = _positions(after_move, after_noise)
    n_states, n_actions = after_move.shape
    n_epochs = check_int(n_epochs, "n_epochs", low=1)
    check_elements(n_epochs * n_states * n_actions, f"the traversal tables (H, S, A) of n_epochs={n_epochs}, S={n_states}, A={n_actions}")
    neutral = check_int(neutral, "neutral", low=0, high=n_actions - 1)
    first = np.full((n_epochs, n_states), -1, dtype=np.int64)
    first[0] = neutral
    seen_chance = np.zeros((n_epochs, n_states), dtype=bool)
    seen_node = np.zeros((n_epochs, n_states), dtype=bool)
    evaluated = np.zeros((n_epochs, n_states, n_actions), dtype=bool)

    def children(x: int, t: int) -> Iterator[tuple[int, int]]:
        """Decision nodes first reached from decision node (x, t), lazily in traversal order."""
        evaluated[t, x] = seen_chance[t, after_move[x]]
        for a in range(n_actions):
            xp = int(after_move[x, a])
            if seen_chance[t, xp]:
                continue
            seen_chance[t, xp] = True
            for x2 in after_noise[xp]:
                if t + 1 < n_epochs and not seen_node[t + 1, x2]:
                    seen_node[t + 1, x2] = True
                    first[t + 1, x2] = a
                    yield int(x2), t + 1

    # Depth-first traversal with an explicit stack of generators (no recursion limit on the horizon).
    for x0 in range(n_states):
        stack = [children(x0, 0)]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
            else:
                stack.append(children(*nxt))
    return Traversal(first, evaluated)


def _positions(after_move: npt.ArrayLike, after_noise: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """The move and noise tables: ``(S, A)`` and ``(S, K)`` integer arrays of positions in ``0..S-1``."""
    move = check_array(after_move, "after_move", ndim=2, integer=True)
    noise = check_array(after_noise, "after_noise", ndim=2, integer=True)
    n = move.shape[0]
    if n == 0 or move.shape[1] == 0 or noise.shape[0] != n or noise.shape[1] == 0:
        raise ValueError(f"after_move must be (S, A) and after_noise (S, K) with S, A, K >= 1, got {move.shape} and {noise.shape}")
    for name, table in (("after_move", move), ("after_noise", noise)):
        if table.min() < 0 or table.max() >= n:
            raise ValueError(f"{name} must hold positions in 0..{n - 1}")
    return move, noise


def openspiel_kernel(after_move: IntArray, after_noise: IntArray, noise: FloatArray) -> FloatArray:
    """``(S, A, S)`` kernel of a deterministic move followed by a noise draw with probabilities ``noise``."""
    after_move, after_noise = _positions(after_move, after_noise)
    noise = check_distribution(noise, "noise")
    if noise.shape != (after_noise.shape[1],):
        raise ValueError(f"noise must have shape ({after_noise.shape[1]},), one probability per noise outcome, got {noise.shape}")
    n_states, n_actions = after_move.shape
    dest = after_noise[after_move]  # (S, A, K)
    p = np.zeros((n_states, n_actions, n_states))
    s_idx = np.broadcast_to(np.arange(n_states)[:, None, None], dest.shape)
    a_idx = np.broadcast_to(np.arange(n_actions)[None, :, None], dest.shape)
    np.add.at(p, (s_idx, a_idx, dest), np.broadcast_to(noise, dest.shape))
    return p


def _positive_int(model: object, name: str, minimum: int = 1) -> int:
    """The integer field ``name`` of a frozen ``model``, checked (``>= minimum``) and stored as ``int``."""
    value = check_int(getattr(model, name), name, low=minimum)
    object.__setattr__(model, name, value)
    return value


def _check_game_arguments(model: CrowdModelling | LinearQuadratic, t: object, mu: npt.ArrayLike, n: int) -> FloatArray:
    """An epoch of the model (``0 <= t < H``) and a mean field ``(n,)`` on the simplex."""
    check_int(t, "t", low=0, high=model.traversal.first_action.shape[0] - 1)
    arr = check_distribution(mu, "mu")
    if arr.shape != (n,):
        raise ValueError(f"mu must have shape ({n},), got {arr.shape}")
    return arr


def _check_rewards_arguments(model: CrowdModelling | LinearQuadratic, mu: npt.ArrayLike, times: npt.ArrayLike | None
                             ) -> tuple[FloatArray, IntArray | None]:
    """Mean fields ``(len(times), S)`` (``(H, S)`` without ``times``) and the epochs, checked."""
    n_epochs = model.traversal.first_action.shape[0]
    index = None if times is None else check_array(times, "times", ndim=1, integer=True)
    if index is not None and (index.size and (index.min() < 0 or index.max() >= n_epochs)):
        raise ValueError(f"times must hold epochs in 0..{n_epochs - 1}")
    rows = n_epochs if index is None else index.size
    arr = check_distribution(mu, "mu")
    size = model.size
    if arr.shape != (rows, size):
        raise ValueError(f"mu must have shape ({rows}, {size}), one mean field per epoch of times, got {arr.shape}")
    return arr, index


@dataclass(frozen=True)
class CrowdModelling:
    """OpenSpiel's ``python_mfg_crowd_modelling`` (Perrin et al. 2020, §4.2) on a ring of ``size`` cells.

    Actions :math:`\\{-1,0,+1\\}` (indices 0, 1, 2; 1 is the neutral action), then a uniform noise
    move in :math:`\\{-1,0,+1\\}`, positions modulo ``size``. Reward at a decision node
    :math:`1-|x-\\lfloor N/2\\rfloor|/\\lfloor N/2\\rfloor-|m(a^{\\mathrm{first}}_t(x))|/N-\\log(\\mu_t(x)+10^{-25})`.

    Parameters
    ----------
    size
        Number of cells :math:`N` (OpenSpiel's default 10; at least 2 so that :math:`\\lfloor N/2\\rfloor>0`).
    horizon
        Number of decision epochs :math:`H` (OpenSpiel's default 10).
    """

    size: int = 10
    horizon: int = 10

    def __post_init__(self) -> None:
        size = _positive_int(self, "size", 2)
        horizon = check_steps(_positive_int(self, "horizon"), f"the traversal of horizon={self.horizon} epochs")
        check_elements(horizon * size * 3 * size, f"the flow kernels (H, S, A, S) of size={size}, horizon={horizon}")

    @property
    def moves(self) -> IntArray:
        """Displacement of each action (and of each noise outcome): ``(-1, 0, 1)``."""
        return np.array([-1, 0, 1])

    @cached_property
    def _after_move(self) -> IntArray:
        return (np.arange(self.size)[:, None] + self.moves[None, :]) % self.size

    @cached_property
    def kernel(self) -> FloatArray:
        """``(S, A, S)``: move, then a uniform step in :math:`\\{-1,0,1\\}`, on the ring."""
        return openspiel_kernel(self._after_move, self._after_move, np.full(3, 1.0 / 3.0))

    @cached_property
    def traversal(self) -> Traversal:
        """:func:`traverse` of this game (neutral action 1)."""
        return traverse(self._after_move, self._after_move, self.horizon, 1)

    @cached_property
    def _static_reward(self) -> FloatArray:
        """``(H, S)``: the position term plus the cached previous-move cost."""
        half = self.size // 2
        x = np.arange(self.size)
        r_x = 1.0 - np.abs(x - half) / half
        r_a = -np.abs(self.moves[self.traversal.first_action]) / self.size
        return r_x[None, :] + r_a

    def rewards(self, mu: FloatArray, times: IntArray | None = None) -> FloatArray:
        """``(len(times), S)`` rewards of the decision nodes at ``times`` (default all) against ``mu`` of shape ``(len(times), S)``."""
        mu, times = _check_rewards_arguments(self, mu, times)
        static = self._static_reward if times is None else self._static_reward[times]
        return static - np.log(mu + CROWD_EPSILON)

    def reward(self, t: int, mu: FloatArray) -> FloatArray:
        """``(S, A)`` reward at epoch ``t`` against :math:`\\mu_t` (constant over actions)."""
        mu = _check_game_arguments(self, t, mu, self.size)
        return np.repeat(self.rewards(mu[None, :], np.array([t])).T, 3, axis=1)

    def transition(self, t: int, mu: FloatArray) -> FloatArray:
        """The kernel, independent of ``t`` and :math:`\\mu`."""
        _check_game_arguments(self, t, mu, self.size)
        return self.kernel

    def game(self, *, check: bool = True) -> OpenSpielMFG:
        """This game as a :class:`FiniteHorizonMFG` (``check=False`` skips per-call validation, for benchmarks)."""
        check_bool(check, "check")
        return OpenSpielMFG(
            n_states=self.size,
            n_actions=3,
            horizon=self.horizon,
            reward_fn=self.reward,
            transition_fn=self.transition,
            initial=np.full(self.size, 1.0 / self.size),
            action_names=("-1", "0", "+1"),
            name=f"crowd modelling (OpenSpiel, size {self.size})",
            check=check,
            model=self,
        )


@dataclass(frozen=True)
class LinearQuadratic:
    """OpenSpiel's ``mean_field_lin_quad`` (Perrin et al. 2020, §4.1) on a torus of ``size`` points.

    Move :math:`x\\leftarrow\\mathrm{round}(x+\\mathrm{round}(m\\Delta))\\bmod N`, then noise
    :math:`x\\leftarrow\\mathrm{round}(x+k\\sqrt\\Delta\\,\\sigma)\\bmod N` with
    :math:`k\\in\\{-K..K\\}`, :math:`K=` ``n_actions_per_side``, and probability the
    :math:`\\mathcal N(0,\\sigma^2)` mass of :math:`[k-\\frac12,k+\\frac12]`, tails folded into
    :math:`\\pm K` (rounding is half-to-even, as Python's ``round``).

    Parameters
    ----------
    size
        :math:`N`; OpenSpiel's default 10, the paper's 25.
    horizon
        Time horizon; the game stops at the first tick with ``tick * dt >= horizon`` (default 10).
    dt
        :math:`\\Delta` (default 1).
    n_actions_per_side
        Actions :math:`m\\in\\{-K..K\\}` (indices ``0..2K``, ``K`` neutral); also the noise support
        (default 3).
    volatility
        :math:`\\sigma` (default 1).
    cross_q, kappa
        :math:`q`, :math:`\\kappa` (defaults 0.01, 0.5).

    Notes
    -----
    OpenSpiel's ``terminal_cost`` is never collected (see the module docstring) and ``spatial_bias``
    is read but unused, so neither is a parameter here. Its ``mean_revert`` (default 0) adds
    :math:`\\text{mean\\_revert}\\,(\\bar\\mu_t-x)` to the move; the cached first-visit actions would
    then depend on the whole mean-field flow rather than be a function of the state, so only the
    default 0 is modelled.
    """

    size: int = 10
    horizon: float = 10
    dt: float = 1.0
    n_actions_per_side: int = 3
    volatility: float = 1.0
    cross_q: float = 0.01
    kappa: float = 0.5

    def __post_init__(self) -> None:
        size = _positive_int(self, "size", 2)
        side = _positive_int(self, "n_actions_per_side", 0)
        for name in ("horizon", "dt", "volatility"):
            object.__setattr__(self, name, check_real(getattr(self, name), name, low=0.0, low_open=True))
        for name in ("cross_q", "kappa"):
            object.__setattr__(self, name, check_real(getattr(self, name), name))
        n_epochs = check_steps(math.ceil(self.horizon / self.dt), f"the epochs of horizon={self.horizon:g}, dt={self.dt:g}")
        check_elements(n_epochs * size * (2 * side + 1) * size,
                       f"the flow kernels (H, S, A, S) of size={size}, n_actions_per_side={side}, {n_epochs} epochs")
        if side * max(self.dt, math.sqrt(self.dt) * self.volatility) > 2.0**52:
            raise ValueError(f"dt and volatility move an agent by more than 2**52 cells (dt={self.dt:g}, volatility={self.volatility:g})")

    @property
    def n_actions(self) -> int:
        """:math:`2K+1`."""
        return 2 * self.n_actions_per_side + 1

    @property
    def moves(self) -> IntArray:
        """Move of each action index (and noise value of each chance outcome): :math:`-K..K`."""
        return np.arange(-self.n_actions_per_side, self.n_actions_per_side + 1)

    @property
    def n_epochs(self) -> int:
        """Decision epochs: the number of ticks before ``tick * dt >= horizon``."""
        n = 0
        while n * self.dt < self.horizon:
            n += 1
        return n

    @cached_property
    def noise(self) -> FloatArray:
        """Probabilities of the noise values :math:`-K..K`, computed as OpenSpiel does."""
        a = self.moves.astype(np.float64)
        p = norm.cdf(a + 0.5, scale=self.volatility) - norm.cdf(a - 0.5, scale=self.volatility)
        p[0] += norm.cdf(a[0] - 0.5, scale=self.volatility)
        p[-1] += 1.0 - norm.cdf(a[-1] + 0.5, scale=self.volatility)
        return p

    @cached_property
    def _after_move(self) -> IntArray:
        x = np.arange(self.size)[:, None]
        out: IntArray = (x + np.rint(self.moves[None, :] * self.dt).astype(np.int64)) % self.size
        return out

    @cached_property
    def _after_noise(self) -> IntArray:
        x = np.arange(self.size)[:, None]
        step = self.moves[None, :] * math.sqrt(self.dt) * self.volatility
        return np.rint(x + step).astype(np.int64) % self.size

    @cached_property
    def kernel(self) -> FloatArray:
        """``(S, A, S)`` move-then-noise kernel (independent of :math:`\\mu` for ``mean_revert = 0``)."""
        return openspiel_kernel(self._after_move, self._after_noise, self.noise)

    @cached_property
    def traversal(self) -> Traversal:
        """:func:`traverse` of this game (neutral action ``n_actions_per_side``)."""
        return traverse(self._after_move, self._after_noise, self.n_epochs, self.n_actions_per_side)

    def rewards(self, mu: FloatArray, times: IntArray | None = None) -> FloatArray:
        """``(len(times), S)`` rewards of the decision nodes at ``times`` (default all) against ``mu`` of shape ``(len(times), S)``."""
        mu, times = _check_rewards_arguments(self, mu, times)
        x = np.arange(self.size, dtype=np.float64)
        first = self.traversal.first_action if times is None else self.traversal.first_action[times]
        m = self.moves[first].astype(np.float64)
        d = (mu @ x)[:, None] - x[None, :]
        return self.dt / 2 * (-(m**2) + 2 * self.cross_q * m * d - self.kappa * d**2)

    def reward(self, t: int, mu: FloatArray) -> FloatArray:
        """``(S, A)`` reward at epoch ``t`` against :math:`\\mu_t` (constant over actions)."""
        mu = _check_game_arguments(self, t, mu, self.size)
        return np.repeat(self.rewards(mu[None, :], np.array([t])).T, self.n_actions, axis=1)

    def transition(self, t: int, mu: FloatArray) -> FloatArray:
        """The kernel, independent of ``t`` and :math:`\\mu`."""
        _check_game_arguments(self, t, mu, self.size)
        return self.kernel

    def game(self, *, check: bool = True) -> OpenSpielMFG:
        """This game as a :class:`FiniteHorizonMFG` (``check=False`` skips per-call validation, for benchmarks)."""
        check_bool(check, "check")
        return OpenSpielMFG(
            n_states=self.size,
            n_actions=self.n_actions,
            horizon=self.n_epochs,
            reward_fn=self.reward,
            transition_fn=self.transition,
            initial=np.full(self.size, 1.0 / self.size),
            action_names=tuple(str(int(m)) for m in self.moves),
            name=f"linear-quadratic (OpenSpiel, size {self.size})",
            check=check,
            model=self,
        )


@dataclass(frozen=True, eq=False)
class OpenSpielMFG(FiniteHorizonMFG):
    """A finite-horizon MFG built from an OpenSpiel game model, with OpenSpiel's evaluator rules.

    Its implementation of :class:`~mfcode.mfg.protocol.MeanFieldGame` is the finite-horizon one
    with two differences, both properties of OpenSpiel's games and evaluators rather than of any
    solver:

    - the kernel is time-homogeneous and ignores the mean field, so :meth:`dynamics_at` holds one
      kernel (a read-only broadcast over the epochs) and the rewards of all epochs come from one
      call of the model, and :meth:`induce` forms the kernel under the policy for all epochs in one
      batched ``matmul``;
    - :meth:`mirror_q` is OpenSpiel's ``MirrorDescent`` evaluation: it accumulates the values
      :math:`W(x,a)=Q(x,a)-r_t(x)` of the chance nodes the actions lead to (the decision node's
      reward, constant over actions, is left out), and its projected policy reads the cumulative
      value table by reference while the evaluation fills it, so :math:`W_{k+1}` is computed under
      :math:`\\mathrm{softmax}(y_k+\\mathrm{lr}\\,\\mathbb 1_E W_{k+1})`, where :math:`E` marks the chance
      nodes evaluated before the traversal enters the decision node
      (:attr:`Traversal.chance_evaluated`); the first evaluation runs the initial policy itself.

    Attributes
    ----------
    model
        The OpenSpiel game model (:class:`CrowdModelling` or :class:`LinearQuadratic`).
    """

    model: CrowdModelling | LinearQuadratic | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, (CrowdModelling, LinearQuadratic)):
            raise TypeError(f"model must be a CrowdModelling or LinearQuadratic model, got {type(self.model).__name__}")
        super().__post_init__()
        t, s, a = self.policy_shape
        if (s, a, t) != (self.model.size, self.model.kernel.shape[1], self.model.traversal.first_action.shape[0]):
            raise ValueError(f"model has size {self.model.size}, {self.model.kernel.shape[1]} actions and "
                             f"{self.model.traversal.first_action.shape[0]} epochs; n_states, n_actions, horizon must match")

    @property
    def _model(self) -> CrowdModelling | LinearQuadratic:
        assert self.model is not None  # checked in __post_init__
        return self.model

    def dynamics_at(self, mean_field: FloatArray) -> FlowDynamics:
        """Rewards of all epochs in one call; the one kernel, broadcast (read-only) over the epochs."""
        t, s, a = self.policy_shape
        reward = np.repeat(self._model.rewards(mean_field)[:, :, None], a, axis=2)
        return FlowDynamics(reward, np.broadcast_to(self._model.kernel, (t - 1, s, a, s)))

    def induce(
        self, policy: FloatArray, *, start: FloatArray | None = None, scratch: FlowDynamics | None = None
    ) -> tuple[FloatArray, FlowDynamics]:
        """:math:`\\mu_{t+1}=\\mu_tP^{\\pi_t}` from :math:`\\mu_0`, ``(H, S)``, with all kernels under the policy at once."""
        p_pi = np.matmul(policy[:-1, :, None, :], self._model.kernel)[:, :, 0, :]  # (H-1, S, S)
        mus = np.empty((self.horizon, self.n_states))
        mus[0] = self.initial
        for t in range(self.horizon - 1):
            np.dot(mus[t], p_pi[t], out=mus[t + 1])
        return mus, self.dynamics_at(mus)

    def mirror_q(
        self,
        policy: FloatArray,
        logits: FloatArray | None,
        step_size: float,
        dynamics: FlowDynamics,
        temperature: float,
    ) -> FloatArray:
        """OpenSpiel's ``MirrorDescent`` values :math:`W` (see the class docstring; ``temperature`` must be 0)."""
        if temperature != 0.0:
            raise ValueError("OpenSpiel's mirror descent is unregularized: temperature must be 0")
        t_max, s, a = self.policy_shape
        r = dynamics.reward[:, :, 0]
        k2 = self._model.kernel.reshape(s * a, s)
        mixed = step_size * self._model.traversal.chance_evaluated
        w = np.zeros((t_max, s, a))
        flat = w.reshape(t_max, s * a)
        v = r[-1]
        for t in range(t_max - 2, -1, -1):
            np.dot(k2, v, out=flat[t])
            if logits is None:  # OpenSpiel's first evaluation runs the initial policy itself
                v = r[t] + np.add.reduce(policy[t] * w[t], axis=1)
                continue
            z = logits[t] + mixed[t] * w[t]
            e = np.exp(z - np.maximum.reduce(z, axis=1)[:, None])
            v = r[t] + np.add.reduce(e * w[t], axis=1) / np.add.reduce(e, axis=1)
        return w


def openspiel_crowd_modelling(*, size: int = 10, horizon: int = 10, check: bool = True) -> OpenSpielMFG:
    """OpenSpiel's crowd-modelling game as a :class:`FiniteHorizonMFG` (see :class:`CrowdModelling`)."""
    return CrowdModelling(size, horizon).game(check=check)


def openspiel_lq(
    *,
    size: int = 10,
    horizon: float = 10,
    dt: float = 1.0,
    n_actions_per_side: int = 3,
    volatility: float = 1.0,
    cross_q: float = 0.01,
    kappa: float = 0.5,
    check: bool = True,
) -> OpenSpielMFG:
    """OpenSpiel's linear-quadratic game as a :class:`FiniteHorizonMFG` (see :class:`LinearQuadratic`).

    The cloud paper's setting (001 App. D) is ``size=25`` with the other defaults.
    """
    return LinearQuadratic(size, horizon, dt, n_actions_per_side, volatility, cross_q, kappa).game(check=check)
