"""Publishing in two waves: the pages of the whole board render in other processes
while the build works out the pages that number with the tickets."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from answerable.build.publishing import publish
from answerable.incremental.jobs import Job, Page, job_key
from answerable.incremental.page_cache import PageCache
from answerable.incremental.state import BuildState

WAIT_SECONDS = 30.0  # far beyond what either step takes: only a wrong order reaches it


def _text(page: Page) -> str:
    return f"{page.save_as}: {page.context['text']}"


def _page(save_as: str, text: str) -> Page:
    return Page(save_as, "", {"text": text})


def _waiting_for(path: Path, save_as: str) -> Page:
    """A page that says whether ``path`` appeared while it was being made."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return _page(save_as, "saw it" if path.exists() else "never saw it")


def _job(save_as: str, text: str) -> Job:
    return Job(save_as, partial(_page, save_as, text), job_key(save_as, text))


def _cache(tmp_path: Path) -> PageCache:
    return PageCache(BuildState(tmp_path / "board", tmp_path / "cache"), "content", b"", b"")


def test_the_pages_of_many_are_worked_out_while_the_others_render(tmp_path: Path) -> None:
    """The first page waits for a file that only ``then`` makes: it sees it only if
    ``then`` runs while that page is being made, in another process."""
    output = tmp_path / "site"
    marker = tmp_path / "then-ran"
    first = [
        Job("leaderboard.html", partial(_waiting_for, marker, "leaderboard.html")),
        _job("feeds/replies.atom.xml", "feed"),
    ]

    def then() -> list[Job]:
        marker.touch()
        return [_job("tickets/2026-000001.html", "one"), _job("lists/all.html", "list")]

    written = publish(first, _text, output, 2, then=then)

    assert (output / "leaderboard.html").read_text() == "leaderboard.html: saw it"
    assert (output / "tickets/2026-000001.html").read_text() == "tickets/2026-000001.html: one"
    assert written.paths == (
        "feeds/replies.atom.xml",
        "leaderboard.html",
        "lists/all.html",
        "tickets/2026-000001.html",
    )
    assert (written.rendered, written.changed) == (4, 4)
    assert first == []  # handed over: the build holds the jobs no longer


def test_with_one_worker_everything_is_made_here_in_order(tmp_path: Path) -> None:
    """Asked for one process, the build forks none: the first pages are made before
    ``then`` is called."""
    output = tmp_path / "site"
    seen: list[str] = []

    def first_page() -> Page:
        seen.append(f"first in {os.getpid()}")
        return _page("index.html", "home")

    def then() -> list[Job]:
        seen.append("then")
        return [_job("tickets/2026-000001.html", "one")]

    written = publish([Job("index.html", first_page)], _text, output, 1, then=then)
    assert seen == [f"first in {os.getpid()}", "then"]
    assert written.paths == ("index.html", "tickets/2026-000001.html")


def test_a_rebuild_keeps_the_pages_of_both_waves(tmp_path: Path) -> None:
    """Pages unchanged since the last build are kept whichever wave they are in; only
    the changed ones are made again, and the state then holds every page."""
    output = tmp_path / "site"

    def build(ticket_text: str) -> tuple[int, tuple[str, ...]]:
        cache = _cache(tmp_path)
        first = [_job("index.html", "home"), _job("data/tickets.json", "[]")]
        then = [_job("tickets/2026-000001.html", ticket_text), _job("lists/all.html", "all")]
        written = publish(first, _text, output, 2, cache, then=lambda: then)
        cache.save(written.files)
        return written.rendered, written.paths

    everything = ("data/tickets.json", "index.html", "lists/all.html", "tickets/2026-000001.html")
    assert build("one") == (4, everything)
    assert build("one") == (0, everything)
    assert build("one, answered") == (1, everything)
    assert (output / "tickets/2026-000001.html").read_text().endswith("one, answered")
    assert len(_cache(tmp_path).entries) == 4


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _never_done(pids: Path, save_as: str) -> Page:
    pids.write_text(str(os.getpid()))
    time.sleep(WAIT_SECONDS)
    return _page(save_as, "finished")


def test_a_failure_while_working_out_the_rest_stops_the_pages_already_started(
    tmp_path: Path,
) -> None:
    """``then`` fails: its error comes out, and the processes making the first pages are
    stopped, not left writing into the site."""
    output = tmp_path / "site"
    pid_file = tmp_path / "pid"

    def then() -> list[Job]:
        deadline = time.monotonic() + WAIT_SECONDS
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise RuntimeError("a ticket's page could not be worked out")

    first = [Job("leaderboard.html", partial(_never_done, pid_file, "leaderboard.html"))]
    with pytest.raises(RuntimeError, match="could not be worked out"):
        publish(first, _text, output, 2, then=then)
    worker = int(pid_file.read_text())
    assert worker != os.getpid()
    assert not _alive(worker)
    assert not (output / "leaderboard.html").exists()
