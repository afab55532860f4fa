"""Small tables for the book, rendered three ways: Markdown, HTML (what Jupyter shows) and text.

:class:`Table` holds a caption, column names and rows of already formatted cells. It is used by
the claims ledger (:class:`mfcode.claims.ClaimTable`) and by every other table a notebook shows
(e.g. the benchmark tables of :mod:`mfcode.mfg.speed`), so that all of them escape and lay out
their cells the same way.

* Markdown: an optional ``*caption*`` line, then a pipe table whose cells have ``|`` and ``*``
  escaped and newlines replaced by spaces;
* HTML: ``<table class="...">`` with an optional ``<caption>``; every cell is HTML-escaped, then
  passed to the table's ``cell_html`` hook (e.g. to colour a verdict);
* text: an optional caption line, one line per row with newlines in cells replaced by spaces,
  columns padded to ``widths`` (cells cut at the width) or to their widest cell, and an optional
  footer line.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CellHtml", "Table", "escape_markdown"]

#: ``cell_html(column, escaped_cell) -> html`` decorates one escaped HTML cell.
CellHtml = Callable[[str, str], str]


def escape_markdown(cell: str) -> str:
    """A cell safe inside a Markdown pipe table (``|`` and ``*`` escaped, one line)."""
    if not isinstance(cell, str):
        raise TypeError(f"cell must be a str, got {type(cell).__name__}")
    return cell.replace("|", "\\|").replace("*", "\\*").replace("\n", " ")


def _texts(cells: object) -> bool:
    return isinstance(cells, tuple) and all(isinstance(c, str) for c in cells)


@dataclass(frozen=True)
class Table:
    """A captioned table of text cells; renders as Markdown, HTML or text (see module docstring)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    css_class: str = "table"
    cell_html: CellHtml | None = None
    widths: tuple[int, ...] | None = None
    footer: str = ""

    def __post_init__(self) -> None:
        for name in ("caption", "css_class", "footer"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str, got {type(getattr(self, name)).__name__}")
        if not _texts(self.columns):
            raise TypeError(f"columns must be a tuple of str, got {self.columns!r}")
        if not isinstance(self.rows, tuple) or not all(_texts(row) for row in self.rows):
            raise TypeError("rows must be a tuple of tuples of str (formatted cells)")
        if self.cell_html is not None and not callable(self.cell_html):
            raise TypeError(f"cell_html must be callable or None, got {type(self.cell_html).__name__}")
        if self.widths is not None and not (
            isinstance(self.widths, tuple) and all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in self.widths)
        ):
            raise TypeError(f"widths must be a tuple of non-negative ints or None, got {self.widths!r}")
        bad = [i for i, row in enumerate(self.rows) if len(row) != len(self.columns)]
        if bad:
            raise ValueError(f"rows: row(s) {bad} do not have one cell per entry of columns ({len(self.columns)})")
        if self.widths is not None and len(self.widths) != len(self.columns):
            raise ValueError(f"widths: need one width per column ({len(self.columns)}), got {len(self.widths)}")

    def to_markdown(self) -> str:
        lines = [f"*{self.caption}*", ""] if self.caption else []
        lines += ["| " + " | ".join(map(escape_markdown, self.columns)) + " |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(map(escape_markdown, row)) + " |" for row in self.rows]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _html_cell(self, column: str, cell: str) -> str:
        escaped = html.escape(cell)
        return self.cell_html(column, escaped) if self.cell_html is not None else escaped

    def to_html(self) -> str:
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{self._html_cell(col, cell)}</td>" for col, cell in zip(self.columns, row, strict=True)) + "</tr>"
            for row in self.rows
        )
        return f'<table class="{html.escape(self.css_class)}">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        widths = self.widths or tuple(max([len(c), *(len(r[i]) for r in self.rows)]) for i, c in enumerate(self.columns))
        out = [self.caption] if self.caption else []
        for cells in (self.columns, *self.rows):
            out.append("  ".join(c.replace("\n", " ")[:w].ljust(w) for c, w in zip(cells, widths, strict=True)))
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()
