"""The ledger: one JSON record per claim and budget, written by :func:`check` and read back.

:func:`check` decides a declared claim (:func:`mfcode.claims.evaluate`), writes its record to
``<ledger>/<budget>/<claim id>.json`` (the ledger folder is :func:`mfcode.claims.ledger_dir`),
prints a one-line verdict that does not depend on the budget (so nbval can compare it against the
stored output), and raises :class:`ClaimFailed` when a claim asserted at the current budget is not
reproduced. :func:`load_records` reads one budget's records back, refusing (with the file name)
any record that is not valid JSON or not a record, so a ledger is never half-loaded.

A record carries whose number the claim is (``origin``, ``quote``, ``page``), what would make it fail
(``fails_if``), the book's ``target`` and the tolerance with its reason, and whether it is a
``timing``. Records written before these keys existed (:data:`SCHEMA_KEYS`) still load; the keys of
:data:`RECORD_KEYS` are required.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfcode.claims.root import book_root, ledger_dir
from mfcode.claims.schema import BUDGETS, VERDICTS, Claim, load_claims
from mfcode.claims.verdict import evaluate
from mfcode.validation import check_path

__all__ = ["RECORD_KEYS", "SCHEMA_KEYS", "ClaimFailed", "Record", "check", "jsonable", "load_records", "record_path"]

#: The keys every stored record has (see :meth:`Record.to_json`).
RECORD_KEYS: frozenset[str] = frozenset(
    {"id", "source", "statement", "kind", "paper", "reference", "tolerance", "order", "unit", "measured",
     "verdict", "detail", "budget", "asserted_at", "notebook", "extra"}
)
#: The keys a record also has since claims say whose number they are (optional when reading).
SCHEMA_KEYS: frozenset[str] = frozenset({"origin", "quote", "page", "fails_if", "target", "timing"})


class ClaimFailed(AssertionError):
    """A claim asserted at the current budget was not reproduced."""


@dataclass(frozen=True)
class Record:
    """The outcome of one :func:`check`: a claim, what was measured, and the verdict."""

    claim: Claim
    budget: str
    measured: Any
    reference: float | None
    verdict: str
    detail: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """The budget-independent verdict line a notebook prints (compared by nbval)."""
        return f"claim {self.claim.id}: {self.verdict}"

    def to_json(self) -> dict[str, Any]:
        """The record as stored in the ledger (keys :data:`RECORD_KEYS` and :data:`SCHEMA_KEYS`)."""
        c = self.claim
        return {
            "id": c.id,
            "origin": c.origin,
            "source": {"document": c.document, "locator": c.locator},
            "quote": c.quote,
            "page": c.page,
            "fails_if": c.fails_if,
            "target": c.target,
            "timing": c.timing,
            "statement": c.statement,
            "kind": c.kind,
            "paper": c.paper,
            "reference": self.reference,
            "tolerance": {"atol": c.atol, "rtol": c.rtol, "partly_atol": c.partly_atol, "reason": c.tolerance_reason},
            "order": list(c.order),
            "unit": c.unit,
            "measured": self.measured,
            "verdict": self.verdict,
            "detail": self.detail,
            "budget": self.budget,
            "asserted_at": list(c.asserted_at),
            "notebook": c.notebook,
            "extra": dict(self.extra),
        }


def jsonable(value: Any) -> Any:
    """numpy scalars/arrays and mappings to plain JSON values (floats rounded to 12 digits)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else str(value)
    raise TypeError(f"measured: cannot store a value of type {type(value).__name__} in the ledger")


def _check_budget(budget: str) -> None:
    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget must be one of {BUDGETS}, got {budget!r}")


def record_path(directory: Path, budget: str, claim_id: str) -> Path:
    """Where the record of ``claim_id`` at ``budget`` lives in the ledger folder ``directory``."""
    _check_budget(budget)
    if not isinstance(claim_id, str) or not claim_id or "/" in claim_id or claim_id.startswith("."):
        raise ValueError(f"claim_id must be a claim id (a non-empty name, no '/'), got {claim_id!r}")
    return check_path(directory, "directory") / budget / f"{claim_id}.json"


def check(
    claim_id: str,
    measured: Any,
    *,
    budget: str,
    reference: float | None = None,
    extra: Mapping[str, Any] | None = None,
    claims: Mapping[str, Claim] | None = None,
    root: Path | str | None = None,
) -> Record:
    """Check a declared claim against a measurement, store the record, print the verdict line.

    Parameters
    ----------
    claim_id : id of a claim declared in a ``book/**/claims.toml``.
    measured : the measured value (number, mapping for ``ordering``, any JSON value for ``record``).
    budget : ``"ci"`` or ``"full"``: the notebook's budget; decides whether a failure raises.
    reference : the number the paper's formula evaluates to, for claims whose ``paper`` is a formula.
    extra : small JSON-able context stored with the record (parameters, seeds, sample sizes).
    claims : the claim registry (default: :func:`mfcode.claims.load_claims` of the book root).
    root : the book root (default: found by the rule of :mod:`mfcode.claims.root`); used for the
        registry unless ``claims`` is given, and for the ledger unless ``$MFBOOK_LEDGER_DIR`` is set.

    Raises
    ------
    ClaimFailed
        if the verdict is not *reproduced* and the claim is asserted at ``budget``.
    """
    _check_budget(budget)
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str, got {type(claim_id).__name__}")
    if claims is not None and not (isinstance(claims, Mapping) and all(isinstance(c, Claim) for c in claims.values())):
        raise TypeError(f"claims must be a mapping of ids to Claim, got {type(claims).__name__}")
    if extra is not None and not isinstance(extra, Mapping):
        raise TypeError(f"extra must be a mapping (small JSON-able context), got {type(extra).__name__}")
    if root is not None:
        root = check_path(root, "root")
    registry = load_claims(book_root(root)) if claims is None else claims
    if claim_id not in registry:
        raise ValueError(f"claim_id {claim_id!r} is not declared in any book/**/claims.toml")
    claim = registry[claim_id]
    verdict, detail, ref = evaluate(claim, measured, reference)
    record = Record(claim, budget, jsonable(measured), ref, verdict, detail, jsonable(dict(extra or {})))
    path = record_path(ledger_dir(root), budget, claim_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")  # written whole, then renamed: a record never lies half-written
    tmp.write_text(json.dumps(record.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    print(record.line())
    if verdict != "reproduced" and budget in claim.asserted_at:
        raise ClaimFailed(f"claim {claim_id} ({claim.document}, {claim.locator}) not reproduced at budget {budget!r}: {detail}")
    return record


def _read_record(path: Path, budget: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a record must be a JSON object, got {type(data).__name__}")
    missing = sorted(RECORD_KEYS - set(data))
    if missing:
        raise ValueError(f"{path}: not a claim record, lacks key(s) {missing}")
    if data["id"] != path.stem:
        raise ValueError(f"{path}: key 'id' is {data['id']!r}, but the file names claim {path.stem!r}")
    if data["budget"] != budget:
        raise ValueError(f"{path}: key 'budget' is {data['budget']!r}, but the file lies in the {budget!r} folder")
    if data["verdict"] not in VERDICTS:
        raise ValueError(f"{path}: key 'verdict' must be one of {VERDICTS}, got {data['verdict']!r}")
    return data


def load_records(budget: str, directory: Path | str | None = None, *, root: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """The stored records of one budget, keyed by claim id.

    ``directory`` is the ledger folder (default: :func:`mfcode.claims.ledger_dir` of ``root``).
    """
    _check_budget(budget)
    folder = check_path(directory, "directory") if directory is not None else ledger_dir(None if root is None else check_path(root, "root"))
    base = folder / budget
    if not base.is_dir():
        return {}
    return {p.stem: _read_record(p, budget) for p in sorted(base.glob("*.json"))}
