"""Every quote in the book's claims occurs verbatim in the seed text it cites (when the seeds are
present: a reader's clone has no ``shared/`` folder, and then the check is skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfcode import claims
from mfcode.claims import Claim
from mfcode.claims.quotes import missing_quotes, normalise, seeds_dir

ROOT = Path(__file__).resolve().parents[1]
SEEDS = seeds_dir(ROOT, extra=("/work/shared/seeds",))
DOC = "002_7da79a39441e57df.txt"


def _paper(quote: str, document: str = DOC) -> Claim:
    return Claim(id="q", document=document, locator="Sec. VI", statement="s", notebook="book/x.ipynb", kind="record",
                 origin="paper", quote=quote, fails_if="f")


def test_normalise_collapses_whitespace_latex_spacing_and_emphasis() -> None:
    assert normalise("a  b\n\tc ") == "a b c"
    assert normalise("irregularities at  $b_0 = 0$ . Observe") == "irregularities at$b_0 = 0$. Observe"
    assert normalise("irregularities at $b_0 = 0$. Observe") == normalise("irregularities at  $b_0 = 0$ . Observe")
    assert normalise("**Lemma 2.** The") == "Lemma 2. The"
    with pytest.raises(TypeError, match="text"):
        normalise(3)  # type: ignore[arg-type]


def test_missing_quotes_finds_only_what_the_seed_lacks(tmp_path: Path) -> None:
    (tmp_path / DOC).write_text("Moreover, our best learned policy is close to JSQ and\ncompetitive with slight irregularities at  $b_0 = 0$ .\n")
    good = _paper("our best learned policy is close to JSQ and competitive with slight irregularities at $b_0 = 0$.")
    changed = _paper("our best learned policy is close to JSQ and Competitive")
    absent = _paper("anything", document="001_00c545ba2a0e4aca.txt")
    found = missing_quotes({"good": good, "changed": changed, "absent": absent}, tmp_path)
    assert set(found) == {"changed", "absent"}
    assert "not found verbatim" in found["changed"] and "not found in" in found["absent"]
    assert seeds_dir(tmp_path / "nowhere", extra=(tmp_path,)) == tmp_path
    assert seeds_dir(tmp_path / "nowhere") is None


@pytest.mark.skipif(SEEDS is None, reason="the seed texts (shared/seeds) are not part of this checkout")
def test_every_quote_of_the_book_is_verbatim_from_its_seed() -> None:
    assert SEEDS is not None
    registry = claims.load_claims(ROOT)
    for cid, claim in registry.items():
        if claim.origin == "paper":
            assert claim.quote.strip(), f"claim {cid}: origin 'paper' without a quote"
    assert missing_quotes(registry, SEEDS) == {}
