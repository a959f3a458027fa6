"""What an engine is launched with: the shared part, and each engine's own settings.

Each engine module declares its settings as a frozen dataclass whose defaults are this
machine's system browser; playwright.config.toml's `[engines.<name>]` overrides them, and
config.py reads that file. A value is checked where it is built (`section`), so a typo in
the file is a one-line error naming the table and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit


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


# What each annotated type of a settings dataclass accepts from TOML.
_TOML_TYPES: dict[str, tuple[type, ...]] = {
    "float": (int, float), "int": (int,), "str": (str,), "bool": (bool,),
    "tuple[str, ...]": (tuple, list),
}


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


def section(cls: type, data: dict[str, Any], where: str) -> Any:
    """`cls(**data)`, once every key is known and every value of its annotated type."""
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    values = {}
    for name, value in data.items():
        accepted = _TOML_TYPES.get(str(known[name].type))
        wrong_kind = isinstance(value, bool) and bool not in (accepted or ())
        if accepted is not None and (not isinstance(value, accepted) or wrong_kind):
            raise ValueError(f"{where}: {name} must be {known[name].type}, got {value!r}")
        if isinstance(value, list | tuple):
            if not all(isinstance(item, str) for item in value):
                raise ValueError(f"{where}: {name} must be a list of strings, got {list(value)!r}")
            value = tuple(value)
        values[name] = value
    try:
        return cls(**values)
    except ValueError as exc:  # a value the settings class refused in __post_init__
        raise ValueError(f"{where}: {exc}") from None
