"""JSON Schemas of the board's files, generated from the record models.

Committed copies live in ``schemas/``; editors validate with them through a
``# yaml-language-server: $schema=...`` line, and a test keeps them in sync.
"""

from __future__ import annotations

import json
from typing import Any

from answerable.core.records import SCHEMA_MODELS

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
TITLES = {
    "board": "Answerable board.yaml",
    "ticket": "Answerable ticket.yaml",
    "reply": "Answerable reply front matter (reply-N.md)",
}


def json_schema(kind: str) -> dict[str, Any]:
    model = SCHEMA_MODELS[kind]
    schema = model.model_json_schema(by_alias=True)
    return {"$schema": SCHEMA_URI, **schema, "title": TITLES[kind]}


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
