"""WebKit: Playwright's build where installed, else WebKitGTK, this machine's real WebKit.

Substituting another engine would answer the wrong question, so there is no further fallback.
"""

from __future__ import annotations

from streamscope.engines import playwright_driver
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.gates import WEBKIT_LINUX
from streamscope.engines.playwright_engine import PlaywrightEngine, bundled
from streamscope.engines.settings import EngineConfig, WebKitSettings
from streamscope.engines.webkitgtk import RemoteWebKitGTKEngine, WebKitGTKEngine
from streamscope.errors import one_line


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
