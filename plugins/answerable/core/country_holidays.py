"""python-holidays' calendar of one country, loading that country's module alone."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def official_holidays(country: str, subdivision: str | None) -> Any:  # noqa: ANN401
    """python-holidays' calendar of one country, with only that country's module loaded.

    Its ``countries`` package imports every country's module when it is first imported
    (over 300 of them: 0.1–0.3 s, a fifth of a rebuild), though the library's registry
    loads each country on its own. The package is registered without running its own
    imports, so that the registry's import of the one country asked for finds it; the
    first name asked of the package itself (``from holidays.countries import China``)
    runs them after all."""
    import holidays  # noqa: PLC0415 - 40 ms; only commands that count working days need it

    name = "holidays.countries"
    spec = importlib.util.find_spec(name) if name not in sys.modules else None
    if spec is not None and spec.loader is not None and spec.submodule_search_locations:
        package = importlib.util.module_from_spec(spec)
        loader = spec.loader

        def whole(attribute: str) -> Any:  # noqa: ANN401 - whatever the package holds
            del package.__getattr__
            loader.exec_module(package)
            return getattr(package, attribute)

        package.__getattr__ = whole  # type: ignore[method-assign]
        sys.modules[name] = package
    return holidays.country_holidays(country, subdiv=subdivision)
