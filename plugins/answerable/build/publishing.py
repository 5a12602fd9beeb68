"""Writing the board's pages: rendered in parallel, written only when their text changed.

Pelican's writer copies the whole context and sends a signal for every file; at tens of
thousands of pages that is most of a build. Here each process renders its share of the
pages with the generator's own Jinja environment, and a page whose text is already on
disk is left alone, so a rebuild rewrites only what changed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from answerable.incremental.jobs import Block, Job, Page
from answerable.incremental.page_cache import PageCache, stamps
from answerable.processes import Workers

# Where a build that stages only what changed names its site's pages (write_manifest);
# `answerable build` reads and removes it before the swap: it is never published.
MANIFEST = ".answerable-pages"

# From this many jobs on, each process takes an equal share at once; below it, jobs are
# handed out one by one (a process costs about 30 ms to start).
PARALLEL_FROM = 400


@dataclass(frozen=True)
class Written:
    paths: tuple[str, ...]
    changed: int
    rendered: int
    files: dict[bytes, bytes]
    """What each keyed job made now wrote (``page_cache.stamps``), for the next build's
    cache (it keeps the rest as it was)."""


def relative_root(save_as: str) -> str:
    """The way back to the site's root from a page, as Pelican's RELATIVE_URLS writes it."""
    depth = save_as.count("/")
    return "/".join([".."] * depth) if depth else "."


def write_if_changed(
    output: Path, rel: str, text: str | Iterable[str | Part], last: Path | None = None
) -> bool:
    """Write ``text`` at ``rel`` unless the site's file holds exactly that; True when
    written. The site's file is in ``last`` when given (``output`` then holds only what
    changed, to be swapped in), else in ``output`` itself.

    ``text`` may come in pieces (the open-data files of a whole board): they are written
    as they come and compared with the file afterwards, never held at once; a piece may
    be a ``Part`` that copies its bytes from the file as it was."""
    # str paths, not pathlib: pathlib interns every part of every path it makes, a table
    # that grows with the pages a rendering process writes.
    target = os.path.join(output, rel)
    current = target if last is None else os.path.join(last, rel)
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.tmp")
    if isinstance(text, str):
        data = text.encode("utf-8")
        try:
            if os.stat(current).st_size == len(data) and _read(current) == data:
                return False
        except FileNotFoundError:
            pass
        if last is not None or not os.path.exists(target):
            os.makedirs(folder, exist_ok=True)
            # A folder no reader sees yet (`answerable build` stages what changed, or
            # writes a cold build there): written in place. The rename as well made
            # writing a cold build's 21,000 files two to three times slower.
            with open(target, "xb") as file:
                file.write(data)
            return True
        with open(temporary, "wb") as file:
            file.write(data)
    else:
        os.makedirs(folder, exist_ok=True)
        with open(temporary, "wb") as file, _opened(current) as before:
            at = 0
            for part in text:
                if isinstance(part, str):
                    data = part.encode("utf-8")
                    file.write(data)
                    at += len(data)
                else:  # a part that can take its bytes from the file before
                    at += part.write(file, before, at)
        if _same_bytes(temporary, current):
            os.unlink(temporary)
            return False
    os.replace(temporary, target)  # a reader never sees half a page; a link is not written through
    return True


class Part(Protocol):
    """A part of a file that ``write_if_changed`` writes in pieces and that may take its
    bytes from the file as it was (a kept block of a whole-board file)."""

    def write(self, file: BinaryIO, before: BinaryIO | None, at: int) -> int:
        """Write into ``file`` at offset ``at``, reading ``before`` if it may (the file
        being replaced, None when there is none); how many bytes were written."""
        ...


def _opened(path: str) -> contextlib.AbstractContextManager[BinaryIO | None]:
    """The file at ``path`` open for reading, or None when there is none."""
    try:
        return open(path, "rb")  # closed by the caller's with
    except OSError:
        return contextlib.nullcontext()


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _same_bytes(new: str, old: str) -> bool:
    try:
        if os.stat(new).st_size != os.stat(old).st_size:
            return False
        with open(new, "rb") as a, open(old, "rb") as b:
            while block := a.read(1 << 20):
                if block != b.read(1 << 20):
                    return False
    except FileNotFoundError:
        return False
    return True


@dataclass
class _Share:
    jobs: list[tuple[bytes | None, Job | Block]]
    render: Callable[[Page], str]
    output: Path
    last: Path | None
    after: Callable[[], None] | None


_SHARE: _Share | None = None  # set before forking; the children inherit it


def _run(index_count: tuple[int, int]) -> Written:
    index, count = index_count
    assert _SHARE is not None  # noqa: S101 - set by publish() before the pool starts
    paths: list[str] = []
    changed = 0
    files: dict[bytes, bytes] = {}
    for key, job in _SHARE.jobs[index::count]:
        made = job.make()
        pages = (made,) if isinstance(made, Page) else made  # a Block's, one by one
        first = len(paths)
        for page in pages:
            text = page.text if page.text is not None else _SHARE.render(page)
            changed += write_if_changed(_SHARE.output, page.save_as, text, _SHARE.last)
            paths.append(page.save_as)
        if key is not None:
            files[key] = stamps(_SHARE.output, paths[first:], _SHARE.last)
    if _SHARE.after is not None:
        _SHARE.after()
    return Written(tuple(paths), changed, len(paths), files)


def publish(
    jobs: list[Job | Block],
    render: Callable[[Page], str],
    output: Path,
    workers: int,
    cache: PageCache | None = None,
    last: Path | None = None,
    after: Callable[[], None] | None = None,
    then: Callable[[], list[Job | Block]] | None = None,
) -> Written:
    """Make every job whose pages are not already on disk as the cache knows them, render
    and write its pages; in ``workers`` processes when it pays. ``jobs`` is emptied.

    With ``last`` (the site this build replaces), pages are looked for there and only
    those that changed are written into ``output``; else ``output`` is the site.
    ``after`` is called in each process once it has made its share (to write what the
    jobs keep for the next build).

    ``then`` makes more jobs. It is called once ``jobs`` are being made in other
    processes, so that the pages of the whole board (the open-data files, the
    leaderboard, the reports) render while this process works out the pages that number
    with the tickets; those are made here when they are few, else in processes of their
    own."""
    kept: dict[bytes, bytes] = {}
    produced: set[str] = set()  # the files of the jobs kept, then of those made
    site = output if last is None else last
    first = _to_make(jobs, cache, site, kept, produced)
    if then is None:
        if cache is not None:
            cache.keep_only(kept)
        results = _Making(first, render, output, workers, last, after).results()
    else:
        started = _Making(first, render, output, workers, last, after, wait=False)
        try:
            more = _to_make(then(), cache, site, kept, produced)
            if cache is not None:
                cache.keep_only(kept)
            # Few: made here while the others finish; many (a cold build): in processes.
            here = len(more) < PARALLEL_FROM
            results = _Making(more, render, output, 1 if here else workers, last, after).results()
        except BaseException:
            started.stop()
            raise
        results = [*started.results(), *results]
    files: dict[bytes, bytes] = {}
    for result in results:
        files.update(result.files)
        produced.update(result.paths)
    paths = sorted(produced)
    return Written(
        tuple(paths),
        sum(r.changed for r in results),
        sum(r.rendered for r in results),
        files,
    )


def _to_make(
    jobs: list[Job | Block],
    cache: PageCache | None,
    site: Path,
    kept: dict[bytes, bytes],
    produced: set[str],
) -> list[tuple[bytes | None, Job | Block]]:
    """The jobs whose pages are not in ``site`` as the cache knows them, each with its
    full key; the others' stamps go into ``kept``, their paths into ``produced`` (the
    files a job wrote are those it names: ``stamps`` of its pages). ``jobs`` is
    emptied."""
    todo: list[tuple[bytes | None, Job | Block]] = []
    for job in jobs:
        if cache is None or job.key is None:
            todo.append((None, job))
            continue
        key = cache.full_key(job.key, job.timeless)
        found = cache.unchanged(key, site)
        if found is None:
            todo.append((key, job))
        else:
            kept[key] = found
            produced.update(job.paths)
    jobs.clear()  # from here on only ``todo`` holds them
    return todo


class _Making:
    """``todo`` being made: here and now, or in forked processes (``workers``): when it
    pays, and without ``wait`` whenever more than one worker is allowed, so that this
    process goes on meanwhile."""

    def __init__(
        self,
        todo: list[tuple[bytes | None, Job | Block]],
        render: Callable[[Page], str],
        output: Path,
        workers: int,
        last: Path | None,
        after: Callable[[], None] | None,
        *,
        wait: bool = True,
    ) -> None:
        global _SHARE  # noqa: PLW0603 - handed to forked children, reset afterwards
        self.pool: Workers | None = None
        self.made: list[Written] = []
        size = len(todo)
        if size < PARALLEL_FROM:
            # A rebuild's few jobs, some of them whole-board files or the leaderboard:
            # handed out one at a time, so that the heavy ones run side by side.
            count, shares = min(workers, size), [(i, size) for i in range(size)]
        else:
            count = min(workers, size // (PARALLEL_FROM // 2))
            shares = [(i, count) for i in range(count)]
        # The caller's list is emptied: once forked, the jobs live in the workers only.
        _SHARE = _Share(todo.copy(), render, output, last, after)
        todo.clear()
        try:
            forking = "fork" in multiprocessing.get_all_start_methods()
            if not size or not forking or workers <= 1 or (wait and count <= 1):
                self.made = [_run((0, 1))] if size else []
                return
            self.pool = Workers(count)
        finally:
            # The workers are forked and have their own copies: this process lets go of
            # its own, so that what they send back fills that memory instead of adding
            # to it (at 100,000 tickets, 130 MiB at the end of a build).
            _SHARE = None
        self.pending = self.pool.submit_all(_run, shares)
        if wait:
            self.results()

    def results(self) -> list[Written]:
        """What each process made (waiting for them)."""
        if self.pool is not None:
            try:
                self.made = self.pool.gather(self.pending)
            finally:
                self.stop()
        return self.made

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None


def owned(paths: Iterable[str]) -> list[str]:
    """The folders and top-level files that the files at ``paths`` (every job's
    ``save_as``, and the sitemap) make the board generator's own.

    Only the board's generator writes there, always as a new file renamed into place
    (write_if_changed): a rebuild may start from the last site's files there, linked
    rather than copied, and a page whose text did not change is then not written at
    all. Pelican and Pagefind write the rest in place, so those always start empty."""
    return sorted({path.split("/", 1)[0] for path in paths})


def link_last_site(last_site: Path, output: Path, names: Iterable[str]) -> None:
    """Link the files of the last site under ``names`` (``owned``) into ``output``."""
    for name in names:
        source = last_site / name
        if source.is_dir():
            shutil.copytree(source, output / name, copy_function=os.link, dirs_exist_ok=True)
        elif source.is_file() and not (output / name).exists():
            os.link(source, output / name)


def remove_stale(output: Path, produced: set[str], names: Iterable[str]) -> int:
    """Delete files in the generator's own folders (``names``) that this build did not
    produce."""
    removed = 0
    for folder in names:
        for parent, _, files in os.walk(output / folder):
            rel = Path(parent).relative_to(output).as_posix()
            for name in files:
                if f"{rel}/{name}" not in produced:
                    os.unlink(os.path.join(parent, name))  # str paths: thousands of names
                    removed += 1
    return removed


def write_manifest(output: Path, paths: Iterable[str]) -> None:
    """Name every file the generator's jobs make (kept or written) for the swap that
    follows: what the last site holds beyond these and the staged files is gone."""
    with open(os.path.join(output, MANIFEST), "w", encoding="utf-8") as file:
        file.writelines(f"{path}\n" for path in paths)


def page_context(base: dict[str, Any], page: Page, site_url: str | None) -> dict[str, Any]:
    context = {**base, **page.context}
    context["SITEURL"] = relative_root(page.save_as) if site_url is None else site_url
    context["output_file"] = page.save_as
    return context
