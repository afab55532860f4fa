"""The claims ledger decides, stores and reports claims exactly as documented, and finds the book
only by its documented rule (explicit root, ``$MFBOOK_ROOT``, or the nearest ``_toc.yml`` above
the working directory)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfcode import claims
from mfcode.claims import Claim, ClaimFailed, check, evaluate
from mfcode.claims.render import Table
from mfcode.claims.table import claim_row

ROOT = Path(__file__).resolve().parents[1]
DOC = "001_00c545ba2a0e4aca.txt"
CLAIMS_TOML = (
    f'[[claim]]\nid = "a-b"\norigin = "paper"\ndocument = "{DOC}"\nlocator = "Fig. 1"\nstatement = "x"\n'
    'quote = "the value is one half"\nfails_if = "the measured value is not within 0.1 of 0.5"\n'
    'notebook = "book/ch/n.ipynb"\nkind = "value"\npaper = 0.5\natol = 0.1\ntolerance_reason = "sampling noise"\n'
    'asserted_at = ["ci"]\n'
    f'[[claim]]\nid = "c-d"\norigin = "measurement"\ndocument = "{DOC}"\nlocator = "Sec. 5"\nstatement = "y"\n'
    'fails_if = "the solver stops before convergence"\nnotebook = "book/ch/n.ipynb"\nkind = "record"\n'
)


def _book(root: Path, toml: str = CLAIMS_TOML) -> Path:
    """A minimal book root: ``_toc.yml`` and one chapter's ``claims.toml``."""
    (root / "book" / "ch").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/ch/n\n")
    (root / "book" / "ch" / "claims.toml").write_text(toml)
    return root


def make(kind: str = "value", **kw: object) -> Claim:
    base: dict[str, object] = dict(
        id="c-test", document=DOC, locator="eq. (1)", statement="s", notebook="book/x.ipynb", kind=kind,
        origin="paper", quote="q", fails_if="f", tolerance_reason="r",
    )
    if kind == "value":
        base["paper"] = 1.0
    base.update(kw)
    return Claim(**base)  # type: ignore[arg-type]


def test_value_verdicts_follow_tolerances() -> None:
    claim = make(paper=2.0, atol=0.1, partly_atol=0.5)
    assert evaluate(claim, 2.05)[0] == "reproduced"
    assert evaluate(claim, 2.3)[0] == "partly"
    assert evaluate(claim, 3.0)[0] == "not reproduced"
    assert evaluate(make(paper=100.0, rtol=0.01), 100.9)[0] == "reproduced"
    assert evaluate(make(paper=100.0, rtol=0.01), 101.1)[0] == "not reproduced"


def test_bounds_use_runtime_reference_for_formulas() -> None:
    at_most = make("at-most", paper="lambda*log|A|/(1-gamma)", atol=1e-9)
    assert evaluate(at_most, 0.5, reference=0.6)[0] == "reproduced"
    assert evaluate(at_most, 0.7, reference=0.6)[0] == "not reproduced"
    with pytest.raises(ValueError, match="reference"):
        evaluate(at_most, 0.5)
    at_least = make("at-least", paper=0.0)
    assert evaluate(at_least, 0.0)[0] == "reproduced"
    assert evaluate(at_least, -1e-3)[0] == "not reproduced"


def test_ordering_is_strict_along_order() -> None:
    claim = make("ordering", order=("mf", "jsq", "random"), atol=0.01)
    assert evaluate(claim, {"mf": 3.0, "jsq": 2.0, "random": 1.0})[0] == "reproduced"
    assert evaluate(claim, {"mf": 3.0, "jsq": 2.995, "random": 1.0})[0] == "not reproduced"
    with pytest.raises(ValueError, match="lacks"):
        evaluate(claim, {"mf": 3.0})
    with pytest.raises(TypeError, match="mapping"):
        evaluate(claim, 3.0)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(0, 1e3))
def test_value_check_is_symmetric_in_the_error(paper: float, measured: float, atol: float) -> None:
    claim = make(paper=paper, atol=atol)
    mirrored = 2 * paper - measured
    assert (evaluate(claim, measured)[0] == "reproduced") == (evaluate(claim, mirrored)[0] == "reproduced") or math.isclose(
        abs(measured - paper), atol, rel_tol=1e-9
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(id="Bad Id"), "kebab"),
        (dict(document="paper.pdf"), "document"),
        (dict(kind="guess"), "kind"),
        (dict(asserted_at=("nightly",)), "asserted_at"),
        (dict(kind="value", paper="about one"), "numeric"),
        (dict(kind="ordering", order=("a",)), "order"),
        (dict(kind="record", asserted_at=("ci",)), "record"),
        (dict(atol=-1.0), "atol"),
        (dict(notebook="book/x.md"), "notebook"),
    ],
)
def test_bad_claims_are_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_check_writes_record_and_raises_only_when_asserted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path))
    registry = {"c-test": make(paper=1.0, atol=0.01, asserted_at=("ci",))}
    record = check("c-test", np.float64(1.005), budget="ci", claims=registry, extra={"n": np.int64(3)})
    assert record.verdict == "reproduced"
    assert capsys.readouterr().out.strip() == "claim c-test: reproduced"
    stored = json.loads((tmp_path / "ci" / "c-test.json").read_text())
    assert stored["measured"] == 1.005 and stored["extra"] == {"n": 3} and stored["source"]["document"] == DOC
    with pytest.raises(ClaimFailed, match="not reproduced"):
        check("c-test", 2.0, budget="ci", claims=registry)
    assert check("c-test", 2.0, budget="full", claims=registry).verdict == "not reproduced"
    assert claims.load_records("full", tmp_path)["c-test"]["verdict"] == "not reproduced"


def test_check_validates_its_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path))
    registry = {"c-test": make()}
    with pytest.raises(ValueError, match="budget"):
        check("c-test", 1.0, budget="paper", claims=registry)
    with pytest.raises(ValueError, match="claim_id"):
        check("other", 1.0, budget="ci", claims=registry)
    with pytest.raises(ValueError, match="finite"):
        check("c-test", float("nan"), budget="ci", claims=registry)
    with pytest.raises(TypeError, match="measured"):
        check("c-test", "one", budget="ci", claims=registry)


def test_toml_registry_table_and_text(tmp_path: Path) -> None:
    _book(tmp_path)
    registry = claims.load_claims(tmp_path)
    assert set(registry) == {"a-b", "c-d"} and registry["a-b"].asserted_at == ("ci",)
    ledger = tmp_path / "ledger"
    (ledger / "full").mkdir(parents=True)
    rec = claims.Record(registry["a-b"], "full", 0.55, 0.5, "reproduced", "ok").to_json()
    (ledger / "full" / "a-b.json").write_text(json.dumps(rec))
    table = claims.claims_table("full", ledger, tmp_path)
    assert table.counts()["reproduced"] == 1 and table.counts()["not run"] == 1
    assert "| a-b |" in table.to_markdown() and "not run" in table.to_text()
    assert "### Stated by the papers" in table.to_markdown() and "Measurements the book reports: 1" in table.to_text()
    assert table.to_text().splitlines()[-1] == "budget full: 2 claims (1 reproduced, 1 not run)"
    (tmp_path / "book" / "ch" / "dup.toml").write_text("")
    (tmp_path / "book" / "ch2").mkdir()
    (tmp_path / "book" / "ch2" / "claims.toml").write_text(CLAIMS_TOML)
    with pytest.raises(ValueError, match=r"ch2/claims.toml: duplicate claim id 'a-b' \(first declared in .*ch/claims.toml\)"):
        claims.load_claims(tmp_path)


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        ('[[claim]]\nid = "a-b"\nkind = \n', r"claims.toml: malformed TOML: .*line 3"),
        ('title = "x"\n', r"claims.toml: unknown top-level key\(s\) \['title'\]"),
        ("claim = 3\n", r"claims.toml: 'claim' must be an array of tables"),
        (CLAIMS_TOML.replace("atol = 0.1", 'atol = "0.1"'), r"claims.toml: claim 'a-b': field 'atol' must be a number"),
        (CLAIMS_TOML.replace("atol = 0.1", "atol = true"), r"claims.toml: claim 'a-b': field 'atol' must be a number"),
        (CLAIMS_TOML.replace('asserted_at = ["ci"]', 'asserted_at = "ci"'), r"claim 'a-b': field 'asserted_at' must be a list"),
        (CLAIMS_TOML.replace('statement = "x"', 'statment = "x"'), r"claim 'a-b': unknown field\(s\) \['statment'\]"),
        (CLAIMS_TOML.replace('locator = "Fig. 1"\n', ""), r"claim 'a-b': lacks field\(s\) \['locator'\]"),
        (CLAIMS_TOML.replace('kind = "record"', 'kind = "guess"'), r"claims.toml: claim c-d: kind must be one of"),
    ],
)
def test_malformed_claims_files_are_refused_whole_with_their_name(tmp_path: Path, toml: str, match: str) -> None:
    _book(tmp_path, toml)
    with pytest.raises(ValueError, match=match):
        claims.load_claims(tmp_path)


def test_load_claims_needs_a_book_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no book/ folder"):
        claims.load_claims(tmp_path)


def test_malformed_records_are_refused_with_their_name(tmp_path: Path) -> None:
    registry = claims.load_claims(_book(tmp_path / "b"))
    good = claims.Record(registry["a-b"], "ci", 0.5, 0.5, "reproduced", "ok").to_json()
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "a-b.json").write_text(json.dumps(good))
    assert claims.load_records("ci", tmp_path)["a-b"]["measured"] == 0.5
    (tmp_path / "ci" / "c-d.json").write_text('{"id": "c-d",\n "verdict": }')
    with pytest.raises(ValueError, match=r"c-d.json: malformed JSON at line 2"):
        claims.load_records("ci", tmp_path)
    bad_records: list[tuple[object, str]] = [
        ([], "must be a JSON object"),
        ({"id": "c-d"}, r"lacks key\(s\) \['asserted_at'"),
        ({**good, "id": "a-b"}, "file names claim 'c-d'"),
        ({**good, "id": "c-d", "budget": "full"}, "lies in the 'ci' folder"),
        ({**good, "id": "c-d", "verdict": "fine"}, "key 'verdict' must be one of"),
    ]
    for bad, match in bad_records:
        (tmp_path / "ci" / "c-d.json").write_text(json.dumps(bad))
        with pytest.raises(ValueError, match=match):
            claims.load_records("ci", tmp_path)


def test_check_finds_the_book_by_the_documented_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path / "book-a")
    other = _book(tmp_path / "book-b")
    monkeypatch.delenv("MFBOOK_LEDGER_DIR")
    monkeypatch.delenv("MFBOOK_ROOT", raising=False)
    # Jupyter Book runs a notebook in its own folder: the nearest _toc.yml above the cwd is the book.
    monkeypatch.chdir(book / "book" / "ch")
    assert claims.book_root() == book.resolve()
    check("a-b", 0.55, budget="ci")
    assert json.loads((book / "book" / "_ledger" / "ci" / "a-b.json").read_text())["verdict"] == "reproduced"
    assert claims.claims_table("ci").counts()["reproduced"] == 1
    # $MFBOOK_ROOT wins over the cwd (the tests run notebooks in temporary folders).
    monkeypatch.setenv("MFBOOK_ROOT", str(other))
    assert claims.book_root() == other
    check("c-d", [1, 2], budget="full")
    assert (other / "book" / "_ledger" / "full" / "c-d.json").is_file()
    assert not (book / "book" / "_ledger" / "full").exists()
    # $MFBOOK_LEDGER_DIR overrides the ledger folder, an explicit root the book.
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path / "ledger"))
    check("c-d", 3, budget="ci", root=book)
    assert json.loads((tmp_path / "ledger" / "ci" / "c-d.json").read_text())["measured"] == 3
    assert capsys.readouterr().out.splitlines() == ["claim a-b: reproduced", "claim c-d: recorded", "claim c-d: recorded"]


def test_book_root_refuses_when_the_rule_finds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MFBOOK_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"\$MFBOOK_ROOT is not set and neither .* nor any of its parents holds _toc.yml"):
        claims.book_root()
    with pytest.raises(FileNotFoundError, match="MFBOOK_ROOT"):
        check("a-b", 0.5, budget="ci")
    monkeypatch.setenv("MFBOOK_ROOT", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"\$MFBOOK_ROOT=.* has no _toc.yml"):
        claims.book_root()
    assert claims.book_root(tmp_path) == tmp_path


def test_cli_text_and_book_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    book = _book(tmp_path / "b")
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path / "ledger"))
    check("a-b", 0.9, budget="full", root=book)
    capsys.readouterr()
    assert claims.main(["--book", str(book)]) == 0
    out = capsys.readouterr().out
    assert "not reproduced" in out and out.splitlines()[-1] == "budget full: 2 claims (1 not reproduced, 1 not run)"
    monkeypatch.chdir(book)
    assert claims.main(["--budget", "ci"]) == 0
    assert "budget ci: 2 claims (2 not run)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        claims.main(["--book", str(tmp_path)])
    assert "holds no _toc.yml" in capsys.readouterr().err


def test_cli_json_lists_every_declared_claim(capsys: pytest.CaptureFixture[str], session_ledger: Path) -> None:
    assert claims.main(["--json", "--budget", "ci", "--book", str(ROOT), "--ledger-dir", str(session_ledger)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in printed} == set(claims.load_claims(ROOT))
    for record in printed:
        assert {"id", "origin", "quote", "fails_if", "page", "source", "statement", "measured", "paper", "tolerance",
                "verdict", "budget", "notebook"} <= set(record)


def test_timings_are_recorded_never_asserted() -> None:
    """Wall-clock timings depend on the machine: their claims are records marked ``timing = true``
    (shown in the performance table), never asserted (benchmarks measure speed)."""
    registry = claims.load_claims(ROOT)
    timings = {cid: c for cid, c in registry.items() if "-time" in cid or c.unit == "s" or c.timing}
    assert "mfg-step-time-ordering" in timings
    for cid, claim in timings.items():
        assert claim.timing, f"claim {cid} is a wall-clock timing: mark it timing = true"
        assert claim.kind == "record" and not claim.asserted_at, f"claim {cid} asserts a wall-clock timing"


def test_table_renderer_escapes_lays_out_and_validates() -> None:
    table = Table("cap", ("a|b", "c"), (("1*2", "x\ny"), ("<b>", "long cell")), widths=(3, 4), footer="end")
    assert table.to_markdown().splitlines() == ["*cap*", "", "| a\\|b | c |", "|---|---|", "| 1\\*2 | x y |", "| <b> | long cell |"]
    assert table.to_text().splitlines() == ["cap", "a|b  c   ", "1*2  x y ", "<b>  long", "end"]
    assert str(Table("", ("a", "bb"), (("long", "x"),))) == "a     bb\nlong  x "
    page = Table("", ("v",), (("<b>",),), css_class="t", cell_html=lambda col, cell: f"<i>{col}:{cell}</i>").to_html()
    assert page == '<table class="t"><thead><tr><th>v</th></tr></thead><tbody><tr><td><i>v:&lt;b&gt;</i></td></tr></tbody></table>'
    assert Table("", ("a", "bb"), ()).to_text() == "a  bb"
    with pytest.raises(ValueError, match="rows"):
        Table("", ("a", "b"), (("1",),))
    with pytest.raises(ValueError, match="widths"):
        Table("", ("a", "b"), (), widths=(1,))


def test_html_table_escapes_and_colours_verdicts() -> None:
    claim = make("at-most", id="x-y", paper="a<b & c*d", statement="<script>")
    row = claim_row(claim, {"reference": 0.5, "measured": 0.25, "verdict": "reproduced"})
    page = claims.ClaimTable("ci", (row,)).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and "a&lt;b &amp; c*d" in page
    assert "#1a7f37" in page and page.count("<tr>") == 2
