"""The house plotting helpers: confidence intervals against closed forms, colours, validation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors
import matplotlib.pyplot
import numpy as np
import pytest
from scipy import stats

from mfcode import plotting


def test_confidence_interval_matches_student_t() -> None:
    samples = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 13.0], [6.0, 11.0]])
    mean, lo, hi = plotting.mean_confidence_interval(samples, level=0.95)
    np.testing.assert_allclose(mean, [3.0, 11.0])
    half = stats.t.ppf(0.975, 3) * samples.std(axis=0, ddof=1) / 2.0
    np.testing.assert_allclose(hi - mean, half)
    np.testing.assert_allclose(mean - lo, half)


def test_confidence_interval_matches_hand_computed_values() -> None:
    # Column 1: 1, 2, 3, 6 -> mean 3, s^2 = 14/3; column 2: 10, 10, 13, 11 -> mean 11, s^2 = 2.
    # Half width t_{0.975, 3} * s / sqrt(4) with t_{0.975, 3} = 3.182446305 (Student-t table).
    samples = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 13.0], [6.0, 11.0]])
    mean, lo, hi = plotting.mean_confidence_interval(samples, level=0.95)
    half = 3.182446305 * np.sqrt([14.0 / 3.0, 2.0]) / 2.0
    np.testing.assert_allclose(half, [3.43743488, 2.25032936], rtol=1e-8)
    np.testing.assert_allclose(lo, [3.0 - 3.43743488, 11.0 - 2.25032936], rtol=1e-8)
    np.testing.assert_allclose(hi, [3.0 + 3.43743488, 11.0 + 2.25032936], rtol=1e-8)
    # 90% with three runs along axis 1: t_{0.95, 2} = 2.919985580, s = 1, so half = 2.91998558 / sqrt(3).
    mean, lo, hi = plotting.mean_confidence_interval(np.array([[1.0, 2.0, 3.0]]), level=0.9, axis=1)
    np.testing.assert_allclose([mean[0], hi[0] - mean[0]], [2.0, 2.919985580 / np.sqrt(3.0)], rtol=1e-8)


def test_confidence_band_draws_the_mean_and_the_interval_polygon() -> None:
    fig, axes = plotting.subplots()
    ax = axes[0, 0]
    x = np.array([0.0, 1.0, 2.0])
    samples = np.array([[1.0, 2.0, 3.0], [2.0, 3.0, 5.0], [3.0, 4.0, 4.0]])
    plotting.confidence_band(ax, x, samples, label="MF-PPO", method="mf", level=0.9)
    mean, lo, hi = plotting.mean_confidence_interval(samples, level=0.9)
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_xdata(), x)
    np.testing.assert_allclose(line.get_ydata(), mean)
    assert line.get_label() == "MF-PPO (mean, 90% CI)" and line.get_color() == "tab:blue"
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    expected = {(float(a), round(float(b), 12)) for a, b in [*zip(x, lo, strict=True), *zip(x, hi, strict=True)]}
    assert {(float(a), round(float(b), 12)) for a, b in vertices} == expected
    np.testing.assert_allclose(band.get_facecolor()[0], [*matplotlib.colors.to_rgb("tab:blue"), 0.2])
    # A single run: the mean only, labelled as given, and no band.
    plotting.confidence_band(ax, x, samples[:1], label="JSQ", linestyle=":")
    assert ax.lines[1].get_label() == "JSQ" and ax.lines[1].get_linestyle() == ":" and len(ax.collections) == 1
    assert ax.lines[1].get_color() == "tab:orange"
    matplotlib.pyplot.close(fig)


def test_interval_covers_the_mean_at_the_nominal_rate() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(1.0, 2.0, size=(4000, 10))
    _, lo, hi = plotting.mean_confidence_interval(data, level=0.9, axis=1)
    coverage = np.mean((lo <= 1.0) & (hi >= 1.0))
    assert abs(coverage - 0.9) < 0.02


def test_single_run_has_no_band_and_bad_input_is_refused() -> None:
    mean, lo, hi = plotting.mean_confidence_interval(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(lo, mean)
    np.testing.assert_array_equal(hi, mean)
    with pytest.raises(ValueError, match="level"):
        plotting.mean_confidence_interval(np.ones((3, 2)), level=1.5)
    fig, axes = plotting.subplots()
    with pytest.raises(ValueError, match="samples"):
        plotting.confidence_band(axes[0, 0], [0, 1, 2], np.ones((3, 2)), label="mf")
    with pytest.raises(TypeError, match="method"):
        plotting.color_of("")
    assert plotting.color_of("JSQ") == plotting.color_of("jsq") == "tab:orange"
    # Unknown names: the fallback palette, indexed by the sum of the code points (so the same in every run,
    # unlike hash()): sum(map(ord, "something new")) = 1336, and 1336 % 5 = 1 -> "tab:olive".
    assert plotting.color_of("something new") == "tab:olive" == plotting.color_of("Something New".lower())
    with pytest.raises(ValueError, match="one-dimensional"):
        plotting.confidence_band(axes[0, 0], np.zeros((2, 2)), np.ones((3, 2)), label="mf")
    matplotlib.pyplot.close(fig)
