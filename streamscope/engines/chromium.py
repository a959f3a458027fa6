"""Chromium through Playwright: its own build where installed, else the system's."""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.engines.gates import BLINK
from streamscope.engines.needs import Part
from streamscope.engines.playwright_engine import PlaywrightEngine, PlaywrightSettings

CHROMIUM_PARTS = (Part("browser", "system_executable", "chromium"),)


@dataclass(frozen=True)
class ChromiumSettings(PlaywrightSettings):
    system_executable: str = "/usr/bin/chromium"
    # Without these, Chromium keeps calling Google's services, which a closed network refuses
    # many times a second.
    args: tuple[str, ...] = ("--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--no-first-run", "--disable-quic")


class ChromiumEngine(PlaywrightEngine):
    engine_family, browser_type, product, gates = "Blink", "chromium", "Chromium", BLINK
    settings: ChromiumSettings

    def _window_args(self) -> list[str]:
        if self.display is None:
            return []
        width, height = self.display.size
        return ["--kiosk", "--window-position=0,0", f"--window-size={width},{height}"]
