"""Issue a warning that points at the user's line, however deep inside the package it is raised."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with the stack level of the first frame outside resilience_stats."""
    frame = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
