"""Measured thresholds, kept per engine build in the user's cache folder.

One JSON file per engine and version (`$XDG_CACHE_HOME/streamscope/thresholds/`, else
`~/.cache/...`; `STREAMSCOPE_CACHE` moves it), written whole (files.py) by `streamscope
threshold` and by a run that measured a threshold on first need, and read by every recording
in that engine build. Writers hold a lock file beside it (`<file>.lock`, fcntl.flock) from
reading what is kept to writing it back, so that two runs measuring at once (two lanes, two
CI jobs, `pytest -n`) neither measure one gate twice nor lose each other's rows. A missing
file means "not measured"; an unreadable or foreign one too, with a one-line warning.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from streamscope.engines import EngineInfo
from streamscope.files import write_json_atomically
from streamscope.recording import Threshold
from streamscope.validation import from_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _CacheFile:
    """What one file keeps: the engine build its thresholds were measured in, and them."""

    browser: str
    product: str
    version: str
    thresholds: tuple[Threshold, ...]


# How often a writer waiting for the lock looks again: a measurement holds it for seconds.
LOCK_POLL_S = 0.2

_warned: set[tuple[Path, str]] = set()


def cache_folder() -> Path:
    explicit = os.environ.get("STREAMSCOPE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "streamscope" / "thresholds"


def cache_path(engine: EngineInfo) -> Path:
    """The file for this engine build: its matrix name, product and version."""
    key = re.sub(r"[^A-Za-z0-9.]+", "-", f"{engine.name}-{engine.product}-{engine.version}")
    return cache_folder() / f"{key.strip('-')}.json"


def cached_thresholds(engine: EngineInfo) -> tuple[Threshold, ...]:
    """This build's kept thresholds; () where none are, or the file is not one of ours (said
    once per file and problem, as a warning)."""
    path = cache_path(engine)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as exc:
        _warn(path, f"cannot be read ({exc.strerror})")
        return ()
    try:
        return _parsed(text, engine)
    except ValueError as exc:
        _warn(path, str(exc))
        return ()


def save_thresholds(engine: EngineInfo, thresholds: tuple[Threshold, ...]) -> Path:
    """Keeps `thresholds` with the rows already kept for other content types (theirs replaced
    where both have one), under the lock."""
    with cache_lock(engine):
        return write_thresholds(engine, thresholds)


@contextmanager
def cache_lock(engine: EngineInfo, sleep: Callable[[float], None] | None = None
               ) -> Iterator[None]:
    """Holds this build's lock file. `sleep`: how to wait while another holds it (a lane's
    clock, so that an interrupted run stops waiting); None blocks in flock."""
    path = cache_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        if sleep is None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_thresholds(engine: EngineInfo, thresholds: tuple[Threshold, ...]) -> Path:
    """save_thresholds, for a caller that holds the lock (cache_lock)."""
    new = {(t.content_type, t.nosniff) for t in thresholds}
    kept = tuple(t for t in cached_thresholds(engine) if (t.content_type, t.nosniff) not in new)
    path = cache_path(engine)
    write_json_atomically(path, {
        "browser": engine.name, "product": engine.product, "version": engine.version,
        "thresholds": [asdict(t) for t in (*kept, *thresholds)]})
    return path


def _parsed(text: str, engine: EngineInfo) -> tuple[Threshold, ...]:
    """The thresholds of a cache file of this engine build; ValueError, saying what is wrong,
    for any other file."""
    try:
        kept = from_json(_CacheFile, text)
    except ValueError as exc:
        raise ValueError(f"is not a streamscope thresholds file ({exc})") from None
    build = (kept.browser, kept.product, kept.version)
    if build != (engine.name, engine.product, engine.version):
        raise ValueError(f"is for {' '.join(build)}, not "
                         f"{engine.name} {engine.product} {engine.version}")
    return kept.thresholds


def _warn(path: Path, problem: str) -> None:
    if (path, problem) in _warned:
        return
    _warned.add((path, problem))
    log.warning("streamscope: warning: the thresholds cache %s %s: measuring them again",
                path, problem)
