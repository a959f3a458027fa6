"""Ending a process and everything it started, by PID.

A WebDriver server starts the browser, which starts its own helpers; when the server dies
first, they are orphaned, so their PIDs are taken before anything is asked to stop.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, children first."""
    found: list[int] = []
    queue = [pid]
    while queue:
        parent = queue.pop(0)
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(p) for p in task.read_text().split()]
            except OSError:
                continue
            found.extend(children)
            queue.extend(children)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def end_all(pids: list[int], grace_s: float = 3.0) -> None:
    """SIGTERM, then SIGKILL whatever is still there after `grace_s`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        remaining = [p for p in pids if alive(p)]
        for pid in remaining:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace_s
        while remaining and time.monotonic() < deadline:
            time.sleep(0.05)
            remaining = [p for p in remaining if alive(p)]
        if not remaining:
            return
