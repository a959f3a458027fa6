"""Paint capture for one navigation, by the method `[paint] method` names.

"damage" grabs the page's box whenever the X server reports it drawn
(streamscope/paint/damage_capture.py); "video" films the engine's window at a fixed rate and
puts the video on the page clock afterwards (VideoPaintCapture, below). Both ready the page
the same way first (streamscope/paint/page_setup.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from streamscope.config import PaintConfig
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.paint import BLANK_CSS, MARKER_CSS, ScreenRecorder, analyze
from streamscope.paint.damage_capture import DamagePaintCapture
from streamscope.paint.page_setup import locate_page, paint, show_blank_document
from streamscope.paint.video_queue import VideoQueue
from streamscope.recording import PaintTimeline

# The last frames must be on video before it stops: a few frame intervals after settling.
TAIL_FRAMES = 4


class ScreenPaintCapture:
    """What the screen showed around one navigation, captured by `settings.method`."""

    def __init__(self, engine: Engine, video: Path, settings: PaintConfig,
                 videos: VideoQueue | None = None) -> None:
        """`videos`: where the damage method's frames are made into the video, beside what
        comes next (None: before finish() returns); the video method films it live."""
        self._capture: DamagePaintCapture | VideoPaintCapture
        if settings.method == "damage":
            self._capture = DamagePaintCapture(engine, video, settings, videos)
        else:
            self._capture = VideoPaintCapture(engine, video, settings)

    def prepare(self) -> None:
        """Starts what takes long to start, before the page is opened (optional)."""
        self._capture.prepare()

    def before_navigation(self, page: PageDriver) -> None:
        self._capture.before_navigation(page)

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline:
        return self._capture.finish(time_origin_epoch_ms)

    def abort(self) -> None:
        self._capture.abort()


class VideoPaintCapture:
    """The engine's window filmed by ffmpeg at a fixed rate, then put on the page clock by
    the recorder's own wall-clock frame times and analysed."""

    def __init__(self, engine: Engine, video: Path, settings: PaintConfig) -> None:
        self._engine = engine
        self._video = video
        self._fps = settings.fps
        self._recorder: ScreenRecorder | None = None
        self._video_start_wall_ms: float | None = None
        self._marker_wall_ms = 0.0

    @property
    def pid(self) -> int | None:
        """ffmpeg while it films: the bench reads its CPU time."""
        return self._recorder.pid if self._recorder else None

    def prepare(self) -> None:
        """Nothing to start early: ffmpeg is started for the page's box, found later."""

    def before_navigation(self, page: PageDriver) -> None:
        display = self._engine.display
        if display is None:
            raise EngineError(f"{self._engine.name} has no window to film: start it with a window")
        show_blank_document(page)
        origin, size = locate_page(page, display.name, display.size)
        self._recorder = ScreenRecorder(display.name, size, self._video, self._fps, origin=origin)
        self._recorder.start()
        self._video_start_wall_ms = self._recorder.start_wall_ms
        hold_s = 3 / self._fps  # at least two frame intervals of each colour reach the video
        self._marker_wall_ms = paint(page, MARKER_CSS)
        time.sleep(hold_s)
        paint(page, BLANK_CSS)
        time.sleep(hold_s)

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline:
        time.sleep(TAIL_FRAMES / self._fps)
        self._stop()
        # Aligned by the recorder's clock: WebKitGTK can run the animation frames that report
        # the marker painted well before its compositor shows it.
        return analyze(self._video, self._marker_wall_ms, time_origin_epoch_ms, self._fps,
                       video_start_wall_ms=self._video_start_wall_ms)

    def abort(self) -> None:
        """Ends the recorder, and never raises: it runs in `finally` blocks, under Ctrl-C,
        where ffmpeg may have lost its display, and must not hide what is going on."""
        try:
            self._stop()
        except Exception:
            pass

    def _stop(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.stop()
