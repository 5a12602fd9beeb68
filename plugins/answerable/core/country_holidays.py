"""python-holidays' calendar of one country, loading that country's module alone.

The library's ``countries`` package imports every country's module when it is first
imported (over 300 of them: 0.1–0.3 s, a fifth of a rebuild), though its registry loads
each country on its own. The package is registered without running its own imports, so
that the registry's import of the one country asked for finds it. The first name asked
of the package itself (``holidays.countries.Japan``) imports it as its own code makes
it, in the import system's usual way, and from then on it is that package.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

PACKAGE = "holidays.countries"
_LOCK = threading.RLock()  # one registration, one import of the whole package


def official_holidays(country: str, subdivision: str | None) -> Any:  # noqa: ANN401
    """``holidays.country_holidays(country, subdiv=subdivision)``, with only that
    country's module loaded when the package was not imported yet."""
    import holidays  # noqa: PLC0415 - 40 ms; only commands that count working days need it

    with _LOCK:
        spec = importlib.util.find_spec(PACKAGE) if PACKAGE not in sys.modules else None
        if spec is not None and spec.submodule_search_locations:
            stub = importlib.util.module_from_spec(spec)
            stub.__getattr__ = lambda name: _whole(stub, name)  # type: ignore[method-assign]
            sys.modules[PACKAGE] = stub
            holidays.countries = stub  # as an import names a package in its parent
    return holidays.country_holidays(country, subdiv=subdivision)


def _whole(stub: ModuleType, name: str) -> Any:  # noqa: ANN401 - whatever the package holds
    """``name`` of the whole package, imported in the stub's place the first time."""
    with _LOCK:
        if sys.modules.get(PACKAGE) is stub:
            del sys.modules[PACKAGE]
        try:
            package = importlib.import_module(PACKAGE)
        except BaseException:
            sys.modules.setdefault(PACKAGE, stub)
            raise
        # The country modules loaded before are the package's too, as imports made them.
        for key, value in list(vars(stub).items()):
            if isinstance(value, ModuleType):
                vars(package).setdefault(key, value)
    return getattr(package, name)
