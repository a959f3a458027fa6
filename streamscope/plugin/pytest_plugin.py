"""streamscope's pytest plugin: record streamed pages in real engines from any test suite.

It reuses pytest-playwright's options rather than shadowing them: `--browser` picks the
engines (default: the `browsers` of playwright.config.toml, else chromium), `--headed` shows
the windows, `--video` and `--screenshot` keep artifacts in pytest-playwright's layout under
`--output` (one folder per test and engine, `video.webm`, `test-finished-1.png`). Under
pytest-xdist each worker starts engines (and displays) of its own. Its `page`
fixture launches Playwright's own WebKit, which most Linux machines lack, so these fixtures
yield our engines instead.

Once collected, the engines the selected tests use are checked as `streamscope doctor` checks
them (engines/readiness.py): an engine that cannot run here fails its tests with what is
missing and what fixes it, before any starts; it is never skipped.

Each recording's verdict goes where CI already looks: JUnit XML properties (junit_properties)
and, where pytest-html writes a report, the test's row (pytest_html_extras).
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Playwright

from streamscope.config import Config, find_config_file, load_config
from streamscope.engines import Engine, EngineError, create_engine, playwright_driver
from streamscope.engines.readiness import check_engines
from streamscope.judge.verdict import judge
from streamscope.paint import final_screenshot
from streamscope.plugin.junit_properties import junit_properties
from streamscope.prove.verify import FixReplay, verify_fix
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording
from streamscope.run.doctor import fixes
from streamscope.run.lanes import one_screen_error
from streamscope.run.options import RunOptions
from streamscope.run.record_and_verify import record_and_verify
from streamscope.run.runs import Run

if TYPE_CHECKING:
    from streamscope.plugin.html_extras import HtmlExtras

RecordFunction = Callable[[str], Recording]
_HTML_EXTRAS = "streamscope-html-extras"
# Why each engine the session's tests use cannot run here; absent where it can.
_CANNOT_RUN = pytest.StashKey[dict[str, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("streamscope", "streamscope")
    group.addoption(
        "--streamscope-config", default=None,
        help="playwright.config.toml to use (default: the nearest one above the rootdir).",
    )
    group.addoption(
        "--streamscope-no-paint", action="store_true", default=False,
        help="Record DOM growth only: no window, no screen video, no paint verdict.",
    )
    group.addoption(
        "--streamscope-verify-fix", action="store_true", default=False,
        help="Replay every held recording with its fix (as `streamscope run --verify-fix`); "
             "the result is in the test's report and its streamscope.fix_verified property.",
    )
    group.addoption(
        "--streamscope-no-measure", action="store_true", default=False,
        help="Never measure a threshold a held page's reason needs on first need (as "
             "`streamscope run --no-measure`): such reasons then go without the number.",
    )
    group.addoption(
        "--streamscope-connect", default=None, metavar="WS_URL",
        help="Run the Playwright engines on this Playwright server (`playwright run-server`).",
    )
    group.addoption(
        "--streamscope-webdriver-url", default=None, metavar="URL",
        help="Run WebKit through this remote WebDriver endpoint (a WebKitWebDriver, or a "
             "Selenium Grid relaying to one).",
    )
    group.addoption(
        "--streamscope-remote-display", default=None, metavar=":N",
        help="The X display here that remote browsers show on, filmed for the paint verdict.",
    )


def _load(config: pytest.Config) -> Config:
    path = config.getoption("--streamscope-config")
    try:
        loaded = load_config(Path(path) if path else find_config_file(config.rootpath))
        if config.getoption("--streamscope-no-measure"):
            loaded = loaded.measuring_thresholds(False)
        return loaded.with_engine_settings(
            connect=config.getoption("--streamscope-connect"),
            webdriver_url=config.getoption("--streamscope-webdriver-url"),
            remote_display=config.getoption("--streamscope-remote-display"),
        )
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from exc


def pytest_configure(config: pytest.Config) -> None:
    loaded = _load(config)
    # A matrix in playwright.config.toml is the default when no --browser was given;
    # without one, pytest-playwright's own default (chromium) stands.
    if not config.getoption("--browser", default=None):
        if loaded.browsers:
            config.option.browser = list(loaded.browsers)
    if config.getoption("htmlpath", default=None):  # pytest-html is installed and writing
        # Imported here: it draws filmstrips with the report's libraries, which a suite
        # without --html should not pay for at every start.
        from streamscope.plugin.html_extras import HtmlExtras

        config.pluginmanager.register(HtmlExtras.of(config), _HTML_EXTRAS)
    # pytest-xdist: every worker starts engines of its own, each on its own display; but a
    # remote endpoint takes so many sessions at once, and a shared screen shows one window.
    workers = getattr(config.option, "numprocesses", None)
    if not isinstance(workers, int) or workers <= 1:
        return
    chosen = [loaded.engines[name] for name in config.getoption("--browser", default=None) or ()
              if name in loaded.engines]
    if not config.getoption("--streamscope-no-paint") and (
            config.getoption("--headed") or any(s.remote_screen for s in chosen)):
        raise pytest.UsageError(one_screen_error("-n 1"))
    for settings in chosen:
        most = settings.concurrent_sessions()
        if most is not None and workers > most:
            raise pytest.UsageError(f"the remote WebDriver endpoint takes {most} session(s) at "
                                    f"once (webdriver_sessions): run with -n {most} or fewer")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Checks the engines that the selected tests record in, once, before any test runs: a
    suite that records nothing (or only deselected tests do) checks nothing."""
    config = session.config
    names = sorted({name for name in map(_engine_of, session.items) if name})
    if not names or config.getoption("collectonly"):
        return
    loaded = _load(config)
    headed = bool(config.getoption("--headed"))
    results = check_engines([loaded.engine(name, headed=headed) for name in names],
                            paint=not config.getoption("--streamscope-no-paint"))
    config.stash[_CANNOT_RUN] = {
        result.engine: "; ".join([result.summary(), *(f"fix: {fix}" for fix in
                                                      fixes(loaded, [result]))])
        for result in results if not result.ok}


def _engine_of(item: pytest.Item) -> str | None:
    """The engine a test records in (pytest-playwright's browser_name), if it records."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or "browser_engine" not in getattr(item, "fixturenames", ()):
        return None
    name = callspec.params.get("browser_name")
    return name if isinstance(name, str) else None


@pytest.fixture(scope="session")
def streamscope_config(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Config:
    """The settings every engine and recording of this session uses. pytest-playwright's
    `browser_context_args` returning `ignore_https_errors: True` accepts untrusted
    certificates in every engine, as it does in its own contexts."""
    return _load(pytestconfig).ignoring_https_errors(_ignores_https_errors(request))


def _ignores_https_errors(request: pytest.FixtureRequest) -> bool:
    # browser_context_args needs pytest-playwright's fallback `base_url` fixture, a session
    # fixture defined as an instance method (_BaseUrlFallback in pytest_playwright.py), which
    # pytest 9 deprecates with a PytestRemovedIn10Warning: an error in a suite that turns
    # warnings into errors, though nothing is wrong with that suite.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pytest.PytestRemovedIn10Warning)
        args = request.getfixturevalue("browser_context_args")
    return bool(args.get("ignore_https_errors"))


@pytest.fixture(scope="session")
def browser_engine(browser_name: str, streamscope_config: Config, pytestconfig: pytest.Config,
                   playwright: Playwright) -> Iterator[Engine]:
    """The started engine for this test's `browser_name`; an engine that cannot start fails."""
    missing = pytestconfig.stash.get(_CANNOT_RUN, {}).get(browser_name)
    if missing:
        pytest.fail(f"{browser_name} could not start: {missing}", pytrace=False)
    # pytest-playwright's driver, so that its `page` and our engines can share a session.
    playwright_driver.share(playwright)
    started = _start_engine(browser_name, streamscope_config, pytestconfig)
    yield started
    started.stop()


def _start_engine(browser_name: str, config: Config, pytestconfig: pytest.Config) -> Engine:
    headed = bool(pytestconfig.getoption("--headed"))
    paint = not pytestconfig.getoption("--streamscope-no-paint")
    reason = ""
    try:
        started = create_engine(config.engine(browser_name, headed=headed), window=paint)
        started.start()
    except EngineError as exc:
        reason = str(exc)
    if reason:  # failed outside the except block, so pytest shows the reason once
        pytest.fail(reason, pytrace=False)
    return started


def _marked(request: pytest.FixtureRequest, config: Config) -> Config | None:
    """The test's own settings, where its `browser_context_args` marker (pytest-playwright's,
    for one test's contexts) asks for untrusted certificates other than the session does."""
    marker = request.node.get_closest_marker("browser_context_args")
    if marker is None or "ignore_https_errors" not in marker.kwargs:
        return None
    ignore = bool(marker.kwargs["ignore_https_errors"])
    if ignore == config.recording.ignore_https_errors:
        return None
    return config.with_https_errors_ignored(ignore)


@pytest.fixture
def record(browser_engine: Engine, streamscope_config: Config, pytestconfig: pytest.Config,
           output_path: str, request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[RecordFunction]:
    """A function that records a URL in this test's engine and returns the Recording.

    Each recording's verdict becomes JUnit XML properties. After the test, keeps the screen
    video(s) and a screenshot as --video and --screenshot say, and with pytest-html's --html
    puts every recording in the test's row.
    """
    paint = not pytestconfig.getoption("--streamscope-no-paint")
    verify = pytestconfig.getoption("--streamscope-verify-fix")
    # A test marked for other certificate handling gets an engine of its own: WebKitGTK takes
    # it per session, not per page.
    marked = _marked(request, streamscope_config)
    engine = (browser_engine if marked is None
              else _start_engine(browser_engine.name, marked, pytestconfig))
    options = RunOptions(marked or streamscope_config, verify_fixes=verify,
                         note=_note(pytestconfig))
    pipeline = Pipeline(engine, options.config)
    recorded: list[tuple[Run, Path | None]] = []

    def _record(url: str) -> Recording:
        video = tmp_path / f"video-{len(recorded) + 1}.webm" if paint else None
        recording, replay = record_and_verify(pipeline, url, options, video=video,
                                              replays_in=tmp_path)
        run = Run.of(recording, replay)
        recorded.append((run, video))
        # What the record_property fixture does, without the warning that fixture gives
        # every test under pytest's default junit_family (xunit2), which writes them all the same.
        request.node.user_properties += junit_properties([r for r, _ in recorded])
        _report_fix(request.node, replay)
        return run.recording

    try:
        yield _record
        failed = _failed(request.node)
        out = Path(output_path)
        if _keep(pytestconfig.getoption("--screenshot"), failed, "only-on-failure"):
            _screenshot(pipeline, out / f"test-{'failed' if failed else 'finished'}-1.png",
                        [video for _, video in recorded if video is not None])
    finally:
        pipeline.close()
        if engine is not browser_engine:
            engine.stop()
    moved: dict[Path, Path] = {}
    if _keep(pytestconfig.getoption("--video"), failed, "retain-on-failure"):
        kept = [video for _, video in recorded if video is not None and video.exists()]
        for index, video in enumerate(kept, start=1):
            out.mkdir(parents=True, exist_ok=True)
            moved[video] = out / ("video.webm" if len(kept) == 1 else f"video-{index}.webm")
            shutil.move(video, moved[video])
    html: HtmlExtras | None = pytestconfig.pluginmanager.get_plugin(_HTML_EXTRAS)
    if html is not None:
        html.add(request.node, recorded, moved, out)


@pytest.fixture
def fix_replay(browser_engine: Engine, streamscope_config: Config,
               tmp_path: Path) -> Callable[[Recording], FixReplay | None]:
    """A function that replays a held recording with its fix in this test's engine (None where
    the recording was progressive or its cause has no fix the harness can apply)."""
    pipeline = Pipeline(browser_engine, streamscope_config)

    def _replay(recording: Recording) -> FixReplay | None:
        try:
            return verify_fix(pipeline, recording, judge(recording), tmp_path)
        finally:
            pipeline.close()

    return _replay


def _note(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Where a threshold measured on first need is said: pytest's terminal, past capture."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")

    def note(line: str) -> None:
        if reporter is not None:
            reporter.write_line(f"streamscope: {line}")

    return note


def _report_fix(item: pytest.Item, replay: FixReplay | None) -> None:
    if replay is None:
        return
    item.user_properties.append(("streamscope.fix_verified", replay.verified))
    item.add_report_section("call", "streamscope fix replay",
                            "\n".join([replay.summary, *replay.change()]))


def _keep(option: str, failed: bool, on_failure: str) -> bool:
    return option == "on" or (failed and option == on_failure)


def _failed(item: Any) -> bool:
    # pytest-playwright's makereport hook leaves each phase's report on the item.
    report = getattr(item, "rep_call", None)
    return report is None or report.failed


def _screenshot(pipeline: Pipeline, path: Path, videos: list[Path]) -> None:
    """What the page shows now; where the engine cannot say (a page still loading blocks
    BiDi Firefox and WebKitGTK), the last frame the screen video caught."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        pipeline.screenshot(path)
        return
    except Exception:
        pass
    filmed = [video for video in videos if video.exists()]
    if filmed:
        try:
            final_screenshot(filmed[-1], path)
        except ValueError:
            pass  # an unreadable video: no screenshot rather than a failed teardown
