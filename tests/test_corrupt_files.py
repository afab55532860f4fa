"""Corrupt files are refused whole, with their name (issue #16): every reader of the package, every way a file can break.

For each reader a valid file is written first (and read back, so the corruption is what fails), then
broken: truncated, not UTF-8, JSON/TOML of the wrong type, a missing or mistyped key, NaN, wrong array
dtypes and shapes. The reader must raise ``ValueError`` naming the file (and the key, claim or line
where the format has one) and return nothing; the writers (``save_artifact``, ``store_outputs``,
:func:`mfcode.claims.check`) must check everything before they write, and leave no file half written.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mfcode.claims import schema
from mfcode.claims.ledger import check, load_records, record_path
from mfcode.mfg.openspiel_compat import REFERENCE_PATH, load_reference
from mfcode.mfg.speed import load_benchmark
from mfcode.notebooks import load_notebook, store_outputs, toc_files
from mfcode.reproduce.fig4 import Fig4Learners
from mfcode.rl.artifact import artifact_paths, check_part, load_artifact, part_layout, save_artifact
from mfcode.rl.budget import Budget
from mfcode.rl.config import PPOConfig

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK = ROOT / "benchmarks" / "results" / "bench_mfg.json"


def refused(read: Callable[[], object], path: Path, *also: str) -> None:
    """``read()`` raises ``ValueError`` naming ``path`` (its name at least) and every word of ``also``."""
    with pytest.raises(ValueError, match=re.escape(path.name)) as info:
        read()
    message = str(info.value)
    for word in also:
        assert re.search(word, message), f"the error does not say {word!r}: {message}"


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, len(path.read_bytes()) // 2)])


def not_utf8(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00garbage\x80")


# -- claims.toml ------------------------------------------------------------------------------------

CLAIM = {"id": "c-one", "document": "001_00c545ba2a0e4aca.txt", "locator": "Sec. 2", "statement": "s", "notebook": "book/x.ipynb",
         "kind": "value", "origin": "measurement", "fails_if": "f", "target": 1.0, "atol": 0.1, "tolerance_reason": "r"}


def _toml(claim: dict[str, Any]) -> str:
    return "[[claim]]\n" + "\n".join(f"{k} = {v if isinstance(v, str) and v in ('nan', 'inf') else json.dumps(v)}"
                                     for k, v in claim.items()) + "\n"


@pytest.fixture
def claims_book(tmp_path: Path) -> Path:
    (tmp_path / "book" / "a").mkdir(parents=True)
    (tmp_path / "book" / "b").mkdir(parents=True)
    (tmp_path / "book" / "a" / "claims.toml").write_text(_toml(CLAIM))
    (tmp_path / "book" / "b" / "claims.toml").write_text(_toml({**CLAIM, "id": "c-two"}))
    assert set(schema.load_claims(tmp_path)) == {"c-one", "c-two"}
    return tmp_path


@pytest.mark.parametrize(
    ("corrupt", "also"),
    [
        (truncated, ["TOML"]),
        (not_utf8, ["UTF-8|TOML"]),
        (lambda p: p.write_text("claim = 3\n"), ["array of tables"]),
        (lambda p: p.write_text("title = 'x'\n" + _toml(CLAIM)), ["top-level", "title"]),
        (lambda p: p.write_text(_toml({k: v for k, v in CLAIM.items() if k != "fails_if"})), ["c-one", "fails_if"]),
        (lambda p: p.write_text(_toml({**CLAIM, "atol": "wide"})), ["c-one", "atol"]),
        (lambda p: p.write_text(_toml({**CLAIM, "target": "nan"})), ["c-one", "target"]),
        (lambda p: p.write_text(_toml({**CLAIM, "atol": "inf"})), ["c-one", "atol"]),
        (lambda p: p.write_text(_toml({**CLAIM, "asserted_at": "ci"})), ["c-one", "asserted_at"]),
        (lambda p: p.write_text(_toml({**CLAIM, "colour": "red"})), ["c-one", "colour"]),
        (lambda p: p.write_text(_toml({**CLAIM, "id": "c-two"})), ["duplicate", "c-two"]),
        (lambda p: p.write_text("[[claim]]\nid = \n"), ["line 2"]),
    ],
)
def test_claims_files_are_refused_whole_with_their_name(claims_book: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    path = claims_book / "book" / "a" / "claims.toml"
    corrupt(path)
    refused(lambda: schema.load_claims(claims_book), path, *also)
    if "duplicate" not in also:
        refused(lambda: schema.load_claims_file(path), path, *also)


def test_a_claims_folder_that_is_no_file_is_named(claims_book: Path) -> None:
    path = claims_book / "book" / "a" / "claims.toml"
    path.unlink()
    path.mkdir()
    with pytest.raises(IsADirectoryError, match=r"claims\.toml"):
        schema.load_claims(claims_book)


# -- the ledger's records ----------------------------------------------------------------------------


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path / "ledger"))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: x\n")
    claims = {"c-one": schema.Claim(**CLAIM), "c-two": schema.Claim(**{**CLAIM, "id": "c-two"})}  # type: ignore[arg-type]
    for cid in claims:
        check(cid, 1.0, budget="ci", claims=claims, root=tmp_path)
    assert set(load_records("ci", tmp_path / "ledger")) == {"c-one", "c-two"}
    return tmp_path / "ledger"


def _edit_record(change: Callable[[dict[str, Any]], object]) -> Callable[[Path], None]:
    """A corruption that changes the JSON object in place (``change``'s return value is ignored)."""

    def corrupt(path: Path) -> None:
        record = json.loads(path.read_text())
        change(record)
        path.write_text(json.dumps(record))

    return corrupt


@pytest.mark.parametrize(
    ("corrupt", "also"),
    [
        (truncated, ["malformed JSON", "line"]),
        (not_utf8, ["UTF-8"]),
        (lambda p: p.write_text("[1, 2]"), ["JSON object"]),
        (lambda p: p.write_text("3.5"), ["JSON object"]),
        (lambda p: p.write_text("{}"), ["lacks key"]),
        (_edit_record(lambda r: r.pop("verdict")), ["verdict"]),
        (_edit_record(lambda r: r.update(verdict="maybe")), ["verdict", "maybe"]),
        (_edit_record(lambda r: r.update(id="c-other")), ["'id'", "c-other"]),
        (_edit_record(lambda r: r.update(budget="full")), ["'budget'"]),
    ],
)
def test_records_are_refused_with_their_name(ledger: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    path = record_path(ledger, "ci", "c-two")
    corrupt(path)
    refused(lambda: load_records("ci", ledger), path, *also)


def test_a_record_is_written_whole_or_not_at_all(ledger: Path) -> None:
    path = record_path(ledger, "ci", "c-one")
    before = path.read_bytes()
    claims = {"c-one": schema.Claim(**CLAIM)}  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="measured"):
        check("c-one", object(), budget="ci", claims=claims, root=ledger.parent)
    with pytest.raises(TypeError, match="extra"):
        check("c-one", 1.0, budget="ci", extra="x", claims=claims, root=ledger.parent)  # type: ignore[arg-type]
    assert path.read_bytes() == before
    assert not list(ledger.rglob("*.tmp"))


# -- artifacts of mfcode.rl.artifact (and the reproduce pipeline that reads them) ---------------------

BUDGET = Budget(mf_steps=16, agent_steps=0, n_agents=(1, 2), n_eval_runs=3, horizon=4, eval_horizon=4, num_envs=2)


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    out = tmp_path / "artifacts" / "mfc"
    for part in ("mf", 1, 2):
        arrays = {k: np.full(shape, 0.5) for k, shape in part_layout(BUDGET, part).items()}
        save_artifact(out, "tiny", BUDGET, 0, PPOConfig(), arrays, {"device": "cpu"}, 1.0, "cmd", part)
    loaded = load_artifact(out, "tiny", 0, BUDGET)
    assert loaded is not None and loaded[1]["missing_n"] == []
    return out


def _edit_npz(change: Callable[[dict[str, np.ndarray[Any, Any]]], None]) -> Callable[[Path], None]:
    def corrupt(npz: Path) -> None:
        with np.load(npz) as data:
            arrays = {k: data[k] for k in data.files}
        change(arrays)
        with npz.open("wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        meta = npz.with_suffix(".json")
        record = json.loads(meta.read_text())
        record.pop("npz_sha256")  # as a record written before checksums: only the layout can catch it
        meta.write_text(json.dumps(record))

    return corrupt


NPZ_CORRUPTIONS = [
    (truncated, ["readable .npz|SHA-256"]),
    (lambda p: p.write_bytes(b"not a zip file"), ["readable .npz|SHA-256"]),
    (_edit_npz(lambda a: a.pop("ps_exact_N2")), ["ps_exact_N2"]),
    (_edit_npz(lambda a: a.update(ps_eval_N2=np.array(["a", "b", "c"]))), ["ps_eval_N2"]),
    (_edit_npz(lambda a: a.update(ps_eval_N2=np.zeros(4))), ["ps_eval_N2", r"\(3,\)"]),
    (_edit_npz(lambda a: a.update(ps_eval_N2=np.full(3, np.nan))), ["ps_eval_N2", "non-finite"]),
]
RECORD_CORRUPTIONS = [
    (truncated, ["JSON"]),
    (not_utf8, ["JSON"]),
    (lambda p: p.write_text("[]"), ["JSON object"]),
    (_edit_record(lambda r: r.pop("ppo_config")), ["ppo_config"]),
    (_edit_record(lambda r: r.update(budget_settings="garbage")), ["budget_settings"]),
    (_edit_record(lambda r: r.update(seed="0")), ["'seed'"]),
    (_edit_record(lambda r: r.update(wall_time_s=True)), ["wall_time_s"]),
]


@pytest.mark.parametrize(("corrupt", "also"), NPZ_CORRUPTIONS)
def test_a_corrupt_part_is_refused_not_dropped(artifacts: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    npz, _ = artifact_paths(artifacts, "tiny", 0, 2)
    corrupt(npz)
    # the part at N = 2 is corrupt, not missing: load_artifact must not quietly leave N = 2 out
    refused(lambda: load_artifact(artifacts, "tiny", 0, BUDGET, require_all=False), npz, *also)
    found, arrays = check_part(artifacts, "tiny", 0, 2, BUDGET)
    assert found.status == "corrupt" and npz.name in found.reason and arrays == {}
    experiment = Fig4Learners(budget_name="tiny", budget=BUDGET, artifact_dir="artifacts/mfc")
    assert experiment.check(artifacts.parents[1], "2").status == "corrupt"


@pytest.mark.parametrize(("corrupt", "also"), RECORD_CORRUPTIONS)
def test_a_corrupt_record_is_refused_not_dropped(artifacts: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    _, meta = artifact_paths(artifacts, "tiny", 0, 1)
    corrupt(meta)
    refused(lambda: load_artifact(artifacts, "tiny", 0, BUDGET, require_all=False), meta, *also)
    found, _ = check_part(artifacts, "tiny", 0, 1, BUDGET)
    assert found.status == "corrupt" and meta.name in found.reason


@pytest.fixture
def whole_run(tmp_path: Path) -> Path:
    """A whole run (part ``all``): the parts' arrays and the merged ones."""
    out = tmp_path / "whole"
    layout: dict[str, tuple[int, ...]] = dict(part_layout(BUDGET, "mf"))
    for n in BUDGET.n_agents:
        layout |= part_layout(BUDGET, n)
    layout |= {"n_agents_trained": (2,), "exact_na": (2,), "exact_ps": (2,), "eval_na": (2, 3), "eval_ps": (2, 3)}
    save_artifact(out, "tiny", BUDGET, 0, PPOConfig(), {k: np.full(s, 0.5) for k, s in layout.items()}, {}, 1.0, "cmd")
    assert load_artifact(out, "tiny", 0, BUDGET) is not None
    return out


@pytest.mark.parametrize(("corrupt", "also"), NPZ_CORRUPTIONS)
def test_a_corrupt_whole_run_is_refused(whole_run: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    npz, _ = artifact_paths(whole_run, "tiny", 0)
    corrupt(npz)
    refused(lambda: load_artifact(whole_run, "tiny", 0, BUDGET), npz, *also)


@pytest.mark.parametrize(("corrupt", "also"), RECORD_CORRUPTIONS)
def test_a_corrupt_whole_record_is_refused(whole_run: Path, corrupt: Callable[[Path], None], also: list[str]) -> None:
    _, meta = artifact_paths(whole_run, "tiny", 0)
    corrupt(meta)
    refused(lambda: load_artifact(whole_run, "tiny", 0, BUDGET), meta, *also)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        (dict(arrays={"x": np.array([object()])}), "arrays"),
        (dict(arrays={"": np.zeros(2)}), "arrays"),
        (dict(info={"when": object()}), "obj"),
        (dict(info={"loss": float("nan")}), "obj"),
        (dict(wall_time_s=float("inf")), "wall_time_s"),
        (dict(command=3), "command"),
        (dict(seed=-1), "seed"),
    ],
)
def test_save_artifact_checks_everything_before_it_writes(tmp_path: Path, change: dict[str, Any], name: str) -> None:
    kwargs: dict[str, Any] = dict(out=tmp_path / "out", budget_name="tiny", budget=BUDGET, seed=0, config=PPOConfig(),
                                  arrays={"x": np.zeros(2)}, info={}, wall_time_s=1.0, command="cmd", part="mf")
    with pytest.raises((TypeError, ValueError), match=name):
        save_artifact(**{**kwargs, **change})
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# -- notebooks, the table of contents, store_outputs --------------------------------------------------

NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "budget = 'full'\nseed = 0",
                       "outputs": [], "execution_count": None}]}


@pytest.mark.parametrize(
    ("text", "also"),
    [
        (json.dumps(NOTEBOOK)[:40], ["valid JSON", "line"]),
        ("[1, 2]", ["nbformat-4"]),
        (json.dumps({**NOTEBOOK, "nbformat": 3}), ["nbformat-4"]),
        (json.dumps({**NOTEBOOK, "cells": {"a": 1}}), ["cells"]),
        (json.dumps({**NOTEBOOK, "cells": [3]}), ["cell 0"]),
        (json.dumps({**NOTEBOOK, "cells": [{"cell_type": "image"}]}), ["cell 0", "cell_type"]),
        (json.dumps({**NOTEBOOK, "cells": [{"cell_type": "code", "source": 7}]}), ["cell 0", "source"]),
        (json.dumps({**NOTEBOOK, "cells": [{"cell_type": "code", "source": "", "metadata": []}]}), ["cell 0", "metadata"]),
    ],
)
def test_notebooks_are_refused_with_their_name(tmp_path: Path, text: str, also: list[str]) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(text)
    refused(lambda: load_notebook(path), path, *also)


def test_a_notebook_that_is_not_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    not_utf8(path)
    refused(lambda: load_notebook(path), path, "UTF-8")


def _book(root: Path) -> list[Path]:
    (root / "book").mkdir(parents=True)
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    chapters:\n"
                                   "      - file: book/one\n      - file: book/two\n")
    paths = []
    for name in ("one", "two"):
        path = root / "book" / f"{name}.ipynb"
        path.write_text(json.dumps(NOTEBOOK))
        built = root / "_build" / "jupyter_execute" / "book" / f"{name}.ipynb"
        built.parent.mkdir(parents=True, exist_ok=True)
        executed = json.loads(json.dumps(NOTEBOOK))
        executed["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": name}]
        built.write_text(json.dumps(executed))
        paths.append(built)
    return paths


@pytest.mark.parametrize("corrupt", [truncated, not_utf8, lambda p: p.write_text("{}")])
def test_store_outputs_checks_every_notebook_before_it_writes_one(tmp_path: Path, corrupt: Callable[[Path], None]) -> None:
    _, second = _book(tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "book").glob("*.ipynb")}
    corrupt(second)  # the executed copy of the second notebook
    refused(lambda: store_outputs(tmp_path), second)
    assert {p: p.read_bytes() for p in (tmp_path / "book").glob("*.ipynb")} == before  # the first one was not rewritten either
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize(("text", "also"), [("parts: [\n", ["YAML"]), ("- a\n- b\n", ["mapping"])])
def test_a_broken_toc_is_named(tmp_path: Path, text: str, also: list[str]) -> None:
    (tmp_path / "_toc.yml").write_text(text)
    refused(lambda: toc_files(tmp_path), tmp_path / "_toc.yml", *also)


# -- the benchmark results and OpenSpiel's reference ----------------------------------------------------


def _changed(path: Path, change: Callable[[Any], None]) -> str:
    """The JSON text of ``path`` after ``change`` edited its data in place."""
    data = json.loads(path.read_text())
    change(data)
    return json.dumps(data)


def _benchmark(change: Callable[[dict[str, Any]], None]) -> str:
    return _changed(BENCHMARK, change)


@pytest.mark.parametrize(
    ("text", "also"),
    [
        (BENCHMARK.read_text()[:100], ["malformed JSON", "line"]),
        ("[]", ["top level"]),
        (_benchmark(lambda d: d.pop("floor")), ["floor"]),
        (_benchmark(lambda d: d["equilibrium"].pop("solve_s")), ["equilibrium.solve_s"]),
        (_benchmark(lambda d: d["equilibrium"].update(solve_s="fast")), ["equilibrium.solve_s"]),
        (_benchmark(lambda d: d["equilibrium"].update(solve_s=float("nan"))), ["equilibrium.solve_s"]),
        (_benchmark(lambda d: d["machine"].update(load_before=[])), ["machine.load_before"]),
        (_benchmark(lambda d: d["solvers"].update(rows=[1])), ["solvers.rows"]),
        (_benchmark(lambda d: next(iter(d["solvers"]["rows"].values())).update(ratio=None)), ["ratio"]),
        (_benchmark(lambda d: d.update(command=3)), ["command"]),
    ],
)
def test_benchmark_results_are_refused_with_their_name(tmp_path: Path, text: str, also: list[str]) -> None:
    assert load_benchmark(BENCHMARK)["runs"] >= 1
    path = tmp_path / "bench_mfg.json"
    path.write_text(text)
    refused(lambda: load_benchmark(path), path, *also)


def _reference(change: Callable[[dict[str, Any]], None]) -> str:
    return _changed(REFERENCE_PATH, change)


@pytest.mark.parametrize(
    ("text", "also"),
    [
        (REFERENCE_PATH.read_text()[:200], ["malformed JSON", "line"]),
        ("[1, 2]", ["not an OpenSpiel reference"]),
        (_reference(lambda d: d.update(cases={})), ["not an OpenSpiel reference"]),
        (_reference(lambda d: d["cases"].__setitem__(0, 7)), ["case 0"]),
        (_reference(lambda d: d["cases"][1].pop("nash_conv")), ["case 1", "nash_conv"]),
        (_reference(lambda d: d["cases"][1].update(policy_last=[["x"]])), ["case 1", "policy_last"]),
        (_reference(lambda d: d["cases"][1].update(nash_conv=[1.0, float("nan")])), ["case 1", "nash_conv"]),
        (_reference(lambda d: d["cases"][1].update(nash_conv=[])), ["case 1", "nash_conv"]),
    ],
)
def test_the_openspiel_reference_is_refused_with_its_name(tmp_path: Path, text: str, also: list[str]) -> None:
    path = tmp_path / "reference.json"
    path.write_text(text)
    refused(lambda: load_reference(path), path, *also)


def test_a_reference_that_is_not_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "reference.json"
    shutil.copy(REFERENCE_PATH, path)
    not_utf8(path)
    refused(lambda: load_reference(path), path, "UTF-8")
