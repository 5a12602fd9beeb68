"""Worker processes forked for reading, rendering, importing and checking.

A worker ends with the process that forked it: killed outright (``kill -9``, the
out-of-memory killer), the parent would otherwise leave its workers running on, writing
into a staging folder the next build removes, and each ending with a traceback once it
has a result to send back.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal sent when the parent dies


def forked_pool(count: int) -> multiprocessing.pool.Pool:
    """``count`` forked workers, each killed when this process dies."""
    return multiprocessing.get_context("fork").Pool(
        count, initializer=_end_with_parent, initargs=(os.getpid(),)
    )


def in_background(function: Callable[[], T]) -> Callable[[], T]:
    """``function`` started now in a forked process, which ends with this one; what is
    returned gives its result once ready (or raises what it raised). Where processes are
    not forked, ``function`` runs when its result is asked for."""
    if not hasattr(os, "fork"):
        return function
    parent = os.getpid()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines are not traced
        status = 1
        try:
            os.close(read)
            _end_with_parent(parent)
            try:
                outcome: tuple[bool, object] = (True, function())
            except Exception as error:  # raised again in the parent
                outcome = (False, error)
            data = pickle.dumps(outcome)  # whole, or nothing sent
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)  # not the parent's way out: its exit handlers are its own
    os.close(write)

    def result() -> T:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("the process working it out ended without a result")
        done, value = pickle.loads(data)  # noqa: S301 - from our own child
        if not done:
            raise value
        return value  # type: ignore[no-any-return]

    return result


def _end_with_parent(parent: int) -> None:
    # Ended at once by SIGTERM (the pool's own way to stop its workers), whatever the
    # parent catches it with: a handler in Python could be late for a worker that is
    # entering a wait, and the pool would wait for it for ever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not sys.platform.startswith("linux"):
        return  # elsewhere, a worker notices only when it next talks to its parent
    import ctypes  # noqa: PLC0415 - in the workers only

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
