"""scripts/bench.py's tables: every row as wide as its header, the targets beside the
figures, and the page's text outside the markers kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import load_script

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


bench = load_script(SCRIPT)
STEPS = ["floor: read every file", bench.VALIDATE, "answerable validate, cache warm",
         bench.COLD, bench.REPLY, bench.NOTHING, bench.HOUR, "search index (Pagefind)",
         bench.PELICAN, bench.HUGO]  # fmt: skip


def results(seconds: dict[str, float], peak: float = 100.0) -> list[object]:
    return [bench.Result(name, seconds.get(name, 1.0), peak) for name in STEPS]


def rows(text: str) -> list[list[str]]:
    """A Markdown table's rows as cells (the separator row left out)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    parsed = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    assert all(set(cell) <= set("-") for cell in parsed[1]), parsed[1]
    return [parsed[0], *parsed[2:]]


RUN = {
    1_000: results({bench.REPLY: 0.3, bench.COLD: 2.0, bench.HUGO: 0.5}),
    10_000: results({bench.REPLY: 0.42, bench.VALIDATE: 1.6, bench.HOUR: 0.9,
                     bench.COLD: 4.0, bench.HUGO: 5.0}),
    100_000: results({bench.REPLY: 2.5, bench.VALIDATE: 12.0}, peak=650.0),
}  # fmt: skip


def test_the_main_table_has_a_targets_column() -> None:
    table = rows(bench.table(RUN))
    header, body = table[0], table[1:]
    assert header == ["step", "N = 1,000", "N = 10,000", "N = 100,000", "target"]
    assert all(len(row) == len(header) for row in body)
    by_step = {row[0]: row for row in body}
    assert by_step[bench.REPLY][1:] == [
        "0.30 s, 100 MiB", "0.42 s, 100 MiB", "2.50 s, 650 MiB",
        "< 0.5 s at N = 10,000; < 2 s at N = 100,000",
    ]  # fmt: skip
    assert by_step[bench.VALIDATE][-1] == "< 1.5 s at N = 10,000; < 15 s at N = 100,000"
    assert by_step[bench.HOUR][-1] == "< 1 s at N = 10,000"
    assert by_step["floor: read every file"][-1] == ""
    assert by_step[bench.BY_HUGO][1:] == ["4.00×", "0.80×", "1.00×", "≤ 0.8× at N = 10,000"]
    assert by_step[bench.PEAK][1:] == ["100 MiB", "100 MiB", "650 MiB", "< 700 MiB at N = 100,000"]


def test_one_row_per_size_for_the_one_reply_rebuild() -> None:
    table = rows(bench.reply_table(RUN))
    assert table == [
        ["N", "rebuild after one new reply", "peak memory", "target"],
        ["1,000", "0.30 s", "100 MiB", ""],
        ["10,000", "0.42 s", "100 MiB", "< 0.5 s"],
        ["100,000", "2.50 s", "650 MiB", "< 2 s"],
    ]


def test_each_target_says_whether_it_is_met() -> None:
    table = rows(bench.targets_table(RUN))
    assert table[0] == ["target", "N", "measured", "target", "met"]
    assert table[1:] == [
        ["cold build ÷ Hugo", "10,000", "0.80×", "≤ 0.8×", "yes"],
        [bench.REPLY, "10,000", "0.42 s", "< 0.5 s", "yes"],
        [bench.HOUR, "10,000", "0.90 s", "< 1 s", "yes"],
        [bench.VALIDATE, "10,000", "1.60 s", "< 1.5 s", "no"],
        [bench.REPLY, "100,000", "2.50 s", "< 2 s", "no"],
        [bench.VALIDATE, "100,000", "12.00 s", "< 15 s", "yes"],
        [bench.PEAK, "100,000", "650 MiB", "< 700 MiB", "yes"],
    ]


def test_the_ratio_to_hugo_is_the_median_of_the_runs_side_by_side() -> None:
    # Three pairs: 2 s against 1 s, 4 s against 1 s, 9 s against 3 s. The ratios are 2, 4
    # and 3, median 3; the medians taken apart (4 s and 1 s) would give 4.
    assert bench.paired_ratio([2.0, 4.0, 9.0], [1.0, 1.0, 3.0]) == 3.0
    paired = {
        10_000: [
            *results({bench.COLD: 4.0, bench.HUGO: 1.0}),
            bench.Result(bench.BY_HUGO, 3.0, 0.0),
        ]
    }
    table = rows(bench.table(paired))
    by_step = {row[0]: row for row in table[1:]}
    assert by_step[bench.BY_HUGO][1] == "3.00×"  # the paired ratio, not 4.0 s / 1.0 s
    assert by_step[bench.BY_PELICAN][1] == "4.00×"  # cold 4.0 s, vanilla Pelican 1.0 s
    assert [row[0] for row in table[1:]].count(bench.BY_HUGO) == 1  # no row in seconds
    assert rows(bench.targets_table(paired))[1][:3] == ["cold build ÷ Hugo", "10,000", "3.00×"]


def test_a_small_run_lists_no_target() -> None:
    small = {300: RUN[1_000]}
    assert rows(bench.targets_table(small))[1][0] == "(no target at the sizes measured)"
    assert len(rows(bench.reply_table(small))) == 2


def test_the_tables_go_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(
        "# Performance\n\nprose\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\nafter\n",
        "utf-8",
    )
    text = bench.report(RUN)
    bench.write_docs(text, [1_000, 10_000, 100_000], [3, 3, 1], page)
    written = page.read_text("utf-8")
    assert written.startswith("# Performance\n\nprose\n\n<!-- bench:start -->\nMeasured on ")
    assert written.endswith(f"\n\n{text}\n<!-- bench:end -->\n\nafter\n")
    assert "old table" not in written
    assert "--sizes 1000,10000,100000 --repeat 3,3,1" in written


def test_what_a_run_starts_without_is_set_aside_and_deleted_only_at_the_end(
    tmp_path: Path,
) -> None:
    site = tmp_path / "output-10000"
    (site / "tickets").mkdir(parents=True)
    (site / "tickets" / "2026-000001.html").write_text("一", "utf-8")
    bench.set_aside(tmp_path, site)
    assert not site.exists()  # the next run starts without it
    aside = tmp_path / bench.SET_ASIDE
    (moved,) = aside.iterdir()
    assert moved.name.startswith("output-10000-")
    assert (moved / "tickets" / "2026-000001.html").read_text("utf-8") == "一"  # not deleted
    bench.set_aside(tmp_path, site)  # nothing there: nothing moved
    site.mkdir()
    bench.set_aside(tmp_path, site)
    assert len(list(aside.iterdir())) == 2
    board = tmp_path / "board-10000"
    board.mkdir()
    bench.remove_set_aside(tmp_path)
    assert not aside.exists()
    assert board.is_dir()  # only what was set aside goes


def test_the_corpus_is_packed_and_starts_no_housekeeping_beside_the_runs(tmp_path: Path) -> None:
    # A commit of many loose objects starts git's gc in the background, which then runs
    # beside the measurements; a board cloned from its host is packed.
    board = bench.make_corpus(tmp_path, 30)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=board, capture_output=True, text=True, check=True)
        return done.stdout

    counts = dict(line.split(": ") for line in git("count-objects", "-v").splitlines())
    assert counts["count"] == "0"  # no loose object
    assert int(counts["in-pack"]) > 60  # 30 tickets' files, their folders and the commit
    assert git("config", "gc.auto").strip() == "0"
    assert git("config", "maintenance.auto").strip() == "false"
    assert git("status", "--porcelain") == ""


def test_commands_are_those_installed_beside_the_benchs_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not the first that PATH finds: another installation, or a version manager's shim
    # that starts a shell before every run.
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "answerable").write_text("#!/bin/sh\n", "utf-8")
    monkeypatch.setattr(bench, "PYTHON", str(bin_folder / "python3"))
    assert bench.installed("answerable") == str(bin_folder / "answerable")
    assert bench.installed("hugo") == "hugo"  # not installed there: PATH's
