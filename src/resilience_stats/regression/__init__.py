"""Regression analyses on observed scores (construct scores of a SurveyWave or DataFrame columns).

* :func:`process`: Hayes' PROCESS models 1-8, 14, 15, 58, 59 (moderation, mediation, moderated mediation) with
  percentile bootstrap intervals, simple slopes and Johnson-Neyman boundaries;
* :func:`hierarchical_regression`: blockwise OLS with R^2 change, F change, standardized coefficients, VIF;
* :func:`ordered_logit`: proportional-odds logit with odds ratios, average marginal effects, Brant test.
* :func:`multilevel`: two-level mixed model (random intercepts and slopes, level-2 predictors, cross-level
  interactions) with :func:`center`, :func:`null_model_icc`, :func:`deviance_test` and Nakagawa-Schielzeth R^2.

Standard errors are classical or HC0-HC4 (as R's ``sandwich::vcovHC``); see :mod:`._ols`.
"""

from .hierarchical import HierarchicalResult, hierarchical_regression
from .multilevel import MultilevelResult, center, deviance_test, multilevel, null_model_icc
from .ordered import OrderedLogitResult, brant_test, ordered_logit
from .process import ProcessResult, process

__all__ = [
    "HierarchicalResult",
    "MultilevelResult",
    "OrderedLogitResult",
    "ProcessResult",
    "brant_test",
    "center",
    "deviance_test",
    "hierarchical_regression",
    "multilevel",
    "null_model_icc",
    "ordered_logit",
    "process",
]
