"""The artifact of :mod:`mfcode.rl.train_mfc`: its ``.npz`` layout, saving, loading and merging of parts.

A run of budget ``b`` and seed ``s`` (:mod:`mfcode.rl.budget`) is stored in ``<out>`` as

- ``mfc_learners_<b>_seed<s>.npz`` -- the arrays (keys below) -- and
- ``mfc_learners_<b>_seed<s>.json`` -- the provenance record (:mod:`mfcode.provenance`: command,
  git commit, device, torch version, threads, wall time) with the budget settings and the PPO
  configuration the run used, by which :func:`load_artifact` recognises a matching run;

or, when the work is split over several machine sessions (``--part``), as the parts
``..._mf.{npz,json}`` (MF-PPO) and ``..._N<n>.{npz,json}`` (NA and PS at one N), which
:func:`load_artifact` merges with :func:`combine`.

Keys (seed ``002_7da79a39441e57df.txt``, Fig. 4): ``n_agents`` (the budget's N); from the MF part
``mf_policy``, ``mf_policy_avg`` (X0, X, U), ``mf_objective``, ``mf_objective_avg``,
``mf_objective_stochastic`` (J in the MFC MDP), ``mf_curve_*`` (per PPO iteration), ``exact_mf``
(len(n_agents),) exact J^N, ``eval_mf`` (len(n_agents), n_eval_runs) Monte Carlo returns,
``mf_param/<name>``; from the part at N, for ``m`` in ``na, ps``: ``m_policy_N<n>``,
``m_curve_return_N<n>``, ``m_exact_N<n>``, ``m_eval_N<n>``; added by :func:`combine`:
``n_agents_trained``, ``exact_na``, ``exact_ps``, ``eval_na``, ``eval_ps``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mfcode.mfc import SchedulingModel
from mfcode.provenance import git_commit, jsonable, runtime_record
from mfcode.rl.budget import BUDGETS, Budget
from mfcode.rl.config import PPOConfig, rollout_length
from mfcode.validation import check_int, check_path, check_real

__all__ = [
    "Arrays",
    "PartCheck",
    "PartStatus",
    "artifact_paths",
    "check_part",
    "combine",
    "file_sha256",
    "load_artifact",
    "part_layout",
    "part_name",
    "save_artifact",
    "training_iterations",
]

Arrays = dict[str, NDArray[Any]]
"""The arrays of an artifact by key: float64 results, int64 ``n_agents*``, float32 network parameters."""

_METHODS = ("na", "ps")


def part_name(part: str | int) -> str:
    """The file suffix of a part: ``"all"`` (the whole run), ``"mf"``, or ``"N<n>"`` for an integer ``n``."""
    if isinstance(part, str) and part in ("all", "mf"):
        return part
    if isinstance(part, str) and part.startswith("N") and part[1:].isdigit():
        part = int(part[1:])
    return f"N{check_int(part, 'part', low=1)}"


def artifact_paths(out: str | Path, budget_name: str, seed: int, part: str | int = "all") -> tuple[Path, Path]:
    """The ``.npz`` and ``.json`` paths of a run (``part``: ``"all"``, ``"mf"``, ``"N<n>"`` or ``n``)."""
    out = check_path(out, "out")
    if not isinstance(budget_name, str) or not budget_name or "/" in budget_name or "\x00" in budget_name:
        raise ValueError(f"budget_name must be a non-empty str without '/', got {budget_name!r}")
    seed = check_int(seed, "seed", low=0)
    name = part_name(part)
    suffix = "" if name == "all" else f"_{name}"
    stem = Path(out) / f"mfc_learners_{budget_name}_seed{seed}{suffix}"
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def combine(budget: Budget, mf_arrays: Mapping[str, NDArray[Any]], agent_arrays: Sequence[Mapping[str, NDArray[Any]]], require_all: bool = True) -> Arrays:
    """Merge the MF part and per-N parts (:func:`~mfcode.rl.training.train_mf`, :func:`~mfcode.rl.training.train_agents`).

    Adds ``n_agents_trained`` (the N of ``budget`` at which NA and PS results are present, in the
    budget's order), ``exact_na``, ``exact_ps`` (len(n_agents_trained),) and ``eval_na``,
    ``eval_ps`` (len(n_agents_trained), n_eval_runs). With ``require_all`` (default) every N of
    the budget must be present; otherwise missing N are left out (at least one must be present).
    """
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    if not isinstance(require_all, bool):
        raise TypeError(f"require_all must be a bool, got {require_all!r}")
    if not isinstance(mf_arrays, Mapping):
        raise TypeError(f"mf_arrays must be a mapping of arrays, got {type(mf_arrays).__name__}")
    if isinstance(agent_arrays, (str, Mapping)) or not isinstance(agent_arrays, Sequence) or not all(
        isinstance(a, Mapping) for a in agent_arrays
    ):
        raise TypeError("agent_arrays must be a sequence of mappings of arrays (one per N)")
    arrays: Arrays = dict(mf_arrays)
    for part in agent_arrays:
        arrays |= part
    for mode in _METHODS:
        for n in budget.n_agents:
            for key, ndim in ((f"{mode}_exact_N{n}", 0), (f"{mode}_eval_N{n}", 1)):
                if key in arrays and (np.ndim(arrays[key]) != ndim or np.asarray(arrays[key]).dtype.kind not in "fiu"):
                    raise ValueError(f"agent_arrays: {key!r} must be a numeric array with {ndim} dimension(s)")
    present = [n for n in budget.n_agents if all(f"{m}_exact_N{n}" in arrays for m in _METHODS)]
    missing = [n for n in budget.n_agents if n not in present]
    if missing and (require_all or not present):
        raise ValueError(f"agent_arrays lack NA/PS results for N = {missing}")
    arrays["n_agents_trained"] = np.asarray(present)
    for mode in _METHODS:
        arrays[f"exact_{mode}"] = np.array([float(arrays[f"{mode}_exact_N{n}"]) for n in present])
        arrays[f"eval_{mode}"] = np.stack([arrays[f"{mode}_eval_N{n}"] for n in present])
    return arrays


def save_artifact(
    out: str | Path,
    budget_name: str,
    budget: Budget,
    seed: int,
    config: PPOConfig,
    arrays: Mapping[str, NDArray[Any]],
    info: Mapping[str, object],
    wall_time_s: float,
    command: str,
    part: str | int = "all",
) -> tuple[Path, Path]:
    """Write ``arrays`` (``.npz``) and the provenance record (``.json``); returns both paths.

    ``info`` (device record and per-phase times of the training functions) is merged into the record.
    """
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    if not isinstance(config, PPOConfig):
        raise TypeError(f"config must be a PPOConfig, got {type(config).__name__}")
    npz, meta = artifact_paths(out, budget_name, seed, part)
    # Everything is checked before the first byte is written: the arrays, and the record up to the
    # checksum of the .npz (which needs the file).
    if not isinstance(arrays, Mapping) or not all(isinstance(k, str) and k for k in arrays):
        raise TypeError("arrays must be a mapping of non-empty str keys to arrays")
    stored = {k: np.asarray(v) for k, v in arrays.items()}
    bad = sorted(k for k, v in stored.items() if v.dtype.kind not in "biuf")
    if bad:
        raise TypeError(f"arrays must hold numeric arrays (allow_pickle=False loads no objects), got {bad}")
    if not isinstance(info, Mapping) or not all(isinstance(k, str) for k in info):
        raise TypeError(f"info must be a mapping with str keys, got {type(info).__name__}")
    if not isinstance(command, str):
        raise TypeError(f"command must be a str, got {type(command).__name__}")
    record = jsonable({
        "command": command,
        "budget": budget_name,
        "part": part_name(part),
        "budget_settings": jsonable(budget),
        "seed": check_int(seed, "seed", low=0),
        "git_commit": git_commit(),
        **runtime_record(),
        "ppo_config": jsonable(config),
        "wall_time_s": check_real(wall_time_s, "wall_time_s", low=0.0),
        **info,
    })
    npz.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: both files are written under temporary names and renamed, the record last, so a run
    # killed at any point leaves either the previous artifact or the new one -- never a half-written
    # file that loads. The record carries the .npz's SHA-256, which verification compares.
    npz_tmp = npz.with_name(npz.name + ".tmp")
    meta_tmp = meta.with_name(meta.name + ".tmp")
    with npz_tmp.open("wb") as handle:
        np.savez_compressed(handle, **stored)  # type: ignore[arg-type]  # numpy's stub types **kwds as ArrayLike, which a Mapping unpacks to
    assert isinstance(record, dict)  # the JSON round trip of a dict
    provenance = {**record, "npz_sha256": file_sha256(npz_tmp)}
    meta_tmp.write_text(json.dumps(provenance, indent=2))
    os.replace(npz_tmp, npz)
    os.replace(meta_tmp, meta)
    return npz, meta


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (the ``npz_sha256`` of a provenance record)."""
    digest = hashlib.sha256()
    with check_path(path, "path").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def training_iterations(steps: int, budget: Budget, config: PPOConfig) -> int:
    """PPO iterations of a run of ``steps`` environment steps (each collects ``rollout_length`` steps of every copy)."""
    steps = check_int(steps, "steps", low=0)
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    return math.ceil(steps / (rollout_length(config, budget.num_envs) * budget.num_envs))


def part_layout(budget: Budget, part: str | int, config: PPOConfig | None = None) -> dict[str, tuple[int, ...]]:
    """The arrays a part must hold: key -> shape (the layout of the module docstring; network parameters not listed).

    The iteration axis of a training curve has ``ceil(steps / train_batch_size)`` entries (every PPO
    iteration collects ``train_batch_size`` environment steps, rounded up to whole rollouts of the
    ``num_envs`` copies); a part at N trained with ``agent_steps = 0`` holds no curves. A policy
    table has a leading learner axis only for NA with N > 1.
    """
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    config = PPOConfig() if config is None else config
    name = part_name(part)
    if name == "all":
        raise ValueError("part: the layout of a whole run is that of its parts; give 'mf' or an N")
    m = SchedulingModel()
    table = (m.n_env_states, m.n_agent_states, m.n_actions)
    if name == "mf":
        k = len(budget.n_agents)
        curve = (training_iterations(budget.mf_steps, budget, config),)
        return {"n_agents": (k,), "mf_policy": table, "mf_policy_avg": table, "mf_objective": (),
                "mf_objective_avg": (), "mf_objective_stochastic": (), "mf_curve_steps": curve,
                "mf_curve_objective": curve, "mf_curve_objective_stochastic": curve, "mf_curve_return": curve,
                "exact_mf": (k,), "eval_mf": (k, budget.n_eval_runs)}
    n = int(name[1:])
    if n not in budget.n_agents:
        raise ValueError(f"part must be 'mf' or one of the budget's N {budget.n_agents}, got {part!r}")
    layout: dict[str, tuple[int, ...]] = {}
    for mode, k in (("na", n), ("ps", 1)):
        # agent_policy_table drops the learner axis of a single learner (PS, and NA at N = 1)
        layout[f"{mode}_policy_N{n}"] = (k, *table) if k > 1 else table
        layout[f"{mode}_exact_N{n}"] = ()
        layout[f"{mode}_eval_N{n}"] = (budget.n_eval_runs,)
        if budget.agent_steps > 0:
            layout[f"{mode}_curve_return_N{n}"] = (training_iterations(budget.agent_steps, budget, config), k)
    return layout


def _whole_layout(budget: Budget, config: PPOConfig) -> dict[str, tuple[int, ...]]:
    """The arrays of a whole run: those of its parts and the merged ones :func:`combine` adds."""
    layout = dict(part_layout(budget, "mf", config))
    for n in budget.n_agents:
        layout |= part_layout(budget, n, config)
    k = len(budget.n_agents)
    merged = {"n_agents_trained": (k,), "exact_na": (k,), "exact_ps": (k,)}
    return layout | merged | {"eval_na": (k, budget.n_eval_runs), "eval_ps": (k, budget.n_eval_runs)}


PartStatus = Literal["ok", "missing", "stale", "corrupt"]
"""State of a part on disk: present and matching, absent, made with other settings, or unreadable / inconsistent."""


@dataclass(frozen=True)
class PartCheck:
    """What :func:`check_part` found for one part.

    Attributes
    ----------
    status : PartStatus
    reason : str
        Why it is not ``"ok"`` (naming the file), or notes on an ``"ok"`` part (e.g. no checksum recorded).
    npz, record : Path
        The part's two files.
    provenance : dict
        The parsed record (empty unless it could be read).
    """

    status: PartStatus
    reason: str
    npz: Path
    record: Path
    provenance: dict[str, Any]


def _read_record(meta: Path) -> dict[str, Any]:
    try:
        record = json.loads(meta.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{meta}: not a readable JSON provenance record ({error})") from error
    if not isinstance(record, dict):
        raise ValueError(f"{meta}: a provenance record must be a JSON object, got {type(record).__name__}")
    for key, kinds, what in _RECORD_SCHEMA:
        if key not in record:
            raise ValueError(f"{meta}: a provenance record needs the key {key!r}")
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ValueError(f"{meta}: key {key!r} must be {what}, got {type(value).__name__}")
    return record


#: The keys every provenance record has (written by :func:`save_artifact`), their JSON types, in words.
_RECORD_SCHEMA: tuple[tuple[str, type | tuple[type, ...], str], ...] = (
    ("budget_settings", dict, "an object (the budget's settings)"),
    ("ppo_config", dict, "an object (the PPO configuration)"),
    ("seed", int, "an integer"),
    ("wall_time_s", (int, float), "a number of seconds"),
    ("command", str, "a string"),
)


def _read_arrays(npz: Path) -> Arrays:
    try:
        with npz.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{npz}: not a readable .npz archive ({error})") from error


def _settings_mismatch(provenance: Mapping[str, Any], budget: Budget, config: PPOConfig, seed: int) -> str:
    for key, expected in (("budget_settings", jsonable(budget)), ("ppo_config", jsonable(config)), ("seed", seed)):
        if provenance.get(key) != expected:
            return f"its {key} differ from the current ones"
    return ""


def _layout_problem(arrays: Mapping[str, NDArray[Any]], layout: Mapping[str, tuple[int, ...]]) -> str:
    missing = sorted(set(layout) - set(arrays))
    if missing:
        return f"lacks the arrays {missing}"
    for key, shape in layout.items():
        value = arrays[key]
        if value.shape != shape or value.dtype.kind not in "fiu":
            return f"array {key!r} is {value.dtype} {value.shape}, expected a numeric array of shape {shape}"
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return f"array {key!r} holds non-finite values"
    return ""


def check_part(
    out: str | Path, budget_name: str, seed: int, part: str | int, budget: Budget, config: PPOConfig | None = None
) -> tuple[PartCheck, Arrays]:
    """Inspect one saved part: presence, provenance settings, checksum, array layout (:func:`part_layout`).

    Returns the :class:`PartCheck` and, when it is ``"ok"``, the part's arrays (else an empty dict).
    A record written before checksums were recorded passes with a note in ``reason``.
    """
    budget, config = _settings(budget, config)
    npz, meta = artifact_paths(out, budget_name, seed, part)

    def found(status: PartStatus, reason: str, provenance: dict[str, Any]) -> tuple[PartCheck, Arrays]:
        return PartCheck(status, reason, npz, meta, provenance), {}

    if not (npz.exists() and meta.exists()):
        absent = [p.name for p in (npz, meta) if not p.exists()]
        return found("missing", f"absent: {', '.join(absent)}", {})
    try:
        provenance = _read_record(meta)
    except ValueError as error:
        return found("corrupt", str(error), {})
    mismatch = _settings_mismatch(provenance, budget, config, seed)
    if mismatch:
        return found("stale", f"{meta}: {mismatch}", provenance)
    recorded = provenance.get("npz_sha256")
    if recorded is not None and recorded != file_sha256(npz):
        return found("corrupt", f"{npz}: its SHA-256 differs from the one in {meta.name}", provenance)
    try:
        arrays = _read_arrays(npz)
    except ValueError as error:
        return found("corrupt", str(error), provenance)
    problem = _layout_problem(arrays, part_layout(budget, part, config))
    if problem:
        return found("corrupt", f"{npz}: {problem}", provenance)
    note = "" if recorded is not None else f"{meta.name} records no checksum (written before checksums were recorded)"
    return PartCheck("ok", note, npz, meta, provenance), arrays


def _settings(budget: object, config: object) -> tuple[Budget, PPOConfig]:
    """The budget and PPO configuration a saved run must match (``config`` None: Table I's)."""
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    config = PPOConfig() if config is None else config
    if not isinstance(config, PPOConfig):
        raise TypeError(f"config must be a PPOConfig or None, got {type(config).__name__}")
    return budget, config


def _load_part(
    out: str | Path, budget_name: str, seed: int, part: str, budget: Budget, config: PPOConfig
) -> tuple[Arrays, dict[str, Any]] | None:
    """A matching part's arrays and record; ``None`` if absent or stale; ``ValueError`` (naming the file) if corrupt."""
    if part == "all":
        npz, meta = artifact_paths(out, budget_name, seed, part)
        if not (npz.exists() and meta.exists()):
            return None
        provenance = _read_record(meta)
        if _settings_mismatch(provenance, budget, config, seed):
            return None
        recorded = provenance.get("npz_sha256")
        if recorded is not None and recorded != file_sha256(npz):
            raise ValueError(f"{npz}: its SHA-256 differs from the one in {meta.name}")
        arrays = _read_arrays(npz)
        problem = _layout_problem(arrays, _whole_layout(budget, config))
        if problem:
            raise ValueError(f"{npz}: {problem}")
        return arrays, provenance
    found, arrays = check_part(out, budget_name, seed, part, budget, config)
    if found.status == "corrupt":
        raise ValueError(found.reason)
    return (arrays, found.provenance) if found.status == "ok" else None


def load_artifact(
    out: str | Path,
    budget_name: str,
    seed: int,
    budget: Budget | None = None,
    config: PPOConfig | None = None,
    require_all: bool = True,
) -> tuple[Arrays, dict[str, Any]] | None:
    """Arrays and provenance of a saved run, or ``None`` if absent or made with other settings.

    Looks for the complete run first, then for its parts (``mf`` and one ``N<n>`` per N, as
    written by ``--part``), which it merges with :func:`combine`; the provenance of a merged run
    lists the parts' records under ``"parts"`` and the N whose part is absent under
    ``"missing_n"``. With ``require_all`` (default) every part must be there; with
    ``require_all=False`` the MF part and at least one N suffice, and NA / PS results cover only
    the N present (``arrays["n_agents_trained"]``). ``budget`` defaults to
    ``BUDGETS[budget_name]`` and ``config`` to Table I; a saved run matches only if its budget
    settings, PPO configuration and seed are those. A merged record also has the keys of a whole
    one that the notebooks print (``command``, ``git_commit``, ``device`` joined with ``" ; "``,
    total ``wall_time_s``).
    """
    if not isinstance(require_all, bool):
        raise TypeError(f"require_all must be a bool, got {require_all!r}")
    if budget is None:
        if not isinstance(budget_name, str) or budget_name not in BUDGETS:
            raise ValueError(f"budget_name must be one of {sorted(BUDGETS)} when no budget is given, got {budget_name!r}")
        budget = BUDGETS[budget_name]
    budget, config = _settings(budget, config)
    whole = _load_part(out, budget_name, seed, "all", budget, config)
    if whole is not None:
        return whole[0], {**whole[1], "missing_n": []}
    mf = _load_part(out, budget_name, seed, "mf", budget, config)
    found = {n: _load_part(out, budget_name, seed, f"N{n}", budget, config) for n in budget.n_agents}
    parts = {n: a for n, a in found.items() if a is not None}
    if mf is None or not parts or (require_all and len(parts) < len(found)):
        return None
    arrays = combine(budget, mf[0], [a[0] for a in parts.values()], require_all=require_all)
    records = [mf[1], *(a[1] for a in parts.values())]

    def joined(key: str) -> str:
        return " ; ".join(dict.fromkeys(str(r.get(key)) for r in records))

    provenance: dict[str, Any] = {
        "budget": budget_name,
        "seed": seed,
        "command": joined("command"),
        "git_commit": joined("git_commit"),
        "device": joined("device"),
        "wall_time_s": float(sum(float(r["wall_time_s"]) for r in records)),
        "parts": records,
        "missing_n": [n for n in budget.n_agents if n not in parts],
    }
    return arrays, provenance
