"""Per engine: launch time, DOM lag behind the server, recorder overhead, the browser's memory."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import psutil

from bench.big_page import BigPageFigures, measure_big_page
from bench.procs import BenchError, MemorySampler, drain, get_json, own_tree, started_engine
from bench.stats import item_lags, percentile
from streamscope.config import Config, RecordingConfig
from streamscope.engines import PageDriver
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording

# The lag stream: 20 items 200 ms apart after a 500 ms pause. The 2 KiB comment first fills the
# engines' sniffing buffers (libsoup holds 512 bytes, Chromium sniffs up to 1024); the pause
# lets an engine without init scripts install the observer before the first item.
LAG_ITEMS = 20
LAG_QUERY = f"count={LAG_ITEMS}&interval=0.2&lead=0.5&prefix=2048&item_bytes=256"
# A stream of 3.8 s for the overhead: the recorder's time for it against a raw client's.
OVERHEAD_PATH = "/probe?count=20&delay=0.2"
OVERHEAD_RUNS = 3
CLOCK_TRIES = 10

# How finely the page's clock ticks: the smallest step performance.now() takes in 50 ms. Firefox's
# privacy.reduceTimerPrecision rounds it (1 ms by default), which would show here.
TIMER_STEP = """
let previous = performance.now(), step = Infinity;
const end = previous + 50;
for (let now = previous; now < end; now = performance.now()) {
  if (now !== previous) { step = Math.min(step, now - previous); previous = now; }
}
return step;
"""
PAGE_WALL = "return performance.timeOrigin + performance.now();"


@dataclass(frozen=True)
class ClockCheck:
    offset_ms: float  # the page's wall clock (timeOrigin + now()) minus Python's time.time()
    error_ms: float  # half the round trip of the script that read it
    timer_step_ms: float


@dataclass
class EngineFigures:
    name: str
    product: str = ""
    version: str = ""
    dom_method: str = ""
    launch_s: float = 0.0
    lags_ms: list[float] = field(default_factory=list)
    clock: ClockCheck | None = None
    overhead_ratio: float = 0.0
    recorder_s: float = 0.0
    raw_s: float = 0.0
    peak_rss_mib: float = 0.0
    peak_pss_mib: float = 0.0
    processes: dict[str, int] = field(default_factory=dict)  # name -> count at the RSS peak
    big_page: BigPageFigures | None = None

    def lag_summary(self) -> dict[str, float]:
        return {
            "p50": round(percentile(self.lags_ms, 50), 2),
            "p95": round(percentile(self.lags_ms, 95), 2),
            "max": round(max(self.lags_ms), 2),
            "min": round(min(self.lags_ms), 2),
            "n": len(self.lags_ms),
        }


def measure_engine(config: Config, name: str, base_url: str, lag_runs: int,
                   server_pid: int, big_page: bool = True) -> EngineFigures:
    """Starts `name`, measures it, and stops it (also on failure): every figure for one engine.

    `server_pid`, the bench's server, is left out of the engine's process tree. `big_page`:
    also the 10 MB page (big_page.py).
    """
    figures = EngineFigures(name)

    def tree() -> list[psutil.Process]:
        return [process for process in own_tree() if process.pid != server_pid]

    started = time.perf_counter()
    with started_engine(config.engine(name), spare={server_pid}) as (engine, opened):
        figures.launch_s = time.perf_counter() - started
        figures.product, figures.version = engine.info.product, engine.info.version
        pipeline = Pipeline(engine, config)
        opened.callback(pipeline.close)
        figures.clock = _clock_check(engine.new_page(), base_url, config.recording)
        for _ in range(lag_runs):
            figures.lags_ms.extend(_lag_run(pipeline, base_url, figures))
        _overhead(pipeline, base_url, figures, tree)
        if big_page:
            figures.big_page = measure_big_page(pipeline, base_url)
    return figures


def _lag_run(pipeline: Pipeline, base_url: str, figures: EngineFigures) -> list[float]:
    run = uuid.uuid4().hex
    engine = pipeline.engine
    # No wire capture: a second fetch of the run's URL would log a second set of flushes.
    recording = pipeline.record(lag_url(base_url, run), wire=False)
    lags = lags_of(recording, get_json(f"{base_url}/bench/flushes?run={run}"), engine.name)
    figures.dom_method = recording.methods.get("dom", "")
    return lags


def lag_url(base_url: str, run: str) -> str:
    """The lag stream, its flushes logged by the server under `run`."""
    return f"{base_url}/bench/timed?run={run}&{LAG_QUERY}"


def lags_of(recording: Recording, flushes: list[float], engine: str) -> list[float]:
    """Each item's lag: the recorder's wall time for it minus the server's flush of it."""
    if recording.error or recording.timed_out or recording.time_origin_epoch_ms is None:
        reason = recording.error or "timed out or never saw the new document"
        raise BenchError(f"{engine} could not record the lag stream: {reason}")
    if len(flushes) != LAG_ITEMS:
        raise BenchError(f"{engine}: the server sent {len(flushes)} of {LAG_ITEMS} items")
    if recording.committed_ms is None or (
        recording.time_origin_epoch_ms + recording.committed_ms >= flushes[0]
    ):
        # An observer injected after the first item would date it by its own arrival.
        raise BenchError(f"{engine}: the observer was not in place before the first item")
    try:
        return item_lags(flushes, recording.dom, recording.time_origin_epoch_ms)
    except ValueError as exc:
        raise BenchError(f"{engine}: {exc}") from exc


def _overhead(pipeline: Pipeline, base_url: str, figures: EngineFigures,
              tree: Callable[[], list[psutil.Process]]) -> None:
    """The recorder's wall time for one page over a raw client's for the same stream (medians),
    with the engine's process tree sampled throughout the recordings."""
    url = base_url + OVERHEAD_PATH
    recorder_s: list[float] = []
    raw_s: list[float] = []
    with MemorySampler(tree, interval_s=0.05, pss=True) as sampler:
        for _ in range(OVERHEAD_RUNS):
            raw_s.append(drain(url)[0])
            started = time.perf_counter()
            recording = pipeline.record(url, wire=False)
            recorder_s.append(time.perf_counter() - started)
            if recording.error or not recording.ended:
                reason = recording.error or "the response did not end in time"
                raise BenchError(f"{pipeline.engine.name} could not record {url}: {reason}")
    figures.recorder_s, figures.raw_s = median(recorder_s), median(raw_s)
    figures.overhead_ratio = figures.recorder_s / figures.raw_s
    figures.peak_rss_mib = sampler.peak_rss_kib / 1024
    figures.peak_pss_mib = sampler.peak_pss_kib / 1024
    for process in sampler.peak_processes:
        figures.processes[process] = figures.processes.get(process, 0) + 1


def _clock_check(page: PageDriver, base_url: str, settings: RecordingConfig) -> ClockCheck:
    """Compares the page's wall clock with this process's, in a page from the bench server.

    Each read is bracketed by time.time(); the tightest bracket of CLOCK_TRIES bounds the error.
    The page is closed afterwards.
    """
    try:
        url = f"{base_url}/probe?count=1&delay=0"
        page.navigate(url, timeout_s=settings.timeout_s)
        _await_loaded(page, url, settings.timeout_s)
        best: tuple[float, float] | None = None
        for _ in range(CLOCK_TRIES):
            before = time.time() * 1000
            page_wall = float(page.evaluate(PAGE_WALL))
            after = time.time() * 1000
            if best is None or after - before < best[1] * 2:
                best = (page_wall - (before + after) / 2, (after - before) / 2)
        assert best is not None
        step = float(page.evaluate(TIMER_STEP))
    finally:
        page.close()
    return ClockCheck(offset_ms=best[0], error_ms=best[1], timer_step_ms=step)


def _await_loaded(page: PageDriver, url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        state: Any = page.evaluate("return [location.href, document.readyState];")
        if state and state[0] == url and state[1] == "complete":
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{url} did not load within {timeout_s:g} s")
        time.sleep(0.02)
