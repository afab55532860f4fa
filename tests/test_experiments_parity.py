"""mfcode.experiments.parity against OpenSpiel's stored histories and exact values (small, fast)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mfcode.experiments import parity
from mfcode.mfg import openspiel_compat

#: OpenSpiel's own NashConv histories (open-spiel 2.0.2), shipped with mfcode: an independent oracle.
REFERENCE = {(c["game"], c["solver"]): c for c in openspiel_compat.load_reference()}

#: The LQ cases of the reference file: at budget "ci" their OpenSpiel side is the stored history.
LQ_CASES = tuple(c for c in openspiel_compat.REFERENCE_CASES if c[0] == "linear_quadratic")


def test_compare_libraries_matches_stored_openspiel_histories() -> None:
    result = parity.compare_libraries("ci", 4, cases=LQ_CASES, mfglib=False)
    assert result.n_iter == 4 and len(result.cases) == 3
    for case in result.cases:
        stored = REFERENCE["linear_quadratic", case.solver]
        assert case.stored and case.family == "linear_quadratic" and case.game == "linear_quadratic"
        np.testing.assert_array_equal(case.openspiel, stored["nash_conv"][:5])
        np.testing.assert_allclose(case.mfcode, stored["nash_conv"][:5], rtol=0, atol=1e-12)
        assert case.mfglib is None and case.mfglib_gap is None and case.mfglib_seconds is None
        assert case.openspiel_seconds == stored["seconds_per_iteration"]
        assert case.speedup == case.openspiel_seconds / case.mfcode_seconds > 0
    assert result.max_gap == max(c.openspiel_gap for c in result.cases) <= 1e-12
    assert math.isnan(result.mfglib_max_gap)
    assert result.of("linear_quadratic") == result.cases and result.of("crowd_modelling") == ()
    gap_lines = result.gap_table().splitlines()
    assert len(gap_lines) == 3 and gap_lines[0].startswith("linear_quadratic      fictitious_play  largest gap to mfcode: openspiel ")
    speed_lines = result.speed_table().splitlines()
    assert len(speed_lines) == 4 and speed_lines[0].split()[:2] == ["game", "solver"] and speed_lines[3].split()[3] == "-"


def test_mfcode_exploitability_matches_openspiel_nash_conv() -> None:
    ledger = parity.mfcode_exploitability(10)
    assert ledger.n_iter == 10
    assert ledger.crowd_fp == pytest.approx(REFERENCE["crowd_modelling", "fictitious_play"]["nash_conv"][10], abs=1e-12)
    assert ledger.crowd_omd == pytest.approx(REFERENCE["crowd_modelling", "mirror_descent"]["nash_conv"][10], abs=1e-12)
    assert ledger.lq25_omd == pytest.approx(REFERENCE["linear_quadratic", "mirror_descent"]["nash_conv"][10], abs=1e-12)
    short = parity.mfcode_exploitability(3)
    assert short.crowd_fp == pytest.approx(REFERENCE["crowd_modelling", "fictitious_play"]["nash_conv"][3], abs=1e-12)


def test_lq_equilibrium_flows() -> None:
    eq = parity.lq_equilibrium("ci", n_iter=5)
    assert eq.n_iter == 5 and eq.flow.shape == eq.paper_flow.shape == (10, 25)
    np.testing.assert_array_equal(eq.states, np.arange(25))
    np.testing.assert_allclose(eq.flow.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(eq.paper_flow.sum(axis=1), 1.0, atol=1e-12)
    # Both flows start from the uniform population: its spread is the std of 0..24, sqrt((25**2 - 1) / 12).
    np.testing.assert_allclose(eq.flow[0], 1 / 25)
    np.testing.assert_allclose(eq.paper_flow[0], 1 / 25)
    assert eq.spread[0] == pytest.approx(math.sqrt((25**2 - 1) / 12), abs=1e-12)
    x = np.arange(25)
    mean = eq.flow @ x
    expected = np.sqrt((eq.flow * (x[None, :] - mean[:, None]) ** 2).sum(axis=1))
    np.testing.assert_allclose(eq.spread, expected, atol=1e-12)
    # Mirror descent (lr 1) from the uniform policy is OpenSpiel's MirrorDescent: its stored NashConv.
    assert eq.exploitability == pytest.approx(REFERENCE["linear_quadratic", "mirror_descent"]["nash_conv"][5], abs=1e-12)
    assert eq.paper_exploitability >= 0
    assert parity.EQUILIBRIUM_ITERATIONS == {"ci": 50, "full": 300}


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: parity.compare_libraries("quick"), ValueError, "budget"),
        (lambda: parity.compare_libraries(1), TypeError, "budget"),  # type: ignore[arg-type]  # the error under test
        (lambda: parity.compare_libraries("ci", -1), ValueError, "n_iter"),
        (lambda: parity.mfcode_exploitability(2.5), TypeError, "n_iter"),  # type: ignore[arg-type]  # the error under test
        (lambda: parity.lq_equilibrium("full", n_iter=-3), ValueError, "n_iter"),
        (lambda: parity.lq_equilibrium("medium"), ValueError, "budget"),
    ],
)
def test_bad_input_names_the_argument(call: object, error: type[Exception], name: str) -> None:
    assert callable(call)
    with pytest.raises(error, match=name):
        call()
