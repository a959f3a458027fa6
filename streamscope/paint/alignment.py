"""Video time <-> page time, fixed by the capture's clock.

Page time is ms since the navigated page's navigation start (its performance.timeOrigin, epoch
ms), the clock of every other part of a Recording. The capture stamps each frame with the wall
time it grabbed it (x11grab, and the DAMAGE listener by the X server's clock), and reads the
first frame's (ScreenFilm.start_wall_ms). A frame's time is then late by at most the gap
since the grab before it, and the page's clock agrees with the system's to about
CLOCK_AGREEMENT_MS.

The page's own report of when it painted the marker is not used: WebKitGTK can run the
animation frames that report it well before its compositor puts it on screen. The marker
frame is still looked for: it proves the video shows the page, and the baseline (the blank
page) follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.paint.marker import find_marker
from streamscope.paint.video_frames import VideoFrames

# performance.timeOrigin + now() against the system clock x11grab reads: within 1 ms in
# Chromium (Date.now() beside it, 30 samples). What the alignment adds to a frame's own
# capture delay in the error of its page time.
CLOCK_AGREEMENT_MS = 1.0

BY_CLOCK = "aligned by the wall clock of each grab"


def video_s(page_ms: float, offset_ms: float) -> float:
    """The video time of page time `page_ms`, for a video that starts at `offset_ms`."""
    return (page_ms - offset_ms) / 1000.0


@dataclass(frozen=True)
class Alignment:
    marker_index: int  # the first marker frame
    offset_ms: float  # page ms = video s * 1000 + offset_ms

    @classmethod
    def from_clock(
        cls, frames: VideoFrames, video_start_wall_ms: float, time_origin_epoch_ms: float
    ) -> Alignment:
        """Align by the wall time (epoch ms) of the video's first frame, as the capture read
        it. Raises MarkerNotFound when no frame shows the marker."""
        index = find_marker(frames.pixels)
        return cls(index, video_start_wall_ms - time_origin_epoch_ms)
