"""A build never destroys what it did not make: not the board, not a folder of other
files; it cleans up only its own killed runs, and publishes a site others can read."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pelican import Pelican
from pelican.settings import read_settings

from answerable.cli.main import cli
from answerable.staff.scaffold import pelican_settings
from conftest import BoardWriter

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-20T12:00:00+08:00"
# What a build writes into every site it publishes, as the docs describe it.
MARKER = ".answerable-site"
MARKER_TEXT = "answerable-site\nThis folder is a site built from an Answerable board.\n"
GIT = ["git", "-c", "user.name=Office", "-c", "user.email=office@example.org"]


def write_settings(board: Path, *, search: bool) -> None:
    text = pelican_settings(
        name="测试市", office="测试市", timezone="Asia/Shanghai", locale="zh_CN"
    )
    extra = f"\nANSWERABLE_SEARCH = {search}\nANSWERABLE_HISTORY = False\n"
    (board / "pelicanconf.py").write_text(text + extra, "utf-8")


@pytest.fixture
def board(tmp_path: Path) -> BoardWriter:
    """A board in its own git repository, beside a file and a folder of someone else's."""
    parent = tmp_path / "parent"
    writer = BoardWriter(parent / "board")
    root = writer.root
    writer.ticket("2026-000001")
    writer.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00")
    shutil.copytree(ROOT / "content", root / "content")
    write_settings(root, search=False)
    writer.write("schemas/ticket.schema.json", "{}\n")
    writer.write("docs/guide.md", "# How we answer\n")
    writer.write(".gitignore", "/output/\n")
    (root / "sub").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*GIT, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-qm", "the board"], check=True)
    (parent / "notes.txt").write_text("a neighbour's notes\n", "utf-8")
    (parent / "foreign").mkdir()
    (parent / "foreign/index.html").write_text("another site\n", "utf-8")
    return writer


def listing(folder: Path) -> dict[str, str]:
    """Every file, folder and link under ``folder`` with what it holds."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = f"link {os.readlink(path)}"
        elif path.is_dir():
            found[rel] = "folder"
        else:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_build(board: Path, *args: str) -> tuple[int, str]:
    settings = board / "pelicanconf.py"
    base = ["build", "--board", str(board), "--settings", str(settings), "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("cwd", "output", "reason"),
    [
        (".", ".", "is the board's own folder"),
        (".", "tickets", "is the board's tickets"),
        (".", "content", "is the board's content"),
        (".", "schemas", "is the board's schemas"),
        (".", ".git", "is the board's .git"),
        (".", "tickets/2026", "lies in the board's tickets"),
        ("sub", "..", "is the board's own folder"),
        (".", "..", "holds the board"),
        (".", "docs", "holds docs/guide.md, a file of the board's git repository"),
        (".", "../foreign", f"has no {MARKER}"),
    ],
)
def test_build_refuses_the_board_and_folders_of_other_files(
    board: BoardWriter, monkeypatch: pytest.MonkeyPatch, cwd: str, output: str, reason: str
) -> None:
    parent = board.root.parent
    before = listing(parent)
    monkeypatch.chdir(board.root / cwd)
    code, said = run_build(Path(os.path.relpath(board.root)), "--output", output)
    assert code == 1
    assert "refused:" in said
    assert reason in said.replace("\n", " ")
    assert "built " not in said
    assert listing(parent) == before


def test_a_folder_outside_the_board_is_built_then_replaced(board: BoardWriter) -> None:
    site = board.root.parent / "site"
    site.mkdir()  # an empty folder is fine
    code, said = run_build(board.root, "--output", str(site))
    assert code == 0, said
    assert (site / "tickets/2026-000001.html").is_file()
    assert (site / MARKER).read_text("utf-8").startswith("answerable-site\n")
    (site / "left-by-hand.txt").write_text("the site is the build's own\n", "utf-8")
    board.ticket("2026-000002")

    code, said = run_build(board.root, "--output", str(site))
    assert code == 0, said
    assert (site / "tickets/2026-000002.html").is_file()
    assert not (site / "left-by-hand.txt").exists()  # the site was replaced whole
    # No staging or retired folder left beside the site.
    assert sorted(p.name for p in board.root.parent.iterdir()) == [
        "board", "foreign", "notes.txt", "site",
    ]  # fmt: skip


def test_the_default_output_inside_the_board_is_fine(board: BoardWriter) -> None:
    tracked = listing(board.root / ".git")
    code, said = run_build(board.root)
    assert code == 0, said
    assert (board.root / "output/index.html").is_file()
    status = subprocess.run(
        ["git", "-C", str(board.root), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""  # output/ is git-ignored; nothing of the board changed
    assert listing(board.root / ".git") == tracked
    code, said = run_build(board.root)
    assert code == 0, said


def plain_pelican(board: Path, output: Path) -> None:
    settings = read_settings(
        str(board / "pelicanconf.py"),
        override={
            "OUTPUT_PATH": str(output),
            "DELETE_OUTPUT_DIRECTORY": True,
            "ANSWERABLE_AS_OF": AS_OF,
        },
    )
    Pelican(settings).run()


@pytest.mark.parametrize("output", [".", "tickets", "content", "docs", "..", "../foreign"])
def test_plain_pelican_obeys_the_same_rule(board: BoardWriter, output: str) -> None:
    parent = board.root.parent
    before = listing(parent)
    with pytest.raises(SystemExit) as stopped:
        plain_pelican(board.root, board.root / output)
    assert stopped.value.code == 1
    assert "refused OUTPUT_PATH" in str(stopped.value)
    assert listing(parent) == before


def test_the_pelican_command_into_the_board_stops_with_a_message(board: BoardWriter) -> None:
    parent = board.root.parent
    before = listing(parent)
    done = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", "pelicanconf.py", "-o", ".", "-D"],
        cwd=board.root,
        capture_output=True,
        text=True,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "refused OUTPUT_PATH" in said
    assert "Traceback" not in said
    assert listing(parent) == before


def test_plain_pelican_builds_a_new_folder_and_rebuilds_its_own(board: BoardWriter) -> None:
    site = board.root.parent / "site"
    plain_pelican(board.root, site)
    assert (site / MARKER).is_file()
    (site / "tickets/2026-000001.html").unlink()
    plain_pelican(board.root, site)  # emptied by Pelican, written again
    assert (site / "tickets/2026-000001.html").is_file()
    assert (site / MARKER).is_file()


@pytest.fixture
def held() -> Iterator[list[subprocess.Popen[str]]]:
    running: list[subprocess.Popen[str]] = []
    yield running
    for process in running:
        process.kill()
        process.wait()


def test_a_killed_builds_staging_is_removed_and_nothing_else(
    board: BoardWriter, held: list[subprocess.Popen[str]]
) -> None:
    parent = board.root.parent
    assert run_build(board.root, "--output", str(parent / "site"))[0] == 0

    def folder(name: str, *, marked: bool) -> Path:
        path = parent / name
        (path / "tickets").mkdir(parents=True)
        (path / "tickets/2026-000001.html").write_text("half a page", "utf-8")
        if marked:
            (path / MARKER).write_text(MARKER_TEXT, "utf-8")
        return path

    # As a killed build leaves them: `.<output>-building-<8 hex>` and, killed during
    # the swap, `.<output>-retired-<8 hex>`, both carrying the marker.
    killed = folder(".site-building-3f9a0c1e", marked=True)
    retired = folder(".site-retired-77b2e410", marked=True)
    look_alike = folder(".site-building-5d0e9b2a", marked=False)
    other_output = folder(".www-building-1c2d3e4f", marked=True)
    not_the_pattern = folder(".site-building-old", marked=True)
    running = folder(".site-building-0a0b0c0d", marked=True)
    # A build still running holds a lock on its staging folder.
    holder = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder, str(running)], stdout=subprocess.PIPE, text=True
    )
    held.append(process)
    assert process.stdout is not None
    assert process.stdout.readline() == "held\n"
    kept = {p: listing(p) for p in (look_alike, other_output, not_the_pattern, running)}

    code, said = run_build(board.root, "--output", str(parent / "site"))
    assert code == 0, said
    assert not killed.exists()
    assert not retired.exists()
    assert {p: listing(p) for p in kept} == kept


def test_the_published_site_is_readable_by_everyone(board: BoardWriter) -> None:
    write_settings(board.root, search=True)  # Pagefind's files too
    site = board.root.parent / "site"
    old = os.umask(0o022)
    try:
        code, said = run_build(board.root, "--output", str(site))
    finally:
        os.umask(old)
    assert code == 0, said
    modes = {
        p.relative_to(site.parent).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [site, *site.rglob("*")]
    }
    assert (site / "pagefind").is_dir()
    # umask 022: folders 0777 & ~022 = 0755, files 0666 & ~022 = 0644.
    assert {m for p, m in modes.items() if (site.parent / p).is_dir()} == {0o755}
    assert {m for p, m in modes.items() if (site.parent / p).is_file()} == {0o644}


@pytest.mark.parametrize(
    ("output", "exit_code", "said"),
    [
        ("../notes.txt/site", 1, "parent/notes.txt is a file"),
        ("../notes.txt", 2, "'../notes.txt' is a file"),  # click's own check of --output
        # /proc takes no new folder: mkdir fails even for root (chmod would not stop root).
        ("/proc/answerable-site", 1, "/proc/.answerable-site-building-"),
    ],
)
def test_a_folder_that_cannot_be_written_is_a_message(
    board: BoardWriter,
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    exit_code: int,
    said: str,
) -> None:
    before = listing(board.root.parent)
    monkeypatch.chdir(board.root)
    code, printed = run_build(board.root, "--output", output)
    assert code == exit_code
    assert "Error: " in printed
    assert said in printed.replace("\n", " ")
    assert listing(board.root.parent) == before


# A command run in its own process, with one of its worker processes killed outright
# (as the out-of-memory killer kills one) when it reaches ``KILLED_AT``.
KILLED_WORKER = """
import os, signal, sys
import answerable.reading.loading as loading

main_process = os.getpid()


def killed_in_a_worker(module, name):
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        if os.getpid() != main_process:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(module, name, wrapper)


if sys.argv[1] == "leaderboard":  # a page made by a rendering process
    import answerable.site.families.leaderboard as family
    killed_in_a_worker(family, "leaderboard")
else:  # a folder read by a reading process
    loading.PARALLEL_FROM = 2  # this small board read as a large one is
    killed_in_a_worker(loading, "read_ticket_folder")
from answerable.cli.main import main
sys.argv[1:2] = []
main()
"""


@pytest.mark.parametrize("where", ["leaderboard", "reading"])
def test_a_worker_killed_outright_stops_the_build_and_leaves_the_site(
    board: BoardWriter, where: str
) -> None:
    """A rendering or reading process killed midway: the build says so and stops at once
    (it waited for ever before), and the published site is the one before."""
    for number in range(2, 9):
        board.ticket(f"2026-00000{number}")
    site = board.root.parent / "site"
    assert run_build(board.root, "--output", str(site))[0] == 0
    before = listing(site)
    settings = board.root / "pelicanconf.py"
    # Read afresh, as in a new clone: a board the state knows is read in one process.
    fresh = ["--no-cache"] if where == "reading" else []
    command = [sys.executable, "-c", KILLED_WORKER, where, *fresh, "build"]
    command += ["--board", str(board.root), "--settings", str(settings), "--output", str(site)]
    command += ["--as-of", "2026-11-21T12:00:00+08:00"]  # a new moment: a new leaderboard
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 1, done.stderr
    said = "a worker process ended before it finished (killed, or out of memory?)"
    assert f"Error: {said}; the other workers were stopped" in done.stderr
    if where == "leaderboard":  # the pages: the build says the site stayed as it was
        assert done.stderr.rstrip().endswith("; the published site was left as it was")
    assert "Traceback" not in done.stderr
    assert listing(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(
        ["board", "foreign", "notes.txt", "site"]
    )
