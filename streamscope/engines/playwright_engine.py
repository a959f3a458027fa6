"""Engines driven by Playwright: its own browser builds where installed, else the system's."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    Page,
    ViewportSize,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from streamscope.engines import playwright_driver
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.info import EngineInfo
from streamscope.engines.page_driver import NavigationResponse, ScriptTimeout
from streamscope.engines.processes import descendants, end_all, wait_gone
from streamscope.engines.settings import EngineConfig
from streamscope.errors import one_line

# How long a browser whose driver is gone may take to end by itself before it is ended.
CLOSE_WAIT_S = 1.0
# A page that could not load is still becoming Chromium's error page when its recording ends,
# and Chromium refuses a screenshot until that page has a frame: 8 of 25 refused URLs here,
# each taken at the second try, 0.05 s later. Only that refusal is tried again.
_NO_FRAME_YET = "Unable to capture screenshot"
SCREENSHOT_TRIES = 5
SCREENSHOT_RETRY_S = 0.05


@dataclass(frozen=True)
class Launch:
    """How one engine launches: what BrowserType.launch gets, and how to describe it."""

    product: str
    launcher: str
    options: dict[str, Any] = field(default_factory=dict)


LAUNCH_OPTIONS_HEADER = "x-playwright-launch-options"


def _profiles(processes: list[psutil.Process]) -> list[Path]:
    """The temporary profiles the driver made for the browser it launched (Chromium's
    --user-data-dir=DIR, Firefox's --profile DIR, in the driver's playwright_*profile-*
    folders): the driver removes them as it closes the browser, and cannot once it is gone."""
    temporary = Path(tempfile.gettempdir())
    found = set()
    for process in processes:
        try:
            args = process.cmdline()
        except psutil.Error:
            continue
        for flag, value in itertools.pairwise([*args, ""]):
            folder = flag.partition("=")[2] if flag.startswith("--user-data-dir=") else (
                value if flag == "--profile" else "")
            if folder and Path(folder).parent == temporary and Path(folder).name.startswith(
                    "playwright_"):
                found.add(Path(folder))
    return sorted(found)


def _protocol_name(option: str) -> str:
    """A BrowserType.launch keyword in the protocol's names: executable_path -> executablePath."""
    first, *rest = option.split("_")
    return first + "".join(word.title() for word in rest)


def bundled(browser_type: BrowserType) -> bool:
    """Has `playwright install` put this browser on this machine?"""
    return Path(browser_type.executable_path).exists()


class PlaywrightPage:
    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self._page: Page = context.new_page()

    def add_init_script(self, script: str) -> bool:
        self._page.add_init_script(script)
        return True

    def navigate(self, url: str, timeout_s: float) -> NavigationResponse | None:
        try:
            response = self._page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        except PlaywrightTimeoutError as exc:
            raise TimeoutError(f"{url} did not commit within {timeout_s:g} s") from exc
        if response is None:
            return None
        return NavigationResponse(response.status, response.headers.get("content-type", ""),
                                  response.url)

    def evaluate(self, body: str, timeout_s: float | None = None) -> Any:
        expression = f"() => {{ {body} }}"
        if timeout_s is None:
            return self._page.evaluate(expression)
        # Page.evaluate has no time limit (microsoft/playwright#13253): it waits for as long as
        # the page's main thread is busy. So the call runs on the sync API's own event loop
        # under asyncio.wait_for; a reply that comes after is dropped by the connection, whose
        # call it was is cancelled. wait_for_function has a limit, but evaluates with eval(),
        # which a page's Content-Security-Policy may forbid, and takes three round trips.
        call = asyncio.wait_for(self._page._impl_obj.evaluate(expression), max(timeout_s, 0.0))
        try:
            return self._page._sync(call)
        except TimeoutError as exc:
            raise ScriptTimeout(f"the page did not answer within {timeout_s:.1f} s") from exc

    def evaluate_async(self, body: str) -> Any:
        return self._page.evaluate(f"async () => {{ {body} }}")

    def screenshot(self, path: Path) -> None:
        for attempt in range(1, SCREENSHOT_TRIES + 1):
            try:
                self._page.screenshot(path=str(path))
                return
            except PlaywrightError as error:
                if _NO_FRAME_YET not in str(error) or attempt == SCREENSHOT_TRIES:
                    raise
            time.sleep(SCREENSHOT_RETRY_S)

    def close(self) -> None:
        self._context.close()


class PlaywrightEngine(Engine):
    """An engine Playwright launches: its own build of `browser_type` where `playwright install`
    put one on this machine, else the system's browser that the settings name."""

    engine_family: str = ""
    browser_type: str = ""  # Playwright's name for it: chromium, firefox, webkit
    product: str = ""  # what a reader calls the browser
    system_launcher = "playwright"  # how the system's browser is driven, as reports say it

    def __init__(self, config: EngineConfig, *, window: bool = False) -> None:
        super().__init__(config, window=window)
        self._browser: Browser | None = None
        self._playwright_held = False  # whether this engine holds the thread's driver
        # Taken at launch: should the driver die first, the browser it launched is orphaned,
        # no longer below us, and still to be ended, and its profile left to remove.
        self._launched: list[psutil.Process] = []
        self._temporary: list[Path] = []
        self._spare: PlaywrightPage | None = None  # the launch's page, until a recording takes it

    def _system_options(self) -> dict[str, Any]:
        """BrowserType.launch options for the system's browser."""
        return {"executable_path": self.settings.system_executable}

    def _choose_launch(self, browser_type: BrowserType) -> Launch:
        args = list(self.settings.args)
        if bundled(browser_type):
            return Launch(f"{self.product} (Playwright build)", "playwright", {"args": args})
        options = self._system_options()
        return Launch(f"{self.product} ({options['executable_path']})", self.system_launcher,
                      {**options, "args": args})

    @property
    def endpoint(self) -> str:
        return str(self.settings.remote_endpoint)

    def _launch(self) -> EngineInfo:
        playwright = playwright_driver.acquire()
        self._playwright_held = True
        browser_type: BrowserType = getattr(playwright, self.browser_type)
        if self.endpoint:
            launch = self._connect(browser_type)
        else:
            launch = self._choose_launch(browser_type)
            options = dict(launch.options)
            options["args"] = [*options.get("args", []), *self._window_args()]
            if self.display is not None:
                options["env"] = playwright_driver.browser_env(self.display.env)
            # Below this thread's driver, not below us: whatever else starts during the launch
            # (another lane's Xvfb or browser, the video queue's ffmpeg) is none of its own.
            driver = playwright_driver.driver_pid(playwright)
            before = set(descendants(driver)) if driver is not None else set()
            try:
                self._browser = browser_type.launch(headless=self.display is None, **options)
            finally:
                # Taken while the driver runs, also when the launch was interrupted (a Ctrl-C
                # while the browser starts).
                self._launched = ([p for p in descendants(driver) if p not in before]
                                  if driver is not None else [])
                self._temporary = _profiles(self._launched)
        assert self._browser is not None
        page = self.new_page()
        try:
            user_agent = page.evaluate("return navigator.userAgent")
        except BaseException:
            page.close()
            raise
        # Kept for the first recording: a context that has only read navigator.userAgent on
        # about:blank is as fresh as a new one, and a new one took 0.3 to 0.5 s.
        self._spare = page
        return EngineInfo(
            name=self.name,
            engine=self.engine_family,
            product=launch.product,
            version=self._browser.version,
            launcher=launch.launcher,
            user_agent=user_agent,
            gates=self.gates,
            safari_core=self.safari_core,
            endpoint=self.endpoint,
        )

    def _connect(self, browser_type: BrowserType) -> Launch:
        """The browser, launched by the Playwright server at `connect` with the system's browser.

        The server reads the launch options from the x-playwright-launch-options header, in the
        protocol's names (executablePath), and passes executablePath and args on only when it
        runs with --unsafe (playwright-core src/remote/playwrightServer.ts, filterLaunchOptions).
        Without it, it launches its own build of the browser, if it has one.
        """
        options = {_protocol_name(k): v for k, v in self._system_options().items() if v}
        options["args"] = [*self.settings.args, *self._window_args()]
        options["headless"] = self.display is None
        executable = options.get("executablePath", "the server's own build")
        try:
            self._browser = browser_type.connect(
                self.endpoint, headers={LAUNCH_OPTIONS_HEADER: json.dumps(options)})
        except Exception as exc:
            message = one_line(exc)
            if "Executable doesn't exist" in message or "Cannot find" in message:
                message += (" (a Playwright server launches the executablePath it is sent only "
                            "when it runs with --unsafe)")
            raise EngineError(f"{self.name} could not start on the Playwright server at "
                              f"{self.endpoint}: {message}") from exc
        return Launch(f"{self.product} ({executable}, on the Playwright server)",
                      f"{self.system_launcher}, through the Playwright server at {self.endpoint}")

    def _window_args(self) -> list[str]:
        """Arguments that make a headed window fill its display, for a screen video of the page."""
        return []

    def new_page(self) -> PlaywrightPage:
        assert self._browser is not None, "start() the engine first"
        spare, self._spare = self._spare, None
        if spare is not None:
            return spare
        viewport = ViewportSize(width=self.config.viewport.width,
                                height=self.config.viewport.height)
        return PlaywrightPage(self._browser.new_context(
            viewport=viewport, ignore_https_errors=self.config.ignore_https_errors))

    def _shutdown(self) -> None:
        browser = self._browser
        launched, self._launched = self._launched, []
        temporary, self._temporary = self._temporary, []
        self._spare = None  # closed with the browser
        try:
            if browser is not None:
                browser.close()
            else:  # a launch that did not finish: nobody will close what it started
                end_all(launched)
        except Exception:
            # The driver is gone ("Connection closed while reading from the driver": a
            # terminal's Ctrl-C reaches it too), and may have been closing the browser itself.
            end_all(wait_gone(launched, CLOSE_WAIT_S))
        finally:
            self._browser = None
            for folder in temporary:  # already gone where the driver closed the browser
                shutil.rmtree(folder, ignore_errors=True)
            if self._playwright_held:
                self._playwright_held = False
                playwright_driver.release()
