"""Every notebook of ``_toc.yml`` runs at ``budget="ci"`` and reproduces its stored checked outputs.

For each notebook (in reading order, so the claims appendix runs last): papermill injects the
parameters ``budget="ci"`` (keeping the outputs the book stored), then nbval executes the notebook
and compares every cell tagged ``nbval-check-output`` with its stored output (``--nbval-lax``);
any exception in any cell fails. Finally every claim of the notebook that is asserted at ``ci``
must have a *reproduced* record in this session's ledger.

The notebooks run in temporary folders, outside the book, so the tests tell them where the book
is: ``MFBOOK_ROOT`` (the repository, which holds ``_toc.yml``) and ``MFBOOK_LEDGER_DIR`` (this
session's ledger) are set for every notebook run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfcode import claims
from mfcode.notebooks import prepare, toc_notebooks

#: The repository (the book root: it holds _toc.yml); the tests know the layout, mfcode does not.
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = toc_notebooks(ROOT)
CELL_TIMEOUT_S = 900


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[str(p) for p in NOTEBOOKS])
def test_notebook_at_ci_budget(notebook: Path, tmp_path: Path, session_ledger: Path) -> None:
    prepared = tmp_path / notebook.name
    prepare(ROOT / notebook, prepared, budget="ci")
    env = {**os.environ, "MFBOOK_ROOT": str(ROOT), "MFBOOK_LEDGER_DIR": str(session_ledger),
           "MPLBACKEND": "Agg", "PY_COLORS": "0", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", f"--nbval-cell-timeout={CELL_TIMEOUT_S}",
         "-p", "no:cacheprovider", "-o", "addopts=", "-q", "--rootdir", str(tmp_path), str(prepared)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, f"{notebook} failed at budget='ci':\n{proc.stdout[-12000:]}\n{proc.stderr[-4000:]}"
    records = claims.load_records("ci", session_ledger, root=ROOT)
    for cid, claim in claims.load_claims(ROOT).items():
        if claim.notebook == str(notebook) and "ci" in claim.asserted_at:
            assert cid in records, f"{notebook} never checked claim {cid}, which is asserted at budget 'ci'"
            assert records[cid]["verdict"] == "reproduced", f"claim {cid}: {records[cid]['detail']}"
