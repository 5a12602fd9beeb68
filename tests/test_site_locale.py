"""The interface speaks the board's language: Chinese by default, English with locale: en."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import board_in
from sitebuild import ROOT, build_site, page

LOCALE = ROOT / "plugins/answerable/locale"


@pytest.mark.parametrize(
    ("locale", "lang", "overdue", "date"),
    [("en", "en", "Overdue", "November 2, 2026"), ("zh_CN", "zh-CN", "已超期", "2026年11月2日")],
)
def test_interface_language(
    tmp_path: Path, locale: str, lang: str, overdue: str, date: str
) -> None:
    board = board_in(tmp_path / "board", locale)
    out = build_site(board.root, tmp_path / "out", ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00")
    soup = page(out, "tickets/2026-000002.html")
    assert soup.find("html")["lang"] == lang
    assert soup.select_one(".ticket-status .status").get_text(strip=True) == overdue
    assert date in page(out, "tickets/2026-000001.html").select_one(".facts time").get_text()


def _extracted(folder: Path) -> set[str]:
    """The messages the sources use now: the template `pybabel extract` writes (not kept
    in the repository, so it cannot fall out of date)."""
    from babel.messages.frontend import CommandLineInterface

    fresh = folder / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_n:1,2",
         "--no-location", "--sort-output", "--omit-header", "-o", str(fresh), str(ROOT)]
    )  # fmt: skip
    with fresh.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_catalog_translates_every_message_the_sources_use(tmp_path: Path) -> None:
    used = _extracted(tmp_path)
    with (LOCALE / "zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    held = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    hint = "run the pybabel commands in docs/site.md (Languages)"
    assert used - translated == set(), f"translate these in zh_CN/LC_MESSAGES/messages.po; {hint}"
    # Entries `pybabel update` marks obsolete (#~) are not in `catalog`; live ones must be used.
    assert held - used == set(), f"no source uses these any more; {hint}"


def test_no_message_template_is_kept() -> None:
    """The .pot is derived from the sources whenever it is needed, never committed."""
    assert not (LOCALE / "messages.pot").exists()


TEMPLATE = """\
<p title="{{ _('Reports') }}">{{ _('Reports') }}|{{ _('Reports')|upper }}|{{ _('Reports').lower() }}
{{ _('Rank %(rank)s of %(count)s', rank=1, count=2) }}|{{ _('No such message <b>') }}
{% set label = _('Overdue') %}{{ label ~ '<' }}|{{ x._('Reports') }}|{{ _('50%% done') }}</p>"""


class _Holder:
    @staticmethod
    def _(text: str) -> str:
        return f"own {text}"


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_texts_translated_once_equal_texts_translated_on_every_page(locale: str) -> None:
    """TranslatedText folds plain `_('…')` into the compiled template; the page must be
    the one Jinja's own gettext gives, escaping, filters and methods included."""
    from jinja2 import Environment

    from answerable.site.i18n import TranslatedText, translations

    def environment(folded: bool) -> Environment:
        env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        if folded:
            env.add_extension(TranslatedText)
            env.answerable_gettext = translations(locale).gettext  # type: ignore[attr-defined]
        env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
        return env

    pages = [
        environment(folded).from_string(TEMPLATE).render(x=_Holder()) for folded in (False, True)
    ]
    assert pages[0] == pages[1]
    assert ("报告" if locale == "zh_CN" else "Reports") in pages[1]
    compiled = environment(True).compile(TEMPLATE, raw=True)
    # Still calls: the two messages with placeholders or %, the holder's own `_`, and
    # `.lower()`; the six plain `_('…')` are constants (ten calls without folding).
    assert compiled.count("context.call(") == 4
    assert "'Rank %(rank)s of %(count)s'" in compiled
