"""Shared fixtures: the demo board's root and a writer for small boards in tmp folders."""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The caches of parsed files and built pages go to a folder of the test session's
    own, shared by its tests (and their subprocesses): results must not depend on it."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("ANSWERABLE_CACHE_DIR")
    os.environ["ANSWERABLE_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ANSWERABLE_CACHE_DIR", None)
    else:
        os.environ["ANSWERABLE_CACHE_DIR"] = before


@pytest.fixture
def demo_root() -> Path:
    return ROOT


BOARD_YAML = """\
name: 测试市网络问政平台
locale: zh_CN
timezone: Asia/Shanghai
calendar: {country: CN}
policies:
  consultation: {due: 1 working day}
  help: {due: 5 working days}
  complaint: {due: 5 working days}
  suggestion: {due: 5 working days}
  urgent: {due: 24 hours}
  longest_extension: 20 working days
warn_before: 3 hours
min_ranked: 2
shallow_reply: {min_chars: 10}
departments:
  - {id: city, name: 测试市人民政府办公室, level: city}
  - {id: housing, name: 测试市住房和城乡建设局, parent: city}
  - {id: district, name: 东区人民政府, parent: city, level: district}
  - {id: district-street, name: 东区某街道办事处, parent: district, level: street}
categories:
  - {id: urban-construction, name: 城乡建设}
  - {id: environment, name: 环境保护}
"""

TICKET_YAML = """\
id: {id}
title: 小区外墙墙砖脱落
received: {received}
channel: web
type: {type}
category: urban-construction
department: {department}
submitter: 徐先生
message: |
  自家楼盘外墙墙砖出现大片脱落，存在安全隐患。
"""


class BoardWriter:
    """Writes a small board into a folder; tests then change one file at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("board.yaml", BOARD_YAML)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def ticket(
        self,
        ticket_id: str = "2026-000001",
        received: str = "2026-11-02T09:14:00+08:00",
        type: str = "complaint",
        department: str = "housing",
        extra: str = "",
    ) -> Path:
        text = TICKET_YAML.format(id=ticket_id, received=received, type=type, department=department)
        return self.write(f"tickets/{ticket_id[:4]}/{ticket_id}/ticket.yaml", text + extra)

    def reply(
        self,
        ticket_id: str,
        number: int,
        date: str,
        kind: str = "final",
        department: str = "housing",
        extra: str = "",
        body: str = "徐先生：您好！经现场核查，已安排物业对脱落墙砖进行清理并设置警示区域。此复。",
    ) -> Path:
        text = f"---\ndate: {date}\ndepartment: {department}\nkind: {kind}\n{extra}---\n{body}\n"
        return self.write(f"tickets/{ticket_id[:4]}/{ticket_id}/reply-{number}.md", text)


@pytest.fixture
def board(tmp_path: Path) -> BoardWriter:
    return BoardWriter(tmp_path)


def load_script(path: Path) -> ModuleType:
    """A script of scripts/ imported as a module, under its file's name."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def board_in(root: Path, locale: str) -> BoardWriter:
    """A small board in ``locale``: an answered ticket and an open one."""
    board = BoardWriter(root)
    text = (root / "board.yaml").read_text("utf-8").replace("locale: zh_CN", f"locale: {locale}")
    board.write("board.yaml", text)
    board.ticket()
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    board.ticket("2026-000002", received="2026-11-09T10:00:00+08:00")
    return board
