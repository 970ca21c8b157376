"""Reading and validating survey waves, and an example survey generator.

Public API: :func:`read_survey` -> :class:`SurveyWave` (``.raw``, ``.data``, ``.meta``, ``.issues``,
``.scores()``), :func:`example_survey` and :func:`example_population`.
"""

from .example import example_population, example_survey
from .read import read_survey
from .validation import ISSUE_COLUMNS
from .wave import SurveyWave

__all__ = ["ISSUE_COLUMNS", "SurveyWave", "example_population", "example_survey", "read_survey"]
