"""Nothing is left out of the site silently: what the build does not show is named.

A ticket received (or a reply dated) after the board's moment, and a file in the
content folder that Pelican passes over, each get a notice with its code, file and
line, from ``validate`` and from ``build`` alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from answerable.checks.validation import folder_check, validate
from answerable.cli.main import cli
from answerable.reading import loading
from answerable.reading.loading import load_board
from conftest import ROOT, BoardWriter

AS_OF = "2026-11-20T21:30:00+08:00"
LATE = "2026-11-21T08:30:00+08:00"  # the next morning: after the board's moment

# The demo's settings, pointed at the repository's plugin and theme; no search index
# (Pagefind adds nothing to what is checked here) and no git history (a tmp folder).
PELICANCONF = f"""\
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "Asia/Shanghai"
SITENAME = "测试市网络问政平台"
SITEURL = ""
PLUGIN_PATHS = [{str(ROOT / "plugins")!r}]
PLUGINS = ["answerable"]
THEME = {str(ROOT / "plugins/answerable/theme")!r}
ANSWERABLE_BOARD = __file__.removesuffix("/pelicanconf.py")
ANSWERABLE_HISTORY = False
ANSWERABLE_SEARCH = False
DIRECT_TEMPLATES = []
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
PAGE_URL = "{{slug}}.html"
PAGE_SAVE_AS = "{{slug}}.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
CACHE_CONTENT = False
"""

ABOUT = "Title: 关于本平台\nSlug: about\n\n本平台公开市民留言和政府部门的答复。\n"


def _board(board: BoardWriter) -> BoardWriter:
    """Three tickets; the third was received after board.yaml's as_of."""
    board.write("board.yaml", (board.root / "board.yaml").read_text("utf-8") + f"as_of: {AS_OF}\n")
    board.ticket("2026-000001")
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    board.ticket("2026-000002", received="2026-11-19T10:00:00+08:00")
    board.ticket("2026-000003", received=LATE)
    board.write("pelicanconf.py", PELICANCONF)
    board.write("content/pages/about.md", ABOUT)
    return board


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# By hand: TICKET_YAML (tests/conftest.py) writes id, title, received: line 3, column 1.
LATE_NOTICE = (
    "tickets/2026/2026-000003/ticket.yaml:3:1: N001 ticket 2026-000003 was received "
    f"{LATE}, after the moment the board shows ({AS_OF}): it is left out of every page, "
    "file and figure"
)


def test_validate_names_a_ticket_received_after_the_moment(board: BoardWriter) -> None:
    root = _board(board).root
    result = _run("validate", str(root))
    assert result.exit_code == 0, result.output  # a notice is not an error
    assert result.output.splitlines() == [LATE_NOTICE, "0 error(s), 0 warning(s), 1 notice(s)"]
    assert _run("validate", str(root), "--strict").exit_code == 1
    data = json.loads(_run("validate", str(root), "--format", "json").output)
    assert (data["errors"], data["warnings"], data["notices"]) == (0, 0, 1)
    assert data["problems"][0]["severity"] == "notice"
    assert data["problems"][0]["name"] == "ticket-after-moment"
    github = _run("validate", str(root), "--format", "github").output.splitlines()
    assert github[0].startswith(
        "::notice file=tickets/2026/2026-000003/ticket.yaml,line=3,col=1,title=N001::"
    )


def test_as_of_option_overrides_the_board(board: BoardWriter) -> None:
    root = _board(board).root
    # The morning after, at 09:00: the ticket received at 08:30 is on the board.
    later = _run("validate", str(root), "--as-of", "2026-11-21T09:00:00+08:00")
    assert later.output.splitlines() == ["0 error(s), 0 warning(s)"]
    # Before the second ticket's receipt (19 Nov 10:00), it is left out too.
    earlier = _run("validate", str(root), "--as-of", "2026-11-19T09:59:00+08:00")
    assert [line.split(":")[0] for line in earlier.output.splitlines()[:-1]] == [
        "tickets/2026/2026-000002/ticket.yaml",
        "tickets/2026/2026-000003/ticket.yaml",
    ]
    assert _run("validate", str(root), "--as-of", "2026-11-21").exit_code == 2  # no offset


def test_without_as_of_the_moment_is_now(board: BoardWriter) -> None:
    board.ticket("2026-000001")
    # Received in 2199 (the last year a date may have): after any moment this test runs.
    board.ticket("2026-000002", received="2199-01-01T09:00:00+08:00")
    board.ticket("2026-000003", received="2026-01-05T09:00:00+08:00")
    output = _run("validate", str(board.root)).output.splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in output[:-1]] == ["N001"]
    assert output[0].startswith("tickets/2026/2026-000002/ticket.yaml:3:1: N001 ")


def test_a_reply_after_the_moment_is_named(board: BoardWriter) -> None:
    root = _board(board).root
    # A second reply, after the moment: its date: line is line 2 (after the --- line).
    board.reply("2026-000002", 1, "2026-11-23T10:00:00+08:00")
    result = _run("validate", str(root))
    assert result.output.splitlines() == [
        "tickets/2026/2026-000002/reply-1.md:2:1: N002 reply dated 2026-11-23T10:00:00+08:00, "
        f"after the moment the board shows ({AS_OF}): it is left out of every page, file and "
        "figure",
        LATE_NOTICE,
        "0 error(s), 0 warning(s), 2 notice(s)",
    ]


def test_notices_are_the_same_when_folders_are_read_in_parallel(
    board: BoardWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _board(board).root
    board.reply("2026-000002", 1, "2026-11-23T10:00:00+08:00")
    moment = datetime.fromisoformat(AS_OF)

    def notices(workers: int) -> list[tuple[str, int, str]]:
        loaded = load_board(root, workers=workers, check=folder_check, records=False)
        return [(p.path, p.line, p.code) for p in validate(loaded, moment)]

    serial = notices(1)
    assert serial == [
        ("tickets/2026/2026-000002/reply-1.md", 2, "N002"),
        ("tickets/2026/2026-000003/ticket.yaml", 3, "N001"),
    ]
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)  # three folders; split them anyway
    assert notices(2) == serial


def test_content_files_the_site_does_not_publish_are_named(board: BoardWriter) -> None:
    root = _board(board).root
    board.write("content/pages/notes.txt", "下周例会：讨论答复模板。\n")
    board.write("content/pages/draft.md", "Title: 答复规范\nStatus: draft\n\n征求意见稿。\n")
    board.write("content/pages/contact.md", "Slug: contact\n\n联系电话：12345。\n")
    board.write("content/loose.md", "Title: 散页\n\n不在 pages/ 里。\n")
    board.write("content/pages/about.md~", ABOUT)  # an editor's backup
    lines = _run("validate", str(root)).output.splitlines()
    found = [
        (line.split(":")[0], line.split(":")[1], line.split(": ")[1][:4]) for line in lines[:-1]
    ]
    assert found == [
        ("content/loose.md", "1", "N003"),  # in none of PAGE_PATHS ('pages'), STATIC_PATHS
        ("content/pages/about.md~", "1", "N003"),
        ("content/pages/contact.md", "1", "N005"),  # no Title:
        ("content/pages/draft.md", "2", "N004"),  # the Status: draft line
        ("content/pages/notes.txt", "1", "N003"),
        ("tickets/2026/2026-000003/ticket.yaml", "3", "N001"),
    ]
    assert "'.txt'" in lines[4]
    assert "'title'" in lines[2]
    assert lines[-1] == "0 error(s), 0 warning(s), 6 notice(s)"


def test_build_names_what_it_leaves_out_and_leaves_out_only_that(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = _board(board).root
    board.write("content/pages/notes.txt", "下周例会：讨论答复模板。\n")
    board.write("content/pages/draft.md", "Title: 答复规范\nStatus: draft\n\n征求意见稿。\n")
    output = tmp_path_factory.mktemp("site") / "output"
    result = _run("build", "--board", str(root), "--output", str(output))
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if ": N00" in line]
    assert notices == [
        "content/pages/draft.md:2:1: N004 a draft (Status: draft): linked from no page; "
        "Pelican writes it to drafts/pages/da-fu-gui-fan.html",
        "content/pages/notes.txt:1:1: N003 not published: Pelican reads no '.txt' file as a "
        "page (it reads .htm, .html, .markdown, .md, .mdown, .mkd, .rst, .static)",
        LATE_NOTICE,
    ]
    assert (output / "drafts/pages/da-fu-gui-fan.html").is_file()  # as the notice says
    # The late ticket is the only one missing: in no page, no data file, no feed.
    texts = {
        p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()
    }
    assert (output / "tickets/2026-000001.html").is_file()
    assert (output / "tickets/2026-000002.html").is_file()
    assert not (output / "tickets/2026-000003.html").exists()
    assert [rel for rel, data in texts.items() if b"2026-000003" in data] == []
    assert [rel for rel, data in texts.items() if b"2026-000002" in data] != []
    assert not any(b"notes.txt" in data or "下周例会".encode() in data for data in texts.values())


def test_the_demo_board_gives_no_notice(tmp_path: Path) -> None:
    checked = _run("validate", str(ROOT))
    assert checked.output.splitlines() == ["0 error(s), 0 warning(s)"]
    built = _run("build", "--board", str(ROOT), "--output", str(tmp_path / "output"))
    assert built.exit_code == 0, built.output
    assert [line for line in built.stderr.splitlines() if ": N00" in line] == []


def test_a_plain_pelican_run_logs_what_it_leaves_out(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from pelican import Pelican
    from pelican.settings import read_settings

    root = _board(board).root
    output = tmp_path_factory.mktemp("site") / "output"
    settings = read_settings(
        str(root / "pelicanconf.py"), override={"OUTPUT_PATH": str(output), "CACHE_CONTENT": False}
    )
    with caplog.at_level("WARNING", logger="answerable"):
        Pelican(settings).run()
    assert [r.getMessage() for r in caplog.records if " N00" in r.getMessage()] == [LATE_NOTICE]
    assert not (output / "tickets/2026-000003.html").exists()
    assert (output / "tickets/2026-000002.html").is_file()
