"""resilience_stats: from a raw community survey wave to a paper's tables.

The public API is flat (``rs.read_survey``, ``rs.reliability``, ``rs.cfa``, ...); data flow one way,
io -> statistics -> presentation -> command line.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from . import errors
from .errors import (
    DataError,
    EstimationError,
    InstrumentError,
    ModelSpecificationError,
    ModelSyntaxError,
    ResilienceStatsError,
    ResilienceStatsWarning,
    SurveyReadError,
    SurveyValidationError,
)
from . import models, tables
from .instruments import Instrument, list_instruments, load_instrument
from .psychometrics import efa, factorability, icc, item_analysis, parallel_analysis, polychoric, reliability
from .psychometrics import common_method_bias, mardia, omega, split_half
# ``rs.sem`` is the function (as lavaan's sem()); the engine's modules stay importable as resilience_stats.sem.*
from .sem import SEMResult, cfa, growth, sem
from .sem.invariance import invariance, latent_mean_differences, partial_invariance
from .sem.validity import htmt, validity
from .sem.community import community_model, twolevel_score_syntax
from .survey import SurveyWave, example_population, example_survey, read_survey
from .survey.scores import score_summary
from .simulate import simulate
from .regression import hierarchical_regression, ordered_logit, process
from .regression import center, deviance_test, multilevel, null_model_icc
from . import indices, qca
from .indices import ahp_weights, community_indicators, composite_index
from .power import power
from .workflow import analyze
from .report import report

try:
    __version__ = _version("resilience_stats")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = [
    "DataError",
    "EstimationError",
    "Instrument",
    "InstrumentError",
    "ModelSpecificationError",
    "ModelSyntaxError",
    "ResilienceStatsError",
    "ResilienceStatsWarning",
    "SEMResult",
    "SurveyReadError",
    "SurveyValidationError",
    "SurveyWave",
    "ahp_weights",
    "analyze",
    "center",
    "cfa",
    "common_method_bias",
    "community_indicators",
    "composite_index",
    "deviance_test",
    "efa",
    "errors",
    "example_population",
    "example_survey",
    "factorability",
    "growth",
    "hierarchical_regression",
    "htmt",
    "icc",
    "indices",
    "invariance",
    "item_analysis",
    "latent_mean_differences",
    "list_instruments",
    "load_instrument",
    "mardia",
    "models",
    "multilevel",
    "null_model_icc",
    "omega",
    "ordered_logit",
    "parallel_analysis",
    "partial_invariance",
    "plots",
    "polychoric",
    "power",
    "process",
    "qca",
    "read_survey",
    "community_model",
    "twolevel_score_syntax",
    "score_summary",
    "reliability",
    "report",
    "sem",
    "simulate",
    "split_half",
    "tables",
    "validity",
]


def __getattr__(name: str):
    # rs.plots is imported on first use: matplotlib is slow to import and most scripts need no figure.
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'resilience_stats' has no attribute {name!r}")
