"""The claims ledger: every number the book compares with a source, whose number it is, and how it was checked.

A *claim* is a statement about one of the source documents (a figure, an equation, a sentence of a
results section), together with the check that decides whether the book's code reproduces it and
the result that would make it fail (``fails_if``). Its ``origin`` says whose number it is: the
paper's (with the sentence it comes from, ``quote``, verbatim), the book's derivation from a
paper's theorem (``derived``, with the page deriving it), agreement with another implementation
(``cross-check``), or a number the book reports (``measurement``). Claims are declared, one TOML
file per chapter, in ``book/<chapter>/claims.toml`` under the book root. The package has one
module per job:

:mod:`~mfcode.claims.schema`
    the :class:`Claim` fields, their rules, and loading ``claims.toml`` files (:func:`load_claims`);
:mod:`~mfcode.claims.quotes`
    whether each quote occurs verbatim in its seed text (:func:`missing_quotes`);
:mod:`~mfcode.claims.verdict`
    the kinds of check (value, at-most, at-least, ordering, record) and their verdicts;
:mod:`~mfcode.claims.ledger`
    :func:`check` (decide, store one JSON :class:`Record`, print the verdict line) and
    :func:`load_records`;
:mod:`~mfcode.claims.root`
    where the book root and the ledger folder are (:func:`book_root`, :func:`ledger_dir`);
:mod:`~mfcode.claims.render` / :mod:`~mfcode.claims.table`
    a Markdown/HTML/text table renderer, and the ledger as such tables, one per origin and one of
    timings (:func:`claims_table`);
:mod:`~mfcode.claims.cli`
    ``python -m mfcode.claims [--book PATH] [--budget ci|full] [--json]``.

Finding the book. mfcode never locates the repository from its own install location. The book
root is the folder holding ``_toc.yml``, ``book/<chapter>/claims.toml`` and ``book/_ledger``.
Functions take it as ``root=`` (the CLI as ``--book``, default ``.``); when a notebook leaves it
out, as in ``claims.check("id", value, budget=budget)``, it is

1. ``$MFBOOK_ROOT`` if that is set (and holds ``_toc.yml``), else
2. the nearest ancestor of the current working directory (itself included) holding ``_toc.yml``
   (Jupyter Book runs each notebook in its own folder inside the book, so this is the book);

otherwise :class:`FileNotFoundError` names this rule. Records are written to
``$MFBOOK_LEDGER_DIR`` if set (the tests use a temporary folder), else ``<root>/book/_ledger``.

:func:`check` prints ``claim <id>: <verdict>``, a line that does not depend on the budget, so nbval
can compare it against the stored output; it raises :class:`ClaimFailed` when a claim asserted at
the current budget is not reproduced. Wall-clock timings are never asserted: they are claims of
kind ``record`` marked ``timing = true``.
"""

from mfcode.claims.cli import main
from mfcode.claims.ledger import ClaimFailed, Record, check, load_records
from mfcode.claims.quotes import missing_quotes
from mfcode.claims.render import Table
from mfcode.claims.root import book_root, ledger_dir
from mfcode.claims.schema import BUDGETS, KINDS, ORIGINS, SEEDS, VERDICTS, Claim, load_claims, load_claims_file
from mfcode.claims.table import ClaimTable, claims_table
from mfcode.claims.verdict import evaluate

__all__ = [
    "BUDGETS",
    "KINDS",
    "ORIGINS",
    "SEEDS",
    "VERDICTS",
    "Claim",
    "ClaimFailed",
    "ClaimTable",
    "Record",
    "Table",
    "book_root",
    "check",
    "claims_table",
    "evaluate",
    "ledger_dir",
    "load_claims",
    "load_claims_file",
    "load_records",
    "main",
    "missing_quotes",
]
