"""The project's conventions hold: notebooks, table of contents, claims, pins, CI entry point."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from mfcode import claims
from mfcode.notebooks import ALLOWED_IMPORTS, PLOTTING_CALLS, convention_violations, toc_files, toc_notebooks

#: The repository (the book root: it holds _toc.yml); the tests know the layout, mfcode does not.
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = toc_notebooks(ROOT)


def test_every_notebook_in_book_is_in_the_toc() -> None:
    on_disk = {p.relative_to(ROOT) for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    missing = sorted(map(str, on_disk - set(NOTEBOOKS)))
    assert not missing, f"notebooks not listed in _toc.yml: {missing}"


def test_claims_appendix_is_the_last_notebook() -> None:
    assert NOTEBOOKS[-1] == Path("book/appendix/claims.ipynb")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[str(p) for p in NOTEBOOKS])
def test_notebook_follows_conventions(notebook: Path) -> None:
    problems = convention_violations(ROOT / notebook)
    assert not problems, f"{notebook} breaks {len(problems)} convention(s):\n" + "\n".join(f"  - {p}" for p in problems)


def test_convention_checker_catches_violations(tmp_path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook()
    params = new_code_cell('budget = "ci"\nseed = "zero"')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell("import pandas\ndef helper():\n    return 1")
    body.outputs = [new_output("stream", name="stdout", text="x")]
    nb.cells = [params, body]
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    problems = " ".join(convention_violations(path))
    assert "'full'" in problems and "int seed" in problems and "pandas" in problems and "FunctionDef" in problems
    assert "mfcode" in ALLOWED_IMPORTS


def _cell_problems(tmp_path: Path, source: str) -> list[str]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell('budget = "full"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(source)
    body.outputs = [new_output("stream", name="stdout", text="x")]
    nb.cells = [params, body]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return convention_violations(path)


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("f = lambda x: x + 1", "code cell 1 line 1: lambda expression"),
        ("ax.plot(x, sorted(y, key=lambda v: -v))", "code cell 1 line 1: lambda expression"),
        ("total = 0\nfor v in values:\n    total += v", "code cell 1 line 2: for loop whose body plots nothing"),
        ("for v in values:\n    print(v)", "for loop whose body plots nothing"),
        ("squares = [v * v for v in values]", "code cell 1 line 1: ListComp (comprehension)"),
        ("ax.plot(x, [v * v for v in values])", "ListComp (comprehension)"),
        ("s = {v for v in values}", "SetComp"),
        ("d = {k: v for k, v in pairs}", "DictComp"),
        ("m = max(v for v in values)", "GeneratorExp"),
        ("while True:\n    break", "defines While"),
    ],
)
def test_convention_checker_rejects_logic_in_notebooks(tmp_path: Path, source: str, match: str) -> None:
    problems = _cell_problems(tmp_path, source)
    assert any(match in p for p in problems), problems


@pytest.mark.parametrize(
    "source",
    [
        "for name, curve in curves.items():\n    ax.plot(x, curve, label=name)",
        "for i, ax in enumerate(axes[0]):\n    for name in names:\n        ax.semilogy(x, y[name])\n    ax.set_title(str(i))",
        "for m in methods:\n    plotting.confidence_band(axes[0, 0], x, runs[m], label=m)",
        "from mfcode.plotting import confidence_band\nfor m in methods:\n    confidence_band(ax, x, runs[m], label=m)",
        "for level in levels:\n    if level > 0:\n        ax.axhline(level, color='k')",
        "for a, b in pairs:\n    fig.text(a, b, 'x')",
    ],
)
def test_convention_checker_allows_loops_over_plotted_series(tmp_path: Path, source: str) -> None:
    assert _cell_problems(tmp_path, source) == []


def test_plotting_calls_include_the_documented_set() -> None:
    documented = {"plot", "fill_between", "scatter", "bar", "errorbar", "semilogy", "loglog", "step", "hist",
                  "imshow", "axhline", "axvline", "text", "annotate", "confidence_band"}
    assert documented == PLOTTING_CALLS


def test_unparsable_cells_are_reported_not_raised(tmp_path: Path) -> None:
    assert _cell_problems(tmp_path, "x = (1,") == ["code cell 1 line 1: not Python ('(' was never closed)"]


def test_claims_are_declared_for_toc_notebooks() -> None:
    registry = claims.load_claims(ROOT)
    assert registry, "the book declares no claims"
    notebooks = set(map(str, NOTEBOOKS))
    for cid, claim in registry.items():
        assert claim.notebook in notebooks, f"claim {cid} names {claim.notebook}, which is not in _toc.yml"


def test_every_toc_page_exists() -> None:
    for page in toc_files(ROOT):
        assert (ROOT / page).is_file()


def _pins_pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins.update(extra)
    return pins


def test_environment_yml_pins_match_pyproject() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = {p for p in pip_section if "==" in p}
    assert env_pins == _pins_pyproject()
    assert "python=3.11" in env["dependencies"]


def test_constraints_lock_agrees_with_pins() -> None:
    lock = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            lock[name.lower().replace("_", "-")] = version
    for pin in _pins_pyproject():
        name, version = pin.split("==")
        assert lock.get(name.lower()) == version, f"constraints.txt disagrees with pyproject on {name}"
    assert lock["torch"] == "2.13.0"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    quick = [line.strip() for block in commands[:1] for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(quick) == 2, f"the README's quick start must hold exactly two commands, found {quick}"
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick[1] in [line.strip() for line in ci]


def test_book_config_builds_offline_and_only_toc_files() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    assert config["execute"]["timeout"] >= 60
    extensions = config["sphinx"].get("extra_extensions", [])
    assert "sphinx_proof" in extensions and "sphinx-mathjax-offline" in extensions
    assert "sphinx.ext.intersphinx" not in extensions and "intersphinx_mapping" not in config["sphinx"].get("config", {})


def _markdown_sources() -> list[tuple[str, str]]:
    sources = []
    for page in toc_files(ROOT):
        if page.suffix == ".md":
            sources.append((str(page), (ROOT / page).read_text()))
        else:
            nb = json.loads((ROOT / page).read_text())
            for i, cell in enumerate(nb["cells"]):
                if cell["cell_type"] == "markdown":
                    sources.append((f"{page} cell {i}", "".join(cell["source"])))
    return sources


def test_display_math_starts_its_own_paragraph() -> None:
    """A ``$$`` line glued to the text above renders as raw dollars inside prf blocks."""
    bad = []
    for where, text in _markdown_sources():
        lines = text.splitlines()
        for i, line in enumerate(lines[1:], start=1):
            if line.startswith("$$") and lines[i - 1].strip() and not lines[i - 1].rstrip().endswith("$$"):
                bad.append(f"{where}: line {i + 1}")
    assert not bad, "put a blank line before display math: " + ", ".join(bad)
