"""An XSS corpus in every text field: nothing executable reaches any page, feed or data file."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from conftest import BoardWriter
from sitebuild import build_site

# In the style of OWASP's filter evasion cheat sheet: breaking out of text, attributes,
# URLs and templates, with case, entity and whitespace tricks.
PAYLOADS = [
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg/onload=alert(3)>",
    "javascript:alert(4)",
    '<a href="jav&#x09;ascript:alert(5)">点击</a>',
    "<iframe src=javascript:alert(6)></iframe>",
    "<body onload=alert(7)>",
    "</title><script>alert(8)</script>",
    "<style>@import'//evil.example/x.css';</style>",
    "<IMG SRC=JaVaScRiPt:alert(9)>",
    "<<SCRIPT>alert(10)//<</SCRIPT>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=">x</a>',
    "{{ 7*7 }}{% for x in range(3) %}{{ x }}{% endfor %}",
    '<math><mi xlink:href="javascript:alert(12)">x</mi></math>',
    "'-alert(13)-'",
    '<object data="javascript:alert(14)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(15)">',
    "<details open ontoggle=alert(16)>",
    '=HYPERLINK("http://evil.example","x")',
]
MARKDOWN = """徐先生：您好！经现场核查，已安排物业清理。

[查看政策](javascript:alert(101)) [图](data:text/html,<script>alert(102)</script>)
<a href="https://www.example.gov.cn/" onclick="alert(103)">政策原文</a>
<img src=x onerror=alert(104)>
<script>alert(105)</script>
![图片](javascript:alert(106))
<form action="javascript:alert(107)"><button>提交</button></form>
<base href="https://evil.example/">

此复。"""
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
)
OUR_SCRIPTS = ("theme/js/sort.js", "theme/js/search.js", "pagefind/pagefind-ui.js")


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted string


@pytest.fixture(scope="module")
def board_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    payloads = itertools.cycle(PAYLOADS)
    board = BoardWriter(tmp_path_factory.mktemp("board"))
    text = (board.root / "board.yaml").read_text("utf-8")
    text = text.replace("name: 测试市网络问政平台", f"name: {_q(next(payloads))}")
    for name in (
        "测试市人民政府办公室",
        "测试市住房和城乡建设局",
        "东区人民政府",
        "城乡建设",
        "环境保护",
    ):
        text = text.replace(f"name: {name}", f"name: {_q(next(payloads)[:100])}")
    text += "types:\n" + "".join(
        f"  - {{id: {t}, name: {_q(next(payloads)[:100])}}}\n"
        for t in ("consultation", "help", "complaint", "suggestion")
    )
    text += "channels:\n  - {id: web, name: " + _q(next(payloads)[:100]) + "}\n"
    board.write("board.yaml", text)
    for number in range(1, len(PAYLOADS) + 1):
        ticket_id = f"2026-{number:06d}"
        extra = (
            f"location: {_q(next(payloads))}\n"
            f"tags: [{_q(next(payloads)[:100])}]\n"
            f"transfers:\n  - {{at: 2026-11-02T10:00:00+08:00, from: city, to: housing, reason: {_q(next(payloads))}}}\n"
            f"extensions:\n  - {{requested: 2026-11-03T10:00:00+08:00, approved: 2026-11-03T11:00:00+08:00,"
            f" approved_by: city, reason: {_q(next(payloads))}, due: 2026-11-20}}\n"
            f"rating: {{value: unsatisfied, at: 2026-11-10T10:00:00+08:00, source: online, comment: {_q(next(payloads))}}}\n"
        )
        path = board.ticket(ticket_id, extra=extra)
        data = path.read_text("utf-8").replace(
            "title: 小区外墙墙砖脱落", f"title: {_q(next(payloads))}"
        )
        data = data.replace("submitter: 徐先生", f"submitter: {_q(next(payloads)[:100])}")
        data = data.replace("  自家楼盘外墙墙砖出现大片脱落，存在安全隐患。", "  " + next(payloads))
        path.write_text(data, "utf-8")
        board.reply(ticket_id, 1, "2026-11-05T10:00:00+08:00", body=MARKDOWN,
                    extra=f"signed: {_q(next(payloads)[:200])}\n")  # fmt: skip
    return board.root


@pytest.fixture(scope="module")
def built(board_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site") / "output"
    return build_site(board_root, output, ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00")


def _executable(soup: BeautifulSoup, where: str) -> list[str]:
    found = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name == "script" and not (tag.get("src", "").endswith(OUR_SCRIPTS) and not tag.string):
            found.append(f"{where}: script {tag}")
        ours = (name == "body") or (name == "svg" and "chart" in tag.get("class", []))
        if (
            name
            in (
                "iframe",
                "frame",
                "object",
                "embed",
                "base",
                "form",
                "style",
                "svg",
                "math",
                "img",
                "body",
            )
            and not ours
        ):
            found.append(f"{where}: <{name}>")
        if name == "meta" and tag.get("http-equiv", "").lower() == "refresh":
            found.append(f"{where}: meta refresh")
        for attribute, value in tag.attrs.items():
            if attribute.lower().startswith("on") or attribute.lower() == "style":
                found.append(f"{where}: {name} {attribute}")
            if attribute.lower() in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                if url.startswith(("javascript:", "vbscript:", "data:")):
                    found.append(f"{where}: {name} {attribute}={value}")
    return found


def test_no_executable_content_in_any_page(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 20
    problems = []
    for html in pages:
        problems += _executable(
            BeautifulSoup(html.read_text("utf-8"), "html5lib"), str(html.relative_to(built))
        )
    assert problems == []


def test_payloads_show_as_text(board_root: Path, built: Path) -> None:
    from answerable.reading.loading import load_board

    loaded = load_board(board_root)
    assert len(loaded.tickets) == len(PAYLOADS)
    for file in loaded.tickets:
        ticket = file.ticket
        soup = BeautifulSoup((built / f"tickets/{ticket.id}.html").read_text("utf-8"), "html5lib")
        assert soup.select_one("h1").get_text() == f"{ticket.id} {ticket.title}"
        assert soup.select_one(".message").get_text() == ticket.message
    shown = [t.ticket.title for t in loaded.tickets if "{{ 7*7 }}" in t.ticket.title]
    assert shown  # the template-looking title reached a page as typed, not evaluated


def test_no_executable_content_in_feeds(built: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    problems = []
    for feed in sorted(built.rglob("*.atom.xml")):
        root = ET.parse(feed).getroot()
        for element in root.iter():
            if element.tag in (f"{atom}summary", f"{atom}content") and element.text:
                problems += _executable(
                    BeautifulSoup(element.text, "html5lib"), f"{feed.name} {element.tag}"
                )
            elif element.text and element.tag.endswith(("title", "name")):
                # Plain-text elements: a reader shows them as text, but markup must not sneak in.
                assert (
                    "<script" not in (element.text or "").lower()
                    or element.get("type", "text") == "text"
                )
    assert problems == []


def test_no_markup_in_data_files(built: Path) -> None:
    files = [*built.rglob("*.json"), *(built / "data").glob("*.csv")]
    files = [f for f in files if "pagefind" not in f.parts]
    assert len(files) > 5
    for path in files:
        text = path.read_text("utf-8")
        if path.suffix == ".json":
            assert "<" not in text, path
            json.loads(text)
        else:
            for line in text.splitlines()[1:]:
                assert not re.search(r'(^|,)"?=', line), (path, line)
