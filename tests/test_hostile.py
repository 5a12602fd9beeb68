"""A board seeded with hostile and broken files: each is reported with file and line,
nothing crashes, and the valid tickets still load, validate and build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from conftest import TICKET_YAML, BoardWriter

GOOD = TICKET_YAML.format(
    id="{id}", received="2026-11-02T09:14:00+08:00", type="complaint", department="housing"
)


def ticket(ticket_id: str, extra: str = "") -> str:
    return GOOD.replace("{id}", ticket_id) + extra


def seed(board: BoardWriter, outside: Path) -> dict[str, tuple[int, str]]:
    """Write every hostile case; returns path → (line, code) expected from validate."""
    for good in ("2026-000001", "2026-000002", "2026-000003"):
        board.write(f"tickets/2026/{good}/ticket.yaml", ticket(good))
    cases: dict[str, tuple[int, str]] = {}

    def put(
        ticket_id: str, data: bytes | str, line: int, code: str, name: str = "ticket.yaml"
    ) -> None:
        path = board.root / f"tickets/2026/{ticket_id}/{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases[path.relative_to(board.root).as_posix()] = (line, code)

    put("2026-000010", ticket("2026-000010") + "# " + "x" * (1024 * 1024) + "\n", 1, "E001")
    put("2026-000011", ticket("2026-000011", "tags: " + "[" * 100 + "]" * 100 + "\n"), 11, "E004")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]"
        for i in range(1, 9)
    ]
    put("2026-000012", "\n".join(bomb) + "\n", 1, "E004")
    put(
        "2026-000013",
        ticket("2026-000013").encode("utf-8").replace("徐先生".encode(), b"\xff\xfe"),
        8,
        "E001",
    )
    put("2026-000014", ticket("2026-000014").replace("安全隐患", "安全\x00隐患"), 10, "E001")
    put(
        "2026-000015",
        ticket("2026-000015", "transfers:\n\t- at: 2026-11-02T10:00:00+08:00\n"),
        12,
        "E002",
    )
    put("2026-000016", ticket("2026-000016").replace("小区外墙墙砖脱落", "墙" * 5000), 2, "E104")
    put("2026-000017", ticket("2026-000017", "message: again\n"), 11, "E003")
    put(
        "2026-000018",
        ticket("2026-000018").replace("id: 2026-000018", "id: ../../etc/passwd"),
        1,
        "E106",
    )
    put("2026-000019", ticket("2026-000019", "related: ['../../../secret']\n"), 11, "E106")
    put(
        "2026-000022",
        ticket("2026-000022", "location: !!python/object/apply:os.system ['id']\n"),
        11,
        "E004",
    )
    (outside / "ticket.yaml").write_text(ticket("2026-000020"), "utf-8")
    os.symlink(outside, board.root / "tickets/2026/2026-000020", target_is_directory=True)
    cases["tickets/2026/2026-000020"] = (1, "E006")
    stray = board.write(
        "tickets/2026/reply-1.md", "---\ndate: 2026-11-05T10:00:00+08:00\n---\n答复\n"
    )
    cases[stray.relative_to(board.root).as_posix()] = (1, "E006")
    # A byte-order mark and Windows line ends are harmless and accepted.
    board.write("tickets/2026/2026-000021/ticket.yaml", "")
    (board.root / "tickets/2026/2026-000021/ticket.yaml").write_bytes(
        b"\xef\xbb\xbf" + ticket("2026-000021").replace("\n", "\r\n").encode("utf-8")
    )
    return cases


@pytest.fixture
def hostile(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BoardWriter, dict[str, tuple[int, str]]]:
    return board, seed(board, tmp_path_factory.mktemp("outside"))


def test_each_case_is_reported_with_file_and_line(
    hostile: tuple[BoardWriter, dict[str, tuple[int, str]]],
) -> None:
    board, cases = hostile
    result = CliRunner().invoke(cli, ["validate", str(board.root), "--format", "json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    found = {(p["path"], p["line"], p["code"]) for p in json.loads(result.output)["problems"]}
    assert found == {(path, line, code) for path, (line, code) in cases.items()}
    messages = {p["path"]: p["message"] for p in json.loads(result.output)["problems"]}
    assert "U+0000" in messages["tickets/2026/2026-000014/ticket.yaml"]
    assert "alias bomb" in messages["tickets/2026/2026-000012/ticket.yaml"]
    assert "too long (5000; at most 200)" in messages["tickets/2026/2026-000016/ticket.yaml"]


def test_valid_tickets_still_load_and_count(
    hostile: tuple[BoardWriter, dict[str, tuple[int, str]]],
) -> None:
    board, _ = hostile
    result = CliRunner().invoke(
        cli,
        [
            "stats",
            "--board",
            str(board.root),
            "--as-of",
            "2026-11-20T12:00:00+08:00",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["total"]["received"] == 4  # 000001-000003 and 000021


def test_build_refuses_then_publishes_the_valid_part(
    hostile: tuple[BoardWriter, dict[str, tuple[int, str]]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    board, _ = hostile
    output = tmp_path_factory.mktemp("site") / "output"
    output.mkdir()
    (output / "index.html").write_text("the last good site", "utf-8")
    (output / ".answerable-site").write_text("answerable-site\n", "utf-8")  # a build made it
    args = ["build", "--board", str(board.root), "--settings", str(Path(__file__).parent.parent / "pelicanconf.py"),
            "--output", str(output), "--as-of", "2026-11-20T12:00:00+08:00"]  # fmt: skip
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "the site was not built" in refused.output
    assert (output / "index.html").read_text("utf-8") == "the last good site"

    published = CliRunner().invoke(cli, [*args, "--publish-valid"])
    assert published.exit_code == 0, published.output
    left_out = sorted(
        line.removeprefix("left out: ")
        for line in published.stderr.splitlines()
        if line.startswith("left out: ")
    )
    assert "tickets/2026/2026-000016" in left_out
    assert "tickets/2026/2026-000001" not in left_out
    pages = sorted(p.stem for p in (output / "tickets").glob("*.html"))
    assert pages == ["2026-000001", "2026-000002", "2026-000003", "2026-000021"]
    assert "the last good site" not in (output / "index.html").read_text("utf-8")
    assert not [
        p for p in output.parent.iterdir() if p.name.startswith(".output-")
    ]  # no staging left


def test_rebuild_writes_only_what_changed_and_drops_what_went(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for number in (1, 2, 3):
        board.ticket(f"2026-00000{number}")
    output = tmp_path_factory.mktemp("site") / "output"
    args = ["build", "--board", str(board.root), "--settings", str(Path(__file__).parent.parent / "pelicanconf.py"),
            "--output", str(output), "--as-of", "2026-11-20T12:00:00+08:00"]  # fmt: skip
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = {
        p.relative_to(output).as_posix(): p.stat().st_ino for p in (output / "tickets").iterdir()
    }
    board.reply("2026-000002", 1, "2026-11-05T10:00:00+08:00")
    import shutil

    shutil.rmtree(board.root / "tickets/2026/2026-000003")
    assert CliRunner().invoke(cli, args).exit_code == 0
    after = {
        p.relative_to(output).as_posix(): p.stat().st_ino for p in (output / "tickets").iterdir()
    }
    assert sorted(after) == ["tickets/2026-000001.html", "tickets/2026-000002.html"]
    assert after["tickets/2026-000001.html"] == before["tickets/2026-000001.html"]  # not rewritten
    assert after["tickets/2026-000002.html"] != before["tickets/2026-000002.html"]  # the new reply
