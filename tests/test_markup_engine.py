"""Reply bodies render through pyromark (CommonMark) and nh3 as they did through
Python-Markdown and nh3: the same HTML on every reply the demo board and a generated
corpus hold, and, where the engines read a hostile or unusual body differently, the
reading a reply's author meant, with nothing executable either way."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

import markdown
import nh3
import pytest
from bs4 import BeautifulSoup

from answerable.reading.loading import load_board
from answerable.site import markup
from answerable.site.markup import ReplyRenderer
from conftest import ROOT

CORPUS_TICKETS = 2_000


def python_markdown(text: str) -> str:
    """What the site showed before: Python-Markdown (tables, sane lists), then nh3."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=markup.TAGS,
        attributes=markup.ATTRIBUTES,
        url_schemes=markup.URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def pyromark_html(text: str) -> str:
    return str(ReplyRenderer().render(text))


def assert_safe(html: str) -> None:
    """Only the listed tags and attributes, no handler, style or script, and links only
    to the listed schemes: what a reply may put on the page."""
    soup = BeautifulSoup(html, "html5lib")
    body = soup.body
    assert body is not None
    for tag in body.find_all(True):
        assert tag.name in markup.TAGS, (tag.name, html)
        allowed = markup.ATTRIBUTES.get(tag.name, set()) | ({"rel"} if tag.name == "a" else set())
        assert set(tag.attrs) <= allowed, (tag.attrs, html)
        href = tag.get("href")
        if href is not None:
            assert urlsplit(str(href)).scheme in markup.URL_SCHEMES, (href, html)
            assert tag.get("rel") == ["noopener", "noreferrer", "nofollow"], html


@pytest.fixture(scope="module")
def replies(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every reply body of the demo board and of a generated 2,000-ticket board."""
    corpus = tmp_path_factory.mktemp("corpus") / "board"
    subprocess.run(
        [sys.executable, ROOT / "scripts/make_corpus.py", corpus, "--tickets", f"{CORPUS_TICKETS}"],
        check=True,
        capture_output=True,
    )
    bodies = []
    for root in (ROOT, corpus):
        loaded = load_board(root)
        bodies += [reply.body for file in loaded.tickets for reply in file.replies]
    return bodies


def test_every_reply_of_the_demo_board_and_the_corpus_renders_as_before(
    replies: list[str],
) -> None:
    assert len(replies) > CORPUS_TICKETS // 2  # the corpus answers most of its tickets
    different = [text for text in replies if pyromark_html(text) != python_markdown(text)]
    assert different == []
    for text in replies[:200]:
        assert_safe(pyromark_html(text))


# Bodies both engines read alike: the same HTML after nh3.
SAME = {
    "inline raw HTML with a handler": '您好<div onclick="alert(1)">点击</div>结束',
    "inline script": "答复如下<script>alert(1)</script>完毕",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "javascript: link": "[点这里](javascript:alert(1))",
    "javascript: link, mixed case": "[点这里](JaVaScRiPt:alert(1))",
    "javascript: link, entity": "[点这里](&#106;avascript:alert(1))",
    "raw javascript: anchor": '<a href="javascript:alert(1)">查看</a>',
    "data: link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript: link": "[x](vbscript:msgbox)",
    "image": "![图](https://evil.example/x.png)",
    "autolink": "<https://www.example.gov.cn/a?b=1&c=2>",
    "mailto": "[写信](mailto:office@example.gov.cn)",
    "tel": "[致电](tel:12345)",
    "reference link": '见[办法][1]。\n\n[1]: https://example.gov.cn/rule "标题"',
    "link title": '[办法](https://example.gov.cn "青川")',
    "link with parentheses": "[a](https://example.gov.cn/a_(b))",
    "anchor with target and handler": '<a href="https://x" target="_blank" onclick="x">x</a>',
    "bare URL": "访问 https://example.gov.cn 查询",
    "ordered list from 3": "3. 第三\n4. 第四",
    "list with tabs": "-\t一\n-\t二",
    "hard break, two spaces": "第一行  \n第二行",
    "soft break": "第一行\n第二行",
    "Chinese punctuation": "您好！关于“路灯”问题：（一）已修复；（二）已回访。……完毕。",
    "emphasis beside CJK": "**重要**：请于*本周*内办理。",
    "strong inside quotes": "请**务必**在“**三日内**”办理。",
    "ASCII quotes and ampersands": 'He said "fixed" & it\'s done > 3 days, a<b',
    "code span": "请在系统中输入 `a < b && c` 查询。",
    "code span with HTML": "输入 `<script>alert(1)</script>` 无效",
    "headings": "# 标题一\n\n### 标题三",
    "setext heading": "标题\n===",
    "rule": "段一\n\n---\n\n段二",
    "blockquote": "> 引用\n> 第二行",
    "lazy blockquote": "> 引用\n续行",
    "entities": "A &amp; B &copy; &#x4e2d; &nbsp; <",
    "comment": "前<!-- 注释 -->后",
    "tildes stay text": "~~删除~~",
    "underscores inside words": "snake_case_name 和 file_name",
    "escaped stars": "\\*不是强调\\*",
    "abbr": '<abbr title="x">AB</abbr>',
    "sup": "x<sup>2</sup>",
    "style attribute": '<p style="color:red">红</p>',
    "svg script": "<svg><script>alert(1)</script></svg>",
    "form": '<form action="https://evil"><input name=x></form>',
    "Markdown inside inline HTML": "<div>**粗**</div>",
    "empty": "",
}

# Bodies CommonMark reads differently, each with pyromark's HTML after nh3 and why it
# is the right reading for a citizen's reply (or harmless: whitespace between tags).
DIFFERENT = {
    # Python-Markdown needs a blank line before a list; replies write
    # "办理如下：" and the list on the next line, and mean a list.
    "list right after a paragraph": (
        "办理如下：\n1. 一\n2. 二",
        "<p>办理如下：</p>\n<ol>\n<li>一</li>\n<li>二</li>\n</ol>",
    ),
    "bullets right after a paragraph": (
        "办理如下：\n- 一\n- 二",
        "<p>办理如下：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>",
    ),
    # Python-Markdown nests only at four spaces and flattened this into one list.
    "nested list, two spaces": (
        "- 一\n  - 一之一\n- 二",
        "<ul>\n<li>一\n<ul>\n<li>一之一</li>\n</ul>\n</li>\n<li>二</li>\n</ul>",
    ),
    # A new list marker starts a new list instead of becoming text inside an item.
    "ordered then bullet": ("1. 甲\n- 乙", "<ol>\n<li>甲</li>\n</ol>\n<ul>\n<li>乙</li>\n</ul>"),
    # Only the line break after "一" differs from Python-Markdown's.
    "nested list break": (
        "- 一\n    - 一之一",
        "<ul>\n<li>一\n<ul>\n<li>一之一</li>\n</ul>\n</li>\n</ul>",
    ),
    # The same table; no line breaks between cells, which the page does not show.
    "table": (
        "| 项目 | 结果 |\n|---|---|\n| 路灯 | 已修复 |\n| 井盖 | 已更换 |",
        "<table><thead><tr><th>项目</th><th>结果</th></tr></thead><tbody>\n"
        "<tr><td>路灯</td><td>已修复</td></tr>\n<tr><td>井盖</td><td>已更换</td></tr>\n"
        "</tbody></table>",
    ),
    # CommonMark's hard break; Python-Markdown showed the backslash.
    "backslash line break": ("第一行\\\n第二行", "<p>第一行<br>\n第二行</p>"),
    # A fenced block is code, shown escaped; Python-Markdown (without the fenced_code
    # extension) showed the fences as text and nh3 removed the script.
    "fenced script": (
        "```\n<script>alert(1)</script>\n```",
        "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>",
    ),
    # No final newline inside the code block: nothing a reader sees.
    "indented code": ("    缩进代码\n    第二行", "<pre><code>缩进代码\n第二行</code></pre>"),
    # Trailing spaces of a paragraph are dropped.
    "trailing spaces": ("结束   ", "<p>结束</p>"),
    # A raw HTML block keeps no empty paragraph around it; its tags are removed by nh3
    # either way and only the text stays.
    "raw HTML block": ("<div>\n块\n</div>\n\n段落", "\n块\n\n<p>段落</p>"),
    "script block": ("<script>\nalert(1)\n</script>\n\n正文", "\n<p>正文</p>"),
    "style block": ("<style>body{display:none}</style>\n\n正文", "\n<p>正文</p>"),
    # A line opening with an HTML tag (here <img>) starts an HTML block that runs to the
    # next blank line: the Markdown link below it stays text, so the reader sees the
    # words and no link (Python-Markdown made it an anchor without href). Staff who mix
    # HTML and Markdown see it in review; nothing of it can run either way.
    "raw HTML then a link": (
        '<img src="x.png" onerror="alert(1)">\n[点击这里](javascript:alert(2))\n\n此复。',
        "\n[点击这里](javascript:alert(2))\n<p>此复。</p>",
    ),
    "image with handler": ('<img src=x onerror="alert(1)">', ""),
    # CommonMark makes an autolink of any scheme; nh3 drops the href, so the words stay
    # as text in an anchor that links nowhere (Python-Markdown dropped them).
    "javascript: autolink": (
        "<javascript:alert(1)>",
        '<p><a rel="noopener noreferrer nofollow">javascript:alert(1)</a></p>',
    ),
}


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_edge_cases_render_as_before(text: str) -> None:
    assert pyromark_html(text) == python_markdown(text)
    assert_safe(pyromark_html(text))


@pytest.mark.parametrize(("text", "expected"), DIFFERENT.values(), ids=DIFFERENT.keys())
def test_edge_cases_commonmark_reads_differently(text: str, expected: str) -> None:
    assert pyromark_html(text) == expected
    assert python_markdown(text) != expected  # else it belongs with SAME
    assert_safe(expected)
