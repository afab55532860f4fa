"""Small environments with known optima, used to verify :class:`mfcode.rl.ppo.PPO`.

- :class:`ContextualBandit` -- one-step episodes; a context ``c`` is drawn uniformly from
  ``{0..C-1}``, observed one-hot, and the action ``a in [0,1]^d`` earns
  ``r = -||a - a*_c||^2``. The optimal deterministic policy is ``a*_c``, the Gaussian policy's
  mean should converge there (checks the Box/Gaussian path and the clipping to ``[0, 1]``).
- :class:`TabularMDP` -- a finite MDP ``(P, R, mu0, gamma)`` observed one-hot, with discrete
  actions and episodes truncated at ``horizon`` steps (the value of the truncation state is
  bootstrapped, so the learner faces the infinite-horizon discounted problem). Its optimum is
  computed exactly by value iteration, ``V(s) = max_a [R(s,a) + gamma sum_s' P(s,a,s') V(s')]``.

Both follow the :class:`~mfcode.rl.env.VectorEnv` protocol with batch ``(K, E)``; their
:func:`~mfcode.rl.views.as_gymnasium` views (``K = E = 1``) are ordinary Gymnasium environments.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mfcode.arrays import FloatArray, IntArray
from mfcode.rl.env import EnvSpec, StepResult, not_reset_error
from mfcode.validation import check_array, check_int, check_rng

__all__ = ["ContextualBandit", "TabularMDP"]


def _one_hot_box(n: int) -> spaces.Box:
    return spaces.Box(0.0, 1.0, shape=(n,), dtype=np.float64)


class ContextualBandit:
    """Continuous-action contextual bandit ``r = -||a - targets[c]||^2``.

    Parameters
    ----------
    targets
        ``(C, d)`` optimal actions in ``[0, 1]``, one row per context.
    num_learners, num_envs
        Batch shape ``(K, E)``.
    """

    def __init__(self, targets: FloatArray, num_learners: int = 1, num_envs: int = 16) -> None:
        targets = check_array(targets, "targets", finite=True)
        if targets.ndim != 2 or targets.shape[0] < 1 or targets.shape[1] < 1:
            raise ValueError(f"targets must have shape (C, d), got {targets.shape}")
        if targets.min() < 0 or targets.max() > 1:
            raise ValueError("targets must lie in [0, 1]")
        self.targets = targets
        c, d = targets.shape
        actions = spaces.Box(0.0, 1.0, shape=(d,), dtype=np.float64)
        self._spec = EnvSpec(_one_hot_box(c), actions, check_int(num_learners, "num_learners", low=1), check_int(num_envs, "num_envs", low=1))
        self._rng: np.random.Generator | None = None
        self._context: IntArray = np.zeros(self._spec.batch_shape, dtype=np.int64)

    @property
    def spec(self) -> EnvSpec:
        """Static description."""
        return self._spec

    def _observe(self) -> FloatArray:
        obs: FloatArray = np.eye(self.targets.shape[0])[self._context]
        return obs

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        """Draw fresh contexts with a generator made from ``seed``; return one-hot observations ``(K, E, C)``."""
        self._rng = check_rng(seed)
        self._context = self._rng.integers(self.targets.shape[0], size=self._spec.batch_shape)
        return self._observe()

    def step(self, action: FloatArray | IntArray) -> StepResult:
        """Reward the action, end the episode and draw the next context."""
        if self._rng is None:
            raise not_reset_error(self)
        k, e = self._spec.batch_shape
        if not isinstance(action, np.ndarray) or action.shape != (k, e, self.targets.shape[1]) or action.dtype.kind not in "iuf":
            raise ValueError(f"action must be a real array of shape {(k, e, self.targets.shape[1])}, got {np.shape(action)}")
        if not (np.isfinite(action).all() and float(np.abs(action).max()) <= 1e100):
            raise ValueError("action must be finite, of magnitude at most 1e100 (the squared distance must be finite)")
        reward: FloatArray = -((action - self.targets[self._context]) ** 2).sum(-1)
        final = self._observe()
        self._context = self._rng.integers(self.targets.shape[0], size=(k, e))
        done = np.ones((k, e), dtype=bool)
        return StepResult(self._observe(), reward, done, np.zeros((k, e), dtype=bool), final)


class TabularMDP:
    """Finite discounted MDP with one-hot observations and time-limit truncation.

    Parameters
    ----------
    transition
        ``(S, A, S)`` row-stochastic kernel ``P(s' | s, a)``.
    reward
        ``(S, A)`` expected rewards (paid deterministically).
    initial
        ``(S,)`` initial state distribution.
    horizon
        Steps after which an episode is truncated (and bootstrapped by the learner).
    num_learners, num_envs
        Batch shape ``(K, E)``.
    """

    def __init__(
        self,
        transition: FloatArray,
        reward: FloatArray,
        initial: FloatArray,
        horizon: int = 50,
        num_learners: int = 1,
        num_envs: int = 16,
    ) -> None:
        transition = check_array(transition, "transition", finite=True)
        reward = check_array(reward, "reward", finite=True)
        initial = check_array(initial, "initial", finite=True)
        if transition.ndim != 3 or transition.shape[0] != transition.shape[2]:
            raise ValueError(f"transition must have shape (S, A, S), got {transition.shape}")
        if transition.min() < 0 or not np.allclose(transition.sum(-1), 1.0):
            raise ValueError("transition rows must be probability vectors")
        s, a, _ = transition.shape
        if reward.shape != (s, a):
            raise ValueError(f"reward must have shape {(s, a)}, got {reward.shape}")
        if initial.shape != (s,) or initial.min() < 0 or not np.isclose(initial.sum(), 1.0):
            raise ValueError(f"initial must be a probability vector of length {s}")
        self.transition = transition
        self.reward = reward
        self.initial = initial
        self.horizon = check_int(horizon, "horizon", low=1)
        self._cdf = np.cumsum(transition, axis=-1)
        self._spec = EnvSpec(
            _one_hot_box(s), spaces.Discrete(a), check_int(num_learners, "num_learners", low=1), check_int(num_envs, "num_envs", low=1)
        )
        self._rng: np.random.Generator | None = None
        self._state: IntArray = np.zeros(self._spec.batch_shape, dtype=np.int64)
        self._t: IntArray = np.zeros(self._spec.batch_shape, dtype=np.int64)

    @property
    def spec(self) -> EnvSpec:
        """Static description."""
        return self._spec

    def _draw_initial(self, rng: np.random.Generator, size: tuple[int, ...]) -> IntArray:
        drawn: IntArray = np.minimum(np.searchsorted(np.cumsum(self.initial), rng.random(size), side="right"), self.initial.size - 1)
        return drawn

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        """Draw initial states with a generator made from ``seed``; return one-hot observations ``(K, E, S)``."""
        self._rng = check_rng(seed)
        self._state = self._draw_initial(self._rng, self._spec.batch_shape)
        self._t = np.zeros(self._spec.batch_shape, dtype=np.int64)
        obs: FloatArray = np.eye(self.initial.size)[self._state]
        return obs

    def step(self, action: FloatArray | IntArray) -> StepResult:
        """Pay ``R(s, a)``, move by ``P(. | s, a)``, truncate at the horizon and auto-reset."""
        if self._rng is None:
            raise not_reset_error(self)
        k, e = self._spec.batch_shape
        if not isinstance(action, np.ndarray) or action.shape != (k, e) or not np.issubdtype(action.dtype, np.integer):
            raise ValueError(f"action must be an int array of shape {(k, e)}, got {getattr(action, 'dtype', type(action).__name__)} "
                             f"{np.shape(action)}")
        if action.min() < 0 or action.max() >= self.reward.shape[1]:
            raise ValueError("action out of range")
        reward = self.reward[self._state, action]
        u = self._rng.random((k, e, 1))
        nxt = np.minimum((u > self._cdf[self._state, action]).sum(-1), self.initial.size - 1)
        self._t += 1
        truncated = self._t >= self.horizon
        eye = np.eye(self.initial.size)
        final = eye[nxt]
        if truncated.any():
            nxt = nxt.copy()
            nxt[truncated] = self._draw_initial(self._rng, (int(truncated.sum()),))
            self._t[truncated] = 0
        self._state = nxt
        return StepResult(eye[nxt], reward, np.zeros((k, e), dtype=bool), truncated, final)
