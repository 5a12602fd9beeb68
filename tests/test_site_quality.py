"""The demo site passes the Nu HTML Checker and axe-core (WCAG 2.1 AA) in Chromium."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from browser import AXE, VNU, chromium, serve
from sitebuild import ROOT, build_site

MAIN_PAGES = [
    "index.html",
    "tickets/2026-000001.html",
    "departments/city-housing.html",
    "leaderboard.html",
    "rankings.html",
    "response-speed.html",
    "reports/2026-11.html",
    "reports/2026-Q4.html",
    "lists/status-overdue.html",
    "promises.html",
    "about.html",
]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("quality") / "output")


# Checked as files, the checker sees file: URLs, which no 'self' source matches; that
# the policy lets the site's own script and style load is checked in Chromium instead.
FILE_URL_CSP = "Resource violates Content Security Policy"


def test_every_page_is_valid_html(demo_site: Path, tmp_path: Path) -> None:
    assert VNU.is_file(), "run 'npm ci' (the checkers are in package.json)"
    # A page known to be invalid proves that the checker really reads the folders.
    (tmp_path / "broken.html").write_text("<!DOCTYPE html><title>x</title><p><div></p>", "utf-8")
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--skip-non-html",
            str(demo_site),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{m.get('url', '').rsplit('/output/', 1)[-1].removeprefix('file:')}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if (m["type"] in ("error", "non-document-error") or m.get("subType") == "warning")
        and not m["message"].startswith(FILE_URL_CSP)
    ]
    assert problems
    assert all(
        p.startswith(str(tmp_path / "broken.html")) or "broken.html" in p for p in problems
    ), problems


def test_axe_finds_no_violations(demo_site: Path) -> None:
    assert AXE.is_file(), "run 'npm ci' (the checkers are in package.json)"
    found: dict[str, list[str]] = {}
    with serve(demo_site) as base, chromium() as browser:
        context = browser.new_context(bypass_csp=True)  # to inject axe itself
        for rel in MAIN_PAGES:
            tab = context.new_page()
            tab.goto(f"{base}/{rel}")
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate(
                "() => axe.run(document, {runOnly: {type: 'tag', values:"
                " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            )
            violations = [
                f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
                for v in result["violations"]
            ]
            if violations:
                found[rel] = violations
            tab.close()
    assert found == {}
