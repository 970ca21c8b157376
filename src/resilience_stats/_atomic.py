"""Atomic writes: the output is written to a temporary file in the target folder, then ``os.replace``d.

The temporary file is named ``.<name>.<pid>.<random>.tmp``. A run that is interrupted removes it; a run that
is killed outright (SIGKILL, a power cut) cannot, so the next write to the same target removes the temporary
files of processes that no longer run (:func:`remove_stale`): no ``.tmp`` residue survives into the next run.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["remove_stale", "write_atomic", "write_bytes_atomic", "write_text_atomic"]

#: Temporary files whose writer cannot be identified are removed once they are this old (seconds).
STALE_AFTER_SECONDS = 600


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    except OSError:
        return False
    return True


def remove_stale(path: str | Path) -> list[Path]:
    """Remove the temporary files left beside ``path`` by writers that no longer run; returns them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".r.html.999999999.abc.tmp").write_text("half")
    >>> [p.name for p in remove_stale(d / "r.html")]
    ['.r.html.999999999.abc.tmp']
    """
    import time

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    if not folder.is_dir():
        return removed
    for tmp in folder.glob(f".{path.name}.*.tmp"):
        middle = tmp.name[len(path.name) + 2:-len(".tmp")]
        pid_text = middle.split(".", 1)[0]
        try:
            stale = not _alive(int(pid_text))
        except ValueError:  # an older name without the writer's pid
            try:
                stale = time.time() - tmp.stat().st_mtime > STALE_AFTER_SECONDS
            except OSError:
                continue
        if stale:
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


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
    remove_stale(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
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
