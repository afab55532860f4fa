"""One checker of the batched environments of :mod:`mfcode.rl` (the :class:`~mfcode.rl.env.VectorEnv` protocol).

Modelled on Gymnasium's ``gymnasium/utils/env_checker.py`` (``check_env``), for batches of ``K x E``
self-resetting copies. :func:`check_vector_env` takes a freshly built environment and checks

1. the specification: an :class:`~mfcode.rl.env.EnvSpec` with Gymnasium spaces;
2. seeding: stepping before ``reset(seed)`` raises :class:`RuntimeError`; ``reset(seed)`` twice,
   or with ``np.random.default_rng(seed)``, gives identical observations;
3. every step result: ndarray types, shapes ``(K, E, ...)``, dtypes (float64 observations and
   rewards, bool flags), finite rewards, observations inside ``observation_space``, the
   observation equal to ``final_obs`` wherever no episode ended, and the agents of one copy
   (``agents_per_env``) ending their episodes together;
4. step determinism: the same seed and actions give bit-identical results;
5. truncation flags: with ``horizon`` given (and no termination), every copy truncates exactly at
   steps ``horizon, 2 horizon, ...``;
6. an action of the wrong shape is refused with :class:`ValueError`.

Failures raise :class:`AssertionError` naming the check, as Gymnasium's checker does. The
Gymnasium view of one copy (:class:`~mfcode.rl.views.GymnasiumEnv`) is checked by Gymnasium's own
``check_env``.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_steps
from mfcode.rl.env import EnvSpec, StepResult, VectorEnv
from mfcode.validation import check_int

__all__ = ["check_vector_env", "sample_actions"]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def sample_actions(spec: EnvSpec, rng: np.random.Generator) -> FloatArray | IntArray:
    """Uniform random actions of batch shape ``(K, E)`` in ``spec.action_space``."""
    if not isinstance(spec, EnvSpec):
        raise TypeError(f"spec must be an EnvSpec, got {type(spec).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    space = spec.action_space
    if isinstance(space, spaces.Discrete):
        discrete: IntArray = rng.integers(int(space.n), size=spec.batch_shape).astype(np.int64)
        return discrete
    box: FloatArray = rng.uniform(space.low, space.high, size=(*spec.batch_shape, *space.shape))
    return box


def _check_obs(spec: EnvSpec, obs: object, where: str) -> None:
    shape = (*spec.batch_shape, spec.obs_dim)
    if not isinstance(obs, np.ndarray):
        raise AssertionError(f"{where} must be a numpy array, got {type(obs).__name__}")
    _require(obs.shape == shape and obs.dtype == np.float64, f"{where} must be float64 of shape {shape}, got {obs.dtype} {obs.shape}")
    inside = [spec.observation_space.contains(o) for o in obs.reshape(-1, spec.obs_dim)]
    _require(all(inside), f"{where} has entries outside observation_space {spec.observation_space}")


def _check_result(spec: EnvSpec, result: object, t: int) -> StepResult:
    where = f"step {t}"
    if not isinstance(result, StepResult):
        raise AssertionError(f"{where} must return a StepResult, got {type(result).__name__}")
    _check_obs(spec, result.obs, f"{where}: obs")
    _check_obs(spec, result.final_obs, f"{where}: final_obs")
    for name, dtype in (("reward", np.float64), ("terminated", np.bool_), ("truncated", np.bool_)):
        arr = getattr(result, name)
        _require(
            isinstance(arr, np.ndarray) and arr.shape == spec.batch_shape and arr.dtype == dtype,
            f"{where}: {name} must be a {np.dtype(dtype)} array of shape {spec.batch_shape}, got {getattr(arr, 'dtype', type(arr).__name__)} {getattr(arr, 'shape', '')}",
        )
    _require(bool(np.all(np.isfinite(result.reward))), f"{where}: reward must be finite")
    done = result.terminated | result.truncated
    _require(bool(np.array_equal(result.obs[~done], result.final_obs[~done])), f"{where}: obs differs from final_obs where no episode ended")
    groups = done.reshape(spec.num_learners, spec.num_envs, spec.agents_per_env)
    _require(bool(np.all(groups == groups[..., :1])), f"{where}: the agents of one copy must end their episode together")
    return result


def _rollout(env: VectorEnv, seed: int, actions: list[FloatArray | IntArray]) -> tuple[FloatArray, list[StepResult]]:
    first = env.reset(seed)
    return first, [_check_result(env.spec, env.step(a), t) for t, a in enumerate(actions, start=1)]


def check_vector_env(env: VectorEnv, seed: int = 123, n_steps: int | None = None, horizon: int | None = None) -> None:
    """Check a freshly constructed (never reset) batched environment; see the module docstring.

    Parameters
    ----------
    env
        The environment, straight from its constructor.
    seed
        Seed of the resets and of the random actions.
    n_steps
        Steps of the checked rollouts (default ``2 horizon + 1``, or 10 without ``horizon``).
    horizon
        The environment's episode length, if it truncates at a fixed time limit.

    Raises
    ------
    AssertionError
        Naming the first check that fails.
    """
    seed = check_int(seed, "seed", low=0)
    if horizon is not None:
        horizon = check_int(horizon, "horizon", low=1)
    n_steps = (10 if horizon is None else 2 * horizon + 1) if n_steps is None else check_int(n_steps, "n_steps", low=1)
    check_steps(n_steps, f"the checked rollouts of n_steps={n_steps} (horizon={horizon})")
    spec = getattr(env, "spec", None)
    if not isinstance(spec, EnvSpec):
        raise AssertionError(f"env.spec must be an EnvSpec, got {type(spec).__name__}")
    rng = np.random.default_rng(seed)
    actions = [sample_actions(spec, rng) for _ in range(n_steps)]

    try:
        env.step(actions[0])
    except RuntimeError:
        pass
    else:
        raise AssertionError("step before reset(seed) must raise RuntimeError (the generator comes from reset)")

    first, results = _rollout(env, seed, actions)
    _check_obs(spec, first, "reset(seed)")
    again, repeated = _rollout(env, seed, actions)
    _require(bool(np.array_equal(first, again)), "reset(seed) is not deterministic")
    fields: tuple[str, ...] = ("obs", "reward", "terminated", "truncated", "final_obs")
    for t, (a, b) in enumerate(zip(results, repeated, strict=True), start=1):
        for name in fields:
            _require(bool(np.array_equal(getattr(a, name), getattr(b, name))), f"step {t}: {name} is not deterministic given the seed")
    _require(bool(np.array_equal(env.reset(np.random.default_rng(seed)), first)), "reset(default_rng(seed)) differs from reset(seed)")

    if horizon is not None and not any(r.terminated.any() for r in results):
        for t, r in enumerate(results, start=1):
            expected = t % horizon == 0
            _require(bool(np.all(r.truncated == expected)), f"step {t}: truncated must be {expected} for every copy (horizon {horizon})")

    try:
        env.step(np.zeros((spec.num_learners + 1, 1)))
    except ValueError:
        pass
    else:
        raise AssertionError("step must refuse an action of the wrong shape with ValueError")
