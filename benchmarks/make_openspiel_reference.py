"""Regenerate ``mfcode/mfg/data/openspiel_reference.json`` (package data): OpenSpiel's NashConv histories on the parity games.

Run from the repository root (about five minutes on two cores, most of it the LQ game with 25 states)::

    .venv/bin/python benchmarks/make_openspiel_reference.py

The cases are ``mfcode.mfg.openspiel_compat.REFERENCE_CASES``: crowd modelling (size 10, horizon 10)
and the linear-quadratic game (size 25, horizon 10, terminal cost 0), each with fictitious play,
mirror descent (lr 1.0) and fixed point (temperature 1.0), 10 iterations, open-spiel 2.0.2.
"""

from __future__ import annotations

from mfcode.mfg.openspiel_compat import REFERENCE_PATH, write_reference

if __name__ == "__main__":
    write_reference(REFERENCE_PATH)
