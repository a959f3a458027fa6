"""Visual progress: how close the screen is to its final state at each frame, on the page clock.

Distance between two frames is the mean, over the small analysis frame's pixels, of each
pixel's largest channel difference, counting only differences above NOISE_LEVEL. A pixel
measure, unlike Speed Index's colour histograms, says *where* the screen matches the final
frame: a histogram calls a page complete once the right amount of dark text exists anywhere,
even if it is in the wrong place, and ignores a layout shift that moves content. Progress is
1 - distance(frame, final) / distance(baseline, final), the share of the way from the blank
page to the final screen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from streamscope.paint.alignment import BY_CLOCK, CLOCK_AGREEMENT_MS, Alignment
from streamscope.paint.content import NOISE_LEVEL, BlankPage, content_share, kept_share
from streamscope.paint.marker import is_marker
from streamscope.paint.video_frames import VideoFrames, decode
from streamscope.recording import PaintFrame, PaintTimeline

COMPLETE = 0.99  # progress from which the page counts as visually complete

METHOD = (
    "ffmpeg x11grab of the headed browser window on Xvfb, {fps} fps VP8, {alignment}; "
    "content = pixels unlike the blank page and the frame's background; "
    "progress = pixel distance to the final frame"
)


class BaselineNotFound(ValueError):
    """No frame of the blank page was captured between the marker and navigation start."""


def pixel_difference(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> npt.NDArray[np.int16]:
    """Each pixel's largest channel difference, with encoder noise set to zero."""
    diff: npt.NDArray[np.int16] = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=-1)
    diff[diff <= NOISE_LEVEL] = 0
    return diff


def differs(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> bool:
    return bool(pixel_difference(a, b).any())


def distance(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    return float(pixel_difference(a, b).mean())


def analyze(
    video: Path, video_start_wall_ms: float, time_origin_epoch_ms: float, fps: int
) -> PaintTimeline:
    """The visual progress of the page recorded in `video`, on its own clock.

    video_start_wall_ms: ScreenFilm.start_wall_ms, which puts the video on
    the wall clock (see alignment.py); time_origin_epoch_ms: the navigated page's
    performance.timeOrigin; fps: the capture rate.
    Raises MarkerNotFound or BaselineNotFound when the video cannot be put on the page clock.
    """
    frames = decode(video)
    alignment = Alignment.from_clock(frames, video_start_wall_ms, time_origin_epoch_ms)
    method = METHOD.format(fps=fps, alignment=BY_CLOCK)
    error_ms = capture_error_ms(frames, alignment, fps)
    return paint_timeline(frames, alignment, error_ms, method, video=str(video))


def paint_timeline(
    frames: VideoFrames,
    alignment: Alignment,
    error_ms: float,
    method: str,
    video: str | None = None,
) -> PaintTimeline:
    """The PaintTimeline of frames already aligned to the page clock, however they were
    captured: `error_ms` is how far a frame's time may be from its reaching the screen."""
    page_ms = frames.times_s * 1000.0 + alignment.offset_ms
    baseline_index = baseline_frame(frames, alignment)
    pixels = frames.pixels
    baseline, final = pixels[baseline_index], pixels[-1]
    span = distance(baseline, final)
    blank = BlankPage(baseline)

    painted: list[PaintFrame] = []
    first_change: float | None = None
    for i in changed_frames(frames, baseline_index):
        t_ms = float(page_ms[i])
        if first_change is None and differs(pixels[i], baseline):
            first_change = t_ms
        # A screen that ends as it started has nowhere to progress to: it is complete.
        progress = 1.0 if span == 0 else 1.0 - distance(pixels[i], final) / span
        content = blank.content_mask(pixels[i])
        painted.append(PaintFrame(t_ms, min(max(progress, 0.0), 1.0), content_share(content),
                                  kept_share(pixels[i], final, content)))

    return PaintTimeline(
        frames=painted,
        first_visual_change_ms=first_change,
        visual_complete_ms=_visual_complete(painted),
        error_ms=error_ms,
        method=method,
        video=video,
        video_offset_ms=alignment.offset_ms,
    )


def changed_frames(frames: VideoFrames, baseline_index: int) -> list[int]:
    """The frames after the baseline that differ from the frame before: the timeline's."""
    pixels = frames.pixels
    return [i for i in range(baseline_index + 1, len(frames))
            if differs(pixels[i], pixels[i - 1])]


def capture_error_ms(frames: VideoFrames, alignment: Alignment, fps: int) -> float:
    """How far a frame's page time may be from the moment its content reached the screen.

    A change is captured by the next grab, up to one frame gap late. Under load the
    film's gaps exceed 1000/fps, so the largest gap actually recorded from the marker on
    counts, never less than nominal; the alignment adds its own error.
    """
    start = max(alignment.marker_index - 1, 0)
    gaps_ms = np.diff(frames.times_s[start:]) * 1000.0
    largest = float(gaps_ms.max()) if gaps_ms.size else 0.0
    return max(largest, 1000.0 / fps) + CLOCK_AGREEMENT_MS


def baseline_frame(frames: VideoFrames, alignment: Alignment) -> int:
    """The last frame at or before navigation start: the blank page, if all went to plan.
    Raises BaselineNotFound when that frame is not the blank page."""
    page_ms = frames.times_s * 1000.0 + alignment.offset_ms
    before = np.flatnonzero(page_ms <= 0.0)
    if before.size == 0 or before[-1] < alignment.marker_index:
        raise BaselineNotFound("navigation started before the marker frame was captured")
    index = int(before[-1])
    if is_marker(frames.pixels[index]):
        raise BaselineNotFound(
            "the marker was still on screen at navigation start: the blank page was not "
            "captured (hold it for two frame intervals or more before navigating)"
        )
    return index


def _visual_complete(painted: list[PaintFrame]) -> float | None:
    """The first painted frame from which progress stays at COMPLETE or above."""
    complete: float | None = None
    for frame in painted:
        if frame.progress < COMPLETE:
            complete = None
        elif complete is None:
            complete = frame.t_ms
    return complete
