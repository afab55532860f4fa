"""Sphinx extension: read (and so execute) the book's pages in table-of-contents order.

Sphinx reads pages in alphabetical order by default. The claims appendix renders the records that
the chapters' notebooks write while they execute, so it must be read after every chapter: this
extension sorts the pages to read by their position in ``_toc.yml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mfcode.notebooks import toc_files


def _reorder(app: Any, env: Any, docnames: list[str]) -> None:
    root = Path(app.srcdir)
    order = {str(path.with_suffix("")): i for i, path in enumerate(toc_files(root))}
    docnames.sort(key=lambda name: (order.get(name, len(order)), name))


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-before-read-docs", _reorder)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
