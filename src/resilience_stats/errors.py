"""Exception classes of resilience_stats.

Every error the package raises on purpose derives from :class:`ResilienceStatsError`, so a caller can catch
one class; each subclass names the layer where the problem was found.
"""

from __future__ import annotations


class ResilienceStatsError(Exception):
    """Base class of every error raised by resilience_stats."""


class InstrumentError(ResilienceStatsError):
    """A questionnaire definition (YAML) is missing, malformed or inconsistent."""


class SurveyReadError(ResilienceStatsError):
    """A survey file cannot be read (empty, unreadable, wrong format, no item columns)."""


class SurveyValidationError(ResilienceStatsError):
    """Validation found errors and ``strict=True`` was requested.

    Attributes
    ----------
    issues : pandas.DataFrame
        The full issues table (all severities) of the wave that failed.
    """

    def __init__(self, message: str, issues=None):
        super().__init__(message)
        self.issues = issues


class DataError(ResilienceStatsError):
    """Data handed to a statistic cannot be used as given (too few cases, non-numeric, constant items...)."""


class ModelSyntaxError(ResilienceStatsError):
    """lavaan model syntax that cannot be parsed; the message names the line and position."""


class ModelSpecificationError(ResilienceStatsError):
    """A model that parses but cannot be estimated as specified (unknown variables, under-identified...)."""


class EstimationError(ResilienceStatsError):
    """Estimation failed in a way that leaves no usable solution."""


class ResilienceStatsWarning(UserWarning):
    """Base class of the warnings resilience_stats emits (a result is usable but needs attention)."""


class InstrumentWarning(ResilienceStatsWarning):
    """An instrument is valid but has a weakness (e.g. a construct with fewer than 3 items)."""


class EstimationWarning(ResilienceStatsWarning):
    """An estimate was produced but is questionable (non-convergence, Heywood case, ...)."""
