"""The site's language: gettext catalogs (Babel) and dates and numbers per locale.

Catalogs are kept as .po files only; they are compiled in memory when a site is
built, so no binary file needs to be kept in step with its source.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

if TYPE_CHECKING:
    from answerable.core.status import StatusSpan

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"


def catalog_file(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog_digest(locale: str) -> str:
    """Of the texts templates are compiled with for ``locale`` (English has no file)."""
    po = catalog_file(locale)
    data = po.read_bytes() if po.is_file() else b""
    return hashlib.blake2b(locale.encode() + b"\0" + data, digest_size=16).hexdigest()


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale``; English is the source language and needs none."""
    po = catalog_file(locale)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class TranslatedText(Extension):
    """Translates ``_('text')`` once, when a template is compiled, not on every page.

    A page has dozens of fixed labels, and each call of ``_`` through Jinja's newstyle
    gettext costs two context calls, a catalog lookup, a Markup and a ``%`` formatting:
    about a fifth of the time a page takes to render. A call with a literal, no
    placeholders and no ``%`` becomes that text, marked safe as newstyle gettext marks
    it; every other call is left to gettext. ``environment.answerable_gettext`` is
    the catalog's gettext; compiled templates must be dropped when it changes.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        # answerable_catalog names the texts answerable_gettext gives (catalog_digest):
        # compiled templates, in memory or in the bytecode cache, are kept by it.
        environment.extend(answerable_gettext=None, answerable_catalog="")

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        gettext: Callable[[str], str] | None = self.environment.answerable_gettext  # type: ignore[attr-defined]
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            call = [t.type for t in tokens[index : index + 4]]
            if (
                gettext is not None
                and token.test("name:_")
                and call == ["name", "lparen", "string", "rparen"]
                and (index == 0 or tokens[index - 1].type != "dot")
                and "%" not in (text := gettext(tokens[index + 2].value)) + tokens[index + 2].value
            ):
                line = token.lineno
                # ('text'|safe): a constant, which Jinja's optimiser writes into the page.
                yield Token(line, "lparen", "(")
                yield Token(line, "string", text)
                yield Token(line, "pipe", "|")
                yield Token(line, "name", "safe")
                yield Token(line, "rparen", ")")
                index += 4
                continue
            yield token
            index += 1


def install_catalog(environment: Environment, locale: str) -> None:
    """Make ``environment``'s templates speak ``locale``; templates compiled with other
    texts are dropped (the bytecode cache keys by the catalog, TemplateBytecodeCache)."""
    catalog = translations(locale)
    environment.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    environment.answerable_gettext = catalog.gettext  # type: ignore[attr-defined]
    environment.answerable_catalog = catalog_digest(locale)  # type: ignore[attr-defined]
    if environment.cache is not None:
        environment.cache.clear()


@cache
def _compiler_digest() -> str:
    """Of this module, whose TranslatedText rewrites templates as they are compiled."""
    return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).hexdigest()


def compile_key(environment: Environment) -> bytes:
    """Everything compiling a template bakes into its code besides its name and source:
    Jinja's version, the syntax and whitespace settings, autoescaping, the extensions,
    and the texts TranslatedText writes in (none until a catalog is installed)."""
    env = environment
    gettext = getattr(env, "answerable_gettext", None)
    parts = [
        jinja2.__version__,
        _compiler_digest(),
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
        env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, env.is_async, env.finalize is not None,
        # A function decides per template: its name stands for what it decides.
        getattr(env.autoescape, "__qualname__", env.autoescape),
        sorted(env.extensions),
        getattr(env, "answerable_catalog", "") if gettext is not None else "no catalog",
    ]  # fmt: skip
    return json.dumps(parts, default=str).encode()


class TemplateBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between builds in a private folder of the user's cache.

    Jinja keys a compiled template by its name, file and source; TranslatedText also
    writes the catalog's texts into the code, so the key here adds ``compile_key``: a
    Chinese board's compiled page is never served to an English one. A folder that
    cannot be made or written, or an entry that cannot be read, only costs a compile.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        plain = self.get_cache_key(name, filename).encode()
        key = hashlib.sha1(plain + b"\0" + compile_key(environment)).hexdigest()  # noqa: S324 - a cache key
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()  # a damaged entry: compile afresh

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            super().dump_bytecode(bucket)
        except OSError:
            return  # a cache that cannot be written only makes the next build slower


class Formatter:
    """Dates, times, numbers and spans written the way the board's readers write them."""

    def __init__(self, locale: str, zone: object) -> None:
        self.locale = Locale.parse(locale)
        self.zone = zone
        self.chinese = self.locale.language == "zh"
        # Every ticket's labels ask the catalog for the same few dozen texts (64,000 times
        # for 10,000 tickets): each is looked up once.
        self._ = lru_cache(maxsize=4096)(translations(locale).gettext)
        self._n = lru_cache(maxsize=4096)(translations(locale).ngettext)
        # Babel reads its pattern and locale data again for every value; a site shows the
        # same days and counts on thousands of pages. Bounded: a process renders many.
        self._day = lru_cache(maxsize=4096)(partial(format_date, format="long", locale=self.locale))
        self._decimal = lru_cache(maxsize=4096)(self._decimal_text)
        self._percent = lru_cache(maxsize=4096)(
            partial(format_percent, format="#,##0.0%", locale=self.locale)
        )

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()  # type: ignore[arg-type]
        return self._day(value)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        local = value.astimezone(self.zone)  # type: ignore[arg-type]
        return f"{self._day(local.date())} {local:%H:%M}"

    def month(self, year: int, month: int) -> str:
        return (
            format_datetime(datetime(year, month, 1), "yyyy MMMM", locale=self.locale)
            if not self.chinese
            else f"{year}年{month}月"
        )

    def iso(self, value: datetime) -> str:
        """Machine-readable moment for <time datetime>."""
        return value.astimezone(self.zone).isoformat()  # type: ignore[arg-type]

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        return self._decimal(value, digits)

    def _decimal_text(self, value: float, digits: int) -> str:
        pattern = "#,##0" if float(value).is_integer() else "#,##0." + "0" * digits
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float | None) -> str:
        if value is None:
            return "–"
        return self._percent(value)

    def span(self, value: timedelta) -> str:
        """A length of time such as '2 days 3 hours' or '2天3小时'."""
        minutes = int(abs(value).total_seconds() // 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        parts = []
        if days:
            parts.append(self._n("%(num)d day", "%(num)d days", days) % {"num": days})
        if hours:
            parts.append(self._n("%(num)d hour", "%(num)d hours", hours) % {"num": hours})
        if not days and (minutes or not hours):
            parts.append(self._n("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes})
        return ("" if self.chinese else " ").join(parts)

    def span_text(self, span: StatusSpan) -> str:
        """'until November 24, 2026 20:59, then due soon', said after the status."""
        _ = self._
        until = {"until": self.datetime(span.until)}
        if span.then == "due-soon":
            return _("until %(until)s, then due soon") % until
        if span.then == "overdue":
            return _("until %(until)s, then overdue") % until
        if span.then == "open":
            return _("until %(until)s, then open") % until
        # An event the files date later (a final reply, a withdrawal) changes it; the
        # page shows no event before its moment, so it names none.
        return _("until %(until)s") % until

    def overdue_text(self, due: datetime) -> str:
        """'since November 10, 2026 17:59', said after an overdue ticket's status."""
        return self._("since %(when)s") % {"when": self.datetime(due)}

    def working_days(self, count: int) -> str:
        return self._n("%(num)d working day", "%(num)d working days", count) % {"num": count}
