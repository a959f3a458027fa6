"""Chromium through Playwright: its own build where installed, else the system's."""

from __future__ import annotations

from streamscope.engines.gates import BLINK
from streamscope.engines.playwright_engine import PlaywrightEngine
from streamscope.engines.settings import ChromiumSettings


class ChromiumEngine(PlaywrightEngine):
    engine_family, browser_type, product, gates = "Blink", "chromium", "Chromium", BLINK
    settings: ChromiumSettings

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        width, height = self.display.size
        return ["--kiosk", "--window-position=0,0", f"--window-size={width},{height}"]
