"""The ``answerable`` command: thin wrappers that parse options, call the core, print.

Exit codes: 0 all well, 1 problems found (or tickets overdue), 2 usage error or a board
whose board.yaml cannot be read.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

import click

from answerable.checks.problems import Problem, Severity
from answerable.checks.schema import SCHEMA_MODELS, schema_text
from answerable.cli import formats
from answerable.core.stats import GROUPINGS, Period, PeriodError
from answerable.staff.scaffold import LOCALES, ScaffoldError, default_name, init_board

# Each command imports what it alone uses (Pelican, ruamel.yaml, openpyxl ...) when it
# runs, so that no command pays for another's libraries.
if TYPE_CHECKING:
    from answerable.core.snapshot import Snapshot
    from answerable.incremental.changes import AskedGit
    from answerable.reading.loading import LoadedBoard
    from answerable.staff.authoring import Authoring, Change


class Timestamp(click.ParamType):
    name = "timestamp"

    def convert(
        self,
        value: Any,  # noqa: ANN401 - click's API
        param: click.Parameter | None,
        ctx: click.Context | None,
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a timestamp; write e.g. 2026-11-20T21:30:00+08:00")
        if moment.tzinfo is None:
            self.fail(f"'{value}' has no UTC offset; add one, e.g. +08:00")
        return moment


class PeriodType(click.ParamType):
    name = "period"

    def convert(
        self,
        value: Any,  # noqa: ANN401 - click's API
        param: click.Parameter | None,
        ctx: click.Context | None,
    ) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return Period.parse(str(value))
        except PeriodError as error:
            self.fail(str(error))


BOARD_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class BoardFolder(click.Path):
    """A folder holding board.yaml: a user who types the wrong folder is told so at once."""

    def __init__(self) -> None:
        super().__init__(exists=True, file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:  # noqa: ANN401
        folder = super().convert(value, param, ctx)
        if not (Path(folder) / "board.yaml").is_file():
            shown = formats.shown(Path(folder).resolve())
            self.fail(
                f"{shown} holds no board.yaml; give the board's folder (the one holding"
                " board.yaml), or run the command there",
                param,
                ctx,
            )
        return folder


def board_option() -> Any:  # noqa: ANN401 - a click decorator
    return click.option(
        "--board",
        "root",
        type=BoardFolder(),
        default=".",
        show_default=True,
        envvar="ANSWERABLE_BOARD",
        help="The board repository (the folder holding board.yaml).",
    )


def settings_option(what: str) -> Any:  # noqa: ANN401 - a click decorator
    return click.option(
        "--settings",
        "settings_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"{what} Default: pelicanconf.py in the board.",
    )


def as_of_option() -> Any:  # noqa: ANN401 - a click decorator
    return click.option(
        "--as-of",
        type=Timestamp(),
        help="The moment statuses describe, with offset. Default: board.yaml's as_of, else now.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="answerable")
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="ANSWERABLE_NO_CACHE",
    help="Read and check every file afresh; do not read or write the build state.",
)
def cli(no_cache: bool) -> None:
    """Answerable: a public board of citizens' messages and government replies."""


def _cache_on() -> bool:
    return not click.get_current_context().find_root().params.get("no_cache", False)


def _ask_git(root: Path) -> AskedGit | None:
    """Git, asked about the board's files at once, when the build state is used: it
    works while the command imports what it needs (docs/performance.md)."""
    if not _cache_on():
        return None
    from answerable.incremental.changes import AskedGit  # noqa: PLC0415 - os and subprocess only

    return AskedGit(root)


def _not_built(error: Exception) -> click.ClickException:
    """Why the build stopped, and that the published site is as it was, unless the build
    says otherwise (a swap that could not be undone)."""
    left = getattr(error, "site_left", True)
    return click.ClickException(
        formats.shown(error) + ("; the published site was left as it was" if left else "")
    )


def _load(root: Path) -> LoadedBoard:
    """The board, with unchanged files taken from the build state (see docs/site.md)."""
    from answerable.incremental.remembered import load_remembered  # noqa: PLC0415
    from answerable.incremental.state import BuildState  # noqa: PLC0415
    from answerable.reading.loading import default_workers  # noqa: PLC0415

    state = BuildState(root) if _cache_on() else None
    return load_remembered(root, state, workers=default_workers())


@cli.command()
@click.argument("path", type=BOARD_DIR, default=".", envvar="ANSWERABLE_BOARD")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: path:line:col: CODE message; json; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings and notices too.")
@as_of_option()
@settings_option("Pelican settings, to check the content folder.")
def validate(
    path: Path, fmt: str, strict: bool, as_of: datetime | None, settings_file: Path | None
) -> None:
    """Check a board: every file, every reference, every date.

    Also names, in notices, what the site would leave out: tickets and replies dated
    after the moment (--as-of, else board.yaml's as_of, else now) and content files
    that Pelican does not publish. Exits 0 when clean, 1 when errors are found (with
    --strict: any problem).
    """
    asked = _ask_git(path)
    # Pelican's import and its reading of the content folder (0.2 s) go on meanwhile.
    notices = _content_notices(path, settings_file, meanwhile=True)
    from answerable.build.plan import plan_build  # noqa: PLC0415 - what build and validate share
    from answerable.reading.loading import default_workers  # noqa: PLC0415

    plan = plan_build(
        path, as_of, cache=_cache_on(), workers=default_workers(), records=False, asked=asked
    )
    problems = sorted([*plan.problems, *notices()])
    render = {
        "text": formats.problems_text,
        "json": formats.problems_json,
        "github": formats.problems_github,
    }[fmt]
    output = render(problems)
    if output:
        click.echo(output)
    failing = [p for p in problems if strict or p.severity is Severity.ERROR]
    _leave(1 if failing else 0, plan)


def _content_notices(
    root: Path, settings_file: Path | None, *, meanwhile: bool = False
) -> Callable[[], list[Problem]]:
    """Notices about content files the site does not publish (none without settings),
    when asked for; ``meanwhile``: worked out from now on in another process."""
    settings_file = settings_file or root / "pelicanconf.py"
    if not settings_file.is_file():
        return list
    from answerable.checks.unpublished import ContentCheckError, content_notices  # noqa: PLC0415 - Pelican's
    from answerable.processes import in_background  # noqa: PLC0415

    check = partial(content_notices, root, settings_file)
    found = in_background(check) if meanwhile else check

    def notices() -> list[Problem]:
        try:
            return found()
        except ContentCheckError as error:
            click.echo(f"warning: the content folder was not checked: {error}", err=True)
            return []

    return notices


class UnreadableBoard(click.ClickException):
    """Exit 2, so that a scheduled job can tell a broken board from overdue tickets."""

    exit_code = 2


def _snapshot(root: Path, as_of: datetime | None) -> Snapshot:
    from answerable.core.snapshot import BoardError, open_board  # noqa: PLC0415
    from answerable.incremental.settled import kept_states  # noqa: PLC0415
    from answerable.incremental.state import BuildState  # noqa: PLC0415
    from answerable.reading.witness import read_witness  # noqa: PLC0415

    loaded = _load(root)
    # The same witnessed times as the site's build: one read of git, here.
    witness = read_witness(root, loaded.board, cache=_cache_on())
    if witness.notice:
        click.echo(witness.notice, err=True)
    # Quiet tickets' states as the last run kept them: their records are not read.
    states = kept_states(BuildState(root) if _cache_on() else None, loaded.board_digest)
    try:
        snapshot = open_board(loaded, as_of, datetime.now(UTC), witness.times, states)
    except BoardError as error:
        raise UnreadableBoard(formats.shown(error)) from None
    errors = [p for p in snapshot.loaded.problems if p.severity is Severity.ERROR]
    if errors:
        _warn_skipped(errors)
    return snapshot


def _warn_skipped(errors: list[Problem]) -> None:
    files = len({p.path for p in errors})
    click.echo(
        f"warning: {len(errors)} problem(s) in {files} file(s); those files are left out. "
        "Run 'answerable validate' for details.",
        err=True,
    )


@cli.command()
@board_option()
@as_of_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "markdown"]),
    default="text",
    show_default=True,
    help="text for people; json for programs; github annotations; markdown for an issue.",
)
@click.option("--fail-on-due-soon", is_flag=True, help="Exit 1 when any ticket is due soon too.")
def overdue(root: Path, as_of: datetime | None, fmt: str, fail_on_due_soon: bool) -> None:
    """List overdue and due-soon tickets; exit 1 when any is overdue.

    Meant for a scheduled CI job: the board's status dots turn red in public.
    """
    snapshot = _snapshot(root, as_of)
    late, soon = snapshot.overdue, snapshot.due_soon
    render = {
        "text": formats.overdue_text,
        "json": formats.overdue_json,
        "github": formats.overdue_github,
        "markdown": formats.overdue_markdown,
    }[fmt]
    click.echo(render(snapshot.as_of, late, soon, snapshot.departments.name))
    sys.exit(1 if late or (fail_on_due_soon and soon) else 0)


@cli.command()
@board_option()
@as_of_option()
@click.option("--period", type=PeriodType(), help="2026, 2026-Q4 or 2026-11 (by date received).")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="department",
    show_default=True,
    help="What each row is: a department, a category, a type, a channel or a level.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json for programs and the site.",
)
def stats(root: Path, as_of: datetime | None, period: Period | None, by: str, fmt: str) -> None:
    """Figures per department (or category, type, channel, level), ranked fairly.

    Ranks use the 95% Wilson lower bound; groups with fewer than min_ranked decided
    (or rated) tickets are listed but not ranked.
    """
    snapshot = _snapshot(root, as_of)
    result = snapshot.table(by, period)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(formats.stats_text(snapshot.board.name, result))


@cli.command()
@click.argument("path", type=BOARD_DIR, default=".", envvar="ANSWERABLE_BOARD")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: path:line:col: CODE message; json (with every reply's commit); github annotations.",
)
@click.option(
    "--replies", is_flag=True, help="Also list every reply with the commit that added it."
)
def audit(path: Path, fmt: str, replies: bool) -> None:
    """Check the board's files against its git history.

    Flags replies dated earlier than the commit that published them (beyond the board's
    tolerance; imported tickets excepted), published replies edited or deleted afterwards,
    published facts of ticket.yaml removed or changed (rating, receipt time, the citizen's
    words, withdrawal, transfers, extensions), ticket folders deleted from the record,
    and commit dates going backwards on the main line. Exit 0 clean, 1 findings, 2 no
    history.
    """
    from answerable.reading.history import HistoryError, read_history  # noqa: PLC0415
    from answerable.staff.audit import AuditError, read_rewrites  # noqa: PLC0415
    from answerable.staff.audit import audit as run_audit  # noqa: PLC0415

    loaded = _load(path)
    try:
        history = read_rewrites(path, read_history(path))
        findings = run_audit(loaded, history)
    except (HistoryError, AuditError) as error:
        raise UnreadableBoard(formats.shown(error)) from None
    stated = {r.path: r.meta.date for t in loaded.tickets for r in t.replies}
    if fmt == "json":
        click.echo(formats.audit_json(findings, history, stated))
    elif fmt == "github":
        if findings:
            click.echo(formats.problems_github(findings))
    else:
        if replies and history.replies:
            click.echo(formats.audit_replies_text(history, stated))
        click.echo(formats.problems_text(findings))
    sys.exit(1 if findings else 0)


# ---- writing the board's files ---------------------------------------------------------

TicketId = click.STRING


def _authoring(root: Path) -> Authoring:
    from answerable.staff.authoring import Authoring, AuthoringError  # noqa: PLC0415 - ruamel.yaml

    try:
        return Authoring(_load(root))
    except AuthoringError as error:
        raise UnreadableBoard(error.message) from None


def _now(authoring: Authoring) -> datetime:
    return datetime.now(ZoneInfo(authoring.board.timezone)).replace(microsecond=0)


def _apply(authoring: Authoring, make: Callable[[], Change]) -> None:
    """Make the change, or explain why not; nothing is written when it is refused."""
    from answerable.staff.authoring import AuthoringError  # noqa: PLC0415 - ruamel.yaml

    try:
        change = make()
    except AuthoringError as error:
        for problem in error.problems:
            click.echo(formats.problem_line(problem), err=True)
        raise click.ClickException(error.message) from None
    for note in change.notes:
        click.echo(formats.shown(note), err=True)
    for warning in change.warnings:
        click.echo(formats.problem_line(warning), err=True)
    path = authoring.write(change)
    click.echo(f"wrote {path.relative_to(authoring.root).as_posix()}")


def _choices(authoring: Authoring, kind: str) -> list[str]:
    return [item.id for item in getattr(authoring.board, kind)]


@cli.command()
@board_option()
@click.option("--title", help="A short title for the message.")
@click.option("--message", help="The citizen's words (plain text); prompted when left out.")
@click.option(
    "--message-file", type=click.File("r", encoding="utf-8"), help="Read the message from a file."
)
@click.option("--channel", help="How it arrived: web, hotline, email, ...")
@click.option("--type", "type_", help="consultation, help, complaint, suggestion, ...")
@click.option("--category", help="A category id from board.yaml.")
@click.option("--department", help="The department responsible now.")
@click.option(
    "--co-department",
    "co_departments",
    multiple=True,
    help="A department in joint handling; repeat for more.",
)
@click.option("--submitter", help="The public display name, e.g. 徐先生 (personal data is masked).")
@click.option("--enterprise", is_flag=True, help="The submitter is an enterprise.")
@click.option("--location", help="Where the problem is.")
@click.option("--urgent", is_flag=True, help="An urgent ticket: its deadline counts hours.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--related", multiple=True, help="A related ticket id; repeat for more.")
@click.option("--received", type=Timestamp(), help="When it was registered. Default: now.")
def new(root: Path, **options: Any) -> None:  # noqa: ANN401
    """Register a new ticket with the next free id; asks for what the flags leave out."""
    authoring = _authoring(root)
    message = options.pop("message_file")
    fields = {k: v for k, v in options.items() if k not in ("received", "enterprise")}
    fields["type"] = fields.pop("type_")
    if message is not None:
        fields["message"] = message.read()
    prompts = {
        "title": ("Title", None),
        "channel": ("Channel", _choices(authoring, "channels")),
        "type": ("Type", _choices(authoring, "types")),
        "category": ("Category", _choices(authoring, "categories")),
        "department": ("Department", _choices(authoring, "departments")),
        "submitter": ("Submitter (masked display name)", None),
        "message": ("Message", None),
    }
    for key, (label, choices) in prompts.items():
        if not fields.get(key):
            kind = click.Choice(choices) if choices else click.STRING
            fields[key] = click.prompt(label, type=kind)
    fields["submitter_kind"] = "enterprise" if options["enterprise"] else "citizen"
    fields["co_departments"] = list(fields["co_departments"])
    fields["tags"] = list(fields["tags"])
    fields["related"] = list(fields["related"])
    received = options["received"] or _now(authoring)
    _apply(authoring, lambda: authoring.new_ticket(fields, received))


@cli.command()
@board_option()
@click.argument("ticket_id", metavar="ID")
@click.option(
    "--kind",
    type=click.Choice(["interim", "final", "supplement"]),
    default="final",
    show_default=True,
    help="Interim states a promised date; a supplement corrects or adds after the final reply.",
)
@click.option(
    "--file",
    "body_file",
    type=click.File("r", encoding="utf-8"),
    help="The reply's Markdown body; without it $EDITOR opens.",
)
@click.option(
    "--promised",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Interim replies: when the final reply will come.",
)
@click.option("--department", help="The answering department. Default: the ticket's.")
@click.option("--signed", help="The signature. Default: the department's name.")
@click.option("--date", "at", type=Timestamp(), help="The reply's date. Default: now.")
def reply(
    root: Path,
    ticket_id: str,
    kind: str,
    body_file: TextIO | None,
    promised: datetime | None,
    department: str | None,
    signed: str | None,
    at: datetime | None,
) -> None:
    """Add the next reply-N.md to a ticket."""
    authoring = _authoring(root)
    body = body_file.read() if body_file is not None else click.edit("\n")
    if not body or not body.strip():
        raise click.ClickException("the reply is empty; nothing was written")
    _apply(
        authoring,
        lambda: authoring.reply(
            ticket_id,
            kind,
            body,
            at or _now(authoring),
            department,
            promised.date() if promised else None,
            signed,
        ),
    )


@cli.command()
@board_option()
@click.argument("ticket_id", metavar="ID")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The new due date.")
@click.option("--reason", required=True, help="Why more time is needed (published).")
@click.option("--approved-by", required=True, help="The department that approved it.")
@click.option("--requested", type=Timestamp(), help="When it was asked for. Default: now.")
@click.option("--approved", type=Timestamp(), help="When it was approved. Default: --requested.")
def extend(
    root: Path,
    ticket_id: str,
    until: datetime,
    reason: str,
    approved_by: str,
    requested: datetime | None,
    approved: datetime | None,
) -> None:
    """Record an approved extension of a ticket's deadline."""
    authoring = _authoring(root)
    asked = requested or _now(authoring)
    _apply(
        authoring,
        lambda: authoring.extend(
            ticket_id, until.date(), reason, approved_by, asked, approved or asked
        ),
    )


@cli.command()
@board_option()
@click.argument("ticket_id", metavar="ID")
@click.option("--to", "to", required=True, help="The department that takes the ticket over.")
@click.option("--reason", required=True, help="Why (published), e.g. 属地管理.")
@click.option("--at", type=Timestamp(), help="When. Default: now.")
def transfer(root: Path, ticket_id: str, to: str, reason: str, at: datetime | None) -> None:
    """Move a ticket to another department; the transfer is public."""
    authoring = _authoring(root)
    _apply(authoring, lambda: authoring.transfer(ticket_id, to, reason, at or _now(authoring)))


@cli.command()
@board_option()
@click.argument("ticket_id", metavar="ID")
@click.option(
    "--value",
    type=click.Choice(["satisfied", "basically-satisfied", "unsatisfied"]),
    required=True,
    help="The citizen's rating.",
)
@click.option(
    "--source",
    type=click.Choice(["return-visit", "online", "sms", "hotline"]),
    required=True,
    help="How it was collected.",
)
@click.option("--comment", help="The citizen's comment, if any.")
@click.option(
    "--resolution",
    type=click.Choice(["resolved", "partially-resolved", "unresolved", "explained"]),
    help="How far the problem was solved.",
)
@click.option("--at", type=Timestamp(), help="When. Default: now.")
def rate(
    root: Path,
    ticket_id: str,
    value: str,
    source: str,
    comment: str | None,
    resolution: str | None,
    at: datetime | None,
) -> None:
    """Record the citizen's rating of an answered ticket."""
    authoring = _authoring(root)
    _apply(
        authoring,
        lambda: authoring.rate(
            ticket_id, value, source, at or _now(authoring), comment, resolution
        ),
    )


@cli.command()
@board_option()
@click.argument("ticket_id", metavar="ID")
@click.option("--reason", required=True, help="Why (published).")
@click.option("--at", type=Timestamp(), help="When. Default: now.")
def withdraw(root: Path, ticket_id: str, reason: str, at: datetime | None) -> None:
    """Mark a ticket withdrawn by the citizen; it stays listed with the reason."""
    authoring = _authoring(root)
    _apply(authoring, lambda: authoring.withdraw(ticket_id, reason, at or _now(authoring)))


@cli.command("import")
@board_option()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file naming the export's columns, defaults and value translations.",
)
@click.option(
    "--system",
    default="import",
    show_default=True,
    help="The system the export comes from, e.g. 12345热线; source ids are unique within it.",
)
@click.option("--department", help="Department for rows that name none.")
@click.option("--category", help="Category for rows that name none.")
@click.option("--type", "type_", help="Type for rows that name none.")
@click.option("--channel", help="Channel for rows that name none.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
def import_(
    root: Path,
    file: Path,
    mapping: Path | None,
    system: str,
    department: str | None,
    category: str | None,
    type_: str | None,
    channel: str | None,
    dry_run: bool,
) -> None:
    """Import a CSV, XLSX or JSON export of a hotline or message-board system.

    Every record of the file becomes a ticket, is found already imported (same system
    and source id), or is rejected with its row number and the reason; the summary
    counts all three. Personal data is masked. Exit 0 when no row was rejected, 1 when
    some were or the file cannot be used.
    """
    from answerable.staff.importing import Importer, ImportError_, Mapping, read_export  # noqa: PLC0415

    authoring = _authoring(root)
    defaults = {"department": department, "category": category, "type": type_, "channel": channel}
    try:
        rules = Mapping.load(mapping, {k: v for k, v in defaults.items() if v})
        export = read_export(file)
        importer = Importer(authoring, rules, system)

        def progress(items: Any, length: int) -> Any:  # noqa: ANN401
            with click.progressbar(length=length, label="importing", file=sys.stderr) as bar:
                for item in items:
                    yield item
                    bar.update(1)

        outcome = importer.run(export, dry_run=dry_run, progress=progress)
    except ImportError_ as error:
        raise click.ClickException(formats.shown(error)) from None
    click.echo(formats.import_text(outcome, file.name, dry_run=dry_run))
    sys.exit(1 if outcome.bad else 0)


@cli.command()
@board_option()
@settings_option("Pelican settings.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the site goes: a new or empty folder, or a site a build made; never the "
    "board or a folder of other files. Default: output/ in the board.",
)
@as_of_option()
@click.option(
    "--publish-valid",
    is_flag=True,
    help="With errors: publish every valid ticket and list what was left out.",
)
def build(
    root: Path,
    settings_file: Path | None,
    output: Path | None,
    as_of: datetime | None,
    publish_valid: bool,
) -> None:
    """Check the board, then build its site safely.

    The site is built into a staging folder and swapped in only when the build
    succeeds, so readers never see a half-written site. With errors the build stops
    and lists them; --publish-valid publishes the valid tickets and lists the others.
    """
    settings_file = settings_file or root / "pelicanconf.py"
    if not settings_file.is_file():
        raise click.UsageError(f"no Pelican settings at {settings_file}; give --settings")
    target = output or root / "output"
    # Imported here: only this command needs them (and the settings load Pelican).
    from answerable.build.building import (  # noqa: PLC0415
        BuildError,
        read_pelican_settings,
        unsafe_output,
    )
    from answerable.build.building import build as build_site_safely  # noqa: PLC0415
    from answerable.build.plan import plan_build  # noqa: PLC0415
    from answerable.build.settings import SettingsError, plugin_settings  # noqa: PLC0415
    from answerable.reading.loading import default_workers  # noqa: PLC0415

    # Before the board is read: a folder the build must not replace is named at once.
    refused = unsafe_output(target, root)
    if refused:
        raise click.ClickException(f"refused: {refused}; nothing was written or deleted")
    override = {"ANSWERABLE_BOARD": str(root.resolve()), "ANSWERABLE_CACHE": _cache_on()}
    asked = _ask_git(root)
    try:
        settings = read_pelican_settings(settings_file, override)
        options = plugin_settings(settings)
    except BaseException as error:
        if asked is not None:
            asked.keys()  # git is waited for, not left running
        if not isinstance(error, BuildError | SettingsError):
            raise
        raise _not_built(error) from None
    # Read and checked once: Pelican, started in this process, is given this plan.
    plan = plan_build(
        root,
        as_of or options["ANSWERABLE_AS_OF"],
        cache=_cache_on(),
        workers=options["ANSWERABLE_WORKERS"] or default_workers(),
        publish_valid=publish_valid,
        asked=asked,
    )
    errors = plan.errors
    notices = [p for p in plan.problems if p.severity is Severity.NOTICE]
    for p in sorted([*errors, *notices, *_content_notices(root, settings_file)()]):
        click.echo(formats.problem_line(p), err=True)
    if plan.blocking:
        raise click.ClickException(f"{len(errors)} error(s); the site was not built")
    kept: list[object] = []  # what the build made, left to the end of the process
    try:
        site = build_site_safely(settings, target, plan, kept)
    except BuildError as error:
        raise _not_built(error) from None
    left_out = plan.left_out
    for folder in left_out:
        click.echo(f"left out: {formats.shown(folder)}", err=True)
    click.echo(f"built {site}" + (f"; {len(left_out)} ticket(s) left out" if left_out else ""))
    _leave(0, plan, kept)


@cli.command()
@click.argument("target", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The board's public name. Default: made from --city.")
@click.option(
    "--locale",
    type=click.Choice(LOCALES),
    default="zh_CN",
    show_default=True,
    help="The language of the site and of the new files.",
)
@click.option(
    "--timezone",
    default="Asia/Shanghai",
    show_default=True,
    help="IANA time zone in which days begin and end.",
)
@click.option(
    "--country",
    default="CN",
    show_default=True,
    help="ISO 3166 country whose official calendar decides working days.",
)
@click.option("--city", required=True, help="The city whose government office runs the board.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def init(
    target: Path, name: str | None, locale: str, timezone: str, country: str, city: str, force: bool
) -> None:
    """Create a new board repository in DIR: settings, pages, schemas, CI workflows.

    Refuses a folder that is not empty unless --force (which overwrites only the files
    it writes). Exit 0 written, 2 refused: nothing was written.
    """
    try:
        written = init_board(
            target,
            name=name or default_name(city, locale),
            locale=locale,
            timezone=timezone,
            country=country,
            city=city,
            force=force,
        )
    except ScaffoldError as error:
        raise click.UsageError(error.message) from None
    for path in written:
        click.echo(f"wrote {path.relative_to(target).as_posix()}")


@cli.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMA_MODELS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of a board file: board, ticket or reply (front matter)."""
    click.echo(schema_text(kind), nl=False)


def main() -> None:
    # A board is a few hundred thousand long-lived objects made at once; with Python's
    # default threshold the collector walks them again every 700 allocations (a fifth of
    # a rebuild's time at 10,000 tickets). Collecting less often costs little memory here.
    # The middle generation is walked only after 1,000 young collections: each walk went
    # over up to a million objects that live to the end, 0.7 s of a one-reply rebuild
    # at 100,000 tickets, with the same peak memory either way (a rebuild and a cold
    # build at 100,000 tickets).
    gc.set_threshold(50_000, 1_000, 100)
    global _LEAVE_AT_ONCE  # noqa: PLW0603 - set once, by the command line itself
    _LEAVE_AT_ONCE = True
    stop_on_terminate()
    try:
        cli(prog_name="answerable")
    except Terminated:
        click.echo("\nStopped (SIGTERM).", err=True)
        sys.exit(128 + signal.SIGTERM)
    except Exception as error:
        # A lost worker process (``processes.WorkerLost``) can come only from a command
        # that imported the module: the others start without it.
        processes = sys.modules.get("answerable.processes")
        if processes is None or not isinstance(error, processes.WorkerLost):
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


class Terminated(BaseException):
    """SIGTERM arrived: raised where the command stands, so that what it does on the way
    out runs (a build puts the last site back and removes its own folders)."""


def stop_on_terminate() -> None:
    """End on SIGTERM (a cancelled CI job, a stopped service) as on Ctrl-C instead of at
    once: Python's default leaves a build's half-made folders and a swap midway. Processes
    forked later (reading, rendering) still end at once: their parent cleans up."""
    parent = os.getpid()

    def stop(signum: int, frame: object) -> None:
        if os.getpid() != parent:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated

    signal.signal(signal.SIGTERM, stop)


# Set by ``main``: the process ends with the command (not when the command is run in
# another program, as the tests run it).
_LEAVE_AT_ONCE = False


def _leave(code: int, *kept: object) -> None:
    """End the process now, when it ends with the command: freeing a board's objects one
    by one takes longer than some commands (0.7 s of a 4.8 s rebuild at 10,000 tickets,
    6 s at 100,000), and everything is written and closed by now. ``kept``: what the
    command still holds, so that it is not freed first. Else exit as usual."""
    if _LEAVE_AT_ONCE:
        atexit._run_exitfuncs()  # what others registered still runs
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    del kept
    sys.exit(code)
