"""The claims ledger decides, stores and reports claims exactly as documented."""

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

DOC = "001_00c545ba2a0e4aca.txt"


def make(kind: str = "value", **kw: object) -> Claim:
    base: dict[str, object] = dict(id="c-test", document=DOC, locator="eq. (1)", statement="s", notebook="book/x.ipynb", kind=kind)
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


def test_toml_registry_table_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "book" / "ch").mkdir(parents=True)
    (tmp_path / "book" / "ch" / "claims.toml").write_text(
        f'[[claim]]\nid = "a-b"\ndocument = "{DOC}"\nlocator = "Fig. 1"\nstatement = "x"\n'
        'notebook = "book/ch/n.ipynb"\nkind = "value"\npaper = 0.5\natol = 0.1\nasserted_at = ["ci"]\n'
        f'[[claim]]\nid = "c-d"\ndocument = "{DOC}"\nlocator = "Sec. 5"\nstatement = "y"\nnotebook = "book/ch/n.ipynb"\nkind = "record"\n'
    )
    registry = claims.load_claims(tmp_path)
    assert set(registry) == {"a-b", "c-d"} and registry["a-b"].asserted_at == ("ci",)
    ledger = tmp_path / "ledger"
    (ledger / "full").mkdir(parents=True)
    rec = claims.Record(registry["a-b"], "full", 0.55, 0.5, "reproduced", "ok").to_json()
    (ledger / "full" / "a-b.json").write_text(json.dumps(rec))
    table = claims.claims_table("full", ledger, tmp_path)
    assert table.counts()["reproduced"] == 1 and table.counts()["not run"] == 1
    assert "| a-b |" in table.to_markdown() and "not run" in table.to_text()
    (tmp_path / "book" / "ch" / "dup.toml").write_text("")
    (tmp_path / "book" / "ch2").mkdir()
    (tmp_path / "book" / "ch2" / "claims.toml").write_text((tmp_path / "book" / "ch" / "claims.toml").read_text())
    with pytest.raises(ValueError, match="duplicate"):
        claims.load_claims(tmp_path)


def test_cli_json_lists_every_declared_claim(capsys: pytest.CaptureFixture[str], session_ledger: Path) -> None:
    assert claims.main(["--json", "--budget", "ci", "--ledger-dir", str(session_ledger)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in printed} == set(claims.load_claims())
    for record in printed:
        assert {"id", "source", "statement", "measured", "paper", "tolerance", "verdict", "budget", "notebook"} <= set(record)


def test_html_table_escapes_and_colours_verdicts() -> None:
    claim = make("at-most", id="x-y", paper="a<b & c*d", statement="<script>")
    row = {"id": "x-y", "document": DOC, "locator": "eq. (1)", "statement": claim.statement, "paper": claim.paper,
           "reference": 0.5, "measured": 0.25, "verdict": "reproduced", "asserted_at": ["ci"], "notebook": claim.notebook}
    page = claims.ClaimTable("ci", (row,)).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and "a&lt;b &amp; c*d" in page
    assert "#1a7f37" in page and page.count("<tr>") == 2
