"""Provenance of a computed artifact: which code, command, device and library versions made it.

Written once for every expensive run (:mod:`mfcode.rl.train_mfc` now, the reproduce pipeline of the
design later). A record is a JSON-ready ``dict``; :func:`jsonable` normalises settings
(dataclasses, tuples) to what a JSON round trip gives back, so a stored record compares equal to
a fresh one.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import torch

from mfcode.validation import check_path

__all__ = ["command_line", "device_record", "git_commit", "jsonable", "runtime_record"]

_PACKAGE = Path(__file__).resolve().parent


def git_commit(path: str | Path = _PACKAGE) -> str:
    """``HEAD`` of the git repository holding ``path`` (default: mfcode), ``+dirty`` if its ``mfcode/`` has uncommitted changes.

    Returns ``"unknown"`` outside a repository or without git.
    """
    cwd = check_path(path, "path")
    if not cwd.is_dir():
        cwd = cwd.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=cwd)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ":/mfcode"], capture_output=True, text=True, check=True, cwd=cwd)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def command_line(module: str, argv: Sequence[str]) -> str:
    """The shell command ``python -m <module> <argv...>`` that reproduces a run."""
    if not isinstance(module, str) or not module:
        raise ValueError(f"module must be a non-empty str, got {module!r}")
    if not isinstance(argv, Sequence) or isinstance(argv, str) or not all(isinstance(a, str) for a in argv):
        raise TypeError("argv must be a sequence of str")
    return " ".join(["python -m", module, *argv])


def device_record(device: torch.device) -> dict[str, object]:
    """``{"device": "cpu" | "cuda:0" | ...}``, plus ``"device_name"`` (the GPU model) on CUDA."""
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be a torch.device, got {type(device).__name__}")
    record: dict[str, object] = {"device": str(device)}
    if device.type == "cuda":
        record["device_name"] = torch.cuda.get_device_name(device)
    return record


def runtime_record() -> dict[str, object]:
    """Library versions and CPU threads of the running process: ``{"torch": ..., "threads": ...}``."""
    return {"torch": torch.__version__, "threads": torch.get_num_threads()}


def jsonable(obj: object) -> object:
    """``obj`` (a dataclass instance is taken as its fields) as a JSON round trip returns it.

    Raises
    ------
    TypeError
        If ``obj`` holds a value JSON cannot store.
    ValueError
        If it holds NaN or an infinity (not JSON numbers).
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    try:
        text = json.dumps(obj, allow_nan=False)
    except TypeError as error:
        raise TypeError(f"obj must hold JSON values only ({error})") from None
    except ValueError as error:
        raise ValueError(f"obj must hold finite numbers only ({error})") from None
    return json.loads(text)
