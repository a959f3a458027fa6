"""Firefox through Playwright: its own build where installed, else stock Firefox over BiDi."""

from __future__ import annotations

from typing import Any

from streamscope.engines.gates import GECKO
from streamscope.engines.playwright_engine import PlaywrightEngine
from streamscope.engines.settings import FirefoxSettings


class FirefoxEngine(PlaywrightEngine):
    engine_family, browser_type, product, gates = "Gecko", "firefox", "Firefox", GECKO
    system_launcher = "playwright over WebDriver BiDi"
    settings: FirefoxSettings

    def _system_options(self) -> dict[str, Any]:
        return {**super()._system_options(), "channel": self.settings.system_channel}

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        # Without a window manager, kiosk mode alone leaves Firefox at 90% of the screen, as
        # browsertime saw on Xvfb (https://github.com/sitespeedio/browsertime/issues/329);
        # no Firefox bug found: without a window manager nothing sizes a window.
        width, height = self.display.size
        return ["--kiosk", f"--width={width}", f"--height={height}"]
