"""Array aliases used across mfcode: one name per element type.

``FloatArray`` for probabilities, values, kernels and every other real-valued array; ``IntArray``
for indices and counts; ``BoolArray`` for masks. Shapes are documented at each use (policies
``(S, A)`` or ``(T, S, A)``, mean fields ``(S,)``, kernels ``(S, A, S)``; batch axes first).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
