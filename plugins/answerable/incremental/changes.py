"""Content keys of a board's ticket files, from git where git already knows them.

A file's key is its git blob id (``loading.blob_id``, the id ``git hash-object`` gives).
When the board is in a git work tree, the index holds that id for every tracked file,
and ``git diff-files`` names the files whose working copy differs from the index: every
other tracked file is known without being opened. Files git does not vouch for
(changed, untracked, ignored, a board outside git, no git at all) are read and hashed,
which gives the same key. No key depends on a file time: git compares a file's size
and times only to decide what to look at again, and compares contents where times
cannot tell. Its ids are used only while that check is git's full one (the change
time trusted, every field compared, no file system monitor): a weaker one can miss an
edit that keeps a file's size and puts its modification time back.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from answerable.reading.git import git_environment

TICKETS = "tickets"
_TIMEOUT = 60  # seconds; a git that hangs (a lock, a network mount) is given up on
# Settings under which git may store other bytes than the working copy's, or may take
# a changed file for unchanged: its check of a file's times weakened (an edit that keeps
# the size and puts the modification time back is not seen without the change time) or
# handed to a file system monitor.
_DOUBTFUL = r"^(core\.(autocrlf|attributesfile|trustctime|checkstat|fsmonitor)|filter\.)"
_FALSE = {"false", "no", "off", "0", ""}


def known_keys(root: Path) -> dict[str, bytes]:
    """The blob id of each file under ``root``/tickets/ whose bytes git vouches for, by
    its path in the board; empty when git cannot vouch for any (see the module's note)."""
    return AskedGit(root).keys()


class AskedGit:
    """git, asked about a board's ticket files; its answers are read when first wanted
    (``keys``). A command asks first thing, and git works while the command imports and
    reads its settings: at 100,000 tickets git takes about a second."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Started together, waited for together: five short processes cost about one.
        self._asked = [
            _start(root, "ls-files", "-z", "--stage", "-v", "--", TICKETS),
            _start(root, "diff-files", "-z", "--name-only", "--relative", "--", TICKETS),
            _start(root, "config", "-z", "--get-regexp", _DOUBTFUL),
            _start(root, "ls-files", "-z", "--", ":(top,glob)**/.gitattributes"),
            _start(root, "rev-parse", "--git-path", "info/attributes"),
            _start(root, "--exec-path"),
        ]
        self._keys: dict[str, bytes] | None = None

    def keys(self) -> dict[str, bytes]:
        """``known_keys``: what git said (waited for here, once)."""
        if self._keys is None:
            self._keys = _keys(self.root, *(_output(p) for p in self._asked))
            self._asked = []
        return self._keys


def _keys(
    root: Path,
    listed: bytes | None,
    changed: bytes | None,
    config: bytes | None,
    attributes: bytes | None,
    info: bytes | None,
    exec_path: bytes | None,
) -> dict[str, bytes]:
    if not listed or changed is None or _doubtful(root, config, attributes, info, exec_path):
        return {}
    keys: dict[str, bytes] = {}
    for row in listed.split(b"\0"):
        # "H 100644 <40 hex> 0\t<path>": H is a file git checks (not assumed unchanged,
        # not outside a sparse checkout), 0 is a merged stage, 100644/100755 a plain file.
        head, _, path = row.partition(b"\t")
        fields = head.split(b" ")
        plain = len(fields) == 4 and fields[1] in (b"100644", b"100755")
        if plain and fields[0] == b"H" and fields[3] == b"0":
            keys[path.decode("utf-8", "surrogateescape")] = bytes.fromhex(fields[2].decode())
    for path in changed.split(b"\0"):
        keys.pop(path.decode("utf-8", "surrogateescape"), None)
    return keys


def _doubtful(
    root: Path,
    config: bytes | None,
    attributes: bytes | None,
    info: bytes | None,
    exec_path: bytes | None,
) -> bool:
    """Whether the index's ids may not be the files' (line endings made LF on commit,
    filters, attribute files), or git may not notice a changed file (``_settings_doubt``):
    then they are not used. ``git config --get-regexp`` that finds nothing exits 1,
    which is None here too: nothing set is told by an empty error."""
    if _settings_doubt(config) or attributes is None or attributes or info is None:
        return True
    if (root / info.decode().strip()).exists():
        return True
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    if Path(home, "git", "attributes").exists():
        return True
    return any(path.exists() for path in system_attributes(exec_path))


def system_attributes(exec_path: bytes | None) -> list[Path]:
    """Where git may read its system-wide attributes file: ``etc/gitattributes`` under the
    prefix it was installed in (``git --exec-path`` is ``<prefix>/lib/git-core`` or
    ``<prefix>/libexec/git-core``), which is ``/etc/gitattributes`` for a git in /usr;
    none while ``GIT_ATTR_NOSYSTEM`` tells git to skip it."""
    if os.environ.get("GIT_ATTR_NOSYSTEM", "").lower() in ("1", "true", "yes", "on"):
        return []
    places = [Path("/etc/gitattributes")]
    if exec_path and exec_path.strip():
        prefix = Path(exec_path.decode("utf-8", "surrogateescape").strip()).parent.parent
        places.append(prefix / "etc" / "gitattributes")
    return places


def _settings_doubt(config: bytes | None) -> bool:
    """Whether any setting ``config`` lists (``key\nvalue`` entries, NUL-separated) makes
    git's ids doubtful. The checks of a file's times count at their defaults only:
    ``core.trustctime`` true, ``core.checkstat`` default, no ``core.fsmonitor``."""
    for entry in (config or b"").split(b"\0"):
        if not entry:
            continue
        key, newline, raw = entry.decode("utf-8", "replace").partition("\n")
        value = raw.strip().lower() if newline else "true"  # a key alone is true
        if key == "core.trustctime":
            doubt = value in _FALSE
        elif key == "core.checkstat":
            doubt = value != "default"
        elif key == "core.fsmonitor":
            doubt = value not in _FALSE
        else:  # core.autocrlf, core.attributesfile, filter.*: set at all
            doubt = True
        if doubt:
            return True
    return False


def _start(root: Path, *args: str) -> subprocess.Popen[bytes] | None:
    env = git_environment()
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading only: never rewrite the board's index
    try:
        return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            ["git", "-C", str(root), *args],  # noqa: S607 - git as the user's PATH finds it
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return None  # no git


def _output(process: subprocess.Popen[bytes] | None) -> bytes | None:
    """What git printed, or None when git is missing or failed (the board is no work
    tree, git hangs on a lock or a network mount)."""
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return out if process.returncode == 0 else None
