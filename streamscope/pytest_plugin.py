"""streamscope's pytest plugin: record streamed pages in real engines from any test suite.

It reuses pytest-playwright's options rather than shadowing them: `--browser` picks the
engines (default: the `browsers` of playwright.config.toml, else chromium), `--headed` shows
the windows, `--video` and `--screenshot` keep artifacts in pytest-playwright's layout under
`--output` (one folder per test and engine, `video.webm`, `test-finished-1.png`). Under
pytest-xdist each worker starts engines (and displays) of its own. Its `page`
fixture launches Playwright's own WebKit, which most Linux machines lack, so these fixtures
yield our engines instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright

from streamscope.config import Config, find_config_file, load_config
from streamscope.engines import Engine, EngineError, create_engine, playwright_driver
from streamscope.lanes import one_screen_error
from streamscope.paint import final_screenshot
from streamscope.pipeline import Pipeline
from streamscope.recording import Recording

RecordFunction = Callable[[str], Recording]


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


@pytest.fixture(scope="session")
def streamscope_config(pytestconfig: pytest.Config) -> Config:
    """The settings every engine and recording of this session uses."""
    return _load(pytestconfig)


@pytest.fixture(scope="session")
def browser_engine(browser_name: str, streamscope_config: Config, pytestconfig: pytest.Config,
                   playwright: Playwright) -> Iterator[Engine]:
    """The started engine for this test's `browser_name`; an engine that cannot start fails."""
    # pytest-playwright's driver, so that its `page` and our engines can share a session.
    playwright_driver.share(playwright)
    headed = bool(pytestconfig.getoption("--headed"))
    paint = not pytestconfig.getoption("--streamscope-no-paint")
    reason = ""
    try:
        started = create_engine(streamscope_config.engine(browser_name, headed=headed),
                                window=paint)
        started.start()
    except EngineError as exc:
        reason = str(exc)
    if reason:  # failed outside the except block, so pytest shows the reason once
        pytest.fail(reason, pytrace=False)
    yield started
    started.stop()


@pytest.fixture
def record(browser_engine: Engine, streamscope_config: Config, pytestconfig: pytest.Config,
           output_path: str, request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[RecordFunction]:
    """A function that records a URL in this test's engine and returns the Recording.

    After the test, keeps the screen video(s) and a screenshot as --video and --screenshot say.
    """
    paint = not pytestconfig.getoption("--streamscope-no-paint")
    pipeline = Pipeline(browser_engine, streamscope_config)
    videos: list[Path] = []

    def _record(url: str) -> Recording:
        video = tmp_path / f"video-{len(videos) + 1}.webm" if paint else None
        if video is not None:
            videos.append(video)
        return pipeline.record(url, video=video)

    try:
        yield _record
        failed = _failed(request.node)
        out = Path(output_path)
        if _keep(pytestconfig.getoption("--screenshot"), failed, "only-on-failure"):
            _screenshot(pipeline, out / f"test-{'failed' if failed else 'finished'}-1.png",
                        videos)
    finally:
        pipeline.close()
    if _keep(pytestconfig.getoption("--video"), failed, "retain-on-failure"):
        kept = [v for v in videos if v.exists()]
        for index, video in enumerate(kept, start=1):
            out.mkdir(parents=True, exist_ok=True)
            name = "video.webm" if len(kept) == 1 else f"video-{index}.webm"
            shutil.move(video, out / name)


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
