"""Quotes are verbatim: a claim's ``quote`` must occur in the text of the seed it cites.

A ``paper`` claim (see :mod:`mfcode.claims.schema`) holds, in ``quote``, the sentence or equation of
the source document it comes from. :func:`missing_quotes` checks every claim that gives a quote
against the seed texts, compared after :func:`normalise`: runs of whitespace collapse to one space,
the spaces the text extraction puts inside and around ``$...$`` (LaTeX) are dropped, and the
Markdown emphasis marker ``*`` is removed; letters, digits and punctuation are compared exactly
(case-sensitively). The seed texts are not part of a reader's clone (they live in the project's
``shared/seeds/`` folder); :func:`seeds_dir` finds them or returns ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from mfcode.claims.schema import SEEDS, Claim

__all__ = ["SEEDS_LOCATIONS", "missing_quotes", "normalise", "seeds_dir"]

#: Where the seed texts may lie, relative to the book root (the first that holds a seed wins).
SEEDS_LOCATIONS: tuple[str, ...] = ("../shared/seeds", "shared/seeds")

_SPACE = re.compile(r"\s+")
_DOLLAR = re.compile(r" ?\$ ?")


def normalise(text: str) -> str:
    """``text`` with whitespace runs collapsed, spaces at ``$`` dropped and ``*`` removed."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return _DOLLAR.sub("$", _SPACE.sub(" ", text.replace("*", ""))).strip()


def seeds_dir(root: Path | str, extra: Iterable[Path | str] = ()) -> Path | None:
    """The folder of the seed texts for the book at ``root`` (or one of ``extra``), else ``None``."""
    for candidate in (*(Path(root) / loc for loc in SEEDS_LOCATIONS), *map(Path, extra)):
        if any((candidate / seed).is_file() for seed in SEEDS):
            return candidate
    return None


def missing_quotes(claims: Mapping[str, Claim], seeds: Path | str) -> dict[str, str]:
    """Claims whose ``quote`` does not occur in their seed's text, by id, each with the reason.

    Claims without a quote, or whose document is not a seed (cross-checks), are not checked; a
    seed file missing from ``seeds`` is reported for the claims that cite it.
    """
    texts: dict[str, str] = {}
    out: dict[str, str] = {}
    for cid, claim in claims.items():
        if not claim.quote.strip() or claim.document not in SEEDS:
            continue
        if claim.document not in texts:
            path = Path(seeds) / claim.document
            texts[claim.document] = normalise(path.read_text(encoding="utf-8")) if path.is_file() else ""
        if not texts[claim.document]:
            out[cid] = f"seed text {claim.document} not found in {seeds}"
        elif normalise(claim.quote) not in texts[claim.document]:
            out[cid] = f"quote not found verbatim in {claim.document}: {claim.quote!r}"
    return out
