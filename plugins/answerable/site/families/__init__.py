"""The site's page families: one module each, each giving its jobs with ``jobs(site)``.

The families are found, not listed: a module placed here that defines ``jobs`` joins
every build, in the order of the module names.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from answerable.incremental.jobs import Job
from answerable.site.views import Site


def families() -> list[ModuleType]:
    """Every page family's module, by name."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [module for module in modules if callable(getattr(module, "jobs", None))]


def site_jobs(site: Site) -> list[Job]:
    """Every page of the site as a job, family by family."""
    return [job for family in families() for job in family.jobs(site)]
