"""The house plotting helpers: confidence intervals against closed forms, colours, validation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

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


def test_interval_covers_the_mean_at_the_nominal_rate() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(1.0, 2.0, size=(4000, 10))
    _, lo, hi = plotting.mean_confidence_interval(data, level=0.9, axis=1)
    coverage = np.mean((lo <= 1.0) & (1.0 <= hi))
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
    assert plotting.color_of("something new") == plotting.color_of("something new")
