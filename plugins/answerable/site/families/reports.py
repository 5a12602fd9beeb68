"""Reports: each month's and quarter's figures with statuses at the end of the period,
the departments named, the top tens and the categories that rose; and their index."""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import asdict
from datetime import datetime, time, timedelta
from functools import partial
from operator import itemgetter

from answerable.core.stats import Figures, Period
from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import REPORTS, list_url, report_url
from answerable.site.views import Link, Site, TicketRow

MENU = (60, N_("Reports"), REPORTS)


def jobs(site: Site) -> list[Job]:
    """One job per report, keyed by the tickets of its period and the one before;
    one for the index. A new reply rebuilds only the reports that can show it."""
    zone = site.snapshot.rules.zone
    by_received = sorted(_dated(row) for row in site.rows)
    made = []
    keys = []
    for period in report_periods(site):
        moment = _report_moment(site, period)
        start = datetime.combine(_previous(period).start, time.min, tzinfo=zone)
        window = _window_key(by_received, start, moment, site.snapshot.as_of)
        key = job_key("report", period.label, moment, window)
        keys.append(key)
        # A finished period's report shows its tickets at the period's end, a moment
        # in its key: no later build's moment changes it.
        made.append(
            Job(
                report_url(period.label),
                partial(report, site, period),
                key,
                timeless=moment < site.snapshot.as_of,
            )
        )
    made.append(Job(REPORTS, partial(reports_index, site, keys), job_key("reports", keys)))
    return made


def report_periods(site: Site) -> list[Period]:
    months = site.months()
    quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months})
    periods = [Period.parse(f"{y}-{m:02d}") for y, m in months]
    periods += [Period.parse(f"{y}-Q{q}") for y, q in quarters]
    return periods


def _report_moment(site: Site, period: Period) -> datetime:
    return min(site.snapshot.rules.end_of_day(period.end), site.snapshot.as_of)


Dated = tuple[float, bytes, float, bytes, TicketRow]


def _until(row: TicketRow, moment: float) -> bytes:
    """A ticket with a reply dated after ``moment``, as its files stood then (or all of
    what its view shows, when the files cannot tell)."""
    return row.state.file.digest_until(moment) or row.digest


def _dated(row: TicketRow) -> Dated:
    """What the reports' keys read of a ticket, once: when it was received and when its
    last reply is dated (POSIX seconds, compared faster than datetimes with offsets),
    its id, what keys it in a past report dated after that reply (its files' digest, or
    its view's when the files cannot tell one moment from another), and its row."""
    file = row.state.file
    name = file.refs.id.encode() + b"\0"
    if file.witnessed_any:  # its replies count from when the record held them
        return file.refs.received, name, -math.inf, row.digest, row
    return file.refs.received, name, file.latest_reply(), file.digest, row


def _window_key(
    by_received: list[Dated], start: datetime, moment: datetime, as_of: datetime
) -> bytes:
    """Of the tickets a report reads: received from ``start`` up to its moment. A report
    of a past moment shows only the tickets' states then (figures, not texts): each is
    taken as its files stood at that moment, so that a late reply to an old ticket does
    not make that ticket's past reports again."""
    until = moment.timestamp()
    first = bisect_left(by_received, start.timestamp(), key=itemgetter(0))
    last = bisect_right(by_received, until, key=itemgetter(0))
    window = by_received[first:last]
    if moment < as_of:
        parts = (
            name + (digest if dated <= until else _until(row, until))
            for _, name, dated, digest, row in window
        )
    else:
        parts = (name + row.digest for _, name, _, _, row in window)
    return job_key(b"".join(parts))


def reports_index(site: Site, keys: list[bytes]) -> Page:
    """Every report with its period's figures (``keys``: each report's, in the order of
    ``report_periods``)."""
    index = []
    for period, key in zip(report_periods(site), keys, strict=True):
        total = _total(site, period, key)
        title = _report_title(site, period)
        index.append((period, Link(title, report_url(period.label)), total))
    index.sort(key=lambda item: (item[0].start, item[0].label), reverse=True)
    return Page(REPORTS, "answerable_reports", {"reports": index, "page_name": "reports"})


def _total(site: Site, period: Period, key: bytes) -> Figures:
    """A period's figures at its report's moment, kept between builds under its report's
    key (working out every past period's again meant reading the records of the tickets
    still open at its end: 1,800 of them at 10,000 tickets)."""

    def total() -> Figures:
        moment = _report_moment(site, period)
        # Only the period's own tickets, received from its first day to its moment.
        return Figures.of(site.snapshot.at(moment, received_from=period.start).states)

    if site.store is None:
        return total()
    text = site.store.text("period", period.label, "", key, lambda: json.dumps(asdict(total())))
    values = json.loads(text)
    return Figures(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def report(site: Site, period: Period) -> Page:
    local = site.snapshot.rules.local_date
    end = site.snapshot.rules.end_of_day(period.end)
    moment = _report_moment(site, period)
    previous = _previous(period)
    snapshot = site.snapshot.at(moment, received_from=previous.start)
    table = snapshot.table("department", period)
    before = Counter(
        s.ticket.category for s in snapshot.states if local(s.ticket.received) in previous
    )
    now = Counter(s.ticket.category for s in snapshot.states if local(s.ticket.received) in period)
    rose = sorted(
        (
            (
                Link(site.names["category"].get(c, c), list_url("category", c)),
                now[c],
                before[c],
            )
            for c in now
            if now[c] > before[c]
        ),
        key=lambda item: (-(item[1] - item[2]), item[0].text),
    )
    volume, unsatisfied = snapshot.top_ten(period)
    return Page(
        report_url(period.label),
        "answerable_report",
        {
            "title": _report_title(site, period),
            "period": period,
            "moment": moment,
            "as_of": moment,  # the page header's moment: the report's own
            "complete": end <= site.snapshot.as_of,
            "table": table,
            "rows": site.row_views(table),
            "named": site.rows_shown(table.named),
            "volume": site.rows_shown(volume),
            "unsatisfied": site.rows_shown(unsatisfied),
            "rose": rose,
            "previous_label": _report_title(site, previous),
            "page_name": "report",
        },
    )


def _report_title(site: Site, period: Period) -> str:
    if "-Q" in period.label:
        year, quarter = period.label.split("-Q")
        return site._("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}
    return site.fmt.month(period.start.year, period.start.month)


def _previous(period: Period) -> Period:
    if "-Q" in period.label:
        year, quarter = period.start.year, (period.start.month - 1) // 3 + 1
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        return Period.parse(f"{year}-Q{quarter}")
    first = period.start - timedelta(days=1)
    return Period.parse(f"{first.year}-{first.month:02d}")
