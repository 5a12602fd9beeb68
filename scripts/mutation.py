"""Mutation testing of the board's core rules with mutmut: do the tests notice a broken rule?

    python3 scripts/mutation.py                      # every core module
    python3 scripts/mutation.py ranking deadlines    # only the modules a change touched
    python3 scripts/mutation.py --list-survivors     # also print each surviving mutant's diff

mutmut finds the code it mutates under ``src/`` or the project root, while this project
keeps its package under ``plugins/``. So each run works in a staging folder (under
``build/mutation`` unless ``--work`` says otherwise) holding ``src/answerable``, the fast
core tests, and a pyproject.toml with the ``[tool.mutmut]`` settings for that module;
the repository itself is never changed. One module is mutated at a time, with
``--max-children`` workers, and the share of mutants killed is printed per module.
Exit status 1 when a module is below ``--target`` (90% by default).

Needs the ``mutation`` extra: ``python3 -m pip install -e '.[test,mutation]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The core modules, and the fast tests that state their rules (no site builds, no browser).
CORE_TESTS = [
    "tests/test_calendar.py",
    "tests/test_rules_calendar.py",
    "tests/test_deadlines.py",
    "tests/test_rules_deadlines.py",
    "tests/test_rules_status.py",
    "tests/test_rules_status_span.py",
    "tests/test_rules_ranking.py",
    "tests/test_rules_stats.py",
    "tests/test_rules_snapshot.py",
    "tests/test_cli.py",
    "tests/test_demo.py",  # the demo board's figures, worked out by hand
]
MODULES: dict[str, list[str]] = {
    "calendar": CORE_TESTS,
    "deadlines": CORE_TESTS,
    "status": CORE_TESTS,
    "snapshot": CORE_TESTS,
    "stats": CORE_TESTS,
    "ranking": CORE_TESTS,
    "privacy": [
        "tests/test_privacy.py",
        "tests/test_rules_privacy.py",
        "tests/test_privacy_detector.py",
        "tests/test_privacy_fields.py",
        "tests/test_privacy_commands.py",
    ],
}
# What the tests read besides themselves: the demo board.
BOARD_FILES = ["board.yaml", "tickets", "content"]

# Surviving mutants known to change nothing a user can see, by module: a pattern for the
# line the mutant changes, one for what it becomes, and why nothing changes. They are not
# counted in the score; docs/testing.md lists them.
EQUIVALENT: dict[str, list[tuple[str, str, str]]] = {
    "calendar": [
        (
            r"self\._(known|added|ranks)\b",
            r"",
            "a memo of answers already worked out: without it the same answer is worked out again",
        ),
        (r"if end <= start:", r"end < start", "for end = start both ways count 0"),
    ],
    "deadlines": [
        (
            r"self\._deadlines|known\[0\] is ticket",
            r"",
            "a memo of answers already worked out: without it the same answer is worked out again",
        ),
    ],
    "privacy": [
        (r"total \+= value", r"total -= value", "s and −s are divisible by 10 alike"),
        (
            r"strict=False",
            r"strict=None|_ID_WEIGHTS, \)",
            "zip's strict is False unless given",
        ),
        (
            r'rsplit\("@", 1\)',
            r'rsplit\("@", \)|split\("@", 1\)|rsplit\("@", 2\)',
            "an address the pattern finds has exactly one @",
        ),
        (
            r'\[1\] in "(12|3456789)"',
            r'"XX(12|3456789)XX"',
            "one digit is in both strings alike",
        ),
        (r'"0123456789Xx"', r'"XX0123456789XxXX"', "the same set of characters"),
        (
            r'lstrip\("@"\)',
            r'lstrip\("XX@XX"\)',
            "the entries are lower-cased first: no capital X is left to strip",
        ),
        (
            r'numbers - \{""\}',
            r'\{"XXXX"\}',
            "the entries are digits only: XXXX is never one, and every finding has digits",
        ),
        (
            r"date\(1900 \+ int",
            r"date\(1900 - int",
            "1900 - yy is a leap year exactly when 1900 + yy is",
        ),
        (
            r"_area_known\(digits\[:6\]\)",
            r"digits\[:7\]",
            "python-stdnum reads a seven-digit code as its six-digit area and a digit more",
        ),
        (
            r"run\.end\(\) - run\.start\(\) < 10",
            r"\+ run\.start|<= 10|< 11",
            "a shortcut: a run of ten characters holds at most ten digits, and nothing"
            " read loosely has fewer than eleven",
        ),
        (
            r'if digits in "Xx"',
            r'"XXXxXX"|in "xx"|in "XX"',
            "an X ends its run, and a number of one X is never read: skipping it saves work",
        ),
        (r"^ {20}continue$", r"break", "the empty head is the last of a group's heads"),
        (
            r"^ {24}continue$",
            r"break",
            "a group right before a star ends its run: a star joins no digits",
        ),
        (
            r'_scan\(_MOBILE, scan, "number"\)',
            r"_scan\(_MOBILE, scan, \)",
            "retrying from the start of a +86 finds the same number again, dropped as overlapping",
        ),
        (
            r"position = match\.start\(group\) \+ 1",
            r"\+ 2",
            "no match starts one character after another: each starts after a non-digit"
            " (an address after a character no address holds)",
        ),
        (
            r"start < finding\.end and finding\.start < end",
            r"start <= finding\.end|finding\.start <= end",
            "a public number never touches a number found: both begin and end with a digit"
            " and the patterns want a non-digit between",
        ),
        (
            r"first = text_field\.steps\[0\] if text_field\.steps else None"
            r"|if first is not None and not getattr\(record, first\[0\], None\)",
            r"first = None|if text_field\.steps else \w|is None and not|first\[0\], \)"
            r"|\(text_field\.steps\) (or True|and False)",
            "a shortcut: a field not given, or empty, holds no text, and field_texts finds"
            " none in it either",
        ),
        (
            r"if len\(steps\) == 1 and steps\[0\] is not None:"
            r"|value = getattr\(record, attribute, None\)",
            r"steps\[0\] is None:|getattr\(record, attribute, \)",
            "a shortcut for a field of the record itself: walking its one step gives the same,"
            " and every step names a field of its record",
        ),
        (
            r"scan = _ascii\(text\) if numbers or address else text",
            r"or True",
            "a shortcut: a text without ten digits or an @ is searched for names only,"
            " which normalising does not change",
        ),
        (
            r"getattr\(value, step\[0\], None\)",
            r"getattr\(value, step\[0\], \)",
            "every step names a field of its record: the default is never used",
        ),
        (
            r"following \+= ",
            r"following = ",
            "no list of the format is inside another list: a list step has one value",
        ),
        (
            r"isinstance\(value, str\) and value",
            r"isinstance\(value, str\) or value",
            "every field found holds a string or nothing once read",
        ),
        (
            r'if len\(name\) > 1 else "\*"',
            r"or True else|len\(name\) >= 1",
            "a one-character name kept whole is the name itself, which the next line"
            " stars out: * either way",
        ),
    ],
    "status": [
        (
            r"while day < due_day:",
            r"while day <= due_day:",
            "an open ticket is never on its due day with a warning of a working day or more",
        ),
        (
            r"if warn\.amount else due",
            r"or True else due",
            "with no warning time, due minus nothing is the due time",
        ),
        (
            r"if moment > state\.as_of\}",
            r"if moment >= state\.as_of\}",
            "the loop reads only events after the moment it stands at",
        ),
        (
            r"if quiet is None or moment < quiet:",
            r"moment <= quiet",
            "at the very moment it became quiet, state_at (worked out instead) gives the same",
        ),
        (
            r"named = start is not None and any\(",
            r"start is not None or any",
            "a shortcut: a file passed over has no reply to count, and counting it sets none",
        ),
    ],
    "snapshot": [
        (
            r"known = quiet\.get\(id\(file\)\)"
            r"|moved = later_state\(known, self\.rules, moment\) if known is not None else None",
            r"",
            "a memo of quiet states: without it the state is worked out again, the same",
        ),
        (
            r"last = bisect_right\(times, moment\.timestamp\(\)\)",
            r"last = None",
            "tickets received after the moment have no state then: state_at leaves them out",
        ),
        (r"^\s*first = 0$", r"first = None", "a slice from None starts at 0 too"),
        (
            r"found = self\._cells\.get\(by\)",
            r"",
            "a memo of the cells: without it they are worked out again, the same",
        ),
        (
            r"witnessed, states\)$",
            r"witnessed, \)$",
            "without the kept states, each state is worked out afresh: the same",
        ),
    ],
    "stats": [
        (
            r"r\.on_time_rank or 0",
            r"r\.on_time_rank or 1",
            "only unranked rows have no rank, and the sort puts them apart before this",
        ),
    ],
    "ranking": [
        (
            r"previous: .* = None",
            r"",
            "the value before the first row: anything but a (bound, sample) pair works",
        ),
        (r"current = 0$", r"", "set at the first row, before it is read"),
        (
            r"round\(wilson_lower\(s, n\) or 0\.0, 12\)",
            r"or 0\.0, 13\)",
            "12 or 13 digits alike: equal bounds differ by float noise (1e-17), others by more",
        ),
        (
            r"if tie else 0, pair",
            r"if tie else 1, pair",
            "without a tie rule every item gets the same constant: only the key orders ties",
        ),
    ],
}

# mutmut's exit-code meanings (mutmut/stats.py); anything else is "suspicious".
KILLED = {1, 3, 37}
SURVIVED = {0}
TIMEOUT = {36, -24, 24, 152, 255}


def stage(work: Path, module: str) -> None:
    """A copy of the package and the tests in the layout mutmut expects."""
    if work.exists():
        shutil.rmtree(work)
    (work / "src").mkdir(parents=True)
    shutil.copytree(
        ROOT / "plugins/answerable",
        work / "src/answerable",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in BOARD_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, work / name)
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, work / name)
    tests = [t for t in MODULES[module] if (ROOT / t).exists()]
    settings = {
        "source_paths": ["src"],
        "only_mutate": [f"src/answerable/{_path(module)}.py"],
        "also_copy": BOARD_FILES,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-x", "-q"],
    }
    lines = ["[tool.mutmut]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    # The tests import helpers from each other (``from conftest import ...``).
    lines += ["", "[tool.pytest.ini_options]", 'pythonpath = ["tests"]', "xfail_strict = true"]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")


def _path(module: str) -> str:
    """The module's file in the package: the core's layer, or checks/ for privacy."""
    return f"checks/{module}" if module == "privacy" else f"core/{module}"


def results(work: Path, module: str) -> dict[str, int | None]:
    meta = work / "mutants/src/answerable" / f"{_path(module)}.py.meta"
    return json.loads(meta.read_text("utf-8"))["exit_code_by_key"]


def equivalent(module: str, diff: str) -> str | None:
    """Why a surviving mutant changes nothing, when it is a known equivalent one."""
    removed = [
        line[1:]
        for line in diff.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line[1:]
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    for old, new, why in EQUIVALENT.get(module, []):
        if any(re.search(old, line) for line in removed) and any(
            re.search(new, line) for line in added
        ):
            return why
    return None


def run_module(
    module: str, work: Path, children: int, show: bool
) -> tuple[int, int, list[str], list[str], float]:
    folder = work / module
    stage(folder, module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(children)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    (folder / "mutmut.log").write_text(run.stdout + run.stderr, "utf-8")
    meta = folder / "mutants/src/answerable" / f"{_path(module)}.py.meta"
    if not meta.exists():
        print(f"{module}: mutmut did not run; see {folder / 'mutmut.log'}")
        print((run.stdout + run.stderr)[-2000:])
        return 0, 0, [], [], elapsed
    codes = results(folder, module)
    killed = sum(1 for code in codes.values() if code in KILLED or code in TIMEOUT)
    left, same = [], []
    for name in sorted(n for n, code in codes.items() if not (code in KILLED or code in TIMEOUT)):
        diff = subprocess.run(
            [sys.executable, "-m", "mutmut", "show", name],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        why = equivalent(module, diff)
        (same if why else left).append(f"{name}: {why}" if why else name)
        if show:
            print(f"--- {name} (exit code {codes[name]}; {why or 'left'})\n{diff}\n")
    return killed, len(codes), left, same, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--work", type=Path, default=ROOT / "build/mutation")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument("--list-survivors", action="store_true")
    args = parser.parse_args()
    unknown = [name for name in args.modules if name not in MODULES]
    if unknown:
        parser.error(f"not a core module: {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    modules = args.modules or list(MODULES)
    rows = []
    for module in modules:
        killed, total, left, same, elapsed = run_module(
            module, args.work, args.max_children, args.list_survivors
        )
        counted = total - len(same)
        rows.append((module, killed, total, len(same), counted, elapsed))
        share = killed / counted if counted else 0.0
        print(
            f"{module:10} {killed:4} killed of {counted:<4} ({len(same)} equivalent left out)"
            f"  {share:6.1%}  {elapsed:5.0f} s",
            flush=True,
        )
        for name in same:
            print(f"    equivalent: {name}")
        for name in left:
            print(f"    survived: {name}")
    print()
    print("| module | mutants | equivalent | killed | survived | score |")
    print("|---|---|---|---|---|---|")
    for module, killed, total, same, counted, _ in rows:
        score = f"{killed / counted:.1%}" if counted else "-"
        print(f"| {module} | {total} | {same} | {killed} | {counted - killed} | {score} |")
    below = [row[0] for row in rows if not row[4] or row[1] / row[4] < args.target]
    if below:
        print(f"below {args.target:.0%}: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
