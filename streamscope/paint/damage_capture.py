"""Paint capture for one navigation, frame by frame as the X server reports the page drawn.

The page is readied as for the video capture (window_setup.py); then the DAMAGE listener
(damage.py) grabs the page's box whenever the X server reports it drawn, and keeps each grab
that differs from the one before, stamped with the server's time of the damage. After the
page settles the frames are put on the page clock by those stamps, analysed with the video
capture's own visual progress, and encoded into a WebM at their times for the report: at
once, or by a VideoQueue beside the next recording (video_queue.py).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from streamscope.config import PaintConfig
from streamscope.engines import Engine, EngineError, PageDriver
from streamscope.paint.alignment import BY_CLOCK, CLOCK_AGREEMENT_MS, Alignment
from streamscope.paint.damage_process import Capture, DamageProcess
from streamscope.paint.frame_taker import FrameReport
from streamscope.paint.marker import BLANK_CSS
from streamscope.paint.spool import frame_path, read_frame
from streamscope.paint.video_frames import ANALYSIS_WIDTH, VideoFrames
from streamscope.paint.video_queue import EncodeJob, VideoQueue, encode_now
from streamscope.paint.visual_progress import baseline_frame, changed_frames, paint_timeline
from streamscope.paint.window_setup import paint, place_page
from streamscope.recording import PaintTimeline

METHOD = (
    "X DAMAGE events on the browser's display, each answered by an MIT-SHM grab of the page's "
    "box ({priority}); a frame is stamped with the X server's time of the earliest damage it "
    "shows, and error_ms is the longest any frame took from damage to grab, plus the clocks' "
    "error ({alignment}); content = pixels unlike the blank page and the frame's background; "
    "progress = pixel distance to the final frame"
)
# Before navigating, the blank page must be captured: WebKitGTK's compositor can show it well
# after the page reports it painted, so wait for its frame, then for the screen to be still.
SHOWN_TIMEOUT_S = 2.0
STILL_S = 0.05


class KeptListener:
    """The DAMAGE listener that one engine's recordings share: launched by the first, it waits
    between recordings for the next job (damage.py), until close()."""

    def __init__(self) -> None:
        self._idle: DamageProcess | None = None

    def take(self, display: str, size: tuple[int, int], spool: Path) -> DamageProcess:
        """The listener waiting on `display`, aimed at the whole screen and `spool` until the
        page is located; a new one launched where there is none, or it has gone."""
        listener, self._idle = self._idle, None
        if listener is not None and listener.running and listener.display == display:
            listener.aim((0, 0), size, spool)
            return listener
        if listener is not None:
            listener.halt()
        listener = DamageProcess(display, (0, 0), size, spool)
        listener.launch()
        return listener

    def keep(self, listener: DamageProcess) -> None:
        """`listener`, its job ended, waits for the next one."""
        if self._idle is not None:
            self._idle.halt()
        self._idle = listener

    def close(self) -> None:
        """Ends the waiting listener, if any; never raises for one that is gone."""
        listener, self._idle = self._idle, None
        if listener is not None:
            listener.halt()


class DamagePaintCapture:
    def __init__(self, engine: Engine, video: Path, settings: PaintConfig,
                 videos: VideoQueue | None = None, kept: KeptListener | None = None) -> None:
        """`videos`: where the WebM is made, beside what comes next; None: before finish()
        returns. `kept`: the listener this engine's recordings share; None: one of its own,
        ended by finish()."""
        self._engine = engine
        self._video = video
        self._videos = videos
        self._kept = kept
        self._listener: DamageProcess | None = None
        self._spool: Path | None = None
        self.capture: Capture | None = None  # what the listener reported, once finished

    @property
    def pid(self) -> int | None:
        """The listener process while it runs: the bench reads its CPU time."""
        return self._listener.pid if self._listener else None

    def prepare(self) -> None:
        """Takes the kept listener, or launches one whose process readies itself (0.3 to 0.9
        s, mostly its imports) while the page is opened, readied and located, not after."""
        display = self._engine.display
        if display is None:
            raise EngineError(self._engine.why_not_filmed())
        self._spool = Path(tempfile.mkdtemp(prefix="streamscope-frames-"))
        self._listener = (self._kept or KeptListener()).take(display.name, display.size,
                                                             self._spool)

    def before_navigation(self, page: PageDriver) -> None:
        if self._listener is None:
            self.prepare()
        assert self._listener is not None
        _, box = place_page(self._engine, page)
        self._listener.aim(*box)
        # Its first frame is the screen as the listener finds it: the marker, which
        # place_page left there.
        self._listener.start()
        shown = self._listener.frame_count
        paint(page, BLANK_CSS)
        self._listener.wait_for_frames(shown + 1, SHOWN_TIMEOUT_S)
        self._listener.wait_until_still(STILL_S, SHOWN_TIMEOUT_S)

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline:
        listener, self._listener = self._listener, None
        if listener is None:
            raise EngineError("the paint capture was not started before navigating")
        end_ms = time.time() * 1000.0
        try:
            if self._kept is not None:
                self.capture = listener.end_job()
                self._kept.keep(listener)
            else:
                self.capture = listener.stop()
            return self._timeline(self.capture, time_origin_epoch_ms, end_ms)
        finally:
            self._remove_spool()

    def abort(self) -> None:
        """Ends the listener and removes its frames, and never raises: it runs in `finally`
        blocks, under Ctrl-C, and must not hide what is going on."""
        listener, self._listener = self._listener, None
        try:
            if listener is not None:
                listener.halt()
        except Exception:
            pass
        self._remove_spool()

    def _timeline(self, capture: Capture, time_origin_epoch_ms: float,
                  end_ms: float) -> PaintTimeline:
        assert self._spool is not None
        if not capture.frames:
            raise EngineError("the damage listener captured no frame")
        paths = [frame_path(self._spool, report.frame) for report in capture.frames]
        pixels = np.stack([read_frame(path, ANALYSIS_WIDTH) for path in paths])
        display = self._engine.display
        priority = (f"the listener at {capture.priority or 'a priority unknown'}, the X server "
                    f"at {display.priority}" if display is not None and display.priority
                    else capture.priority)
        timeline = damage_timeline(capture.frames, pixels, time_origin_epoch_ms,
                                   capture.clock_error_ms, str(self._video), priority)
        job = EncodeJob(paths, [report.t for report in capture.frames], end_ms, self._video,
                        self._spool)
        if self._videos is None:
            encode_now(job)
        else:
            self._spool = None  # the queue removes it, once encoded
            self._videos.submit(job)
        return timeline

    def _remove_spool(self) -> None:
        spool, self._spool = self._spool, None
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


def damage_timeline(reports: Sequence[FrameReport], pixels: npt.NDArray[np.uint8],
                    time_origin_epoch_ms: float, clock_error_ms: float,
                    video: str | None = None, priority: str = "") -> PaintTimeline:
    """The PaintTimeline of captured frames (`pixels`, N x H x W x 3 RGB at analysis size)
    and their reports: each frame at its stamp, and as error bound the longest any frame of the
    timeline took from damage to grab, plus the server clock's and the page clock's errors.
    """
    stamps = np.array([report.t for report in reports])
    frames = VideoFrames((stamps - stamps[0]) / 1000.0, pixels)
    alignment = Alignment.from_clock(frames, float(stamps[0]), time_origin_epoch_ms)
    shown = changed_frames(frames, baseline_frame(frames, alignment))
    error_ms = max((reports[i].error_ms for i in shown), default=0.0)
    error_ms += clock_error_ms + CLOCK_AGREEMENT_MS
    method = METHOD.format(alignment=BY_CLOCK, priority=priority or "its priority unknown")
    return paint_timeline(frames, alignment, error_ms, method, video=video)
