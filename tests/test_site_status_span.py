"""An open or due-soon ticket's page says until when its status holds, in the board's
language, instead of the build's moment (docs/statistics.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BoardWriter
from sitebuild import build_site, page

AS_OF = "2026-11-23T22:00:00+08:00"  # Monday evening


@pytest.mark.parametrize(
    ("locale", "header", "green", "yellow"),
    [
        (
            "en",
            "Status holds until November 24, 2026 20:59",
            "Open · until November 24, 2026 20:59, then due soon",
            "Due soon · until November 23, 2026 23:59, then overdue",
        ),
        (
            "zh_CN",
            "状态保持至 2026年11月24日 20:59",
            "办理中 · 2026年11月24日 20:59 后转为即将到期",
            "即将到期 · 2026年11月23日 23:59 后转为已超期",
        ),
    ],
)
def test_the_page_of_an_open_ticket_says_until_when_its_status_holds(
    tmp_path: Path, locale: str, header: str, green: str, yellow: str
) -> None:
    board = BoardWriter(tmp_path / "board")
    text = (board.root / "board.yaml").read_text("utf-8")
    board.write("board.yaml", text.replace("locale: zh_CN", f"locale: {locale}"))
    # Received Tue 17 Nov: 5 working days end Tue 24 Nov 23:59:59; 3 hours' warning.
    board.ticket("2026-000001", received="2026-11-17T10:00:00+08:00")
    # Received Mon 16 Nov: due at the end of Mon 23 Nov, less than 3 hours away.
    board.ticket("2026-000002", received="2026-11-16T10:00:00+08:00")
    out = build_site(board.root, tmp_path / "out", ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False)
    for ticket, status in (("2026-000001", green), ("2026-000002", yellow)):
        found = page(out, f"tickets/{ticket}.html")
        line = " ".join(found.select_one(".ticket-status").get_text().split())
        assert line == status
    found = page(out, "tickets/2026-000001.html")
    assert " ".join(found.select_one(".as-of").get_text().split()) == header
    assert found.select_one(".as-of time")["datetime"] == "2026-11-24T20:59:59+08:00"
    # The home page keeps the build's moment.
    assert page(out, "index.html").select_one(".as-of time")["datetime"] == AS_OF
