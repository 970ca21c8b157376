"""Psychometrics: item analysis, reliability, factorability, parallel analysis, EFA (also on polychoric
correlations), polychoric correlations, omega hierarchical, split-half reliabilities, Mardia's tests, and the
common-method-bias checks.

All functions accept a SurveyWave (``.data`` + ``.instrument``) or a pandas DataFrame of items and agree with
R's psych package (2.2.9) -- see each function's docstring for the exact psych call reproduced.
"""

from .efa import EFAResult, efa
from .factorability import FactorabilityResult, factorability
from .common_method import CommonMethodResult, common_method_bias
from .icc import icc
from .items import item_analysis
from .mardia import MardiaResult, mardia
from .omega import OmegaResult, omega
from .parallel import ParallelResult, parallel_analysis
from .polychoric import PolychoricResult, polychoric
from .reliability import reliability
from .split_half import split_half

__all__ = [
    "item_analysis",
    "reliability",
    "factorability",
    "FactorabilityResult",
    "parallel_analysis",
    "ParallelResult",
    "efa",
    "EFAResult",
    "polychoric",
    "PolychoricResult",
    "icc",
    "omega",
    "OmegaResult",
    "split_half",
    "mardia",
    "MardiaResult",
    "common_method_bias",
    "CommonMethodResult",
]
