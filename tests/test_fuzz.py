"""No input makes ``answerable validate`` crash, and a good file beside a bad one is read."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerable.cli.main import cli
from conftest import BOARD_YAML, TICKET_YAML

GOOD = TICKET_YAML.format(
    id="2026-000001", received="2026-11-02T09:14:00+08:00", type="complaint", department="housing"
)
AS_OF = "2026-11-20T12:00:00+08:00"
REPLY = "---\ndate: 2026-11-05T10:00:00+08:00\ndepartment: housing\nkind: final\n---\n经核查已处理完毕，感谢您的监督。此复。\n"

yaml_fragments = st.sampled_from(
    [
        "", "\n", ": ", "- ", "&a ", "*a ", "!!str ", "!!python/name:os.system ", "[", "]", "{", "}",
        "'", '"', "#", "---\n", "...\n", "\t", "  ", "no", "2026-11-02", "2026-11-02T09:14:00",
        "+08:00", "id", "title", "received", "transfers", "extensions", "rating", "\x00", "\ufeff",
        "\r\n", "<<: ", "? ", "|", ">", "%YAML 1.1\n", "9" * 400, "徐先生",
    ]
)  # fmt: skip
texts = st.one_of(
    st.binary(max_size=300),
    st.lists(yaml_fragments, max_size=30).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
    st.tuples(st.integers(0, len(GOOD)), st.lists(yaml_fragments, max_size=5)).map(
        lambda cut: (GOOD[: cut[0]] + "".join(cut[1]) + GOOD[cut[0] :]).encode()
    ),
)


def _board(root: Path) -> None:
    (root / "board.yaml").write_text(BOARD_YAML, "utf-8")
    good = root / "tickets/2026/2026-000002"
    good.mkdir(parents=True)
    (good / "ticket.yaml").write_text(GOOD.replace("2026-000001", "2026-000002"), "utf-8")
    (root / "tickets/2026/2026-000001").mkdir(parents=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=texts, where=st.sampled_from(["ticket.yaml", "reply-1.md", "board.yaml"]))
def test_any_bytes_give_messages_not_tracebacks(data: bytes, where: str) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        _board(root)
        folder = root / "tickets/2026/2026-000001"
        if where == "reply-1.md":
            (folder / "ticket.yaml").write_text(GOOD, "utf-8")
            (folder / "reply-1.md").write_bytes(REPLY.encode()[:40] + data)
        elif where == "ticket.yaml":
            (folder / "ticket.yaml").write_bytes(data)
        else:
            (folder / "ticket.yaml").write_text(GOOD, "utf-8")
            (root / "board.yaml").write_bytes(BOARD_YAML.encode()[:200] + data)
        result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        report = json.loads(result.output)
        for problem in report["problems"]:
            assert problem["line"] >= 1
            assert problem["message"]
        if where != "board.yaml":
            # The good ticket beside the bad file is read and reported clean...
            assert not [p for p in report["problems"] if "2026-000002" in p["path"]]
            # ...and really read: received Mon 2 Nov 09:14, a complaint of 5 working days,
            # due at the end of Mon 9 Nov, so overdue on 20 Nov, 9 working days late
            # (10-13, 16-20 Nov).
            listed = CliRunner().invoke(
                cli,
                ["overdue", "--board", str(root), "--format", "json", "--as-of", AS_OF],
            )
            overdue = {t["id"]: t for t in json.loads(listed.stdout)["overdue"]}
            good = overdue["2026-000002"]
            assert good["due"] == "2026-11-09T23:59:59+08:00"
            assert good["working_days_late"] == 9
            assert good["department"] == "housing"
        for command in (["stats", "--as-of", AS_OF], ["overdue"]):
            other = CliRunner().invoke(cli, [*command, "--board", str(root)])
            assert other.exit_code in (0, 1, 2), other.output
            if other.exit_code == 2:  # only for a board.yaml that cannot be read
                assert where == "board.yaml"
                assert "board.yaml could not be read" in other.output
            assert other.exception is None or isinstance(other.exception, SystemExit), repr(
                other.exception
            )
    finally:
        shutil.rmtree(root)
