"""Decoded video: every frame the capture wrote, small, with the time it was captured.

PyAV decodes in this process, one pass for timestamps and pixels alike. Every decoded frame
is kept with its own timestamp, none duplicated or dropped to fill a constant rate: the
capture writes a variable frame rate (a frame's time is when it was grabbed), and the gaps
are part of the measurement. Frames go through the same libavfilter crop and scale the
ffmpeg command line would run, so that the pixels are the ones it gave.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import av.video.frame
    from av.container import InputContainer
    from av.video.stream import VideoStream

ANALYSIS_WIDTH = 160  # enough to see a line of text appear; small enough to keep every frame
# Area averaging turns each small pixel into the mean of its source block, which also
# averages away most of the encoder's noise.
SCALE_FLAGS = "area"
# What the ffmpeg command line converts a frame's pixel format with when no filter says how
# (its default sws_flags): the final screenshot's conversion to RGB, and the encoder's to YUV.
CONVERT_FLAGS = "bicubic"


@dataclass(frozen=True)
class VideoFrames:
    times_s: npt.NDArray[np.float64]  # (N,) capture time of each frame, from the video's start
    pixels: npt.NDArray[np.uint8]  # (N, H, W, 3) RGB

    def __len__(self) -> int:
        return len(self.times_s)


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    times_s: npt.NDArray[np.float64]


@contextmanager
def opened(video: Path) -> Iterator[tuple[InputContainer, VideoStream]]:
    """`video`'s container and its first video stream; raises ValueError for an unreadable one."""
    # Imported here: the DAMAGE listener, a process of its own for every recording, imports
    # this package and decodes nothing; PyAV's import is 0.07 s of its start-up.
    import av

    try:
        container = av.open(str(video))
    except av.FFmpegError as error:
        raise ValueError(f"{video}: {error}") from error
    with container:
        if not container.streams.video:
            raise ValueError(f"{video}: no video stream")
        try:
            yield container, container.streams.video[0]
        except av.FFmpegError as error:
            raise ValueError(f"{video}: could not decode it: {error}") from error


def frame_time_s(frame: av.video.frame.VideoFrame) -> float:
    """A decoded frame's timestamp in s (the decoder's best guess, as ffprobe gives it)."""
    if frame.pts is None or frame.time_base is None:
        raise ValueError("a decoded frame has no timestamp")
    return float(frame.pts * frame.time_base)


def probe(video: Path) -> VideoInfo:
    """Frame size and every frame's timestamp, decoded."""
    with opened(video) as (container, stream):
        times = [frame_time_s(frame) for frame in container.decode(stream)]
        return VideoInfo(stream.width, stream.height, np.array(times, dtype=np.float64))


def scaled_size(size: tuple[int, int], width: int | None) -> tuple[int, int]:
    """`size` (width, height) made `width` wide, keeping the aspect ratio; None keeps it."""
    if width is None or width >= size[0]:
        return size
    return width, max(round(size[1] * width / size[0]), 1)


# (x, y, width, height) of a part of the frame, in the video's pixels.
Region = tuple[int, int, int, int]


class ToRGB:
    """Converts a stream's decoded frames (or a `region` of them) to H x W x 3 RGB arrays,
    scaled to `size` by area averaging; None keeps the size, converted as ffmpeg would."""

    def __init__(self, stream: VideoStream, size: tuple[int, int] | None,
                 region: Region | None = None) -> None:
        import av.filter

        self._graph = graph = av.filter.Graph()
        filters = [graph.add_buffer(template=stream)]
        if region is not None:
            filters.append(graph.add("crop", "{2}:{3}:{0}:{1}".format(*region)))
        if size is None:
            filters.append(graph.add("scale", f"flags={CONVERT_FLAGS}"))
        else:
            filters.append(graph.add("scale", f"{size[0]}:{size[1]}:flags={SCALE_FLAGS}"))
        filters += [graph.add("format", "rgb24"), graph.add("buffersink")]
        graph.link_nodes(*filters).configure()

    def frame(self, frame: av.video.frame.VideoFrame) -> av.video.frame.VideoFrame:
        """`frame` converted, as a frame (for an encoder)."""
        self._graph.vpush(frame)
        return self._graph.vpull()

    def __call__(self, frame: av.video.frame.VideoFrame) -> npt.NDArray[np.uint8]:
        return np.asarray(self.frame(frame).to_ndarray(format="rgb24"), dtype=np.uint8)


def decode(video: Path, width: int | None = ANALYSIS_WIDTH) -> VideoFrames:
    """Every frame of `video`, scaled to `width` pixels wide, with its capture time."""
    times: list[float] = []
    pixels: list[npt.NDArray[np.uint8]] = []
    with opened(video) as (container, stream):
        to_rgb = ToRGB(stream, scaled_size((stream.width, stream.height), width))
        for frame in container.decode(stream):
            times.append(frame_time_s(frame))
            pixels.append(to_rgb(frame))
    if not pixels:
        raise ValueError(f"{video}: no frames")
    return VideoFrames(np.array(times, dtype=np.float64), np.stack(pixels))
