"""Processes the bench starts and watches: a server in its own process, its HTTP, their memory."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil

from bench.stats import status_kib
from streamscope.engines import Engine, EngineConfig, create_engine
from streamscope.engines.processes import descendants, end_all, wait_gone
from streamscope.record.wire import capture_wire

REPO = Path(__file__).resolve().parent.parent


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


def drain(url: str, timeout_s: float = 120.0) -> tuple[float, int]:
    """GETs `url` as the wire capture does; returns (seconds from request to its end, bytes)."""
    wire = capture_wire(url, timeout_s)
    if wire is None or wire.status != 200 or not wire.ended:
        raise BenchError(f"{url} answered {wire.status if wire else 'nothing'}"
                         f"{'' if wire is None or wire.ended else ' and did not end'}")
    end_ms = wire.chunks[-1].t_ms if wire.chunks else 0.0
    return end_ms / 1000, wire.total_bytes


def get_json(url: str, timeout_s: float = 10.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return json.load(response)


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
    """Samples the summed RSS and PSS of `processes()` in a thread until the `with` block ends.

    RSS counts a shared page in every process that maps it, so a browser's RSS sum overstates
    what it costs; PSS splits each shared page between its users, so its sum does not.
    """

    def __init__(self, processes: Callable[[], list[psutil.Process]], interval_s: float = 0.02,
                 pss: bool = False) -> None:
        self._processes = processes
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
        rss = pss = 0
        names = []
        for process in self._processes():
            try:
                with process.oneshot():
                    memory = process.memory_full_info() if self._pss else process.memory_info()
                    names.append(process.name())
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss += memory.rss // 1024
            pss += getattr(memory, "pss", 0) // 1024
        if rss > self.peak_rss_kib:
            self.peak_rss_kib, self.peak_processes = rss, names
        self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def own_tree() -> list[psutil.Process]:
    """Every process this one started, and theirs: a browser, its helpers, drivers, Xvfb."""
    return descendants(os.getpid())


def reap(processes: list[psutil.Process], grace_s: float = 5.0) -> None:
    """Waits for `processes` to exit, then ends the rest.

    A browser's helpers (Chromium's zygotes, Firefox's content processes, WebKit's web and
    network processes) outlive its main process by a second or two; left alone they would be
    orphaned, out of reach of the next engine's tree and of its memory figure.
    """
    end_all(wait_gone(processes, grace_s))


@contextmanager
def started_engine(config: EngineConfig, *, window: bool = False,
                   spare: Collection[int] = ()) -> Iterator[tuple[Engine, ExitStack]]:
    """`config`'s engine, started (EngineError says why it could not be, having cleaned up),
    with an ExitStack for what the caller opens on it (pipelines, listeners).

    On exit, also on failure or Ctrl+C: the process tree is taken first, then what the caller
    opened is closed and the engine stopped, and every process of that tree but `spare` (the
    bench's own server) is reaped: closing a page can end a browser process whose helpers live
    on, and those must still be found.
    """
    engine = create_engine(config, window=window)
    engine.start()
    opened = ExitStack()
    try:
        yield engine, opened
    finally:
        processes = [process for process in own_tree() if process.pid not in spare]
        try:
            opened.close()
        finally:
            engine.stop()
            reap(processes)
