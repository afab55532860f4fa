"""One house style for every figure of the book: sizes, a fixed colour per method, confidence bands.

Every chapter plots through these helpers so that the same method has the same colour throughout the
book (e.g. the mean-field policy is always blue, JSQ always orange) and every band means the same
thing: a two-sided Student-t confidence interval of the mean over independent runs.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from mfcode.arrays import FloatArray

__all__ = ["METHOD_COLORS", "apply_style", "color_of", "confidence_band", "mean_confidence_interval", "subplots"]

#: Colour of each method across the whole book (tab10 order); unknown names get a stable fallback.
METHOD_COLORS: dict[str, str] = {
    "mean-field": "tab:blue",
    "mf": "tab:blue",
    "nac": "tab:blue",
    "jsq": "tab:orange",
    "dl-nac": "tab:orange",
    "random": "tab:gray",
    "rnd": "tab:gray",
    "own": "tab:brown",
    "na": "tab:green",
    "ps": "tab:red",
    "exact": "black",
    "bound": "tab:purple",
    "mfglib": "tab:pink",
    "openspiel": "tab:olive",
}
_FALLBACK = ("tab:cyan", "tab:olive", "tab:pink", "tab:purple", "tab:brown")


def apply_style() -> None:
    """Set the book's matplotlib defaults (call once at the top of a notebook via mfcode)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.8),
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "font.size": 10,
        }
    )


def color_of(method: str) -> str:
    """The book-wide colour of a method (case-insensitive); stable for unknown names."""
    if not isinstance(method, str) or not method:
        raise TypeError(f"method must be a non-empty string, got {method!r}")
    key = method.lower()
    if key in METHOD_COLORS:
        return METHOD_COLORS[key]
    return _FALLBACK[sum(map(ord, key)) % len(_FALLBACK)]


def subplots(nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 3.8) -> tuple[Figure, NDArray[np.object_]]:
    """A figure of ``nrows x ncols`` panels in the house style; axes always returned as a 2-D array
    (of :class:`matplotlib.axes.Axes`, shape ``(nrows, ncols)``)."""
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be >= 1, got {nrows}, {ncols}")
    apply_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    return fig, axes


def mean_confidence_interval(samples: ArrayLike, level: float = 0.95, axis: int = 0) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean and two-sided Student-t confidence interval along ``axis`` (the runs axis).

    Returns ``(mean, lower, upper)``. With a single run the interval collapses to the mean.
    """
    data = np.asarray(samples, dtype=float)
    if data.ndim == 0:
        raise ValueError("samples must have at least one axis (the runs)")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    n = data.shape[axis]
    mean = data.mean(axis=axis)
    if n < 2:
        return mean, mean.copy(), mean.copy()
    sem = data.std(axis=axis, ddof=1) / np.sqrt(n)
    half = stats.t.ppf(0.5 + level / 2.0, df=n - 1) * sem
    return mean, mean - half, mean + half


def confidence_band(
    ax: Axes,
    x: ArrayLike,
    samples: ArrayLike,
    *,
    label: str,
    method: str | None = None,
    level: float = 0.95,
    linestyle: str = "-",
) -> None:
    """Plot the mean over runs (axis 0 of ``samples``) with its ``level`` confidence band."""
    data = np.asarray(samples, dtype=float)
    xs = np.asarray(x, dtype=float)
    if xs.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {xs.shape}")
    if data.ndim != 2 or data.shape[1] != xs.shape[0]:
        raise ValueError(f"samples must have shape (runs, len(x)) = (runs, {xs.shape[0]}), got {data.shape}")
    color = color_of(method or label)
    mean, lo, hi = mean_confidence_interval(data, level)
    ax.plot(xs, mean, color=color, linestyle=linestyle, label=f"{label} (mean, {int(level * 100)}% CI)" if data.shape[0] > 1 else label)
    if data.shape[0] > 1:
        ax.fill_between(xs, lo, hi, color=color, alpha=0.2, linewidth=0)
