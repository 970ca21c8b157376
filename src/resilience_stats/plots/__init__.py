"""Publication figures drawn from resilience_stats' results (matplotlib/seaborn).

Every function returns a :class:`matplotlib.figure.Figure` and changes no global matplotlib setting (the theme
is applied inside a ``plt.rc_context``). ``lang="zh"`` labels the figure in Chinese when a CJK font is
installed, and falls back to English with one warning otherwise (see :mod:`.fonts`). Save with :func:`save`
(PNG at 300 dpi, SVG, PDF; atomic).

============================  =====================================================================
Function                      Draws from
============================  =====================================================================
:func:`likert_bars`           a SurveyWave (items, wording and scale labels of its instrument)
:func:`item_distributions`    a SurveyWave
:func:`score_distributions`   a SurveyWave or a DataFrame of construct scores
:func:`correlation_heatmap`   a SurveyWave, construct scores, or a correlation matrix
:func:`scree`                 ``parallel_analysis()`` (ParallelResult)
:func:`loadings_heatmap`      ``efa()`` (EFAResult) or a fitted CFA/SEM
:func:`path_diagram`          a fitted CFA/SEM (also :func:`path_diagram_dot` for Graphviz)
:func:`indirect_effects`      a fitted SEM or bootstrap result (``:=`` rows)
:func:`invariance_fit`        the invariance table
:func:`latent_means`          the latent means table
:func:`wave_trends`           a multi-wave SurveyWave or scores with wave/community columns
:func:`community_caterpillar` idem (community means; see :func:`resilience_stats.score_summary`)
:func:`power_curves`          the power analysis table
:func:`process_plot`          ``process()`` (ProcessResult): interaction and Johnson-Neyman band
:func:`index_bars`            a composite index (``rs.composite_index``): scores per community
:func:`index_heatmap`         idem: normalized indicators or obstacle degrees per community
:func:`index_trends`          idem: scores across waves
============================  =====================================================================

Examples
--------
>>> import resilience_stats as rs
>>> wave = rs.read_survey(rs.example_survey(n=300), "party_building_social_capital")  # doctest: +SKIP
>>> fig = rs.plots.likert_bars(wave, "PBL", lang="zh")  # doctest: +SKIP
>>> rs.plots.save(fig, "figures/likert_pbl.pdf")  # doctest: +SKIP
"""

from .distributions import correlation_heatmap, item_distributions, score_distributions
from .effects import indirect_effects
from .factors import loadings_heatmap, loadings_table, scree
from .fonts import CJKFontWarning, find_cjk_font
from .indices import index_bars, index_heatmap, index_trends
from .invariance import invariance_fit, latent_means
from .likert import likert_bars, likert_proportions
from .path_diagram import path_diagram, path_diagram_dot, path_layout
from .power import power_curves
from .process import process_plot
from .save import save
from .theme import DOUBLE_COLUMN, SINGLE_COLUMN
from .trends import community_caterpillar, wave_trends

__all__ = [
    "CJKFontWarning",
    "DOUBLE_COLUMN",
    "SINGLE_COLUMN",
    "community_caterpillar",
    "correlation_heatmap",
    "find_cjk_font",
    "index_bars",
    "index_heatmap",
    "index_trends",
    "indirect_effects",
    "invariance_fit",
    "item_distributions",
    "latent_means",
    "likert_bars",
    "likert_proportions",
    "loadings_heatmap",
    "loadings_table",
    "path_diagram",
    "path_diagram_dot",
    "path_layout",
    "power_curves",
    "process_plot",
    "save",
    "score_distributions",
    "scree",
    "wave_trends",
]
