"""Atomic writes: the output is written to a temporary file in the target folder, then ``os.replace``d."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["write_atomic", "write_bytes_atomic", "write_text_atomic"]


def write_atomic(path: str | Path, write: Callable[[Path], None], *, make_dirs: bool = False) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then move it onto ``path``.

    A reader never sees a half-written file, and a failed write leaves an existing ``path`` untouched.
    The new file gets the mode of the file it replaces, or 0o644. With ``make_dirs`` the folder is created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a.txt", lambda p: p.write_text("hi")).read_text()
    'hi'
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if make_dirs:
        folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {str(folder)!r} does not exist (writing {str(path)!r})")
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


def write_bytes_atomic(path: str | Path, data: bytes, *, make_dirs: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_atomic(path, lambda p: p.write_bytes(data), make_dirs=make_dirs)
