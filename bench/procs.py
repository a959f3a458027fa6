"""Processes the bench starts and watches: a server in its own process, raw HTTP, RSS from /proc."""

from __future__ import annotations

import http.client
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from bench.stats import status_kib
from streamscope.engines.processes import alive, descendants, end_all

REPO = Path(__file__).resolve().parent.parent
READ_SIZE = 1024 * 1024


class BenchError(RuntimeError):
    """The bench cannot produce a figure: the message says why, in one line."""


@contextmanager
def python_server(module: str, timeout_s: float = 30.0) -> Iterator[tuple[int, str]]:
    """`python -m module --port 0` from the repository root; yields its PID and root URL.

    The server prints its URL first ("http://127.0.0.1:8800" or "Serving ... on http://...").
    It is ended on exit, also on failure or Ctrl+C.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0"], cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], timeout_s)
        line = process.stdout.readline() if ready else ""
        start = line.find("http://")
        if start < 0:
            raise BenchError(f"python -m {module} printed no URL within {timeout_s:g} s")
        yield process.pid, line[start:].split()[0].rstrip("/")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _connect(url: str, timeout_s: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return http.client.HTTPConnection(parts.netloc, timeout=timeout_s), path


def drain(url: str, timeout_s: float = 120.0) -> tuple[float, int]:
    """GETs `url` and discards the body; returns (seconds from request to its end, body bytes)."""
    connection, path = _connect(url, timeout_s)
    buffer = memoryview(bytearray(READ_SIZE))
    total = 0
    try:
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        if response.status != 200:
            raise BenchError(f"{url} answered {response.status}")
        while size := response.readinto(buffer):
            total += size
        return time.perf_counter() - start, total
    finally:
        connection.close()


def get_json(url: str, timeout_s: float = 10.0) -> Any:
    connection, path = _connect(url, timeout_s)
    try:
        connection.request("GET", path)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def read_kib(pid: int, name: str, file: str = "status") -> int | None:
    """One field of /proc/PID/<file> in KiB; None when the process has gone."""
    try:
        return status_kib(Path(f"/proc/{pid}/{file}").read_text(), name)
    except (OSError, ValueError):
        return None


def reset_peak_rss(pid: int) -> bool:
    """Sets VmHWM back to the current RSS (Linux 4.0+; writing 5 to clear_refs does only that)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class MemorySampler:
    """Samples the summed RSS and PSS of `pids()` in a thread until the `with` block ends.

    RSS counts a shared page in every process that maps it, so a browser's RSS sum overstates
    what it costs; PSS splits each shared page between its users, so its sum does not.
    """

    def __init__(self, pids: Callable[[], list[int]], interval_s: float = 0.02,
                 pss: bool = False) -> None:
        self._pids = pids
        self._interval_s = interval_s
        self._pss = pss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.peak_processes: list[str] = []  # the names of the processes at the RSS peak

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self._interval_s):
                return

    def sample(self) -> None:
        pids = self._pids()
        rss = sum(read_kib(pid, "VmRSS") or 0 for pid in pids)
        if rss > self.peak_rss_kib:
            self.peak_rss_kib = rss
            self.peak_processes = [_name(pid) for pid in pids]
        if self._pss:
            pss = sum(read_kib(pid, "Pss", "smaps_rollup") or 0 for pid in pids)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def own_tree() -> list[int]:
    """Every process this one started, and theirs: a browser, its helpers, drivers, Xvfb."""
    return descendants(os.getpid())


def reap(pids: list[int], grace_s: float = 5.0) -> None:
    """Waits for `pids` to exit, then ends the rest by PID.

    A browser's helpers (Chromium's zygotes, Firefox's content processes, WebKit's web and
    network processes) outlive its main process by a second or two; left alone they would be
    orphaned, out of reach of the next engine's tree and of its memory figure.
    """
    deadline = time.monotonic() + grace_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    end_all([pid for pid in pids if alive(pid)])
