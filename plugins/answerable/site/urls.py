"""Where every page of the site is saved, and so the address other pages link it by."""

from __future__ import annotations

HOME = "index.html"
LISTS = "lists/index.html"
DEPARTMENTS = "departments/index.html"
LEADERBOARD = "leaderboard.html"
RANKINGS = "rankings.html"
REPORTS = "reports/index.html"
PROMISES = "promises.html"
SEARCH = "search.html"
OPEN_DATA = "data.html"
CHANGES = "changes.html"
SITEMAP = "sitemap.xml"
REPLIES_FEED = "feeds/replies.atom.xml"
OVERDUE_FEED = "feeds/overdue.atom.xml"


def ticket_url(ticket_id: str) -> str:
    return f"tickets/{ticket_id}.html"


def department_url(department_id: str) -> str:
    return f"departments/{department_id}.html"


def list_url(kind: str, key: str, page: int = 1) -> str:
    suffix = "" if page == 1 else f"-{page}"
    return f"lists/{kind}-{key}{suffix}.html"


def report_url(label: str) -> str:
    return f"reports/{label}.html"


def department_feed_url(department_id: str) -> str:
    return f"feeds/departments/{department_id}.atom.xml"
