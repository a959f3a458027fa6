"""Video time <-> page time, fixed by the recorder's clock or by the marker frame.

Page time is ms since the navigated page's navigation start (its performance.timeOrigin, epoch
ms), the clock of every other part of a Recording. Two ways to put the video on the wall clock:

- by the recorder's clock: x11grab stamps each frame with the wall time it grabbed it, and the
  recorder reads the first frame's (ScreenRecorder.start_wall_ms). A frame's time is then late
  by at most the gap since the grab before it, and the page's clock agrees with the system's
  to about CLOCK_AGREEMENT_MS.
- by the marker: the first frame showing the marker was captured when the page reported the
  marker painted (marker_wall_ms). That needs no recorder clock, but leans on the page's
  report: the marker's own capture adds up to a frame gap either way, and its report is up to
  a display refresh late in Blink. WebKitGTK reports it earlier still: its animation frames
  can run well before the compositor puts a frame on screen.

Either way the marker frame is looked for: it proves the video shows the page, and the
baseline (the blank page) follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.paint.marker import find_marker
from streamscope.paint.video_frames import VideoFrames

# Blink's double requestAnimationFrame resolves at most one refresh after the marker frame.
DISPLAY_REFRESH_MS = 1000.0 / 60.0
# performance.timeOrigin + now() against the system clock x11grab reads: within 1 ms in
# Chromium (Date.now() beside it, 30 samples).
CLOCK_AGREEMENT_MS = 1.0

BY_CLOCK = "aligned by the wall clock of each grab"
BY_MARKER = "aligned by a marker frame"


@dataclass(frozen=True)
class Alignment:
    marker_index: int  # the first marker frame
    marker_video_s: float  # its time in the video
    offset_ms: float  # page ms = video s * 1000 + offset_ms
    method: str = BY_CLOCK
    # What the alignment adds to a frame's own capture delay in the error of its page time.
    error_ms: float = CLOCK_AGREEMENT_MS

    @classmethod
    def from_clock(
        cls, frames: VideoFrames, video_start_wall_ms: float, time_origin_epoch_ms: float
    ) -> Alignment:
        """Align by the wall time (epoch ms) of the video's first frame, as the recorder read
        it. Raises MarkerNotFound when no frame shows the marker."""
        index = find_marker(frames.pixels)
        return cls(index, float(frames.times_s[index]), video_start_wall_ms - time_origin_epoch_ms)

    @classmethod
    def from_marker(
        cls, frames: VideoFrames, marker_wall_ms: float, time_origin_epoch_ms: float
    ) -> Alignment:
        """Align by the wall time (epoch ms) the page reported the marker painted. Raises
        MarkerNotFound when no frame shows the marker."""
        index = find_marker(frames.pixels)
        video_s = float(frames.times_s[index])
        # The marker frame's own gap is counted with the others (capture_error_ms).
        return cls(
            index,
            video_s,
            marker_wall_ms - video_s * 1000.0 - time_origin_epoch_ms,
            BY_MARKER,
            DISPLAY_REFRESH_MS,
        )

    def page_ms(self, video_s: float) -> float:
        return video_s * 1000.0 + self.offset_ms

    def video_s(self, page_ms: float) -> float:
        return (page_ms - self.offset_ms) / 1000.0
