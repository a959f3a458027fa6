"""Measured thresholds, kept per engine build in the user's cache folder.

One JSON file per engine and version (`$XDG_CACHE_HOME/streamscope/thresholds/`, else
`~/.cache/...`; `STREAMSCOPE_CACHE` moves it), written by `streamscope threshold` and read by
every recording in that engine build. A missing or unreadable file means "not measured":
reasons then say so and name the command, never a constant.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from pathlib import Path

from streamscope.engines import EngineInfo
from streamscope.files import write_json_atomically
from streamscope.recording import Threshold


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
    try:
        data = json.loads(cache_path(engine).read_text())
        return tuple(Threshold(**entry) for entry in data["thresholds"])
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def save_thresholds(engine: EngineInfo, thresholds: tuple[Threshold, ...]) -> Path:
    path = cache_path(engine)
    write_json_atomically(path, {
        "browser": engine.name, "product": engine.product, "version": engine.version,
        "thresholds": [asdict(t) for t in thresholds]})
    return path
