"""Settings: defaults here and in each engine's settings, overridden by playwright.config.toml
(or the same keys under [tool.streamscope] in a project's pyproject.toml), overridden by CLI
flags.

Engines receive an EngineConfig, never environment variables, so every decision about how
a browser launches is visible in the engine's module and in one file.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from streamscope.engines import ENGINE_NAMES, ENGINES, EngineConfig, Viewport
from streamscope.engines.settings import section

CONFIG_FILE = "playwright.config.toml"
# A project that keeps its tools' settings in pyproject.toml puts the same keys under this table.
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "streamscope")
KEYS = ("browsers", "recording", "viewport", "paint", "engines")


@dataclass(frozen=True)
class RecordingConfig:
    timeout_s: float = 60.0
    settle_ms: float = 250.0
    poll_ms: float = 5.0
    # Accept certificates no browser trusts (self-signed, mkcert): in every engine, and in the
    # raw client beside it.
    ignore_https_errors: bool = False
    # Measure a threshold a held page's diagnosis needs, when this engine build has none kept
    # (prove/thresholds/first_need.py); off: a fixed run time, and reasons without those numbers.
    measure_thresholds: bool = True


PAINT_METHODS = ("damage", "video")


@dataclass(frozen=True)
class PaintConfig:
    method: str = "damage"  # "damage": a grab per X DAMAGE event; "video": ffmpeg at `fps`
    fps: int = 30  # the video method's frame rate

    def __post_init__(self) -> None:
        if self.method not in PAINT_METHODS:
            raise ValueError(f"[paint] method must be one of {', '.join(PAINT_METHODS)}, "
                             f"got {self.method!r}")


def _default_settings() -> dict[str, Any]:
    return {name: spec.settings() for name, spec in ENGINES.items()}


@dataclass(frozen=True)
class Config:
    browsers: tuple[str, ...] | None = None  # the matrix, where a file sets one
    recording: RecordingConfig = RecordingConfig()
    viewport: Viewport = Viewport()
    paint: PaintConfig = PaintConfig()
    engines: dict[str, Any] = field(default_factory=_default_settings)  # name -> settings
    source: Path | None = None  # the file these settings were read from; None: the defaults

    @property
    def matrix(self) -> tuple[str, ...]:
        """The engines to record in when nobody names any: the file's, else all of them."""
        return self.browsers or ENGINE_NAMES

    def engine(self, name: str, *, headed: bool = False) -> EngineConfig:
        if name not in self.engines:
            raise ValueError(f"unknown browser {name!r}: choose from {', '.join(self.engines)}")
        return EngineConfig(name, self.engines[name], headed=headed, viewport=self.viewport,
                            ignore_https_errors=self.recording.ignore_https_errors)

    def with_engine_settings(self, **values: Any) -> Config:
        """Sets each given setting (None: left as it is) on every engine that declares it, as
        CLI flags such as --connect do; a setting that no engine declares is refused."""
        given = {key: value for key, value in values.items() if value is not None}
        engines = dict(self.engines)
        for key in given:
            if not any(key in _field_names(settings) for settings in engines.values()):
                raise ValueError(f"no engine has a setting {key!r}")
        for name, settings in engines.items():
            own = {key: value for key, value in given.items() if key in _field_names(settings)}
            if own:
                engines[name] = section(type(settings), {**asdict(settings), **own},
                                        f"[engines.{name}]")
        return replace(self, engines=engines)

    def with_timeout(self, timeout_s: float | None) -> Config:
        if timeout_s is None:
            return self
        return replace(self, recording=replace(self.recording, timeout_s=timeout_s))

    def ignoring_https_errors(self, ignore: bool = True) -> Config:
        """This config, with untrusted certificates accepted (or not: the file's setting)."""
        return self.with_https_errors_ignored(True) if ignore else self

    def measuring_thresholds(self, measure: bool) -> Config:
        """This config, measuring thresholds on first need, or (False) never."""
        return replace(self, recording=replace(self.recording, measure_thresholds=measure))

    def with_https_errors_ignored(self, ignore: bool) -> Config:
        """This config, with untrusted certificates accepted or refused, whatever the file
        says (one test's own choice)."""
        return replace(self, recording=replace(self.recording, ignore_https_errors=ignore))


def _field_names(settings: Any) -> set[str]:
    return {f.name for f in fields(settings)}


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest playwright.config.toml, or pyproject.toml with a [tool.streamscope] table, in
    this folder or a parent, as pytest finds its ini; a folder with both is refused."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        pyproject = folder / PYPROJECT
        configures = pyproject.is_file() and _pyproject_table(pyproject) is not None
        if candidate.is_file() and configures:
            raise ValueError(f"{folder}: both {CONFIG_FILE} and {PYPROJECT}'s "
                             f"[{'.'.join(PYPROJECT_TABLE)}] configure streamscope: keep one")
        if candidate.is_file():
            return candidate
        if configures:
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not TOML: {exc}") from None


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    table: Any = _read_toml(path)
    for key in PYPROJECT_TABLE:
        table = table.get(key) if isinstance(table, dict) else None
    return table if isinstance(table, dict) else None


def _browsers(value: Any, path: Path) -> tuple[str, ...]:
    """The file's matrix: a list of engine names, or one name alone (`browsers = "chromium"`),
    which tuple() would take letter by letter."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValueError(f"{path}: browsers must be a list of engine names, got {value!r}")
    return tuple(value)


def load_config(path: Path | None = None) -> Config:
    """The settings in `path` (default: the nearest file, found as find_config_file finds it);
    a pyproject.toml's are those under [tool.streamscope]."""
    path = path or find_config_file()
    if path is None:
        return Config()
    prefix = ""
    data: dict[str, Any] = _read_toml(path)
    if path.name == PYPROJECT:
        prefix = ".".join(PYPROJECT_TABLE) + "."
        data = _pyproject_table(path) or {}
    unknown_keys = [key for key in data if key not in KEYS]
    if unknown_keys:
        where = f"{path}: [{prefix.rstrip('.')}]" if prefix else str(path)
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown_keys)} "
                         f"(known: {', '.join(KEYS)})")
    engines = _default_settings()
    for name, table in data.get("engines", {}).items():
        if name not in ENGINES:
            raise ValueError(f"{path}: [{prefix}engines.{name}]: unknown engine "
                             f"(known: {', '.join(ENGINE_NAMES)})")
        engines[name] = section(ENGINES[name].settings, table,
                                f"{path}: [{prefix}engines.{name}]")
    browsers = _browsers(data["browsers"], path) if "browsers" in data else None
    unknown = [name for name in browsers or () if name not in engines]
    if unknown:
        raise ValueError(f"{path}: {prefix}browsers: unknown engine(s) {', '.join(unknown)}")
    return Config(
        browsers=browsers,
        recording=section(RecordingConfig, data.get("recording", {}),
                          f"{path}: [{prefix}recording]"),
        viewport=section(Viewport, data.get("viewport", {}), f"{path}: [{prefix}viewport]"),
        paint=section(PaintConfig, data.get("paint", {}), f"{path}: [{prefix}paint]"),
        engines=engines,
        source=path,
    )
