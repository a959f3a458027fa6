"""One still of an X display, taken by ffmpeg, as an RGB array."""

from __future__ import annotations

import subprocess

import numpy as np
import numpy.typing as npt

from streamscope.paint.screen_recorder import FFMPEG, GRAB_OPTIONS

GRAB_TIMEOUT_S = 10.0


def grab_frame(display: str, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """What `display` shows now: a height x width x 3 array."""
    width, height = size
    command = [
        FFMPEG, "-v", "error", "-nostdin", *GRAB_OPTIONS, "-video_size", f"{width}x{height}",
        "-i", display, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=GRAB_TIMEOUT_S)
    if result.returncode != 0 or len(result.stdout) != width * height * 3:
        raise RuntimeError(f"could not grab {display}: {result.stderr.decode().strip()}")
    return np.frombuffer(result.stdout, dtype=np.uint8).reshape(height, width, 3)
