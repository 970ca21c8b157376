"""Writing a figure to PNG (300 dpi), SVG or PDF, atomically."""

from __future__ import annotations

from pathlib import Path

from .._atomic import write_atomic
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
    rc = {k: v for k, v in rc_params().items() if k.startswith(("savefig.", "pdf.", "ps.", "svg."))}
    kwargs = {"format": fmt, "dpi": dpi, "transparent": transparent, "metadata": _METADATA[fmt]}
    kwargs.update(savefig_kwargs)

    def _write(tmp: Path) -> None:
        with open(tmp, "wb") as handle, plt.rc_context(rc):
            fig.savefig(handle, **kwargs)

    write_atomic(path, _write, make_dirs=True)
    return path
