"""The ledger as a table: every declared claim beside its latest record at one budget.

:func:`claims_table` joins the claims of the book (:func:`mfcode.claims.load_claims`) with the
records of one budget (:func:`mfcode.claims.load_records`); a claim without a record is *not run*.
The resulting :class:`ClaimTable` renders through :class:`mfcode.claims.render.Table`: as HTML in
the claims appendix, as Markdown, or as text for ``python -m mfcode.claims``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from mfcode.claims.ledger import load_records
from mfcode.claims.render import Table
from mfcode.claims.root import book_root
from mfcode.claims.schema import VERDICTS, load_claims

__all__ = ["VERDICT_COLOURS", "ClaimTable", "claims_table", "format_value"]

#: Colour of each verdict in the HTML table (GitHub's palette); *not run* is grey.
VERDICT_COLOURS: Mapping[str, str] = {
    "reproduced": "#1a7f37",
    "partly": "#9a6700",
    "not reproduced": "#cf222e",
    "recorded": "#0969da",
}
_NOT_RUN_COLOUR = "#6e7781"


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
    return cell


@dataclass(frozen=True)
class ClaimTable:
    """Every declared claim beside its latest record at one budget; renders as Markdown/HTML/text."""

    budget: str
    rows: tuple[dict[str, Any], ...]

    COLUMNS: ClassVar[tuple[str, ...]] = ("claim", "verdict", "measured", "paper", "source", "asserted at", "statement")
    #: The columns of the text rendering, and their widths.
    TEXT_COLUMNS: ClassVar[tuple[tuple[str, int], ...]] = (
        ("claim", 34), ("source", 24), ("paper", 20), ("measured", 16), ("verdict", 14)
    )

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((*VERDICTS, "not run"), 0)
        for row in self.rows:
            out[row["verdict"]] += 1
        return out

    def summary(self) -> str:
        """One line per verdict (and *not run*) with its count, names right-aligned."""
        return "\n".join(f"{verdict:>15}: {count}" for verdict, count in self.counts().items())

    def _cells(self, row: Mapping[str, Any]) -> dict[str, str]:
        paper = format_value(row["paper"])
        if row["reference"] is not None and isinstance(row["paper"], str):
            paper = f"{format_value(row['reference'])} ({row['paper']})"
        return {
            "claim": row["id"],
            "verdict": row["verdict"],
            "measured": format_value(row["measured"]),
            "paper": paper,
            "source": f"{row['document'][:3]} {row['locator']}",
            "asserted at": ", ".join(row["asserted_at"]) or "—",
            "statement": row["statement"],
        }

    def table(self) -> Table:
        """All columns, for Markdown and HTML."""
        rows = tuple(tuple(self._cells(row)[c] for c in self.COLUMNS) for row in self.rows)
        return Table("", self.COLUMNS, rows, css_class="table mfbook-claims", cell_html=_claim_cell_html)

    def text_table(self) -> Table:
        """The narrower text layout, with a footer counting the verdicts."""
        names = tuple(name for name, _ in self.TEXT_COLUMNS)
        rows = tuple(tuple(self._cells(row)[c] for c in names) for row in self.rows)
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
        footer = f"budget {self.budget}: {len(self.rows)} claims ({counts})"
        return Table("", names, rows, widths=tuple(w for _, w in self.TEXT_COLUMNS), footer=footer)

    def to_markdown(self) -> str:
        return self.table().to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        return self.table().to_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        return self.text_table().to_text()


def claims_table(budget: str = "full", directory: Path | str | None = None, root: Path | str | None = None) -> ClaimTable:
    """All declared claims joined with their stored records at ``budget`` (missing: *not run*).

    ``root`` is the book root (default: found by the rule of :mod:`mfcode.claims.root`);
    ``directory`` the ledger folder (default: :func:`mfcode.claims.ledger_dir` of that root).
    """
    base = book_root(root)
    claims = load_claims(base)
    records = load_records(budget, directory, root=base)
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
