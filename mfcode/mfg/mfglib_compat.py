"""Bridge to mfglib 0.3.0 (an independent MFG library) for cross-checks and side-by-side timings.

mfglib's environments are finite-horizon: times ``0..T``, an initial distribution ``mu0``, rewards
``reward_fn(env, t, L_t)`` of shape ``(S, A)`` and kernels ``transition_fn(env, t, L_t)`` of shape
``(S', S, A)`` (destination first), where ``L_t`` is the joint state-action distribution; policies are
``(T + 1, S, A)`` tensors. A :class:`~mfcode.mfg.model.FiniteHorizonMFG` with ``horizon = T + 1`` is
the same object. mfglib is a test/book dependency only, imported inside these functions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfg.finite_horizon import FiniteHorizonMFG
from mfcode.mfg.games import RandomLinearParameters
from mfcode.validation import check_int

if TYPE_CHECKING:
    import torch
    from mfglib.env import Environment

__all__ = [
    "MfglibRun",
    "default_dtype",
    "mfglib_algorithm",
    "mfglib_environment",
    "random_linear_environment",
    "random_linear_parameters",
    "run_mfglib",
    "to_mfglib",
    "to_torch_policy",
]


@dataclass(frozen=True)
class _Reward:
    game: FiniteHorizonMFG

    def __call__(self, env: Environment, t: int, L_t: torch.Tensor) -> torch.Tensor:
        import torch

        l_t = L_t.detach().double().numpy()
        m = l_t.sum(axis=1) if self.game.population == "state" else l_t
        return torch.from_numpy(self.game.reward(t, m)).to(torch.get_default_dtype())


@dataclass(frozen=True)
class _Transition:
    game: FiniteHorizonMFG

    def __call__(self, env: Environment, t: int, L_t: torch.Tensor) -> torch.Tensor:
        import torch

        l_t = L_t.detach().double().numpy()
        m = l_t.sum(axis=1) if self.game.population == "state" else l_t
        return torch.from_numpy(self.game.transition(t, m).transpose(2, 0, 1).copy()).to(torch.get_default_dtype())


def to_mfglib(game: FiniteHorizonMFG) -> Any:
    """An ``mfglib.env.Environment`` computing rewards and kernels with ``game`` (``T = horizon - 1``).

    ``r_max`` (used by mfglib's MF-OMO only) is the largest absolute reward under the flow of the
    uniform policy, a nominal value.
    """
    import torch
    from mfglib.env import Environment

    m = game.induce(game.uniform_policy())[0]
    r_max = max(float(np.abs(game.reward(t, m[t])).max()) for t in range(game.horizon))
    return Environment(
        T=game.horizon - 1,
        S=(game.n_states,),
        A=(game.n_actions,),
        mu0=torch.from_numpy(np.array(game.initial)).to(torch.get_default_dtype()),
        r_max=r_max,
        reward_fn=_Reward(game),
        transition_fn=_Transition(game),
    )


def to_torch_policy(policy: FloatArray) -> torch.Tensor:
    """An ``(H, S, A)`` numpy policy as a tensor of torch's default dtype (what mfglib computes in)."""
    import torch

    return torch.from_numpy(np.array(policy)).to(torch.get_default_dtype())


def random_linear_parameters(env: Any) -> RandomLinearParameters:
    """The coefficients of an mfglib ``Environment.random_linear`` instance, for :func:`mfcode.mfg.games.random_linear`."""
    tr, rw = env.transition_fn, env.reward_fn
    return RandomLinearParameters(
        p1=tr.p1.double().numpy(), p2=tr.p2.double().numpy(), r1=rw.r1.double().numpy(), r2=rw.r2.double().numpy()
    )


def random_linear_environment(parameters: RandomLinearParameters, T: int) -> Any:
    """mfglib's ``random_linear`` environment with the given coefficients, in torch's current default dtype.

    mfglib draws its coefficients with ``torch.rand`` in the default dtype, so ``random_linear(seed=0)``
    built under float64 is another game than under float32. This builds mfglib's own reward and
    transition classes around ``parameters`` instead (e.g. a float32 environment's coefficients, cast),
    so that mfglib can run the very same game in float64; run it inside :func:`default_dtype`. ``r_max``
    is :math:`\\max|r_1|+\\max|r_2|` (mfglib's ``2m`` for coefficients on :math:`[-m,m]`).
    """
    import torch
    from mfglib.env import Environment
    from mfglib.env.examples.random_linear import RewardFn, TransitionFn

    if not isinstance(parameters, RandomLinearParameters):
        raise TypeError(f"parameters must be RandomLinearParameters, got {type(parameters).__name__}")
    T = check_int(T, "T", low=0)
    dtype = torch.get_default_dtype()
    reward = RewardFn.__new__(RewardFn)
    transition = TransitionFn.__new__(TransitionFn)
    reward.r1, reward.r2 = (torch.from_numpy(np.array(x)).to(dtype) for x in (parameters.r1, parameters.r2))
    transition.p1, transition.p2 = (torch.from_numpy(np.array(x)).to(dtype) for x in (parameters.p1, parameters.p2))
    n = parameters.r2.shape[0]
    return Environment(
        T=T,
        S=(n,),
        A=(n,),
        mu0=torch.ones(n) / n,
        r_max=float(np.abs(parameters.r1).max() + np.abs(parameters.r2).max()),
        reward_fn=reward,
        transition_fn=transition,
    )


@contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """Torch's default dtype set to ``dtype`` inside the block (mfglib computes in the default dtype)."""
    import torch

    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


@dataclass(frozen=True)
class MfglibRun:
    """Exploitability history and per-iteration times of an mfglib solver run.

    ``step_times`` are the wall times of ``step_next_state`` alone, ``step_cpu_times`` the CPU times
    of this process during them (on a shared machine, the wall time less the waits for a core).
    """

    exploitability: FloatArray
    step_times: FloatArray
    policy: FloatArray
    step_cpu_times: FloatArray = field(default_factory=lambda: np.zeros(0))


def run_mfglib(
    algorithm: Any, env: Any, max_iter: int, pi0: torch.Tensor | None = None, *, score: bool = True
) -> MfglibRun:
    """Run an mfglib ``Iterative`` algorithm step by step, timing its steps and scoring each iterate.

    ``score=False`` skips mfglib's exploitability scoring (then ``exploitability`` is empty), for
    timing runs.
    """
    import torch
    from mfglib.scoring import exploitability_score

    if pi0 is None:
        pi0 = torch.ones((env.T + 1, *env.S, *env.A)) / env.n_actions
    state = algorithm.init_state(env, pi0)
    expl = [exploitability_score(env, state.pi)] if score else []
    times, cpu_times = [], []
    for _ in range(max_iter):
        t0, c0 = time.perf_counter(), time.process_time()
        state = algorithm.step_next_state(state, None, None)
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
        if score:
            expl.append(exploitability_score(env, state.pi))
    return MfglibRun(np.array(expl), np.array(times), state.pi.double().numpy(), np.array(cpu_times))


def mfglib_environment(name: str, **kwargs: Any) -> Any:
    """``mfglib.env.Environment.<name>(**kwargs)``, e.g. ``mfglib_environment("beach_bar", T=3)``."""
    from mfglib.env import Environment

    if not hasattr(Environment, name):
        raise ValueError(f"name must be an mfglib Environment constructor, got {name!r}")
    return getattr(Environment, name)(**kwargs)


def mfglib_algorithm(name: str, **kwargs: Any) -> Any:
    """``mfglib.alg.<name>(**kwargs)``, e.g. ``mfglib_algorithm("OnlineMirrorDescent", alpha=1.0)``."""
    import mfglib.alg

    if not hasattr(mfglib.alg, name):
        raise ValueError(f"name must be an mfglib algorithm class, got {name!r}")
    return getattr(mfglib.alg, name)(**kwargs)
