"""``python -m mfcode.claims``: the ledger from a shell.

``python -m mfcode.claims [--book PATH] [--budget ci|full]`` prints every declared claim with its
latest record as text tables, one per origin (see :mod:`mfcode.claims.table`); ``--json`` prints
the records (a *not run* placeholder for claims without one) for a reader's own scripts. Each JSON
record carries the claim's ``origin``, ``quote``, ``page`` and ``fails_if`` (taken from
``claims.toml`` when the stored record predates them). ``--book`` is the book root (the folder of ``_toc.yml``,
default: the current directory); ``--ledger-dir`` overrides the ledger folder (default:
``$MFBOOK_LEDGER_DIR`` or ``<book>/book/_ledger``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from mfcode.claims.ledger import SCHEMA_KEYS, Record, load_records
from mfcode.claims.root import TOC
from mfcode.claims.schema import BUDGETS, load_claims
from mfcode.claims.table import claims_table

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m mfcode.claims``."""
    p = argparse.ArgumentParser(prog="python -m mfcode.claims", description="The claims ledger of the book.")
    p.add_argument("--book", type=Path, default=Path("."), help=f"the book root, holding {TOC} (default: .)")
    p.add_argument("--budget", choices=BUDGETS, default="full", help="which budget's records (default: full)")
    p.add_argument("--json", action="store_true", help="print every record as JSON")
    p.add_argument("--ledger-dir", type=Path, default=None,
                   help="records folder (default: $MFBOOK_LEDGER_DIR or BOOK/book/_ledger)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if not (args.book / TOC).is_file():
        cli.error(f"--book {args.book} holds no {TOC}: pass the book root")
    if not args.json:
        print(claims_table(args.budget, args.ledger_dir, args.book).to_text())
        return 0
    claims = load_claims(args.book)
    records = load_records(args.budget, args.ledger_dir, root=args.book)
    out = []
    for cid, claim in claims.items():
        rec = records.get(cid)
        declared = Record(claim, args.budget, None, None, "not run", "no record at this budget").to_json()
        if rec is None:
            rec = declared
        out.append({**{key: declared[key] for key in SCHEMA_KEYS}, **rec})
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0
