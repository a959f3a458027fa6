"""Stills of what was on screen at chosen page times, and of the final screen.

A filmstrip shows progressive rendering to a reader at a glance, like a browser's
performance panel: one still every step_ms from navigation start, on the page clock of the
Alignment the visual progress used, so a still and a progress value never disagree on time.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from streamscope.paint.alignment import Alignment
from streamscope.paint.video_frames import FFMPEG, index_at, iter_frames, probe, scaled_size

STILL_WIDTH = 240
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
) -> list[Path]:
    """One PNG per page time in `times_ms`: the frame on screen then, `width` pixels wide.

    Files are named filmstrip-<n>-<ms>ms.png, in the order of `times_ms`.
    """
    info = probe(video)
    wanted = [index_at(info.times_s, alignment.video_s(t)) for t in times_ms]
    wanted_set = set(wanted)
    stills: dict[int, npt.NDArray[np.uint8]] = {}
    # Keep only the frames asked for, and stop decoding after the last of them.
    with closing(iter_frames(video, scaled_size(info, width))) as frames:
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
