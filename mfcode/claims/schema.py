"""The claim schema: what a claim declares, and loading the chapters' ``claims.toml`` files.

A claim is declared, one TOML file per chapter, in ``<book>/book/<chapter>/claims.toml``::

    [[claim]]
    id = "sis-eq1-regularization-bias"         # unique, kebab-case
    origin = "paper"                           # paper | derived | cross-check | measurement
    document = "001_00c545ba2a0e4aca.txt"      # the seed file the claim concerns (an implementation
                                               # such as "mfglib 0.3.0" for a cross-check)
    locator = "Sec. 2, eq. (1)"                # section / equation / figure / table of that document
    quote = "... the sentence or equation, verbatim from the seed text ..."
    statement = "At a regularized NE the unregularized gap is at most lambda*log|A|/(1-gamma)."
    fails_if = "the gap at a computed regularized NE exceeds lambda*log|A|/(1-gamma)"
    notebook = "book/foundations/sis_exact.ipynb"
    kind = "at-most"                           # value | at-most | at-least | ordering | record
    paper = "lambda*log|A|/(1-gamma)"          # the paper's own value (a number, or a formula as text)
    atol = 1e-9                                # a book-chosen tolerance ...
    tolerance_reason = "floating-point error of the exact evaluation"   # ... and why
    asserted_at = ["ci", "full"]               # budgets at which a failure fails the notebook

Whose number it is (``origin``, required):

``paper``
    the paper states the number, bound, ordering or shape; ``quote`` (required, non-empty) holds
    the sentence or equation it comes from, verbatim from the seed text; ``paper`` (optional)
    holds the paper's own number or formula.
``derived``
    the book's consequence of a paper's theorem; ``page`` (required) names the book page that
    derives it (a path relative to the book root, which must exist); a numeric target goes in
    ``target``.
``cross-check``
    agreement with another implementation; ``document`` names that implementation (e.g.
    ``"mfglib 0.3.0"``), never a seed file; a numeric target goes in ``target``.
``measurement``
    a number the book reports (exact values the paper does not print, timings); ``document`` is
    the seed it concerns.

Only ``paper`` claims may give ``paper``: a threshold the book chooses is a ``target`` and/or a
tolerance. Every claim says in ``fails_if`` (required, non-empty) which result would make it fail
(for a record: what would make the number wrong or meaningless). A non-zero ``atol``, ``rtol`` or
``partly_atol`` needs a ``tolerance_reason``. ``timing = true`` marks a wall-clock performance
record: it is never asserted. A ``locator`` names a place in the source document, nothing else.

Each field is described once, in :data:`FIELDS` (its TOML parser, and whether it is required);
:class:`Claim` holds the parsed values and checks how they fit together. Adding a field means adding
it to both. A file is loaded whole or not at all: any malformed file, unknown or mistyped field or
invalid claim raises :class:`ValueError` naming the file and the claim (and the line, for TOML
syntax errors).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from mfcode.validation import check_path

__all__ = [
    "BUDGETS",
    "FIELDS",
    "KINDS",
    "ORIGINS",
    "SEEDS",
    "VERDICTS",
    "Claim",
    "FieldSpec",
    "claim_from_toml",
    "load_claims",
    "load_claims_file",
]

BUDGETS: tuple[str, ...] = ("ci", "full")
KINDS: tuple[str, ...] = ("value", "at-most", "at-least", "ordering", "record")
VERDICTS: tuple[str, ...] = ("reproduced", "partly", "not reproduced", "recorded")
#: Whose number a claim is, in the order the claims page shows them (see the module docstring).
ORIGINS: tuple[str, ...] = ("paper", "derived", "cross-check", "measurement")
#: The source documents a claim may come from (the seed files of the project).
SEEDS: tuple[str, ...] = (
    "000_b5b16c64d4b05e4a.txt",
    "001_00c545ba2a0e4aca.txt",
    "002_7da79a39441e57df.txt",
    "003_99f599d21fa4851c.txt",
    "004_ae508d4ce3677c60.txt",
)
#: Words a locator must not use: it names a place in the source document, nothing else.
_NOT_A_LOCATOR = re.compile(r"\b(issue|acceptance)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One claim of a source document and the check that decides it (see :mod:`mfcode.claims`)."""

    id: str
    document: str
    locator: str
    statement: str
    notebook: str
    kind: str
    origin: str
    fails_if: str
    asserted_at: tuple[str, ...] = ()
    paper: float | str | None = None
    target: float | str | None = None
    quote: str = ""
    page: str = ""
    atol: float = 0.0
    rtol: float = 0.0
    partly_atol: float | None = None
    tolerance_reason: str = ""
    timing: bool = False
    order: tuple[str, ...] = ()
    unit: str = ""

    @property
    def value(self) -> float | str | None:
        """The number (or formula) the check compares with: ``paper`` when given, else ``target``."""
        return self.paper if self.paper is not None else self.target

    def __post_init__(self) -> None:
        self._check_types()
        if not self.id or self.id != self.id.strip().lower() or " " in self.id:
            raise ValueError(f"claim id must be non-empty lower-case kebab-case, got {self.id!r}")
        if self.origin not in ORIGINS:
            raise ValueError(f"claim {self.id}: origin must be one of {ORIGINS}, got {self.origin!r}")
        if self.origin == "cross-check":
            if self.document in SEEDS or not self.document.strip():
                raise ValueError(
                    f"claim {self.id}: a cross-check's document names the other implementation "
                    f"(e.g. 'mfglib 0.3.0'), not a seed file, got {self.document!r}"
                )
        elif self.document not in SEEDS:
            raise ValueError(
                f"claim {self.id}: document of a {self.origin!r} claim must be one of {SEEDS}, got {self.document!r}"
            )
        if self.origin == "paper" and not self.quote.strip():
            raise ValueError(
                f"claim {self.id}: origin 'paper' needs a non-empty 'quote' (the sentence or equation, verbatim); "
                "a number the book chooses is a 'target' with origin 'derived' or 'measurement'"
            )
        if self.paper is not None and self.origin != "paper":
            raise ValueError(
                f"claim {self.id}: only origin 'paper' may give 'paper' (the paper's own value); "
                f"a {self.origin!r} claim puts its number in 'target' and its tolerance in atol/rtol"
            )
        if self.paper is not None and self.target is not None:
            raise ValueError(f"claim {self.id}: give 'paper' or 'target', not both")
        if self.origin == "derived" and not self.page.strip():
            raise ValueError(f"claim {self.id}: origin 'derived' needs 'page', the book page that derives it")
        if not self.fails_if.strip():
            raise ValueError(f"claim {self.id}: 'fails_if' must say which result would make the claim fail")
        if not self.locator.strip() or _NOT_A_LOCATOR.search(self.locator):
            raise ValueError(
                f"claim {self.id}: locator must name a place in the source document "
                f"(section, equation, figure, table), got {self.locator!r}"
            )
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        bad = [b for b in self.asserted_at if b not in BUDGETS]
        if bad:
            raise ValueError(f"claim {self.id}: asserted_at must be a subset of {BUDGETS}, got {bad}")
        if self.kind == "record" and self.asserted_at:
            raise ValueError(f"claim {self.id}: a 'record' claim cannot be asserted (asserted_at must be empty)")
        if self.timing and self.asserted_at:
            raise ValueError(f"claim {self.id}: a timing (timing = true) is never asserted (asserted_at must be empty)")
        if self.kind == "value" and not isinstance(self.value, (int, float)):
            raise ValueError(f"claim {self.id}: kind 'value' needs a numeric 'paper' or 'target' value")
        if self.kind == "ordering" and len(self.order) < 2:
            raise ValueError(f"claim {self.id}: kind 'ordering' needs an 'order' list of at least two names")
        for name in ("atol", "rtol"):
            if getattr(self, name) < 0:
                raise ValueError(f"claim {self.id}: {name} must be >= 0")
        if self.partly_atol is not None and self.partly_atol < self.atol:
            raise ValueError(f"claim {self.id}: partly_atol must be >= atol")
        tolerances = [n for n in ("atol", "rtol", "partly_atol") if getattr(self, n)]
        if tolerances and not self.tolerance_reason.strip():
            raise ValueError(f"claim {self.id}: non-zero {', '.join(tolerances)} needs a 'tolerance_reason'")
        if not self.notebook.endswith(".ipynb"):
            raise ValueError(f"claim {self.id}: notebook must be a .ipynb path, got {self.notebook!r}")

    def _check_types(self) -> None:
        """Every field has the type (and finite value) its TOML parser would give it."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("asserted_at", "order"):
                if not (isinstance(value, tuple) and all(isinstance(v, str) for v in value)):
                    raise TypeError(f"claim {self.id!r}: field {f.name!r} must be a tuple of strings, got {value!r}")
                continue
            if value is None and f.name in ("paper", "target", "partly_atol"):
                continue
            try:
                FIELDS[f.name].parse(value)
            except TypeError as exc:
                raise TypeError(f"claim {self.id!r}: field {f.name!r} {exc}") from None
            except ValueError as exc:
                raise ValueError(f"claim {self.id!r}: field {f.name!r} {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, got {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return float(value)


def _optional_number(value: Any) -> float | None:
    return None if value is None else _number(value)


def _number_or_text(value: Any) -> float | str:
    return value if isinstance(value, str) else _number(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false, got {type(value).__name__}")
    return value


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"must be a list of strings, got {value!r}")
    return tuple(value)


@dataclass(frozen=True)
class FieldSpec:
    """How one claim field is read from TOML: its parser, and whether a claim must give it."""

    parse: Callable[[Any], Any]
    required: bool = False


#: Every field of a claim in TOML, by name (the same names as :class:`Claim`'s fields).
FIELDS: Mapping[str, FieldSpec] = {
    "id": FieldSpec(_text, required=True),
    "document": FieldSpec(_text, required=True),
    "locator": FieldSpec(_text, required=True),
    "statement": FieldSpec(_text, required=True),
    "notebook": FieldSpec(_text, required=True),
    "kind": FieldSpec(_text, required=True),
    "origin": FieldSpec(_text, required=True),
    "fails_if": FieldSpec(_text, required=True),
    "asserted_at": FieldSpec(_names),
    "paper": FieldSpec(_number_or_text),
    "target": FieldSpec(_number_or_text),
    "quote": FieldSpec(_text),
    "page": FieldSpec(_text),
    "atol": FieldSpec(_number),
    "rtol": FieldSpec(_number),
    "partly_atol": FieldSpec(_optional_number),
    "tolerance_reason": FieldSpec(_text),
    "timing": FieldSpec(_flag),
    "order": FieldSpec(_names),
    "unit": FieldSpec(_text),
}
if set(FIELDS) != {f.name for f in fields(Claim)}:  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("mfcode.claims.schema: FIELDS and Claim must list the same fields")


def claim_from_toml(entry: Any, source: Path | str) -> Claim:
    """One ``[[claim]]`` table as a :class:`Claim`; errors name ``source``, the claim and the key."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{source}: each [[claim]] must be a table, got {type(entry).__name__}")
    name = entry.get("id")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise ValueError(f"{source}: claim {name!r}: unknown field(s) {unknown}")
    missing = sorted(key for key, spec in FIELDS.items() if spec.required and key not in entry)
    if missing:
        raise ValueError(f"{source}: claim {name!r}: lacks field(s) {missing}")
    kwargs: dict[str, Any] = {}
    for key, value in entry.items():
        try:
            kwargs[key] = FIELDS[key].parse(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: claim {name!r}: field {key!r} {exc}") from None
    try:
        return Claim(**kwargs)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def load_claims_file(path: Path, root: Path | str | None = None) -> list[Claim]:
    """The claims of one ``claims.toml`` (a TOML file of ``[[claim]]`` tables only).

    With the book root ``root``, a claim's ``page`` must name a file under it.
    """
    path = check_path(path, "path")
    base = None if root is None else check_path(root, "root")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    other = sorted(set(data) - {"claim"})
    if other:
        raise ValueError(f"{path}: unknown top-level key(s) {other} (a claims file holds [[claim]] tables only)")
    entries = data.get("claim", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'claim' must be an array of tables ([[claim]]), got {type(entries).__name__}")
    claims = [claim_from_toml(entry, path) for entry in entries]
    if base is not None:
        for claim in claims:
            if claim.page and not (base / claim.page).is_file():
                raise ValueError(f"{path}: claim {claim.id}: page {claim.page!r} is not a file of the book {base}")
    return claims


def load_claims(root: Path | str) -> dict[str, Claim]:
    """Every claim declared in ``<root>/book/**/claims.toml``, keyed by id (ids must be unique).

    ``root`` is the book root (the folder of ``_toc.yml``). Files are read in sorted path order;
    nothing is returned unless every file loads.
    """
    root = check_path(root, "root")
    base = root / "book"
    if not base.is_dir():
        raise FileNotFoundError(f"root: {root} has no book/ folder, so it is not the book root")
    claims: dict[str, Claim] = {}
    where: dict[str, Path] = {}
    for path in sorted(base.rglob("claims.toml")):
        for claim in load_claims_file(path, root):
            if claim.id in claims:
                raise ValueError(f"{path}: duplicate claim id {claim.id!r} (first declared in {where[claim.id]})")
            claims[claim.id] = claim
            where[claim.id] = path
    return claims
