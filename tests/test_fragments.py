"""A ticket's row in the tables of tickets: rendered once, joined into every table that
shows it, and the same bytes the table's own loop wrote."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader

from answerable.site.fragments import TicketRows
from answerable.site.i18n import Formatter

TEMPLATES = Path(__file__).parent.parent / "plugins/answerable/theme/templates"
TABLE = '{% import "_macros.html" as m with context %}{{ m.ticket_table(tickets, "Overdue") }}'


def view(ticket_id: str, title: str, hidden: bool = False) -> SimpleNamespace:
    received = datetime.fromisoformat("2026-11-02T09:14:00+08:00")
    return SimpleNamespace(
        url=f"tickets/{ticket_id}.html",
        ticket=SimpleNamespace(id=ticket_id, title=title, hidden=hidden, received=received),
        status="overdue",
        dot="red",
        status_label="Overdue",
        department=SimpleNamespace(url="departments/housing.html", text="Housing <& Land>"),
        deadline_text="2 working days late",
    )


class Counted(TicketRows):
    rendered = 0

    def __call__(self, view, site_url):  # type: ignore[no-untyped-def]
        self.rendered += (view.ticket.id, str(site_url)) not in self.rows
        return super().__call__(view, site_url)


def test_each_row_is_rendered_once_and_joined_as_the_loop_wrote_it() -> None:
    # Pelican's defaults for its Jinja environment, and the site's autoescaping.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    formatter = Formatter("en", ZoneInfo("Asia/Shanghai"))
    rows = Counted(env, formatter)
    env.globals["ticket_row"] = rows
    tickets = [view("2026-000001", "Tiles <falling>"), view("2026-000002", "x", hidden=True)]
    table = env.from_string(TABLE)
    page = table.render(tickets=tickets, SITEURL="..", fmt=formatter)
    again = table.render(tickets=tickets[::-1], SITEURL="..", fmt=formatter)
    assert rows.rendered == 2  # the second table joined the rows the first rendered
    first_row = (
        '  <tr>\n    <td><a href="../tickets/2026-000001.html">2026-000001</a></td>\n'
        '    <td><a href="../tickets/2026-000001.html">Tiles &lt;falling&gt;</a></td>\n'
        '    <td><span class="status status-overdue"><span class="dot dot-red" '
        'aria-hidden="true"></span>Overdue</span></td>\n'
        '    <td><a href="../departments/housing.html">Housing &lt;&amp; Land&gt;</a></td>\n'
        '    <td><time datetime="2026-11-02T09:14:00+08:00">November 2, 2026</time></td>\n'
        "    <td>2 working days late</td>\n  </tr>\n"
    )
    assert first_row in page
    assert first_row in again
    assert "<em>Content hidden</em>" in page
    # At another depth (the home page) the row links from there: rendered apart.
    home = table.render(tickets=tickets[:1], SITEURL=".", fmt=formatter)
    assert '<a href="./tickets/2026-000001.html">' in home
    assert rows.rendered == 3
