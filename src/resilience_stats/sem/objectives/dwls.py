"""DWLS: least squares weighted by the inverse of the diagonal of Gamma (WLSMV with ordered indicators).

For ordered indicators ``s`` are the thresholds and polychoric correlations and the weights lavaan's
``1 / diag(NACOV)``; for continuous data the ADF Gamma's diagonal (:mod:`.blocks`).
"""

from __future__ import annotations

import numpy as np

from . import blocks

__all__ = ["objective"]


def objective(design, models, stats):
    return blocks.build(design, models, stats, ordinal_weights="diagonal",
                        weight_fn=lambda ss, mp, gamma: 1.0 / np.diag(gamma))
