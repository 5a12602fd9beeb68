"""The environment of every git the project runs (``git -C <board> ...``)."""

from __future__ import annotations

import os

# Variables that would point git at another repository, index or object store than the
# board's: set by a hook, or by a CI step that runs in another repository.
_GIT_PLACE = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
)


def git_environment() -> dict[str, str]:
    """The user's environment without what would make git read another repository than
    the one that holds the board (``-C`` finds it)."""
    return {name: value for name, value in os.environ.items() if name not in _GIT_PLACE}
