"""Discrepancy functions of the SEM engine: one module per estimator family, one registry.

* ``ml`` / ``fiml`` -- normal-theory maximum likelihood for complete and incomplete data (ML, MLR, MLM, MLMV,
  MLMVS differ only in their standard errors and test statistics; :mod:`resilience_stats.sem.options`);
* ``ls`` -- the least-squares family ``F = 0.5 (s - sigma)' W (s - sigma)``, whose members differ only in the
  weight matrix ``W``: ``gls`` (normal-theory weights), ``wls`` (inverse of the asymptotic covariance matrix
  Gamma, ADF), ``dwls`` (its diagonal), ``uls`` (identity).

A least-squares module exposes ``objective(design, models, stats) -> LSObjective``; the registry maps the
estimator's discrepancy name (:attr:`SEMOptions.objective`) to the module.
"""

from . import dwls, gls, uls, wls

OBJECTIVES = {
    "GLS": gls,
    "WLS": wls,
    "DWLS": dwls,
    "ULS": uls,
}
