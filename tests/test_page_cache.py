"""The build state's record of what a page job wrote, and the renderer's memory of replies."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from answerable.incremental.page_cache import PageCache, base_digest, stamps
from answerable.incremental.state import BuildState
from answerable.site import markup
from answerable.site.markup import ReplyRenderer


def test_stamps_name_the_files_and_notice_any_change(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "tickets").mkdir(parents=True)
    names = ["index.html", "tickets/2026-000001.html", "tickets/2026-000002.html"]
    for name in names:
        (site / name).write_text(f"<p>{name}</p>", "utf-8")
    packed = stamps(site, names)
    assert all(name.encode() in packed for name in names)
    assert stamps(site, []) == b""

    def state() -> BuildState:
        return BuildState(tmp_path / "board", tmp_path / "cache")

    cache = PageCache(state(), "content", b"base", b"moment")
    key = cache.full_key(b"job")
    cache.save({key: packed})
    again = PageCache(state(), "content", b"base", b"moment")
    assert again.unchanged(key, site) == packed
    assert again.unchanged(cache.full_key(b"another job"), site) is None

    # Same size, same text, but a new file (another inode): not the file the cache saw.
    target = site / names[1]
    copy = site / "copy"
    copy.write_bytes(target.read_bytes())
    os.replace(copy, target)
    assert again.unchanged(key, site) is None
    assert again.unchanged(key, site) is None
    fresh = stamps(site, names)
    again.save({key: fresh})
    assert PageCache(state(), "content", b"base", b"moment").unchanged(key, site) == fresh
    (site / names[2]).unlink()
    assert PageCache(state(), "content", b"base", b"moment").unchanged(key, site) is None


def test_each_content_folder_keeps_its_own_pages(tmp_path: Path) -> None:
    state = BuildState(tmp_path / "board", tmp_path / "cache")
    PageCache(state, "content", b"", b"").save({b"k": b"one"})
    PageCache(state, "other", b"", b"").save({b"k": b"two", b"j": b"three"})
    again = BuildState(tmp_path / "board", tmp_path / "cache")
    assert PageCache(again, "content", b"", b"").entries == {b"k": b"one"}
    assert PageCache(again, "other", b"", b"").entries == {b"k": b"two", b"j": b"three"}
    PageCache(again, "other", b"", b"").save({})
    assert PageCache(again, "other", b"", b"").entries == {}
    assert PageCache(again, "content", b"", b"").entries == {b"k": b"one"}


def test_a_rebuild_keeps_exactly_the_pages_it_kept_and_made(tmp_path: Path) -> None:
    """Only what changed is written, and the state then holds this build's pages alone:
    those it kept as they were, those it made (a page made again under its old key
    with what it wrote now), none of the last build's others, and another content
    folder's untouched."""
    state = BuildState(tmp_path / "board", tmp_path / "cache")
    PageCache(state, "content", b"", b"").save({b"a": b"1", b"b": b"2", b"c": b"3"})
    PageCache(state, "other", b"", b"").save({b"c": b"other"})
    cache = PageCache(BuildState(tmp_path / "board", tmp_path / "cache"), "content", b"", b"")
    cache.keep_only({b"a": b"1"})
    assert sorted(cache.stale or ()) == [b"b", b"c"]
    cache.save({b"b": b"2 again", b"d": b"4"})
    again = BuildState(tmp_path / "board", tmp_path / "cache")
    assert PageCache(again, "content", b"", b"").entries == {
        b"a": b"1",
        b"b": b"2 again",
        b"d": b"4",
    }
    assert PageCache(again, "other", b"", b"").entries == {b"c": b"other"}


def test_two_builds_at_once_never_leave_the_other_ones_pages(tmp_path: Path) -> None:
    """Two builds of one board read the same pages; the first to save writes what
    changed. The second then cannot tell which of the pages it kept the first one
    dropped, so it keeps only the pages it made: never the other build's."""
    state = BuildState(tmp_path / "board", tmp_path / "cache")
    PageCache(state, "content", b"", b"").save({b"a": b"1", b"b": b"2"})

    def open_cache() -> PageCache:
        return PageCache(BuildState(tmp_path / "board", tmp_path / "cache"), "content", b"", b"")

    first, second = open_cache(), open_cache()
    first.keep_only({b"a": b"1"})
    first.save({b"c": b"3"})
    assert open_cache().entries == {b"a": b"1", b"c": b"3"}
    second.keep_only({b"b": b"2"})
    second.save({b"d": b"4"})
    assert open_cache().entries == {b"d": b"4"}
    # Alone again, a build writes only what changed.
    third = open_cache()
    third.keep_only({b"d": b"4"})
    third.save({b"e": b"5"})
    assert open_cache().entries == {b"d": b"4", b"e": b"5"}


def test_the_renderer_keeps_only_the_latest_replies() -> None:
    renderer = ReplyRenderer()
    texts = [f"第 {n} 条答复：**已办结**。" for n in range(markup.KEEP + 50)]
    first = [renderer.render(text) for text in texts]
    assert len(renderer._done) == markup.KEEP
    assert texts[0] not in renderer._done
    assert texts[-1] in renderer._done
    # What was let go renders again to the same HTML, and a kept one is the same object.
    assert renderer.render(texts[0]) == first[0] == ReplyRenderer().render(texts[0])
    assert renderer.render(texts[-1]) is first[-1]
    assert "<strong>已办结</strong>" in first[0]


def test_a_page_is_written_in_place_when_new_and_replaced_when_changed(tmp_path: Path) -> None:
    """A new page is written straight to its name; a changed one is replaced by a rename,
    so that the last site's file, linked into the build folder, is never written through."""
    from answerable.build.publishing import write_if_changed

    assert write_if_changed(tmp_path, "tickets/2026-000001.html", "<p>一</p>")
    page = tmp_path / "tickets/2026-000001.html"
    assert page.read_text("utf-8") == "<p>一</p>"
    assert [p.name for p in page.parent.iterdir()] == [page.name]  # no temporary left
    assert not write_if_changed(tmp_path, "tickets/2026-000001.html", "<p>一</p>")

    last_site = tmp_path / "last-site.html"
    os.link(page, last_site)  # as `answerable build` links the last site into its folder
    assert write_if_changed(tmp_path, "tickets/2026-000001.html", "<p>二</p>")
    assert page.read_text("utf-8") == "<p>二</p>"
    assert last_site.read_text("utf-8") == "<p>一</p>"
    assert page.stat().st_ino != last_site.stat().st_ino
    assert sorted(p.name for p in page.parent.iterdir()) == [page.name]


def _shout(text: str) -> str:
    return text.upper()


def _whisper(text: str) -> str:
    return text.lower()


def _digest(settings: dict[str, object]) -> bytes:
    return base_digest([("page.html", "{{ x }}")], settings)


def test_settings_functions_are_told_apart_by_what_they_do() -> None:
    """A filter in the settings changed from upper to lower case changes every page: its
    key must change, though the two functions' bytecode is the same."""

    def closing_over(suffix: str) -> object:
        return lambda text: text + suffix

    upper, lower = (lambda s: s.upper()), (lambda s: s.lower())
    assert upper.__code__.co_code == lower.__code__.co_code  # what was keyed before
    different = [
        ({"JINJA_FILTERS": {"f": upper}}, {"JINJA_FILTERS": {"f": lower}}),
        ({"F": closing_over("!")}, {"F": closing_over("?")}),
        ({"F": partial(_shout, "a")}, {"F": partial(_shout, "b")}),
        ({"F": partial(_shout)}, {"F": partial(_whisper)}),
        ({"F": lambda s, end="!": s + end}, {"F": lambda s, end="?": s + end}),
    ]
    for one, other in different:
        assert _digest(one) != _digest(other)
    same = {"JINJA_FILTERS": {"f": upper, "g": _shout, "h": partial(_whisper, "x")}}
    assert _digest(same) == _digest(same)


def test_a_setting_that_shows_only_its_address_keeps_nothing() -> None:
    """An object told apart by nothing but its address: each build's keys are its own."""
    settings = {"THING": object()}
    assert _digest(settings) != _digest(settings)


def test_settings_functions_digest_the_same_in_every_process(tmp_path: Path) -> None:
    """Keys last from build to build: the digest of a function must not follow the
    process (a set's order of strings, marshal's references, addresses)."""
    (tmp_path / "conf.py").write_text(
        "LIMIT = 3\n"
        "def kind(value):\n"
        "    return value in {'mobile', 'landline', 'email', 'id-number'} and LIMIT\n",
        "utf-8",
    )
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import conf\n"
        "from answerable.incremental.page_cache import base_digest\n"
        "print(base_digest([], {'JINJA_FILTERS': {'kind': conf.kind}}).hex())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
