"""Measuring an engine build's thresholds by bisection against the demo server's /probe.

Each probe is a real recording (pipeline.py) of a two-item stream with a pause between the
items, judged by the verdict's own rule: did the engine show the first item before the pause
ended? For `bytes` the first item is N bytes of visible text and the DOM verdict answers;
for `visible_chars` enough invisible bytes come first to pass the byte gate, then an item of
visible text, and the paint verdict answers. The answers are monotonic in N, so a bisection
finds the smallest N that is shown, to within the step.

A probe whose recording fails is recorded again, up to PROBE_ATTEMPTS times in all; a case
whose bisection still cannot finish is kept as a CaseError, and the other cases go on.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from streamscope.config import Config
from streamscope.demo_server.thread import demo_server
from streamscope.engines import EngineError, EngineInfo, create_engine
from streamscope.errors import one_line
from streamscope.judge.verdict import judge
from streamscope.record.pipeline import Pipeline
from streamscope.record.threshold_cache import cache_lock, cached_thresholds, write_thresholds
from streamscope.recording import Recording, Threshold
from streamscope.recording import media_type as media_type_of

MIN_ITEM_BYTES = 16  # /probe's smallest item: "<li>" markup and a little text
MAX_BYTES = 8192
MAX_ITEM_BYTES = 4096
BYTES_STEP = 16
CHARS_STEP = 8
# Past a byte gate by this much, the first-paint probes meet only the first-paint gate.
PREFIX_MARGIN = 64
DOM_PAUSE_S = 0.5  # the DOM is timed to a few ms: half a second tells early from late
PAINT_PAUSE_S = 0.8  # paint frames may be 150 ms apart on a busy machine
# Every probe's recording is tried up to this many times. What failed a probe (a navigation
# or a paint capture that went wrong on a busy machine, a recorder error) does not follow from
# the one before, and a case takes 10 to 25 probes: a failure in 1 probe of 50 would cost,
# untried again, a quarter of the cases, tried twice 1 % of them, thrice 1 in 10,000. An
# engine that is really broken fails three times running, for two probes' time (1-3 s each).
PROBE_ATTEMPTS = 3


class ThresholdError(RuntimeError):
    """A probe could not be recorded: the message says which and why."""


@dataclass(frozen=True)
class Case:
    content_type: str  # /probe's content_type: html or plain
    nosniff: bool

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self.content_type]

    @property
    def name(self) -> str:
        return f"{self.media_type}{' nosniff' if self.nosniff else ''}"

    @classmethod
    def of(cls, content_type: str | None, nosniff: bool) -> Case | None:
        """The case /probe serves for a response's type; None for a type it cannot serve."""
        probe_type = next((key for key, value in _MEDIA_TYPES.items()
                           if value == media_type_of(content_type)), None)
        return None if probe_type is None else cls(probe_type, nosniff)

    def measured_in(self, thresholds: Sequence[Threshold]) -> bool:
        return any((t.content_type, t.nosniff) == (self.media_type, self.nosniff)
                   for t in thresholds)


_MEDIA_TYPES = {"html": "text/html", "plain": "text/plain"}
CASES = (Case("html", False), Case("plain", False), Case("plain", True))

Progress = Callable[[str], None]
T = TypeVar("T")  # what a probe's recording is read for


@dataclass(frozen=True)
class CaseError:
    """A case whose bisection could not finish, and why."""

    content_type: str  # the media type
    nosniff: bool
    error: str


def measure(pipeline: Pipeline, base_url: str, progress: Progress | None = None,
            cases: Sequence[Case] = CASES) -> tuple[tuple[Threshold, ...], tuple[CaseError, ...]]:
    """Each case's thresholds in `pipeline`'s engine (started with a window, for paint), and
    the cases that could not be measured."""
    measured: list[Threshold] = []
    failed: list[CaseError] = []
    with tempfile.TemporaryDirectory(prefix="streamscope-threshold-") as folder:
        probe = _Prober(pipeline, base_url, Path(folder), progress)
        for case in cases:
            try:
                measured.append(probe.case(case))
            except ThresholdError as exc:
                failed.append(CaseError(case.media_type, case.nosniff, one_line(exc)))
                if progress is not None:
                    progress(f"{pipeline.engine.name} {case.name}: could not be measured: "
                             f"{one_line(exc)}")
    return tuple(measured), tuple(failed)


def measure_missing(pipeline: Pipeline, base_url: str, cases: Sequence[Case], *,
                    refresh: bool = False, progress: Progress | None = None
                    ) -> tuple[tuple[Threshold, ...], tuple[CaseError, ...], bool]:
    """Every threshold kept for `pipeline`'s engine build once `cases` are measured, the cases
    that could not be, and whether any was measured now. Under the cache's lock: a case that
    another run measured while this one waited for it is read, not measured again."""
    info = pipeline.engine.info
    with cache_lock(info):
        kept = () if refresh else cached_thresholds(info)
        todo = [case for case in cases if not case.measured_in(kept)]
        if not todo:
            return kept, (), False
        measured, failed = measure(pipeline, base_url, progress, todo)
        if measured:
            write_thresholds(info, measured)
        return cached_thresholds(info) or measured, failed, True


class _Prober:
    def __init__(self, pipeline: Pipeline, base_url: str, videos: Path,
                 progress: Progress | None) -> None:
        self._pipeline = pipeline
        self._base_url = base_url
        self._videos = videos
        self._progress = progress
        self._probes = 0

    def case(self, case: Case) -> Threshold:
        self._probes = 0
        began = time.monotonic()
        needed = _bisect(_held_twice(lambda n: self._dom_shows(case, n)), MIN_ITEM_BYTES,
                         MAX_BYTES, BYTES_STEP)
        bytes_needed = None if needed is None else (0 if needed == MIN_ITEM_BYTES else needed)
        chars = None
        if bytes_needed is not None:
            prefix = bytes_needed + PREFIX_MARGIN if bytes_needed else 0
            shown = _bisect(_held_twice(lambda n: self._paint_shows(case, prefix, n)),
                            MIN_ITEM_BYTES, MAX_ITEM_BYTES, CHARS_STEP)
            chars = None if shown is None else self._visible_chars(case, prefix, shown)
        if self._progress is not None:
            self._progress(f"{self._pipeline.engine.name} {case.name}: bytes {bytes_needed}, "
                           f"visible characters {chars} ({self._probes} probes, "
                           f"{time.monotonic() - began:.0f} s)")
        return Threshold(case.media_type, case.nosniff, bytes_needed, chars, self._probes)

    def _url(self, case: Case, item_bytes: int, prefix: int, pause_s: float) -> str:
        query = {"count": 2, "delay": pause_s, "item_bytes": item_bytes, "prefix": prefix,
                 "content_type": case.content_type, "nosniff": int(case.nosniff)}
        return f"{self._base_url}/probe?{urlencode(query)}"

    def _record(self, url: str, paint: bool) -> Recording:
        """The probe's recording; ThresholdError once PROBE_ATTEMPTS have failed, with the
        last one's error."""
        for _ in range(PROBE_ATTEMPTS - 1):
            try:
                return self._record_once(url, paint)
            except ThresholdError:
                continue
        try:
            return self._record_once(url, paint)
        except ThresholdError as exc:
            raise ThresholdError(f"{exc} ({PROBE_ATTEMPTS} attempts)") from exc

    def _record_once(self, url: str, paint: bool) -> Recording:
        self._probes += 1
        video = self._videos / f"probe-{self._probes}.webm" if paint else None
        recording = self._pipeline.record(url, video=video, wire=False)
        if video is not None:
            self._pipeline.discard_video(video)
        if recording.error is not None or not recording.ended:
            raise ThresholdError(f"{self._pipeline.engine.name} could not record {url}: "
                                 f"{recording.error or 'the response did not end in time'}")
        if paint and recording.paint is None:
            raise ThresholdError(f"{self._pipeline.engine.name}: no paint timeline for {url}: "
                                 f"{recording.paint_error}")
        return recording

    def _dom_shows(self, case: Case, item_bytes: int) -> bool:
        recording = self._record(self._url(case, item_bytes, 0, DOM_PAUSE_S), paint=False)
        return judge(recording).dom_incremental

    def _paint_shows(self, case: Case, prefix: int, item_bytes: int) -> bool:
        def painted(recording: Recording) -> bool | None:
            verdict = judge(recording)
            return bool(verdict.painted_incrementally) if verdict.dom_incremental else None

        return self._past_the_byte_gate(
            self._url(case, item_bytes, prefix, PAINT_PAUSE_S), True, painted)

    def _visible_chars(self, case: Case, prefix: int, item_bytes: int) -> int:
        """The visible characters an item of `item_bytes` puts in the DOM, as the observer
        counts them (no white space): the threshold in the engine's own terms. 0 where the
        smallest item was painted at once: no first-paint gate."""
        if item_bytes == MIN_ITEM_BYTES:
            return 0

        def early_chars(recording: Recording) -> int | None:
            end = recording.response_end_ms or 0.0
            return max((s.text_chars for s in recording.dom
                        if s.t_ms < end - DOM_PAUSE_S / 2 * 1000), default=0) or None

        return self._past_the_byte_gate(
            self._url(case, item_bytes, prefix, DOM_PAUSE_S), False, early_chars)

    def _past_the_byte_gate(self, url: str, paint: bool, read: Callable[[Recording], T | None]
                            ) -> T:
        """What `read` finds in the recording of `url`, a probe past the byte gate, whose DOM
        is therefore early: where `read` says it was seen late (None), as a busy machine can
        make it (_held_twice), it is recorded again, up to PROBE_ATTEMPTS times."""
        for _ in range(PROBE_ATTEMPTS):
            found = read(self._record(url, paint=paint))
            if found is not None:
                return found
        raise ThresholdError(f"{self._pipeline.engine.name}: the DOM of {url} was late in "
                             f"{PROBE_ATTEMPTS} attempts, past the byte gate")


def _held_twice(shows: Callable[[int], bool]) -> Callable[[int], bool]:
    """`shows`, where a probe that says held is recorded once more before it is believed. A
    probe can see a stream late (on a busy machine, in an engine's first load since its
    launch), never early: only a "held" can be wrong, and one wrong answer moves a bisection
    far. A clean clone's first repro measured WebKitGTK's byte gate at 4,119 bytes, not 527,
    its first probe (4,104 bytes) seen held (2026-12-06)."""
    return lambda n: shows(n) or shows(n)


def _bisect(shows: Callable[[int], bool], low: int, high: int, step: int) -> int | None:
    """The smallest n in [low, high] for which shows(n), to within `step`, for a monotonic
    shows(); None when even `high` is not shown."""
    if shows(low):
        return low
    if not shows(high):
        return None
    while high - low > step:
        middle = (low + high) // 2
        if shows(middle):
            high = middle
        else:
            low = middle
    return high


@dataclass
class EngineThresholds:
    """One engine build's thresholds, measured now or read from the cache, or why not."""

    browser: str
    engine: EngineInfo | None
    thresholds: tuple[Threshold, ...] = ()
    cached: bool = False
    error: str | None = None  # the engine could not be measured at all
    failed: tuple[CaseError, ...] = ()  # the cases whose bisection could not finish

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed

    def rows(self) -> list[dict[str, object]]:
        """The `--json` shape: one row per content type, measured or failed (`error`)."""
        version = self.engine.version if self.engine is not None else None
        return ([{"browser": self.browser, "engine_version": version, **asdict(t),
                  "error": None} for t in self.thresholds]
                + [{"browser": self.browser, "engine_version": version,
                    "content_type": f.content_type, "nosniff": f.nosniff, "bytes": None,
                    "visible_chars": None, "probes": None, "error": f.error}
                   for f in self.failed])


def measure_engines(browsers: Sequence[str], config: Config, *, refresh: bool = False,
                    headed: bool = False, progress: Progress | None = None
                    ) -> list[EngineThresholds]:
    """Each engine's thresholds: from the cache where this build's are kept (unless
    `refresh`), else measured against a demo server of our own and kept; a case kept in the
    cache is not measured again, one missing is."""
    results = []
    with demo_server() as base_url:
        for browser in browsers:
            try:
                engine = create_engine(config.engine(browser, headed=headed), window=True)
                info = engine.start()
            except EngineError as exc:
                results.append(EngineThresholds(browser, None, error=one_line(exc)))
                continue
            pipeline = Pipeline(engine, config)
            try:
                kept, failed, measured = measure_missing(pipeline, base_url, CASES,
                                                         refresh=refresh, progress=progress)
                results.append(EngineThresholds(browser, info, kept, cached=not measured,
                                                failed=failed))
            finally:
                pipeline.close()
                engine.stop()
    return results
