"""Single-threaded BLAS for the engine's small matrices.

SEM matrices are small (tens of variables): a multithreaded BLAS only adds thread start-up and contention,
which on a busy 2-core machine made one fit 20 times slower.  The limit is set for the duration of a call
and restored afterwards (threadpoolctl), so the caller's own numpy work is not affected.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager


@functools.cache
def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


@contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread inside the ``with`` block."""
    controller = _controller()
    if controller is None:  # pragma: no cover
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


def blas_single_threaded(func):
    """Decorator: run ``func`` with :func:`single_threaded_blas`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with single_threaded_blas():
            return func(*args, **kwargs)

    return wrapper
