"""Stills of what was on screen at chosen page times, and of the final screen.

A filmstrip shows progressive rendering to a reader at a glance, like a browser's
performance panel: one still every step_ms from navigation start, on the page clock of the
Alignment the visual progress used (its offset), so a still and a progress value never
disagree on time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from streamscope.paint.alignment import video_s
from streamscope.paint.video_frames import Region, ToRGB, frame_time_s, opened, scaled_size

STILL_WIDTH = 240
# A reading region never narrower than this, with this margin around the content, and the
# shape of the stills in the report.
READING_MIN_WIDTH = 360
READING_MARGIN = 16
READING_ASPECT = 16 / 10
INK_LEVEL = 24  # a channel this far from the background is content, not encoder noise
STEP_MS = 500.0
# The final screenshot decodes only the video's last second instead of all of it.
FINAL_SEEK_S = 1.0


def filmstrip_times(end_ms: float, step_ms: float = STEP_MS) -> list[float]:
    """0, step_ms, 2 * step_ms, ... up to the first time at or after end_ms."""
    count = max(math.ceil(end_ms / step_ms), 0) + 1
    return [i * step_ms for i in range(count)]


def filmstrip(
    video: Path,
    offset_ms: float,
    times_ms: Sequence[float],
    out_dir: Path,
    width: int = STILL_WIDTH,
    region: Region | None = None,
) -> list[Path]:
    """One PNG per page time in `times_ms`: the frame (or its `region`) on screen then,
    `width` pixels wide. `offset_ms`: where the video starts on the page clock (the
    Alignment's offset, as the PaintTimeline keeps it).

    Files are named filmstrip-<n>-<ms>ms.png, in the order of `times_ms`.
    """
    # Each page time's video time, earliest first: the frames come in that order.
    pending = sorted(range(len(times_ms)), key=lambda n: times_ms[n])
    stills: dict[int, npt.NDArray[np.uint8]] = {}
    with opened(video) as (container, stream):
        size = (stream.width, stream.height)
        if region is not None:
            region = _clip(region, size)
            size = region[2], region[3]
        to_rgb = ToRGB(stream, scaled_size(size, width), region)
        shown: npt.NDArray[np.uint8] | None = None  # the frame on screen so far
        for frame in container.decode(stream):
            t_s, rgb = frame_time_s(frame), to_rgb(frame)
            # The page times before this frame's saw the one before it (before the first
            # frame, the first: nothing else is known of the screen then).
            while pending and video_s(times_ms[pending[0]], offset_ms) < t_s:
                stills[pending.pop(0)] = shown if shown is not None else rgb
            if not pending:
                break  # every still is found: the rest of the video is not decoded
            shown = rgb
    if pending and shown is None:
        raise ValueError(f"{video}: no frames")
    stills.update((n, shown) for n in pending if shown is not None)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, t_ms in enumerate(times_ms):
        path = out_dir / f"filmstrip-{n:03d}-{round(t_ms)}ms.png"
        Image.fromarray(stills[n]).save(path)
        paths.append(path)
    return paths


def reading_region(
    boxes: Sequence[Region], aspect: float = READING_ASPECT, min_width: int = READING_MIN_WIDTH
) -> Region:
    """The top-left part of the page that holds all of `boxes` (content, in video pixels),
    in the stills' aspect ratio: a small page's text stays legible in a small still."""
    right = max((x + w for x, _, w, _ in boxes), default=min_width) + READING_MARGIN
    bottom = max((y + h for _, y, _, h in boxes), default=0) + READING_MARGIN
    width = max(right, min_width, round(bottom * aspect))
    return 0, 0, width, round(width / aspect)


def content_box(frame: npt.NDArray[np.uint8]) -> Region | None:
    """Where an RGB frame differs from its top-left pixel, the page's background colour."""
    background = frame[0, 0].astype(np.int16)
    ink = (np.abs(frame.astype(np.int16) - background).max(axis=-1) > INK_LEVEL).nonzero()
    ys, xs = ink
    if xs.size == 0:
        return None
    x, y = int(xs.min()), int(ys.min())
    return x, y, int(xs.max()) - x + 1, int(ys.max()) - y + 1


def _clip(region: Region, size: tuple[int, int]) -> Region:
    x, y, width, height = region
    width, height = min(width, size[0] - x), min(height, size[1] - y)
    return x, y, width // 2 * 2, height // 2 * 2


def final_screenshot(video: Path, path: Path) -> Path:
    """The video's last frame as a PNG at full size, e.g. pytest-playwright's
    test-finished-1.png for an engine whose screenshot call blocks while a page loads."""
    import av

    with opened(video) as (container, stream):
        # Only the last second is decoded: from the key frame before it, to the end.
        if container.duration is not None:
            end_us = container.duration + (container.start_time or 0)
            container.seek(max(end_us - round(FINAL_SEEK_S * av.time_base), 0))
        last = None
        for frame in container.decode(stream):
            last = frame
        if last is None:
            raise ValueError(f"{video}: no final frame")
        rgb = ToRGB(stream, None).frame(last)
        # ffmpeg's PNG encoder as the ffmpeg command line ran it (Debian 12's ffmpeg 5.1):
        # no row prediction, the video's pixel aspect noted. The same file, byte for byte.
        encoder = av.CodecContext.create("png", "w")
        encoder.width, encoder.height, encoder.pix_fmt = rgb.width, rgb.height, "rgb24"
        encoder.sample_aspect_ratio = stream.sample_aspect_ratio
        encoder.options = {"pred": "none"}
        packets = [*encoder.encode(rgb), *encoder.encode(None)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        for packet in packets:
            file.write(bytes(packet))
    return path
