"""Publication tables: APA 7 and Chinese three-line (三线表, CY/T 170-2019) tables from results DataFrames.

Tables never compute statistics; they format them: raw values -> display strings -> HTML, Word, LaTeX,
Markdown or Excel.

Examples
--------
>>> import pandas as pd
>>> from resilience_stats.tables import PubTable
>>> rel = pd.DataFrame({"construct": ["NET", "TRU"], "alpha": [0.931, 0.874], "ave": [0.61, 0.55]})
>>> t = PubTable.from_frame(rel, title="Reliability and convergent validity", number=1)
>>> t.display()["alpha"].tolist()
['.93', '.87']
>>> html = t.to_html()                     # also shown by Jupyter
>>> doc = t.to_docx()                      # a python-docx Document (or pass a path)
>>> tex = t.with_options(style="three-line", lang="zh").to_latex()
"""

from .adapters import from_result
from .document import write_all
from .format import (
    DEFAULT_FORMATS,
    EM_DASH,
    MINUS,
    ColumnFormat,
    default_format,
    format_ci,
    format_number,
    format_p,
    stars,
    typographic_minus,
)
from .indices import index_scores_table, index_weights_table, obstacle_table
from .layout import STYLES, Rules
from .pubtable import ColumnSpec, Notes, PubTable, Spanner
from .qca import configuration_table, necessity_table, qca_solution_table, truth_table_table
from .richtext import Run, italic
from .standard import (
    correlation_table,
    efa_table,
    fit_table,
    htmt_table,
    indirect_table,
    invariance_table,
    loadings_table,
    paths_table,
    reliability_table,
    sample_table,
)

__all__ = [
    "ColumnFormat",
    "ColumnSpec",
    "DEFAULT_FORMATS",
    "EM_DASH",
    "MINUS",
    "Notes",
    "PubTable",
    "Rules",
    "Run",
    "STYLES",
    "Spanner",
    "configuration_table",
    "correlation_table",
    "default_format",
    "efa_table",
    "fit_table",
    "format_ci",
    "format_number",
    "format_p",
    "from_result",
    "htmt_table",
    "index_scores_table",
    "index_weights_table",
    "indirect_table",
    "invariance_table",
    "italic",
    "loadings_table",
    "necessity_table",
    "obstacle_table",
    "paths_table",
    "qca_solution_table",
    "reliability_table",
    "sample_table",
    "stars",
    "truth_table_table",
    "typographic_minus",
    "write_all",
]
