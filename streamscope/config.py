"""Settings: defaults here, overridden by playwright.config.toml, overridden by CLI flags.

Engines receive an EngineConfig, never environment variables, so every decision about how
a browser launches is visible in one file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CONFIG_FILE = "playwright.config.toml"
ENGINE_NAMES = ("chromium", "firefox", "webkit")


@dataclass(frozen=True)
class RecordingConfig:
    timeout_s: float = 60.0
    settle_ms: float = 250.0
    poll_ms: float = 5.0


@dataclass(frozen=True)
class Viewport:
    width: int = 1280
    height: int = 720


PAINT_METHODS = ("damage", "video")


@dataclass(frozen=True)
class PaintConfig:
    method: str = "damage"  # "damage": a grab per X DAMAGE event; "video": ffmpeg at `fps`
    fps: int = 30  # the video method's frame rate

    def __post_init__(self) -> None:
        if self.method not in PAINT_METHODS:
            raise ValueError(f"[paint] method must be one of {', '.join(PAINT_METHODS)}, "
                             f"got {self.method!r}")


@dataclass(frozen=True)
class EngineConfig:
    name: str
    headed: bool = False
    viewport: Viewport = Viewport()
    args: tuple[str, ...] = ()
    system_executable: str = ""
    system_channel: str = ""
    system_browser: str = ""
    system_driver: str = ""


_SYSTEM_DEFAULTS: dict[str, dict[str, Any]] = {
    "chromium": {
        "system_executable": "/usr/bin/chromium",
        # Without these, Chromium keeps calling Google's services, which a closed network
        # refuses many times a second.
        "args": ("--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"),
    },
    "firefox": {"system_executable": "/usr/bin/firefox-esr", "system_channel": "moz-firefox"},
    "webkit": {
        "system_browser": "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
        "system_driver": "/usr/bin/WebKitWebDriver",
    },
}


@dataclass(frozen=True)
class Config:
    browsers: tuple[str, ...] | None = None  # the matrix, where a file sets one
    recording: RecordingConfig = RecordingConfig()
    viewport: Viewport = Viewport()
    paint: PaintConfig = PaintConfig()
    engines: dict[str, EngineConfig] = field(
        default_factory=lambda: {
            name: EngineConfig(name=name, **_SYSTEM_DEFAULTS[name]) for name in ENGINE_NAMES
        }
    )

    @property
    def matrix(self) -> tuple[str, ...]:
        """The engines to record in when nobody names any: the file's, else all of them."""
        return self.browsers or ENGINE_NAMES

    def engine(self, name: str, *, headed: bool = False) -> EngineConfig:
        if name not in self.engines:
            raise ValueError(f"unknown browser {name!r}: choose from {', '.join(self.engines)}")
        return replace(self.engines[name], headed=headed, viewport=self.viewport)

    def with_timeout(self, timeout_s: float | None) -> Config:
        if timeout_s is None:
            return self
        return replace(self, recording=replace(self.recording, timeout_s=timeout_s))


# What each annotated type of these dataclasses accepts from TOML.
_TOML_TYPES: dict[str, tuple[type, ...]] = {
    "float": (int, float), "int": (int,), "str": (str,), "bool": (bool,),
    "tuple[str, ...]": (tuple,),
}


def _section(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    for name, value in data.items():
        accepted = _TOML_TYPES.get(str(known[name].type))
        wrong_kind = isinstance(value, bool) and bool not in (accepted or ())
        if accepted is not None and (not isinstance(value, accepted) or wrong_kind):
            raise ValueError(f"{where}: {name} must be {known[name].type}, got {value!r}")
        if isinstance(value, tuple) and not all(isinstance(item, str) for item in value):
            raise ValueError(f"{where}: {name} must be a list of strings, got {list(value)!r}")
    return cls(**data)


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest playwright.config.toml in this folder or a parent, as pytest finds its ini."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None) -> Config:
    path = path or find_config_file()
    if path is None:
        return Config()
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    engines = Config().engines
    for name, section in data.get("engines", {}).items():
        section = dict(section)
        # These come from elsewhere: the table's name, the CLI, and [viewport].
        misplaced = {"name", "headed", "viewport"} & set(section)
        if misplaced:
            raise ValueError(f"{path}: [engines.{name}]: unknown setting(s) "
                             f"{', '.join(sorted(misplaced))}")
        if isinstance(section.get("args"), list):
            section["args"] = tuple(section["args"])
        base = engines.get(name, EngineConfig(name=name))
        merged = {**{f.name: getattr(base, f.name) for f in fields(EngineConfig)}, **section}
        engines[name] = _section(EngineConfig, merged, f"{path}: [engines.{name}]")
    browsers = tuple(data["browsers"]) if "browsers" in data else None
    unknown = [name for name in browsers or () if name not in engines]
    if unknown:
        raise ValueError(f"{path}: browsers: unknown engine(s) {', '.join(unknown)}")
    return Config(
        browsers=browsers,
        recording=_section(RecordingConfig, data.get("recording", {}), f"{path}: [recording]"),
        viewport=_section(Viewport, data.get("viewport", {}), f"{path}: [viewport]"),
        paint=_section(PaintConfig, data.get("paint", {}), f"{path}: [paint]"),
        engines=engines,
    )
