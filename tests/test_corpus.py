"""scripts/make_corpus.py: a synthetic board that validates, is reproducible and shows every status."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.core.snapshot import take_snapshot
from answerable.core.status import states_at
from answerable.reading.loading import load_board
from answerable.staff.authoring import reply_md, ticket_yaml
from conftest import load_script

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when it is there
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_corpus.py"
TICKETS = 300


make_corpus = load_script(SCRIPT)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "board"
    assert make_corpus.main([str(out), "--tickets", str(TICKETS), "--seed", "1"]) == 0
    return out


def test_layout(board: Path) -> None:
    assert (board / "board.yaml").is_file()
    assert (board / "content" / "pages" / "about.md").is_file()
    folders = sorted(p for p in (board / "tickets").glob("*/*") if p.is_dir())
    assert len(folders) == TICKETS
    for folder in folders:
        assert folder.name.startswith(folder.parent.name + "-")
        assert (folder / "ticket.yaml").is_file()
    # Ids count up in receipt order within each year, from 000001 with no gap.
    for year in (board / "tickets").iterdir():
        numbers = sorted(int(p.name[5:]) for p in year.iterdir())
        assert numbers == list(range(1, len(numbers) + 1))


def test_validates_strictly(board: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(board), "--strict"])
    assert result.exit_code == 0, result.output


def test_every_status_at_as_of(board: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--board", str(board), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2026-11-20T21:30:00+08:00"
    total = data["total"]
    assert total["received"] == TICKETS
    for status in ("on_time", "late", "open", "overdue", "withdrawn", "duplicates"):
        assert total[status] > 0, (status, total)
    # Roughly the intended shape: most answered, most of those on time, most rated happy.
    assert 0.75 < total["reply_rate"] < 0.95
    assert total["on_time"] > 4 * total["late"]
    assert 0.45 < total["rated"] / total["answered"] < 0.75
    assert total["satisfied"] > total["basically_satisfied"] > 0


def test_a_report_moment_gives_the_states_worked_out_afresh(board: Path) -> None:
    """Reports reuse a ticket's settled state at earlier moments; it must be the state
    state_at gives then, at every moment a report uses and between them."""
    loaded = load_board(board)
    snapshot = take_snapshot(loaded, datetime.fromisoformat("2026-11-20T21:30:00+08:00"))
    zone = snapshot.rules.zone
    moments = [
        datetime(year, month, day, hour, tzinfo=zone)
        for year, month in ((2025, 12), (2026, 3), (2026, 7), (2026, 10), (2026, 11))
        for day, hour in ((1, 0), (14, 12), (20, 23))
    ]
    reused = trimmed = 0
    for moment in moments:
        files = [f for f in loaded.tickets if f.ticket.received <= moment]
        fresh = states_at(files, snapshot.rules, moment)
        states = snapshot.at(moment).states
        assert states == fresh, moment
        assert all(s.as_of == moment for s in states)
        # A report reads only its own period and the one before.
        since = (moment - timedelta(days=62)).date()
        start = datetime.combine(since, time.min, tzinfo=zone)
        recent = [s for s in fresh if s.ticket.received >= start]
        assert snapshot.at(moment, received_from=since).states == recent
        trimmed += 0 < len(recent) < len(fresh)
        reused += sum(1 for s in fresh if s.settled_since and s.status.answered)
    assert reused > 100  # the reuse is exercised, not only the fresh path
    assert trimmed > 5


def test_same_seed_same_bytes(board: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert make_corpus.main([str(again), "--tickets", str(TICKETS), "--seed", "1"]) == 0
    first, second = _files(board), _files(again)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, different[:5]


def test_other_seed_other_board(board: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert make_corpus.main([str(other), "--tickets", str(TICKETS), "--seed", "2"]) == 0
    first, second = _files(board), _files(other)
    assert first["board.yaml"] != second["board.yaml"]  # its comment names the seed
    tickets = [name for name in first if name.endswith("ticket.yaml") and name in second]
    same = [name for name in tickets if first[name] == second[name]]
    assert not same, same[:5]


def test_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert make_corpus.main([str(out), "--tickets", "5"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]

    assert make_corpus.main([str(out), "--tickets", "5", "--force"]) == 0
    assert not (out / "notes.txt").exists()
    assert len(list((out / "tickets").glob("*/*"))) == 5


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    assert make_corpus.main([str(tmp_path), "--tickets", "3"]) == 0
    assert (tmp_path / "board.yaml").is_file()


def test_force_never_removes_a_git_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert make_corpus.main([str(repo), "--tickets", "3", "--force"]) == 2
    assert "git repository" in capsys.readouterr().err
    assert (repo / ".git").is_dir()


def test_as_of_needs_an_offset(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        make_corpus.main([str(tmp_path / "x"), "--tickets", "3", "--as-of", "2026-11-20T21:30"])
    assert exit_info.value.code == 2
    assert not (tmp_path / "x").exists()


def test_the_board_keeps_its_shape(board: Path) -> None:
    """Departments on three levels, and every part of a ticket's life somewhere."""
    loaded = load_board(board)
    assert loaded.board is not None
    levels = {d.level for d in loaded.board.departments}
    assert {"city", "district", "street"} <= levels
    tickets = [f.ticket for f in loaded.tickets]
    replies = [r.meta for f in loaded.tickets for r in f.replies]
    kinds = {r.kind for r in replies}
    assert kinds == {"interim", "final", "supplement"}
    assert any(r.promised is not None for r in replies)
    assert sum(len(t.transfers) > 1 for t in tickets) > 0  # sent on twice
    assert any(t.extensions and t.extensions[0].approved for t in tickets)
    assert any(t.rating and t.rating.comment for t in tickets)
    assert any(t.withdrawn for t in tickets)
    assert any(t.duplicate_of for t in tickets)
    assert any(t.related for t in tickets)
    assert any(t.co_departments for t in tickets)
    assert any(t.urgent for t in tickets)
    assert any(t.submitter_kind == "enterprise" for t in tickets)
    assert {t.channel for t in tickets} == {c for c, _, _ in make_corpus.CHANNELS}
    assert {t.type for t in tickets} == {c for c, _, _ in make_corpus.TYPES}
    assert {t.category for t in tickets} == {c for c, _, _ in make_corpus.CATEGORIES}


def test_files_are_what_the_packages_writer_writes(board: Path) -> None:
    """Every file reads back to values that the package's writer renders to the same bytes:
    the corpus has no writer of its own."""
    folders = sorted(p for p in (board / "tickets").glob("*/*"))[:60]
    for folder in folders:
        text = (folder / "ticket.yaml").read_text("utf-8")
        data = yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
        assert ticket_yaml(data, schema_line=False) == text, folder.name
        for reply in sorted(folder.glob("reply-*.md")):
            raw = reply.read_text("utf-8")
            _, front, body = raw.split("---\n", 2)
            meta = yaml.load(front, Loader=LOADER)  # noqa: S506 - a safe loader
            assert reply_md(meta, body) == raw, reply


def test_no_placeholder_is_left_unfilled(board: Path) -> None:
    """The words in scripts/corpus/ carry placeholders ({place}, {unit} ...): every one
    is filled by the time a file is written."""
    for path in (board / "tickets").glob("*/*/*"):
        text = path.read_text("utf-8")
        assert "{" not in text, path


def test_a_broken_data_file_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "phrases.yaml").write_text("dur: [一个月\nextra: x\n", "utf-8")
    with pytest.raises(SystemExit) as stopped:
        make_corpus._data("phrases.yaml", tmp_path)
    message = str(stopped.value)
    assert message.startswith(f"make_corpus.py: error: {tmp_path / 'phrases.yaml'}:2:")
    with pytest.raises(SystemExit, match="No such file"):
        make_corpus._data("missing.yaml", tmp_path)
