"""The site's page families: one module each, each giving its jobs with ``jobs(site)``.

The families are found, not listed: a module placed here that defines ``jobs`` joins
every build, in the order of the module names. A module that also defines ``MENU =
(order, N_("label"), url)`` is linked from the main navigation of every page, smallest
order first, its label translated as the page renders. A module whose pages number with
the tickets (a page a ticket, a page of fifty) says so with ``MANY = True``: a build
works out those jobs while the other pages, fewer and each read from the whole board,
render (``publishing.publish``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType
from typing import NamedTuple

from answerable.incremental.jobs import Job
from answerable.site.views import Site


def families() -> list[ModuleType]:
    """Every page family's module, by name."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [module for module in modules if callable(getattr(module, "jobs", None))]


def site_jobs(site: Site, many: bool | None = None) -> list[Job]:
    """Every page of the site as a job, family by family; ``many``: only those of the
    families whose pages number with the tickets (``MANY``), or only the others."""
    chosen = [f for f in families() if many is None or getattr(f, "MANY", False) is many]
    return [job for family in chosen for job in family.jobs(site)]


class MenuEntry(NamedTuple):
    order: int
    label: str
    """In English, marked with ``N_``; base.html translates it."""
    url: str


def menu(others: Iterable[ModuleType] = ()) -> list[MenuEntry]:
    """The main navigation: every family's ``MENU`` and that of ``others`` (pages made
    beside the families, such as the open data page), by order, then address."""
    declared = [getattr(module, "MENU", None) for module in [*families(), *others]]
    return sorted(MenuEntry(*entry) for entry in declared if entry is not None)
