"""Paint capture for one navigation: the engine's window filmed, then put on the page clock.

Before navigating, the page shows a finished blank document (WebKit paints only a document
whose load made it "visually non-empty", and a finished load always does) and paints the
marker colour, which shows where the page is on screen; the recorder films that area, the
marker is painted again, then the blank colour, the baseline that visual progress starts
from. After the page settles the video is put on the page clock by the recorder's own
wall-clock frame times and analysed.
"""

from __future__ import annotations

import time
from pathlib import Path

from streamscope.config import PaintConfig
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.paint import BLANK_CSS, MARKER_CSS, PLAYWRIGHT_PAINT, ScreenRecorder, analyze
from streamscope.paint.marker import marker_box
from streamscope.paint.screen_grab import grab_frame
from streamscope.recording import PaintTimeline

BLANK_DOCUMENT = "data:text/html,<!doctype html><title>streamscope</title>"
READY = "return location.protocol === 'data:' && document.readyState === 'complete';"
LOAD_TIMEOUT_S = 10.0
LOCATE_TRIES = 10
# The last frames must be on video before it stops: a few frame intervals after settling.
TAIL_FRAMES = 4


class ScreenPaintCapture:
    def __init__(self, engine: Engine, video: Path, settings: PaintConfig) -> None:
        self._engine = engine
        self._video = video
        self._fps = settings.fps
        self._recorder: ScreenRecorder | None = None
        self._video_start_wall_ms: float | None = None
        self._marker_wall_ms = 0.0

    def before_navigation(self, page: PageDriver) -> None:
        display = self._engine.display
        if display is None:
            raise EngineError(f"{self._engine.name} has no window to film: start it with a window")
        _show_blank_document(page)
        origin, size = _locate_page(page, display.name, display.size)
        self._recorder = ScreenRecorder(display.name, size, self._video, self._fps, origin=origin)
        self._recorder.start()
        self._video_start_wall_ms = self._recorder.start_wall_ms
        hold_s = 3 / self._fps  # at least two frame intervals of each colour reach the video
        self._marker_wall_ms = _paint(page, MARKER_CSS)
        time.sleep(hold_s)
        _paint(page, BLANK_CSS)
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


def _paint(page: PageDriver, color: str) -> float:
    """Paints `color` over the whole page; returns the wall time (epoch ms) it was on screen."""
    return float(page.evaluate_async(f"return await ({PLAYWRIGHT_PAINT})({color!r});"))


def _locate_page(page: PageDriver, display: str,
                 screen: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where the page is on screen, found by painting the marker and looking for it.

    Only the page is filmed: browser toolbars change as a page loads (a stop button, a
    progress bar) and would count as paint, and window metrics cannot be trusted (an
    emulated viewport may be larger than the window that shows it).
    """
    _paint(page, MARKER_CSS)
    # The compositor may show it a frame or two after the page painted it.
    for _ in range(LOCATE_TRIES):
        box = marker_box(grab_frame(display, screen))
        if box is not None:
            break
        time.sleep(1 / 30)
    else:
        raise EngineError(f"the page's marker colour is nowhere on display {display}")
    x, y, width, height = box
    return (x, y), (width // 2 * 2, height // 2 * 2)  # 4:2:0 video needs even sizes


def _show_blank_document(page: PageDriver) -> None:
    page.navigate(BLANK_DOCUMENT, timeout_s=LOAD_TIMEOUT_S)
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not page.evaluate(READY):
        if time.monotonic() > deadline:
            raise EngineError("the blank page before the marker did not load")
        time.sleep(0.02)
