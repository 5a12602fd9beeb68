"""Building the site safely: into a staging folder, swapped in only when the build succeeds.

A failed build never leaves a half-written site: readers keep seeing the last good one.
And a build never destroys what it did not make: it refuses to write into the board
itself or into a folder that holds anything but a site it built (its marker file says
so), and it cleans up only the staging folders of its own killed runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from answerable.build.publishing import MANIFEST
from answerable.processes import WorkerLost
from answerable.reading.git import git_environment

if TYPE_CHECKING:
    from answerable.build.plan import BuildPlan

try:  # a lock tells a killed build's staging folder from a running one's
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: leftovers are kept there
    fcntl = None  # type: ignore[assignment]

# Every site a build publishes carries this file; a folder without it is not replaced.
MARKER = ".answerable-site"
MARKER_TEXT = (
    "answerable-site\n"
    "This folder is a site built from an Answerable board. The next build replaces it\n"
    "whole; keep nothing else here.\n"
)
# What a board is made of, besides every file git tracks in it: never an output.
BOARD_PARTS = (
    ".git",
    "board.yaml",
    "tickets",
    "content",
    "schemas",
    "plugins",
    "pelicanconf.py",
    "publishconf.py",
)


class BuildError(Exception):
    """The build stopped; the published site was left as it was (``site_left``), or, when
    a swap could not be undone, the message says what the site holds."""

    def __init__(self, message: str, *, site_left: bool = True) -> None:
        super().__init__(message)
        self.site_left = site_left


def unsafe_output(output: Path, board: Path, protected: tuple[Path, ...] = ()) -> str | None:
    """Why a build must not write into ``output``, or None when it may.

    Refused: the board's folder or one above it, a folder of the board's own files (its
    parts, ``protected`` ones such as Pelican's content folder, anything git tracks), a
    file, and a non-empty folder without the marker of a site a build made."""
    try:
        output = output.resolve()
        board = board.resolve()
        parts = [p.resolve() for p in (*(board / name for name in BOARD_PARTS), *protected)]
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of symbolic links
        return f"{output} cannot be resolved: {error}"
    if board.is_relative_to(output):
        where = "is the board's own folder" if output == board else f"holds the board {board}"
        return f"{output} {where}"
    for part in parts:
        if output.is_relative_to(part) or part.is_relative_to(output):
            how = "is" if output == part else "holds" if part.is_relative_to(output) else "lies in"
            return f"{output} {how} the board's {_shown(part, board)}"
    tracked = _tracked(output, board)
    if tracked:
        return f"{output} holds {tracked}, a file of the board's git repository"
    try:
        entries = os.listdir(output)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        above = next(p for p in (output, *output.parents) if os.path.lexists(p))
        if above == output:
            return f"{output} is a file, not a folder"
        return f"{output} cannot be a folder: {above} is a file"
    except OSError as error:
        return f"{output} cannot be read: {error.strerror}"
    if entries and not is_marked(output):
        return (
            f"{output} holds files a build did not make (it has no {MARKER}); "
            "delete or empty it yourself if it is an old site, or choose an empty or new folder"
        )
    return None


def is_marked(folder: Path | str) -> bool:
    """True when ``folder`` holds the marker file a build writes into every site."""
    path = os.path.join(folder, MARKER)
    try:
        with open(path, "rb", opener=_no_follow) as file:
            return file.read(16) == MARKER_TEXT.encode()[:16]
    except OSError:
        return False


def mark(folder: Path | str) -> None:
    path = os.path.join(folder, MARKER)
    if not is_marked(folder):
        with open(path, "w", encoding="utf-8") as file:
            file.write(MARKER_TEXT)


@dataclass(frozen=True)
class StagedRun:
    """What `answerable build` gives the Pelican run it starts."""

    plan: BuildPlan | None
    """The board it has read and checked already; None: the generator plans itself."""
    last_site: Path | None
    """The site being replaced: unchanged pages are kept from there."""
    changes_only: bool = False
    """Write only the pages that differ from the last site's, to be moved into it (no
    search index); else link the last site's files and write the whole site."""


# The attribute of the Pelican object that carries its StagedRun (see generator.py).
STAGED_RUN = "answerable_staged_run"


def read_pelican_settings(settings_file: Path, override: dict[str, Any]) -> dict[str, Any]:
    """The Pelican settings a build runs with: never deleting the output folder itself."""
    # Imported here so that the other commands start without loading Pelican.
    from pelican.settings import read_settings  # noqa: PLC0415

    try:
        return read_settings(  # type: ignore[no-any-return]
            str(settings_file), override={**override, "DELETE_OUTPUT_DIRECTORY": False}
        )
    except SystemExit as stop:
        raise BuildError(f"{settings_file}: {stop}") from None
    except Exception as error:
        raise BuildError(f"{settings_file}: {type(error).__name__}: {error}") from None


def build(
    settings: dict[str, Any],
    output: Path,
    plan: BuildPlan | None = None,
    kept: list[object] | None = None,
) -> Path:
    """Run Pelican into a fresh folder beside ``output``, then put it in ``output``'s place.

    ``plan``: the board as already read and checked, so that it is not read twice.
    ``kept``: gets the Pelican object, with all the build made, for the caller to free
    or not (a process about to end need not)."""
    from pelican import Pelican  # noqa: PLC0415 - only a build loads Pelican

    refused = unsafe_output(output, Path(settings["ANSWERABLE_BOARD"]), pelican_folders(settings))
    if refused:
        raise BuildError(f"refused: {refused}")
    output = output.resolve()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(output)
        # SIGTERM and Ctrl-C wait until the try below, which removes the folder: one
        # arriving between its mkdir and that try would leave it behind.
        held = _hold_stops()
        try:
            staging, lock = _staging(output)
        except BaseException:
            _release_stops(held)
            raise
    except OSError as error:
        raise BuildError(_os_message(error)) from None
    site_lock = None
    try:
        _release_stops(held)
        # The search index reads the whole site in one folder: with it, the last site's
        # pages are linked into the staging folder and the whole folder is swapped in.
        # Without it, only what changed is staged, and moved into the last site in one
        # short step.
        changes_only = is_marked(output) and not settings.get("ANSWERABLE_SEARCH", True)
        try:
            if changes_only:
                # The site itself is changed in place at the swap: one build at a time.
                site_lock = _Lock(output)
        except BlockingIOError:
            raise BuildError(f"{output}: another build of this site is running") from None
        except OSError as error:
            raise BuildError(_os_message(error)) from None
        settings["OUTPUT_PATH"] = str(staging)
        try:
            pelican = Pelican(settings)
            if kept is not None:
                kept.append(pelican)
            last_site = output if output.is_dir() else None
            setattr(pelican, STAGED_RUN, StagedRun(plan, last_site, changes_only))
            pelican.run()
        except SystemExit as stop:  # the plugin stops a build of a board with errors this way
            raise BuildError(str(stop) or "the build stopped") from None
        except WorkerLost as error:  # says what happened in the user's words already
            raise BuildError(str(error)) from None
        except Exception as error:
            raise BuildError(f"{type(error).__name__}: {error}") from None
        if changes_only:
            _swap_changes(staging, output)
        else:
            _swap(staging, output)
    except BaseException:
        remove_own(staging)
        raise
    finally:
        lock.close()
        if site_lock is not None:
            site_lock.close()
    return output


def remove_own(folder: Path | str) -> None:
    """Remove a folder a build made, its marker last: a build killed meanwhile leaves it
    marked (or empty), and the next build knows it for its own (``remove_leftovers``)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == MARKER:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(folder, MARKER))
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def pelican_folders(settings: dict[str, Any]) -> tuple[Path, ...]:
    """Pelican's own sources in ``settings``: its content and theme folders."""
    return tuple(
        Path(settings[key])
        for key in ("PATH", "THEME")
        if isinstance(settings.get(key), str) and os.path.isdir(settings[key])
    )


def remove_leftovers(output: Path) -> list[Path]:
    """Remove what killed builds of ``output`` left beside it: folders named as a build
    names its staging and retired folders that carry the marker (or are empty), and that
    no running build holds. Anything else is left alone."""
    pattern = re.compile(rf"\.{re.escape(output.name)}-(building|retired)-[a-z0-9_]{{8}}")
    removed = []
    for entry in os.scandir(output.parent):
        if not pattern.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            lock = _Lock(entry.path)
        except OSError:
            continue  # a build that is still running holds it
        try:
            if is_marked(entry.path):
                remove_own(entry.path)
            else:
                os.rmdir(entry.path)  # only when empty: killed before its marker or after
        except OSError:
            continue
        finally:
            lock.close()
        removed.append(Path(entry.path))
    return removed


def _staging(output: Path) -> tuple[Path, _Lock]:
    """A new folder beside ``output``, marked and locked by this build.

    Made by mkdir with the usual mode, not mkdtemp: its 0700 would be the site's mode
    once swapped in, and a web server running as another user could not read it."""
    while True:
        staging = output.with_name(f".{output.name}-building-{secrets.token_hex(4)}")
        try:
            staging.mkdir()
            break
        except FileExistsError:
            continue
    try:
        lock = _Lock(staging)
        mark(staging)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, lock


def _swap_changes(staging: Path, output: Path) -> None:
    """Move what ``staging`` holds into the site at ``output``, then remove the site's
    files the new site no longer has: the generator names its pages in the manifest,
    Pelican's own files are all staged. Until this step the site is untouched; each file
    it replaces or removes is kept aside (a hard link) until the step is done, and put
    back if the step fails or is interrupted."""
    manifest = staging / MANIFEST
    try:
        with manifest.open(encoding="utf-8") as file:
            keep = {line.rstrip("\n") for line in file}
        manifest.unlink()
        staged = _files(staging)
    except OSError as error:
        raise BuildError(_os_message(error)) from None
    staged.discard(MARKER)
    aside = os.path.join(staging, _ASIDE)
    done: list[tuple[str, bool]] = []  # (path in the site, whether it held a file before)
    try:
        made: set[str] = set()
        for rel in sorted(staged):
            folder = os.path.dirname(rel)
            if folder not in made:
                os.makedirs(os.path.join(output, folder), exist_ok=True)
                made.add(folder)
            target = os.path.join(output, rel)
            existed = os.path.lexists(target)
            done.append((rel, existed))  # before the step: an interruption may come anywhere
            if existed:
                _set_aside(target, os.path.join(aside, rel))
            os.replace(os.path.join(staging, rel), target)
        keep |= staged
        keep.add(MARKER)
        gone = sorted(_files(output) - keep)
        for rel in gone:
            done.append((rel, True))
            os.makedirs(os.path.dirname(os.path.join(aside, rel)), exist_ok=True)
            os.replace(os.path.join(output, rel), os.path.join(aside, rel))
    except BaseException as error:
        undone = _put_back(output, aside, done)
        if not isinstance(error, OSError):
            raise  # interrupted: the site is as it was (when ``undone``), then stop
        if not undone:
            raise BuildError(
                f"{_os_message(error)}; the published site holds part of the new one and "
                "could not be put back; build again to finish it",
                site_left=False,
            ) from None
        raise BuildError(_os_message(error)) from None
    emptied = {os.path.dirname(rel) for rel in gone}
    for emptied_folder in sorted(emptied, key=len, reverse=True):
        folder = emptied_folder
        while folder:  # folders left empty go too, as a whole new site would lack them
            try:
                os.rmdir(os.path.join(output, folder))
            except OSError:
                break
            folder = os.path.dirname(folder)
    remove_own(staging)


_ASIDE = ".answerable-aside"  # in the staging folder: the site's files the swap replaces


def _set_aside(target: str, aside: str) -> None:
    """Keep the site's file at ``target`` at ``aside`` too: a hard link, the same file."""
    os.makedirs(os.path.dirname(aside), exist_ok=True)
    try:
        os.link(target, aside, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, aside, follow_symlinks=False)  # a file system without links


def _put_back(output: Path, aside: str, done: list[tuple[str, bool]]) -> bool:
    """Undo what the swap did or was about to do (``done``, in order), last first; False
    when some file could not be put back."""
    whole = True
    for rel, existed in reversed(done):
        target, kept = os.path.join(output, rel), os.path.join(aside, rel)
        try:
            if not existed:
                with contextlib.suppress(FileNotFoundError):  # not moved in yet
                    os.unlink(target)
            elif os.path.lexists(kept):
                os.replace(kept, target)
            elif not os.path.lexists(target):
                whole = False  # neither the site's file nor the one kept aside
        except OSError:
            whole = False
    return whole


def _files(root: Path) -> set[str]:
    """Every file under ``root``, as paths relative to it (str: thousands of them)."""
    found = set()
    base = len(str(root)) + 1
    for parent, _, names in os.walk(root):
        rel = parent[base:]
        for name in names:
            found.add(f"{rel}/{name}" if rel else name)
    return found


def _swap(staging: Path, output: Path) -> None:
    """Put the site built in ``staging`` in ``output``'s place: where the system can, the
    two folders change places in one step (no moment without a site), else the last
    site is renamed aside first."""
    retired = None
    try:
        if output.exists() and _exchange(staging, output):
            remove_own(staging)  # now the last site
            return
        if output.exists():
            retired = output.with_name(f".{output.name}-retired-{staging.name[-8:]}")
            output.rename(retired)
        staging.rename(output)
    except OSError as error:
        if retired is not None and not output.exists():
            with contextlib.suppress(OSError):
                retired.rename(output)  # the last site goes back where it was
        raise BuildError(_os_message(error)) from None
    if retired is not None:
        remove_own(retired)


_RENAME_EXCHANGE = 2  # renameat2's flag (Linux 3.15 and later)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders at once with the system's renameat2; False where it has none."""
    import ctypes  # noqa: PLC0415 - only a build that swaps a whole site needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100  # AT_FDCWD: the paths are absolute
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # not on this system or file system: two renames instead
    raise OSError(number, os.strerror(number), str(second))


_STOPS = {signal.SIGINT, signal.SIGTERM}


def _hold_stops() -> set[signal.Signals] | None:
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)


def _release_stops(held: set[signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class _Lock:
    """An exclusive lock on a folder, held until ``close``: it goes with the folder when
    renamed, and ends with the process however that ends (a killed build's is gone)."""

    def __init__(self, folder: Path | str) -> None:
        self.fd = -1
        if fcntl is None:
            return
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self.fd = fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def _tracked(output: Path, board: Path) -> str | None:
    """A file under ``output`` that the board's git repository tracks, if any."""
    try:
        listed = subprocess.run(  # noqa: S603 - git with fixed arguments
            ["git", "-C", str(board), "ls-files", "-z", "--full-name", "--", str(output)],  # noqa: S607
            capture_output=True,
            check=False,
            env=git_environment(),
        )
    except OSError:
        return None  # no git here: the board's parts are still refused
    if listed.returncode != 0 or not listed.stdout:
        return None  # not a repository, or ``output`` lies outside it
    return listed.stdout.split(b"\0", 1)[0].decode("utf-8", "replace")


def _shown(part: Path, board: Path) -> str:
    return part.relative_to(board).as_posix() if part.is_relative_to(board) else str(part)


def _os_message(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"
