"""The real WebKit engine of a Linux machine: WebKitGTK's MiniBrowser through WebKitWebDriver.

WebKitGTK has no WebDriver BiDi and cannot run headless, so it runs on a display, pages load
with page_load_strategy "none" (navigation returns at once) and are read with scripts while
they load. It is WebKit, not Safari: the recording names it for what it is.

A script with a time limit that a busy page leaves unanswered wedges the session: every later
command waits behind it, for as long as the page's script runs. The next page then comes from
a new session.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service
from urllib3.exceptions import TimeoutError as HTTPTimeoutError

from streamscope.deadline import Deadline, poll
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.gates import WEBKIT_LINUX
from streamscope.engines.info import EngineInfo
from streamscope.engines.page_driver import NavigationResponse, ScriptTimeout
from streamscope.engines.processes import descendants, end_all
from streamscope.engines.settings import EngineConfig
from streamscope.errors import one_line

BLANK_LOADED = "return location.href === 'about:blank' && document.readyState === 'complete';"
BLANK_TIMEOUT_S = 10.0
UNLOAD_RETRIES = 3

# Selenium passes a callback as the last argument of an async script; this resolves it.
_ASYNC_WRAPPER = """
const done = arguments[arguments.length - 1];
(async () => {{ {body} }})().then(done, (e) => done({{__error: String(e)}}));
"""


@contextmanager
def _selenium_own_deprecation() -> Iterator[None]:
    """Selenium's own session set-up (WebKitGTK's driver, and Remote's) still sets
    RemoteConnection's deprecated remote_server_addr; a suite that turns warnings into errors
    must not fail on it.

    https://github.com/SeleniumHQ/selenium/issues/14686: fixed for the browsers with a
    connection class of their own (https://github.com/SeleniumHQ/selenium/pull/14690), not for
    the others, which get_remote_connection (remote/webdriver.py) still builds with
    remote_server_addr in 4.51; no report of that path found."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
        yield


class SeleniumPage:
    def __init__(self, driver: webdriver.Remote) -> None:
        self._driver = driver
        self.wedged = False  # a script went unanswered: the session waits behind it
        # Navigation returns at once here: wait for about:blank, or it could commit later,
        # over whatever the recorder loads next.
        driver.get("about:blank")
        loaded = poll(lambda deadline: self.evaluate(BLANK_LOADED, timeout_s=deadline.left_s()),
                      BLANK_TIMEOUT_S, interval_s=0.01)
        if not loaded:
            raise EngineError("WebKitGTK did not load about:blank")

    def add_init_script(self, script: str) -> bool:
        return False

    def navigate(self, url: str, timeout_s: float) -> NavigationResponse | None:
        self._driver.get(url)
        return None

    def evaluate(self, body: str, timeout_s: float | None = None) -> Any:
        # WebKitWebDriver runs every script asynchronously; one caught by the old document's
        # unload fails with "Callback was not called before the unload event" (WebKit's
        # WebAutomationSessionProxy::willDestroyGlobalObjectForFrame, Source/WebKit/
        # WebProcess/Automation/WebAutomationSessionProxy.cpp: by design, the script's
        # document is gone; not a bug). Polls run during navigations by design, so run it
        # again, in the new document.
        deadline = None if timeout_s is None else Deadline(timeout_s)
        for _ in range(UNLOAD_RETRIES):
            try:
                return self._execute(body, deadline)
            except WebDriverException as exc:
                if "before the unload event" not in str(exc):
                    raise
        return self._execute(body, deadline)

    def _execute(self, body: str, deadline: Deadline | None) -> Any:
        """The session's script timeout does not hold while the page's main thread is busy,
        so the time limit is the HTTP client's.

        WebKit's script timeout is a setTimeout in the page itself (_execute in Source/WebKit/
        WebProcess/Automation/WebAutomationSessionProxy.js), which cannot fire until the page's
        own script yields; seen here with WebKitGTK 2.50, no upstream report found."""
        if deadline is None:
            return self._driver.execute_script(body)
        executor = self._driver.command_executor
        assert isinstance(executor, RemoteConnection)
        client = executor.client_config
        previous, client.timeout = client.timeout, max(deadline.left_s(), 0.01)
        try:
            return self._driver.execute_script(body)
        except HTTPTimeoutError as exc:
            self.wedged = True
            raise ScriptTimeout(f"WebKitGTK's page did not answer within {client.timeout:.1f} s"
                                ) from exc
        finally:
            client.timeout = previous

    def evaluate_async(self, body: str) -> Any:
        result = self._driver.execute_async_script(_ASYNC_WRAPPER.format(body=body))
        if isinstance(result, dict) and "__error" in result:
            raise EngineError(f"script failed in WebKitGTK: {result['__error']}")
        return result

    def screenshot(self, path: Path) -> None:
        self._driver.save_screenshot(str(path))

    def close(self) -> None:
        """One session serves every recording; the next page starts from about:blank."""


class WebKitGTKEngine(Engine):
    gates, safari_core = WEBKIT_LINUX, True

    def __init__(self, config: EngineConfig, *, window: bool = False) -> None:
        super().__init__(config, window=window)
        self._service: Service | None = None
        self._driver: webdriver.Remote | None = None
        # Taken at launch too: if the driver dies first, its browser is orphaned and no longer
        # found below it.
        self._launched: list[psutil.Process] = []
        self._page: SeleniumPage | None = None
        self._restart_failed: str | None = None  # why the last new session could not start

    def _needs_display(self) -> bool:
        # WebKitGTK has no headless mode: without a display MiniBrowser cannot open its
        # window (GTK: "cannot open display"), and its session never starts.
        return True

    def _launch(self) -> EngineInfo:
        for path in (self.settings.system_browser, self.settings.system_driver):
            if not Path(path).exists():
                raise EngineError(
                    f"webkit could not start: {path} is missing "
                    f"(Debian: apt-get install webkit2gtk-driver)"
                )
        assert self.display is not None
        # A session of its own, as Xvfb is sheltered: a terminal's Ctrl-C reaches our process
        # group, and the run ends WebKitWebDriver and MiniBrowser in order.
        self._service = Service(executable_path=self.settings.system_driver, env=self.display.env,
                                popen_kw={"start_new_session": True})
        with _selenium_own_deprecation():
            driver = webdriver.WebKitGTK(options=self._options(), service=self._service)
        self._driver = driver
        if self._service.process is not None:
            self._launched = descendants(self._service.process.pid)
        return self._describe(driver, "WebKitWebDriver (Selenium)")

    def _options(self) -> Options:
        options = Options()
        options.binary_location = self.settings.system_browser
        options.add_argument("--automation")
        options.page_load_strategy = "none"
        options.accept_insecure_certs = self.config.ignore_https_errors
        return options

    def _describe(self, driver: webdriver.Remote, launcher: str) -> EngineInfo:
        width, height = self.config.viewport.width, self.config.viewport.height
        driver.set_window_rect(x=0, y=0, width=width, height=height)
        caps = driver.capabilities
        return EngineInfo(
            name=self.name,
            engine="WebKit",
            product=f"WebKitGTK {caps.get('browserName', 'MiniBrowser')}",
            version=str(caps.get("browserVersion", "")),
            launcher=launcher,
            user_agent=driver.execute_script("return navigator.userAgent"),
            gates=self.gates,
            safari_core=self.safari_core,
            endpoint=self.endpoint,
        )

    def new_page(self) -> SeleniumPage:
        if self._driver is None and self._restart_failed is not None:
            raise EngineError(self._restart_failed)  # each later page, as the first that met it
        assert self._driver is not None, "start() the engine first"
        if self._page is not None and self._page.wedged:
            self._restart()
        try:
            self._page = SeleniumPage(self._driver)
        except ScriptTimeout:  # a page that began a long script after its recording ended
            self._restart()
            self._page = SeleniumPage(self._driver)
        return self._page

    def _restart(self) -> None:
        """A new session, on the same display: the old one waits behind a busy page."""
        self._shutdown()
        try:
            self._info = self._launch()
        except Exception as exc:
            self._shutdown()  # what the launch started before it failed
            self._restart_failed = (one_line(exc) if isinstance(exc, EngineError) else
                                    f"{self.name} could not start a new session: "
                                    f"{one_line(exc)}")
            raise EngineError(self._restart_failed) from exc
        assert self._driver is not None

    def _shutdown(self) -> None:
        service, driver = self._service, self._driver
        self._service, self._driver, self._page = None, None, None
        if service is None:
            return
        # Selenium's Service has a process only once started: DriverFinder, before it, can fail.
        process = getattr(service, "process", None)
        started = [*self._launched, *(descendants(process.pid) if process is not None else [])]
        self._launched = []
        try:
            if driver is not None:
                driver.quit()
        except WebDriverException:
            pass  # MiniBrowser may be gone already; its PIDs are ended below either way
        finally:
            service.stop()
            end_all(started)


class RemoteWebKitGTKEngine(WebKitGTKEngine):
    """WebKitGTK through a remote WebDriver endpoint: a WebKitWebDriver on another display or
    machine, or a Selenium Grid that relays WebKitGTK sessions to one.

    The session asks for what a local one does (MiniBrowser, `--automation`, page load strategy
    none); the MiniBrowser path is the remote machine's. The endpoint owns its processes and its
    display: this engine opens and ends only its session.
    """

    def _needs_display(self) -> bool:
        return False  # the remote side has its own

    @property
    def endpoint(self) -> str:
        return str(self.settings.webdriver_url)

    def _launch(self) -> EngineInfo:
        with _selenium_own_deprecation():
            driver = webdriver.Remote(command_executor=self.endpoint, options=self._options())
        self._driver = driver
        return self._describe(driver, f"Selenium Remote WebDriver at {self.endpoint}")

    def _shutdown(self) -> None:
        driver, self._driver = self._driver, None
        if driver is None:
            return
        try:
            driver.quit()
        except WebDriverException:
            pass  # the endpoint may have ended the session already
