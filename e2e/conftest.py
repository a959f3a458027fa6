"""The e2e suite records the demo server in real engines; see streamscope.plugin.pytest_plugin."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright
from pyvirtualdisplay import Display

from e2e.fleet import playwright_server, selenium_grid, webkit_webdriver
from e2e.other_server import stdlib_server
from streamscope.demo_server.thread import demo_server
from streamscope.engines import playwright_driver

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The demo server's root URL, on a free loopback port for the whole session."""
    with demo_server() as url:
        yield url


@pytest.fixture(scope="session")
def other_server_url() -> Iterator[str]:
    """A page streamed by the standard library's HTTP server, not by Flask."""
    with stdlib_server() as url:
        yield url


@pytest.fixture
def closed_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session", autouse=True)
def _threshold_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Thresholds measured by this session, in a cache of its own: a user's cache neither
    helps nor harms the suite."""
    previous = os.environ.get("STREAMSCOPE_CACHE")
    os.environ["STREAMSCOPE_CACHE"] = str(tmp_path_factory.mktemp("threshold-cache"))
    yield
    if previous is None:
        del os.environ["STREAMSCOPE_CACHE"]
    else:
        os.environ["STREAMSCOPE_CACHE"] = previous


@pytest.fixture(scope="module")
def screen_size() -> tuple[int, int]:
    """The size of `display`: the harness's viewport, unless a module's own fixture says."""
    return (1280, 720)


@pytest.fixture(scope="module")
def display(screen_size: tuple[int, int]) -> Iterator[str]:
    """An Xvfb for the module's captures, by its X display name."""
    with Display(visible=False, size=screen_size, color_depth=24) as xvfb:
        yield f":{xvfb.display}"


@pytest.fixture
def chromium_page(display: str, screen_size: tuple[int, int],
                  playwright: Playwright) -> Iterator[Page]:
    """A headed Chromium whose page fills `display`, as the harness runs it, showing a
    finished document: the marker and blank colours are painted on one (see marker.py)."""
    # One Playwright driver per thread: pytest-playwright's, shared with the engines.
    playwright_driver.share(playwright)
    p = playwright_driver.acquire()
    width, height = screen_size
    with tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=False, no_viewport=True,
            env={**os.environ, "DISPLAY": display},
            args=["--kiosk", "--window-position=0,0", f"--window-size={width},{height}",
                  "--disable-background-networking", "--no-first-run"],
        )  # fmt: skip
        try:
            page = context.pages[0]
            page.goto("data:text/html,<title>before</title>")
            yield page
        finally:
            context.close()
            playwright_driver.release()


@pytest.fixture(scope="session")
def playwright_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `playwright run-server` on loopback (ws:// URL), as a browser-server fleet runs it."""
    with playwright_server(tmp_path_factory.mktemp("playwright-server")) as url:
        yield url


@pytest.fixture(scope="session")
def webkit_webdriver_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A WebKitWebDriver on an Xvfb of its own: its URL, and that X display."""
    with webkit_webdriver(tmp_path_factory.mktemp("webkitwebdriver")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def grid_url(webkit_webdriver_url: tuple[str, str],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Selenium Grid 4 standalone relaying MiniBrowser sessions to the WebKitWebDriver."""
    with selenium_grid(webkit_webdriver_url[0], tmp_path_factory.mktemp("grid")) as url:
        yield url
