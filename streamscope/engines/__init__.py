"""The engine registry: the one place that maps a browser name to how it launches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from streamscope.engines.base import Engine, EngineError
from streamscope.engines.chromium import CHROMIUM_PARTS, ChromiumEngine, ChromiumSettings
from streamscope.engines.firefox import FIREFOX_PARTS, FirefoxEngine, FirefoxSettings
from streamscope.engines.info import EngineInfo, Gate, GateKind, Layer
from streamscope.engines.needs import Part
from streamscope.engines.page_driver import NavigationResponse, PageDriver, ScriptTimeout
from streamscope.engines.settings import EngineConfig, Viewport
from streamscope.engines.webkit import WEBKIT_PARTS, WebKitSettings, create_webkit


@dataclass(frozen=True)
class EngineSpec:
    create: Callable[..., Engine]  # (EngineConfig, *, window) -> an engine, not yet started
    settings: type  # the engine's settings dataclass; its defaults are this machine's browser
    # What it runs on this machine where Playwright has not installed its own build of it
    # (`playwright_build`, a BrowserType's name), and the Debian packages that put it there.
    parts: tuple[Part, ...]
    playwright_build: str
    headless: bool  # whether it can run without a display (WebKitGTK cannot)


ENGINES: dict[str, EngineSpec] = {
    "chromium": EngineSpec(ChromiumEngine, ChromiumSettings, CHROMIUM_PARTS, "chromium", True),
    "firefox": EngineSpec(FirefoxEngine, FirefoxSettings, FIREFOX_PARTS, "firefox", True),
    "webkit": EngineSpec(create_webkit, WebKitSettings, WEBKIT_PARTS, "webkit", False),
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
