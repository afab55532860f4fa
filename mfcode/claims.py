"""The claims ledger: every number the book asserts against a paper, and how it was checked.

A *claim* is a statement taken from one of the source documents (a figure, an equation, a sentence
of a results section), together with the check that decides whether the book's code reproduces it.
Claims are declared, one TOML file per chapter, in ``book/<chapter>/claims.toml``::

    [[claim]]
    id = "sis-eq1-bias-bound"                  # unique, kebab-case
    document = "001_00c545ba2a0e4aca.txt"      # the seed file the claim comes from
    locator = "Sec. 2, eq. (1)"                # figure / equation / section inside it
    statement = "At a regularized NE the unregularized gap is at most lambda*log|A|/(1-gamma)."
    notebook = "book/foundations/sis_exact.ipynb"
    kind = "at-most"                           # value | at-most | at-least | ordering | record
    paper = "lambda*log|A|/(1-gamma)"          # the paper's value (a number, or a formula as text)
    atol = 1e-8                                # tolerance of the check
    asserted_at = ["ci", "full"]               # budgets at which a failure fails the notebook

Kinds of check (``measured`` is what the notebook passes to :func:`check`):

``value``
    ``measured`` is a number; reproduced when ``|measured - paper| <= atol + rtol*|paper|``;
    *partly* when it is within the looser ``partly_atol`` (if given).
``at-most`` / ``at-least``
    ``measured`` is a number; reproduced when ``measured <= reference + atol`` (resp.
    ``>= reference - atol``). The reference is ``paper`` when it is a number, otherwise the number
    the notebook computes from the paper's formula and passes as ``reference=``.
``ordering``
    ``measured`` maps names to numbers; reproduced when they decrease strictly (by more than
    ``atol``) along the claim's ``order`` list, e.g. ``order = ["mfc-optimum", "jsq"]``.
``record``
    a measurement the book reports without a paper value to compare with (any JSON value);
    its verdict is always ``recorded``.

:func:`check` writes one JSON record per claim and budget under the ledger directory
(``$MFBOOK_LEDGER_DIR``, default ``book/_ledger`` in the repository), prints a one-line verdict that
does not depend on the budget (so nbval can compare it against the stored output), and raises
:class:`ClaimFailed` when a claim asserted at the current budget is not reproduced.

``python -m mfcode.claims`` prints every claim with its latest record as a table;
``python -m mfcode.claims --json`` prints the records for a reader's own scripts.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BUDGETS",
    "KINDS",
    "VERDICTS",
    "Claim",
    "ClaimFailed",
    "ClaimTable",
    "Record",
    "check",
    "claims_table",
    "evaluate",
    "ledger_dir",
    "load_claims",
    "load_records",
    "repo_root",
]

BUDGETS: tuple[str, ...] = ("ci", "full")
KINDS: tuple[str, ...] = ("value", "at-most", "at-least", "ordering", "record")
VERDICTS: tuple[str, ...] = ("reproduced", "partly", "not reproduced", "recorded")
_SEEDS = (
    "000_b5b16c64d4b05e4a.txt",
    "001_00c545ba2a0e4aca.txt",
    "002_7da79a39441e57df.txt",
    "003_99f599d21fa4851c.txt",
    "004_ae508d4ce3677c60.txt",
)


class ClaimFailed(AssertionError):
    """A claim asserted at the current budget was not reproduced."""


def repo_root() -> Path:
    """The repository holding ``book/`` (mfcode is installed editable from it)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "book").is_dir():
        return here
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if (candidate / "book").is_dir() and (candidate / "_toc.yml").is_file():
            return candidate
    raise FileNotFoundError(
        "cannot find the mfbook repository (a folder with book/ and _toc.yml); "
        "install mfcode editable (pip install -e .) or run from inside the repository"
    )


def ledger_dir() -> Path:
    """Where records are written: ``$MFBOOK_LEDGER_DIR`` or ``<repo>/book/_ledger``."""
    env = os.environ.get("MFBOOK_LEDGER_DIR")
    return Path(env) if env else repo_root() / "book" / "_ledger"


@dataclass(frozen=True)
class Claim:
    """One claim of a source document and the check that decides it (see module docstring)."""

    id: str
    document: str
    locator: str
    statement: str
    notebook: str
    kind: str
    asserted_at: tuple[str, ...] = ()
    paper: float | str | None = None
    atol: float = 0.0
    rtol: float = 0.0
    partly_atol: float | None = None
    order: tuple[str, ...] = ()
    unit: str = ""

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip().lower() or " " in self.id:
            raise ValueError(f"claim id must be non-empty lower-case kebab-case, got {self.id!r}")
        if self.document not in _SEEDS:
            raise ValueError(f"claim {self.id}: document must be one of {_SEEDS}, got {self.document!r}")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        bad = [b for b in self.asserted_at if b not in BUDGETS]
        if bad:
            raise ValueError(f"claim {self.id}: asserted_at must be a subset of {BUDGETS}, got {bad}")
        if self.kind == "record" and self.asserted_at:
            raise ValueError(f"claim {self.id}: a 'record' claim cannot be asserted (asserted_at must be empty)")
        if self.kind == "value" and not isinstance(self.paper, (int, float)):
            raise ValueError(f"claim {self.id}: kind 'value' needs a numeric 'paper' value")
        if self.kind == "ordering" and len(self.order) < 2:
            raise ValueError(f"claim {self.id}: kind 'ordering' needs an 'order' list of at least two names")
        for name in ("atol", "rtol"):
            if getattr(self, name) < 0:
                raise ValueError(f"claim {self.id}: {name} must be >= 0")
        if self.partly_atol is not None and self.partly_atol < self.atol:
            raise ValueError(f"claim {self.id}: partly_atol must be >= atol")
        if not self.notebook.endswith(".ipynb"):
            raise ValueError(f"claim {self.id}: notebook must be a .ipynb path, got {self.notebook!r}")


@dataclass(frozen=True)
class Record:
    """The outcome of one :func:`check`: a claim, what was measured, and the verdict."""

    claim: Claim
    budget: str
    measured: Any
    reference: float | None
    verdict: str
    detail: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """The budget-independent verdict line a notebook prints (compared by nbval)."""
        return f"claim {self.claim.id}: {self.verdict}"

    def to_json(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "source": {"document": c.document, "locator": c.locator},
            "statement": c.statement,
            "kind": c.kind,
            "paper": c.paper,
            "reference": self.reference,
            "tolerance": {"atol": c.atol, "rtol": c.rtol, "partly_atol": c.partly_atol},
            "order": list(c.order),
            "unit": c.unit,
            "measured": self.measured,
            "verdict": self.verdict,
            "detail": self.detail,
            "budget": self.budget,
            "asserted_at": list(c.asserted_at),
            "notebook": c.notebook,
            "extra": dict(self.extra),
        }


def _claim_from_toml(entry: Mapping[str, Any], source: Path) -> Claim:
    known = set(Claim.__dataclass_fields__)
    unknown = set(entry) - known
    if unknown:
        raise ValueError(f"{source}: unknown claim field(s) {sorted(unknown)} in {entry.get('id')!r}")
    missing = {"id", "document", "locator", "statement", "notebook", "kind"} - set(entry)
    if missing:
        raise ValueError(f"{source}: claim {entry.get('id')!r} lacks field(s) {sorted(missing)}")
    kwargs = dict(entry)
    for key in ("asserted_at", "order"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    return Claim(**kwargs)


def load_claims(root: Path | None = None) -> dict[str, Claim]:
    """Every claim declared in ``book/**/claims.toml``, keyed by id (ids must be unique)."""
    base = (root or repo_root()) / "book"
    claims: dict[str, Claim] = {}
    for path in sorted(base.rglob("claims.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for entry in data.get("claim", []):
            claim = _claim_from_toml(entry, path)
            if claim.id in claims:
                raise ValueError(f"duplicate claim id {claim.id!r} in {path}")
            claims[claim.id] = claim
    return claims


def _jsonable(value: Any) -> Any:
    """numpy scalars/arrays and mappings to plain JSON values (floats rounded to 12 digits)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else str(value)
    raise TypeError(f"measured: cannot store a value of type {type(value).__name__} in the ledger")


def _as_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {number}")
    return number


def evaluate(claim: Claim, measured: Any, reference: float | None = None) -> tuple[str, str, float | None]:
    """Decide a claim: returns ``(verdict, detail, reference used)`` without writing anything."""
    if claim.kind == "record":
        return "recorded", "measurement only (no paper value to compare with)", None
    if claim.kind == "ordering":
        if not isinstance(measured, Mapping):
            raise TypeError(f"measured: claim {claim.id} (ordering) needs a mapping name -> number")
        missing = [name for name in claim.order if name not in measured]
        if missing:
            raise ValueError(f"measured: claim {claim.id} lacks entries {missing}")
        values = [_as_number(measured[name], f"measured[{name!r}]") for name in claim.order]
        ok = all(a > b + claim.atol for a, b in zip(values, values[1:]))
        detail = " > ".join(f"{n}={v:.6g}" for n, v in zip(claim.order, values))
        return ("reproduced" if ok else "not reproduced"), detail, None
    value = _as_number(measured, "measured")
    if reference is None:
        if not isinstance(claim.paper, (int, float)):
            raise ValueError(
                f"reference: claim {claim.id} states its value as a formula ({claim.paper!r}); "
                "pass the evaluated formula as reference="
            )
        reference = float(claim.paper)
    else:
        reference = _as_number(reference, "reference")
    if claim.kind == "value":
        err = abs(value - reference)
        tol = claim.atol + claim.rtol * abs(reference)
        detail = f"|{value:.6g} - {reference:.6g}| = {err:.3g} (tolerance {tol:.3g})"
        if err <= tol:
            return "reproduced", detail, reference
        if claim.partly_atol is not None and err <= claim.partly_atol:
            return "partly", detail + f", within the looser {claim.partly_atol:.3g}", reference
        return "not reproduced", detail, reference
    if claim.kind == "at-most":
        ok = value <= reference + claim.atol
        return ("reproduced" if ok else "not reproduced"), f"{value:.6g} <= {reference:.6g} (+{claim.atol:.3g})", reference
    ok = value >= reference - claim.atol
    return ("reproduced" if ok else "not reproduced"), f"{value:.6g} >= {reference:.6g} (-{claim.atol:.3g})", reference


def _record_path(directory: Path, budget: str, claim_id: str) -> Path:
    return directory / budget / f"{claim_id}.json"


def check(
    claim_id: str,
    measured: Any,
    *,
    budget: str,
    reference: float | None = None,
    extra: Mapping[str, Any] | None = None,
    claims: Mapping[str, Claim] | None = None,
) -> Record:
    """Check a declared claim against a measurement, store the record, print the verdict line.

    Parameters
    ----------
    claim_id : id of a claim declared in a ``book/**/claims.toml``.
    measured : the measured value (number, mapping for ``ordering``, any JSON value for ``record``).
    budget : ``"ci"`` or ``"full"``: the notebook's budget; decides whether a failure raises.
    reference : the number the paper's formula evaluates to, for claims whose ``paper`` is a formula.
    extra : small JSON-able context stored with the record (parameters, seeds, sample sizes).
    claims : the claim registry (default: :func:`load_claims`).

    Raises
    ------
    ClaimFailed
        if the verdict is not *reproduced* and the claim is asserted at ``budget``.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")
    registry = load_claims() if claims is None else claims
    if claim_id not in registry:
        raise ValueError(f"claim_id {claim_id!r} is not declared in any book/**/claims.toml")
    claim = registry[claim_id]
    verdict, detail, ref = evaluate(claim, measured, reference)
    record = Record(claim, budget, _jsonable(measured), ref, verdict, detail, _jsonable(dict(extra or {})))
    path = _record_path(ledger_dir(), budget, claim_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(record.line())
    if verdict != "reproduced" and budget in claim.asserted_at:
        raise ClaimFailed(f"claim {claim_id} ({claim.document}, {claim.locator}) not reproduced at budget {budget!r}: {detail}")
    return record


def load_records(budget: str, directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """The stored records of one budget, keyed by claim id."""
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")
    base = (directory or ledger_dir()) / budget
    if not base.is_dir():
        return {}
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(base.glob("*.json"))}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 6:
        return "[" + ", ".join(_fmt(v) for v in value[:6]) + ", …]"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class ClaimTable:
    """Every declared claim beside its latest record at one budget; renders as Markdown/HTML."""

    budget: str
    rows: tuple[dict[str, Any], ...]

    COLUMNS = ("claim", "verdict", "measured", "paper", "source", "asserted at", "statement")

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in (*VERDICTS, "not run")}
        for row in self.rows:
            out[row["verdict"]] += 1
        return out

    def _cells(self, row: Mapping[str, Any]) -> list[str]:
        paper = _fmt(row["paper"])
        if row["reference"] is not None and isinstance(row["paper"], str):
            paper = f"{_fmt(row['reference'])} ({row['paper']})"
        return [
            row["id"],
            row["verdict"],
            _fmt(row["measured"]),
            paper,
            f"{row['document'][:3]} {row['locator']}",
            ", ".join(row["asserted_at"]) or "—",
            row["statement"],
        ]

    def to_markdown(self) -> str:
        lines = ["| " + " | ".join(self.COLUMNS) + " |", "|" + "---|" * len(self.COLUMNS)]
        for row in self.rows:
            cells = [c.replace("|", "\\|").replace("*", "\\*").replace("\n", " ") for c in self._cells(row)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        colours = {"reproduced": "#1a7f37", "partly": "#9a6700", "not reproduced": "#cf222e", "recorded": "#0969da"}
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.COLUMNS)
        body = []
        for row in self.rows:
            cells = [html.escape(c) for c in self._cells(row)]
            colour = colours.get(row["verdict"], "#6e7781")
            cells[1] = f'<span style="color:{colour};font-weight:600">{cells[1]}</span>'
            cells[0] = f"<code>{cells[0]}</code>"
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return f'<table class="table mfbook-claims"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        widths = (34, 24, 20, 16, 14)
        header = ("claim", "source", "paper", "measured", "verdict")
        out = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
        for row in self.rows:
            cells = self._cells(row)
            picked = (cells[0], cells[4], cells[3], cells[2], cells[1])
            out.append("  ".join(c[:w].ljust(w) for c, w in zip(picked, widths)))
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
        out.append(f"budget {self.budget}: {len(self.rows)} claims ({counts})")
        return "\n".join(out)


def claims_table(budget: str = "full", directory: Path | None = None, root: Path | None = None) -> ClaimTable:
    """All declared claims joined with their stored records at ``budget`` (missing: *not run*)."""
    claims = load_claims(root)
    records = load_records(budget, directory)
    rows = []
    for cid, claim in claims.items():
        rec = records.get(cid)
        rows.append(
            {
                "id": cid,
                "document": claim.document,
                "locator": claim.locator,
                "statement": claim.statement,
                "paper": claim.paper,
                "reference": rec["reference"] if rec else None,
                "measured": rec["measured"] if rec else None,
                "verdict": rec["verdict"] if rec else "not run",
                "asserted_at": list(claim.asserted_at),
                "notebook": claim.notebook,
            }
        )
    return ClaimTable(budget, tuple(rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mfcode.claims", description=__doc__.splitlines()[0])
    parser.add_argument("--budget", choices=BUDGETS, default="full", help="which budget's records (default: full)")
    parser.add_argument("--json", action="store_true", help="print every record as JSON")
    parser.add_argument("--ledger-dir", type=Path, default=None, help="records folder (default: $MFBOOK_LEDGER_DIR or book/_ledger)")
    args = parser.parse_args(argv)
    if args.json:
        claims = load_claims()
        records = load_records(args.budget, args.ledger_dir)
        out = []
        for cid, claim in claims.items():
            rec = records.get(cid)
            if rec is None:
                rec = Record(claim, args.budget, None, None, "not run", "no record at this budget").to_json()
            out.append(rec)
        json.dump(out, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(claims_table(args.budget, args.ledger_dir).to_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
