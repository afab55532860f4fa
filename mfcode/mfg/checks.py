"""Validation shared by the kinds of finite MFG: model arrays, sizes, discount, initial distribution."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.limits import check_elements
from mfcode.simplex import check_distribution
from mfcode.validation import check_array, check_bool, check_int, check_real

__all__ = ["MODEL_TOL", "check_dynamics_arrays", "check_kernel", "check_model_values", "check_reward", "check_shaped_distribution",
           "freeze_common"]

#: Tolerance on kernel rows (negativity, sum to one) returned by a game's model.
MODEL_TOL = 1e-8


def _names(names: tuple[str, ...] | None, n: int, prefix: str, arg: str) -> tuple[str, ...]:
    if names is None:
        return tuple(f"{prefix}{i}" for i in range(n))
    if isinstance(names, str) or not isinstance(names, (tuple, list)) or not all(isinstance(x, str) for x in names):
        raise TypeError(f"{arg} must be a tuple of str, got {names!r}")
    names = tuple(names)
    if len(names) != n:
        raise ValueError(f"{arg} must have {n} entries, got {len(names)}")
    return names


def check_shaped_distribution(
    x: npt.ArrayLike, shape: tuple[int, ...], name: str, *, on_simplex: bool, trailing: int = 1
) -> FloatArray:
    """``x`` as a float array of ``shape``; with ``on_simplex``, each block of its last ``trailing`` axes is a distribution.

    Mean fields and policies (``trailing=1``: rows), or a state-action flow (``trailing=2``: each
    epoch's joint :math:`L_t`).
    """
    arr: FloatArray = check_array(x, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if on_simplex:
        check_distribution(arr.reshape(*shape[: len(shape) - trailing], -1), name)
    return arr


def check_reward(r: npt.ArrayLike, shape: tuple[int, int], name: str = "reward") -> FloatArray:
    """A reward ``(S, A)`` returned by a game's model: the shape, finite entries (``name`` in errors)."""
    arr: FloatArray = check_array(r, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (S, A), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def check_kernel(p: npt.ArrayLike, shape: tuple[int, int, int], name: str = "transition") -> FloatArray:
    """A kernel ``(S, A, S')`` returned by a game's model: the shape, rows on the simplex (``name`` in errors)."""
    arr: FloatArray = check_array(p, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (S, A, S'), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or arr.min() < -MODEL_TOL:
        raise ValueError(f"{name} must have finite non-negative entries")
    err = np.abs(arr.sum(axis=-1) - 1.0).max()
    if err > MODEL_TOL:
        raise ValueError(f"{name} rows P(.|s,a,mu) must sum to 1 (max error {err:.3g})")
    return arr


def check_dynamics_arrays(dynamics: Any, name: str) -> tuple[FloatArray, FloatArray]:
    """The ``reward`` and ``kernel`` arrays of dynamics handed in by a caller, as float arrays (``name.reward`` in errors)."""
    return check_array(dynamics.reward, f"{name}.reward"), check_array(dynamics.kernel, f"{name}.kernel")


def check_model_values(reward: FloatArray, kernel: FloatArray, name: str) -> None:
    """Rewards and kernels handed in by a caller (``dynamics=``): finite rewards, kernel rows on the simplex.

    ``reward`` is ``(..., S, A)`` and ``kernel`` ``(..., S, A, S')`` (one mean field or a flow);
    ``name`` is the argument the error names.
    """
    if not np.all(np.isfinite(reward)):
        raise ValueError(f"{name}.reward must be finite")
    if kernel.size and (not np.all(np.isfinite(kernel)) or kernel.min() < -MODEL_TOL):
        raise ValueError(f"{name}.kernel must have finite non-negative entries")
    err = float(np.abs(kernel.sum(axis=-1) - 1.0).max()) if kernel.size else 0.0
    if err > MODEL_TOL:
        raise ValueError(f"{name}.kernel rows must sum to 1 (max error {err:.3g})")


def freeze_common(game: Any, sizes: tuple[str, ...], argument: str, *, gamma_may_be_one: bool) -> FloatArray:
    """Checks shared by the game classes; freezes ``initial``, ``gamma`` and the names in place.

    ``argument`` is how the reward/kernel functions are called (for the error message). The
    stationary game is the discounted game of seed 001, §2, with :math:`\\gamma\\in(0,1)`
    (``gamma_may_be_one=False``); the finite-horizon game allows :math:`\\gamma\\in[0,1]`
    (``gamma_may_be_one=True``: undiscounted episodes, as mfglib's and OpenSpiel's games are).
    Returns the frozen initial distribution.
    """
    for arg in sizes:
        object.__setattr__(game, arg, check_int(getattr(game, arg), arg, low=1))
    check_elements(
        game.n_states * game.n_actions * game.n_states,
        f"the kernel (S, A, S) of n_states={game.n_states}, n_actions={game.n_actions}",
    )
    if not callable(game.reward_fn):
        raise TypeError(f"reward_fn must be callable {argument} -> (S, A) array")
    if not callable(game.transition_fn):
        raise TypeError(f"transition_fn must be callable {argument} -> (S, A, S) array")
    if not isinstance(game.name, str):
        raise TypeError(f"name must be a str, got {type(game.name).__name__}")
    object.__setattr__(game, "check", check_bool(game.check, "check"))
    if gamma_may_be_one:
        gamma = check_real(game.gamma, "gamma", low=0.0, high=1.0)
    else:
        gamma = check_real(game.gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    init = check_distribution(game.initial, "initial")
    if init.shape != (game.n_states,):
        raise ValueError(f"initial must have shape ({game.n_states},), got {init.shape}")
    init = init.copy()
    init.setflags(write=False)
    object.__setattr__(game, "initial", init)
    object.__setattr__(game, "gamma", gamma)
    object.__setattr__(game, "state_names", _names(game.state_names, game.n_states, "s", "state_names"))
    object.__setattr__(game, "action_names", _names(game.action_names, game.n_actions, "a", "action_names"))
    return init
