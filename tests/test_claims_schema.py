"""The claim schema refuses, when a claims.toml is loaded, every claim that does not say whose number
it is or what would make it fail: each error names the file and the claim (issue #10, acceptance)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mfcode import claims
from mfcode.claims import Claim, check, evaluate

DOC = "001_00c545ba2a0e4aca.txt"

PAPER = f'''[[claim]]
id = "p-claim"
origin = "paper"
document = "{DOC}"
locator = "Sec. 2, eq. (1)"
quote = "the gap is at most one"
statement = "s"
fails_if = "the measured gap exceeds one"
notebook = "book/ch/n.ipynb"
kind = "at-most"
paper = 1.0
asserted_at = ["ci", "full"]
'''

DERIVED = f'''[[claim]]
id = "d-claim"
origin = "derived"
document = "{DOC}"
locator = "Sec. 4, Theorem 1"
page = "book/ch/theory.md"
statement = "s"
fails_if = "the measured slope is above -1/2"
notebook = "book/ch/n.ipynb"
kind = "at-most"
target = -0.5
atol = 0.01
tolerance_reason = "slope fitted over three points"
asserted_at = ["full"]
'''

CROSS = '''[[claim]]
id = "x-claim"
origin = "cross-check"
document = "mfglib 0.3.0"
locator = "mfglib.alg.FictitiousPlay"
statement = "s"
fails_if = "the histories differ by more than 1e-10"
notebook = "book/ch/n.ipynb"
kind = "at-most"
target = 0.0
atol = 1e-10
tolerance_reason = "floating-point round-off of two float64 implementations"
'''

TIMING = f'''[[claim]]
id = "t-claim"
origin = "measurement"
document = "{DOC}"
locator = "App. D"
statement = "s"
fails_if = "the timed loop does not run the solver step"
notebook = "book/ch/n.ipynb"
kind = "record"
timing = true
unit = "s"
'''

GOOD = PAPER + DERIVED + CROSS + TIMING


def _book(root: Path, toml: str) -> Path:
    (root / "book" / "ch").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/ch/n\n")
    (root / "book" / "ch" / "theory.md").write_text("# theory\n")
    (root / "book" / "ch" / "claims.toml").write_text(toml)
    return root


def test_a_well_formed_file_loads_with_the_new_fields(tmp_path: Path) -> None:
    registry = claims.load_claims(_book(tmp_path, GOOD))
    assert [c.origin for c in registry.values()] == ["paper", "derived", "cross-check", "measurement"]
    assert registry["p-claim"].quote == "the gap is at most one" and registry["p-claim"].value == 1.0
    assert registry["d-claim"].page == "book/ch/theory.md" and registry["d-claim"].value == -0.5
    assert registry["d-claim"].tolerance_reason.startswith("slope")
    assert registry["x-claim"].document == "mfglib 0.3.0"
    assert registry["t-claim"].timing and not registry["p-claim"].timing


@pytest.mark.parametrize(
    ("toml", "claim_id", "match"),
    [
        # a book threshold in `paper`: origin "paper" without a quote ...
        (PAPER.replace('quote = "the gap is at most one"\n', ""), "p-claim", "needs a non-empty 'quote'"),
        (PAPER.replace('quote = "the gap is at most one"', 'quote = "  "'), "p-claim", "needs a non-empty 'quote'"),
        # ... or with another origin
        (DERIVED.replace("target = -0.5", "paper = -0.5"), "d-claim", "only origin 'paper' may give 'paper'"),
        (CROSS.replace("target = 0.0", "paper = 0.0"), "x-claim", "only origin 'paper' may give 'paper'"),
        (PAPER.replace("paper = 1.0", "paper = 1.0\ntarget = 1.0"), "p-claim", "not both"),
        # unknown origin
        (PAPER.replace('origin = "paper"', 'origin = "folklore"'), "p-claim", "origin must be one of"),
        (PAPER.replace('origin = "paper"\n', ""), "p-claim", r"lacks field\(s\) \['origin'\]"),
        # derived without page, or with a page that is not in the book
        (DERIVED.replace('page = "book/ch/theory.md"\n', ""), "d-claim", "needs 'page'"),
        (DERIVED.replace("theory.md", "missing.md"), "d-claim", "is not a file of the book"),
        # cross-check filed under a seed; another origin filed under an implementation
        (CROSS.replace('"mfglib 0.3.0"', f'"{DOC}"'), "x-claim", "not a seed file"),
        (PAPER.replace(f'"{DOC}"', '"OpenSpiel 2.0.2"'), "p-claim", "must be one of"),
        (TIMING.replace(f'"{DOC}"', '"mfglib 0.3.0"'), "t-claim", "must be one of"),
        # fails_if missing or empty
        (PAPER.replace('fails_if = "the measured gap exceeds one"\n', ""), "p-claim", r"lacks field\(s\) \['fails_if'\]"),
        (PAPER.replace('fails_if = "the measured gap exceeds one"', 'fails_if = ""'), "p-claim", "'fails_if' must say"),
        # a tolerance without a reason
        (DERIVED.replace('tolerance_reason = "slope fitted over three points"\n', ""), "d-claim", "non-zero atol needs a 'tolerance_reason'"),
        (PAPER.replace("paper = 1.0", "paper = 1.0\nrtol = 0.1"), "p-claim", "non-zero rtol needs a 'tolerance_reason'"),
        # a timing that is asserted
        (TIMING.replace('kind = "record"', 'kind = "at-most"\ntarget = 1.0\nasserted_at = ["ci"]'), "t-claim", "never asserted"),
        (TIMING.replace("timing = true", 'timing = "yes"'), "t-claim", "field 'timing' must be true or false"),
        # a locator that names no place in the source
        (PAPER.replace('locator = "Sec. 2, eq. (1)"', 'locator = "issue acceptance"'), "p-claim", "locator must name a place"),
    ],
)
def test_malformed_claims_name_the_file_and_the_claim(tmp_path: Path, toml: str, claim_id: str, match: str) -> None:
    _book(tmp_path, toml)
    with pytest.raises(ValueError, match=match) as info:
        claims.load_claims(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "book" / "ch" / "claims.toml") in message
    assert claim_id in message


def _claim(**kw: object) -> Claim:
    base: dict[str, object] = dict(
        id="c", document=DOC, locator="eq. (1)", statement="s", notebook="book/x.ipynb", kind="at-most",
        origin="derived", page="book/x.md", fails_if="f",
    )
    base.update(kw)
    return Claim(**base)  # type: ignore[arg-type]


def test_the_reference_is_paper_else_target_and_the_notebook_overrides() -> None:
    paper = _claim(origin="paper", quote="q", paper=1.0)
    assert evaluate(paper, 0.9) == ("reproduced", "0.9 <= 1 (+0)", 1.0)
    target = _claim(target=-0.5)
    assert evaluate(target, -1.0)[0] == "reproduced" and evaluate(target, -0.4)[0] == "not reproduced"
    assert evaluate(target, -0.4, reference=0.0)[0] == "reproduced"
    formula = _claim(target="R/(1-gamma)")
    with pytest.raises(ValueError, match="formula"):
        evaluate(formula, 1.0)
    assert evaluate(formula, 1.0, reference=2.0)[2] == 2.0
    with pytest.raises(ValueError, match="neither 'paper' nor 'target'"):
        evaluate(_claim(), 1.0)
    value = _claim(kind="value", target=2.0, atol=0.1, tolerance_reason="r")
    assert evaluate(value, 2.05)[0] == "reproduced"
    with pytest.raises(ValueError, match="numeric 'paper' or 'target'"):
        _claim(kind="value")


def test_the_claims_page_has_one_table_per_origin_papers_first_and_timings_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path / "b", TIMING + CROSS + DERIVED + PAPER)
    monkeypatch.setenv("MFBOOK_LEDGER_DIR", str(tmp_path / "ledger"))
    check("p-claim", 0.5, budget="full", root=book)
    check("d-claim", -0.495, budget="full", root=book)
    check("t-claim", 0.01, budget="full", root=book)
    table = claims.claims_table("full", root=book)
    assert [title for title, _ in table.sections()] == [
        "Stated by the papers", "Derived by the book from the papers' theorems",
        "Cross-checks with other implementations", "Performance (changes at every build)",
    ]
    page = table.to_html()
    assert page.index("<h3>Stated by the papers</h3>") < page.index("<h3>Derived") < page.index("<h3>Cross-checks")
    assert page.index("<h3>Cross-checks") < page.index("<h3>Performance (changes at every build)</h3>")
    assert page.count("<table") == 4
    assert "<details><summary>quote, fails if</summary>quote: “the gap is at most one”<br>fails if: the measured gap exceeds one" in page
    assert "≤ -0.5 (atol 0.01)" in page and "derived on: book/ch/theory.md" in page
    assert "tolerance: slope fitted over three points" in page
    assert "<td>mfglib 0.3.0 mfglib.alg.FictitiousPlay</td>" in page and "<td>001 Sec. 2, eq. (1)</td>" in page
    markdown = table.to_markdown()
    assert markdown.startswith("### Stated by the papers\n\n| claim | source |") and "| p-claim | 001 Sec. 2, eq. (1) |" in markdown
    text = table.to_text()
    assert text.splitlines()[0] == "Stated by the papers: 1"
    assert text.splitlines()[-1] == "budget full: 4 claims (2 reproduced, 1 recorded, 1 not run)"
    capsys.readouterr()
    assert claims.main(["--json", "--book", str(book)]) == 0
    printed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert printed["p-claim"]["origin"] == "paper" and printed["p-claim"]["quote"] == "the gap is at most one"
    assert printed["x-claim"]["verdict"] == "not run" and printed["x-claim"]["origin"] == "cross-check"
    assert printed["d-claim"]["page"] == "book/ch/theory.md" and printed["d-claim"]["target"] == -0.5
    assert printed["d-claim"]["tolerance"]["reason"] == "slope fitted over three points"
    assert printed["t-claim"]["timing"] is True


def test_records_written_before_the_origin_fields_still_load_and_print(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path / "b", PAPER)
    registry = claims.load_claims(book)
    old = claims.Record(registry["p-claim"], "full", 0.5, 1.0, "reproduced", "ok").to_json()
    for key in ("origin", "quote", "page", "fails_if", "target", "timing"):
        del old[key]
    (tmp_path / "ledger" / "full").mkdir(parents=True)
    (tmp_path / "ledger" / "full" / "p-claim.json").write_text(json.dumps(old))
    assert claims.load_records("full", tmp_path / "ledger")["p-claim"]["verdict"] == "reproduced"
    assert claims.main(["--json", "--book", str(book), "--ledger-dir", str(tmp_path / "ledger")]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["origin"] == "paper" and record["quote"] == "the gap is at most one" and record["measured"] == 0.5


def test_a_multi_line_quote_stays_one_item_of_the_details(tmp_path: Path) -> None:
    book = _book(tmp_path, PAPER.replace('quote = "the gap is at most one"', 'quote = """the gap\n\nis at most one"""'))
    page = claims.claims_table("full", tmp_path / "ledger", book).to_html()
    assert "<summary>quote, fails if</summary>quote: “the gap is at most one”<br>fails if:" in page
