"""Qualitative comparative analysis (crisp- and fuzzy-set QCA) of community-level data.

``rs.qca`` follows R's QCA package (Dusa 2019) step by step, and its numbers and solutions are checked against
it (QCA 3.21, Lipset data and random data sets: tests/golden/qca_lipset.R):

=================================  ===========================================================================
:func:`calibrate`                  raw scores -> memberships (direct method with e/c/i anchors; crisp)
:func:`necessity`                  consistency, coverage and relevance of necessity (RoN) per condition
:func:`truth_table`                configurations with n, consistency, PRI and OUT (frequency/consistency cuts)
:func:`minimize`                   complex, parsimonious and intermediate solutions with their fit
:func:`fsqca`                      all of the above in one call (:class:`QCAResult`)
:func:`configuration_chart`        core/peripheral conditions of each configuration (the Fiss table)
=================================  ===========================================================================

Multi-value QCA (mvQCA) and conjunctional directional expectations are not supported.

Examples
--------
>>> import resilience_stats as rs
>>> raw = rs.qca.calibrate(lr, {"DEV": (350, 550, 850), "STB": (14, 10, 5)})   # doctest: +SKIP
>>> res = rs.qca.fsqca(lf, "SURV", incl_cut=0.8, dir_exp=["DEV", "URB", "LIT", "IND", "STB"])  # doctest: +SKIP
>>> res.to_table().to_docx("configurations.docx")                            # doctest: +SKIP
"""

from .analysis import CODES, ConfigurationChart, QCAResult, configuration_chart, fsqca
from .calibrate import CalibrationWarning, calibrate
from .necessity import necessity
from .solution import Model, Solution, minimize
from .truthtable import TruthTable, truth_table

__all__ = [
    "CODES",
    "CalibrationWarning",
    "ConfigurationChart",
    "Model",
    "QCAResult",
    "Solution",
    "TruthTable",
    "calibrate",
    "configuration_chart",
    "fsqca",
    "minimize",
    "necessity",
    "truth_table",
]
