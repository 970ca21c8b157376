"""Writing a figure to PNG (300 dpi), SVG or PDF, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import DataError
from .theme import DPI, rc_params

__all__ = ["save", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

# no creation dates in the files: the same figure gives the same bytes (SVG/PDF)
_METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}, "png": {}}


def save(fig, path, *, dpi: int = DPI, transparent: bool = False, **savefig_kwargs) -> Path:
    """Save ``fig`` to ``path``; the format follows the suffix (``.png``, ``.svg``, ``.pdf``).

    The file is written to a temporary file in the same folder and moved into place with :func:`os.replace`,
    so a reader never sees a half-written figure and a failed save leaves any previous file untouched.
    Missing parent folders are created. Text is embedded as TrueType in PDF and as outlines in SVG (Chinese
    labels render without the font on the reader's machine).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or pathlib.Path
    dpi : int, default 300
        Resolution of PNG output (vector formats ignore it except for embedded images).
    transparent : bool, default False
    **savefig_kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DataError
        Unsupported suffix.

    Examples
    --------
    >>> fig = rs.plots.scree(rs.parallel_analysis(wave))  # doctest: +SKIP
    >>> rs.plots.save(fig, "figures/scree.pdf")  # doctest: +SKIP
    PosixPath('figures/scree.pdf')
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"cannot tell the figure format from {path.name!r}: use a .png, .svg or .pdf suffix"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    rc = {k: v for k, v in rc_params().items() if k.startswith(("savefig.", "pdf.", "ps.", "svg."))}
    kwargs = {"format": fmt, "dpi": dpi, "transparent": transparent, "metadata": _METADATA[fmt]}
    kwargs.update(savefig_kwargs)
    try:
        with os.fdopen(fd, "wb") as handle, plt.rc_context(rc):
            fig.savefig(handle, **kwargs)
        # mkstemp makes the file private (0600); give it the mode of the file it replaces, else rw-r--r--
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
