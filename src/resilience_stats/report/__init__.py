"""The automated survey-wave report: HTML (self-contained) and Word, from one or more survey waves.

>>> import resilience_stats as rs
>>> raw = rs.example_survey(n=300, waves=2)
>>> r = rs.report(raw, "party_building_social_capital", out="reports/demo")  # doctest: +SKIP
>>> r.paths  # doctest: +SKIP
{'html': PosixPath('reports/demo/report.html'), 'docx': PosixPath('reports/demo/report.docx')}

The analyses come from :func:`resilience_stats.workflow.analyze` (statistics); this package only presents them.
"""

from .blocks import Code, Facts, Figure, Notice, Paragraph, References, Section, Table
from .build import FORMATS, ReportResult, report
from .sections import SECTION_IDS, Context, build_sections

__all__ = [
    "Code", "Context", "FORMATS", "Facts", "Figure", "Notice", "Paragraph", "References", "ReportResult",
    "SECTION_IDS", "Section", "Table", "build_sections", "report",
]
