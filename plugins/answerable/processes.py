"""Worker processes forked for reading, rendering, importing and checking.

A worker ends with the process that forked it: killed outright (``kill -9``, the
out-of-memory killer), the parent would otherwise leave its workers running on, writing
into a staging folder the next build removes, and each ending with a traceback once it
has a result to send back. The other way round, a worker killed outright ends the work
of all (``WorkerLost``): ``multiprocessing.Pool`` would start another in its place and
wait for ever for the lost one's result.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal sent when the parent dies


class WorkerLost(RuntimeError):  # noqa: N818 - what happened, as the user reads it
    """A worker process ended before it sent back its work: killed (by hand, or by the
    system when memory ran out) or crashed. Nothing it was doing can be trusted."""

    def __init__(self) -> None:
        super().__init__(
            "a worker process ended before it finished (killed, or out of memory?); "
            "the other workers were stopped"
        )


class Workers:
    """``count`` forked workers, each ended when this process dies; forked now, so
    that each holds what this process holds now. Used as a context manager, they are
    stopped on the way out, finished or not."""

    def __init__(self, count: int) -> None:
        before = set(multiprocessing.active_children())
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._executor = ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_end_with_parent,
            initargs=(os.getpid(),),
        )
        # The first task forks every worker (with fork, all of them at once).
        self.gather([self._executor.submit(os.getpid)])
        self._processes = [p for p in multiprocessing.active_children() if p not in before]

    def submit_all(self, function: Callable[[Any], T], items: Iterable[Any]) -> list[Future[T]]:
        """``function`` of each item, each in whichever worker is free."""
        return [self._executor.submit(function, item) for item in items]

    def gather(self, futures: Iterable[Future[T]]) -> list[T]:
        """Their results, in order, once each is ready (what one raised is raised here)."""
        return list(self._each(futures))

    def map(self, function: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        return self.gather(self.submit_all(function, items))

    def imap(self, function: Callable[[Any], T], items: Iterable[Any]) -> Iterator[T]:
        """Each result as soon as it and those before it are ready."""
        return self._each(self.submit_all(function, items))

    def _each(self, futures: Iterable[Future[T]]) -> Iterator[T]:
        try:
            for future in futures:
                yield future.result()
        except BrokenProcessPool:
            self.terminate()
            raise WorkerLost from None

    def terminate(self) -> None:
        """Stop every worker now, whatever it is doing."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in self._processes:
            process.terminate()  # SIGTERM ends a worker at once (``_end_with_parent``)
        for process in self._processes:
            process.join()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        self.terminate()


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
