"""Paint capture for one navigation, by the method `[paint] method` names.

"damage" grabs the page's box whenever the X server reports it drawn
(streamscope/paint/damage_capture.py); "video" films the engine's window at a fixed rate and
puts the video on the page clock afterwards (VideoPaintCapture, below). Both ready the page
the same way first (streamscope/paint/window_setup.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from streamscope.config import PaintConfig
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.paint import BLANK_CSS, MARKER_CSS, Grab, ScreenFilm, analyze
from streamscope.paint.damage_capture import DamagePaintCapture, KeptListener
from streamscope.paint.video_queue import VideoQueue
from streamscope.paint.window_setup import paint, place_page
from streamscope.recording import PaintTimeline

# The last frames must be on video before it stops: a few frame intervals after settling.
TAIL_FRAMES = 4


class ScreenPaintCapture:
    """What the screen showed around one navigation, captured by `settings.method`."""

    def __init__(self, engine: Engine, video: Path, settings: PaintConfig,
                 videos: VideoQueue | None = None, kept: KeptListener | None = None) -> None:
        """`videos`: where the damage method's frames are made into the video, beside what
        comes next (None: before finish() returns); the video method films it live. `kept`:
        the damage method's listener, shared by the engine's recordings."""
        self._capture: DamagePaintCapture | VideoPaintCapture
        if settings.method == "damage":
            self._capture = DamagePaintCapture(engine, video, settings, videos, kept)
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
    the film's own wall-clock frame times and analysed."""

    def __init__(self, engine: Engine, video: Path, settings: PaintConfig) -> None:
        self._engine = engine
        self._video = video
        self._fps = settings.fps
        self._film: ScreenFilm | None = None
        self._video_start_wall_ms: float | None = None

    @property
    def pid(self) -> int | None:
        """ffmpeg while it films: the bench reads its CPU time."""
        return self._film.pid if self._film else None

    def prepare(self) -> None:
        """Nothing to start early: ffmpeg is started for the page's box, found later."""

    def before_navigation(self, page: PageDriver) -> None:
        display, (origin, size) = place_page(self._engine, page)
        self._film = ScreenFilm(Grab(display, size, self._fps, origin), self._video)
        self._film.start()
        self._video_start_wall_ms = self._film.start_wall_ms
        hold_s = 3 / self._fps  # at least two frame intervals of each colour reach the video
        paint(page, MARKER_CSS)
        time.sleep(hold_s)
        paint(page, BLANK_CSS)
        time.sleep(hold_s)

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline:
        time.sleep(TAIL_FRAMES / self._fps)
        self._stop()
        if self._video_start_wall_ms is None:
            raise EngineError("the paint capture was not started before navigating")
        return analyze(self._video, self._video_start_wall_ms, time_origin_epoch_ms, self._fps)

    def abort(self) -> None:
        """Ends the film, and never raises: it runs in `finally` blocks, under Ctrl-C,
        where ffmpeg may have lost its display, and must not hide what is going on."""
        try:
            self._stop()
        except Exception:
            pass

    def _stop(self) -> None:
        film, self._film = self._film, None
        if film is not None:
            film.stop()
