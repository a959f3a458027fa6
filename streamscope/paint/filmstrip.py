"""Stills of what was on screen at chosen page times, and of the final screen.

A filmstrip shows progressive rendering to a reader at a glance, like a browser's
performance panel: one still every step_ms from navigation start, on the page clock of the
Alignment the visual progress used, so a still and a progress value never disagree on time.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from streamscope.paint.alignment import Alignment
from streamscope.paint.video_frames import (
    FFMPEG,
    Region,
    index_at,
    iter_frames,
    probe,
    scaled_size,
)

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
    alignment: Alignment,
    times_ms: Sequence[float],
    out_dir: Path,
    width: int = STILL_WIDTH,
    region: Region | None = None,
) -> list[Path]:
    """One PNG per page time in `times_ms`: the frame (or its `region`) on screen then,
    `width` pixels wide.

    Files are named filmstrip-<n>-<ms>ms.png, in the order of `times_ms`.
    """
    info = probe(video)
    wanted = [index_at(info.times_s, alignment.video_s(t)) for t in times_ms]
    wanted_set = set(wanted)
    stills: dict[int, npt.NDArray[np.uint8]] = {}
    if region is not None:
        region = _clip(region, (info.width, info.height))
        info = replace(info, width=region[2], height=region[3])
    # Keep only the frames asked for, and stop decoding after the last of them.
    with closing(iter_frames(video, scaled_size(info, width), region)) as frames:
        for index, frame in enumerate(frames):
            if index in wanted_set:
                stills[index] = frame
                if len(stills) == len(wanted_set):
                    break
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (t_ms, index) in enumerate(zip(times_ms, wanted, strict=True)):
        path = out_dir / f"filmstrip-{n:03d}-{round(t_ms)}ms.png"
        Image.fromarray(stills[index]).save(path)
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


def last_frame(video: Path) -> npt.NDArray[np.uint8]:
    """The video's final frame at full size."""
    with tempfile.TemporaryDirectory() as folder:
        still = final_screenshot(video, Path(folder) / "last.png")
        return np.asarray(Image.open(still).convert("RGB"))


def _clip(region: Region, size: tuple[int, int]) -> Region:
    x, y, width, height = region
    width, height = min(width, size[0] - x), min(height, size[1] - y)
    return x, y, width // 2 * 2, height // 2 * 2


def final_screenshot(video: Path, path: Path) -> Path:
    """The video's last frame as a PNG at full size, e.g. pytest-playwright's
    test-finished-1.png for an engine whose screenshot call blocks while a page loads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # -update 1 rewrites the one image with every frame decoded; the last one stays.
    cmd = [
        FFMPEG, "-v", "error", "-nostdin", "-y", "-sseof", f"-{FINAL_SEEK_S}",
        "-i", str(video), "-map", "0:v:0", "-fps_mode", "passthrough", "-update", "1",
        str(path),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not path.is_file():
        raise ValueError(f"{video}: no final frame: {result.stderr.strip()}")
    return path
