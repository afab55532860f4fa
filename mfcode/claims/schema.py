"""The claim schema: what a claim declares, and loading the chapters' ``claims.toml`` files.

A claim is declared, one TOML file per chapter, in ``<book>/book/<chapter>/claims.toml``::

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

Each field is described once, in :data:`FIELDS` (its TOML parser, and whether it is required);
:class:`Claim` holds the parsed values and checks how they fit together. Adding a field means adding
it to both. A file is loaded whole or not at all: any malformed file, unknown or mistyped field or
invalid claim raises :class:`ValueError` naming the file (and the line, for TOML syntax errors).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

__all__ = [
    "BUDGETS",
    "FIELDS",
    "KINDS",
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
#: The source documents a claim may come from (the seed files of the project).
SEEDS: tuple[str, ...] = (
    "000_b5b16c64d4b05e4a.txt",
    "001_00c545ba2a0e4aca.txt",
    "002_7da79a39441e57df.txt",
    "003_99f599d21fa4851c.txt",
    "004_ae508d4ce3677c60.txt",
)


@dataclass(frozen=True)
class Claim:
    """One claim of a source document and the check that decides it (see :mod:`mfcode.claims`)."""

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
        if self.document not in SEEDS:
            raise ValueError(f"claim {self.id}: document must be one of {SEEDS}, got {self.document!r}")
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


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, got {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"must be a number, got {type(value).__name__}")
    return float(value)


def _optional_number(value: Any) -> float | None:
    return None if value is None else _number(value)


def _number_or_text(value: Any) -> float | str:
    return value if isinstance(value, str) else _number(value)


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
    "asserted_at": FieldSpec(_names),
    "paper": FieldSpec(_number_or_text),
    "atol": FieldSpec(_number),
    "rtol": FieldSpec(_number),
    "partly_atol": FieldSpec(_optional_number),
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
        except TypeError as exc:
            raise ValueError(f"{source}: claim {name!r}: field {key!r} {exc}") from None
    try:
        return Claim(**kwargs)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def load_claims_file(path: Path) -> list[Claim]:
    """The claims of one ``claims.toml`` (a TOML file of ``[[claim]]`` tables only)."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: malformed TOML: {exc}") from None
    other = sorted(set(data) - {"claim"})
    if other:
        raise ValueError(f"{path}: unknown top-level key(s) {other} (a claims file holds [[claim]] tables only)")
    entries = data.get("claim", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'claim' must be an array of tables ([[claim]]), got {type(entries).__name__}")
    return [claim_from_toml(entry, path) for entry in entries]


def load_claims(root: Path | str) -> dict[str, Claim]:
    """Every claim declared in ``<root>/book/**/claims.toml``, keyed by id (ids must be unique).

    ``root`` is the book root (the folder of ``_toc.yml``). Files are read in sorted path order;
    nothing is returned unless every file loads.
    """
    base = Path(root) / "book"
    if not base.is_dir():
        raise FileNotFoundError(f"root: {Path(root)} has no book/ folder, so it is not the book root")
    claims: dict[str, Claim] = {}
    where: dict[str, Path] = {}
    for path in sorted(base.rglob("claims.toml")):
        for claim in load_claims_file(path):
            if claim.id in claims:
                raise ValueError(f"{path}: duplicate claim id {claim.id!r} (first declared in {where[claim.id]})")
            claims[claim.id] = claim
            where[claim.id] = path
    return claims
