"""Worker processes end with the process that forked them."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from answerable.cli.main import stop_on_terminate
from answerable.processes import WorkerLost, Workers, in_background

PARENT = """
import multiprocessing, os, signal, time
from answerable.processes import Workers, in_background

pool = Workers(2)
pool.submit_all(time.sleep, [60, 60])  # each worker busy for a minute
print(*(child.pid for child in multiprocessing.active_children()), flush=True)
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)  # killed outright, as by kill -9
"""


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that still runs (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_workers_end_when_their_parent_is_killed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PARENT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == -9, done.stderr
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers)
    assert "Traceback" not in done.stderr


def _ends_at_once_on_sigterm(_: int) -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_workers_end_at_once_on_sigterm_whatever_the_parent_catches() -> None:
    """The pool stops its workers with SIGTERM. A worker that kept the command's own
    handler (which ends the command as Ctrl-C does) could miss it while entering a
    wait, and the pool then waited for it for ever: workers take the default."""
    default = signal.getsignal(signal.SIGTERM)
    stop_on_terminate()
    try:
        with Workers(2) as pool:
            assert pool.map(_ends_at_once_on_sigterm, range(4)) == [True] * 4
    finally:
        signal.signal(signal.SIGTERM, default)


def _killed_at_one(item: int) -> int:
    """Item 1 kills its worker outright (as the out-of-memory killer does); the others
    keep theirs busy for a minute."""
    if item == 1:
        time.sleep(0.2)  # the other worker is busy by now
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)
    return os.getpid()


@pytest.mark.parametrize("way", ["map", "imap", "submit_all"])
def test_a_worker_killed_outright_ends_the_work_of_all(way: str) -> None:
    """No waiting for ever for a result that will never come: the caller hears of it at
    once, and the other workers, busy with work that cannot be used now, are stopped."""
    started = time.monotonic()
    with Workers(2) as pool:
        workers = [child.pid for child in multiprocessing.active_children()]
        work = {
            "map": lambda: pool.map(_killed_at_one, [0, 1]),
            "imap": lambda: list(pool.imap(_killed_at_one, [0, 1])),
            "submit_all": lambda: pool.gather(pool.submit_all(_killed_at_one, [0, 1])),
        }[way]
        with pytest.raises(WorkerLost, match="ended before it finished"):
            work()
    assert time.monotonic() - started < 30
    assert len(workers) == 2
    assert not any(running(pid) for pid in workers if pid is not None)


def test_in_background_works_meanwhile_in_another_process(tmp_path: Path) -> None:
    """The function runs in a forked process from the call on, while this one goes on:
    its mark is on disk before the result is asked for. The result comes back, and the
    process is gone once it has."""
    mark = tmp_path / "started"

    def work() -> tuple[int, list[str]]:
        mark.write_text("here", "utf-8")
        return os.getpid(), ["名单", "notices"]

    result = in_background(work)
    deadline = time.monotonic() + 30
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mark.exists(), "the function ran before its result was asked for"
    pid, value = result()
    assert value == ["名单", "notices"]
    assert pid != os.getpid()
    assert not running(pid)


def test_in_background_raises_what_the_function_raised() -> None:
    def fails() -> None:
        raise ValueError("settings file: SyntaxError")

    result = in_background(fails)
    with pytest.raises(ValueError, match="settings file: SyntaxError"):
        result()


def test_in_background_says_so_when_the_process_ends_without_a_result() -> None:
    def dies() -> None:
        os._exit(3)

    with pytest.raises(RuntimeError, match="ended without a result"):
        in_background(dies)()
