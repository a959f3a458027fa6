"""Firefox through Playwright: its own build where installed, else stock Firefox over BiDi."""

from __future__ import annotations

from playwright.sync_api import BrowserType, Playwright

from streamscope.engines.playwright_engine import Launch, PlaywrightEngine, bundled


class FirefoxEngine(PlaywrightEngine):
    engine_family = "Gecko"

    def _browser_type(self, playwright: Playwright) -> BrowserType:
        return playwright.firefox

    def _choose_launch(self, browser_type: BrowserType) -> Launch:
        args = list(self.config.args)
        if bundled(browser_type):
            return Launch("Firefox (Playwright build)", "playwright", {"args": args})
        # Stock Firefox has no Juggler protocol; Playwright drives it over WebDriver BiDi.
        return Launch(
            f"Firefox ({self.config.system_executable})",
            "playwright over WebDriver BiDi",
            {
                "executable_path": self.config.system_executable,
                "channel": self.config.system_channel,
                "args": args,
            },
        )

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        # Without a window manager, kiosk mode alone leaves Firefox at 90% of the screen.
        width, height = self.display.size
        return ["--kiosk", f"--width={width}", f"--height={height}"]
