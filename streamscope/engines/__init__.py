"""The engine registry: the one place that maps a browser name to how it launches."""

from __future__ import annotations

from collections.abc import Callable

from streamscope.config import EngineConfig
from streamscope.engines.base import Engine, EngineError
from streamscope.engines.chromium import ChromiumEngine
from streamscope.engines.firefox import FirefoxEngine
from streamscope.engines.page import NavigationResponse, PageDriver
from streamscope.engines.webkit import create_webkit

ENGINES: dict[str, Callable[..., Engine]] = {
    "chromium": ChromiumEngine,
    "firefox": FirefoxEngine,
    "webkit": create_webkit,
}


def create_engine(config: EngineConfig, *, window: bool = False) -> Engine:
    """An engine for `config.name`, not yet started."""
    try:
        factory = ENGINES[config.name]
    except KeyError:
        raise EngineError(
            f"unknown browser {config.name!r}: choose from {', '.join(ENGINES)}"
        ) from None
    return factory(config, window=window)


__all__ = ["ENGINES", "Engine", "EngineError", "NavigationResponse", "PageDriver", "create_engine"]
