"""CFA/SEM estimation engine, numerically compatible with R's lavaan 0.6-14.

Public functions
----------------
sem(model, data, estimator="ML"|"MLR", missing="listwise"|"fiml", std_lv=False, se="standard"|"robust"|"none",
    meanstructure=None, fixed_x=True, information=None, orthogonal=False)
cfa(data, model=None, **same)      -- data first; model=None reads data.instrument.measurement_model()

Both return a :class:`SEMResult` (estimates, fit_indices, r2, implied_cov, residuals, summary(), warnings,
converged, partable, n_obs, vcov, modification_indices()).

Layers: ``syntax`` (lavaan syntax -> parameter table) -> ``model`` (RAM matrices, implied moments, Jacobians)
-> ``objectives`` (ML, FIML) -> ``estimate`` (Fisher scoring + BFGS) -> ``inference`` (SEs, delta method),
``tests`` (test statistics, fit indices), ``standardize``, ``modindices`` -> ``results`` / ``api``.
"""

from .api import cfa, fit_partable, growth, sem
from .results import SEMResult
from .syntax import build_partable, parse_model
from .bootstrap import BootstrapResult  # fit.bootstrap(); module resilience_stats.sem.bootstrap
from .validity import ValidityResult, htmt  # validity(fit): resilience_stats.validity / sem.validity module
from .community import CommunityModel, community_model, twolevel_score_syntax

__all__ = ["sem", "cfa", "growth", "SEMResult", "build_partable", "parse_model", "fit_partable",
           "BootstrapResult", "ValidityResult", "htmt", "CommunityModel", "community_model", "twolevel_score_syntax"]
