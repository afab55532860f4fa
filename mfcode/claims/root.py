"""Where the book is: the book root and the ledger folder, found by an explicit rule.

mfcode never locates the repository from its own install location. Every function that reads the
book takes its root (the folder holding ``_toc.yml``, ``book/<chapter>/claims.toml`` and
``book/_ledger``) as an argument; when a notebook leaves it out, :func:`book_root` applies this rule:

1. ``$MFBOOK_ROOT``, if set (it must hold ``_toc.yml``); the tests set it for the notebooks they
   run in temporary folders;
2. otherwise the nearest ancestor of the current working directory (the directory itself included)
   that holds ``_toc.yml``: Jupyter Book runs each notebook in its own folder inside the book, so
   this is the book being built.

Neither holding raises :class:`FileNotFoundError` naming the rule. Records go to
:func:`ledger_dir`: ``$MFBOOK_LEDGER_DIR`` if set (the tests point it at a temporary folder), else
``<book root>/book/_ledger``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LEDGER_ENV", "ROOT_ENV", "TOC", "book_root", "ledger_dir"]

#: The environment variable naming the book root.
ROOT_ENV = "MFBOOK_ROOT"
#: The environment variable naming the ledger folder (overrides ``<book root>/book/_ledger``).
LEDGER_ENV = "MFBOOK_LEDGER_DIR"
#: The file that marks the book root.
TOC = "_toc.yml"


def book_root(root: Path | str | None = None) -> Path:
    """``root`` itself if given, else the book root by the rule of this module's docstring."""
    if root is not None:
        return Path(root)
    env = os.environ.get(ROOT_ENV)
    if env:
        candidate = Path(env)
        if not (candidate / TOC).is_file():
            raise FileNotFoundError(f"${ROOT_ENV}={env} has no {TOC}, so it is not a book root")
        return candidate
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if (candidate / TOC).is_file():
            return candidate
    raise FileNotFoundError(
        f"cannot find the book root: ${ROOT_ENV} is not set and neither {cwd} nor any of its parents "
        f"holds {TOC}; pass the root explicitly, set ${ROOT_ENV}, or run inside the book"
    )


def ledger_dir(root: Path | str | None = None) -> Path:
    """Where records are written: ``$MFBOOK_LEDGER_DIR`` if set, else ``<book root>/book/_ledger``."""
    env = os.environ.get(LEDGER_ENV)
    return Path(env) if env else book_root(root) / "book" / "_ledger"
