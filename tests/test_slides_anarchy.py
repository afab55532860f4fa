"""MFC social optimum (IQ Bellman equation on a grid) vs MFG equilibrium on SIS."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.mfg import games
from mfcode.nplayer.mean_field import mean_field_evaluation
from mfcode.slides import anarchy as A


def test_no_contagion_closed_form() -> None:
    # infection_rate = 0: going out is free of risk, so everyone goes out; the infected share decays
    # as 0.6 * 0.7^t and costs 1 each: V = -0.6 / (1 - 0.9 * 0.7).
    opt = A.social_optimum(games.sis(infection_rate=0.0), grid_size=60, rule_resolution=4)
    closed = -0.6 / (1 - 0.9 * 0.7)
    assert opt.achieved_value == pytest.approx(closed, abs=1e-9)
    assert opt.grid_value == pytest.approx(closed, abs=5e-3)
    assert np.allclose(opt.rules[:, 0, 1], 1.0)  # susceptible agents go out


def test_optimum_beats_every_stationary_rule_and_the_equilibrium() -> None:
    g = games.sis()
    opt = A.social_optimum(g, grid_size=60, rule_resolution=5)
    best_stationary = max(
        mean_field_evaluation(g, np.array([[d, 1 - d], [0.0, 1.0]]), g.initial).value for d in np.linspace(0, 1, 11)
    )
    assert opt.achieved_value >= best_stationary - 1e-3
    assert abs(opt.grid_value - opt.achieved_value) < 2e-2
    poa = A.price_of_anarchy(g, grid_size=60, rule_resolution=5)
    assert poa.price > 1.05 and poa.equilibrium_exploitability < 0.05


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="2 states"):
        A.social_optimum(games.lq())
    with pytest.raises(TypeError, match="game"):
        A.social_optimum("sis")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="temperature"):
        A.price_of_anarchy(games.sis(), temperature=0.0)
