"""The site's page families are found, not listed: a module in site/families with
``jobs(site)`` joins the build, and the files the build owns follow from the jobs."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

import answerable.site.families as families_package
from answerable.build.publishing import owned
from answerable.core.snapshot import take_snapshot
from answerable.exports import feeds, open_data
from answerable.incremental.jobs import Block, Job, Page
from answerable.reading.loading import load_board
from answerable.site.families import families, menu, site_jobs
from answerable.site.families.lists import list_groups
from answerable.site.i18n import Formatter
from answerable.site.urls import SITEMAP
from answerable.site.views import ReplyView, Site
from conftest import BoardWriter
from sitebuild import copy_demo

AS_OF = datetime.fromisoformat("2026-11-20T12:00:00+08:00")
EXTRA = """\
from functools import partial

from answerable.incremental.jobs import Job, Page, job_key


def jobs(site):
    page = partial(Page, "most-rated.html", "answerable_most_rated", {"page_name": "most"})
    return [Job("most-rated.html", page, job_key("most rated", site.board_key))]
"""


def paths_of(jobs: Iterable[Job | Block]) -> list[str]:
    return [path for job in jobs for path in job.paths]


@pytest.fixture(scope="module")
def site(demo_root: Path) -> Site:
    loaded = load_board(demo_root)
    snapshot = take_snapshot(loaded, AS_OF)
    return Site(snapshot, Formatter(snapshot.board.locale, snapshot.rules.zone))


@pytest.fixture(scope="module")
def demo_root() -> Path:
    return Path(__file__).parent.parent


def test_the_families_are_the_modules_of_the_folder_by_name() -> None:
    names = [module.__name__.rsplit(".", 1)[1] for module in families()]
    folder = Path(families_package.__file__).parent
    # Derived from the folder, as the build does: a new family needs no edit here.
    assert names == sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert set(names) >= {
        "changes", "departments", "home", "leaderboard", "lists", "promises", "rankings",
        "reports", "search", "tickets",
    }  # fmt: skip


def test_the_menu_is_what_the_families_declare_in_their_order() -> None:
    entries = [(entry.label, entry.url) for entry in menu([open_data])]
    # The pages every board has had from the start, in the order readers know; a new
    # family's entry goes between them by its order.
    known = [
        ("Home", "index.html"), ("Messages", "lists/index.html"),
        ("Departments", "departments/index.html"), ("Leaderboard", "leaderboard.html"),
        ("Rankings", "rankings.html"), ("Reports", "reports/index.html"),
        ("Our promises", "promises.html"), ("Search", "search.html"),
        ("Open data", "data.html"), ("Change log", "changes.html"),
    ]  # fmt: skip
    assert [entry for entry in entries if entry in known] == known
    assert len({url for _, url in entries}) == len(entries)


def test_a_module_placed_in_the_folder_joins_the_build(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "most_rated.py").write_text(EXTRA, "utf-8")
    monkeypatch.setattr(families_package, "__path__", [*families_package.__path__, str(tmp_path)])
    try:
        jobs = site_jobs(site)
    finally:
        sys.modules.pop("answerable.site.families.most_rated", None)
    extra = [job for job in jobs if job.paths == ("most-rated.html",)]
    assert len(extra) == 1
    assert extra[0].make() == Page(
        "most-rated.html", "answerable_most_rated", {"page_name": "most"}
    )
    assert "most-rated.html" in owned(paths_of(jobs))


def test_every_job_names_the_one_file_it_writes_and_the_build_owns_them(site: Site) -> None:
    jobs = [*site_jobs(site), *feeds.jobs(site), *open_data.jobs(site)]
    paths = paths_of(jobs)
    assert len(paths) == len(set(paths))
    made_here = owned([*paths, SITEMAP])
    assert made_here == sorted(set(made_here))
    # Each family's own top-level files join these without an edit here.
    assert set(made_here) >= {
        "changes.html", "data", "data.html", "departments", "feeds", "index.html",
        "leaderboard.html", "lists", "open311", "promises.html", "rankings.html", "reports",
        "search.html", "sitemap.xml", "tickets",
    }  # fmt: skip
    assert set(made_here) == {path.split("/", 1)[0] for path in [*paths, SITEMAP]}
    made = {job.save_as: job for job in jobs if isinstance(job, Job)}
    for path in ("index.html", "rankings.html", "lists/index.html", "feeds/overdue.atom.xml"):
        assert made[path].make().save_as == path
    # A block makes the pages it names, in that order.
    for block in (job for job in jobs if isinstance(job, Block)):
        assert [page.save_as for page in block.make()] == list(block.paths)


def test_months_run_oldest_first_whatever_order_the_tickets_come_in(tmp_path: Path) -> None:
    """The lists, rankings, department pages and reports take their months from the
    site, oldest first: here the first ticket was received in November, the second in
    October, a third in November again."""

    board = BoardWriter(tmp_path)
    board.ticket("2026-000001", received="2026-11-02T09:14:00+08:00")
    board.ticket("2026-000002", received="2026-10-20T09:14:00+08:00")
    board.ticket("2026-000003", received="2026-11-05T09:14:00+08:00")
    snapshot = take_snapshot(load_board(tmp_path), AS_OF)
    site = Site(snapshot, Formatter(snapshot.board.locale, snapshot.rules.zone))
    assert site.months() == [(2026, 10), (2026, 11)]
    months = [key for kind, key, *_ in list_groups(site) if kind == "month"]
    assert months == ["2026-11", "2026-10"]  # the lists: newest month first


def test_each_list_holds_the_tickets_of_its_kind_newest_first(site: Site) -> None:
    # Worked out from the records and states, not from the lists' code.
    states = site.snapshot.states
    status_lists = {
        "open": {"open"},
        "answered": {"answered-on-time", "answered-late"},
        "withdrawn": {"withdrawn", "duplicate"},
    }
    expected: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
    for state in states:
        ticket = state.ticket
        day = site.snapshot.rules.local_date(ticket.received)
        keys = [(kind, getattr(ticket, kind)) for kind in ("category", "type", "channel")]
        keys += [("month", f"{day.year}-{day.month:02d}"), ("department", state.department)]
        keys += [("status", k) for k, values in status_lists.items() if state.status in values]
        for key in keys:
            expected.setdefault(key, []).append((ticket.received, ticket.id))
    listed = set()
    for kind, key, _, chosen in list_groups(site):
        if (kind, key) in (("status", "overdue"), ("status", "due-soon")):
            continue  # due soonest first: the snapshot's own order
        newest_first = [i for _, i in sorted(expected.get((kind, key), []), reverse=True)]
        assert [row.id for row in chosen] == newest_first, (kind, key)
        listed.add((kind, key))
    assert set(expected) - listed <= {("status", "overdue"), ("status", "due-soon")}
    assert len(listed) > 30


def test_the_newest_replies_overall_and_by_department_newest_first(site: Site) -> None:
    public = [
        (reply.at, state.ticket.id, reply.number, reply.department)
        for state in site.snapshot.states
        if not state.ticket.hidden
        for reply in state.reply_facts
    ]
    newest = sorted(public, reverse=True)  # by the counted time, then ticket and number

    def shown(replies: list[ReplyView]) -> list[tuple[str, int]]:
        return [(reply.ticket.ticket.id, reply.number) for reply in replies]

    assert shown(site.newest_replies(5)) == [(i, n) for _, i, n, _ in newest[:5]]
    # A limit some departments reach and others do not.
    counts = sorted(Counter(department for *_, department in public).values())
    limit = counts[len(counts) // 2]
    expected: dict[str, list[tuple[str, int]]] = {}
    for _, ticket_id, number, department in newest:
        mine = expected.setdefault(department, [])
        if len(mine) < limit:
            mine.append((ticket_id, number))
    by_department = site.newest_replies_by_department(limit)
    assert {d: shown(replies) for d, replies in by_department.items()} == expected
    assert len(expected) > 3
    assert any(len(mine) == limit for mine in expected.values())
    assert any(len(mine) < limit for mine in expected.values())


def test_the_newest_replies_leave_out_a_hidden_ticket(site: Site, tmp_path: Path) -> None:
    newest = site.newest_replies(1)[0].ticket.ticket.id
    board = copy_demo(tmp_path / "board")
    path = next((board / "tickets").glob(f"*/{newest}/ticket.yaml"))
    hidden = "hidden: {at: 2026-11-19T12:00:00+08:00, reason: 涉及个人隐私}\n"
    path.write_text(path.read_text("utf-8") + hidden, "utf-8")
    snapshot = take_snapshot(load_board(board), AS_OF)
    assert next(s for s in snapshot.states if s.ticket.id == newest).ticket.hidden
    hiding = Site(snapshot, Formatter(snapshot.board.locale, snapshot.rules.zone))
    shown = {reply.ticket.ticket.id for reply in hiding.newest_replies(1000)}
    for replies in hiding.newest_replies_by_department(1000).values():
        shown |= {reply.ticket.ticket.id for reply in replies}
    assert newest not in shown
    assert len(shown) > 10


def test_the_families_whose_pages_number_with_the_tickets_come_apart(site: Site) -> None:
    """A build asks for the pages of a ticket or of fifty apart from the others (they
    are worked out while the others render): together they are every page, once."""
    whole = paths_of(site_jobs(site))
    few = paths_of(site_jobs(site, many=False))
    many = paths_of(site_jobs(site, many=True))
    assert sorted([*few, *many]) == sorted(whole)
    tickets = {f"tickets/{row.id}.html" for row in site.rows}
    assert tickets <= set(many)
    assert {"lists/index.html", "lists/status-open.html"} <= set(many)
    assert {"index.html", "leaderboard.html", "rankings.html", "changes.html"} <= set(few)
    assert not any(path.startswith(("tickets/", "lists/")) for path in few)


def test_the_open_data_jobs_are_the_whole_board_files_and_one_per_request(site: Site) -> None:
    board = paths_of(open_data.board_jobs(site))
    requests = paths_of(open_data.request_jobs(site))
    assert sorted([*board, *requests]) == sorted(paths_of(open_data.jobs(site)))
    assert sorted(requests) == sorted(open_data.request_path(row.id) for row in site.rows)
    assert {"data/tickets.json", "data/tickets.csv", "open311/v2/requests.json"} <= set(board)
