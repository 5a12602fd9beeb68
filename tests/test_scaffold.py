"""answerable init: a new board repository that validates, builds and runs its CI."""

from __future__ import annotations

import glob
import re
import sys
import tomllib
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from pelican import Pelican
from pelican.settings import read_settings

import answerable
from answerable.checks.schema import schema_text
from answerable.cli.main import cli
from answerable.reading.loading import load_board
from answerable.staff.scaffold import FILES, ScaffoldError, _Template, init_board

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(answerable.__file__).parent
VERSION = metadata.version("answerable")

BOARDS = {
    "zh_CN": {
        "name": "青川市网络问政公开平台",
        "locale": "zh_CN",
        "timezone": "Asia/Shanghai",
        "country": "CN",
        "city": "青川市",
    },
    "en": {
        "name": "Springfield Public Replies Board",
        "locale": "en",
        "timezone": "Europe/London",
        "country": "GB",
        "city": "Springfield",
    },
}
WORDS = {  # the moment's words and the about page's title, in the board's language
    "zh_CN": ("状态截至", "关于本平台", "青川市人民政府办公室"),
    "en": ("Statuses as of", "About this board", "Springfield Government Office"),
}
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


@pytest.fixture(params=sorted(BOARDS))
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def made(tmp_path: Path, locale: str) -> Path:
    target = tmp_path / "board"
    init_board(target, **BOARDS[locale])
    return target


def workflow(target: Path, name: str) -> dict:
    data = yaml.safe_load((target / ".github/workflows" / name).read_text("utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def runs(data: dict, job: str) -> list[str]:
    return [step["run"] for step in data["jobs"][job]["steps"] if "run" in step]


def test_writes_the_files_of_a_board(tmp_path: Path, locale: str) -> None:
    target = tmp_path / "new"
    written = init_board(target, **BOARDS[locale])
    names = sorted(p.relative_to(target).as_posix() for p in written)
    assert names == sorted(
        [rel for _, rel in FILES]
        + ["schemas/board.schema.json", "schemas/ticket.schema.json"]
        + ["schemas/reply.schema.json", "tickets/.gitkeep"]
    )
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == (
        names
    )
    assert not (target / "plugins").exists()
    for kind in ("board", "ticket", "reply"):
        assert (target / f"schemas/{kind}.schema.json").read_text("utf-8") == schema_text(kind)
    assert (target / ".gitignore").read_text("utf-8").split() == ["output/", "__pycache__/"]


def test_the_board_validates(made: Path, locale: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(made)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 error(s), 0 warning(s)"
    board = load_board(made).board
    assert board is not None
    assert board.name == BOARDS[locale]["name"]
    assert board.locale == locale
    assert board.as_of is None  # a live board: statuses at the moment of each build
    assert [(d.id, d.name, d.level) for d in board.departments] == [
        ("office", WORDS[locale][2], "city")
    ]
    assert [c.id for c in board.categories] == [
        "urban-construction", "environment", "transport", "education-culture",
        "labour-social-security", "commerce-tourism", "health",
    ]  # fmt: skip
    assert board.policies.type_ids() == ["complaint", "consultation", "help", "suggestion"]
    assert board.min_ranked == 5
    assert board.satisfaction_threshold == 0.85
    assert board.shallow_reply.min_chars == 40
    type_names = {t.id: t.name for t in board.types}
    assert type_names["complaint"] == ("投诉" if locale == "zh_CN" else "Complaint")


def test_the_site_builds_with_its_own_settings(made: Path, tmp_path: Path, locale: str) -> None:
    conf = (made / "pelicanconf.py").read_text("utf-8")
    assert "PLUGIN_PATHS" not in conf
    output = tmp_path / "out"
    settings = read_settings(
        str(made / "pelicanconf.py"),
        override={"OUTPUT_PATH": str(output), "CACHE_PATH": str(tmp_path / "cache")},
    )
    assert settings["THEME"] == str(PACKAGE / "theme")
    assert settings["ANSWERABLE_BOARD"] == str(made)
    before = datetime.now(UTC)
    Pelican(settings).run()
    after = datetime.now(UTC)

    words, about_title, _ = WORDS[locale]
    home = BeautifulSoup((output / "index.html").read_text("utf-8"), "html.parser")
    assert home.title.get_text() == BOARDS[locale]["name"]
    assert home.find("html")["lang"] == ("zh-CN" if locale == "zh_CN" else "en")
    as_of = home.select_one("p.as-of")
    assert as_of.get_text(" ", strip=True).startswith(words)
    moment = datetime.fromisoformat(as_of.find("time")["datetime"])
    assert before <= moment <= after  # no as_of in board.yaml: the moment of the build
    about = BeautifulSoup((output / "about.html").read_text("utf-8"), "html.parser")
    assert about_title in about.title.get_text()
    assert about.select_one("p.as-of") is None  # it shows no status, so no moment
    for page in ("how-to-submit.html", "review.html", "leaderboard.html", "promises.html"):
        assert (output / page).is_file()


def test_publish_settings_need_the_address(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", [*sys.path])  # publishconf.py adds its folder
    monkeypatch.delitem(sys.modules, "pelicanconf", raising=False)  # another board's
    monkeypatch.setenv("ANSWERABLE_SITEURL", "https://owner.github.io/board/")
    settings = read_settings(
        str(made / "publishconf.py"), override={"OUTPUT_PATH": str(tmp_path / "out")}
    )
    assert settings["SITEURL"] == "https://owner.github.io/board"
    assert settings["FEED_DOMAIN"] == settings["SITEURL"]
    assert settings["RELATIVE_URLS"] is False
    assert settings["ANSWERABLE_BOARD"] == str(made)
    monkeypatch.delitem(sys.modules, "pelicanconf", raising=False)
    monkeypatch.delenv("ANSWERABLE_SITEURL")
    with pytest.raises(SystemExit, match="ANSWERABLE_SITEURL"):
        read_settings(str(made / "publishconf.py"))


def test_content_pages_speak_the_board_language(made: Path, locale: str) -> None:
    office = WORDS[locale][2]
    review = (made / "content/pages/review.md").read_text("utf-8")
    assert review.startswith("Title: ")
    assert office in review
    about = (made / "content/pages/about.md").read_text("utf-8")
    assert BOARDS[locale]["name"] in about
    assert f"Title: {WORDS[locale][1]}" in about
    assert "${" not in about + review


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "board"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="not empty"):
        init_board(target, **BOARDS["zh_CN"])
    assert [p.name for p in target.iterdir()] == ["notes.txt"]

    written = init_board(target, **BOARDS["zh_CN"], force=True)
    assert target / "board.yaml" in written
    assert (target / "notes.txt").read_text("utf-8") == "keep me"
    assert CliRunner().invoke(cli, ["validate", str(target)]).exit_code == 0


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    init_board(tmp_path, **BOARDS["en"])
    assert (tmp_path / "board.yaml").is_file()


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "board"
    target.write_text("", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="not a folder"):
        init_board(target, **BOARDS["en"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "E104 'timezone': unknown time zone"),
        ({"country": "XX"}, "E104 no official calendar"),
        ({"locale": "fr"}, "locale 'fr' is not supported"),
        ({"city": " "}, "a name and a city"),
    ],
)
def test_refuses_a_board_that_would_not_validate(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    target = tmp_path / "board"
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        init_board(target, **{**BOARDS["en"], **change})
    assert not target.exists()  # nothing written


@pytest.mark.parametrize("name", ["Springfield: Replies, Answered", "NO", "yes", "#1 board"])
def test_any_name_is_kept_as_written(tmp_path: Path, name: str) -> None:
    target = tmp_path / "board"
    init_board(target, **{**BOARDS["en"], "name": name, "city": name})
    board = load_board(target).board
    assert board is not None
    assert board.name == name
    assert board.departments[0].name == f"{name} Government Office"
    settings = read_settings(str(target / "pelicanconf.py"))
    assert settings["SITENAME"] == name


def test_validate_workflow(made: Path) -> None:
    data = workflow(made, "validate.yml")
    assert list(data["on"]) == ["pull_request"]
    assert list(data["jobs"]) == ["validate"]
    steps = data["jobs"]["validate"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    # The build state is kept between runs: a large board is then checked in seconds.
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/answerable/state"
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    commands = runs(data, "validate")
    assert f'python -m pip install "answerable=={VERSION}"' in commands
    assert "answerable validate --format github" in commands
    assert "answerable audit --format github" in commands


def test_overdue_workflow(made: Path) -> None:
    data = workflow(made, "overdue.yml")
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    [schedule] = data["on"]["schedule"]
    assert re.fullmatch(r"\d{1,2} \* \* \* \*", schedule["cron"])  # every hour
    commands = runs(data, "overdue")
    assert any(c.startswith(f'python -m pip install "answerable=={VERSION}"') for c in commands)
    assert commands[-1] == "answerable overdue --format github"  # exit 1 turns the run red
    summary = next(c for c in commands if "--format markdown" in c)
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary


def test_pages_workflow(made: Path) -> None:
    data = workflow(made, "pages.yml")
    assert data["on"]["push"] == {"branches": ["main"]}
    assert re.fullmatch(r"\d{1,2} \* \* \* \*", data["on"]["schedule"][0]["cron"])
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert list(data["jobs"]) == ["build", "deploy"]
    build = data["jobs"]["build"]["steps"]
    uses = [s["uses"].split("@")[0] for s in build if "uses" in s]
    assert uses == [
        "actions/checkout", "actions/setup-python", "actions/cache", "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]  # fmt: skip
    site = next(s for s in build if s.get("run") == "pelican -s publishconf.py")
    assert site["env"] == {"ANSWERABLE_SITEURL": "${{ steps.pages.outputs.base_url }}"}
    assert next(s for s in build if "upload-pages-artifact" in s.get("uses", ""))["with"] == {
        "path": "output"
    }
    install = next(c for c in runs(data, "build") if "pip install" in c)
    assert f'"answerable=={VERSION}"' in install
    assert "pagefind[extended]" in install  # the search index is built after the site
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_workflows_keep_github_expressions(made: Path) -> None:
    templates = PACKAGE / "scaffold/common/github/workflows"
    texts = {}
    for name in ("validate.yml", "overdue.yml", "pages.yml"):
        template = (templates / name).read_text("utf-8")
        text = (made / ".github/workflows" / name).read_text("utf-8")
        assert EXPRESSION.findall(text) == EXPRESSION.findall(template)
        assert not re.search(r"\$\{[a-z]", text)  # every placeholder filled
        texts[name] = text
    assert "${{ github.event.pull_request.number }}" in texts["validate.yml"]
    assert "${{ !cancelled() }}" in texts["validate.yml"]
    assert '"$GITHUB_STEP_SUMMARY" || [ $? -eq 1 ]' in texts["overdue.yml"]


def test_the_template_fills_only_its_placeholders() -> None:
    text = "${name} ${{ github.ref }} $HOME ${HOME} $$ $version"
    assert _Template(text).substitute(name="x") == "x ${{ github.ref }} $HOME ${HOME} $ $version"
    with pytest.raises(KeyError):
        _Template("${missing}").substitute()


def test_pre_commit_uses_the_hook_of_this_repository(made: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "answerable-validate"
    assert hook["entry"] == "answerable validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    assert re.match(hook["files"], "board.yaml")
    assert re.match(hook["files"], "tickets/2026/2026-000001/ticket.yaml")
    assert not re.match(hook["files"], "content/pages/about.md")

    config = yaml.safe_load((made / ".pre-commit-config.yaml").read_text("utf-8"))
    [repo] = config["repos"]
    [local] = repo["hooks"]
    assert local.pop("additional_dependencies") == [f"answerable=={VERSION}"]
    assert local == {k: hook[k] for k in local}  # the same hook, installed from the package
    assert set(local) >= {"id", "entry", "language", "pass_filenames", "always_run", "files"}


def test_pull_request_template(made: Path, locale: str) -> None:
    text = (made / ".github/pull_request_template.md").read_text("utf-8")
    checklist = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert len(checklist) == 6
    assert "answerable validate" in checklist[-1]
    assert "supplement" in text
    assert "promised" in text


def test_package_data_ships_the_templates() -> None:
    """Every template is in the wheel: pyproject.toml's package data names it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["answerable"]
    shipped = {
        Path(p).as_posix()
        for pattern in patterns
        for p in glob.glob(pattern, root_dir=PACKAGE, recursive=True)
    }
    templates = {
        p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "scaffold").rglob("*") if p.is_file()
    }
    assert templates
    assert templates - shipped == set()
    for template, _ in FILES:
        for locale in BOARDS:
            assert f"scaffold/{template.format(locale=locale)}" in templates
