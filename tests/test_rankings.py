"""The rankings page's lists of rated replies: the newest twenty each way."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from answerable.core.snapshot import take_snapshot
from answerable.reading.loading import load_board
from answerable.site.families.rankings import rankings
from answerable.site.i18n import Formatter
from answerable.site.views import Site
from conftest import BoardWriter

AS_OF = datetime.fromisoformat("2026-11-30T12:00:00+08:00")


def rated(board: BoardWriter, number: int, value: str, day: int, extra: str = "") -> str:
    """Ticket ``number``, answered on 3 November and rated ``value`` on November ``day``
    at a minute of its own."""
    ticket_id = f"2026-{number:06d}"
    at = f"2026-11-{day:02d}T10:{number % 60:02d}:00+08:00"
    board.ticket(ticket_id, extra=f"rating: {{value: {value}, at: '{at}', source: sms}}\n{extra}")
    board.reply(ticket_id, 1, "2026-11-03T10:00:00+08:00")
    return ticket_id


def test_the_newest_twenty_ratings_each_way_newest_first(tmp_path: Path) -> None:
    board = BoardWriter(tmp_path)
    # 25 satisfied or basically satisfied, rated on 4 to 28 November, and 22 unsatisfied,
    # rated on 5 to 26 November, one a day, the days in another order than the ids; and,
    # rated last of all, one unsatisfied ticket whose content is hidden.
    happy_days = {n: 4 + (7 * n) % 25 for n in range(1, 26)}
    unhappy_days = {n: 5 + (5 * n) % 22 for n in range(1, 23)}
    assert sorted(happy_days.values()) == list(range(4, 29))
    assert sorted(unhappy_days.values()) == list(range(5, 27))
    happy = {
        rated(board, n, "satisfied" if n % 2 else "basically-satisfied", day): day
        for n, day in happy_days.items()
    }
    unhappy = {rated(board, 100 + n, "unsatisfied", day): day for n, day in unhappy_days.items()}
    hidden = "hidden: {at: 2026-11-29T12:00:00+08:00, reason: 涉及个人隐私}\n"
    rated(board, 200, "unsatisfied", 29, hidden)
    snapshot = take_snapshot(load_board(tmp_path), AS_OF)
    site = Site(snapshot, Formatter(snapshot.board.locale, snapshot.rules.zone))
    context = rankings(site).context
    # Newest first: the happy ones of days 28 back to 9, the unhappy ones of days 26 back
    # to 7; the hidden one in neither.
    newest_happy = sorted(happy, key=happy.__getitem__, reverse=True)[:20]
    newest_unhappy = sorted(unhappy, key=unhappy.__getitem__, reverse=True)[:20]
    assert [happy[t] for t in newest_happy] == list(range(28, 8, -1))
    assert [unhappy[t] for t in newest_unhappy] == list(range(26, 6, -1))
    assert [v.ticket.id for v in context["satisfied_replies"]] == newest_happy
    assert [v.ticket.id for v in context["unsatisfied_replies"]] == newest_unhappy
