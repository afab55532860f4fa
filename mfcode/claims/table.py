"""The ledger as tables: every declared claim beside its latest record at one budget.

:func:`claims_table` joins the claims of the book (:func:`mfcode.claims.load_claims`) with the
records of one budget (:func:`mfcode.claims.load_records`); a claim without a record is *not run*.
The resulting :class:`ClaimTable` holds one table per origin, in the order of
:data:`mfcode.claims.schema.ORIGINS` (the papers' own claims first, then the book's derived claims,
the cross-checks with other implementations and the book's measurements), and, at the end, the
wall-clock timings (``timing = true``) in a separate table, since they change at every build. Each
row shows the claim, its source (document and locator), the statement, the paper's value or the
book's target with the tolerance of the check, the measured value, the verdict, the budgets at
which it is asserted, and the details: the paper's sentence (``quote``), the result that would make
the claim fail (``fails_if``), the reason of a tolerance and the page that derives a derived claim.
Tables render through :class:`mfcode.claims.render.Table`: as HTML in the claims appendix (the
details folded), as Markdown, or as text for ``python -m mfcode.claims``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from mfcode.claims.ledger import load_records
from mfcode.claims.render import Table
from mfcode.claims.root import book_root
from mfcode.claims.schema import ORIGINS, VERDICTS, Claim, load_claims
from mfcode.validation import check_path

__all__ = ["ORIGIN_TITLES", "PERFORMANCE_TITLE", "VERDICT_COLOURS", "ClaimTable", "claim_row", "claims_table", "details_cell",
           "format_value", "tolerance_cell", "value_cell"]

#: Colour of each verdict in the HTML table (GitHub's palette); *not run* is grey.
VERDICT_COLOURS: Mapping[str, str] = {
    "reproduced": "#1a7f37",
    "partly": "#9a6700",
    "not reproduced": "#cf222e",
    "recorded": "#0969da",
}
_NOT_RUN_COLOUR = "#6e7781"
#: The heading of each origin's table.
ORIGIN_TITLES: Mapping[str, str] = {
    "paper": "Stated by the papers",
    "derived": "Derived by the book from the papers' theorems",
    "cross-check": "Cross-checks with other implementations",
    "measurement": "Measurements the book reports",
}
#: The heading of the table of wall-clock timings.
PERFORMANCE_TITLE = "Performance (changes at every build)"
_RELATIONS: Mapping[str, str] = {"value": "= ", "at-most": "≤ ", "at-least": "≥ "}


def format_value(value: Any) -> str:
    """A measured or paper value as a short cell (floats to 6 digits, long lists cut after 6)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 6:
        return "[" + ", ".join(format_value(v) for v in value[:6]) + ", …]"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def _claim_cell_html(column: str, cell: str) -> str:
    if column == "claim":
        return f"<code>{cell}</code>"
    if column == "verdict":
        colour = VERDICT_COLOURS.get(cell, _NOT_RUN_COLOUR)
        return f'<span style="color:{colour};font-weight:600">{cell}</span>'
    if column == "details" and cell:
        lines = cell.split("\n")
        summary = html.escape(", ".join(line.split(":", 1)[0] for line in lines))
        return f"<details><summary>{summary}</summary>" + "<br>".join(lines) + "</details>"
    return cell


def _number(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _row(row: object, keys: tuple[str, ...], name: str = "row") -> Mapping[str, Any]:
    """``row`` if it is a mapping with ``keys`` (a row of :func:`claim_row`); ``name`` in errors."""
    if not isinstance(row, Mapping):
        raise TypeError(f"{name} must hold mappings (rows of claim_row), got {type(row).__name__}")
    missing = [k for k in keys if k not in row]
    if missing:
        raise ValueError(f"{name}: a row lacks the key(s) {missing} of a claim_row row")
    return row


def tolerance_cell(row: Mapping[str, Any]) -> str:
    """The tolerance of a row's check, e.g. ``atol 1e-09, rtol 0.01`` (empty when exact)."""
    _row(row, ())
    parts = [f"{name} {_number(row[key])}" for key, name in (("atol", "atol"), ("rtol", "rtol"), ("partly_atol", "partly"))
             if row.get(key)]
    return ", ".join(parts)


def value_cell(row: Mapping[str, Any]) -> str:
    """The paper's value or the book's target, as the check uses it, with its tolerance."""
    _row(row, ("kind", "order", "value", "reference"))
    kind = row["kind"]
    if kind not in ("record", "ordering", *_RELATIONS):
        raise ValueError(f"row: 'kind' must be a claim kind, got {kind!r}")
    if kind == "record":
        return "—"
    if kind == "ordering":
        text = " > ".join(row["order"])
    else:
        value, reference = row["value"], row["reference"]
        if isinstance(value, str) and reference is not None:
            shown = f"{format_value(reference)} ({value})"
        elif value is None:
            shown = format_value(reference)
        else:
            shown = format_value(value)
        text = _RELATIONS[kind] + shown
    tolerance = tolerance_cell(row)
    return f"{text} ({tolerance})" if tolerance else text


def details_cell(row: Mapping[str, Any]) -> str:
    """The quote, what would make the claim fail, the tolerance's reason and the deriving page.

    One line per item (``quote: …``, ``fails if: …``, ``tolerance: …``, ``derived on: …``), each
    on one line (whitespace inside an item collapsed), so the HTML hook can fold them.
    """
    _row(row, ("quote", "fails_if", "tolerance_reason", "page"))
    if not all(isinstance(row[k], str) for k in ("quote", "fails_if", "tolerance_reason", "page")):
        raise TypeError("row: 'quote', 'fails_if', 'tolerance_reason' and 'page' must be str")
    items = (("quote", f"“{row['quote']}”" if row["quote"] else ""), ("fails if", row["fails_if"]),
             ("tolerance", row["tolerance_reason"]), ("derived on", row["page"]))
    return "\n".join(f"{name}: {' '.join(text.split())}" for name, text in items if text.strip())


@dataclass(frozen=True)
class ClaimTable:
    """Every declared claim beside its latest record at one budget: one table per origin, then the
    timings; renders as Markdown/HTML/text (see the module docstring)."""

    budget: str
    rows: tuple[dict[str, Any], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.budget, str):
            raise TypeError(f"budget must be a str, got {type(self.budget).__name__}")
        if not isinstance(self.rows, tuple):
            raise TypeError(f"rows must be a tuple of claim_row rows, got {type(self.rows).__name__}")
        for row in self.rows:
            _row(row, tuple(_ROW_KEYS), "rows")
            if row["verdict"] not in (*VERDICTS, "not run") or row["origin"] not in ORIGINS:
                raise ValueError(f"rows: 'verdict' and 'origin' must be a verdict and an origin, got {row['verdict']!r}, {row['origin']!r}")

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "claim", "source", "statement", "paper / target", "measured", "verdict", "asserted at", "details"
    )
    #: The columns of the text rendering, and their widths.
    TEXT_COLUMNS: ClassVar[tuple[tuple[str, int], ...]] = (
        ("claim", 34), ("source", 24), ("paper / target", 24), ("measured", 16), ("verdict", 14)
    )

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((*VERDICTS, "not run"), 0)
        for row in self.rows:
            out[row["verdict"]] += 1
        return out

    def summary(self) -> str:
        """One line per verdict (and *not run*) with its count, names right-aligned."""
        return "\n".join(f"{verdict:>15}: {count}" for verdict, count in self.counts().items())

    def sections(self) -> tuple[tuple[str, tuple[dict[str, Any], ...]], ...]:
        """``(heading, rows)`` per origin in :data:`ORIGINS` order, then the timings; empty ones left out."""
        groups = [(ORIGIN_TITLES[o], tuple(r for r in self.rows if r["origin"] == o and not r["timing"])) for o in ORIGINS]
        groups.append((PERFORMANCE_TITLE, tuple(r for r in self.rows if r["timing"])))
        return tuple((title, rows) for title, rows in groups if rows)

    def _cells(self, row: Mapping[str, Any]) -> dict[str, str]:
        return {
            "claim": row["id"],
            "source": f"{row['document'][:3] if row['document'][:3].isdigit() else row['document']} {row['locator']}",
            "statement": row["statement"],
            "paper / target": value_cell(row),
            "measured": format_value(row["measured"]),
            "verdict": row["verdict"],
            "asserted at": ", ".join(row["asserted_at"]) or "—",
            "details": details_cell(row),
        }

    @staticmethod
    def _headers(title: str, names: tuple[str, ...]) -> tuple[str, ...]:
        """Column headings of one section: the papers' table says *paper*, the others *target*."""
        value = "paper" if title == ORIGIN_TITLES["paper"] else "target"
        return tuple(value if name == "paper / target" else name for name in names)

    def tables(self) -> tuple[Table, ...]:
        """One :class:`Table` per section (its heading as caption), all columns, for Markdown and HTML."""
        return tuple(
            Table(title, self._headers(title, self.COLUMNS), tuple(tuple(self._cells(r)[c] for c in self.COLUMNS) for r in rows),
                  css_class="table mfbook-claims", cell_html=_claim_cell_html)
            for title, rows in self.sections()
        )

    def table(self) -> Table:
        """Every claim in one table, in section order (all columns)."""
        rows = tuple(tuple(self._cells(r)[c] for c in self.COLUMNS) for _, group in self.sections() for r in group)
        return Table("", self.COLUMNS, rows, css_class="table mfbook-claims", cell_html=_claim_cell_html)

    def text_tables(self) -> tuple[Table, ...]:
        """The narrower text layout, one table per section."""
        names = tuple(name for name, _ in self.TEXT_COLUMNS)
        widths = tuple(w for _, w in self.TEXT_COLUMNS)
        return tuple(
            Table(f"{title}: {len(rows)}", self._headers(title, names), tuple(tuple(self._cells(r)[c] for c in names) for r in rows), widths=widths)
            for title, rows in self.sections()
        )

    def footer(self) -> str:
        """``budget <b>: <n> claims (<counts>)``: the last line of the text rendering."""
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
        return f"budget {self.budget}: {len(self.rows)} claims ({counts})"

    def to_markdown(self) -> str:
        return "\n\n".join(f"### {t.caption}\n\n" + Table("", t.columns, t.rows).to_markdown() for t in self.tables())

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        return "".join(
            f"<h3>{html.escape(t.caption)}</h3>"
            + Table("", t.columns, t.rows, css_class=t.css_class, cell_html=t.cell_html).to_html()
            for t in self.tables()
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        return "\n\n".join([*(t.to_text() for t in self.text_tables()), self.footer()])


def claim_row(claim: Claim, record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One row of a :class:`ClaimTable`: the declared claim and its stored ``record`` (``None``: *not run*)."""
    if not isinstance(claim, Claim):
        raise TypeError(f"claim must be a Claim, got {type(claim).__name__}")
    if record is not None and not isinstance(record, Mapping):
        raise TypeError(f"record must be a stored record (a mapping) or None, got {type(record).__name__}")
    rec = record
    if rec is not None:
        missing = [k for k in ("reference", "measured", "verdict") if k not in rec]
        if missing or rec["verdict"] not in VERDICTS:
            raise ValueError(f"record must be a stored record with 'reference', 'measured' and a verdict, lacks {missing}")
    return {
        "id": claim.id,
        "origin": claim.origin,
        "document": claim.document,
        "locator": claim.locator,
        "statement": claim.statement,
        "quote": claim.quote,
        "fails_if": claim.fails_if,
        "page": claim.page,
        "kind": claim.kind,
        "paper": claim.paper,
        "target": claim.target,
        "value": claim.value,
        "order": list(claim.order),
        "atol": claim.atol,
        "rtol": claim.rtol,
        "partly_atol": claim.partly_atol,
        "tolerance_reason": claim.tolerance_reason,
        "timing": claim.timing,
        "reference": rec["reference"] if rec else None,
        "measured": rec["measured"] if rec else None,
        "verdict": rec["verdict"] if rec else "not run",
        "asserted_at": list(claim.asserted_at),
        "notebook": claim.notebook,
    }


#: The keys of a :func:`claim_row` row.
_ROW_KEYS: frozenset[str] = frozenset(
    {"id", "origin", "document", "locator", "statement", "quote", "fails_if", "page", "kind", "paper", "target", "value", "order",
     "atol", "rtol", "partly_atol", "tolerance_reason", "timing", "reference", "measured", "verdict", "asserted_at", "notebook"}
)


def claims_table(budget: str = "full", directory: Path | str | None = None, root: Path | str | None = None) -> ClaimTable:
    """All declared claims joined with their stored records at ``budget`` (missing: *not run*).

    ``root`` is the book root (default: found by the rule of :mod:`mfcode.claims.root`);
    ``directory`` the ledger folder (default: :func:`mfcode.claims.ledger_dir` of that root).
    """
    base = book_root(None if root is None else check_path(root, "root"))
    claims = load_claims(base)
    records = load_records(budget, directory, root=base)
    return ClaimTable(budget, tuple(claim_row(claim, records.get(cid)) for cid, claim in claims.items()))
