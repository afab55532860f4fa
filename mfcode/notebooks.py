"""The book's notebook plumbing: which notebooks the book has, their parameters, and their rules.

Used by the tests (run every notebook of ``_toc.yml`` at ``budget="ci"``; enforce the conventions),
by the book build (read pages in table-of-contents order, so the claims appendix comes last), and by
maintainers (``python -m mfcode.notebooks store-outputs`` copies the outputs of the last book build
back into the committed notebooks, which nbval then validates).

Conventions every notebook follows (checked by ``tests/test_conventions.py``):

* it is listed in ``_toc.yml``;
* its first code cell is tagged ``parameters`` and assigns at least ``budget`` (``"ci"`` or
  ``"full"``, default ``"full"``) and ``seed`` (an ``int``);
* it imports only :data:`ALLOWED_IMPORTS` and defines no functions or classes and no ``while`` loops
  (logic lives in mfcode; notebooks call it and plot);
* it names the ``python3`` kernel and is stored with outputs, in nbformat 4, so papermill can
  parameterise it and nbval can validate it.
"""

from __future__ import annotations

import argparse
import ast
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mfcode.claims import BUDGETS, repo_root

__all__ = [
    "ALLOWED_IMPORTS",
    "code_cells",
    "convention_violations",
    "imported_modules",
    "load_notebook",
    "parameters",
    "prepare",
    "store_outputs",
    "toc_files",
    "toc_notebooks",
]

#: Top-level modules a notebook may import (``myst_nb`` for ``glue``: numbers in prose come from the code).
ALLOWED_IMPORTS: frozenset[str] = frozenset({"mfcode", "numpy", "scipy", "torch", "matplotlib", "myst_nb"})


def _walk_toc(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        if "file" in node:
            yield str(node["file"])
        if "root" in node:
            yield str(node["root"])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                yield from _walk_toc(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk_toc(child)


def _resolve(root: Path, entry: str) -> Path:
    base = root / entry
    if base.suffix in (".md", ".ipynb"):
        return base
    for suffix in (".ipynb", ".md"):
        candidate = base.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"_toc.yml names {entry!r} but neither {entry}.ipynb nor {entry}.md exists")


def toc_files(root: Path | None = None) -> list[Path]:
    """Every page of ``_toc.yml`` (root first), in reading order, as paths relative to the repo."""
    import yaml  # installed with jupyter-book; only the book and the tests need it

    base = root or repo_root()
    toc = yaml.safe_load((base / "_toc.yml").read_text(encoding="utf-8"))
    return [_resolve(base, entry).relative_to(base) for entry in _walk_toc(toc)]


def toc_notebooks(root: Path | None = None) -> list[Path]:
    """The notebooks of ``_toc.yml`` in reading order (relative paths)."""
    return [p for p in toc_files(root) if p.suffix == ".ipynb"]


def load_notebook(path: Path) -> dict[str, Any]:
    """The notebook as a plain nbformat-4 dict."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("nbformat") != 4:
        raise ValueError(f"path: {path} is not an nbformat-4 notebook")
    return data


def code_cells(nb: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parameters(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The literal assignments of the notebook's ``parameters`` cell (its first code cell)."""
    cells = code_cells(nb)
    if not cells or "parameters" not in cells[0].get("metadata", {}).get("tags", []):
        raise ValueError("nb: the first code cell must be tagged 'parameters'")
    values: dict[str, Any] = {}
    for node in ast.parse(_source(cells[0])).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def imported_modules(nb: Mapping[str, Any]) -> set[str]:
    """Top-level names of every module the notebook imports."""
    names: set[str] = set()
    for cell in code_cells(nb):
        for node in ast.walk(ast.parse(_source(cell))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add((node.module or "").split(".")[0])
    return names


def convention_violations(path: Path) -> list[str]:
    """Every way the notebook at ``path`` breaks the book's notebook conventions (empty: none)."""
    nb = load_notebook(path)
    problems: list[str] = []
    kernel = nb.get("metadata", {}).get("kernelspec", {})
    if kernel.get("name") != "python3" or kernel.get("language") != "python":
        problems.append(f"metadata.kernelspec must name the python3 kernel (language python), got {kernel or None}")
    try:
        params = parameters(nb)
    except ValueError as exc:
        problems.append(str(exc))
        params = {}
    if params.get("budget") not in BUDGETS:
        problems.append(f"parameters cell must set budget to one of {BUDGETS} (default 'full'), got {params.get('budget')!r}")
    elif params["budget"] != "full":
        problems.append("the stored default budget must be 'full' (the book renders the paper-scale run)")
    if not isinstance(params.get("seed"), int):
        problems.append(f"parameters cell must set an int seed, got {params.get('seed')!r}")
    extra = imported_modules(nb) - ALLOWED_IMPORTS
    if extra:
        problems.append(f"imports outside {sorted(ALLOWED_IMPORTS)}: {sorted(extra)}")
    for i, cell in enumerate(code_cells(nb)):
        for node in ast.walk(ast.parse(_source(cell))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.While)):
                problems.append(f"code cell {i} defines {type(node).__name__}: move the logic into mfcode")
        if not cell.get("outputs") and "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            problems.append(f"code cell {i} is tagged nbval-check-output but has no stored output")
    if not any(cell.get("outputs") for cell in code_cells(nb)):
        problems.append("no stored outputs: run the book build, then `python -m mfcode.notebooks store-outputs`")
    return problems


def prepare(source: Path, target: Path, *, budget: str, seed: int | None = None) -> None:
    """Write ``source`` with papermill's injected ``budget``/``seed`` parameters to ``target``.

    The stored outputs stay in place, so nbval can execute ``target`` and compare the cells tagged
    ``nbval-check-output`` with what the book stored.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")
    import papermill

    params: dict[str, Any] = {"budget": budget}
    if seed is not None:
        params["seed"] = int(seed)
    papermill.execute_notebook(str(source), str(target), parameters=params, prepare_only=True, kernel_name="python3", progress_bar=False)


def store_outputs(root: Path | None = None, build_dir: Path | None = None) -> list[Path]:
    """Copy the outputs of the last book build into the committed notebooks (returns those changed).

    myst-nb keeps the executed copy of ``book/x/y.ipynb`` at ``_build/jupyter_execute/book/x/y.ipynb``.
    Only outputs and execution counts are copied; sources must be identical, else the notebook was
    edited after the build and is refused.
    """
    base = root or repo_root()
    executed_dir = build_dir or base / "_build" / "jupyter_execute"
    changed: list[Path] = []
    for rel in toc_notebooks(base):
        executed = executed_dir / rel
        if not executed.is_file():
            raise FileNotFoundError(f"{executed} missing: build the book first (make book)")
        src_nb, run_nb = load_notebook(base / rel), load_notebook(executed)
        src_cells, run_cells = code_cells(src_nb), code_cells(run_nb)
        if [_source(c) for c in src_cells] != [_source(c) for c in run_cells]:
            raise ValueError(f"{rel} changed since the last build: rebuild the book before storing outputs")
        before = json.dumps(src_nb, sort_keys=True)
        for mine, theirs in zip(src_cells, run_cells):
            mine["outputs"] = theirs.get("outputs", [])
            mine["execution_count"] = theirs.get("execution_count")
        if json.dumps(src_nb, sort_keys=True) != before:
            (base / rel).write_text(json.dumps(src_nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(rel)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mfcode.notebooks", description="The book's notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the notebooks of _toc.yml in reading order")
    sub.add_parser("check", help="report convention violations of every notebook")
    store = sub.add_parser("store-outputs", help="copy outputs of the last book build into the notebooks")
    store.add_argument("--build-dir", type=Path, default=None,
                       help="executed notebooks of the build (default: _build/jupyter_execute; with "
                            "`jupyter-book build . --path-output DIR` it is DIR/_build/jupyter_execute)")
    args = parser.parse_args(argv)
    if args.command == "list":
        for path in toc_notebooks():
            print(path)
        return 0
    if args.command == "check":
        bad = 0
        for path in toc_notebooks():
            for problem in convention_violations(repo_root() / path):
                print(f"{path}: {problem}")
                bad += 1
        return 1 if bad else 0
    for path in store_outputs(build_dir=args.build_dir):
        print(f"stored outputs into {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
