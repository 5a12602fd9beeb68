"""Commands import only what they use: each runs in a fresh process that lists, as it
exits, every module it imported (``sys.modules``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import BoardWriter

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-20T12:00:00+08:00"
GIT = ["git", "-c", "user.name=Office", "-c", "user.email=office@example.org"]
# Runs the command line as `answerable` does, then writes the imported modules' names.
WRAPPER = """
import atexit, json, os, sys
def listed():
    with open(os.environ["MODULES_OUT"], "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
atexit.register(listed)
from answerable.cli.main import main
sys.argv[0] = "answerable"
main()
"""
# What `validate` and `build` never use: the staff commands' libraries and GitPython.
NEVER = ("git", "openpyxl", "ruamel")


def run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = tmp_path / "modules.json"
    env = {
        **os.environ,
        "MODULES_OUT": str(listing),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], env=env, capture_output=True, text=True, check=False
    )
    return done, set(json.loads(listing.read_text("utf-8")))


def packages(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


@pytest.fixture
def committed(board: BoardWriter) -> BoardWriter:
    """A board in a git repository that counts witnessed times, so that reading it asks
    git's history, with a Pelican settings file that shows each reply's history."""
    board.write(
        "board.yaml",
        (board.root / "board.yaml").read_text("utf-8") + "witnessed_since: 2026-11-01\n",
    )
    board.ticket("2026-000001")
    board.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00")
    from answerable.staff.scaffold import pelican_settings

    settings = pelican_settings(
        name="测试市", office="测试市", timezone="Asia/Shanghai", locale="zh_CN"
    )
    board.write(
        "pelicanconf.py", settings + "\nANSWERABLE_SEARCH = False\nANSWERABLE_HISTORY = True\n"
    )
    shutil.copytree(ROOT / "content", board.root / "content")
    subprocess.run(["git", "init", "-q", str(board.root)], check=True)
    subprocess.run([*GIT, "-C", str(board.root), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(board.root), "commit", "-qm", "the board"], check=True)
    return board


def test_validate_imports_no_staff_library_nor_git_nor_pelican(
    board: BoardWriter, tmp_path: Path
) -> None:
    board.ticket("2026-000001")
    board.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00")
    done, modules = run(tmp_path, "--no-cache", "validate", str(board.root), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s)" in done.stdout
    assert "answerable.checks.validation" in modules  # the listing sees what ran
    assert not packages(modules) & {*NEVER, "pelican", "jinja2", "markdown"}
    # The working days of the board's country only, not every country python-holidays knows.
    countries = {m for m in modules if m.startswith("holidays.countries.")}
    assert countries == {"holidays.countries.china"}


def test_the_holidays_package_stays_whole_for_any_other_use() -> None:
    # After the board's calendar loaded China alone: four threads ask the package for
    # other countries at once, the package is its parent's attribute, and the module
    # loaded first is the whole package's too.
    probe = """
import sys, threading
from datetime import date
from answerable.core.calendar import WorkCalendar
china = WorkCalendar("CN")
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries."))
import holidays
errors = []
def ask(name):
    try:
        exec(f"from holidays.countries import {name}")
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=ask, args=(n,)) for n in ("Germany", "Japan", "France", "Italy")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
import holidays.countries.china
print(loaded, errors, holidays.countries is sys.modules["holidays.countries"],
      holidays.countries.china.China.__name__, china.is_working_day(date(2026, 2, 14)),
      date(2026, 11, 3) in holidays.countries.Japan(years=2026),
      WorkCalendar("US").is_working_day(date(2026, 7, 3)),
      "XX" in holidays.list_supported_countries())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    # Sat 14 Feb 2026 is a make-up working day in China; 3 Nov is Culture Day in Japan;
    # Fri 3 Jul 2026 is the United States' Independence Day observed.
    assert done.stdout.split() == [
        "['holidays.countries.china']", "[]", "True", "China", "True", "True", "False", "False"
    ]  # fmt: skip


def test_build_imports_no_staff_library_nor_git(committed: BoardWriter, tmp_path: Path) -> None:
    output = tmp_path / "site"
    args = ["build", "--board", str(committed.root), "--output", str(output), "--as-of", AS_OF]
    done, modules = run(tmp_path, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (output / "tickets" / "2026-000001.html").is_file()
    assert "pelican" in packages(modules)  # the listing sees what ran
    assert not packages(modules) & set(NEVER)


def test_validate_of_a_board_counting_witnessed_times_imports_no_git(
    committed: BoardWriter, tmp_path: Path
) -> None:
    (committed.root / "pelicanconf.py").unlink()  # content is not checked: no Pelican
    done, modules = run(tmp_path, "validate", str(committed.root), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not packages(modules) & {*NEVER, "pelican"}


def test_import_of_a_workbook_loads_openpyxl(board: BoardWriter, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["留言编号", "留言主题", "留言时间", "留言详情", "承办单位"])
    sheet.append(
        ["X-1", "学府路人行道地砖破损", "2026-11-02 09:14:05", "人行道地砖破损多处。", "housing"]
    )
    export = tmp_path / "export.xlsx"
    book.save(export)
    defaults = ["--category", "urban-construction", "--type", "complaint", "--channel", "hotline"]
    args = ["import", "--board", str(board.root), str(export), "--system", "市长信箱", *defaults]
    done, modules = run(tmp_path, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "created 1 ticket(s)" in done.stdout
    assert "openpyxl" in packages(modules)
    assert len(list((board.root / "tickets").glob("*/*/ticket.yaml"))) == 1


def test_a_command_that_starts_no_worker_imports_no_process_pool(tmp_path: Path) -> None:
    """`answerable schema` forks nothing: neither the worker processes' module nor the
    standard library's pool is imported to catch a lost worker."""
    done, modules = run(tmp_path, "schema", "ticket")
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"title"' in done.stdout  # the listing sees what ran
    assert not modules & {"answerable.processes", "concurrent.futures", "multiprocessing"}
