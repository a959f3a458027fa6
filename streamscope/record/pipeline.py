"""Recording a URL in a started engine: the one way the CLI, the pytest plugin and the bench do it.

For each URL: a fresh page from the engine; a raw HTTP client fetching the same URL beside it
(wire.py), unless the caller must keep the server to one request, and once more uncompressed
where a compressed body came all at once; the screen filmed around the navigation when a
video path is given (paint/capture.py), where the engine's screen is on this machine (else
the recording says why not), its video made at once or, given a VideoQueue, beside what
comes next; the DOM timeline and the stopping rule (dom_recorder.py); the
thresholds measured on this engine build (record/threshold_cache.py). A failure is the recording's
error, so one bad page never ends a run. The last page stays open, for a screenshot, until
the next recording or close().
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path

from streamscope.config import Config
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.errors import one_line
from streamscope.paint.capture import ScreenPaintCapture
from streamscope.paint.damage_capture import KeptListener
from streamscope.paint.video_queue import VideoQueue
from streamscope.record.dom_recorder import (
    SYSTEM_CLOCK,
    Clock,
    PaintCapture,
    Streaming,
    StreamMilestones,
    record,
)
from streamscope.record.failures import explain
from streamscope.record.threshold_cache import cached_thresholds
from streamscope.record.wire import WireCapture
from streamscope.recording import Recording

# How long the raw client may go on after the engine failed: enough for its account of why.
WIRE_AFTER_ERROR_S = 2.0


class Pipeline:
    def __init__(self, engine: Engine, config: Config, clock: Clock = SYSTEM_CLOCK,
                 videos: VideoQueue | None = None, turn: Streaming = nullcontext) -> None:
        """`clock`: where the recorder's time limit and pauses come from (a run with several
        lanes gives one that raises once the run is cancelled). `videos`: where captured
        frames are made into each recording's video after it returns (the caller waits for
        it before reading a video); None: before it returns. `turn`: entered as a page
        navigates (and the raw client's fetch starts), and told of its stream's milestones,
        by lanes that take turns (turns.Turns)."""
        self.engine = engine
        self.config = config
        self.clock = clock
        self.videos = videos
        self.turn = turn
        self._page: PageDriver | None = None
        self._listener = KeptListener()  # the paint capture's, from one recording to the next

    def record(self, url: str, *, video: Path | None = None, wire: bool = True,
               paint_capture: PaintCapture | None = None) -> Recording:
        """Record `url`; with `video`, film the screen into it and judge the paint too.

        `paint_capture`: a paint capture of the caller's own instead (the bench wraps one to measure
        it), for an engine whose screen is on this machine.
        """
        settings = self.config.recording
        verify = not settings.ignore_https_errors  # the raw client trusts what the engine does
        # Started as the engine navigates (_streaming), so that both see the server at once.
        capture = (WireCapture(url, settings.timeout_s, keep_body=True, verify=verify)
                   if wire else None)
        try:
            recording = self._record(url, video, capture, paint_capture)
        except BaseException:
            if capture is not None:
                capture.cancel()  # an interrupted run does not wait for the stream to end
            raise
        if capture is not None:
            if not capture.started:  # the engine failed before navigating: the raw client
                capture.start()  # may still say why there is no page
            # A response the engine did not show is not waited for to its end.
            recording.attach_wire(capture.result(WIRE_AFTER_ERROR_S if recording.error else None))
            held = recording.wire
            if held is not None and held.headers.get("content-encoding") and not held.streamed:
                # Was it the compressor? The same URL uncompressed tells (causes.py).
                recording.wire_identity = WireCapture(
                    url, settings.timeout_s, compressed=False, keep_body=True,
                    verify=verify).run()
        explain(recording, capture.no_page if capture is not None else None, settings.timeout_s)
        recording.thresholds = cached_thresholds(recording.engine)
        return recording

    def _record(self, url: str, video: Path | None, capture: WireCapture | None,
                paint_capture: PaintCapture | None) -> Recording:
        remote_screen = video is not None and self.engine.display is None
        own = (ScreenPaintCapture(self.engine, video, self.config.paint, self.videos,
                                  self._listener)
               if video is not None and paint_capture is None and not remote_screen else None)
        try:
            if own is not None:
                own.prepare()  # what takes long to start starts while the page opens
            self._close_page()
            self._page = self.engine.new_page()
        except BaseException as exc:
            if own is not None:
                own.abort()
            if not isinstance(exc, Exception):
                raise
            return Recording(url=url, engine=self.engine.info,
                             error=f"{self.engine.name} could not open a fresh page: "
                                   f"{one_line(exc)}")
        # The raw client's word that there is no page to wait for (a download, a refused
        # certificate) ends the recording early.
        no_page = (lambda: capture.no_page) if capture is not None else None
        streaming = partial(self._streaming, capture)
        if remote_screen:
            # A remote browser's screen: the DOM is recorded, and the run says why not the paint.
            recording = record(self._page, self.engine.info, url, self.config.recording,
                               clock=self.clock, no_page=no_page, streaming=streaming)
            if recording.error is None:
                recording.paint_error = self.engine.why_not_filmed()
            return recording
        return record(self._page, self.engine.info, url, self.config.recording,
                      paint_capture or own, clock=self.clock, no_page=no_page,
                      streaming=streaming)

    @contextmanager
    def _streaming(self, capture: WireCapture | None) -> Iterator[StreamMilestones | None]:
        """The page's turn to stream, and the raw client's fetch beside it."""
        with self.turn() as milestones:
            if capture is not None:
                capture.start()
            yield milestones

    def discard_video(self, video: Path) -> None:
        """A recording's video that is not wanted (a replay's): removed, also if it is made
        later."""
        if self.videos is not None:
            self.videos.discard(video)
        else:
            video.unlink(missing_ok=True)

    def screenshot(self, path: Path) -> None:
        """What the last recorded page shows now."""
        if self._page is None:
            raise EngineError(f"{self.engine.name} has no page to screenshot: record a URL first")
        self._page.screenshot(path)

    def close(self) -> None:
        """Closes the last page and ends the paint capture's listener; the engine stays up, and
        a recording after this starts them again."""
        try:
            self._close_page()
        finally:
            self._listener.close()

    def _close_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            try:
                page.close()
            except Exception:  # the browser may already be gone; nothing is lost with the page
                pass
