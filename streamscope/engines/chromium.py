"""Chromium through Playwright: its own build where installed, else the system's."""

from __future__ import annotations

from playwright.sync_api import BrowserType, Playwright

from streamscope.engines.playwright_engine import Launch, PlaywrightEngine, bundled


class ChromiumEngine(PlaywrightEngine):
    engine_family = "Blink"

    def _browser_type(self, playwright: Playwright) -> BrowserType:
        return playwright.chromium

    def _choose_launch(self, browser_type: BrowserType) -> Launch:
        args = list(self.config.args)
        if bundled(browser_type):
            return Launch("Chromium (Playwright build)", "playwright", {"args": args})
        return Launch(
            f"Chromium ({self.config.system_executable})",
            "playwright",
            {"executable_path": self.config.system_executable, "args": args},
        )

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        width, height = self.display.size
        return ["--kiosk", "--window-position=0,0", f"--window-size={width},{height}"]
