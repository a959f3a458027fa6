"""Firefox through Playwright: its own build where installed, else stock Firefox over BiDi."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamscope.engines.gates import GECKO
from streamscope.engines.needs import Part
from streamscope.engines.playwright_engine import PlaywrightEngine, PlaywrightSettings

FIREFOX_PARTS = (Part("browser", "system_executable", "firefox-esr"),)


@dataclass(frozen=True)
class FirefoxSettings(PlaywrightSettings):
    system_executable: str = "/usr/bin/firefox-esr"
    # Stock Firefox has no Juggler protocol; Playwright drives it over WebDriver BiDi.
    system_channel: str = "moz-firefox"
    args: tuple[str, ...] = ()


class FirefoxEngine(PlaywrightEngine):
    engine_family, browser_type, product, gates = "Gecko", "firefox", "Firefox", GECKO
    system_launcher = "playwright over WebDriver BiDi"
    settings: FirefoxSettings

    def _system_options(self) -> dict[str, Any]:
        return {**super()._system_options(), "channel": self.settings.system_channel}

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        # Without a window manager, kiosk mode alone leaves Firefox at 90% of the screen.
        width, height = self.display.size
        return ["--kiosk", f"--width={width}", f"--height={height}"]
