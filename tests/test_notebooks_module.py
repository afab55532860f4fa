"""The notebook plumbing: toc discovery, parameter injection, storing outputs, reading order, CLI."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mfcode import notebooks
from mfcode.notebooks import (
    convention_violations,
    load_notebook,
    parameters,
    prepare,
    store_outputs,
    toc_files,
    toc_notebooks,
)

ROOT = Path(__file__).resolve().parents[1]


def _book(tmp_path: Path) -> Path:
    (tmp_path / "book" / "ch").mkdir(parents=True)
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell('budget = "full"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell('print(budget, seed)')
    body.metadata["tags"] = ["nbval-check-output"]
    nb.cells = [new_markdown_cell("# Ch"), params, body]
    nbformat.write(nb, tmp_path / "book" / "ch" / "b_first.ipynb")
    nbformat.write(nb, tmp_path / "book" / "ch" / "a_second.ipynb")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    chapters:\n"
        "      - file: book/ch/b_first\n        sections:\n          - file: book/ch/a_second.ipynb\n"
    )
    return tmp_path


def test_toc_order_is_reading_order_not_alphabetical(tmp_path: Path) -> None:
    root = _book(tmp_path)
    assert toc_files(root) == [Path("book/intro.md"), Path("book/ch/b_first.ipynb"), Path("book/ch/a_second.ipynb")]
    assert toc_notebooks(root) == [Path("book/ch/b_first.ipynb"), Path("book/ch/a_second.ipynb")]
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/missing\n")
    with pytest.raises(FileNotFoundError, match="missing"):
        toc_files(root)


def test_sphinx_extension_reads_pages_in_toc_order(tmp_path: Path) -> None:
    root = _book(tmp_path)
    spec = importlib.util.spec_from_file_location("toc_order", ROOT / "_ext" / "toc_order.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    docnames = ["book/ch/a_second", "book/ch/b_first", "book/intro", "genindex"]
    module._reorder(SimpleNamespace(srcdir=str(root)), None, docnames)
    assert docnames == ["book/intro", "book/ch/b_first", "book/ch/a_second", "genindex"]


def test_prepare_injects_parameters_and_keeps_stored_outputs(tmp_path: Path) -> None:
    root = _book(tmp_path)
    nb_path = root / "book" / "ch" / "b_first.ipynb"
    nb = load_notebook(nb_path)
    nb["cells"][2]["outputs"] = [new_output("stream", name="stdout", text="full 0\n")]
    nb_path.write_text(json.dumps(nb))
    out = tmp_path / "prepared.ipynb"
    prepare(nb_path, out, budget="ci", seed=7)
    prepared = load_notebook(out)
    injected = [c for c in prepared["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and 'budget = "ci"' in "".join(injected[0]["source"]) and "seed = 7" in "".join(injected[0]["source"])
    assert any(c.get("outputs") for c in prepared["cells"] if c["cell_type"] == "code")
    assert parameters(prepared) == {"budget": "full", "seed": 0}
    with pytest.raises(ValueError, match="budget"):
        prepare(nb_path, out, budget="huge")


def test_store_outputs_copies_and_refuses_edited_sources(tmp_path: Path) -> None:
    root = _book(tmp_path)
    build = tmp_path / "_build" / "jupyter_execute"
    for rel in toc_notebooks(root):
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        nb = load_notebook(root / rel)
        nb["cells"][2]["outputs"] = [new_output("stream", name="stdout", text="full 0\n")]
        nb["cells"][2]["execution_count"] = 2
        (build / rel).write_text(json.dumps(nb))
    assert store_outputs(root, build) == toc_notebooks(root)
    assert store_outputs(root, build) == []
    stored = load_notebook(root / "book/ch/b_first.ipynb")
    assert stored["cells"][2]["outputs"][0]["text"] == "full 0\n"
    assert convention_violations(root / "book/ch/b_first.ipynb") == []
    edited = load_notebook(root / "book/ch/a_second.ipynb")
    edited["cells"][2]["source"] = "print('changed')"
    (root / "book/ch/a_second.ipynb").write_text(json.dumps(edited))
    with pytest.raises(ValueError, match="changed since the last build"):
        store_outputs(root, build)
    shutil.rmtree(build)
    with pytest.raises(FileNotFoundError, match="build the book"):
        store_outputs(root, build)


def test_toc_and_notebooks_must_be_well_formed(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"holds no _toc\.yml"):
        toc_files(tmp_path)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: [unclosed\n")
    with pytest.raises(ValueError, match=r"_toc.yml: malformed YAML"):
        toc_files(tmp_path)
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"nbformat": 4,\n "cells": [}')
    with pytest.raises(ValueError, match=r"bad.ipynb is not valid JSON \(line 2"):
        load_notebook(bad)
    bad.write_text('{"nbformat": 3, "cells": []}')
    with pytest.raises(ValueError, match="nbformat-4"):
        load_notebook(bad)


def test_main_lists_checks_and_stores_outputs_of_the_given_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _book(tmp_path / "b")
    assert notebooks.main(["list", "--book", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == ["book/ch/b_first.ipynb", "book/ch/a_second.ipynb"]
    # Without stored outputs every notebook violates the conventions: check reports each and fails.
    assert notebooks.main(["check", "--book", str(root)]) == 1
    report = capsys.readouterr().out.splitlines()
    assert len(report) == 4 and all(line.startswith(("book/ch/b_first.ipynb: ", "book/ch/a_second.ipynb: ")) for line in report)
    build = tmp_path / "build"
    for rel in toc_notebooks(root):
        nb = load_notebook(root / rel)
        nb["cells"][2]["outputs"] = [new_output("stream", name="stdout", text="full 0\n")]
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_text(json.dumps(nb))
    monkeypatch.chdir(root)  # --book defaults to the current directory
    assert notebooks.main(["store-outputs", "--build-dir", str(build)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "stored outputs into book/ch/b_first.ipynb",
        "stored outputs into book/ch/a_second.ipynb",
    ]
    assert notebooks.main(["check"]) == 0
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit):
        notebooks.main(["list", "--book", str(tmp_path)])
    assert "holds no _toc.yml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        notebooks.main([])


def test_store_outputs_writes_nothing_unless_every_notebook_is_current(tmp_path: Path) -> None:
    root = _book(tmp_path / "b")
    build = tmp_path / "build"
    for i, rel in enumerate(toc_notebooks(root)):
        nb = load_notebook(root / rel)
        nb["cells"][2]["outputs"] = [new_output("stream", name="stdout", text="full 0\n")]
        if i == 1:
            nb["cells"][2]["source"] = "print('edited')"
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_text(json.dumps(nb))
    before = (root / "book/ch/b_first.ipynb").read_text()
    with pytest.raises(ValueError, match=r"a_second\.ipynb changed since the last build"):
        store_outputs(root, build)
    assert (root / "book/ch/b_first.ipynb").read_text() == before
