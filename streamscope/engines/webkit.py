"""WebKit: Playwright's build where installed, else WebKitGTK, this machine's real WebKit.

Substituting another engine would answer the wrong question, so there is no further fallback.
"""

from __future__ import annotations

from playwright.sync_api import BrowserType, Playwright

from streamscope.config import EngineConfig
from streamscope.engines import playwright_driver
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.playwright_engine import Launch, PlaywrightEngine, bundled
from streamscope.engines.webkitgtk import WebKitGTKEngine
from streamscope.errors import one_line


class PlaywrightWebKitEngine(PlaywrightEngine):
    engine_family = "WebKit"

    def _browser_type(self, playwright: Playwright) -> BrowserType:
        return playwright.webkit

    def _choose_launch(self, browser_type: BrowserType) -> Launch:
        return Launch("WebKit (Playwright build)", "playwright", {"args": list(self.config.args)})


def create_webkit(config: EngineConfig, *, window: bool = False) -> Engine:
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
