"""Psychometrics: item analysis, reliability, factorability, parallel analysis, EFA and polychoric correlations.

All functions accept a SurveyWave (``.data`` + ``.instrument``) or a pandas DataFrame of items and agree with
R's psych package (2.2.9) -- see each function's docstring for the exact psych call reproduced.
"""

from .efa import EFAResult, efa
from .factorability import FactorabilityResult, factorability
from .icc import icc
from .items import item_analysis
from .parallel import ParallelResult, parallel_analysis
from .polychoric import PolychoricResult, polychoric
from .reliability import reliability

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
]
