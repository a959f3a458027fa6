"""Per engine and paint capture method: how late a paint frame shows each streamed item, the
error bound the capture states, what the X server reported, and the CPU the capture costs.

An item's paint lag is the first frame of the recording's video that shows it (its rows hold
at least half the ink they hold at the end) minus the server's flush of it. The video is the
one each method leaves for the report, on the page clock by the timeline's video_offset_ms.
"""

from __future__ import annotations

import resource
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import psutil

from bench.procs import BenchError, get_json, started_engine
from bench.stats import percentile
from streamscope.config import Config
from streamscope.engines import PageDriver
from streamscope.paint import decode
from streamscope.paint.capture import VideoPaintCapture
from streamscope.paint.damage_capture import DamagePaintCapture, KeptListener
from streamscope.paint.damage_process import Capture
from streamscope.paint.frame_taker import intersects
from streamscope.paint.video_frames import probe
from streamscope.record.pipeline import Pipeline
from streamscope.recording import PaintTimeline, Recording

PAINT_ITEMS = 20
# /probe's body (a 600-byte comment, then <li> items of 300 bytes: visible in every engine),
# sent by the bench's /bench/timed, which also logs when it flushed each item.
PAINT_QUERY = f"count={PAINT_ITEMS}&interval=0.2&lead=0.5&prefix=600&item_bytes=300"
METHODS = ("damage", "video")
ITEM_ROWS = """return [innerHeight, Array.from(document.querySelectorAll('li'), (li) => {
  const r = li.getBoundingClientRect(); return [r.top, r.bottom]; })];"""
DECODE_WIDTH = 640
INK_LEVEL = 24  # a channel this far from white is text, not encoder noise
SHOWN_SHARE = 0.5  # of an item's final ink, for the item to count as shown
SCROLLBAR_PX = 24  # Firefox's overlay scrollbar comes and goes at the right edge
WHOLE_SHARE = 0.9  # a damage rectangle this much of the page's box repaints all of it


class Capturing(Protocol):
    """A paint capture whose process the bench can watch."""

    @property
    def pid(self) -> int | None: ...

    def before_navigation(self, page: PageDriver) -> None: ...

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline: ...

    def abort(self) -> None: ...


@dataclass
class PaintFigures:
    name: str
    method: str
    lags_ms: list[float] = field(default_factory=list)  # every visible item of every run
    errors_ms: list[float] = field(default_factory=list)  # the stated bound of each run
    grab_ms: list[float] = field(default_factory=list)  # damage: each grab's damage-to-done
    load_s: float = 0.0  # navigation to settled, summed over runs
    load_cpu_s: float = 0.0  # the capture process's CPU over load_s
    total_cpu_s: float = 0.0  # all CPU paint capture took, set-up and analysis included
    finish_s: float = 0.0  # wall time of the analysis (and, for damage, the encoding)
    events: int = 0  # damage rectangles anywhere on screen while loading
    in_box: int = 0  # those touching the page's box
    whole: int = 0  # those covering the page's box
    damage_s: float = 0.0  # the time those were counted over, summed over runs
    runs: int = 0
    kept_cpu_s: dict[int, float] = field(default_factory=dict)  # a kept listener's, by PID

    def summary(self) -> dict[str, Any]:
        """The figures as the bench reports them (see figures.METHODS)."""
        out: dict[str, Any] = {
            "paint_lag_ms": _percentiles(self.lags_ms),
            "paint_error_ms": _percentiles(self.errors_ms),
            "capture_cpu_pct": round(100 * self.load_cpu_s / self.load_s, 1),
            "cpu_s_per_recording": round(self.total_cpu_s / self.runs, 2),
            "finish_s_per_recording": round(self.finish_s / self.runs, 2),
        }
        if self.method == "damage":
            out |= {
                "grab_ms": _percentiles(self.grab_ms),
                "events_per_s": round(self.events / self.damage_s, 1),
                "page_events_per_s": round(self.in_box / self.damage_s, 1),
                "whole_page_share": round(self.whole / self.in_box, 2) if self.in_box else None,
            }
        return out


class Watched:
    """A paint capture, with the CPU its process takes while the page loads."""

    def __init__(self, capture: Capturing, figures: PaintFigures) -> None:
        self.capture = capture
        self.figures = figures
        self.page: PageDriver | None = None
        self._cpu_s = 0.0
        self._start = 0.0

    def before_navigation(self, page: PageDriver) -> None:
        self.page = page
        self.capture.before_navigation(page)
        self._start, self._cpu_s = time.monotonic(), _cpu_s(self.capture.pid)

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline:
        pid = self.capture.pid
        self.figures.load_cpu_s += _cpu_s(pid) - self._cpu_s
        self.figures.load_s += time.monotonic() - self._start
        started, cpu = time.monotonic(), time.process_time()
        try:
            return self.capture.finish(time_origin_epoch_ms)
        finally:
            self.figures.finish_s += time.monotonic() - started
            self.figures.total_cpu_s += time.process_time() - cpu
            # A kept listener lives on, unreaped: its CPU since the last recording it served
            # (its start-up, for the first) is this recording's.
            if pid is not None and psutil.pid_exists(pid):
                now = _cpu_s(pid)
                self.figures.total_cpu_s += now - self.figures.kept_cpu_s.get(pid, 0.0)
                self.figures.kept_cpu_s[pid] = now

    def abort(self) -> None:
        self.capture.abort()


def measure_paint(config: Config, name: str, base_url: str, runs: int,
                  server_pid: int) -> list[PaintFigures]:
    """`runs` recordings of the paint stream by each capture method, in one windowed engine
    (the methods take turns, so that both see the same machine)."""
    figures = [PaintFigures(name, method) for method in METHODS]
    with (started_engine(config.engine(name), window=True, spare={server_pid})
          as (engine, opened), tempfile.TemporaryDirectory(prefix="streamscope-bench-") as folder):
        pipeline = Pipeline(engine, config)
        opened.callback(pipeline.close)
        listener = KeptListener()  # as a run's recordings share it (pipeline.py)
        opened.callback(listener.close)
        for index in range(runs):
            for method in figures:
                video = Path(folder) / f"{method.method}-{index}.webm"
                _paint_run(pipeline, config, base_url, method, video, listener)
    return figures


def _paint_run(pipeline: Pipeline, config: Config, base_url: str, figures: PaintFigures,
               video: Path, listener: KeptListener) -> None:
    engine = pipeline.engine
    capture: Capturing
    if figures.method == "damage":
        capture = DamagePaintCapture(engine, video, config.paint, kept=listener)
    else:
        capture = VideoPaintCapture(engine, video, config.paint)
    watched = Watched(capture, figures)
    run = uuid.uuid4().hex
    children = _children_cpu_s()
    # No wire capture: a second fetch of the run's URL would log a second set of flushes.
    recording = pipeline.record(f"{base_url}/bench/timed?run={run}&{PAINT_QUERY}", wire=False,
                                paint_capture=watched)
    figures.total_cpu_s += _children_cpu_s() - children
    flushes = get_json(f"{base_url}/bench/flushes?run={run}")
    if recording.paint is None or recording.time_origin_epoch_ms is None:
        reason = recording.error or recording.paint_error or "no paint timeline"
        raise BenchError(f"{engine.name}, {figures.method}: {reason}")
    assert watched.page is not None
    height, rows = watched.page.evaluate(ITEM_ROWS)
    figures.lags_ms += item_paint_lags(recording, Path(recording.paint.video or ""), flushes,
                                       rows, height)
    figures.errors_ms.append(recording.paint.error_ms)
    figures.runs += 1
    if isinstance(capture, DamagePaintCapture) and capture.capture is not None:
        _count_damage(figures, capture.capture, recording)


def item_paint_lags(recording: Recording, video: Path, flushes: list[float],
                    rows: list[list[float]], viewport_height: float) -> list[float]:
    """For each item wholly in the viewport, the first frame showing it minus its flush (ms).

    rows: each item's [top, bottom] in CSS pixels, which are the video's (no zoom, DPR 1).
    """
    assert recording.paint is not None and recording.time_origin_epoch_ms is not None
    frames = decode(video, DECODE_WIDTH)
    scale = frames.pixels.shape[2] / probe(video).width
    page_ms = frames.times_s * 1000.0 + (recording.paint.video_offset_ms or 0.0)
    ink = (255 - frames.pixels.astype(np.int16)).max(axis=-1) > INK_LEVEL
    right = ink.shape[2] - round(SCROLLBAR_PX * scale)
    lags = []
    for (top, bottom), flushed in zip(rows, flushes, strict=False):
        if top < 0 or bottom > viewport_height:
            continue
        region = ink[:, round(top * scale):round(bottom * scale), :right]
        final = region[-1]
        if not final.any():
            continue
        # Before navigation the video shows the marker, which is all ink.
        shown = ((region & final).sum(axis=(1, 2)) >= SHOWN_SHARE * final.sum()) & (page_ms > 0)
        first = int(np.argmax(shown))
        lags.append(recording.time_origin_epoch_ms + float(page_ms[first]) - flushed)
    if not lags:
        raise BenchError(f"{recording.browser}: no streamed item was seen on screen")
    return lags


def _count_damage(figures: PaintFigures, capture: Capture, recording: Recording) -> None:
    """The damage the X server reported from navigation start to the response's end."""
    counts = capture.counts
    assert counts is not None and recording.time_origin_epoch_ms is not None
    figures.grab_ms += counts.latencies_ms
    start = recording.time_origin_epoch_ms
    end = start + (recording.response_end_ms or recording.dom[-1].t_ms)
    box = capture.box
    figures.damage_s += (end - start) / 1000.0
    for t, x, y, width, height in counts.damage:
        if not start <= t <= end:
            continue
        figures.events += 1
        area = (int(x), int(y), int(width), int(height))
        if intersects(area, box):
            figures.in_box += 1
            figures.whole += width * height >= WHOLE_SHARE * box[2] * box[3]


def _percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1),
            "max": round(max(values), 1), "n": len(values)}


def _cpu_s(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
