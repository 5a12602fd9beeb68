"""The ``answerable`` command: thin wrappers that parse options, call the core, print.

Exit codes: 0 all well, 1 problems found (or tickets overdue), 2 usage error or a board
whose board.yaml cannot be read.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from . import formats
from .loading import load_board
from .problems import Problem, Severity
from .schema import SCHEMA_MODELS, schema_text
from .snapshot import BoardError, Snapshot, open_board
from .stats import GROUPINGS, Period, PeriodError, Table
from .status import Status
from .validation import validate as validate_board


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


def board_option() -> Any:  # noqa: ANN401 - a click decorator
    return click.option(
        "--board",
        "root",
        type=BOARD_DIR,
        default=".",
        show_default=True,
        envvar="ANSWERABLE_BOARD",
        help="The board repository (the folder holding board.yaml).",
    )


def as_of_option() -> Any:  # noqa: ANN401 - a click decorator
    return click.option(
        "--as-of",
        type=Timestamp(),
        help="The moment statuses describe, with offset. Default: board.yaml's as_of, else now.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="answerable")
def cli() -> None:
    """Answerable: a public board of citizens' messages and government replies."""


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
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(path: Path, fmt: str, strict: bool) -> None:
    """Check a board: every file, every reference, every date.

    Exits 0 when clean, 1 when problems are found.
    """
    problems = validate_board(load_board(path))
    render = {
        "text": formats.problems_text,
        "json": formats.problems_json,
        "github": formats.problems_github,
    }[fmt]
    output = render(problems)
    if output:
        click.echo(output)
    failing = [p for p in problems if strict or p.severity is Severity.ERROR]
    sys.exit(1 if failing else 0)


class UnreadableBoard(click.ClickException):
    """Exit 2, so that a scheduled job can tell a broken board from overdue tickets."""

    exit_code = 2


def _snapshot(root: Path, as_of: datetime | None) -> Snapshot:
    try:
        snapshot = open_board(root, as_of, datetime.now(UTC))
    except BoardError as error:
        raise UnreadableBoard(str(error)) from None
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
    late = [s for s in snapshot.states if s.status is Status.OVERDUE]
    soon = [s for s in snapshot.states if s.status is Status.DUE_SOON]
    late.sort(key=lambda s: (s.due or snapshot.as_of, s.ticket.id))
    soon.sort(key=lambda s: (s.due or snapshot.as_of, s.ticket.id))
    name = snapshot.departments.name
    when = snapshot.as_of.isoformat()
    if fmt == "json":
        data = {
            "as_of": when,
            "overdue": [formats.overdue_record(s, name(s.department)) for s in late],
            "due_soon": [formats.overdue_record(s, name(s.department)) for s in soon],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "github":
        for level, states in (("error", late), ("warning", soon)):
            for s in states:
                message = (
                    f"{s.ticket.id} {s.status.value}: {formats.left_text(s)}, "
                    f"due {formats.when(s.due)}, {name(s.department)}"
                )
                click.echo(
                    formats.github_annotation(level, s.file.path, 1, 1, s.status.value, message)
                )
        click.echo(f"{len(late)} overdue, {len(soon)} due soon at {when}")
    elif fmt == "markdown":
        click.echo(f"### Overdue and due-soon tickets at {when}\n")
        click.echo("| Ticket | Status | Department | Due | How late |")
        click.echo("|---|---|---|---|---|")
        for s in late + soon:
            title = s.ticket.title.replace("|", "\\|")
            click.echo(
                f"| {s.ticket.id} {title} | {s.status.value} | {name(s.department)} "
                f"| {formats.when(s.due)} | {formats.left_text(s)} |"
            )
        click.echo(f"\n{len(late)} overdue, {len(soon)} due soon.")
    else:
        click.echo(f"Tickets at {when}:")
        rows = [
            [
                s.ticket.id,
                s.status.value,
                formats.left_text(s),
                formats.when(s.due),
                name(s.department),
                s.ticket.title,
            ]
            for s in late + soon
        ]
        click.echo(
            formats.table_text(
                ["id", "status", "late / left", "due", "department", "title"], rows, set()
            )
        )
        click.echo(f"{len(late)} overdue, {len(soon)} due soon")
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
        return
    click.echo(_stats_text(snapshot, result))


def _stats_text(snapshot: Snapshot, result: Table) -> str:
    period = result.period.label if result.period else "all tickets"
    head = f"{snapshot.board.name}: {period}, statuses at {result.as_of.isoformat()}"
    headers = [
        "rank", result.by, "received", "answered", "reply", "on time", "rank sat.",
        "satisfied", "days 1st", "days final", "overdue", "rated", "unsat.",
    ]  # fmt: skip
    rows = []
    for row in [*result.rows, None]:
        f = row.figures if row else result.total
        rank = "" if row is None else (str(row.on_time_rank) if row.on_time_rank else "-")
        sat_rank = (
            "" if row is None else (str(row.satisfaction_rank) if row.satisfaction_rank else "-")
        )
        flag = " !" if row is not None and row.below_threshold else ""
        rows.append(
            [
                rank,
                row.name if row else "total",
                str(f.received),
                str(f.answered),
                formats.percent(f.reply_rate),
                formats.percent(f.on_time_rate),
                sat_rank,
                formats.percent(f.satisfaction_rate) + flag,
                formats.number(f.median_days_to_first_reply),
                formats.number(f.median_days_to_final_reply),
                str(f.overdue),
                str(f.rated),
                str(f.unsatisfied),
            ]
        )
    table = formats.table_text(headers, rows, right=set(range(2, len(headers))))
    notes = [
        f"Ranked by the 95% Wilson lower bound; fewer than {result.min_ranked} decided (or rated) "
        "tickets: listed, not ranked (-).",
    ]
    if result.named:
        names = ", ".join(r.name for r in result.named)
        notes.append(
            f"! under the satisfaction threshold of {formats.percent(result.threshold)}: {names}"
        )
    return "\n".join([head, "", table, "", *notes])


@cli.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMA_MODELS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of a board file: board, ticket or reply (front matter)."""
    click.echo(schema_text(kind), nl=False)


def main() -> None:
    cli(prog_name="answerable")
