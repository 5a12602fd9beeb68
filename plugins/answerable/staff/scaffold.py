"""A new board repository: what ``answerable init`` writes.

The templates are plain files in ``scaffold/`` next to this module: ``common/`` for every
board, ``zh_CN/`` and ``en/`` for the board's language. A placeholder is written
``${name}`` (lower case); nothing else is touched, so GitHub Actions' ``${{ ... }}``
expressions and shell variables such as ``$GITHUB_STEP_SUMMARY`` pass through as
written. A missing value is an error, never an empty string.
"""

from __future__ import annotations

import json
import re
import string
import tempfile
from datetime import UTC, date, datetime
from importlib import metadata, resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from answerable.checks.problems import Severity
from answerable.checks.schema import schema_text

LOCALES = ("zh_CN", "en")
SCHEMAS = ("board", "ticket", "reply")

# (template, file in the new board); "{locale}" picks the board's language folder.
FILES: tuple[tuple[str, str], ...] = (
    ("{locale}/board.yaml", "board.yaml"),
    ("common/pelicanconf.py.tmpl", "pelicanconf.py"),
    ("common/publishconf.py.tmpl", "publishconf.py"),
    ("{locale}/pages/about.md", "content/pages/about.md"),
    ("{locale}/pages/how-to-submit.md", "content/pages/how-to-submit.md"),
    ("{locale}/pages/review.md", "content/pages/review.md"),
    ("common/gitignore", ".gitignore"),
    ("common/pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("common/github/workflows/validate.yml", ".github/workflows/validate.yml"),
    ("common/github/workflows/overdue.yml", ".github/workflows/overdue.yml"),
    ("common/github/workflows/pages.yml", ".github/workflows/pages.yml"),
    ("{locale}/pull_request_template.md", ".github/pull_request_template.md"),
)


class ScaffoldError(Exception):
    """The board cannot be created; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Template(string.Template):
    """Only ``${lower_case}`` is a placeholder; ``$$`` is a literal ``$``."""

    flags = re.NOFLAG
    pattern = r"""
    \$(?:
      (?P<escaped>\$)
    | \{(?P<braced>[a-z][a-z0-9_]*)\}
    | (?P<named>(?!))
    | (?P<invalid>(?!))
    )
    """


def office_name(city: str, locale: str) -> str:
    """The name of the office that runs the board, in the board's language."""
    return f"{city}人民政府办公室" if locale == "zh_CN" else f"{city} Government Office"


def default_name(city: str, locale: str) -> str:
    """A name for the board when none is given."""
    return f"{city}网络问政公开平台" if locale == "zh_CN" else f"{city} Public Replies Board"


def init_board(
    target: Path,
    *,
    name: str,
    locale: str,
    timezone: str,
    country: str,
    city: str,
    force: bool = False,
    today: date | None = None,
) -> list[Path]:
    """Write a new board repository into ``target`` and return the files written.

    ``today``, the day of adoption (default: today in the board's time zone), becomes
    ``witnessed_since``: replies merged from then on count from when they were merged
    if that is later than their date.

    ``target`` must not exist or be empty, unless ``force``: then the scaffold's files
    are overwritten and every other file is left alone. The new board.yaml is checked
    like ``answerable validate`` before anything is written.
    """
    name, city, timezone, country = (v.strip() for v in (name, city, timezone, country))
    if locale not in LOCALES:
        raise ScaffoldError(f"locale '{locale}' is not supported; choose {' or '.join(LOCALES)}")
    if not name or not city:
        raise ScaffoldError("the board needs a name and a city")
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ScaffoldError(
            f"{target} is not empty; choose a new or empty folder (or --force to overwrite "
            "the scaffold's files)"
        )
    office = office_name(city, locale)
    if today is None:
        try:
            today = datetime.now(ZoneInfo(timezone)).date()
        except (ZoneInfoNotFoundError, ValueError):  # refused below, with the board's message
            today = datetime.now(UTC).date()
    values = {
        "name": name,
        "city": city,
        "office": office,
        "timezone": timezone,
        "country": country,
        "locale": locale,
        "today": today.isoformat(),
        "version": _version(),
        "pagefind": _pagefind_requirement(),
    }
    yaml_values = {k: _yaml_scalar(v) for k, v in values.items()}
    yaml_values["today"] = values["today"]  # a date, written as YAML's date
    python_values = _python_values(name=name, office=office, timezone=timezone, locale=locale)
    texts: dict[str, str] = {}
    for template, rel in FILES:
        source = template.format(locale=locale)
        if rel.endswith(".py"):
            texts[rel] = _render(source, python_values)
        elif rel == "board.yaml":
            texts[rel] = _render(source, yaml_values)
        else:
            texts[rel] = _render(source, values)
    for kind in SCHEMAS:
        texts[f"schemas/{kind}.schema.json"] = schema_text(kind)
    texts["tickets/.gitkeep"] = ""
    _check_board(texts["board.yaml"])
    written = []
    try:
        for rel, text in texts.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
    except OSError as error:
        raise ScaffoldError(f"cannot write {target}: {error}") from None
    return written


def pelican_settings(*, name: str, office: str, timezone: str, locale: str) -> str:
    """The pelicanconf.py of a new board, kept beside its board.yaml: the plugin and
    theme come from the installed package."""
    values = _python_values(name=name, office=office, timezone=timezone, locale=locale)
    return _render("common/pelicanconf.py.tmpl", values)


def _python_values(*, name: str, office: str, timezone: str, locale: str) -> dict[str, str]:
    return {  # a JSON string is a Python string literal too
        "author": json.dumps(office, ensure_ascii=False),
        "sitename": json.dumps(name, ensure_ascii=False),
        "timezone": json.dumps(timezone, ensure_ascii=False),
        "locale": json.dumps(locale, ensure_ascii=False),
    }


def _render(template: str, values: dict[str, str]) -> str:
    text = resources.files("answerable").joinpath("scaffold", template).read_text("utf-8")
    try:
        return _Template(text).substitute(values)
    except KeyError as error:  # a template names a value we do not have: our bug
        raise ScaffoldError(f"template {template} needs a value for {error}") from None


def _yaml_scalar(value: str) -> str:
    """``value`` plain when YAML reads it back as the same text, else double-quoted."""
    try:
        plain = yaml.safe_load(f"k: {value}\n") == {"k": value} and yaml.safe_load(
            f"[{{k: {value}}}]\n"
        ) == [{"k": value}]
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _check_board(text: str) -> None:
    """Refuse a board.yaml that ``answerable validate`` would reject (zone, country...)."""
    # Here, not at the top: the command line reads LOCALES from this module at start-up.
    from answerable.checks.validation import validate  # noqa: PLC0415
    from answerable.reading.loading import load_board  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "board.yaml").write_text(text, encoding="utf-8")
        problems = validate(load_board(Path(folder)))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        lines = [f"board.yaml:{p.line}:{p.column}: {p.code} {p.message}" for p in errors]
        raise ScaffoldError("the new board.yaml would not be valid:\n" + "\n".join(lines))


def _version() -> str:
    try:
        return metadata.version("answerable")
    except metadata.PackageNotFoundError:
        raise ScaffoldError(
            "answerable is not installed, so the workflows cannot pin its version; "
            "install it with pip first"
        ) from None


def _pagefind_requirement() -> str:
    """The site's search index is built by Pagefind; pin the version that runs here."""
    try:
        return f"pagefind[extended]=={metadata.version('pagefind')}"
    except metadata.PackageNotFoundError:
        return "pagefind[extended]"
