"""The domain core stands on its own: importing it loads nothing of the layers above it
(reading, checks, the build state, the site, the CLI) nor Pelican, click, git or SQLite."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import answerable.core

PROBE = """
import importlib, json, sys
for name in {names!r}:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_core_imports_nothing_above_it() -> None:
    names = [f"answerable.core.{m.name}" for m in pkgutil.iter_modules(answerable.core.__path__)]
    assert "answerable.core.status" in names
    plugins = str(Path(answerable.__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(names=names)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": plugins},
    )
    loaded = json.loads(done.stdout)
    ours = {m for m in loaded if m.startswith("answerable.")}
    assert ours - {"answerable.core", *names} == set()
    outside = {"pelican", "click", "git", "sqlite3", "jinja2", "ruamel", "openpyxl"}
    assert outside.isdisjoint(m.split(".")[0] for m in loaded)
