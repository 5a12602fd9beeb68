"""The plugin's Pelican settings: defaults merged with the site's, checked once.

A mistyped ANSWERABLE_* setting is an error, not silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "ANSWERABLE_BOARD": ".",  # the board repository; a relative path starts at the current folder
    "ANSWERABLE_AS_OF": None,  # a moment (ISO 8601 with offset) overriding board.yaml's as_of
    "ANSWERABLE_PER_PAGE": 50,  # tickets per list page
    "ANSWERABLE_SEARCH": True,  # build the Pagefind search index after the site
    "ANSWERABLE_HISTORY": True,  # show when each reply entered the record (git history)
    "ANSWERABLE_PUBLISH_VALID": False,  # with errors: publish the valid tickets, list the rest
    "ANSWERABLE_CACHE": True,  # parse and render only what changed (cache: docs/site.md)
    "ANSWERABLE_WORKERS": 0,  # processes that render pages; 0 means one per available core
    # Set by `answerable build` alone: the site this build replaces, where unchanged pages
    # stay; only what changed is written (docs/site.md, "Swapping in").
    "ANSWERABLE_LAST_SITE": None,
}


class SettingsError(ValueError):
    pass


def plugin_settings(settings: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(k for k in settings if k.startswith("ANSWERABLE_") and k not in DEFAULTS)
    if unknown:
        raise SettingsError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    merged = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    per_page = merged["ANSWERABLE_PER_PAGE"]
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        raise SettingsError("ANSWERABLE_PER_PAGE must be a whole number of 1 or more")
    as_of = merged["ANSWERABLE_AS_OF"]
    if isinstance(as_of, str):
        try:
            as_of = datetime.fromisoformat(as_of)
        except ValueError:
            raise SettingsError(f"ANSWERABLE_AS_OF '{as_of}' is not a timestamp") from None
    if as_of is not None and (not isinstance(as_of, datetime) or as_of.tzinfo is None):
        raise SettingsError("ANSWERABLE_AS_OF needs a timestamp with a UTC offset")
    merged["ANSWERABLE_AS_OF"] = as_of
    board = Path(str(merged["ANSWERABLE_BOARD"])).resolve()
    if not (board / "board.yaml").is_file():
        raise SettingsError(f"ANSWERABLE_BOARD: no board.yaml in {board}")
    merged["ANSWERABLE_BOARD"] = board
    last = merged["ANSWERABLE_LAST_SITE"]
    merged["ANSWERABLE_LAST_SITE"] = None if last is None else Path(str(last))
    return merged
