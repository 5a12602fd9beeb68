"""Files in the content folder that the site does not publish, named in notices.

Pelican passes over a file it does not read (another extension, a hidden file, a file
outside its page paths) without a word, and skips a page it cannot read with a log
line only. Here Pelican's own generators read the content folder, as a build would,
and every file they do not publish is named with a notice (N003 to N005).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from answerable.checks.problems import Problem
from answerable.reading.loading import IGNORED_NAMES

_STATUS_LINE = re.compile(r"^:?status:", re.IGNORECASE)


class ContentCheckError(Exception):
    """The Pelican settings cannot be read: the content folder was not checked."""


class _Collect(logging.Handler):
    """Pelican's log lines while it reads: why it skipped a page."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f": {record.exc_info[1]}"
        self.messages.append(message)


def content_notices(root: Path, settings_file: Path) -> list[Problem]:
    """The notices about the content folder of the board at ``root``, built with the
    Pelican settings in ``settings_file``; none when the folder does not exist."""
    collect = _Collect()
    pelican_log = logging.getLogger("pelican")
    pelican_log.addHandler(collect)
    # What Pelican says of the files is said in the notices; of its settings, by the build.
    propagate, pelican_log.propagate = pelican_log.propagate, False
    try:
        return _notices(root, settings_file, collect)
    finally:
        pelican_log.removeHandler(collect)
        pelican_log.propagate = propagate


def _notices(root: Path, settings_file: Path, collect: _Collect) -> list[Problem]:
    # Imported here: only the commands that check the content folder load Pelican.
    from pelican.settings import read_settings  # noqa: PLC0415

    try:
        # Pelican's own cache is not written: checking must leave no file behind.
        settings = read_settings(
            str(settings_file), override={"CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False}
        )
    except Exception as error:  # the settings file is the board's own Python: anything
        raise ContentCheckError(f"{settings_file.name}: {type(error).__name__}: {error}") from None
    content = Path(settings["PATH"]).resolve()
    board = root.resolve()
    # A content folder that holds the board itself would list its tickets and code.
    if not content.is_dir() or board == content or board.is_relative_to(content):
        return []
    read = _read_content(settings, collect)
    output = Path(settings["OUTPUT_PATH"]).resolve()
    notices = []
    for rel in _all_files(content, output):
        path = _board_path(board, content / rel)
        if rel in read.drafts:
            line = _status_line(content / rel)
            message = f"a draft (Status: draft): linked from no page; {read.drafts[rel]}"
            notices.append(Problem(path, line, 1, "N004", message))
        elif rel in read.failed:
            why = read.failed[rel] or "Pelican could not read it"
            notices.append(Problem(path, 1, 1, "N005", f"not published: Pelican skips it: {why}"))
        elif rel not in read.published:
            message = f"not published: {_why_not_read(rel, settings, read.extensions)}"
            notices.append(Problem(path, 1, 1, "N003", message))
    return sorted(notices)


@dataclass
class _Read:
    """What Pelican's generators made of the content folder, by path in it."""

    published: set[str]
    drafts: dict[str, str]  # where Pelican writes each
    failed: dict[str, str]  # why Pelican skipped each, from its log
    extensions: list[str]  # of the files Pelican reads as pages


def _read_content(settings: dict[str, Any], collect: _Collect) -> _Read:
    from pelican.generators import (  # noqa: PLC0415
        ArticlesGenerator,
        PagesGenerator,
        StaticGenerator,
    )

    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={})
    context["localsiteurl"] = settings["SITEURL"]
    generators = [
        cls(
            context=context,
            settings=settings,
            path=settings["PATH"],
            theme=settings["THEME"],
            output_path=settings["OUTPUT_PATH"],
        )
        for cls in (ArticlesGenerator, PagesGenerator, StaticGenerator)
    ]
    for generator in generators:  # in Pelican's order: static files last
        generator.generate_context()
    published: set[str] = set(context["static_content"])
    drafts: dict[str, str] = {}
    failed: dict[str, str] = {}
    for rel, item in context["generated_content"].items():
        if item is None:
            names = _naming(Path(settings["PATH"]), rel)
            failed[rel] = next((_reason(m) for m in collect.messages if names.search(m)), "")
        elif getattr(item, "status", "published") == "draft":
            drafts[rel] = f"Pelican writes it to {item.save_as}"
        else:
            published.add(rel)
    return _Read(published, drafts, failed, sorted(generators[1].readers.extensions))


def _naming(content: Path, rel: str) -> re.Pattern[str]:
    """What finds a log line about the file ``rel``, which Pelican names by its full
    path or by its path in the content folder (not one whose path ends the same way)."""
    names = "|".join(re.escape(name) for name in (str(content / rel), rel))
    return re.compile(rf"(^|\s)({names})($|[\s:,])")


def _reason(message: str) -> str:
    """Pelican's log line without the file's path, which the notice gives already."""
    return re.sub(r"^Skipping .+?: ", "", message)


def _all_files(content: Path, output: Path) -> list[str]:
    """Every file under the content folder (hidden ones too), as Pelican names them."""
    found = []
    for folder, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() != output)
        for name in sorted(files):
            if name not in IGNORED_NAMES:
                found.append((Path(folder) / name).relative_to(content).as_posix())
    return found


def _why_not_read(rel: str, settings: dict[str, Any], extensions: list[str]) -> str:
    parts = rel.split("/")
    for part in parts:
        for pattern in settings["IGNORE_FILES"]:
            if fnmatch.fnmatch(part, pattern):
                hidden = " (a hidden name)" if part.startswith(".") else ""
                return f"Pelican ignores '{part}'{hidden}: it matches IGNORE_FILES '{pattern}'"
    paths = [*settings["PAGE_PATHS"], *settings["ARTICLE_PATHS"], *settings["STATIC_PATHS"]]
    if not any(_inside(rel, path) for path in paths):
        listed = ", ".join(f"'{p}'" for p in paths) or "none"
        return (
            "it is in none of PAGE_PATHS, ARTICLE_PATHS and STATIC_PATHS "
            f"(the folders Pelican reads: {listed})"
        )
    extension = os.path.splitext(parts[-1])[1][1:]
    if extension not in extensions:
        read = ", ".join(f".{e}" for e in extensions)
        kind = f"'.{extension}' file" if extension else "file without an extension"
        return f"Pelican reads no {kind} as a page (it reads {read})"
    return "PAGE_EXCLUDES, ARTICLE_EXCLUDES or STATIC_EXCLUDES leave it out"


def _inside(rel: str, folder: str) -> bool:
    folder = folder.strip("/")
    return not folder or folder in (".", rel) or rel.startswith(folder + "/")


def _status_line(path: Path) -> int:
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    return next((n for n, text in enumerate(lines, 1) if _STATUS_LINE.match(text.strip())), 1)


def _board_path(board: Path, path: Path) -> str:
    try:
        return path.relative_to(board).as_posix()
    except ValueError:
        return path.as_posix()
