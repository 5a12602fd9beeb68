"""How the `answerable` command starts: its modules imported, then ``cli.main`` run.

Ctrl-C in the few tenths of a second while the command's modules are imported ends it
as Ctrl-C during a command does: "Aborted!" and exit status 1, not a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from answerable.cli.main import main as run  # noqa: PLC0415 - what the catch covers
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    run()
