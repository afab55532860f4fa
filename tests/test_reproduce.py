"""The paper-scale pipeline (mfcode.reproduce): parts, resumable atomic artifacts, routes that agree, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from mfcode.reproduce import Fig4Learners, experiments, get_experiment, pending_parts, run_parts, summary_table
from mfcode.reproduce.cli import main
from mfcode.rl.artifact import check_part, part_layout
from mfcode.rl.budget import BUDGETS, Budget
from mfcode.rl.config import PPOConfig

ROOT = Path(__file__).resolve().parents[1]
TINY = Budget(mf_steps=400, agent_steps=400, n_agents=(1, 2), n_eval_runs=8, horizon=20, eval_horizon=20, num_envs=4)
TINY_CONFIG = PPOConfig(train_batch_size=200, sgd_minibatch_size=64, num_sgd_iter=2, hidden=(16, 16))
AGENT_PARTS = ("1", "2")


def tiny() -> Fig4Learners:
    return Fig4Learners(budget_name="tiny", budget=TINY, config=TINY_CONFIG)


def arrays_of(root: Path, part: str) -> dict[str, np.ndarray]:
    with np.load(tiny().artifact(root, part)) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def serial_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serial")
    runs = run_parts(tiny(), root, AGENT_PARTS, progress=False)
    assert [r.part for r in runs] == list(AGENT_PARTS)
    return root


def test_parts_follow_the_budget() -> None:
    assert Fig4Learners().parts == ("mf", "1", "2", "3", "4", "6", "8", "10")
    assert tiny().parts == ("mf", "1", "2")
    assert set(experiments()) == {"fig4"}
    assert get_experiment("fig4") == Fig4Learners()


def test_serial_run_writes_ok_parts_that_match_the_layout(serial_root: Path) -> None:
    for part in AGENT_PARTS:
        found = tiny().check(serial_root, part)
        assert found.status == "ok", found.reason
        record = json.loads(found.record.read_text())
        assert record["command"] == f"python -m mfcode.reproduce run fig4 --parts {part}"
        assert record["threads"] == 1 and record["budget_settings"]["agent_steps"] == 400
        arrays = arrays_of(serial_root, part)
        layout = part_layout(TINY, int(part), TINY_CONFIG)
        assert {k: arrays[k].shape for k in layout} == layout
    assert tiny().check(serial_root, "mf").status == "missing"
    assert pending_parts(tiny(), serial_root) == ("mf",)
    assert not list(serial_root.rglob("*.tmp"))


def test_local_workers_and_ray_give_the_serial_arrays(serial_root: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    run_parts(tiny(), pool, AGENT_PARTS, workers=2, progress=False)
    ray_root = tmp_path / "ray"
    runs = run_parts(tiny(), ray_root, AGENT_PARTS, workers=2, ray=True, progress=False)
    assert sorted(r.part for r in runs) == list(AGENT_PARTS)
    for part in AGENT_PARTS:
        expected = arrays_of(serial_root, part)
        for root in (pool, ray_root):
            got = arrays_of(root, part)
            assert set(got) == set(expected)
            assert all(np.array_equal(got[k], expected[k]) for k in expected), (root.name, part)
    assert "| fig4 | 1 |" in summary_table(runs, ray_root)


def test_resume_runs_only_what_is_missing_and_ignores_leftover_temp_files(serial_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(serial_root, root)
    npz = tiny().artifact(root, "2")
    npz.rename(npz.with_name(npz.name + ".tmp"))  # a part killed before its rename
    assert pending_parts(tiny(), root, AGENT_PARTS) == ("2",)
    assert run_parts(tiny(), root, ("1",), progress=False) == []  # ok parts are not recomputed
    runs = run_parts(tiny(), root, AGENT_PARTS, progress=False)
    assert [r.part for r in runs] == ["2"]
    assert all(np.array_equal(v, arrays_of(serial_root, "2")[k]) for k, v in arrays_of(root, "2").items())


def test_corrupt_and_stale_parts_are_found_and_named(serial_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "bad"
    shutil.copytree(serial_root, root)
    npz = tiny().artifact(root, "1")
    npz.write_bytes(npz.read_bytes()[:100])  # truncated
    found = tiny().check(root, "1")
    assert found.status == "corrupt" and npz.name in found.reason and "SHA-256" in found.reason
    record = npz.with_suffix(".json")
    data = json.loads(record.read_text())
    del data["npz_sha256"]
    record.write_text(json.dumps(data))
    found = tiny().check(root, "1")
    assert found.status == "corrupt" and "not a readable .npz" in found.reason
    other = Fig4Learners(budget_name="tiny", budget=TINY, config=PPOConfig(train_batch_size=200, hidden=(8,)))
    assert other.check(root, "2").status == "stale"
    record2 = tiny().artifact(root, "2").with_suffix(".json")
    record2.write_text("{not json")
    found = tiny().check(root, "2")
    assert found.status == "corrupt" and record2.name in found.reason


def test_wrong_shapes_are_corrupt(serial_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "shape"
    shutil.copytree(serial_root, root)
    npz = tiny().artifact(root, "2")
    arrays = arrays_of(root, "2")
    arrays["na_eval_N2"] = arrays["na_eval_N2"][:3]
    np.savez_compressed(npz, **arrays)
    record = npz.with_suffix(".json")
    data = json.loads(record.read_text())
    del data["npz_sha256"]
    record.write_text(json.dumps(data))
    found = tiny().check(root, "2")
    assert found.status == "corrupt" and "'na_eval_N2'" in found.reason and "(8,)" in found.reason


def test_committed_fig4_artifacts_verify() -> None:
    for part in Fig4Learners().parts:
        found, _ = check_part(ROOT / "artifacts/mfc", "full", 0, "mf" if part == "mf" else int(part), BUDGETS["full"])
        assert found.status in ("ok", "missing"), found.reason
    assert Fig4Learners().check(ROOT, "mf").status == "ok"


def test_estimates_are_positive_and_bounded() -> None:
    one, two = tiny().estimate_seconds("1"), tiny().estimate_seconds("2")
    assert 0 < one < 60 and 0 < two < 60
    with pytest.raises(ValueError, match="part"):
        tiny().estimate_seconds("7")


def test_cli_list_verify_and_errors(serial_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(ROOT), "list", "--no-estimate"]) == 0
    out = capsys.readouterr().out
    assert "| mf | ok | artifacts/mfc/mfc_learners_full_seed0_mf.npz |" in out
    assert main(["--root", str(ROOT), "verify", "fig4"]) == 0
    assert "verify: 0 problem(s)" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--root", str(empty), "verify", "--complete"]) == 1
    assert main(["--root", str(empty), "run", "fig4", "--parts", "5"]) == 2
    assert "has no part ['5']" in capsys.readouterr().err
    assert main(["--root", str(empty), "run", "nope"]) == 2


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="workers"):
        run_parts(tiny(), Path("."), AGENT_PARTS, workers=0)
    with pytest.raises(TypeError, match="experiment"):
        run_parts("fig4", Path("."))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parts"):
        pending_parts(tiny(), Path("."), "1")
    with pytest.raises(ValueError, match="budget_name"):
        Fig4Learners(budget_name="huge")
    with pytest.raises(ValueError, match="part must be one of"):
        tiny().resources("3")
    with pytest.raises(ValueError, match="part"):
        part_layout(TINY, "all")
