"""The engine registry: the one place that maps a browser name to how it launches.

What the registry tells about an engine (its settings, its parts, whether it runs headless)
is data here; the module that launches it, with Playwright or Selenium, is imported only when
an engine is created. The data contract (recording.py), the config and the DAMAGE listener
import this package, and need neither.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from streamscope.engines.base import Engine, EngineError
from streamscope.engines.info import EngineInfo, Gate, GateKind, Layer
from streamscope.engines.needs import Part
from streamscope.engines.page_driver import NavigationResponse, PageDriver, ScriptTimeout
from streamscope.engines.settings import (
    ChromiumSettings,
    EngineConfig,
    FirefoxSettings,
    Viewport,
    WebKitSettings,
)


@dataclass(frozen=True)
class EngineSpec:
    module: str  # the module that launches it, imported when an engine is created
    factory: str  # its callable there: (EngineConfig, *, window) -> an engine, not yet started
    settings: type  # the engine's settings dataclass; its defaults are this machine's browser
    # What it runs on this machine where Playwright has not installed its own build of it
    # (`playwright_build`, a BrowserType's name), and the Debian packages that put it there.
    parts: tuple[Part, ...]
    playwright_build: str
    headless: bool  # whether it can run without a display (WebKitGTK cannot)

    def create(self, config: EngineConfig, *, window: bool = False) -> Engine:
        factory = getattr(importlib.import_module(self.module), self.factory)
        engine: Engine = factory(config, window=window)
        return engine


ENGINES: dict[str, EngineSpec] = {
    "chromium": EngineSpec(
        "streamscope.engines.chromium", "ChromiumEngine", ChromiumSettings,
        (Part("browser", "system_executable", "chromium"),), "chromium", True),
    "firefox": EngineSpec(
        "streamscope.engines.firefox", "FirefoxEngine", FirefoxSettings,
        (Part("browser", "system_executable", "firefox-esr"),), "firefox", True),
    # MiniBrowser comes with libwebkit2gtk-4.1-0, which webkit2gtk-driver installs; neither
    # file prints its version, which is its Debian package's.
    "webkit": EngineSpec(
        "streamscope.engines.webkit", "create_webkit", WebKitSettings,
        (Part("browser", "system_browser", "webkit2gtk-driver", version_flag=False),
         Part("driver", "system_driver", "webkit2gtk-driver", version_flag=False)),
        "webkit", False),
}
ENGINE_NAMES = tuple(ENGINES)


def create_engine(config: EngineConfig, *, window: bool = False) -> Engine:
    """An engine for `config.name`, not yet started."""
    try:
        spec = ENGINES[config.name]
    except KeyError:
        raise EngineError(
            f"unknown browser {config.name!r}: choose from {', '.join(ENGINES)}"
        ) from None
    return spec.create(config, window=window)


__all__ = [
    "ENGINES", "ENGINE_NAMES", "Engine", "EngineConfig", "EngineError", "EngineInfo",
    "EngineSpec", "Gate", "GateKind", "Layer", "NavigationResponse", "PageDriver", "Viewport",
    "ScriptTimeout", "create_engine",
]
