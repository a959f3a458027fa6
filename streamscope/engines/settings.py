"""What an engine is launched with: the shared part, and each engine's own settings.

Each engine module declares its settings as a frozen dataclass whose defaults are this
machine's system browser; playwright.config.toml's `[engines.<name>]` overrides them, and
config.py reads that file. A value is checked against its annotation as the table is read
(`section`, through validation.py) and by its class's own __post_init__, so a typo in the
file is a one-line error naming the table and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from streamscope.validation import from_table

T = TypeVar("T")


@dataclass(frozen=True)
class Viewport:
    width: int = 1280
    height: int = 720


@dataclass(frozen=True)
class EngineConfig:
    name: str
    settings: Any  # the engine's own settings dataclass, e.g. ChromiumSettings
    headed: bool = False
    viewport: Viewport = Viewport()
    # Accept a certificate no browser trusts (self-signed, mkcert, an expired one): pages of a
    # dev server or a staging site.
    ignore_https_errors: bool = False


def remote_url(value: str, name: str, schemes: tuple[str, ...]) -> None:
    """Checks a remote endpoint setting: empty (run on this machine) or a URL of `schemes`."""
    parts = urlsplit(value)
    if value and (parts.scheme not in schemes or not parts.netloc):
        raise ValueError(f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL, "
                         f"got {value!r}")


def x_display(value: str, name: str) -> None:
    """Checks an X display setting: empty, or like ":99" or "host:99.0"."""
    if value and not re.fullmatch(r"[\w.-]*:\d+(\.\d+)?", value):
        raise ValueError(f"{name} must be an X display such as :99, got {value!r}")


def section(cls: type[T], data: dict[str, Any], where: str) -> T:
    """`cls` from a table of the config file, once every key is known and every value of its
    annotated type; ValueError, one line that starts with `where`, for any other."""
    try:
        return from_table(cls, data, unknown="setting")
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
