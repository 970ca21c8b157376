"""Discrepancy functions of the SEM engine: one module per estimator family, found by name.

* ``ml`` / ``fiml`` -- normal-theory maximum likelihood for complete and incomplete data (ML, MLR, MLM, MLMV,
  MLMVS differ only in their standard errors and test statistics; :mod:`resilience_stats.sem.options`);
* ``ls`` -- the least-squares family ``F = 0.5 (s - sigma)' W (s - sigma)``, whose members differ only in the
  weight matrix ``W``: ``gls`` (normal-theory weights), ``wls`` (inverse of the asymptotic covariance matrix
  Gamma, ADF), ``dwls`` (its diagonal), ``uls`` (identity).

A least-squares module exposes ``objective(design, models, stats) -> LSObjective``. The estimator names and their
defaults live in one registry, :data:`resilience_stats.sem.options.ESTIMATORS`; its ``objective`` field names the
module here (``"GLS"`` -> ``gls.py``), so a new least-squares estimator is one module plus one registry line.
"""

from __future__ import annotations

import importlib


def objective_module(name: str):
    """The module of the discrepancy function ``name`` (e.g. "GLS" -> :mod:`.gls`)."""
    return importlib.import_module(f".{name.lower()}", __name__)
