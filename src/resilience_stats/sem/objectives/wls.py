"""WLS (ADF, Browne 1984): least squares weighted by the inverse of the distribution-free Gamma.

``W = Gamma_ADF^-1`` (:func:`~.blocks.adf_gamma`; lavaan's ``estimator = "WLS"`` on complete continuous data).
"""

from __future__ import annotations

import numpy as np

from ...errors import DataError
from . import blocks

__all__ = ["objective"]


def _weights(ss, mp, gamma):
    ev = np.linalg.eigvalsh(gamma)
    if ev.min() <= 1e-12 * max(ev.max(), 1e-300):
        raise DataError(f"WLS: the asymptotic covariance matrix of the {gamma.shape[0]} sample moments is singular "
                        f"with {ss.nobs} cases (ADF needs many more cases than moments); use ML/MLM or DWLS")
    return np.linalg.inv(gamma)


def objective(design, models, stats):
    return blocks.build(design, models, stats, ordinal_weights=None, weight_fn=_weights)
