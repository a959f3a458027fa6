"""The machine a run came from, for reports and benchmark figures."""

from __future__ import annotations

import os
import platform
import socket
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(kib / 1024 / 1024, 1)


def describe_machine() -> dict[str, str | int | float | None]:
    return {
        "hostname": socket.gethostname(),
        "os": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "playwright": _package_version("playwright"),
        "selenium": _package_version("selenium"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
