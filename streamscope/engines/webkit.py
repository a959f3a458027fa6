"""WebKit: Playwright's build where installed, else WebKitGTK, this machine's real WebKit.

Substituting another engine would answer the wrong question, so there is no further fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.engines import playwright_driver
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.gates import WEBKIT_LINUX
from streamscope.engines.needs import Part
from streamscope.engines.playwright_engine import PlaywrightEngine, bundled
from streamscope.engines.settings import EngineConfig, remote_url, x_display
from streamscope.engines.webkitgtk import RemoteWebKitGTKEngine, WebKitGTKEngine
from streamscope.errors import one_line

# MiniBrowser comes with libwebkit2gtk-4.1-0, which webkit2gtk-driver installs; neither file
# prints its version, which is its Debian package's.
WEBKIT_PARTS = (Part("browser", "system_browser", "webkit2gtk-driver", version_flag=False),
                Part("driver", "system_driver", "webkit2gtk-driver", version_flag=False))


@dataclass(frozen=True)
class WebKitSettings:
    # WebKitGTK, used where `playwright install` has not put Playwright's WebKit here.
    system_browser: str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
    system_driver: str = "/usr/bin/WebKitWebDriver"
    args: tuple[str, ...] = ()
    # A remote WebDriver endpoint that runs WebKitGTK sessions (a WebKitWebDriver elsewhere,
    # or a Selenium Grid relaying to one): http://host:port. Empty: WebKitWebDriver here.
    webdriver_url: str = ""
    # How many sessions webdriver_url takes at once: a WebKitWebDriver one, a Grid as many as
    # its relay's slots. `streamscope run --jobs` opens no more than this.
    webdriver_sessions: int = 1
    # The X display, reachable from this machine, that the remote MiniBrowser shows on: where
    # the page can be filmed. Empty: the remote screen is not filmed.
    remote_display: str = ""

    def __post_init__(self) -> None:
        remote_url(self.webdriver_url, "webdriver_url", ("http", "https"))
        x_display(self.remote_display, "remote_display")
        if self.webdriver_sessions < 1:
            raise ValueError(
                f"webdriver_sessions must be 1 or more, got {self.webdriver_sessions}")

    @property
    def remote_endpoint(self) -> str:
        """Where the browser runs when not on this machine; "" where it runs here."""
        return self.webdriver_url

    @property
    def remote_screen(self) -> str:
        """The remote display that is filmed, where the browser runs remotely; else ""."""
        return self.remote_display if self.webdriver_url else ""

    def concurrent_sessions(self) -> int | None:
        """How many of these browsers may run at once (None: no limit): what the endpoint takes."""
        return self.webdriver_sessions if self.webdriver_url else None


class PlaywrightWebKitEngine(PlaywrightEngine):
    """Only where Playwright's own WebKit is installed: the system's WebKit is WebKitGTK."""

    # Playwright's Linux WebKit is the WPE port: libsoup as in WebKitGTK.
    engine_family, browser_type, product, gates = "WebKit", "webkit", "WebKit", WEBKIT_LINUX
    safari_core = True
    settings: WebKitSettings


def create_webkit(config: EngineConfig, *, window: bool = False) -> Engine:
    if config.settings.webdriver_url:
        return RemoteWebKitGTKEngine(config, window=window)
    try:
        playwright = playwright_driver.acquire()
    except Exception as exc:
        raise EngineError(f"webkit could not start: {one_line(exc)}") from exc
    try:
        has_playwright_build = bundled(playwright.webkit)
    finally:
        playwright_driver.release()
    if has_playwright_build:
        return PlaywrightWebKitEngine(config, window=window)
    return WebKitGTKEngine(config, window=window)
