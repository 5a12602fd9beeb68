"""Content keys of a board's ticket files, from git where git already knows them.

A file's key is its git blob id: the SHA-1 of ``b"blob <size>\\0"`` and its bytes, the
id ``git hash-object`` gives. When the board is in a git work tree, the index holds
that id for every tracked file, and ``git diff-files`` names the files whose working
copy differs from the index: every other tracked file is known without being opened.
Files git does not vouch for (changed, untracked, ignored, a board outside git, no git
at all) are read and hashed here, which gives the same key. No key depends on a file
time: git compares times only to decide what to look at again, and compares contents
where times cannot tell.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

TICKETS = "tickets"
_TIMEOUT = 60  # seconds; a git that hangs (a lock, a network mount) is given up on
# Variables that would point git at another repository or index than the board's.
_GIT_PLACE = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def blob_id(data: bytes) -> bytes:
    """The id git gives a file with these bytes (``git hash-object``), as 20 bytes."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.digest()


def known_keys(root: Path) -> dict[str, bytes]:
    """The blob id of each file under ``root``/tickets/ whose bytes git vouches for, by
    its path in the board; empty when git cannot vouch for any (see the module's note)."""
    listed = _git(root, "ls-files", "-z", "--stage", "-v", "--", TICKETS)
    if listed is None or not listed:
        return {}
    changed = _git(root, "diff-files", "-z", "--name-only", "--relative", "--", TICKETS)
    if changed is None or _converted(root):
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


def _converted(root: Path) -> bool:
    """Whether git may store other bytes than the working copy's (line endings made
    LF on commit, filters): then the index's ids are not the files' and are not used."""
    config = _git(
        root, "config", "-z", "--get-regexp", r"^(core\.(autocrlf|attributesfile)|filter\.)"
    )
    if config is None or config.strip(b"\0"):
        # None: exit 1 means "nothing set", which _git returns as b"" (see there).
        return True
    attributes = _git(root, "ls-files", "-z", "--", ":(top,glob)**/.gitattributes")
    if attributes is None or attributes:
        return True
    info = _git(root, "rev-parse", "--git-path", "info/attributes")
    if info is None or (root / info.decode().strip()).exists():
        return True
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(home, "git", "attributes").exists()


def _git(root: Path, *args: str) -> bytes | None:
    """What git printed, or None when git is missing, fails, or the board is no work
    tree. ``git config --get-regexp`` that finds nothing exits 1: that is b""."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_PLACE}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading only: never rewrite the board's index
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", "-C", str(root), *args],  # noqa: S607 - git as the user's PATH finds it
            capture_output=True,
            env=env,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode == 1 and args[0] == "config":
        return b""
    return done.stdout if done.returncode == 0 else None
