"""Worker processes forked for reading, rendering and importing.

A worker ends with the process that forked it: killed outright (``kill -9``, the
out-of-memory killer), the parent would otherwise leave its workers running on, writing
into a staging folder the next build removes, and each ending with a traceback once it
has a result to send back.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal sent when the parent dies


def forked_pool(count: int) -> multiprocessing.pool.Pool:
    """``count`` forked workers, each killed when this process dies."""
    return multiprocessing.get_context("fork").Pool(
        count, initializer=_end_with_parent, initargs=(os.getpid(),)
    )


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
