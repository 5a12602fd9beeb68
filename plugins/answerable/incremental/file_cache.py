"""What each ticket file was read as, by the digest of its bytes.

A second run still reads every file (a digest needs the bytes; file times are never
trusted: a checkout or a copy changes them), but parses and checks only the files whose
bytes changed. The cache lives in the user's cache folder, never in the board: boards
travel through pull requests, and a cache file is data that nobody reviews.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

SHARDS = 256  # one changed file rewrites one shard, not the whole cache
_CODE = Path(__file__).parent.parent


def cache_root() -> Path:
    """ANSWERABLE_CACHE_DIR, else the XDG cache folder's answerable/."""
    explicit = os.environ.get("ANSWERABLE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "answerable"


def code_version() -> bytes:
    """Of the code that reads and checks files: a new version reads everything afresh."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_CODE.rglob("*.py")):
        digest.update(path.relative_to(_CODE).as_posix().encode() + path.read_bytes())
    return digest.digest()


class FileCache:
    def __init__(self, board_root: Path, folder: Path | None = None) -> None:
        name = hashlib.blake2b(str(board_root.resolve()).encode(), digest_size=8).hexdigest()
        self.folder = (folder or cache_root()) / "files" / name
        self.version = code_version()
        self._shards: dict[int, dict[str, tuple[bytes, Any]]] = {}
        self._dirty: set[int] = set()
        self._seen: dict[int, set[str]] = {}

    @staticmethod
    def shard_of(rel: str) -> int:
        """A ticket folder's files and checks share one shard (by the folder's path), so
        that processes given different shards read different folders."""
        if rel.startswith("tickets/"):
            rel = "/".join(rel.split("/", 3)[:3]).partition("#")[0]
        return hashlib.blake2b(rel.encode(), digest_size=2).digest()[0] % SHARDS

    def _shard(self, rel: str) -> tuple[int, dict[str, tuple[bytes, Any]]]:
        number = self.shard_of(rel)
        shard = self._shards.get(number)
        if shard is None:
            shard = self._shards[number] = self._read(number)
        self._seen.setdefault(number, set()).add(rel)
        return number, shard

    def _read(self, number: int) -> dict[str, tuple[bytes, Any]]:
        try:
            with (self.folder / f"{number:03d}.pickle").open("rb") as file:
                version, entries = pickle.load(file)  # noqa: S301 - written by us, in a private folder
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
            return {}
        return entries if version == self.version and isinstance(entries, dict) else {}

    def get(self, rel: str, digest: bytes) -> Any | None:  # noqa: ANN401 - what was put
        _, shard = self._shard(rel)
        found = shard.get(rel)
        return found[1] if found is not None and found[0] == digest else None

    def put(self, rel: str, digest: bytes, value: Any) -> None:  # noqa: ANN401 - picklable
        number, shard = self._shard(rel)
        shard[rel] = (digest, value)
        self._dirty.add(number)

    def save(self) -> None:
        """Write the shards that changed, without the files that are gone; never fails."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for number in sorted(self._dirty):
                seen = self._seen.get(number, set())
                entries = {k: v for k, v in self._shards[number].items() if k in seen}
                target = self.folder / f"{number:03d}.pickle"
                temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                temporary.write_bytes(pickle.dumps((self.version, entries), protocol=5))
                temporary.replace(target)
        except OSError:
            return  # a cache that cannot be written only makes the next run slower
        self._dirty.clear()
