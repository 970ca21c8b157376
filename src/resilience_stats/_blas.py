"""One BLAS thread for the package's small matrices (SEM, factor analysis, reliability).

Survey models work on small matrices (tens of variables): a multithreaded BLAS only adds thread start-up and
contention -- on a busy 2-core machine one SEM fit ran 20 times slower, an EFA or omega 4-6 times slower, with two
threads.  The limit holds inside the ``with`` block (or the decorated call) and is restored afterwards
(threadpoolctl), so the caller's own numpy work is not affected.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

__all__ = ["one_blas_thread", "blas_single_threaded"]


@functools.cache
def _controller():
    from threadpoolctl import ThreadpoolController  # a dependency; scanning the loaded libraries once is enough

    return ThreadpoolController()


@contextmanager
def one_blas_thread():
    """Limit BLAS to one thread inside the ``with`` block.

    Examples
    --------
    >>> import numpy as np
    >>> with one_blas_thread():
    ...     float(np.linalg.eigvalsh(np.eye(3)).sum())
    3.0
    """
    with _controller().limit(limits=1, user_api="blas"):
        yield


def blas_single_threaded(func):
    """Decorator: run ``func`` inside :func:`one_blas_thread`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper
