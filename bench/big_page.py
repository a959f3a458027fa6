"""The big page: 10 MB in 50,000 items, sent as fast as the socket takes them (a huge report or
log page). Per engine: how long the recorder takes over how long a raw client takes, beside how
long the browser alone takes to load it, and what the in-page observer costs the page's main
thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import median
from typing import Any

from bench.procs import BenchError, drain
from streamscope.config import Config
from streamscope.engines import Engine
from streamscope.record.dom_recorder import WATCH_INTERVAL_S
from streamscope.record.pipeline import Pipeline

ITEMS, ITEM_BYTES = 50_000, 200
PATH = f"/probe?count={ITEMS}&delay=0&item_bytes={ITEM_BYTES}"
# Rounds per engine. The load moves by 0.7 to 1.6 s from round to round in Firefox (about 2 s a
# round), and medians of 2 rounds gave Firefox shares of 10.5 to 15.2 % a run; 5 steady them.
RUNS = 5
# An engine slower than this on the page is measured once: WebKitGTK takes over a minute.
SLOW_S = 20.0
TIMEOUT_S = 180.0  # the big page's own time limit, alone and recorded
LOADED = "return location.href === {url!r} && document.readyState === 'complete';"


@dataclass(frozen=True)
class BigPageFigures:
    raw_s: float  # a raw HTTP client, from request to the last byte
    alone_s: float  # the browser without streamscope: a fresh page, navigation, readyState complete
    recorder_s: float  # Pipeline.record (a fresh page included), wire capture off
    observer_ms: float  # time spent inside the observer's MutationObserver callback
    load_ms: float  # navigation start to the later of the response's end and the last change
    runs: int = RUNS

    @property
    def ratio(self) -> float:
        return self.recorder_s / self.raw_s

    @property
    def over_alone(self) -> float:
        return self.recorder_s / self.alone_s

    @property
    def observer_share(self) -> float:
        return self.observer_ms / self.load_ms

    def summary(self) -> dict[str, Any]:
        return {
            "ratio": round(self.ratio, 2),
            "recorder_over_browser_alone": round(self.over_alone, 2),
            "raw_s": round(self.raw_s, 2), "browser_alone_s": round(self.alone_s, 2),
            "recorder_s": round(self.recorder_s, 2),
            "observer_ms": round(self.observer_ms), "load_ms": round(self.load_ms),
            "observer_share": round(self.observer_share, 3), "runs": self.runs,
        }


def measure_big_page(pipeline: Pipeline, base_url: str) -> BigPageFigures:
    """Medians of RUNS rounds (one where the engine is slower than SLOW_S), each: the raw
    client, the browser alone, the recorder, the last two taking turns at going first."""
    big = big_page_pipeline(pipeline.engine, pipeline.config)
    try:
        rounds = [measure_round(big, base_url, alone_first=True)]
        if rounds[0].recorder_s < SLOW_S:
            rounds += [measure_round(big, base_url, alone_first=n % 2 == 0)
                       for n in range(1, RUNS)]
    finally:
        big.close()
    return BigPageFigures(
        raw_s=median(r.raw_s for r in rounds), alone_s=median(r.alone_s for r in rounds),
        recorder_s=median(r.recorder_s for r in rounds),
        observer_ms=median(r.observer_ms for r in rounds),
        load_ms=median(r.load_ms for r in rounds), runs=len(rounds))


def big_page_pipeline(engine: Engine, config: Config) -> Pipeline:
    """A pipeline on a started engine with the big page's time limit; the caller closes it."""
    return Pipeline(engine, config.with_timeout(TIMEOUT_S))


def measure_round(pipeline: Pipeline, base_url: str, alone_first: bool) -> BigPageFigures:
    """One round: the raw client, then the browser alone and the recorder, `alone_first` or
    not (rounds that take turns at it share a busy minute out)."""
    url = base_url + PATH
    raw_s, size = drain(url)
    if size != ITEMS * ITEM_BYTES:
        raise BenchError(f"{url} sent {size:,} bytes, not {ITEMS * ITEM_BYTES:,}")
    if alone_first:
        alone_s = _browser_alone(pipeline, url)
    # The last recording's page is closed before the clock starts, as the alone run closes its
    # own after its clock stops: each is timed from opening a fresh page.
    pipeline.close()
    started = time.perf_counter()
    recording = pipeline.record(url, wire=False)
    recorder_s = time.perf_counter() - started
    if not alone_first:
        alone_s = _browser_alone(pipeline, url)
    if recording.error or not recording.ended or recording.observer_ms is None:
        reason = recording.error or "the response did not end in time"
        raise BenchError(f"{pipeline.engine.name} could not record the big page: {reason}")
    last_change = recording.dom[-1].t_ms if recording.dom else 0.0
    load_ms = max(recording.response_end_ms or 0.0, last_change)
    return BigPageFigures(raw_s, alone_s, recorder_s, recording.observer_ms, load_ms, runs=1)


def _browser_alone(pipeline: Pipeline, url: str) -> float:
    """A fresh page, as the recorder opens one, then navigation to readyState complete with no
    observer, polled as often as the recorder polls a loading page; the page is closed."""
    timeout_s = pipeline.config.recording.timeout_s
    pipeline.close()  # the recorder's page, which it would close before opening its own
    started = time.perf_counter()
    page = pipeline.engine.new_page()
    try:
        page.navigate(url, timeout_s=timeout_s)
        while not page.evaluate(LOADED.format(url=url)):
            if time.perf_counter() - started > timeout_s:
                raise BenchError(f"{url} did not load within {timeout_s:g} s")
            time.sleep(WATCH_INTERVAL_S)
        return time.perf_counter() - started
    finally:
        page.close()
