"""No text in a ticket, a department's name or a file name can forge a line of output.

CI systems read commands from any line of a log (GitHub: a line that starts with ``::``),
and terminals obey escape sequences. A value holding a line break, a carriage return or
ESC must come out as one line of visible escapes, in every text, Markdown and GitHub
output; GitHub's own workflow commands are escaped by its documented rules.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import git
import pytest
from click.testing import CliRunner, Result

from answerable.cli.formats import _escape_data, _escape_property, shown
from answerable.cli.main import cli
from conftest import BOARD_YAML, BoardWriter
from test_audit import commit, make_repo

AS_OF = "2026-11-20T12:00:00+08:00"
# As an attacker writes it in YAML: a line break, a forged workflow command, a carriage
# return, ESC [2J (clear the screen), a right-to-left override, a line separator, and
# GitHub's legacy command form, which its runner reads anywhere in a line.
FORGED_YAML = r"\n::error file=board.yaml::forged\r\e[2J\u202E\L::warning::x ##[error]mid"
FORGED = "\n::error file=board.yaml::forged\r\x1b[2J\u202e\u2028::warning::x ##[error]mid"
# How text output shows it: each character escaped as in a Python string literal.
FORGED_SHOWN = r"\n::error file=board.yaml::forged\r\x1b[2J\u202e\u2028::warning::x ##\x5berror]mid"
# How a GitHub annotation carries it: \n and \r percent-encoded, the rest as above.
FORGED_GITHUB = (
    r"%0A::error file=board.yaml::forged%0D\x1b[2J\u202e\u2028::warning::x ##\x5berror]mid"
)

# A department id, made of the same (a department id is at most 64 characters).
DEPARTMENT_YAML = r'"n\n::error file=x::f\e[2J ##[error]"'

TICKET = """\
id: {id}
title: "墙砖脱落{forged}"
received: 2026-11-02T09:14:00+08:00
channel: web
type: complaint
category: urban-construction
department: {department}
submitter: 徐先生
message: "外墙{forged}"
"""


def write_board(board: BoardWriter) -> None:
    board.write(
        "board.yaml",
        BOARD_YAML.replace("name: 测试市网络问政平台", f'name: "测试市{FORGED_YAML}"').replace(
            "name: 东区人民政府", f'name: "东区{FORGED_YAML}"'
        ),
    )
    # Overdue at AS_OF (due 9 November), held by the department with the forged name.
    board.write(
        "tickets/2026/2026-000001/ticket.yaml",
        TICKET.format(id="2026-000001", forged=FORGED_YAML, department="district"),
    )
    # A department that does not exist, named with the forged text: an error quoting it.
    board.write(
        "tickets/2026/2026-000002/ticket.yaml",
        TICKET.format(id="2026-000002", forged=FORGED_YAML, department=DEPARTMENT_YAML),
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args])


def assert_unforged(result: Result, annotations: list[str] | None = None) -> list[str]:
    """No line of the output (stdout and stderr) starts with ``::`` but the tool's own
    annotations, none holds a raw control character, and the lines are returned."""
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = result.output
    for raw in ("\x1b", "\r", "\u202e", "\u2028", "\x85", "##["):
        assert raw not in output
    # str.splitlines breaks at every line break a log viewer might honour, U+2028 too.
    lines = output.splitlines()
    assert lines == output.removesuffix("\n").split("\n")
    starting = [line for line in lines if line.startswith("::")]
    assert starting == (annotations or [])
    return lines


@pytest.fixture
def forged(board: BoardWriter) -> Path:
    write_board(board)
    return board.root


def test_shown_escapes_every_control_and_line_break() -> None:
    value = "a\\b\n\r\t\x00\x1b\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069 中文 ok"
    assert shown(value) == (
        r"a\\b\n\r\t\x00\x1b\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069 中文 ok"
    )
    assert shown("平常的标题") == "平常的标题"


def test_github_escapes_follow_the_workflow_command_rules() -> None:
    # GitHub's rules (actions/toolkit command.ts): data escapes % \r \n; a property
    # also : and ,. % goes first, so "%0A" typed in a title stays three characters.
    assert _escape_data("50% done\r\nnext %0A") == "50%25 done%0D%0Anext %250A"
    assert _escape_property("a:b,c%d\r\n") == "a%3Ab%2Cc%25d%0D%0A"
    assert _escape_data("clear\x1b[2J") == r"clear\x1b[2J"
    # GitHub's runner also reads the legacy ##[command] anywhere in a line, Azure
    # Pipelines its ##vso[...]: the '[' is escaped in every output.
    assert _escape_data("##[stop-commands]t") == r"##\x5bstop-commands]t"
    assert shown("a ##[error]b ##vso[task.complete]c # [") == (
        r"a ##\x5berror]b ##vso\x5btask.complete]c # ["
    )


def test_validate_text(forged: Path) -> None:
    result = run("validate", str(forged))
    assert result.exit_code == 1
    lines = assert_unforged(result)
    # One problem, one line: the unknown department, quoted with its text escaped.
    assert len(lines) == 2
    assert lines[0].startswith("tickets/2026/2026-000002/ticket.yaml:7:1: E106 ")
    # The message quotes the value, escaped.
    assert r"'department' is 'n\n::error file=x::f\x1b[2J ##\x5berror]', which" in lines[0]
    assert lines[1] == "1 error(s), 0 warning(s)"


def test_validate_github(forged: Path) -> None:
    result = run("validate", str(forged), "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "::error file=tickets/2026/2026-000002/ticket.yaml,line=7,col=1,title=E106::"
    )
    assert r"'department' is 'n%0A::error file=x::f\x1b[2J ##\x5berror]', which" in lines[0]
    assert_unforged(result, lines)


def test_overdue_text(forged: Path) -> None:
    result = run("overdue", "--board", str(forged), "--as-of", AS_OF)
    assert result.exit_code == 1
    lines = assert_unforged(result)
    rows = [line for line in lines if line.startswith("2026-000001 ")]
    assert len(rows) == 1
    assert f"东区{FORGED_SHOWN}" in rows[0]
    assert rows[0].endswith(f"墙砖脱落{FORGED_SHOWN}")


def test_overdue_markdown(forged: Path) -> None:
    result = run("overdue", "--board", str(forged), "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 1
    lines = assert_unforged(result)
    rows = [line for line in lines if line.startswith("| 2026-000001 ")]
    assert len(rows) == 1
    assert rows[0].startswith(
        f"| 2026-000001 墙砖脱落{FORGED_SHOWN} | overdue | 东区{FORGED_SHOWN} |"
    )


def test_overdue_github(forged: Path) -> None:
    result = run("overdue", "--board", str(forged), "--as-of", AS_OF, "--format", "github")
    assert result.exit_code == 1
    own = [line for line in result.stdout.splitlines() if line.startswith("::")]
    # One overdue ticket, one annotation; due 9 November, 9 working days late by the 20th.
    assert len(own) == 1
    assert own[0].startswith(
        "::error file=tickets/2026/2026-000001/ticket.yaml,line=1,col=1,title=overdue::"
        "2026-000001 overdue: "
    )
    assert own[0].endswith(f", 东区{FORGED_GITHUB}")
    assert_unforged(result, own)


def test_stats_text(forged: Path) -> None:
    result = run("stats", "--board", str(forged), "--as-of", AS_OF)
    assert result.exit_code == 0
    assert_unforged(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"测试市{FORGED_SHOWN}: all tickets, statuses at {AS_OF}"
    assert sum(f"东区{FORGED_SHOWN}" in line for line in lines) == 1


def test_audit_text_and_github(board: BoardWriter) -> None:
    """A ticket folder deleted from the record, its name made by an attacker in git."""
    board.ticket()
    repo: git.Repo = make_repo(board.root)
    commit(repo, "Receive 2026-000001", "2026-11-02T09:30:00+08:00")
    # U+2028 too: git writes it raw in its log, which the audit splits at "\n" only.
    folder = board.root / "tickets/2026" / f"x{FORGED}"
    shutil.copytree(board.root / "tickets/2026/2026-000001", folder)
    commit(repo, "A folder", "2026-11-03T09:30:00+08:00")
    shutil.rmtree(folder)
    commit(repo, "Gone", "2026-11-04T09:30:00+08:00")

    result = run("audit", str(board.root))
    assert result.exit_code == 1
    lines = assert_unforged(result)
    assert len(lines) == 2  # one finding, one line, then the count
    name = r"x\n::error file=board.yaml::forged\r\x1b[2J\u202e\u2028::warning::x ##\x5berror]mid"
    assert lines[0].startswith(f"tickets/2026/{name}/ticket.yaml:1:1: A003 ticket {name} was")
    assert lines[1] == "1 error(s), 0 warning(s)"

    result = run("audit", str(board.root), "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1
    # In a property : and , are escaped too (%3A, %2C).
    path = r"tickets/2026/x%0A%3A%3Aerror file=board.yaml%3A%3Aforged%0D\x1b[2J\u202e"
    assert lines[0].startswith(
        f"::error file={path}\\u2028%3A%3Awarning%3A%3Ax ##\\x5berror]mid/ticket.yaml,line=1,"
    )
    name = r"x%0A::error file=board.yaml::forged%0D\x1b[2J\u202e\u2028::warning::x ##\x5berror]mid"
    assert f"::ticket {name} was deleted" in lines[0]
    assert_unforged(result, lines)


def test_import_summary_lines(board: BoardWriter, tmp_path_factory: pytest.TempPathFactory) -> None:
    export = tmp_path_factory.mktemp("export") / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言编号", "留言主题", "留言时间", "留言详情", "承办单位"])
        writer.writerow(["1", "路灯不亮", "2026/11/2 9:14:05", "路灯不亮", f"市政{FORGED}"])
    result = run(
        "import", "--board", str(board.root), str(export), "--category", "urban-construction",
        "--type", "complaint", "--channel", "hotline",
    )  # fmt: skip
    assert result.exit_code == 1
    lines = assert_unforged(result)
    rejected = [line for line in lines if line.startswith("export.csv:2: rejected: ")]
    assert len(rejected) == 1
    # The importer turns line breaks and control characters (ESC too) into single spaces;
    # the override stays, escaped.
    assert (
        r"'市政 ::error file=board.yaml::forged [2J\u202e ::warning::x ##\x5berror]mid'"
        in rejected[0]
    )
