"""A rebuild stages only what changed and moves it into the last site in one short step:
the site it leaves equals a cold build's, and a build that fails before the step leaves
the last site untouched."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.build import building
from answerable.cli.main import Terminated, cli, stop_on_terminate
from answerable.incremental import page_cache
from answerable.processes import in_background
from sitebuild import copy_demo

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-20T12:00:00+08:00"
OPEN = "tickets/2026/2026-000069"  # open at the demo's moment, no reply yet
PAGE = "tickets/2026-000069.html"
REPLY = """\
---
date: 2026-11-20T10:00:00+08:00
department: qingxi-housing
kind: interim
promised: 2026-11-24
---
您好！您反映的问题已收悉，我局已安排工作人员现场核查，将于11月24日前答复处理结果。
"""


def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "board")


def build(board: Path, output: Path, *, ok: bool = True) -> str:
    args = ["build", "--board", str(board), "--settings", str(board / "pelicanconf.py")]
    result = CliRunner().invoke(cli, [*args, "--output", str(output), "--as-of", AS_OF])
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def files(output: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a site: its bytes and its inode."""
    return {
        p.relative_to(output).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def folders(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_dir()}


def dies() -> None:
    os._exit(1)  # a process killed before it answers


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}-"))


def test_a_rebuild_touches_only_changed_files_and_equals_a_cold_build(tmp_path: Path) -> None:
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    before = files(site)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    build(board, site)
    after = files(site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in files(cold).items()}
    assert folders(site) == folders(cold)
    # Bytes unchanged: the very same file (inode) as before, for the generator's pages.
    same = [k for k in after if k in before and after[k][0] == before[k][0]]
    own = [k for k in same if k.startswith(("tickets/", "lists/", "departments/", "data/"))]
    assert own, "the demo has unchanged pages"
    assert all(after[k][1] == before[k][1] for k in own)
    # The changed ticket page is a new file.
    assert after[PAGE][0] != before[PAGE][0]
    assert leftovers(site) == []


@pytest.mark.parametrize("looking", ["answers", "dies"])
def test_pages_changed_in_the_site_by_other_hands_are_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, looking: str
) -> None:
    # A rebuild keeps a page only while its file is the one it wrote: one written over
    # in place (same size), one replaced by another file, one removed are all made again,
    # though nothing on the board changed; also when the process that looks at the
    # files meanwhile ends without an answer (they are looked at by the build itself).
    if looking == "dies":
        monkeypatch.setattr(page_cache, "in_background", lambda _: in_background(dies))
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    written_over, replaced, removed = (
        "tickets/2026-000001.html",
        "lists/index.html",
        "open311/v2/requests/2026-000002.json",
    )
    with open(site / written_over, "r+b") as page:
        page.write(b"<!-- by hand -->")
    (site / replaced).unlink()
    (site / replaced).write_text("a page from elsewhere", "utf-8")
    (site / removed).unlink()
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert {k: v[0] for k, v in files(site).items()} == {k: v[0] for k, v in files(cold).items()}


def test_a_deleted_ticket_leaves_no_page_and_no_empty_folder(tmp_path: Path) -> None:
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    assert PAGE in files(site)
    shutil.rmtree(board / OPEN)
    (board / "content/pages/about.md").unlink()
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert files(site).keys() == files(cold).keys()
    assert folders(site) == folders(cold)
    assert PAGE not in files(site)
    assert "about.html" not in files(site)


def test_a_build_that_fails_leaves_the_last_site_untouched(tmp_path: Path) -> None:
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    before = files(site)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    ticket = board / OPEN / "ticket.yaml"
    ticket.write_text(ticket.read_text("utf-8").replace("title:", "titel:", 1), "utf-8")
    output = build(board, site, ok=False)
    assert "error" in output.lower()
    assert files(site) == before  # the same bytes in the very same files
    assert leftovers(site) == []


def test_a_second_build_of_the_same_site_at_once_is_refused(tmp_path: Path) -> None:
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    before = files(site)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    held = os.open(site, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        output = build(board, site, ok=False)
    finally:
        os.close(held)
    assert "another build of this site is running" in output
    assert files(site) == before
    assert leftovers(site) == []


def test_an_index_the_new_site_no_longer_has_goes_with_its_folders(tmp_path: Path) -> None:
    board = demo(tmp_path)
    settings = board / "pelicanconf.py"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("ANSWERABLE_SEARCH = False", "ANSWERABLE_SEARCH = True"))
    site = tmp_path / "site"
    build(board, site)
    assert (site / "pagefind/pagefind.js").is_file()
    settings.write_text(text)
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert files(site).keys() == files(cold).keys()
    assert folders(site) == folders(cold)
    assert not (site / "pagefind").exists()


def test_a_swap_that_fails_midway_puts_the_last_site_back(tmp_path: Path) -> None:
    """Someone left a folder where the new site puts the changed ticket's page: the swap
    stops there, after the pages that sort before it (data/, feeds/, index.html, lists/,
    open311/) were moved in, and puts every one of them back."""
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    (site / PAGE).unlink()
    (site / PAGE).mkdir()
    (site / PAGE / "keep.txt").write_text("not the build's", "utf-8")
    before = files(site)
    output = build(board, site, ok=False)
    assert "the published site was left as it was" in output
    assert files(site) == before  # the same bytes in the very same files
    assert leftovers(site) == []
    # Once the folder is gone, the next build completes the site.
    shutil.rmtree(site / PAGE)
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert {k: v[0] for k, v in files(site).items()} == {k: v[0] for k, v in files(cold).items()}


def test_a_whole_site_changes_place_with_the_last_in_one_step(tmp_path: Path) -> None:
    """With the search index the whole site is swapped: the two folders change places at
    once (the new one under the site's name, the last one where the new one was built)."""
    new, last = tmp_path / "new", tmp_path / "site"
    new.mkdir()
    last.mkdir()
    (new / "index.html").write_text("new", "utf-8")
    (last / "index.html").write_text("last", "utf-8")
    new_inode = new.stat().st_ino
    assert building._exchange(new, last)
    assert (last / "index.html").read_text("utf-8") == "new"
    assert last.stat().st_ino == new_inode
    assert (new / "index.html").read_text("utf-8") == "last"


def built_then_replied(tmp_path: Path) -> tuple[Path, Path, dict[str, tuple[bytes, int]]]:
    """The demo built into ``tmp_path``/site, then given a reply: the board, the site and
    the site's files before the next build."""
    board = demo(tmp_path)
    site = tmp_path / "site"
    build(board, site)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    return board, site, files(site)


def signal_after_five_moves(monkeypatch: pytest.MonkeyPatch, signum: int) -> None:
    """The build's swap sends this process ``signum`` right after the fifth file of the
    new site took its place."""
    swap = building._swap_changes
    real_replace = os.replace

    def interrupted_swap(staging: Path, output: Path) -> None:
        moved = []

        def replace(source: str, target: str) -> None:
            real_replace(source, target)
            moved.append(target)
            if len(moved) == 5:
                signal.raise_signal(signum)

        with monkeypatch.context() as scope:
            scope.setattr(os, "replace", replace)
            swap(staging, output)

    monkeypatch.setattr(building, "_swap_changes", interrupted_swap)


def test_a_swap_interrupted_midway_puts_the_last_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the changed files are moved in: a real SIGINT, sent right after the
    fifth file took its place. The site is the last one again, and the next build
    completes it."""
    board, site, before = built_then_replied(tmp_path)
    swap = building._swap_changes
    signal_after_five_moves(monkeypatch, signal.SIGINT)
    output = build(board, site, ok=False)
    assert "Aborted" in output
    assert files(site) == before
    assert leftovers(site) == []
    monkeypatch.setattr(building, "_swap_changes", swap)
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert {k: v[0] for k, v in files(site).items()} == {k: v[0] for k, v in files(cold).items()}


def test_sigterm_during_the_swap_puts_the_last_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (a cancelled CI job) midway through the swap ends the build as Ctrl-C
    does: the last site is put back and the build's folders are removed."""
    board, site, before = built_then_replied(tmp_path)
    signal_after_five_moves(monkeypatch, signal.SIGTERM)
    default = signal.getsignal(signal.SIGTERM)
    stop_on_terminate()
    try:
        with pytest.raises(Terminated):
            build(board, site)
    finally:
        signal.signal(signal.SIGTERM, default)
    assert files(site) == before
    assert leftovers(site) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_as_the_staging_folder_is_made_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    """SIGTERM or Ctrl-C arriving the moment the staging folder exists, before the build
    has marked it as its own: the build still stops with the folder removed."""
    board, site, before = built_then_replied(tmp_path)
    real_mark = building.mark

    def mark(folder: Path | str) -> None:
        signal.raise_signal(signum)
        real_mark(folder)

    monkeypatch.setattr(building, "mark", mark)
    default = signal.getsignal(signal.SIGTERM)
    stop_on_terminate()
    try:
        if signum == signal.SIGTERM:
            with pytest.raises(Terminated):
                build(board, site)
        else:
            assert build(board, site, ok=False).endswith("Aborted!\n")
    finally:
        signal.signal(signal.SIGTERM, default)
    assert files(site) == before
    assert leftovers(site) == []


def test_sigterm_to_a_real_build_says_so_and_leaves_the_last_site(tmp_path: Path) -> None:
    """A real `answerable build` process sent SIGTERM once its staging folder exists:
    it says it stopped, with no traceback, exits 143, leaves the last site as it was
    and none of its own folders; the next build completes it."""
    board, site, before = built_then_replied(tmp_path)
    args = ["build", "--board", str(board), "--settings", str(board / "pelicanconf.py")]
    command = "from answerable.cli.main import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, *args, "--output", str(site), "--as-of", AS_OF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ANSWERABLE_CACHE_DIR": str(tmp_path / "cache")},
    )
    deadline = time.monotonic() + 60
    while not leftovers(site) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert leftovers(site), "the build made its staging folder"
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 143, errors
    assert errors.rstrip().endswith("Stopped (SIGTERM)."), errors
    assert "Traceback" not in errors
    assert files(site) == before
    assert leftovers(site) == []
    build(board, site)
    cold = tmp_path / "cold"
    build(board, cold)
    assert {k: v[0] for k, v in files(site).items()} == {k: v[0] for k, v in files(cold).items()}
