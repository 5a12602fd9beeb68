"""Nothing a reply or a message says can run on the public site."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from conftest import BoardWriter
from sitebuild import build_site, page

HOSTILE_REPLY = """\
徐先生：您好！经现场核查，已安排物业清理脱落墙砖。

<script>alert('x')</script>
<img src="x.png" onerror="alert(1)">
<a href="javascript:alert(1)">查看详情</a>
[点击这里](javascript:alert(2))
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<div style="position:fixed" onclick="steal()">按钮</div>
<svg><script>alert(3)</script></svg>
<a href="https://www.example.gov.cn/policy" onmouseover="x()">政策原文</a>

此复。
"""
HOSTILE_MESSAGE = """<script>alert('message')</script>
我家楼下的<b>路灯</b>坏了 & 很久没修。"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    board = BoardWriter(tmp_path_factory.mktemp("board"))
    board.ticket(extra="")
    text = (board.root / "tickets/2026/2026-000001/ticket.yaml").read_text("utf-8")
    text = (
        text.split("message: |")[0]
        + "message: |\n"
        + "".join(f"  {line}\n" for line in HOSTILE_MESSAGE.splitlines())
    )
    (board.root / "tickets/2026/2026-000001/ticket.yaml").write_text(text, "utf-8")
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00", body=HOSTILE_REPLY)
    return build_site(
        board.root,
        tmp_path_factory.mktemp("site") / "output",
        ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00",
    )


def test_reply_markdown_reaches_the_page_without_anything_executable(built: Path) -> None:
    soup = page(built, "tickets/2026-000001.html")
    body = soup.select_one(".reply-body")
    assert body is not None
    assert "经现场核查" in body.get_text()
    assert body.find_all(["script", "iframe", "style", "svg", "img", "div"]) == []
    for tag in body.find_all(True):
        assert not [a for a in tag.attrs if a.startswith("on") or a == "style"], tag
    links = {a.get_text(): a.get("href") for a in body.find_all("a")}
    assert links.get("政策原文") == "https://www.example.gov.cn/policy"
    assert all(not (href or "").lower().startswith("javascript:") for href in links.values())
    assert "noopener" in body.find("a", href="https://www.example.gov.cn/policy")["rel"]


def test_message_html_shows_as_text(built: Path) -> None:
    soup = page(built, "tickets/2026-000001.html")
    message = soup.select_one(".message")
    assert message is not None
    assert message.find_all(True) == []
    assert "<script>alert('message')</script>" in message.get_text()
    assert "<b>路灯</b>坏了 & 很久没修" in message.get_text()


def test_no_page_carries_inline_script(built: Path) -> None:
    for html in built.rglob("*.html"):
        soup = page(built, str(html.relative_to(built)))
        for script in soup.find_all("script"):
            source = script.get("src", "")
            assert source.endswith(
                ("theme/js/sort.js", "theme/js/search.js", "pagefind/pagefind-ui.js")
            ), html
            assert not script.string
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on")], (html, tag.name)
        csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert csp is not None
        assert "script-src 'self'" in csp["content"]


def test_feeds_carry_no_script(built: Path) -> None:
    feed = (built / "feeds/replies.atom.xml").read_text("utf-8")
    assert "经现场核查" in feed
    assert "<script" not in feed
    assert "&lt;script" not in feed
    # The reply's HTML travels escaped in each entry's summary: read it as HTML. Its
    # "[点击这里](javascript:…)" line follows raw HTML, which CommonMark keeps as text
    # (tests/test_markup_engine.py); no link may carry the scheme.
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(feed.encode()).iter(f"{atom}summary")
    texts = [entry.text or "" for entry in entries]
    assert texts
    for text in texts:
        html = BeautifulSoup(text, "html.parser")
        assert html.find_all(["script", "iframe", "style", "svg", "img"]) == []
        for tag in html.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on") or a == "style"], tag
            assert "javascript" not in str(tag.get("href", "")).lower(), tag


def test_board_with_errors_is_not_built(tmp_path: Path) -> None:
    from answerable.generator import BoardBuildError

    board = BoardWriter(tmp_path / "board")
    board.ticket(department="nowhere")
    with pytest.raises(BoardBuildError, match="1 error"):
        build_site(board.root, tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists()


def test_mistyped_plugin_setting_is_an_error(tmp_path: Path) -> None:
    from answerable.generator import BoardBuildError

    board = BoardWriter(tmp_path / "board")
    with pytest.raises(BoardBuildError, match="ANSWERABLE_PERPAGE"):
        build_site(board.root, tmp_path / "out", ANSWERABLE_PERPAGE=10)
