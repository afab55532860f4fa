"""Hostile input to every public function (issue #16): a clear ``ValueError``/``TypeError`` naming the argument, or a correct result.

Coverage (December 2026): the registry fuzzes **305** public functions, methods and constructors
(325 entries: some run on several kinds of game, solver or model) of the modules in
:data:`MODULES`; 30 protocol methods that take validated arrays (the solvers' inner steps) are
covered through the validating functions that call them (:data:`TRUSTED`), and 63 names are not
fuzzed, each with its reason (:data:`NOT_FUZZED`: result records, protocols, command lines, the
OpenSpiel bridges, PPO training). Of the 298 covered functions that existed before this harness,
**224 needed a fix** (they failed it: run with the pools and 20 generated values per argument
against the package of commit 46a4151) and 74 already passed; 7 shared checks were added
(``mfcode.validation.check_array``/``check_bool``/``check_callable``/``check_path``/``check_rng``,
``mfcode.reproduce.runner.check_experiment``, ``MFCModel.check_state_action``).
:func:`test_every_public_function_is_fuzzed_or_says_why_not` keeps the registry complete.

A registry (:data:`REGISTRY`) holds one :class:`Api` entry per public function, method or
constructor: a valid example call (a function returning its keyword arguments, fresh objects each
time) and, where an argument's errors may name something else, the documented alias and why. For
each argument of each entry, hypothesis substitutes hostile values for that argument alone
(:func:`hostile`: ``None``, strings, lists, dicts, ``object()``, booleans, NaN, infinities,
negatives, zero, fractions where an integer is expected, huge integers, empty, reshaped, NaN,
string-, bool- and complex-typed arrays, rows that are no longer distributions, objects of other
types of the package; plus generated numbers and arrays). The call must then either return
normally, with the entry's invariants and no NaN in its result, or raise ``ValueError`` /
``TypeError`` whose message names the argument (or its alias). Anything else fails: another
exception type (``AttributeError``, ``KeyError``, ``IndexError``, ``RuntimeError``,
``ZeroDivisionError``, ``RecursionError``, ``MemoryError``, ...), a numpy warning (the suite turns
warnings into errors), or a call that runs longer than :data:`CALL_SECONDS` (a hang). A missing
file may raise ``OSError`` naming the path. Allocations are capped for the run
(``MFCODE_MAX_ELEMENTS``, ``MFCODE_MAX_STEPS`` lowered, an address-space limit), so an unbounded
request shows up as a refusal or a ``MemoryError``, never as swapping.

The run is deterministic (``derandomize=True``) and small (:data:`EXAMPLES` hostile values per
argument); ``MFCODE_FUZZ_EXAMPLES=500`` searches much further.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import dataclasses
import importlib
import inspect
import json
import math
import os
import re
import resource
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock

import numpy as np
import pytest
import torch
from gymnasium import spaces
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mfcode import fixed_point, limits, markov, notebooks, provenance, simplex, validation
from mfcode.claims import ledger, render, schema, table, verdict
from mfcode.mfc import bounds, combinatorics, dp, finite_n, jsq, mdp, model, nagent, scheduling, toy
from mfcode.mfg import exploitability as expl
from mfcode.mfg import (
    finite_horizon,
    games,
    lipschitz,
    openspiel_compat,
    openspiel_games,
    openspiel_solvers,
    operators,
    protocol,
    solvers,
    speed,
    stationary,
)
from mfcode.reproduce import cli as reproduce_cli
from mfcode.reproduce import experiment as reproduce_experiment
from mfcode.reproduce import fig4, registry, runner
from mfcode.rl import (
    artifact,
    config,
    distributions,
    env,
    env_checker,
    evaluation,
    mfc_env,
    nagent_env,
    networks,
    ppo,
    toy_envs,
    views,
)
from mfcode.rl.budget import Budget
from mfcode.rl.gae import gae

#: Hostile values tried per argument (``MFCODE_FUZZ_EXAMPLES`` overrides).
EXAMPLES = int(os.environ.get("MFCODE_FUZZ_EXAMPLES", "8"))
#: Wall-clock seconds a single call may take before it counts as a hang.
CALL_SECONDS = 10.0
#: Size limits of :mod:`mfcode.limits` during the run (every valid example stays far below them).
MAX_ELEMENTS = 2**22
MAX_STEPS = 10**5

Kwargs = dict[str, Any]

#: The module's scratch folder (a tiny book, a ledger, artifacts; also where hostile paths point).
_TMP = Path(tempfile.mkdtemp(prefix="mfcode-fuzz-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


# -- the registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Api:
    """One public function, method or constructor and a valid call of it.

    Attributes
    ----------
    name
        Its dotted name (``mfcode.simplex.softmax``, ``StationaryMFG.reward``).
    call
        What is called with the keyword arguments.
    valid
        A valid example: the keyword arguments, as fresh objects at every call.
    aliases
        Argument -> other words its error may name instead of the argument itself.
    reason
        Why those aliases (required with ``aliases``).
    check
        Invariants of a normal return: ``check(result, kwargs)`` raises ``AssertionError``.
    raises
        Further exception types the function documents (with ``reason``).
    nan_ok
        The result may legitimately hold NaN (documented).
    unfuzzed
        Arguments of the valid call that take any value (argument -> why): not fuzzed.
    """

    name: str
    call: Callable[..., Any]
    valid: Callable[[], Kwargs]
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reason: str = ""
    check: Callable[[Any, Kwargs], None] | None = None
    raises: tuple[type[BaseException], ...] = ()
    nan_ok: bool = False
    unfuzzed: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.aliases or self.raises) and not self.reason:
            raise ValueError(f"{self.name}: aliases and extra exceptions need a reason")

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(a for a in self.valid() if a not in self.unfuzzed)


REGISTRY: list[Api] = []


def api(name: str, call: Callable[..., Any], valid: Callable[[], Kwargs], **options: Any) -> None:
    """Register one entry (see :class:`Api`)."""
    REGISTRY.append(Api(name, call, valid, **options))


# -- hostile values ------------------------------------------------------------------------------


class _Opaque:
    """An object of no type the package knows."""

    def __repr__(self) -> str:
        return "<opaque>"


def _returns(value: Any) -> Callable[..., Any]:
    def fn(*args: Any, **kwargs: Any) -> Any:
        return value

    return fn


#: Values tried for every argument, whatever its type.
COMMON: tuple[Any, ...] = (
    None, "x", "", [], {}, _Opaque(), True, False, math.nan, math.inf, -math.inf, -1, 0, 0.5, -0.5, 2.5,
    10**30, 1e300, -1e300, 1j, [[]], [None], ["a", "b"], np.array([]), np.array("abc"), np.array(np.nan),
    _returns(None),
)


@cache
def foreign() -> tuple[Any, ...]:
    """Objects of the package's own types, handed where another type is expected."""
    from gymnasium import spaces

    from mfcode.mfc import MFCMDP, SchedulingModel
    from mfcode.mfg import games
    from mfcode.rl.budget import Budget
    from mfcode.rl.config import PPOConfig
    from mfcode.rl.env import EnvSpec

    box = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float64)
    return (
        games.sis(), games.left_right(), MFCMDP(SchedulingModel()), SchedulingModel(), EnvSpec(box, spaces.Discrete(2)),
        PPOConfig(), Budget(mf_steps=10, agent_steps=0, n_agents=(1,)), np.random.default_rng(0), torch.zeros(2),
        _TMP / "foreign", Fraction(1, 3),
    )


def _array_variants(a: np.ndarray[Any, Any]) -> list[Any]:
    """Arrays near ``a``: wrong entries, shapes and dtypes."""
    out: list[Any] = [a.tolist()]
    if a.size == 0:
        return out
    if a.dtype.kind in "fc":
        for bad in (np.nan, np.inf, -np.inf, -1.0, 1e300):
            b = a.astype(np.float64).copy()
            b.reshape(-1)[-1] = bad
            out.append(b)
        out += [a * 2.0, a + 1.0, np.zeros_like(a), -a, a.astype(np.float32), a.astype(np.complex128)]
    if a.dtype.kind in "iu":
        out += [a + 10**6, a - 10**6, a + 0.5, a.astype(np.float64), np.full_like(a, -1)]
    if a.dtype.kind == "b":
        out += [~a, np.zeros_like(a), a.astype(np.int64)]
    out += [a.astype(str), a.astype(bool), a.astype(object), a[None], a.reshape(-1), a[..., :-1], np.concatenate([a, a], axis=-1),
            np.empty((0, *a.shape[1:]), dtype=a.dtype), a.reshape(-1)[0], np.swapaxes(a, 0, -1) if a.ndim > 1 else a[::-1]]
    if a.ndim >= 2:
        out.append(a[:-1])
    return out


def _dataclass_variants(valid: Any) -> list[Any]:
    """Copies of a dataclass instance with one field hostile (those its constructor accepts)."""
    out: list[Any] = []
    for f in dataclasses.fields(valid):
        if not f.init:
            continue
        current = getattr(valid, f.name)
        candidates = [None, "x", math.nan, -1]
        if isinstance(current, np.ndarray):
            candidates += [v for v in _array_variants(current) if isinstance(v, np.ndarray)][:8]
        for bad in candidates:
            try:
                out.append(dataclasses.replace(valid, **{f.name: bad}))
            except Exception:  # a constructor that refuses the field is what we want
                continue
    return out


def derived(valid: Any) -> list[Any]:
    """Hostile values shaped after the valid one."""
    if isinstance(valid, bool):
        return ["yes", 2, np.bool_(valid), 1.0]
    if isinstance(valid, (int, np.integer)):
        v = int(valid)
        return [v + 1, v - 1, -v, -v - 1, v * 10**6, float(v), v + 0.5, np.int64(v), np.float64(v), np.uint8(max(v, 0) % 256),
                str(v), [v], np.array(v), 2**63, -(2**63)]
    if isinstance(valid, (float, np.floating)):
        v = float(valid)
        return [-v, v * 1e6, v * 1e-6, 0.0, 1.0, 1.0 + 1e-9, -1e-9, np.float64(v), np.float32(v), str(v), [v], np.array(v), int(v),
                Fraction(v).limit_denominator(100)]
    if isinstance(valid, str):
        return ["nonsense", valid.upper(), valid + " ", " " + valid, valid * 3, "\x00", 1, b"bytes", [valid], Path(valid)]
    if isinstance(valid, Path):  # a missing path, a folder, the path as str, a sibling, not paths
        folder = _TMP / "a folder"
        folder.mkdir(exist_ok=True)
        return [_TMP / "missing" / "x", folder, str(valid), Path(str(valid) + ".bak"), 1, b"/tmp"]
    if isinstance(valid, torch.Tensor):
        variants = [v for v in _array_variants(valid.detach().cpu().numpy()) if isinstance(v, np.ndarray)]
        return [valid.numpy(), valid.tolist(), *(torch.as_tensor(np.ascontiguousarray(v)) for v in variants if v.dtype.kind in "fiub")]
    if isinstance(valid, np.ndarray):
        return _array_variants(valid)
    if isinstance(valid, (list, tuple)):
        out: list[Any] = [type(valid)(), list(valid) if isinstance(valid, tuple) else tuple(valid)]
        if valid:
            out += [type(valid)([None] * len(valid)), type(valid)(["x"] * len(valid)), type(valid)([*valid, valid[0]]), valid[:-1]]
            with contextlib.suppress(TypeError, ValueError, RuntimeError):  # a tuple of non-numbers has no array variants
                out += _array_variants(np.asarray(valid, dtype=np.float64))
        return out
    if isinstance(valid, Mapping):
        out = [dict.fromkeys(valid), {**valid, "junk": 1}, list(valid), {}]
        for key in list(valid)[:3]:
            out += [{k: v for k, v in valid.items() if k != key}, {**valid, key: "x"}, {**valid, key: math.nan}]
        return out
    if dataclasses.is_dataclass(valid) and not isinstance(valid, type):
        return _dataclass_variants(valid)
    if callable(valid) and not isinstance(valid, type):
        return [_returns(math.nan), _returns(np.full(3, np.nan)), _returns("x"), _returns(_Opaque()), 1, "fn"]
    return []


def _fresh(value: Any) -> Any:
    """A copy of a pool value (a call may change its argument in place; the next example must not see that)."""
    try:
        return copy.deepcopy(value)
    except (TypeError, RuntimeError):  # an object that cannot be copied is handed as it is
        return value


def hostile(valid: Any) -> st.SearchStrategy[Any]:
    """Hostile values for an argument whose valid value is ``valid``: the fixed pools and generated ones."""
    pool = [*COMMON, *derived(valid), *(f for f in foreign() if type(f) is not type(valid))]
    generated: list[st.SearchStrategy[Any]] = [
        st.floats().filter(lambda x: abs(x) < 1e6 or not math.isfinite(x)),
        # integers between 65 and 2**40 would only ask a budget argument (max_iter, n_runs, total_env_steps) for long,
        # legitimate work; the pools above hold the boundary cases
        st.integers(-(2**70), 2**70).filter(lambda n: abs(n) <= 64 or abs(n) >= 2**40),
        st.text(st.characters(blacklist_characters="/\\"), max_size=5),  # no path separators: a writer stays in the cwd
    ]
    if isinstance(valid, (np.ndarray, list, tuple)) and not isinstance(valid, str):
        try:
            shape = np.shape(np.asarray(valid, dtype=object))
        except (TypeError, ValueError, RuntimeError):  # e.g. a list of tensors that require grad
            shape = (len(valid),)
        side = max(shape, default=1) + 1
        generated.append(
            hnp.arrays(
                dtype=st.sampled_from([np.float64, np.int64, np.bool_, np.float32]),
                shape=hnp.array_shapes(min_dims=0, max_dims=len(shape) + 1, min_side=0, max_side=min(side, 6)),
            )
        )
        if shape:
            generated.append(hnp.arrays(dtype=np.float64, shape=shape, elements=st.floats(-2.0, 2.0)))
    return st.one_of(st.integers(0, len(pool) - 1).map(lambda i: _fresh(pool[i])), *generated)


# -- the outcome of a call -------------------------------------------------------------------------


class Hang(BaseException):
    """A call ran longer than :data:`CALL_SECONDS`."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"call ran longer than {CALL_SECONDS} s")


def _names(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])", text) for w in words)


def _nan_in(value: Any, depth: int = 0) -> bool:
    """Whether a result holds NaN (arrays, tensors, numbers, containers, dataclass fields)."""
    if depth > 4:
        return False
    if isinstance(value, torch.Tensor):
        return bool(value.is_floating_point() and torch.isnan(value).any())
    if isinstance(value, np.ndarray):
        return bool(value.dtype.kind in "fc" and np.isnan(value).any())
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, Mapping):
        return any(_nan_in(v, depth + 1) for v in list(value.values())[:200])
    if isinstance(value, (list, tuple)):
        return any(_nan_in(v, depth + 1) for v in value[:200])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_nan_in(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False


def outcome(entry: Api, arg: str, kwargs: Kwargs) -> None:
    """Call ``entry`` with ``kwargs`` (``arg`` hostile); fail unless the promise of the module docstring holds."""
    value = kwargs[arg]
    words = (arg, *entry.aliases.get(arg, ()))
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        result = entry.call(**kwargs)
    except (ValueError, TypeError) as error:
        if not _names(str(error), words):
            pytest.fail(f"{entry.name}({arg}={value!r}): {type(error).__name__} does not name {words}: {error}")
        return
    except entry.raises:
        return
    except OSError as error:
        path = str(Path(value)) if isinstance(value, (str, Path)) else None
        named = error.filename is not None and str(Path(error.filename)).startswith(str(path))
        if path is None or not (named or _names(str(error), words) or path in str(error)):
            pytest.fail(f"{entry.name}({arg}={value!r}): {type(error).__name__}: {error}")
        return
    except Hang:
        pytest.fail(f"{entry.name}({arg}={value!r}): hangs (over {CALL_SECONDS} s)")
    except Exception as error:  # the promise is broken: the test reports which exception escaped
        pytest.fail(f"{entry.name}({arg}={value!r}): {type(error).__name__}: {error}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if not entry.nan_ok and _nan_in(result):
        pytest.fail(f"{entry.name}({arg}={value!r}) returned NaN")
    if entry.check is not None:
        try:
            entry.check(result, kwargs)
        except AssertionError as error:
            pytest.fail(f"{entry.name}({arg}={value!r}) returned normally but broke its invariant: {error}")


# -- invariants ------------------------------------------------------------------------------------


def _numbers(result: Any) -> np.ndarray[Any, Any]:
    """The result as a float array (``AssertionError`` if it holds no real numbers)."""
    if isinstance(result, torch.Tensor):
        result = result.detach().cpu().numpy()
    arr = np.asarray(result)
    assert arr.dtype.kind in "biuf", f"result of dtype {arr.dtype}, not real numbers"
    return arr.astype(np.float64)


def distribution() -> Callable[[Any, Kwargs], None]:
    """The result's last axis lies on the simplex."""

    def check(result: Any, kwargs: Kwargs) -> None:
        arr = _numbers(result)
        if arr.size == 0:  # an empty batch of distributions
            return
        assert arr.min() >= -1e-12, f"negative entry {arr.min()}"
        assert np.allclose(arr.sum(axis=-1), 1.0, atol=1e-9), "last axis does not sum to 1"

    return check


def finite(result: Any, kwargs: Kwargs) -> None:
    """Every number of the result is finite."""
    arr = _numbers(result)
    assert np.isfinite(arr).all(), "non-finite result"


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Low size limits, an address-space cap and one torch thread for every call of this module.

    The calls run in a temporary working directory with a temporary ledger: a hostile relative path
    handed to a writer lands there, never in the repository.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path / "ledger"))
    monkeypatch.delenv("MFBOOK_ROOT", raising=False)
    monkeypatch.setenv("MFCODE_MAX_ELEMENTS", str(MAX_ELEMENTS))
    monkeypatch.setenv("MFCODE_MAX_STEPS", str(MAX_STEPS))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as handle:
        used = int(handle.read().split()[0]) * resource.getpagesize()
    cap = used + 4 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        torch.set_num_threads(threads)


SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate),  # the message names the value: no shrinking
)




# == the registry ===================================================================================
# -- mfcode.simplex, markov, validation, fixed_point, limits, provenance -----------------------------


P2 = (0.3, 0.7)
api("mfcode.simplex.check_distribution", simplex.check_distribution, lambda: dict(x=np.array(P2), name="p", atol=1e-8),
    aliases={"x": ("p",)}, reason="the error names the argument by the name it is given", check=distribution())
api("mfcode.simplex.entropy", simplex.entropy, lambda: dict(p=np.array(P2)), check=finite)
api("mfcode.simplex.kl_divergence", simplex.kl_divergence, lambda: dict(p=np.array(P2), q=np.array([0.5, 0.5])))
api("mfcode.simplex.logsumexp", simplex.logsumexp, lambda: dict(x=np.array([0.0, 1.0])))
api("mfcode.simplex.policy_distance", simplex.policy_distance,
    lambda: dict(pi=np.array([P2, P2]), pi_prime=np.array([[0.5, 0.5], [1.0, 0.0]]), weights=np.array([0.5, 0.5])), check=finite)
api("mfcode.simplex.project", simplex.project, lambda: dict(x=np.array([0.2, 1.5, -0.3])), check=distribution())
api("mfcode.simplex.softmax", simplex.softmax, lambda: dict(x=np.array([[0.0, 1.0], [2.0, 2.0]]), temperature=0.5),
    check=distribution())

KERNEL2 = ((0.9, 0.1), (0.2, 0.8))
MARKOV = ("the exact evaluation inside every solver's sweep: types, shapes and gamma are checked, the values are the "
          "callers' (validated once at their boundary), so NaN in gives NaN out")
api("mfcode.markov.evaluate", markov.evaluate, lambda: dict(reward=np.array([1.0, 0.0]), kernel=np.array(KERNEL2), gamma=0.9),
    nan_ok=True, reason=MARKOV)
api("mfcode.markov.kernel_under", markov.kernel_under,
    lambda: dict(policy=np.array([P2, P2]), kernel=np.array([KERNEL2, KERNEL2])), nan_ok=True, reason=MARKOV)
api("mfcode.markov.reward_under", markov.reward_under,
    lambda: dict(policy=np.array([P2, P2]), reward=np.array([[1.0, 0.0], [0.0, 1.0]])), nan_ok=True, reason=MARKOV)

NAMED = {"value": ("x",)}
BOUNDS = {"value": ("x",), "low": ("x",), "high": ("x",), "low_open": ("x",), "high_open": ("x",)}
api("mfcode.validation.check_real", validation.check_real,
    lambda: dict(value=0.5, name="x", low=0.0, high=1.0, low_open=False, high_open=True), aliases=BOUNDS,
    reason="the error names the checked argument by the name it is given; bounds that exclude it make its check fail")
api("mfcode.validation.check_int", validation.check_int, lambda: dict(value=3, name="x", low=1, high=5), aliases=BOUNDS,
    reason="the error names the checked argument by the name it is given; bounds that exclude it make its check fail")
api("mfcode.validation.check_rng", validation.check_rng, lambda: dict(seed=3, name="s"), aliases={"seed": ("s",)},
    reason="the error names the checked argument by the name it is given")
api("mfcode.validation.check_path", validation.check_path, lambda: dict(value="a/b", name="p"), aliases=NAMED | {"value": ("p",)},
    reason="the error names the checked argument by the name it is given")
api("mfcode.validation.check_bool", validation.check_bool, lambda: dict(value=True, name="x"), aliases=NAMED,
    reason="the error names the checked argument by the name it is given")
api("mfcode.validation.check_callable", validation.check_callable, lambda: dict(value=len, name="x"), aliases=NAMED,
    reason="the error names the checked argument by the name it is given")
api("mfcode.validation.check_array", validation.check_array,
    lambda: dict(x=np.ones((2, 3)), name="a", ndim=2, min_ndim=1, shape=(2, 3), finite=True, integer=False),
    aliases={"x": ("a",), "ndim": ("a",), "min_ndim": ("a",), "shape": ("a",), "integer": ("a",), "finite": ("a",)},
    reason="the error names the checked argument by the name it is given; constraints it breaks make its check fail")
api("mfcode.validation.check_temperature", validation.check_temperature, lambda: dict(value=0.5, name="x"), aliases=NAMED,
    reason="the error names the checked argument by the name it is given")


def _halve(x: Any) -> tuple[Any, float]:
    return x / 2, float(np.abs(x).max())


api("mfcode.fixed_point.iterate", fixed_point.iterate,
    lambda: dict(step=_halve, start=np.ones(2), tol=1e-3, max_iter=50, what="halving", raise_on_failure=True, progress=False),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol",
    unfuzzed={"start": "any state: it is handed unchanged to the caller's own step"})
api("mfcode.fixed_point.compute_fixed_point", fixed_point.compute_fixed_point,
    lambda: dict(operator=np.cos, start=np.full(2, 4.0), tol=1e-6, max_iter=200, distance=fixed_point.l1_distance,
                 what="x <- cos(x)", raise_on_failure=True),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol")
api("mfcode.fixed_point.l1_distance", fixed_point.l1_distance, lambda: dict(x=np.array(P2), y=np.array([0.5, 0.5])))
api("mfcode.fixed_point.sup_distance", fixed_point.sup_distance, lambda: dict(x=np.array(P2), y=np.array([0.5, 0.5])))

LIMIT = "the refusal names what the limit protects, as its caller describes it"
api("mfcode.limits.check_elements", limits.check_elements, lambda: dict(count=10, what="an array", itemsize=8),
    aliases={"count": ("an array",)}, reason=LIMIT)
api("mfcode.limits.check_steps", limits.check_steps, lambda: dict(count=10, what="a loop"), aliases={"count": ("a loop",)},
    reason=LIMIT)
api("mfcode.limits.max_elements", limits.max_elements, dict)
api("mfcode.limits.max_steps", limits.max_steps, dict)

api("mfcode.provenance.command_line", provenance.command_line, lambda: dict(module="mfcode.reproduce", argv=["list"]))
api("mfcode.provenance.device_record", provenance.device_record, lambda: dict(device=torch.device("cpu")))
api("mfcode.provenance.git_commit", provenance.git_commit, lambda: dict(path=Path(__file__).parent))
api("mfcode.provenance.jsonable", provenance.jsonable, lambda: dict(obj={"a": (1, 2.5)}))
api("mfcode.provenance.runtime_record", provenance.runtime_record, dict)


# -- mfcode.mfg ----------------------------------------------------------------------------------


#: Protocol methods that take arrays the caller has validated: the solvers' inner steps. They are
#: covered through the validating functions that call them (:mod:`mfcode.mfg.operators`,
#: :func:`~mfcode.mfg.exploitability.exploitability`, the solvers' ``solve``), not fuzzed directly.
TRUSTED: dict[str, str] = {}


def trusted(names: str, why: str) -> None:
    for name in names.split():
        TRUSTED[name] = why


PROTOCOL = "a protocol method on validated arrays (a solver's inner step), covered through mfcode.mfg.operators"
for kind in ("stationary.StationaryMFG", "finite_horizon.FiniteHorizonMFG"):
    trusted(" ".join(f"mfcode.mfg.{kind}.{m}" for m in ("state_marginal", "dynamics_at", "induce", "mean_field_update",
                                                        "best_response", "evaluate", "exploitability_gap", "mirror_q")), PROTOCOL)
trusted(" ".join(f"mfcode.mfg.openspiel_games.OpenSpielMFG.{m}" for m in ("dynamics_at", "induce", "mirror_q")), PROTOCOL)
trusted("mfcode.mfg.finite_horizon.FiniteHorizonMFG.population_argument",
        "the per-epoch argument of the model functions inside induce, on validated arrays")
for kind in ("FixedPoint", "FictitiousPlay", "OnlineMirrorDescent", "PriorDescent"):
    trusted(f"mfcode.mfg.solvers.{kind}.init_state mfcode.mfg.solvers.{kind}.step",
            "a solver's inner step on a validated game and policy, covered through IterativeSolver.solve")
trusted("mfcode.mfg.solvers.RegularizedBestResponse.respond mfcode.mfg.openspiel_solvers.OpenSpielBestResponse.respond",
        "a solver's inner step, covered through IterativeSolver.solve")


@cache
def sis() -> stationary.StationaryMFG:
    return games.sis()


@cache
def episodic() -> finite_horizon.FiniteHorizonMFG:
    return games.sis_episodic(horizon=3)


@cache
def crowd() -> openspiel_games.OpenSpielMFG:
    return openspiel_games.openspiel_crowd_modelling(size=3, horizon=3)


def sis_dynamics() -> stationary.StationaryDynamics:
    return operators.dynamics_at(sis(), sis().initial)  # type: ignore[no-any-return]


def flow() -> np.ndarray[Any, Any]:
    return operators.induced_mean_field(episodic(), episodic().uniform_policy())


PI2 = ((0.5, 0.5), (0.2, 0.8))
SIS_PARTS = dict(n_states=2, n_actions=2, gamma=0.9, initial=np.array([0.4, 0.6]))


def _sis_model() -> games.SISParameters:
    return games.SISParameters()


# games: the model parameter classes, their model functions and the constructors
api("mfcode.mfg.games.TimeHomogeneous", games.TimeHomogeneous, lambda: dict(fn=_sis_model().reward))
api("mfcode.mfg.games.TimeHomogeneous.__call__", lambda t, m: games.TimeHomogeneous(_sis_model().reward)(t, m),
    lambda: dict(t=0, m=np.array(P2)), aliases={"m": ("mu",)}, reason="the wrapped model function names its own argument")
api("mfcode.mfg.games.SISParameters", games.SISParameters,
    lambda: dict(infection_rate=0.81, recovery=0.3, distancing_cost=0.5, infection_cost=1.0))
api("mfcode.mfg.games.SISParameters.reward", lambda mu: _sis_model().reward(mu), lambda: dict(mu=np.array(P2)), check=finite)
api("mfcode.mfg.games.SISParameters.transition", lambda mu: _sis_model().transition(mu), lambda: dict(mu=np.array(P2)), check=distribution())
api("mfcode.mfg.games.LQParameters", games.LQParameters,
    lambda: dict(n_states=3, actions_per_side=1, noise_per_side=1, dt=1.0, sigma=1.0, cross_q=0.01, kappa=0.5))
LQ3 = dict(n_states=3, actions_per_side=1, noise_per_side=1)
api("mfcode.mfg.games.LQParameters.reward", lambda mu: games.LQParameters(**LQ3).reward(mu), lambda: dict(mu=np.full(3, 1 / 3)), check=finite)
api("mfcode.mfg.games.LQParameters.transition", lambda mu: games.LQParameters(**LQ3).transition(mu), lambda: dict(mu=np.full(3, 1 / 3)),
    check=distribution())
api("mfcode.mfg.games.LQParameters.noise", lambda: games.LQParameters(**LQ3).noise(), dict, check=distribution())
api("mfcode.mfg.games.BeachBarParameters", games.BeachBarParameters, lambda: dict(n_states=3, bar_location=1, p_still=0.5,
                                                                                   log_eps=1e-20))
api("mfcode.mfg.games.BeachBarParameters.reward", lambda t, mu: games.BeachBarParameters(n_states=3).reward(t, mu),
    lambda: dict(t=0, mu=np.full(3, 1 / 3)), check=finite)
api("mfcode.mfg.games.BeachBarParameters.transition", lambda t, mu: games.BeachBarParameters(n_states=3).transition(t, mu),
    lambda: dict(t=0, mu=np.full(3, 1 / 3)), check=distribution())


@cache
def garnet_model() -> games.GarnetParameters:
    return games.garnet(3, 2, herding=0.5, seed=0).reward_fn.__self__  # type: ignore[attr-defined, no-any-return]


api("mfcode.mfg.games.GarnetParameters", games.GarnetParameters,
    lambda: dict(r0=np.zeros((2, 2)), w=np.zeros((2, 2)), p0=np.array([KERNEL2, KERNEL2]), coupling=1.0, mixing=0.1,
                 herding=0.5),
    aliases={"r0": ("w", "p0")}, reason="r0 sets S and A: another shape no longer fits w and p0")
api("mfcode.mfg.games.GarnetParameters.reward", lambda mu: garnet_model().reward(mu), lambda: dict(mu=np.full(3, 1 / 3)), check=finite)
api("mfcode.mfg.games.GarnetParameters.transition", lambda mu: garnet_model().transition(mu), lambda: dict(mu=np.full(3, 1 / 3)),
    check=distribution())


@cache
def linear_model() -> games.RandomLinearParameters:
    return games.random_linear(n=2, horizon=2).reward_fn.__self__  # type: ignore[attr-defined, no-any-return]


api("mfcode.mfg.games.RandomLinearParameters", games.RandomLinearParameters,
    lambda: dict(p1=np.zeros((2, 2, 2)), p2=np.zeros((2, 2, 2)), r1=np.zeros((2, 2)), r2=np.zeros((2, 2))),
    aliases={"r2": ("r1", "p1", "p2")}, reason="r2 sets n: another shape no longer fits r1, p1 and p2")
api("mfcode.mfg.games.RandomLinearParameters.reward", lambda t, joint: linear_model().reward(t, joint), lambda: dict(t=0, joint=np.full((2, 2), 0.25)),
    check=finite)
api("mfcode.mfg.games.RandomLinearParameters.transition", lambda t, joint: linear_model().transition(t, joint),
    lambda: dict(t=0, joint=np.full((2, 2), 0.25)), check=distribution())
api("mfcode.mfg.games.sis", games.sis,
    lambda: dict(gamma=0.9, infection_rate=0.81, recovery=0.3, distancing_cost=0.5, initial=np.array([0.4, 0.6])))
api("mfcode.mfg.games.sis_episodic", games.sis_episodic,
    lambda: dict(horizon=3, gamma=1.0, infection_rate=0.81, recovery=0.3, distancing_cost=0.5, initial=np.array([0.4, 0.6])))
MODEL_SIZE = {"parameters": ("initial",)}
MODEL_REASON = "a model of another size (the default one, for None) no longer fits the initial distribution given"
api("mfcode.mfg.games.lq", games.lq, lambda: dict(gamma=0.9, parameters=games.LQParameters(**LQ3), initial=np.full(3, 1 / 3)),
    aliases=MODEL_SIZE, reason=MODEL_REASON)
api("mfcode.mfg.games.lq_episodic", games.lq_episodic,
    lambda: dict(horizon=3, gamma=1.0, parameters=games.LQParameters(**LQ3), initial=np.full(3, 1 / 3)), aliases=MODEL_SIZE,
    reason=MODEL_REASON)
api("mfcode.mfg.games.garnet", games.garnet,
    lambda: dict(n_states=3, n_actions=2, coupling=1.0, mixing=0.1, herding=0.0, branching=2, gamma=0.9, seed=0, check=True))
api("mfcode.mfg.games.left_right", games.left_right, lambda: dict(initial=np.array([1.0, 0.0, 0.0])))
api("mfcode.mfg.games.rock_paper_scissors", games.rock_paper_scissors, lambda: dict(horizon=2, initial=np.array([1.0, 0, 0, 0])))
api("mfcode.mfg.games.beach_bar", games.beach_bar,
    lambda: dict(horizon=2, parameters=games.BeachBarParameters(n_states=3), initial=np.full(3, 1 / 3)), aliases=MODEL_SIZE,
    reason=MODEL_REASON)
api("mfcode.mfg.games.random_linear", games.random_linear,
    lambda: dict(n=2, m=10.0, horizon=2, seed=0, parameters=None, check=True))

# the game classes
SIZES = {"n_states": ("initial", "state_names", "reward_fn(initial)", "reward_fn(0, initial)", "transition_fn(initial)"),
         "n_actions": ("action_names", "reward_fn(initial)", "reward_fn(0, initial)", "transition_fn(initial)",
                       "transition_fn(0, initial)"),
         "horizon": ("model",)}
SIZE_REASON = "sizes that no longer fit the other arguments (initial, names, model functions) make those arguments' checks fail"
api("mfcode.mfg.stationary.StationaryMFG", stationary.StationaryMFG, aliases=SIZES, reason=SIZE_REASON,
    valid=lambda: dict(**SIS_PARTS, reward_fn=_sis_model().reward, transition_fn=_sis_model().transition, state_names=("S", "I"),
                       action_names=("D", "U"), name="sis", check=True, transition_depends_on_mu=True))
api("mfcode.mfg.stationary.StationaryMFG.check_mean_field", lambda mean_field, name: sis().check_mean_field(mean_field, name),
    lambda: dict(mean_field=np.array(P2), name="mu"), aliases={"mean_field": ("mu",)}, reason="named as the caller says",
    check=distribution())
api("mfcode.mfg.stationary.StationaryMFG.check_policy", lambda policy, name: sis().check_policy(policy, name),
    lambda: dict(policy=np.array(PI2), name="pi"), aliases={"policy": ("pi",)}, reason="named as the caller says",
    check=distribution())
api("mfcode.mfg.stationary.StationaryMFG.check_dynamics", lambda dynamics, name: sis().check_dynamics(dynamics, name),
    lambda: dict(dynamics=sis_dynamics(), name="dyn"), aliases={"dynamics": ("dyn",)}, reason="named as the caller says")
api("mfcode.mfg.stationary.StationaryMFG.uniform_policy", lambda: sis().uniform_policy(), dict, check=distribution())
api("mfcode.mfg.stationary.StationaryMFG.horizon_weight", lambda: sis().horizon_weight(), dict, check=finite)
api("mfcode.mfg.stationary.StationaryMFG.reward", lambda mu: sis().reward(mu), lambda: dict(mu=np.array(P2)), check=finite)
api("mfcode.mfg.stationary.StationaryMFG.transition", lambda mu: sis().transition(mu), lambda: dict(mu=np.array(P2)), check=distribution())
api("mfcode.mfg.stationary.StationaryMFG.push_forward", lambda policy, mu: sis().push_forward(policy, mu), lambda: dict(policy=np.array(PI2), mu=np.array(P2)),
    check=distribution())
api("mfcode.mfg.stationary.StationaryMFG.visitation", lambda policy, mu, rho: sis().visitation(policy, mu, rho),
    lambda: dict(policy=np.array(PI2), mu=np.array(P2), rho=np.array([0.5, 0.5])), check=distribution())
api("mfcode.mfg.stationary.soft_value_iteration", stationary.soft_value_iteration,
    lambda: dict(game=sis(), dynamics=sis_dynamics(), temperature=0.5, tol=1e-8, max_iter=2000),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol")

api("mfcode.mfg.finite_horizon.FiniteHorizonMFG", finite_horizon.FiniteHorizonMFG, aliases=SIZES, reason=SIZE_REASON,
    valid=lambda: dict(n_states=2, n_actions=2, horizon=3, reward_fn=games.TimeHomogeneous(_sis_model().reward),
                 transition_fn=games.TimeHomogeneous(_sis_model().transition), initial=np.array([0.4, 0.6]), gamma=1.0,
                 population="state", state_names=("S", "I"), action_names=("D", "U"), name="sis", check=True))
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.check_mean_field", lambda mean_field, name: episodic().check_mean_field(mean_field, name),
    lambda: dict(mean_field=flow(), name="mu"), aliases={"mean_field": ("mu",)}, reason="named as the caller says",
    check=distribution())
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.check_policy", lambda policy, name: episodic().check_policy(policy, name),
    lambda: dict(policy=episodic().uniform_policy(), name="pi"), aliases={"policy": ("pi",)}, reason="named as the caller says",
    check=distribution())
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.check_dynamics", lambda dynamics, name: episodic().check_dynamics(dynamics, name),
    lambda: dict(dynamics=operators.dynamics_at(episodic(), flow()), name="dyn"), aliases={"dynamics": ("dyn",)},
    reason="named as the caller says")
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.uniform_policy", lambda: episodic().uniform_policy(), dict, check=distribution())
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.horizon_weight", lambda: episodic().horizon_weight(), dict, check=finite)
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.reward", lambda t, m: episodic().reward(t, m), lambda: dict(t=1, m=np.array(P2)), check=finite)
api("mfcode.mfg.finite_horizon.FiniteHorizonMFG.transition", lambda t, m: episodic().transition(t, m), lambda: dict(t=1, m=np.array(P2)),
    check=distribution())

# operators and exploitability, on a stationary and on a finite-horizon game
OTHER_GAME = ("mu", "mean_field", "policy", "start", "dynamics")
GAME_ALIAS = {"game": OTHER_GAME}
GAME_REASON = "a game of another kind or size refuses the other arguments, which no longer fit it"
for label, game, mu, pi, dyn in (("", sis, lambda: np.array(P2), lambda: np.array(PI2), sis_dynamics),
                                 ("[finite horizon]", episodic, flow, lambda: episodic().uniform_policy(),
                                  lambda: operators.dynamics_at(episodic(), flow()))):
    api(f"mfcode.mfg.operators.dynamics_at{label}", operators.dynamics_at, lambda game=game, mu=mu: dict(game=game(), mean_field=mu()),
        aliases=GAME_ALIAS, reason=GAME_REASON)
    api(f"mfcode.mfg.operators.induced_mean_field{label}", operators.induced_mean_field,
        lambda game=game, mu=mu, pi=pi: dict(game=game(), policy=pi(), start=mu()), aliases=GAME_ALIAS, reason=GAME_REASON,
        check=distribution())
    api(f"mfcode.mfg.operators.best_response{label}", operators.best_response,
        lambda game=game, mu=mu, dyn=dyn: dict(game=game(), mu=mu(), temperature=0.5, q_init=None, dynamics=dyn()),
        aliases=GAME_ALIAS, reason=GAME_REASON)
    api(f"mfcode.mfg.operators.mean_field_map{label}", operators.mean_field_map,
        lambda game=game, mu=mu, dyn=dyn: dict(game=game(), mu=mu(), temperature=0.5, dynamics=dyn()), aliases=GAME_ALIAS,
        reason=GAME_REASON, check=distribution())
    api(f"mfcode.mfg.operators.policy_value{label}", operators.policy_value,
        lambda game=game, mu=mu, pi=pi, dyn=dyn: dict(game=game(), policy=pi(), mu=mu(), temperature=0.5, dynamics=dyn()),
        aliases=GAME_ALIAS, reason=GAME_REASON, check=finite)
    api(f"mfcode.mfg.operators.policy_q{label}", operators.policy_q,
        lambda game=game, mu=mu, pi=pi, dyn=dyn: dict(game=game(), policy=pi(), mu=mu(), temperature=0.5, dynamics=dyn()),
        aliases=GAME_ALIAS, reason=GAME_REASON, check=finite)
    api(f"mfcode.mfg.exploitability.exploitability{label}", expl.exploitability,
        lambda game=game, mu=mu, pi=pi, dyn=dyn: dict(game=game(), policy=pi(), temperature=0.5, mean_field=mu(), dynamics=dyn()),
        aliases=GAME_ALIAS, reason=GAME_REASON, check=finite)
    api(f"mfcode.mfg.exploitability.regularization_bias_bound{label}", expl.regularization_bias_bound,
        lambda game=game: dict(game=game(), temperature=0.5), check=finite)
api("mfcode.mfg.operators.best_response[q_init]", operators.best_response,
    lambda: dict(game=sis(), mu=np.array(P2), temperature=0.5, q_init=np.zeros((2, 2)), dynamics=None), aliases=GAME_ALIAS,
    reason=GAME_REASON)
api("mfcode.mfg.protocol.require_game", protocol.require_game, lambda: dict(game=sis(), name="g"), aliases={"game": ("g",)},
    reason="named as the caller says")

# solvers
SOLVERS: dict[str, Callable[[], Any]] = {
    "FixedPoint": lambda: dict(temperature=0.5, damping=0.5, best_response=solvers.RegularizedBestResponse()),
    "FictitiousPlay": lambda: dict(temperature=0.5, alpha=0.0, best_response=solvers.RegularizedBestResponse()),
    "OnlineMirrorDescent": lambda: dict(temperature=0.5, alpha=1.0),
    "PriorDescent": lambda: dict(temperature=0.5, eta=1.0, n_inner=2),
}
for kind, settings_ in SOLVERS.items():
    cls = getattr(solvers, kind)
    api(f"mfcode.mfg.solvers.{kind}", cls, settings_)
    for label, game in (("", sis), ("[finite horizon]", episodic)):
        api(f"mfcode.mfg.solvers.IterativeSolver.solve[{kind}]{label}", lambda cls=cls, settings_=settings_, **kw: cls(**settings_()).solve(**kw),
            lambda game=game: dict(game=game(), policy=game().uniform_policy(), max_iter=2, atol=None, progress=False,
                                   score_temperature=0.0),
            aliases={"game": ("policy",)}, reason=GAME_REASON)
api("mfcode.mfg.solvers.RegularizedBestResponse", solvers.RegularizedBestResponse, dict)
api("mfcode.mfg.solvers.solve_equilibrium", solvers.solve_equilibrium,
    lambda: dict(game=sis(), temperature=0.5, start=np.array(P2), tol=1e-10, max_iter=200, memory=1),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol",
    aliases={"game": ("start",)}, check=lambda r, kw: distribution()(r.policy, kw))
api("mfcode.mfg.lipschitz.pair_quotients", lipschitz.pair_quotients,
    lambda: dict(game=sis(), mu=np.array([0.6, 0.4]), policy=np.array([[0.5, 0.5], [0.2, 0.8]]), mu2=np.array([0.3, 0.7]),
                 policy2=np.array([[0.9, 0.1], [0.5, 0.5]])),
    aliases={"game": ("mu", "mu2", "policy", "policy2")}, reason=GAME_REASON, check=lambda r, kw: finite(r.d3, kw))
api("mfcode.mfg.lipschitz.estimate_lipschitz", lipschitz.estimate_lipschitz,
    lambda: dict(game=sis(), temperature=0.5, n_pairs=2, local_scale=1e-3, seed=0), check=lambda r, kw: finite(r.bound, kw))

# OpenSpiel's games and solvers
api("mfcode.mfg.openspiel_solvers.greedy_first", openspiel_solvers.greedy_first, lambda: dict(q=np.array([[0.0, 1.0], [2.0, 2.0]])),
    check=distribution())
api("mfcode.mfg.openspiel_solvers.OpenSpielBestResponse", openspiel_solvers.OpenSpielBestResponse,
    lambda: dict(softmax_temperature=0.5))
api("mfcode.mfg.openspiel_solvers.openspiel_best_response", openspiel_solvers.openspiel_best_response,
    lambda: dict(game=crowd(), mean_field=operators.induced_mean_field(crowd(), crowd().uniform_policy()), softmax_temperature=0.5),
    aliases=GAME_ALIAS, reason=GAME_REASON, check=distribution())
api("mfcode.mfg.openspiel_solvers.openspiel_solver", openspiel_solvers.openspiel_solver,
    lambda: dict(name="fictitious_play", lr=0.5, softmax_temperature=None))
MOVES = np.array([[2, 0, 1], [0, 1, 2], [1, 2, 0]])
api("mfcode.mfg.openspiel_games.traverse", openspiel_games.traverse,
    lambda: dict(after_move=MOVES, after_noise=MOVES, n_epochs=3, neutral=1))
api("mfcode.mfg.openspiel_games.openspiel_kernel", openspiel_games.openspiel_kernel,
    lambda: dict(after_move=MOVES, after_noise=MOVES, noise=np.full(3, 1 / 3)), check=distribution(),
    aliases={"after_noise": ("noise",)}, reason="the columns of after_noise are the noise outcomes: another width no longer fits noise")
api("mfcode.mfg.openspiel_games.CrowdModelling", openspiel_games.CrowdModelling, lambda: dict(size=3, horizon=3))
api("mfcode.mfg.openspiel_games.LinearQuadratic", openspiel_games.LinearQuadratic,
    lambda: dict(size=3, horizon=3.0, dt=1.0, n_actions_per_side=1, volatility=1.0, cross_q=0.01, kappa=0.5))
for model_name, make_model in (("CrowdModelling", lambda: openspiel_games.CrowdModelling(3, 3)),
                          ("LinearQuadratic", lambda: openspiel_games.LinearQuadratic(3, 3.0, n_actions_per_side=1))):
    api(f"mfcode.mfg.openspiel_games.{model_name}.rewards", lambda mu, times, make_model=make_model: make_model().rewards(mu, times),
        lambda: dict(mu=np.full((2, 3), 1 / 3), times=np.array([0, 2])), check=finite)
    api(f"mfcode.mfg.openspiel_games.{model_name}.reward", lambda t, mu, make_model=make_model: make_model().reward(t, mu), lambda: dict(t=1, mu=np.full(3, 1 / 3)), check=finite)
    api(f"mfcode.mfg.openspiel_games.{model_name}.transition", lambda t, mu, make_model=make_model: make_model().transition(t, mu), lambda: dict(t=1, mu=np.full(3, 1 / 3)),
        check=distribution())
    api(f"mfcode.mfg.openspiel_games.{model_name}.game", lambda check, make_model=make_model: make_model().game(check=check), lambda: dict(check=True))
api("mfcode.mfg.openspiel_games.OpenSpielMFG", openspiel_games.OpenSpielMFG, aliases=SIZES, reason=SIZE_REASON,
    valid=lambda: dict(n_states=3, n_actions=3, horizon=3, reward_fn=openspiel_games.CrowdModelling(3, 3).reward,
                 transition_fn=openspiel_games.CrowdModelling(3, 3).transition, initial=np.full(3, 1 / 3),
                 model=openspiel_games.CrowdModelling(3, 3)))
api("mfcode.mfg.openspiel_games.openspiel_crowd_modelling", openspiel_games.openspiel_crowd_modelling,
    lambda: dict(size=3, horizon=3, check=True))
api("mfcode.mfg.openspiel_games.openspiel_lq", openspiel_games.openspiel_lq,
    lambda: dict(size=3, horizon=3.0, dt=1.0, n_actions_per_side=1, volatility=1.0, cross_q=0.01, kappa=0.5, check=True))
def _keywords(params: Any, name: str = "params") -> Mapping[str, Any]:
    """What ``**params`` needs (a non-mapping never reaches a function taking ``**params``)."""
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise TypeError(f"{name}: keyword arguments must be a mapping with str keys")
    return params


PARAMS = {"params": ("size", "horizon", "terminal_cost")}
PARAMS_REASON = "a game parameter is named by its key"
api("mfcode.mfg.openspiel_compat.mfcode_model", lambda name, params: openspiel_compat.mfcode_model(name, **_keywords(params)),
    lambda: dict(name="crowd_modelling", params={"size": 3, "horizon": 3}), aliases=PARAMS, reason=PARAMS_REASON)
api("mfcode.mfg.openspiel_compat.mfcode_game",
    lambda name, check, params: openspiel_compat.mfcode_game(name, check=check, **_keywords(params)),
    lambda: dict(name="linear_quadratic", check=True, params={"size": 3, "horizon": 3, "terminal_cost": 0.0}), aliases=PARAMS,
    reason=PARAMS_REASON)
api("mfcode.mfg.openspiel_compat.mfcode_solver", openspiel_compat.mfcode_solver,
    lambda: dict(name="crowd_modelling", params={"size": 3}, solver="mirror_descent", lr=0.5, softmax_temperature=None))
api("mfcode.mfg.openspiel_compat.load_reference", openspiel_compat.load_reference, lambda: dict(path=openspiel_compat.REFERENCE_PATH))


# -- mfcode.mfc ----------------------------------------------------------------------------------


@cache
def queues() -> scheduling.SchedulingModel:
    """Two queues of one place each: 3 access sets, 2 actions, 4 environment states."""
    return scheduling.SchedulingModel(buffer_size=1)


@cache
def mfc_mdp() -> mdp.MFCMDP:
    return mdp.MFCMDP(queues())


def rule() -> np.ndarray[Any, Any]:
    """A decision rule (X, U) of the two-queue model."""
    return model.uniform_over(queues().action_mask)


def mfc_counts() -> np.ndarray[Any, Any]:
    """Every class-count vector of two agents in the two-queue model."""
    return combinatorics.compositions(2, int(np.asarray(queues().cell_classes).max()) + 1)


def mfc_policy() -> np.ndarray[Any, Any]:
    return np.broadcast_to(rule(), (queues().n_env_states, *rule().shape)).copy()


def state_action() -> np.ndarray[Any, Any]:
    return model.state_action_mean_field(queues().mu0, rule())


@cache
def small_grid() -> dp.GridMDP:
    return dp.GridMDP.from_mdp(mfc_mdp(), dp.decision_rule_grid(mfc_mdp(), 2))


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


MODEL_ALIAS = {"model": ("policy", "policies", "h", "table")}
MODEL_REASON = "a model of other sizes refuses the arrays shaped for this one"
api("mfcode.mfc.model.state_action_mean_field", model.state_action_mean_field, lambda: dict(mu=queues().mu0, h=rule()),
    check=lambda r, kw: distribution()(np.asarray(r).reshape(-1), kw))
api("mfcode.mfc.model.uniform_over", model.uniform_over, lambda: dict(mask=queues().action_mask), check=distribution())
api("mfcode.mfc.model.validate_decision_rule", model.validate_decision_rule,
    lambda: dict(h=rule(), n_agent_states=3, n_actions=2, name="rule"), aliases={"h": ("rule",), "n_agent_states": ("rule",),
                                                                                   "n_actions": ("rule",)},
    reason="named as the caller says; sizes that no longer fit h make its check fail", check=distribution())
api("mfcode.mfc.model.validate_policy", model.validate_policy,
    lambda: dict(policy=mfc_policy(), model=queues(), name="pi", profile=False),
    aliases={"policy": ("pi",), "model": ("pi",), "profile": ("pi",)}, reason="named as the caller says; a model of other "
    "sizes or another profile setting refuses the policy", check=distribution())
def _defined(cls: type, method: str, kind: str) -> str:
    """``module.Class.method`` of the class that defines ``method`` (``[kind]`` when the model inherits it)."""
    fn = getattr(cls, method)
    name = f"{fn.__module__}.{fn.__qualname__}"
    return name if fn.__qualname__.startswith(cls.__name__ + ".") else f"{name}[{kind}]"


def _mfc_model_args(make: Callable[[], model.MFCModel], batch: bool) -> Kwargs:
    g = model.state_action_mean_field(make().mu0, model.uniform_over(make().action_mask))
    return dict(x0=np.array([0, 1]), G=np.stack([g, g])) if batch else dict(G=g)


for make_mfc in (queues, toy.BinaryToyModel):
    cls, kind = type(make_mfc()), type(make_mfc()).__name__
    api(_defined(cls, "env_features", kind), lambda x0, make=make_mfc: make().env_features(x0), lambda: dict(x0=np.array([0, 1])),
        check=finite)
    api(_defined(cls, "transition", kind), lambda x0, G, make=make_mfc: make().transition(x0, G),
        lambda make=make_mfc: _mfc_model_args(make, True), check=distribution())
    api(_defined(cls, "reward_at", kind), lambda x0, G, make=make_mfc: make().reward_at(x0, G),
        lambda make=make_mfc: _mfc_model_args(make, True), check=finite)
    api(_defined(cls, "transition_and_reward", kind), lambda x0, G, make=make_mfc: make().transition_and_reward(x0, G),
        lambda make=make_mfc: _mfc_model_args(make, True))
    api(_defined(cls, "kernel", kind), lambda G, make=make_mfc: make().kernel(G), lambda make=make_mfc: _mfc_model_args(make, False),
        check=distribution())
    api(_defined(cls, "reward", kind), lambda G, make=make_mfc: make().reward(G), lambda make=make_mfc: _mfc_model_args(make, False),
        check=finite)
    api(_defined(cls, "check_state_action", kind), lambda G, make=make_mfc: make().check_state_action(G),
        lambda make=make_mfc: _mfc_model_args(make, False), check=lambda r, kw: distribution()(np.asarray(r).reshape(-1), kw))
api("mfcode.mfc.toy.BinaryToyModel", toy.BinaryToyModel, lambda: dict(cost=1.0, gamma=0.9))
api("mfcode.mfc.scheduling.single_queue_step", scheduling.single_queue_step,
    lambda: dict(arrival_mean=np.array([0.5, 2.0]), service_mean=1.5, buffer_size=2), check=lambda r, kw: distribution()(r[0], kw))
api("mfcode.mfc.scheduling.SchedulingModel", scheduling.SchedulingModel,
    lambda: dict(n_queues=2, buffer_size=1, dt=0.5, arrival_rate=None, service_rate=3.0, drop_penalty=1.0, p_full_access=0.6,
                 gamma=0.99, initial_fillings=(0, 1)),
    aliases={"n_queues": ("initial_fillings",), "buffer_size": ("initial_fillings",)},
    reason="another number of queues or buffer size no longer fits the initial fillings given")
api("mfcode.mfc.scheduling.SchedulingModel.fillings", lambda x0: queues().fillings(x0), lambda: dict(x0=np.array([0, 3])))
api("mfcode.mfc.scheduling.SchedulingModel.env_index", lambda fillings: queues().env_index(fillings),
    lambda: dict(fillings=np.array([[0, 1], [1, 1]])))
api("mfcode.mfc.scheduling.SchedulingModel.routing", lambda G: queues().routing(G), lambda: dict(G=state_action()),
    check=distribution())
api("mfcode.mfc.jsq.jsq_policy", jsq.jsq_policy, lambda: dict(model=queues()), check=distribution())
api("mfcode.mfc.bounds.lemma1_bound", bounds.lemma1_bound, lambda: dict(n_agent_states=3, n_actions=2, n_agents=np.array([1, 10])),
    check=finite)
api("mfcode.mfc.bounds.LipschitzConstants", bounds.LipschitzConstants, lambda: dict(L_r=1.0, L_P=2.0, R=3.0))
api("mfcode.mfc.bounds.theorem1_bound", bounds.theorem1_bound,
    lambda: dict(n_agent_states=3, n_actions=2, n_agents=np.array([1, 10]), gamma=0.9, constants=bounds.LipschitzConstants(1.0, 2.0, 3.0)),
    check=finite)
api("mfcode.mfc.bounds.scheduling_lipschitz", bounds.scheduling_lipschitz, lambda: dict(model=queues(), n_grid=11))
api("mfcode.mfc.combinatorics.compositions", combinatorics.compositions, lambda: dict(n=3, parts=2))
api("mfcode.mfc.combinatorics.count_compositions", combinatorics.count_compositions, lambda: dict(n=3, parts=2))
api("mfcode.mfc.dp.simplex_grid", dp.simplex_grid, lambda: dict(dim=3, resolution=2), check=distribution())
api("mfcode.mfc.dp.decision_rule_grid", dp.decision_rule_grid, lambda: dict(mdp=mfc_mdp(), resolution=2), check=distribution())
api("mfcode.mfc.dp.GridMDP", dp.GridMDP,
    lambda: dict(rules=small_grid().rules, rewards=small_grid().rewards, kernels=small_grid().kernels, gamma=0.9),
    aliases={"rewards": ("kernels", "rules")}, reason="rewards set K and X0: another shape no longer fits kernels and rules")
api("mfcode.mfc.dp.GridMDP.from_mdp", dp.GridMDP.from_mdp, lambda: dict(mdp=mfc_mdp(), rules=dp.decision_rule_grid(mfc_mdp(), 1)),
    aliases={"mdp": ("rules",)}, reason="an MDP of other sizes refuses rules shaped for this one")
api("mfcode.mfc.dp.GridMDP.policy", lambda rule_index: small_grid().policy(rule_index), lambda: dict(rule_index=np.array([0, 1, 2, 0])),
    check=distribution())
api("mfcode.mfc.dp.bellman_operator", dp.bellman_operator, lambda: dict(grid=small_grid(), Q=np.zeros((4, 3))), check=finite,
    aliases={"grid": ("Q",)}, reason="a grid of other sizes refuses the Q shaped for this one")
api("mfcode.mfc.dp.value_iteration", dp.value_iteration, lambda: dict(grid=small_grid(), tol=1e-6, max_iter=5000, Q0=None, progress=False),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol")
api("mfcode.mfc.dp.policy_evaluation", dp.policy_evaluation, lambda: dict(grid=small_grid(), rule_index=np.array([0, 1, 2, 0])),
    check=finite, aliases={"grid": ("rule_index",)}, reason="a grid of other sizes refuses the indices for this one")
api("mfcode.mfc.dp.policy_iteration", dp.policy_iteration, lambda: dict(grid=small_grid(), max_iter=100),
    raises=(RuntimeError,), reason="RuntimeError is the documented outcome of an iteration that does not reach tol")
api("mfcode.mfc.dp.grid_refinement", dp.grid_refinement, lambda: dict(mdp=mfc_mdp(), resolutions=[1, 2], progress=False),
    aliases={"resolutions": ("decision rules",)}, reason="the refusal of the tabulated MDP counts the decision rules of the grid")
api("mfcode.mfc.dp.solve_mfc_mdp_on_grid", dp.solve_mfc_mdp_on_grid, lambda: dict(mdp=mfc_mdp(), resolution=2),
    aliases={"resolution": ("decision rules",)}, reason="the refusal of the tabulated MDP counts the decision rules of the grid")
api("mfcode.mfc.finite_n.class_probabilities", finite_n.class_probabilities, lambda: dict(model=queues(), h=rule()),
    check=distribution(), aliases=MODEL_ALIAS, reason=MODEL_REASON)
api("mfcode.mfc.finite_n.class_representatives", finite_n.class_representatives,
    lambda: dict(model=queues(), counts=mfc_counts(), n_agents=2))
api("mfcode.mfc.finite_n.count_law", finite_n.count_law, lambda: dict(per_agent=np.array([[0.5, 0.5], [0.2, 0.8]])),
    check=lambda r, kw: distribution()(r, kw))
api("mfcode.mfc.finite_n.symmetric_value", finite_n.symmetric_value, lambda: dict(model=queues(), policy=mfc_policy(), n_agents=2),
    check=finite, aliases=MODEL_ALIAS, reason=MODEL_REASON)
api("mfcode.mfc.finite_n.profile_value", finite_n.profile_value,
    lambda: dict(model=queues(), policies=np.stack([mfc_policy(), mfc_policy()])), check=finite, aliases=MODEL_ALIAS, reason=MODEL_REASON)
api("mfcode.mfc.finite_n.vertex_rules", finite_n.vertex_rules, lambda: dict(model=queues()), check=distribution())
api("mfcode.mfc.finite_n.finite_n_optimum", finite_n.finite_n_optimum, lambda: dict(model=queues(), n_agents=2),
    check=lambda r, kw: finite(r.V, kw))
api("mfcode.mfc.finite_n.FiniteNOptimum.profile", lambda: finite_n.finite_n_optimum(queues(), 2).profile(), dict, check=distribution())
api("mfcode.mfc.mdp.sample_categorical", mdp.sample_categorical, lambda: dict(probs=np.array([[0.2, 0.8], [1.0, 0.0]]), rng=rng()))
api("mfcode.mfc.mdp.MFCMDP", mdp.MFCMDP, lambda: dict(model=queues()))
api("mfcode.mfc.mdp.MFCMDP.observation", lambda x0: mfc_mdp().observation(x0), lambda: dict(x0=np.array([0, 3])), check=finite)
api("mfcode.mfc.mdp.MFCMDP.mean_field", lambda h: mfc_mdp().mean_field(h), lambda: dict(h=rule()),
    check=lambda r, kw: finite(r, kw))
api("mfcode.mfc.mdp.MFCMDP.kernel", lambda h: mfc_mdp().kernel(h), lambda: dict(h=rule()), check=distribution())
api("mfcode.mfc.mdp.MFCMDP.reward", lambda h: mfc_mdp().reward(h), lambda: dict(h=rule()), check=finite)
api("mfcode.mfc.mdp.MFCMDP.policy_kernel", lambda policy: mfc_mdp().policy_kernel(policy), lambda: dict(policy=mfc_policy()),
    check=distribution())
api("mfcode.mfc.mdp.MFCMDP.policy_reward", lambda policy: mfc_mdp().policy_reward(policy), lambda: dict(policy=mfc_policy()),
    check=finite)
api("mfcode.mfc.mdp.MFCMDP.policy_value", lambda policy: mfc_mdp().policy_value(policy), lambda: dict(policy=mfc_policy()),
    check=finite)
api("mfcode.mfc.mdp.MFCMDP.objective", lambda policy: mfc_mdp().objective(policy), lambda: dict(policy=mfc_policy()), check=finite)
api("mfcode.mfc.mdp.MFCMDP.reset", lambda rng, n_envs: mfc_mdp().reset(rng, n_envs), lambda: dict(rng=rng(), n_envs=3))
api("mfcode.mfc.mdp.MFCMDP.step", lambda x0, h, rng: mfc_mdp().step(x0, h, rng),
    lambda: dict(x0=np.array([0, 3]), h=np.stack([rule(), rule()]), rng=rng()), aliases={"x0": ("h",)},
    reason="x0 and h describe one batch: another batch size is refused as not fitting h")
api("mfcode.mfc.mdp.MFCMDP.decision_rule_from_action", lambda action: mfc_mdp().decision_rule_from_action(action),
    lambda: dict(action=np.array([0.2, 0.9, 0.5, 0.1, 0.3, 0.7])), check=distribution())


@cache
def system() -> nagent.NAgentSystem:
    return nagent.NAgentSystem(queues(), 2)


api("mfcode.mfc.nagent.NAgentSystem", nagent.NAgentSystem, lambda: dict(model=queues(), n_agents=2))
api("mfcode.mfc.nagent.NAgentSystem.sample_agent_states", lambda rng, n_envs: system().sample_agent_states(rng, n_envs),
    lambda: dict(rng=rng(), n_envs=2))
api("mfcode.mfc.nagent.NAgentSystem.reset", lambda rng, n_envs: system().reset(rng, n_envs), lambda: dict(rng=rng(), n_envs=2))
api("mfcode.mfc.nagent.NAgentSystem.empirical_mean_field", lambda x, u: system().empirical_mean_field(x, u),
    lambda: dict(x=np.array([[0, 2], [1, 1]]), u=np.array([[0, 1], [1, 1]])),
    check=lambda r, kw: distribution()(np.asarray(r).reshape(2, -1), kw))
api("mfcode.mfc.nagent.NAgentSystem.sample_actions", lambda policy, x0, x, rng: system().sample_actions(policy, x0, x, rng),
    lambda: dict(policy=mfc_policy(), x0=np.array([0, 3]), x=np.array([[0, 2], [1, 1]]), rng=rng()),
    aliases={"x0": ("x",), "x": ("x0",)}, reason="x0 and x describe one batch: another batch size is refused as not fitting the other")
api("mfcode.mfc.nagent.NAgentSystem.step", lambda x0, x, u, rng: system().step(x0, x, u, rng),
    lambda: dict(x0=np.array([0, 3]), x=np.array([[0, 2], [1, 1]]), u=np.array([[0, 1], [1, 1]]), rng=rng()),
    aliases={"x": ("u",), "u": ("x",)}, reason="x and u must have one shape: each is refused as not fitting the other")
api("mfcode.mfc.nagent.NAgentSystem.agent_observations", lambda x0, x: system().agent_observations(x0, x),
    lambda: dict(x0=np.array([0, 3]), x=np.array([[0, 2], [1, 1]])), check=finite,
    aliases={"x": ("x0",)}, reason="x0 and x must describe the same batch: another batch size is refused as not fitting x0")
api("mfcode.mfc.nagent.NAgentSystem.rollout",
    lambda policy, horizon, n_runs, rng, discount, progress: system().rollout(policy, horizon, n_runs, rng, discount, progress),
    lambda: dict(policy=mfc_policy(), horizon=3, n_runs=2, rng=rng(), discount=0.9, progress=False), check=finite)


# -- mfcode.rl -----------------------------------------------------------------------------------

def box(n: int = 2) -> spaces.Box:
    return spaces.Box(0.0, 1.0, shape=(n,), dtype=np.float64)


TINY = dict(hidden=(4,), train_batch_size=8, sgd_minibatch_size=4, num_sgd_iter=1)


def tiny_config() -> config.PPOConfig:
    return config.PPOConfig(**TINY)  # type: ignore[arg-type]


def spec(discrete: bool = True, learners: int = 1) -> env.EnvSpec:
    return env.EnvSpec(box(3), spaces.Discrete(2) if discrete else box(2), num_learners=learners, num_envs=2)


def learner(discrete: bool = True) -> ppo.PPO:
    return ppo.PPO(spec(discrete), tiny_config(), seed=0, device="cpu")


def tabular() -> toy_envs.TabularMDP:
    return toy_envs.TabularMDP(np.array([KERNEL2, KERNEL2]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array(P2), horizon=3,
                               num_learners=1, num_envs=2)


def reset_tabular() -> toy_envs.TabularMDP:
    e = tabular()
    e.reset(0)
    return e


CONFIG_FIELDS = {f.name: getattr(config.PPOConfig(), f.name) for f in dataclasses.fields(config.PPOConfig)}
api("mfcode.rl.config.PPOConfig", config.PPOConfig, lambda: dict(CONFIG_FIELDS))
api("mfcode.rl.config.PPOConfig.with_", lambda changes: config.PPOConfig().with_(**_keywords(changes, "changes")),
    lambda: dict(changes={"lr": 1e-3, "hidden": (8,)}), aliases={"changes": ("lr", "hidden")},
    reason="a setting is named by its key")
api("mfcode.rl.config.rollout_length", config.rollout_length, lambda: dict(config=config.PPOConfig(), num_envs=20))
api("mfcode.rl.budget.Budget", Budget,
    lambda: dict(mf_steps=10, agent_steps=0, n_agents=(1, 2), n_eval_runs=5, horizon=5, eval_horizon=10, num_envs=2))
api("mfcode.rl.env.EnvSpec", env.EnvSpec,
    lambda: dict(observation_space=box(3), action_space=spaces.Discrete(2), num_learners=1, num_envs=2, agents_per_env=1))
api("mfcode.rl.env.feature_box", env.feature_box, lambda: dict(features=np.array([[0.0, 1.0], [0.5, 0.2]])))
api("mfcode.rl.env.not_reset_error", env.not_reset_error, lambda: dict(env=tabular()))
api("mfcode.rl.env_checker.sample_actions", env_checker.sample_actions, lambda: dict(spec=spec(), rng=rng()))
api("mfcode.rl.env_checker.check_vector_env", env_checker.check_vector_env, lambda: dict(env=tabular(), seed=1, n_steps=3, horizon=None),
    raises=(AssertionError,), reason="AssertionError naming the check is the documented outcome for an environment that fails one",
    aliases={"seed": ("reset(seed)",)})
api("mfcode.rl.views.GymnasiumEnv", views.GymnasiumEnv, lambda: dict(env=toy_envs.TabularMDP(
    np.array([KERNEL2, KERNEL2]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array(P2), horizon=3, num_envs=1)))


def gymnasium_view() -> views.GymnasiumEnv:
    return views.GymnasiumEnv(toy_envs.TabularMDP(np.array([KERNEL2, KERNEL2]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array(P2),
                                                  horizon=3, num_envs=1))


def reset_view() -> views.GymnasiumEnv:
    view = gymnasium_view()
    view.reset(seed=0)
    return view


api("mfcode.rl.views.GymnasiumEnv.reset", lambda seed, options: gymnasium_view().reset(seed=seed, options=options),
    lambda: dict(seed=0, options=None))
api("mfcode.rl.views.GymnasiumEnv.step", lambda action: reset_view().step(action), lambda: dict(action=1))
HOT_TORCH = ("a building block of PPO's minibatch loop: types and shapes are checked, tensor values are not scanned "
             "(that would synchronise a GPU every minibatch), so NaN in gives NaN out")
for dist_name, make_dist, out, sample in (("DiagGaussian", lambda: distributions.DiagGaussian(2), torch.zeros(3, 4), torch.zeros(3, 2)),
                                          ("Categorical", lambda: distributions.Categorical(2), torch.zeros(3, 2), torch.zeros(3))):
    api(f"mfcode.rl.distributions.{dist_name}", getattr(distributions, dist_name),
        lambda dist_name=dist_name: {"dim" if dist_name == "DiagGaussian" else "n": 2})
    api(f"mfcode.rl.distributions.{dist_name}.log_prob", lambda out, action, make_dist=make_dist: make_dist().log_prob(out, action),
        lambda out=out, sample=sample: dict(out=out.clone(), action=sample.clone()), nan_ok=True,
        aliases={"out": ("action",), "action": ("out",)}, reason="out and action describe one batch: each is refused as not fitting "
        "the other; " + HOT_TORCH,
        raises=(RuntimeError,) if dist_name == "Categorical" else ())
    api(f"mfcode.rl.distributions.{dist_name}.entropy", lambda out, make_dist=make_dist: make_dist().entropy(out),
        lambda out=out: dict(out=out.clone()), nan_ok=True, reason=HOT_TORCH)
    api(f"mfcode.rl.distributions.{dist_name}.kl", lambda old, new, make_dist=make_dist: make_dist().kl(old, new),
        lambda out=out: dict(old=out.clone(), new=out.clone() + 0.1), nan_ok=True,
        aliases={"old": ("new",), "new": ("old",)}, reason="old and new describe one batch: each is refused as not fitting the other; "
        + HOT_TORCH)
    api(f"mfcode.rl.distributions.{dist_name}.sample", lambda out, generator, make_dist=make_dist: make_dist().sample(out, generator),
        lambda out=out: dict(out=out.clone(), generator=torch.Generator().manual_seed(0)), nan_ok=True, reason=HOT_TORCH)
    api(f"mfcode.rl.distributions.{dist_name}.mode", lambda out, make_dist=make_dist: make_dist().mode(out),
        lambda out=out: dict(out=out.clone()), nan_ok=True, reason=HOT_TORCH)
api("mfcode.rl.distributions.make_distribution", distributions.make_distribution, lambda: dict(space=spaces.Discrete(3)))
T3 = (3, 2)
api("mfcode.rl.gae.gae", gae,
    lambda: dict(rewards=torch.ones(T3), values=torch.zeros(T3), next_values=torch.zeros(T3), terminated=torch.zeros(T3, dtype=torch.bool),
                 truncated=torch.zeros(T3, dtype=torch.bool), gamma=0.9, lam=0.5), nan_ok=True, reason=HOT_TORCH)
api("mfcode.rl.evaluation.evaluate_n_agent", evaluation.evaluate_n_agent,
    lambda: dict(model=queues(), table=mfc_policy(), n_agents=2, horizon=3, n_runs=2, rng=rng()), aliases=MODEL_ALIAS, reason=MODEL_REASON)
api("mfcode.rl.networks.normc_", networks.normc_,
    lambda: dict(weight=torch.zeros(2, 3, 4), std=1.0, generator=torch.Generator().manual_seed(0)), check=finite)
api("mfcode.rl.networks.EnsembleMLP", networks.EnsembleMLP,
    lambda: dict(num_members=2, n_in=3, n_out=2, hidden=(4,), generator=torch.Generator().manual_seed(0), out_std=1.0,
                 activation="tanh", device="cpu"))
api("mfcode.rl.networks.EnsembleMLP.forward",
    lambda x: networks.EnsembleMLP(2, 3, 2, (4,), torch.Generator().manual_seed(0)).forward(x), lambda: dict(x=torch.zeros(2, 5, 3)),
    nan_ok=True, reason=HOT_TORCH)
api("mfcode.rl.networks.resolve_device", networks.resolve_device, lambda: dict(device="cpu"))
api("mfcode.rl.ppo.update_kl_coeff", ppo.update_kl_coeff,
    lambda: dict(kl_coeff=torch.full((2,), 0.2), sampled_kl=torch.tensor([0.001, 0.05]), kl_target=0.01), nan_ok=True, reason=HOT_TORCH)


def _grads() -> list[torch.nn.Parameter]:
    p = torch.nn.Parameter(torch.ones(2, 3))
    p.grad = torch.ones(2, 3)
    return [p]


api("mfcode.rl.ppo.clip_grad_norm_per_learner", ppo.clip_grad_norm_per_learner, lambda: dict(params=_grads(), max_norm=1.0),
    check=finite)
api("mfcode.rl.ppo.PPO", ppo.PPO, lambda: dict(spec=spec(), config=tiny_config(), seed=0, device="cpu"))
api("mfcode.rl.ppo.PPO.act", lambda obs, deterministic, generator: learner().act(obs, deterministic, generator),
    lambda: dict(obs=np.zeros((1, 2, 3)), deterministic=False, generator=None))
api("mfcode.rl.ppo.PPO.probabilities", lambda obs: learner().probabilities(obs), lambda: dict(obs=np.zeros((1, 2, 3))),
    check=distribution())
api("mfcode.rl.ppo.PPO.parameters_numpy", lambda: learner().parameters_numpy(), dict)
api("mfcode.rl.ppo.PPO.load_parameters_numpy", lambda params: learner().load_parameters_numpy(params),
    lambda: dict(params=learner().parameters_numpy()))
def tabular_learner() -> ppo.PPO:
    return ppo.PPO(tabular().spec, tiny_config(), seed=0, device="cpu")


api("mfcode.rl.ppo.PPO.collect", lambda env, obs, running_returns: tabular_learner().collect(env, obs, running_returns),
    lambda: dict(env=reset_tabular(), obs=np.eye(2)[[[0, 1]]], running_returns=np.zeros((1, 2))))
def collected() -> tuple[ppo.PPO, ppo.Rollout]:
    """A learner and the batch it collected on the tabular MDP."""
    agent = tabular_learner()
    batch, _ = agent.collect(reset_tabular(), np.eye(2)[[[0, 1]]], np.zeros((1, 2)))
    return agent, batch


api("mfcode.rl.ppo.PPO.update", lambda batch: collected()[0].update(batch), lambda: dict(batch=collected()[1]))
api("mfcode.rl.ppo.PPO.train", lambda env, total_env_steps: tabular_learner().train(env, total_env_steps), lambda: dict(env=tabular(), total_env_steps=8),
    nan_ok=True, reason="TrainHistory records NaN as the mean return of an iteration in which no episode ended (documented)")

api("mfcode.rl.mfc_env.MFCEnv", mfc_env.MFCEnv, lambda: dict(mdp=mfc_mdp(), num_envs=2, horizon=3))


def mfc_learner() -> ppo.PPO:
    return ppo.PPO(mfc_env.MFCEnv(mfc_mdp(), num_envs=2).spec, tiny_config(), device="cpu")


def reset_mfc_env() -> mfc_env.MFCEnv:
    e = mfc_env.MFCEnv(mfc_mdp(), num_envs=2, horizon=3)
    e.reset(0)
    return e


api("mfcode.rl.mfc_env.MFCEnv.reset", lambda seed: mfc_env.MFCEnv(mfc_mdp(), num_envs=2).reset(seed), lambda: dict(seed=0))
api("mfcode.rl.mfc_env.MFCEnv.step", lambda action: reset_mfc_env().step(action), lambda: dict(action=np.full((1, 2, 6), 0.5)))
api("mfcode.rl.mfc_env.policy_table", mfc_env.policy_table, lambda: dict(learner=mfc_learner(), mdp=mfc_mdp(), n_samples=2, seed=0),
    check=distribution(), aliases={"mdp": ("learner",)}, reason="a learner trained on another MDP no longer fits it")
api("mfcode.rl.mfc_env.stochastic_policy_value", mfc_env.stochastic_policy_value,
    lambda: dict(learner=mfc_learner(), mdp=mfc_mdp(), n_samples=2, seed=0), check=finite,
    aliases={"mdp": ("learner",)}, reason="a learner trained on another MDP no longer fits it")
api("mfcode.rl.nagent_env.NAgentEnv", nagent_env.NAgentEnv, lambda: dict(system=system(), mode="ps", num_envs=2, horizon=3))


def reset_nagent_env() -> nagent_env.NAgentEnv:
    e = nagent_env.NAgentEnv(system(), "na", num_envs=2, horizon=3)
    e.reset(0)
    return e


api("mfcode.rl.nagent_env.NAgentEnv.reset", lambda seed: nagent_env.NAgentEnv(system(), "ps", num_envs=2).reset(seed), lambda: dict(seed=0))
api("mfcode.rl.nagent_env.NAgentEnv.step", lambda action: reset_nagent_env().step(action), lambda: dict(action=np.zeros((2, 2), dtype=np.int64)))
api("mfcode.rl.nagent_env.agent_policy_table", nagent_env.agent_policy_table,
    lambda: dict(learner=ppo.PPO(nagent_env.NAgentEnv(system(), "ps", num_envs=1).spec, tiny_config(), device="cpu"), system=system()),
    check=distribution(), aliases={"system": ("learner",)}, reason="a learner trained on another system no longer fits it")
api("mfcode.rl.toy_envs.ContextualBandit", toy_envs.ContextualBandit, lambda: dict(targets=np.array([[0.2, 0.8]]), num_learners=1,
                                                                                   num_envs=2))


def reset_bandit() -> toy_envs.ContextualBandit:
    e = toy_envs.ContextualBandit(np.array([[0.2, 0.8]]), num_envs=2)
    e.reset(0)
    return e


api("mfcode.rl.toy_envs.ContextualBandit.reset", lambda seed: toy_envs.ContextualBandit(np.array([[0.2, 0.8]])).reset(seed),
    lambda: dict(seed=0))
api("mfcode.rl.toy_envs.ContextualBandit.step", lambda action: reset_bandit().step(action), lambda: dict(action=np.full((1, 2, 2), 0.5)))
api("mfcode.rl.toy_envs.TabularMDP", toy_envs.TabularMDP,
    lambda: dict(transition=np.array([KERNEL2, KERNEL2]), reward=np.array([[1.0, 0.0], [0.0, 1.0]]), initial=np.array(P2), horizon=3,
                 num_learners=1, num_envs=2))
api("mfcode.rl.toy_envs.TabularMDP.reset", lambda seed: tabular().reset(seed), lambda: dict(seed=0))
api("mfcode.rl.toy_envs.TabularMDP.step", lambda action: reset_tabular().step(action), lambda: dict(action=np.array([[0, 1]])))


# -- files: a tiny book, a ledger, artifacts (one temporary folder for the module) --------------------

CLAIM = dict(id="fuzz-claim", document="001_00c545ba2a0e4aca.txt", locator="Sec. 2", statement="s", notebook="book/ch/nb.ipynb",
             kind="value", origin="measurement", fails_if="f", target=1.0, atol=0.1, tolerance_reason="r")
NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [
        {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, "source": 'budget = "full"\nseed = 0',
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "id": "b", "metadata": {}, "source": "import numpy as np\nprint(budget)",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "full\n"}], "execution_count": 1},
    ],
}


@cache
def book() -> Path:
    """A book root: a toc, a page, a notebook and its claims, a build folder of executed notebooks, a ledger."""
    root = _TMP / "book_root"
    (root / "book" / "ch").mkdir(parents=True)
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    chapters:\n      - file: book/ch/nb\n")
    (root / "book" / "ch" / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    build = root / "_build" / "jupyter_execute" / "book" / "ch"
    build.mkdir(parents=True)
    (build / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    lines = [f"{k} = {json.dumps(v)}" for k, v in CLAIM.items()]
    (root / "book" / "ch" / "claims.toml").write_text("[[claim]]\n" + "\n".join(lines) + "\n")
    with mock.patch.dict(os.environ, {"MFBOOK_LEDGER_DIR": str(root / "book" / "_ledger")}):  # its own ledger, not the session's
        ledger.check("fuzz-claim", 1.05, budget="ci", claims={"fuzz-claim": schema.Claim(**CLAIM)}, root=root)  # type: ignore[arg-type]
    return root


def records_dir() -> Path:
    return book() / "book" / "_ledger"


TINY_BUDGET = Budget(mf_steps=16, agent_steps=0, n_agents=(1,), n_eval_runs=2, horizon=4, eval_horizon=4, num_envs=2)


@cache
def artifacts() -> Path:
    """The parts (mf, N1) of a run of :data:`TINY_BUDGET` with arrays of the documented layout."""
    out = _TMP / "artifacts"
    for part in ("mf", 1):
        layout = artifact.part_layout(TINY_BUDGET, part)
        arrays = {k: np.zeros(shape) for k, shape in layout.items()}
        artifact.save_artifact(out, "tiny", TINY_BUDGET, 0, config.PPOConfig(), arrays, {"device": "cpu"}, 1.0, "cmd", part)
    return out


def _claim() -> schema.Claim:
    return schema.Claim(**CLAIM)  # type: ignore[arg-type]


# claims
api("mfcode.claims.schema.Claim", schema.Claim, lambda: dict(CLAIM))
api("mfcode.claims.schema.claim_from_toml", schema.claim_from_toml, lambda: dict(entry=dict(CLAIM), source="claims.toml"),
    aliases={"entry": ("claims.toml",)}, reason="a bad entry is refused naming the file (source) and the field")
api("mfcode.claims.schema.load_claims_file", schema.load_claims_file,
    lambda: dict(path=book() / "book" / "ch" / "claims.toml", root=book()))
api("mfcode.claims.schema.load_claims", schema.load_claims, lambda: dict(root=book()))
api("mfcode.claims.verdict.as_number", verdict.as_number, lambda: dict(value=1.5, what="measured"), aliases={"value": ("measured",)},
    reason="named as the caller says")
api("mfcode.claims.verdict.evaluate", verdict.evaluate, lambda: dict(claim=_claim(), measured=1.05, reference=None))
api("mfcode.claims.ledger.jsonable", ledger.jsonable, lambda: dict(value={"a": np.array([1.0, 2.0]), "b": (1, "x")}),
    aliases={"value": ("measured",)}, reason="the ledger names the value it stores as measured")
api("mfcode.claims.ledger.record_path", ledger.record_path, lambda: dict(directory=_TMP, budget="ci", claim_id="fuzz-claim"))
api("mfcode.claims.ledger.check", ledger.check,
    lambda: dict(claim_id="fuzz-claim", measured=1.05, budget="ci", reference=None, extra={"n": 1}, claims={"fuzz-claim": _claim()},
                 root=book()),
    aliases={"extra": ("measured",)}, reason="extra is stored as the ledger stores any value (named measured)")
api("mfcode.claims.ledger.load_records", ledger.load_records, lambda: dict(budget="ci", directory=records_dir(), root=book()))
api("mfcode.claims.render.escape_markdown", render.escape_markdown, lambda: dict(cell="a|b*c"))
api("mfcode.claims.render.Table", render.Table,
    lambda: dict(caption="c", columns=("a", "b"), rows=(("1", "2"),), css_class="table", cell_html=None, widths=(3, 3), footer="f"))
for fmt in ("to_markdown", "to_html", "to_text"):
    api(f"mfcode.claims.render.Table.{fmt}", lambda fmt=fmt, **kw: getattr(render.Table(**kw), fmt)(),
        lambda: dict(caption="c", columns=("a", "b"), rows=(("1", "2"),)))
ROW = table.claim_row(schema.Claim(**CLAIM))  # type: ignore[arg-type]
api("mfcode.claims.table.claim_row", table.claim_row, lambda: dict(claim=_claim(), record=None))
api("mfcode.claims.table.claims_table", table.claims_table, lambda: dict(budget="ci", directory=records_dir(), root=book()),
    raises=(FileNotFoundError,), reason="root=None finds the book by the documented rule, which raises FileNotFoundError outside a book")
for cell in ("details_cell", "tolerance_cell", "value_cell"):
    api(f"mfcode.claims.table.{cell}", getattr(table, cell), lambda: dict(row=dict(ROW)),
        aliases={"row": tuple(ROW)}, reason="a row's entry is named by its key")
api("mfcode.claims.table.format_value", table.format_value, lambda: dict(value=[1.0, 2, "x", {"k": None}]))
api("mfcode.claims.table.ClaimTable", table.ClaimTable, lambda: dict(budget="ci", rows=(dict(ROW),)),
    aliases={"rows": tuple(ROW)}, reason="a row's entry is named by its key")
for method in ("counts", "summary", "sections", "tables", "table", "text_tables", "footer", "to_markdown", "to_html", "to_text"):
    api(f"mfcode.claims.table.ClaimTable.{method}", lambda method=method: getattr(table.ClaimTable("ci", (dict(ROW),)), method)(), dict)

# notebooks
NB = lambda: json.loads(json.dumps(NOTEBOOK))  # noqa: E731 -- a fresh copy each time
api("mfcode.notebooks.load_notebook", notebooks.load_notebook, lambda: dict(path=book() / "book" / "ch" / "nb.ipynb"))
api("mfcode.notebooks.code_cells", notebooks.code_cells, lambda: dict(nb=NB()))
api("mfcode.notebooks.parameters", notebooks.parameters, lambda: dict(nb=NB()))
api("mfcode.notebooks.imported_modules", notebooks.imported_modules, lambda: dict(nb=NB()))
api("mfcode.notebooks.convention_violations", notebooks.convention_violations, lambda: dict(path=book() / "book" / "ch" / "nb.ipynb"))
api("mfcode.notebooks.toc_files", notebooks.toc_files, lambda: dict(root=book()))
api("mfcode.notebooks.toc_notebooks", notebooks.toc_notebooks, lambda: dict(root=book()))
api("mfcode.notebooks.store_outputs", notebooks.store_outputs, lambda: dict(root=book(), build_dir=book() / "_build" / "jupyter_execute"))

# reproduce


@dataclass(frozen=True)
class TinyExperiment:
    """An experiment of two parts whose computation is a constant: the runner's arguments, not its work, are fuzzed."""

    name: str = "tiny"
    description: str = "a test experiment"
    parts: tuple[str, ...] = ("a", "b")

    def resources(self, part: str) -> reproduce_experiment.Resources:
        return reproduce_experiment.Resources()

    def check(self, root: Path, part: str) -> artifact.PartCheck:
        npz = Path(root) / f"{part}.npz"
        return artifact.PartCheck("ok" if npz.exists() else "missing", "", npz, npz.with_suffix(".json"), {})

    def estimate_seconds(self, part: str) -> float:
        return 1.0

    def compute(self, part: str, position: int | None = None, progress: bool = True) -> reproduce_experiment.PartOutput:
        return reproduce_experiment.PartOutput({"x": np.zeros(2)}, {"device": "cpu"}, 0.0, "cmd")

    def save(self, root: Path, part: str, output: reproduce_experiment.PartOutput) -> reproduce_experiment.PartRun:
        return reproduce_experiment.PartRun(self.name, part, output.wall_time_s, "cpu", Path(root) / f"{part}.npz")

    def artifact(self, root: Path, part: str) -> Path:
        return Path(root) / f"{part}.npz"


api("mfcode.reproduce.registry.experiments", registry.experiments, dict)
api("mfcode.reproduce.registry.get_experiment", registry.get_experiment, lambda: dict(name="fig4"))
api("mfcode.reproduce.runner.pending_parts", runner.pending_parts,
    lambda: dict(experiment=TinyExperiment(), root=_TMP, parts=["a"], force=False))
def run_parts_here(**kwargs: Any) -> Any:
    """:func:`~mfcode.reproduce.runner.run_parts` with its worker processes and Ray replaced by the serial route.

    The arguments are fuzzed, not the launching of processes (``tests/test_reproduce.py`` runs those routes).
    """
    with mock.patch.object(runner, "_local", lambda e, parts, workers, progress: runner._serial(e, parts, progress)), \
            mock.patch.object(runner, "_ray", lambda e, parts, workers, address, progress: runner._serial(e, parts, progress)):
        return runner.run_parts(**kwargs)


api("mfcode.reproduce.runner.run_parts", run_parts_here,
    lambda: dict(experiment=TinyExperiment(), root=_TMP, parts=["a", "b"], workers=1, ray=False, ray_address=None, force=True,
                 progress=False))
api("mfcode.reproduce.runner.relative_to", runner.relative_to, lambda: dict(path=_TMP / "a" / "b.npz", root=_TMP))
api("mfcode.reproduce.runner.summary_table", runner.summary_table,
    lambda: dict(runs=[reproduce_experiment.PartRun("tiny", "a", 60.0, "cpu", _TMP / "a.npz")], root=_TMP))
api("mfcode.reproduce.cli.status_table", reproduce_cli.status_table, lambda: dict(experiment=TinyExperiment(), root=_TMP, estimate=True))
api("mfcode.reproduce.runner.check_experiment", runner.check_experiment, lambda: dict(experiment=TinyExperiment()))
api("mfcode.notebooks.prepare", notebooks.prepare,
    lambda: dict(source=book() / "book" / "ch" / "nb.ipynb", target=_TMP / "prepared.ipynb", budget="ci", seed=1))
FIG4 = dict(budget_name="tiny", budget=TINY_BUDGET, seed=0, artifact_dir="artifacts", device="cpu")
api("mfcode.reproduce.fig4.Fig4Learners", fig4.Fig4Learners, lambda: dict(FIG4))
api("mfcode.reproduce.fig4.Fig4Learners.resources", lambda part: fig4.Fig4Learners(**FIG4).resources(part), lambda: dict(part="1"))  # type: ignore[arg-type]
api("mfcode.reproduce.fig4.Fig4Learners.check", lambda root, part: fig4.Fig4Learners(**FIG4).check(root, part),  # type: ignore[arg-type]
    lambda: dict(root=_TMP, part="mf"))
api("mfcode.reproduce.fig4.Fig4Learners.save", lambda root, part, output: fig4.Fig4Learners(**FIG4).save(root, part, output),  # type: ignore[arg-type]
    lambda: dict(root=_TMP / "fig4", part="mf", output=reproduce_experiment.PartOutput({"x": np.zeros(2)}, {"device": "cpu"}, 1.0, "cmd")),
    aliases={"output": ("arrays", "info", "wall_time_s", "command", "obj")},
    reason="output's fields are checked as save_artifact's arguments, which name them (the record through provenance.jsonable's obj)")
api("mfcode.reproduce.fig4.Fig4Learners.artifact", lambda root, part: fig4.Fig4Learners(**FIG4).artifact(root, part),  # type: ignore[arg-type]
    lambda: dict(root=_TMP, part="mf"))

# the readers of mfcode.rl.artifact and mfcode.mfg.speed
api("mfcode.rl.artifact.part_name", artifact.part_name, lambda: dict(part="N3"))
api("mfcode.rl.artifact.artifact_paths", artifact.artifact_paths, lambda: dict(out=_TMP, budget_name="tiny", seed=0, part="mf"))
api("mfcode.rl.artifact.training_iterations", artifact.training_iterations, lambda: dict(steps=100, budget=TINY_BUDGET, config=tiny_config()))
api("mfcode.rl.artifact.part_layout", artifact.part_layout, lambda: dict(budget=TINY_BUDGET, part=1, config=None),
    aliases={"budget": ("part",)}, reason="a budget of other N refuses the part chosen for this one")
api("mfcode.rl.artifact.file_sha256", artifact.file_sha256, lambda: dict(path=artifact.artifact_paths(artifacts(), "tiny", 0, "mf")[0]))
api("mfcode.rl.artifact.check_part", artifact.check_part,
    lambda: dict(out=artifacts(), budget_name="tiny", seed=0, part="mf", budget=TINY_BUDGET, config=None),
    aliases={"budget": ("part",)}, reason="a budget of other N refuses the part chosen for this one")
api("mfcode.rl.artifact.load_artifact", artifact.load_artifact,
    lambda: dict(out=artifacts(), budget_name="tiny", seed=0, budget=TINY_BUDGET, config=None, require_all=True))
api("mfcode.rl.artifact.combine", artifact.combine,
    lambda: dict(budget=TINY_BUDGET, mf_arrays={"n_agents": np.array([1])},
                 agent_arrays=[{"na_exact_N1": np.array(1.0), "ps_exact_N1": np.array(2.0), "na_eval_N1": np.zeros(2),
                                "ps_eval_N1": np.zeros(2)}], require_all=True),
    nan_ok=True, reason="combine merges the arrays it is given; load_artifact checks every part's layout and values first")
api("mfcode.rl.artifact.save_artifact", artifact.save_artifact,
    lambda: dict(out=_TMP / "saved", budget_name="tiny", budget=TINY_BUDGET, seed=0, config=config.PPOConfig(),
                 arrays={"x": np.zeros(2)}, info={"device": "cpu"}, wall_time_s=1.0, command="cmd", part="mf"),
    aliases={"info": ("obj",), "arrays": ("obj",)}, reason="the record is made JSON-able by provenance.jsonable, whose argument is obj")
api("mfcode.mfg.speed.BenchmarkTable", speed.BenchmarkTable, lambda: dict(caption="c", columns=("a",), rows=(("1",),)))
api("mfcode.mfg.speed.load_benchmark", speed.load_benchmark, lambda: dict(path=Path(__file__).resolve().parents[1] / "benchmarks" /
                                                                        "results" / "bench_mfg.json"))
api("mfcode.mfg.speed.benchmark_tables", speed.benchmark_tables,
    lambda: dict(results=speed.load_benchmark(Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "bench_mfg.json")))


# -- what the registry leaves out, and why ------------------------------------------------------------

#: The modules whose public API the registry covers (issue #16; mfcode.nac, nplayer, queueing, slides and the
#: experiments are fuzzed by their own chapters' tests).
MODULES = ["mfcode.simplex", "mfcode.markov", "mfcode.validation", "mfcode.fixed_point", "mfcode.limits", "mfcode.provenance", "mfcode.mfg.games", "mfcode.mfg.operators", "mfcode.mfg.exploitability", "mfcode.mfg.solvers", "mfcode.mfg.lipschitz", "mfcode.mfg.stationary", "mfcode.mfg.finite_horizon", "mfcode.mfg.openspiel_games", "mfcode.mfg.openspiel_solvers", "mfcode.mfg.openspiel_compat", "mfcode.mfg.protocol", "mfcode.mfg.speed", "mfcode.mfc.bounds", "mfcode.mfc.combinatorics", "mfcode.mfc.dp", "mfcode.mfc.finite_n", "mfcode.mfc.jsq", "mfcode.mfc.mdp", "mfcode.mfc.model", "mfcode.mfc.nagent", "mfcode.mfc.scheduling", "mfcode.mfc.toy", "mfcode.rl.config", "mfcode.rl.env", "mfcode.rl.env_checker", "mfcode.rl.views", "mfcode.rl.budget", "mfcode.rl.distributions", "mfcode.rl.gae", "mfcode.rl.evaluation", "mfcode.rl.artifact", "mfcode.rl.networks", "mfcode.rl.ppo", "mfcode.rl.mfc_env", "mfcode.rl.nagent_env", "mfcode.rl.toy_envs", "mfcode.claims.schema", "mfcode.claims.ledger", "mfcode.claims.verdict", "mfcode.claims.render", "mfcode.claims.table", "mfcode.notebooks", "mfcode.reproduce.registry", "mfcode.reproduce.runner", "mfcode.reproduce.fig4", "mfcode.reproduce.cli"]

RECORD = "a result the package builds and a caller only reads (no argument comes from a user)"
PROTOCOL_ONLY = "a protocol or abstract base: its methods are fuzzed on each implementation"
NOT_FUZZED: dict[str, str] = {
    **dict.fromkeys(
        ["mfcode.fixed_point.FixedPointTrace", "mfcode.mfg.solvers.Equilibrium", "mfcode.mfg.solvers.FixedPointState", "mfcode.mfg.solvers.MirrorState", "mfcode.mfg.solvers.PriorState", "mfcode.mfg.solvers.SolverResult", "mfcode.mfg.solvers.SolverState", "mfcode.mfg.lipschitz.LipschitzEstimate", "mfcode.mfg.lipschitz.PairQuotients", "mfcode.mfg.openspiel_games.Traversal", "mfcode.mfg.protocol.BestResponse", "mfcode.mfg.protocol.PolicyEvaluation", "mfcode.mfc.dp.DPResult", "mfcode.mfc.finite_n.FiniteNOptimum", "mfcode.rl.env.StepResult", "mfcode.rl.artifact.PartCheck", "mfcode.rl.ppo.Rollout", "mfcode.rl.ppo.TrainHistory", "mfcode.rl.ppo.TrainHistory.as_arrays", "mfcode.claims.schema.FieldSpec", "mfcode.claims.ledger.ClaimFailed", "mfcode.claims.ledger.Record", "mfcode.claims.ledger.Record.line", "mfcode.claims.ledger.Record.to_json", "mfcode.mfg.openspiel_compat.Comparison", "mfcode.mfg.openspiel_compat.Comparison.speedup", "mfcode.mfg.openspiel_compat.Comparison.max_gap", "mfcode.mfg.openspiel_compat.OpenSpielRun"], RECORD),
    **dict.fromkeys(
        ["mfcode.mfg.solvers.BestResponseRule", "mfcode.mfg.solvers.BestResponseRule.respond", "mfcode.mfg.solvers.IterativeSolver", "mfcode.mfg.solvers.IterativeSolver.init_state", "mfcode.mfg.solvers.IterativeSolver.step", "mfcode.mfg.protocol.MeanFieldGame", "mfcode.mfc.model.MFCModel", "mfcode.mfc.model.MFCModel.kernel", "mfcode.mfc.model.MFCModel.reward",
         "mfcode.rl.env.VectorEnv", "mfcode.rl.env.VectorEnv.reset", "mfcode.rl.env.VectorEnv.step"],
        PROTOCOL_ONLY),
    **{f"mfcode.mfg.protocol.MeanFieldGame.{m}": PROTOCOL_ONLY for m in (
        "check_policy", "check_mean_field", "check_dynamics", "state_marginal", "uniform_policy", "horizon_weight", "dynamics_at",
        "induce", "mean_field_update", "best_response", "evaluate", "exploitability_gap", "mirror_q")},
    **dict.fromkeys(("mfcode.mfg.stationary.StationaryDynamics", "mfcode.mfg.finite_horizon.FlowDynamics"),
                    "a record of arrays, checked where it is used (every dynamics= argument is fuzzed with hostile copies)"),
    **dict.fromkeys(("mfcode.notebooks.main", "mfcode.reproduce.cli.main"),
                    "a command line: argparse exits with status 2 on bad arguments (tests/test_notebooks_module.py, test_reproduce.py)"),
    **dict.fromkeys(("mfcode.reproduce.fig4.Fig4Learners.estimate_seconds", "mfcode.reproduce.fig4.Fig4Learners.compute"),
                    "trains PPO (seconds to hours); its argument is the part name, checked by the fuzzed resources/check/save"),
    **dict.fromkeys(
        ["mfcode.mfg.openspiel_compat.compare", "mfcode.mfg.openspiel_compat.load_openspiel_game", "mfcode.mfg.openspiel_compat.policy_array", "mfcode.mfg.openspiel_compat.run_openspiel", "mfcode.mfg.openspiel_compat.write_reference"],
        "a bridge that runs OpenSpiel itself for the cross-checks (tests/test_mfg_openspiel.py)"),
}


def public_api() -> list[str]:
    """Every public function, class and method of :data:`MODULES` (methods by the class that defines them)."""
    names: list[str] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not callable(obj) or getattr(obj, "__module__", None) != module_name:
                continue
            names.append(f"{module_name}.{name}")
            if isinstance(obj, type):
                names += [f"{module_name}.{name}.{k}" for k, v in vars(obj).items()
                          if (k == "__call__" or not k.startswith("_")) and (inspect.isfunction(v) or isinstance(v, (staticmethod, classmethod)))]
    return names


def covered() -> set[str]:
    """The registry's names without their ``[variant]`` labels."""
    return {re.sub(r"\[.*?\]", "", e.name) for e in REGISTRY}


# == the tests ======================================================================================

CASES = [pytest.param(entry, arg, id=f"{entry.name}:{arg}") for entry in REGISTRY for arg in entry.args]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in REGISTRY])
def test_valid_example_keeps_its_invariants(entry: Api) -> None:
    """The registry's valid call returns normally, with its invariants (so each hostile call changes one thing)."""
    kwargs = entry.valid()
    result = entry.call(**kwargs)
    assert entry.nan_ok or not _nan_in(result)
    if entry.check is not None:
        entry.check(result, kwargs)


@pytest.mark.parametrize(("entry", "arg"), CASES)
def test_hostile_argument_is_refused_by_name_or_handled(entry: Api, arg: str) -> None:
    """One argument hostile at a time: a correct result, or ValueError/TypeError naming the argument."""

    values = hostile(entry.valid()[arg])

    @SETTINGS
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        kwargs = entry.valid()
        kwargs[arg] = data.draw(values, label=arg)
        outcome(entry, arg, kwargs)

    run()


def test_registry_names_are_unique() -> None:
    names = [e.name for e in REGISTRY]
    assert len(names) == len(set(names))


def test_every_public_function_is_fuzzed_or_says_why_not() -> None:
    """A new public function of the covered modules needs an entry (or a reason in TRUSTED / NOT_FUZZED)."""
    api_names = public_api()
    missing = [n for n in api_names if n not in covered() and n not in TRUSTED and n not in NOT_FUZZED]
    assert not missing, f"public functions without a registry entry: {missing}"
    stale = sorted((covered() | set(TRUSTED) | set(NOT_FUZZED)) - set(api_names))
    assert not stale, f"registry names that are not public functions of the covered modules: {stale}"
