"""The published JSON Schemas: in sync with the models, and agreeing with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.reading.yaml_source import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["board", "ticket", "reply"]


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_in_sync(kind: str) -> None:
    result = CliRunner().invoke(cli, ["schema", kind])
    assert result.exit_code == 0
    committed = (ROOT / "schemas" / f"{kind}.schema.json").read_text("utf-8")
    assert result.output == committed, f"run: answerable schema {kind} > schemas/{kind}.schema.json"


def _schema(kind: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text("utf-8"))


def test_demo_files_pass_the_schemas() -> None:
    jsonschema.validate(parse_yaml((ROOT / "board.yaml").read_text("utf-8")).data, _schema("board"))
    tickets = sorted((ROOT / "tickets").glob("*/*/ticket.yaml"))
    replies = sorted((ROOT / "tickets").glob("*/*/reply-*.md"))
    assert tickets
    assert replies
    for path in tickets:
        jsonschema.validate(parse_yaml(path.read_text("utf-8")).data, _schema("ticket"))
    for path in replies:
        front = path.read_text("utf-8").split("---\n")[1]
        jsonschema.validate(parse_yaml(front).data, _schema("reply"))


def test_schema_rejects_what_the_loader_rejects() -> None:
    schema = _schema("ticket")
    good = parse_yaml(
        (ROOT / "tests/bad_boards/E201-id-mismatch/tickets/2026/2026-000001/ticket.yaml").read_text(
            "utf-8"
        )
    ).data
    jsonschema.validate(good, schema)
    for change in (
        {"titel": "x"},
        {"urgent": "no"},
        {"submitter_kind": "company"},
        {"received": "2026-11-02T09:14:00"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(good | change, schema)


def test_files_name_their_schema_for_editors() -> None:
    assert (
        (ROOT / "board.yaml")
        .read_text("utf-8")
        .startswith("# yaml-language-server: $schema=schemas/board.schema.json")
    )
