"""Answerable: a public transparency board for government replies to citizens.

As a Pelican plugin (``PLUGINS = ["answerable"]``) it builds the board's site.
"""

from __future__ import annotations


def register() -> None:
    """Pelican's entry point; imported lazily so the CLI runs without Pelican loaded."""
    from answerable.generator import register as connect  # noqa: PLC0415

    connect()
