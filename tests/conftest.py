"""Shared test setup: the claims ledger of a test session lives in a temporary folder.

Notebooks and unit tests write claim records; during tests they go to a fresh folder (exported as
``MFBOOK_LEDGER_DIR`` so the notebook kernels started by nbval inherit it), never into the
records of the book in ``book/_ledger``. The book root itself is never guessed by mfcode: each test
module knows the repository (``Path(__file__).resolve().parents[1]``) and passes it explicitly, and
``tests/test_notebooks.py`` exports it as ``MFBOOK_ROOT`` to the notebooks it runs in temporary
folders.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_LEDGER = Path(tempfile.mkdtemp(prefix="mfbook-ledger-"))
os.environ["MFBOOK_LEDGER_DIR"] = str(_SESSION_LEDGER)


@pytest.fixture(scope="session")
def session_ledger() -> Path:
    """The ledger folder shared by every notebook run of this test session."""
    return _SESSION_LEDGER
