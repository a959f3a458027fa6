"""Video time <-> page time, fixed by the recorder's clock or by the marker frame.

The first frame showing the marker was captured when the page reported the marker painted
(marker_wall_ms, epoch ms). That pins the video's clock to the wall clock, and the navigated
page's performance.timeOrigin (epoch ms) turns wall time into page time: ms since navigation
start, the clock of every other part of a Recording.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.paint.marker import find_marker
from streamscope.paint.video_frames import VideoFrames


@dataclass(frozen=True)
class Alignment:
    marker_index: int  # the first marker frame
    marker_video_s: float  # its time in the video
    offset_ms: float  # page ms = video s * 1000 + offset_ms

    @classmethod
    def from_marker(
        cls, frames: VideoFrames, marker_wall_ms: float, time_origin_epoch_ms: float
    ) -> Alignment:
        """Find the marker in `frames`; raises MarkerNotFound when there is none."""
        index = find_marker(frames.pixels)
        video_s = float(frames.times_s[index])
        return cls(index, video_s, marker_wall_ms - video_s * 1000.0 - time_origin_epoch_ms)

    @classmethod
    def from_clock(
        cls, frames: VideoFrames, video_start_wall_ms: float, time_origin_epoch_ms: float
    ) -> Alignment:
        """Align by the wall time of the video's first frame, which the screen recorder knows.

        This does not depend on when the page believed it painted the marker: WebKitGTK's
        animation frames can run well before the compositor puts a frame on screen. The
        marker is still looked for, to prove the video shows the page and to find the
        baseline after it; raises MarkerNotFound when there is none.
        """
        index = find_marker(frames.pixels)
        return cls(index, float(frames.times_s[index]), video_start_wall_ms - time_origin_epoch_ms)

    def page_ms(self, video_s: float) -> float:
        return video_s * 1000.0 + self.offset_ms

    def video_s(self, page_ms: float) -> float:
        return (page_ms - self.offset_ms) / 1000.0
