"""Building the site safely: into a staging folder, swapped in only when the build succeeds.

A failed build never leaves a half-written site: readers keep seeing the last good one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .publishing import OWN_FILES, OWN_FOLDERS


class BuildError(Exception):
    """The build stopped; the published site was left as it was."""


def build(settings_file: Path, output: Path, override: dict[str, Any]) -> Path:
    """Run Pelican into a fresh folder beside ``output``, then put it in ``output``'s place."""
    # Imported here so that the other commands start without loading Pelican.
    from pelican import Pelican  # noqa: PLC0415
    from pelican.settings import read_settings  # noqa: PLC0415

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}-building-"))
    for folder in OWN_FOLDERS:
        if (output / folder).is_dir():
            shutil.copytree(output / folder, staging / folder, copy_function=os.link)
    for name in OWN_FILES:
        if (output / name).is_file():
            os.link(output / name, staging / name)
    try:
        settings = read_settings(
            str(settings_file),
            override={**override, "OUTPUT_PATH": str(staging), "DELETE_OUTPUT_DIRECTORY": False},
        )
        Pelican(settings).run()
    except SystemExit as stop:  # the plugin stops a build of a board with errors this way
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(str(stop) or "the build stopped") from None
    except Exception as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{type(error).__name__}: {error}") from None
    retired = None
    if output.exists():
        retired = output.with_name(f".{output.name}-retired-{staging.name[-8:]}")
        output.rename(retired)
    staging.rename(output)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    return output
