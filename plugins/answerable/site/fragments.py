"""Pieces of pages rendered once and joined into many: a ticket's row in the tables of
tickets.

A ticket shows in about six lists (its status, month, category, type, channel and
department), and its row costs a macro call and two Babel calls: rendered once per
ticket and process (and for a settled ticket once until it changes), the list pages
only join the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup

from answerable.incremental.fragments import FragmentStore
from answerable.site.i18n import Formatter
from answerable.site.views import TicketView

ROW_TEMPLATE = "_ticket_row.html"
_ROW_SEPARATOR = "\n  "  # as the rows stood in the table's body, one a line


class TicketRows:
    """``ticket_row(t, SITEURL)`` in the templates: the row of ticket ``t`` as pages at
    the root ``SITEURL`` link it (the home page and the lists sit at different depths).

    A settled ticket's row is the same at every later moment: with a ``store``, it is
    kept from one build to the next under its view's key (``TicketView.piece_key``), and
    rendered only when that changes (the rows of open tickets say how much time is left,
    and are rendered)."""

    def __init__(
        self, env: Environment, formatter: Formatter, store: FragmentStore | None = None
    ) -> None:
        self.env = env
        self.fmt = formatter
        self.store = store
        self.template: Template | None = None
        # UTF-8, not str: a row with one Chinese character takes two bytes a character
        # as a str, most of them ASCII markup. At 100,000 tickets that is tens of MiB
        # in every rendering process.
        self.rows: dict[tuple[str, str], bytes] = {}

    def __call__(self, view: TicketView, site_url: Any) -> Markup:  # noqa: ANN401 - a str
        key = (view.ticket.id, str(site_url))
        row = self.rows.get(key)
        if row is None:
            render = partial(self._render, view, site_url)
            if self.store is not None and (piece := view.piece_key) is not None:
                name = f"{key[0]} {key[1]}"
                text = self.store.text("row", name, view.state.file.folder, piece, render)
            else:
                text = render()
            self.rows[key] = text.encode()
            return Markup(text)  # noqa: S704 - rendered by an autoescaping template
        return Markup(row.decode())  # noqa: S704 - rendered by an autoescaping template

    def many(self, views: Iterable[TicketView], site_url: Any) -> Markup:  # noqa: ANN401 - a str
        """The rows of ``views`` one after another (a table's body), in one call from the
        template instead of one a row."""
        return Markup(_ROW_SEPARATOR.join(self(view, site_url) for view in views))  # noqa: S704 - rows rendered by an autoescaping template

    def _render(self, view: TicketView, site_url: Any) -> str:  # noqa: ANN401 - a str
        if self.template is None:
            # Fetched at the first row, once the board's language is installed.
            self.template = self.env.get_template(ROW_TEMPLATE)
        return self.template.render(t=view, SITEURL=site_url, fmt=self.fmt)
