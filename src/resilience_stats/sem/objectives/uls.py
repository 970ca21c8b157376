"""ULS: unweighted least squares (``W = I``), for continuous data or ordered indicators (ULSMV).
"""

from __future__ import annotations

import numpy as np

from . import blocks

__all__ = ["objective"]


def objective(design, models, stats):
    return blocks.build(design, models, stats, ordinal_weights="unit",
                        weight_fn=lambda ss, mp, gamma: np.ones(gamma.shape[0]))
