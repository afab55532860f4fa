"""The book's notebook plumbing: which notebooks the book has, their parameters, and their rules.

Used by the tests (run every notebook of ``_toc.yml`` at ``budget="ci"``; enforce the conventions),
by the book build (read pages in table-of-contents order, so the claims appendix comes last), and by
maintainers (``python -m mfcode.notebooks store-outputs [--book .]`` copies the outputs of the last
book build back into the committed notebooks, which nbval then validates).

Every function that reads the book takes the book root (the folder holding ``_toc.yml``) as an
argument, and the command line takes it as ``--book`` (default: the current directory); nothing here
locates the repository by itself.

Conventions every notebook follows (checked by :func:`convention_violations`, run by
``tests/test_conventions.py``):

* it is listed in ``_toc.yml``;
* its first code cell is tagged ``parameters`` and assigns at least ``budget`` (``"ci"`` or
  ``"full"``, default ``"full"``) and ``seed`` (an ``int``);
* it imports only :data:`ALLOWED_IMPORTS` and defines no functions or classes (logic lives in
  mfcode; notebooks call it and plot);
* it has no ``while`` loops, no ``lambda`` expressions and no comprehensions (list, set, dict or
  generator, anywhere, even inside a plotting call): a computation over many items is a function of
  mfcode;
* its only loops are ``for`` loops over plotted series: a ``for`` statement is allowed when its body
  (at any depth) calls a plotting method, i.e. a call ``<expr>.<name>(...)`` with ``<name>`` in
  :data:`PLOTTING_CALLS` (``ax.plot``, ``axes[0, 1].fill_between``, ``plotting.confidence_band``,
  ...), or a bare ``confidence_band(...)`` imported from :mod:`mfcode.plotting`;
* it names the ``python3`` kernel and is stored with outputs, in nbformat 4, so papermill can
  parameterise it and nbval can validate it.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mfcode.claims import BUDGETS
from mfcode.validation import check_int, check_path

__all__ = [
    "ALLOWED_IMPORTS",
    "PLOTTING_CALLS",
    "code_cells",
    "convention_violations",
    "imported_modules",
    "load_notebook",
    "main",
    "parameters",
    "prepare",
    "store_outputs",
    "toc_files",
    "toc_notebooks",
]

#: Top-level modules a notebook may import (``myst_nb`` for ``glue``: numbers in prose come from the code).
ALLOWED_IMPORTS: frozenset[str] = frozenset({"mfcode", "numpy", "scipy", "torch", "matplotlib", "myst_nb"})

#: Method names that make a ``for`` loop a loop over plotted series (calls on axes/figures, and
#: :func:`mfcode.plotting.confidence_band`).
PLOTTING_CALLS: frozenset[str] = frozenset(
    {"plot", "fill_between", "scatter", "bar", "errorbar", "semilogy", "loglog", "step", "hist", "imshow",
     "axhline", "axvline", "text", "annotate", "confidence_band"}
)

_TOC = "_toc.yml"
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


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


def toc_files(root: Path | str) -> list[Path]:
    """Every page of ``<root>/_toc.yml`` (root page first), in reading order, relative to ``root``."""
    import yaml  # type: ignore[import-untyped]  # installed with jupyter-book (book and tests only); types-PyYAML is not pinned

    base = check_path(root, "root")
    path = base / _TOC
    if not path.is_file():
        raise FileNotFoundError(f"root: {base} holds no {_TOC}, so it is not the book root")
    try:
        toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(toc, Mapping):
        raise ValueError(f"{path}: a table of contents must be a mapping, got {type(toc).__name__}")
    return [_resolve(base, entry).relative_to(base) for entry in _walk_toc(toc)]


def toc_notebooks(root: Path | str) -> list[Path]:
    """The notebooks of ``<root>/_toc.yml`` in reading order (relative to ``root``)."""
    return [p for p in toc_files(root) if p.suffix == ".ipynb"]


def load_notebook(path: Path | str) -> dict[str, Any]:
    """The notebook as a plain nbformat-4 dict."""
    path = check_path(path, "path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"path: {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"path: {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        raise ValueError(f"path: {path} is not an nbformat-4 notebook")
    try:
        _check_cells(data)
    except ValueError as exc:
        raise ValueError(f"path: {path}: {exc}") from None
    return data


def _check_cells(nb: object) -> list[dict[str, Any]]:
    """The cells of an nbformat-4 notebook dict: a list of objects with a known ``cell_type`` and a str (or list of str) source."""
    if not isinstance(nb, Mapping) or not isinstance(nb.get("cells"), list):
        raise ValueError("nb must be a notebook (a mapping with a 'cells' list)")
    cells: list[dict[str, Any]] = nb["cells"]
    for i, cell in enumerate(cells):
        if not isinstance(cell, Mapping) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise ValueError(f"cell {i} must be an object with cell_type 'code', 'markdown' or 'raw'")
        src = cell.get("source", "")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(line, str) for line in src))):
            raise ValueError(f"cell {i}: source must be a str or a list of str")
        if not isinstance(cell.get("metadata", {}), Mapping):
            raise ValueError(f"cell {i}: metadata must be an object")
    return cells


def code_cells(nb: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The notebook's code cells, in order (``code cell i`` in messages counts these)."""
    return [c for c in _check_cells(nb) if c["cell_type"] == "code"]


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parameters(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The literal assignments of the notebook's ``parameters`` cell (its first code cell)."""
    cells = code_cells(nb)
    if not cells or "parameters" not in cells[0].get("metadata", {}).get("tags", []):
        raise ValueError("nb: the first code cell must be tagged 'parameters'")
    values: dict[str, Any] = {}
    for node in _parse(cells[0], 0).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                raise ValueError(f"nb: the parameters cell must assign literals, not {ast.unparse(node.value)!r}") from None
    return values


def _parse(cell: Mapping[str, Any], i: int) -> ast.Module:
    """A code cell's source as a syntax tree; ``ValueError`` naming the cell if it is not Python."""
    try:
        return ast.parse(_source(cell))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ValueError(f"nb: code cell {i} is not Python ({type(exc).__name__}: {exc})") from None


def imported_modules(nb: Mapping[str, Any]) -> set[str]:
    """Top-level names of every module the notebook imports."""
    names: set[str] = set()
    for i, cell in enumerate(code_cells(nb)):
        for node in ast.walk(_parse(cell, i)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add((node.module or "").split(".")[0])
    return names


def _is_plotting_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr in PLOTTING_CALLS
    return isinstance(func, ast.Name) and func.id == "confidence_band"


def _plots(loop: ast.For | ast.AsyncFor) -> bool:
    """Whether the loop's body calls a plotting method somewhere (at any depth)."""
    return any(_is_plotting_call(node) for stmt in loop.body for node in ast.walk(stmt))


def _code_violations(i: int, tree: ast.AST) -> list[str]:
    """The rules on code: no definitions, no while, no lambda, no comprehension, for only to plot."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.While)):
            found.append((line, f"code cell {i} defines {type(node).__name__} (line {line}): move the logic into mfcode"))
        elif isinstance(node, ast.Lambda):
            found.append((line, f"code cell {i} line {line}: lambda expression: move the logic into mfcode"))
        elif isinstance(node, _COMPREHENSIONS):
            found.append((line, f"code cell {i} line {line}: {type(node).__name__} (comprehension): move the loop into mfcode"))
        elif isinstance(node, (ast.For, ast.AsyncFor)) and not _plots(node):
            found.append((line, f"code cell {i} line {line}: for loop whose body plots nothing (a for loop may only "
                                "draw series, see PLOTTING_CALLS): move the loop into mfcode"))
    return [message for _, message in sorted(found, key=lambda item: item[0])]


def convention_violations(path: Path | str) -> list[str]:
    """Every way the notebook at ``path`` breaks the book's notebook conventions (empty: none).

    Each problem is one line; problems of a code cell name it as ``code cell i`` (the i-th code
    cell, from 0) and the line inside the cell.
    """
    nb = load_notebook(path)
    problems: list[str] = []
    metadata = nb.get("metadata", {})
    kernel = metadata.get("kernelspec", {}) if isinstance(metadata, Mapping) else {}
    kernel = kernel if isinstance(kernel, Mapping) else {}
    if kernel.get("name") != "python3" or kernel.get("language") != "python":
        problems.append(f"metadata.kernelspec must name the python3 kernel (language python), got {kernel or None}")
    trees: list[ast.AST | None] = []
    for i, cell in enumerate(code_cells(nb)):
        try:
            trees.append(ast.parse(_source(cell)))
        except SyntaxError as exc:
            problems.append(f"code cell {i} line {exc.lineno}: not Python ({exc.msg})")
            trees.append(None)
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, nesting too deep for the parser
            problems.append(f"code cell {i}: not Python ({type(exc).__name__})")
            trees.append(None)
    if any(tree is None for tree in trees):
        return problems
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
    for i, (cell, tree) in enumerate(zip(code_cells(nb), trees, strict=True)):
        assert tree is not None  # every cell parsed (checked above)
        problems.extend(_code_violations(i, tree))
        if not cell.get("outputs") and "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            problems.append(f"code cell {i} is tagged nbval-check-output but has no stored output")
    if not any(cell.get("outputs") for cell in code_cells(nb)):
        problems.append("no stored outputs: run the book build, then `python -m mfcode.notebooks store-outputs`")
    return problems


def prepare(source: Path | str, target: Path | str, *, budget: str, seed: int | None = None) -> None:
    """Write ``source`` with papermill's injected ``budget``/``seed`` parameters to ``target``.

    The stored outputs stay in place, so nbval can execute ``target`` and compare the cells tagged
    ``nbval-check-output`` with what the book stored.
    """
    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")
    source, target = check_path(source, "source"), check_path(target, "target")
    for name, path in (("source", source), ("target", target)):
        if path.suffix != ".ipynb":
            raise ValueError(f"{name} must be a .ipynb path, got {path}")
    import papermill

    params: dict[str, Any] = {"budget": budget}
    if seed is not None:
        params["seed"] = check_int(seed, "seed")
    papermill.execute_notebook(str(source), str(target), parameters=params, prepare_only=True, kernel_name="python3", progress_bar=False)


def store_outputs(root: Path | str, build_dir: Path | str | None = None) -> list[Path]:
    """Copy the outputs of the last book build into the committed notebooks (returns those changed).

    ``root`` is the book root. myst-nb keeps the executed copy of ``book/x/y.ipynb`` at
    ``<build_dir>/book/x/y.ipynb`` (default ``build_dir``: ``<root>/_build/jupyter_execute``).
    Only outputs and execution counts are copied; sources must be identical, else the notebook was
    edited after the build and is refused. Every notebook is checked before any is written.
    """
    base = check_path(root, "root")
    executed_dir = check_path(build_dir, "build_dir") if build_dir is not None else base / "_build" / "jupyter_execute"
    updated: list[tuple[Path, dict[str, Any]]] = []
    for rel in toc_notebooks(base):
        executed = executed_dir / rel
        if not executed.is_file():
            raise FileNotFoundError(f"{executed} missing: build the book first (make book)")
        src_nb, run_nb = load_notebook(base / rel), load_notebook(executed)
        src_cells, run_cells = code_cells(src_nb), code_cells(run_nb)
        if [_source(c) for c in src_cells] != [_source(c) for c in run_cells]:
            raise ValueError(f"{rel} changed since the last build: rebuild the book before storing outputs")
        before = json.dumps(src_nb, sort_keys=True)
        for mine, theirs in zip(src_cells, run_cells, strict=True):
            mine["outputs"] = theirs.get("outputs", [])
            mine["execution_count"] = theirs.get("execution_count")
        if json.dumps(src_nb, sort_keys=True) != before:
            updated.append((rel, src_nb))
    for rel, nb in updated:  # each file replaced whole (temporary file + rename), never half-written
        target = base / rel
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    return [rel for rel, _ in updated]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--book", type=Path, default=Path("."), help=f"the book root, holding {_TOC} (default: .)")
    parser = argparse.ArgumentParser(prog="python -m mfcode.notebooks", description="The book's notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", parents=[common], help="the notebooks of _toc.yml in reading order")
    sub.add_parser("check", parents=[common], help="report convention violations of every notebook")
    store = sub.add_parser("store-outputs", parents=[common], help="copy outputs of the last book build into the notebooks")
    store.add_argument("--build-dir", type=Path, default=None,
                       help="executed notebooks of the build (default: BOOK/_build/jupyter_execute; with "
                            "`jupyter-book build . --path-output DIR` it is DIR/_build/jupyter_execute)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mfcode.notebooks {list,check,store-outputs} [--book PATH]``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    book: Path = args.book
    if not (book / _TOC).is_file():
        parser.error(f"--book {book} holds no {_TOC}: pass the book root")
    if args.command == "list":
        for path in toc_notebooks(book):
            print(path)
        return 0
    if args.command == "check":
        bad = 0
        for path in toc_notebooks(book):
            for problem in convention_violations(book / path):
                print(f"{path}: {problem}")
                bad += 1
        return 1 if bad else 0
    for path in store_outputs(book, args.build_dir):
        print(f"stored outputs into {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
