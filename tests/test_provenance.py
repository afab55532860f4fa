"""Tests of mfcode.provenance: git commit, command line, device and runtime records, JSON normalisation."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from mfcode.provenance import command_line, device_record, git_commit, jsonable, runtime_record


def test_git_commit_is_head_of_this_checkout(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent).stdout.strip()
    commit = git_commit()
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit) and commit.removesuffix("+dirty") == head
    assert git_commit(tmp_path) == "unknown"  # not a repository
    with pytest.raises(TypeError, match="path"):
        git_commit(3)  # type: ignore[arg-type]


def test_command_line() -> None:
    assert command_line("mfcode.rl.train_mfc", ["--budget", "ci"]) == "python -m mfcode.rl.train_mfc --budget ci"
    with pytest.raises(ValueError, match="module"):
        command_line("", [])
    with pytest.raises(TypeError, match="argv"):
        command_line("m", "--budget ci")


def test_device_and_runtime_records() -> None:
    assert device_record(torch.device("cpu")) == {"device": "cpu"}
    with pytest.raises(TypeError, match="device"):
        device_record("cpu")  # type: ignore[arg-type]
    assert runtime_record() == {"torch": torch.__version__, "threads": torch.get_num_threads()}


def test_jsonable_is_what_a_json_round_trip_gives() -> None:
    @dataclass(frozen=True)
    class Settings:
        sizes: tuple[int, ...]
        rate: float

    assert jsonable(Settings((1, 2), 0.5)) == {"sizes": [1, 2], "rate": 0.5}
    assert jsonable({"a": (1,)}) == {"a": [1]}
