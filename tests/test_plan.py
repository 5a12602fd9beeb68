"""One plan for both faces: what `answerable build`, `validate` and the Pelican generator
publish, decided once; and how `answerable build` hands it to the Pelican run it starts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from answerable.build.building import STAGED_RUN, StagedRun
from answerable.build.plan import plan_build
from answerable.build.publishing import owned
from conftest import BoardWriter

AS_OF = datetime.fromisoformat("2026-11-20T12:00:00+08:00")
BAD = "tickets/2026/2026-000002"


def bad_board(board: BoardWriter) -> None:
    board.ticket("2026-000001")
    board.ticket("2026-000002", department="no-such-department")  # an error in its folder


def test_errors_stop_the_build_unless_the_valid_tickets_are_published(
    board: BoardWriter,
) -> None:
    bad_board(board)
    stopped = plan_build(board.root, AS_OF, cache=False)
    assert stopped.as_of == AS_OF
    assert [p.path.rsplit("/", 1)[0] for p in stopped.blocking] == [BAD]
    assert stopped.left_out == ()
    published = plan_build(board.root, AS_OF, cache=False, publish_valid=True)
    assert published.blocking == []
    assert published.left_out == (BAD,)
    assert [t.folder for t in published.published.tickets] == ["tickets/2026/2026-000001"]
    assert len(published.loaded.tickets) == 2  # what was read stays whole


def test_an_error_outside_any_ticket_stops_even_publish_valid(board: BoardWriter) -> None:
    bad_board(board)
    board.write("board.yaml", "name: [unclosed\n")
    plan = plan_build(board.root, None, cache=False, publish_valid=True)
    assert plan.as_of is None  # no board.yaml: no moment
    assert plan.blocking
    assert plan.left_out == ()


def test_the_moment_is_the_callers_else_the_boards_else_now(board: BoardWriter) -> None:
    board.ticket("2026-000001")
    now = datetime.fromisoformat("2027-01-01T00:00:00+08:00")
    assert plan_build(board.root, AS_OF, cache=False, now=now).as_of == AS_OF
    assert plan_build(board.root, None, cache=False, now=now).as_of == now


def test_the_staged_run_rides_on_its_pelican_object_for_one_run(board: BoardWriter) -> None:
    from answerable.generator import BoardGenerator, get_generators

    class Pelican:  # the one thing get_generators reads of Pelican's object
        pass

    plan = plan_build(board.root, AS_OF, cache=False)
    pelican = Pelican()
    setattr(pelican, STAGED_RUN, StagedRun(plan, Path("last")))
    first = get_generators(pelican)
    assert issubclass(first, BoardGenerator)
    assert first.staged_run == StagedRun(plan, Path("last"))
    assert BoardGenerator.staged_run is None  # no other run sees it
    # A second run of the same object (pelican --autoreload) reads the board afresh.
    assert get_generators(pelican) is BoardGenerator


def test_the_files_a_build_owns_come_from_what_its_jobs_write() -> None:
    paths = ["index.html", "tickets/2026-000001.html", "tickets/2026-000002.html"]
    paths += ["feeds/departments/housing.atom.xml", "sitemap.xml"]
    assert owned(paths) == ["feeds", "index.html", "sitemap.xml", "tickets"]
