"""Each folder under bad_boards/ is a board with one kind of mistake.

Its expected.yaml lists every problem ``answerable validate`` must report: file, line
and code, nothing more and nothing less.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from answerable.checks.problems import CODES
from answerable.cli.main import cli

BAD = Path(__file__).parent / "bad_boards"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", CASES)
def test_bad_board_reports_file_line_and_code(name: str) -> None:
    root = BAD / name
    expected = {
        (e["path"], e["line"], e["code"])
        for e in yaml.safe_load((root / "expected.yaml").read_text("utf-8"))
    }
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    report = json.loads(result.output)
    found = {(p["path"], p["line"], p["code"]) for p in report["problems"]}
    assert found == expected
    errors = any(code.startswith("E") for _, _, code in expected)
    assert result.exit_code == (1 if errors else 0)


def test_every_code_has_a_bad_board() -> None:
    covered = {name.split("-")[0] for name in CASES}
    # A codes come from git history; tests/test_audit.py plants each in a real repository.
    assert covered == {code for code in CODES if not code.startswith("A")}


@pytest.mark.parametrize("name", ["E003-duplicate-key", "E105-no-utc-offset"])
def test_text_format_is_path_line_column_code_message(name: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(BAD / name)])
    first = result.output.splitlines()[0]
    path, line, column, rest = first.split(":", 3)
    assert path == "tickets/2026/2026-000001/ticket.yaml"
    assert line.isdigit()
    assert column.isdigit()
    assert rest.strip().split()[0] == name.split("-", maxsplit=1)[0]


def test_docs_explain_every_code() -> None:
    docs = (Path(__file__).parent.parent / "docs/validation.md").read_text("utf-8")
    missing = [code for code in CODES if f"`{code}`" not in docs]
    assert missing == []
