"""The Pelican glue: one Generator that loads the board and writes its pages.

``register`` connects module-level receivers only: Pelican keeps weak references to
signal receivers, and a plugin's state must be fresh at every run (autoreload).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from answerable.build.building import STAGED_RUN, StagedRun, mark, pelican_folders, unsafe_output
from answerable.build.plan import plan_build
from answerable.build.publishing import (
    link_last_site,
    owned,
    page_context,
    publish,
    remove_stale,
    write_if_changed,
    write_manifest,
)
from answerable.build.settings import SettingsError, plugin_settings
from answerable.checks.problems import Severity
from answerable.cli.formats import problem_line
from answerable.core.snapshot import BoardError, take_snapshot
from answerable.exports import feeds, open_data
from answerable.incremental.fragments import FragmentStore
from answerable.incremental.jobs import Job, Page
from answerable.incremental.page_cache import Looked, PageCache, base_digest, look_meanwhile
from answerable.incremental.settled import kept_states
from answerable.incremental.state import BuildState, cache_root
from answerable.reading.loading import default_workers
from answerable.reading.witness import read_witness
from answerable.site.families import menu, site_jobs
from answerable.site.fragments import TicketRows
from answerable.site.i18n import (
    Formatter,
    TemplateBytecodeCache,
    TranslatedText,
    install_catalog,
)
from answerable.site.urls import SITEMAP
from answerable.site.views import Site

log = logging.getLogger(__name__)
THEME_DIR = Path(__file__).parent / "theme"


class BoardBuildError(SystemExit):
    """The board has errors; the site is not built from a board that is wrong.

    A SystemExit, so that ``pelican`` stops with exit code 1 and the listed problems,
    not with a traceback of its own (it logs every ``Exception`` with one).
    """

    def __init__(self, message: str) -> None:
        log.error("%s", message)
        super().__init__(1)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BoardGenerator(Generator):  # type: ignore[misc]
    staged_run: StagedRun | None = None
    """Given by `answerable build` for one run (see ``get_generators``)."""
    kept_pages: tuple[BuildState, dict[bytes, bytes], Looked] | None = None
    """The last build's pages, and their files looked at meanwhile."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - Pelican's
        super().__init__(*args, **kwargs)
        # Pelican makes its generators before it empties OUTPUT_PATH (with
        # DELETE_OUTPUT_DIRECTORY) and writes there: a plain `pelican` into the board or
        # a folder of other files is stopped here, before anything is deleted or written.
        try:
            options = plugin_settings(self.settings)
        except SettingsError as error:
            raise BoardBuildError(str(error)) from None
        if self.staged_run is not None:
            return  # `answerable build` checked the site's folder, and made this one anew
        refused = unsafe_output(
            Path(self.output_path), options["ANSWERABLE_BOARD"], pelican_folders(self.settings)
        )
        if refused:
            raise BoardBuildError(f"refused OUTPUT_PATH: {refused}; nothing was deleted")

    def generate_context(self) -> None:
        try:
            options = plugin_settings(self.settings)
        except SettingsError as error:
            raise BoardBuildError(str(error)) from None
        try:
            # Before anything else is written (Pelican has emptied the folder by now):
            # the next build knows this folder as a site it may replace.
            Path(self.output_path).mkdir(parents=True, exist_ok=True)
            mark(self.output_path)
        except OSError as error:
            raise BoardBuildError(f"{error.filename}: {error.strerror or error}") from None
        started = time.perf_counter()
        run = self.staged_run
        self.kept_pages = None
        if options["ANSWERABLE_CACHE"] and run and run.changes_only and run.last_site:
            # The last site's pages are compared with this build's: their files are
            # looked at now, by another process, while this one works out the board.
            state = BuildState(options["ANSWERABLE_BOARD"])
            entries = state.pages(self._content_folder())
            self.kept_pages = (state, entries, look_meanwhile(entries, run.last_site))
        plan = run.plan if run is not None else None
        if plan is None:
            plan = plan_build(
                options["ANSWERABLE_BOARD"],
                options["ANSWERABLE_AS_OF"],
                cache=options["ANSWERABLE_CACHE"],
                workers=options["ANSWERABLE_WORKERS"] or default_workers(),
                publish_valid=options["ANSWERABLE_PUBLISH_VALID"],
            )
            # Run by `pelican` itself: what the site leaves out is said here (N001, N002).
            for p in plan.problems:
                if p.severity is Severity.NOTICE:
                    log.warning("%s", problem_line(p))
        log.info("answerable: read and checked the board in %.2f s", time.perf_counter() - started)
        if plan.blocking:
            for p in plan.blocking:
                log.error("%s", problem_line(p))
            raise BoardBuildError(
                f"the board has {len(plan.blocking)} error(s); the site was not built"
            )
        for p in plan.errors:
            log.warning("left out: %s", problem_line(p))
        loaded = plan.published
        as_of = plan.as_of
        assert loaded.board is not None  # noqa: S101 - nothing blocks: board.yaml was read
        assert as_of is not None  # noqa: S101 - and so the moment resolved
        # One read of git for the figures and the ticket pages, the same times as
        # 'answerable stats' and 'overdue' count.
        show = options["ANSWERABLE_HISTORY"]
        witness = read_witness(
            options["ANSWERABLE_BOARD"],
            loaded.board,
            history=show,
            cache=options["ANSWERABLE_CACHE"],
        )
        if witness.notice:
            log.warning("%s", witness.notice)
        elif show and witness.error:
            log.warning("publication times are not shown: %s", witness.error)
        try:
            state = BuildState(options["ANSWERABLE_BOARD"]) if options["ANSWERABLE_CACHE"] else None
            states = kept_states(state, loaded.board_digest)
            snapshot = take_snapshot(loaded, as_of, witness.times, states)
        except BoardError as error:
            raise BoardBuildError(str(error)) from None
        formatter = Formatter(loaded.board.locale, snapshot.rules.zone)
        history = witness.history if show else None
        feed_url = self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL", "")
        site = Site(snapshot, formatter, options["ANSWERABLE_PER_PAGE"], history, feed_url)
        self.site = site
        self.options = options
        self.workers = options["ANSWERABLE_WORKERS"] or default_workers()
        self.context.update(
            {
                "board": loaded.board,
                "as_of": snapshot.as_of,
                "fmt": formatter,
                "site": site,
                "html_lang": "zh-CN" if formatter.chinese else "en",
            }
        )

    def generate_output(self, writer: Any) -> None:  # noqa: ANN401 - Pelican's Writer
        relative = self.settings.get("RELATIVE_URLS", False)
        site_url = None if relative else self.settings.get("SITEURL", "")
        base = dict(self.context)

        def render(page: Page) -> str:
            template = self.get_template(page.template)
            return template.render(page_context(base, page, site_url))

        output = Path(self.output_path)
        started = time.perf_counter()
        cache = self._page_cache(base) if self.options["ANSWERABLE_CACHE"] else None
        # Each ticket's row in the lists and piece of the whole-board files, kept beside
        # the pages' keys.
        store = FragmentStore(cache.state if cache else None, cache.base if cache else b"")
        self.env.globals["ticket_row"] = TicketRows(self.env, self.site.fmt, store)
        self.site.store = store
        site = self.site
        if store.keeps_none():
            site.make_views()  # every ticket is shown afresh: before the processes fork
        # The pages read from the whole board first: they render while this process
        # works out the jobs of the pages that number with the tickets (``many``). The
        # whole-board files lead, the longest to make: begun last, one would be made
        # alone while the other processes wait.
        jobs = [
            *open_data.board_jobs(site, store),
            *site_jobs(site, many=False),
            *feeds.jobs(site),
        ]

        def many() -> list[Job]:
            return [*site_jobs(site, many=True), *open_data.request_jobs(site)]

        then: Callable[[], list[Job]] = many

        run = self.staged_run
        # `answerable build` into a staging folder: with changes_only, pages are compared
        # with the last site's and only those that differ are staged; else the last
        # site's files under the names the jobs write are linked in first.
        last = run.last_site if run is not None and run.changes_only else None
        if run is not None and run.last_site is not None and last is None:
            made = many()  # first: the last site's files are linked in by their names
            names = owned([*(path for job in (*jobs, *made) for path in job.paths), SITEMAP])
            try:
                link_last_site(run.last_site, output, names)
            except OSError as error:
                raise BoardBuildError(f"{error.filename}: {error.strerror or error}") from None
            then = lambda: made  # noqa: E731 - the same jobs, made already
        written = publish(jobs, render, output, self.workers, cache, last, store.flush, then)
        log.info("answerable: made pages in %.2f s", time.perf_counter() - started)
        pages = [path for path in written.paths if path.endswith(".html")]
        sitemap = Page(SITEMAP, "answerable_sitemap", {"urls": pages})
        write_if_changed(
            output,
            sitemap.save_as,
            self.get_template(sitemap.template).render(
                page_context(base, sitemap, self.settings.get("SITEURL", ""))
            ),
            last,
        )
        if last is None:
            # Every job's file is among those written or kept: the names are theirs.
            names = owned([*written.paths, SITEMAP])
            stale = remove_stale(output, {*written.paths, SITEMAP}, names)
        else:  # the swap drops what the last site holds beyond these
            write_manifest(output, [*written.paths, SITEMAP])
            stale = 0
        if cache is not None:
            cache.save(written.files)
        log.info(
            "answerable: %d files, %d rendered, %d written, %d stale removed",
            len(written.paths),
            written.rendered,
            written.changed,
            stale,
        )

    def _page_cache(self, base: dict[str, Any]) -> PageCache:
        env = self.env
        templates = [(name, env.loader.get_source(env, name)[0]) for name in env.list_templates()]
        shared = {
            key: value
            for key, value in base.items()
            # The moment joins the keys on its own (PageCache), not through the settings.
            if key
            not in (
                "site",
                "board",
                "fmt",
                "as_of",
                "ANSWERABLE_AS_OF",
                "OUTPUT_PATH",
            )
        }
        snapshot = self.site.snapshot
        digest = base_digest(
            templates, shared, snapshot.loaded.board_digest, self.site.history is not None
        )
        # In the board's build state (in the user's cache folder, not the site's), per
        # content folder: its entries hold only while the files they name are untouched.
        state, entries, looked = self.kept_pages or (
            BuildState(self.options["ANSWERABLE_BOARD"]),
            None,
            None,
        )
        moment = snapshot.as_of.isoformat().encode()
        return PageCache(state, self._content_folder(), digest, moment, entries, looked)

    def _content_folder(self) -> str:
        """Whose pages the build state keeps: one board may be built from several."""
        return str(self.settings.get("PATH", ""))


def get_generators(pelican: Any) -> type[Generator]:  # noqa: ANN401 - Pelican's Pelican
    # `answerable build` has read and checked the board already and knows the site it
    # replaces; it hangs that on the Pelican object it starts, and this run's generator
    # class carries it. Not in the settings: they are copied into every page's context
    # and digested into every page's key. Not in a module global: nothing outlives the
    # Pelican object. Taken once: a second run of the same object (`pelican
    # --autoreload`) plans afresh, as plain `pelican` always does.
    run = pelican.__dict__.pop(STAGED_RUN, None)
    if run is None:
        return BoardGenerator
    return type("BoardGenerator", (BoardGenerator,), {"staged_run": run})


def prepare_environment(generator: Generator) -> None:
    """Every generator's templates autoescape and can translate.

    A build loads each template once (a later run makes new generators), so Jinja's check
    of the file at every ``get_template`` is off, and compiled templates are kept in the
    user's cache folder for the next build."""
    generator.env.autoescape = True
    generator.env.auto_reload = False
    if generator.settings.get("ANSWERABLE_CACHE", True):
        generator.env.bytecode_cache = TemplateBytecodeCache(cache_root() / "templates")
    generator.env.add_extension("jinja2.ext.i18n")
    generator.env.add_extension(TranslatedText)
    generator.env.install_null_translations(newstyle=True)


def install_translations(generators: list[Generator]) -> None:
    """Once the board is loaded, its locale decides the language of every page."""
    board_generators = [g for g in generators if isinstance(g, BoardGenerator)]
    if not board_generators or not hasattr(board_generators[0], "site"):
        return
    locale = board_generators[0].site.board.locale
    for generator in generators:
        if hasattr(generator, "env"):
            install_catalog(generator.env, locale)  # drops what was compiled without it


def share_menu(generators: list[Generator]) -> None:
    """The main navigation of every page (base.html), Pelican's pages included: the
    entries the page families declare (``MENU``), then the board's own pages
    (content/pages), sorted once instead of by each page as it renders. The board's pages
    go in Jinja's ``sort(attribute='slug')`` order: by slug, ignoring case."""
    entries = menu([open_data])
    for generator in generators:
        context = getattr(generator, "context", None)
        if context is not None and "menu_pages" not in context:
            pages = context.get("pages", [])
            context["menu"] = entries
            context["menu_pages"] = sorted(pages, key=lambda p: _ignore_case(p.slug))


def _ignore_case(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def build_search_index(pelican: Any) -> None:  # noqa: ANN401 - Pelican's Pelican
    """Pagefind indexes the written site: static search, Chinese segmented, no server."""
    if not pelican.settings.get("ANSWERABLE_SEARCH", True):
        return
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed module
        [sys.executable, "-m", "pagefind", "--site", str(pelican.output_path), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    log.info("answerable: search index in %.2f s", time.perf_counter() - started)
    if result.returncode != 0:
        raise BoardBuildError(
            f"the search index failed: {result.stderr.strip() or result.stdout.strip()}"
        )


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(build_search_index)
    signals.generator_init.connect(prepare_environment)
    signals.all_generators_finalized.connect(install_translations)
    signals.all_generators_finalized.connect(share_menu)
