"""Captured frames made into a WebM for people, each at the time it was captured.

ffmpeg's concat demuxer reads the spooled BMPs in order with a duration each, so a frame
shows from its capture until the next one, as on screen. Times are whole ms from the first
frame: the concat demuxer would otherwise round each image's time to its default 25 fps
(40 ms), and WebM keeps ms anyway. The encoder is the screen recorder's (VP8, realtime).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from streamscope.paint.screen_film import ENCODE_OPTIONS, FFMPEG

# The last frame stays on screen this long at least, so that a player shows it.
LAST_FRAME_MS = 100
ENCODE_TIMEOUT_S = 300.0


def video_times_ms(times_ms: Sequence[float]) -> list[int]:
    """Whole ms from the first frame, strictly increasing: WebM stores ms, and a frame with
    the time of the one before would be dropped (a later one moves by 1 ms at most)."""
    out: list[int] = []
    for t in times_ms:
        whole = round(t - times_ms[0])
        out.append(whole if not out else max(whole, out[-1] + 1))
    return out


def concat_list(frames: Sequence[Path], times_ms: Sequence[float], end_ms: float) -> str:
    """The ffconcat script showing each of `frames` from its time until the next one's
    (the last until `end_ms`); times in epoch ms."""
    starts = video_times_ms(times_ms)
    ends = [*starts[1:], max(round(end_ms - times_ms[0]), starts[-1] + LAST_FRAME_MS)]
    lines = ["ffconcat version 1.0"]
    for frame, start, end in zip(frames, starts, ends, strict=True):
        # framerate 1000: each image's own time base is then 1 ms instead of 1/25 s.
        quoted = str(frame.resolve()).replace("'", "'\\''")  # ffconcat's quoting
        lines += [f"file '{quoted}'", "option framerate 1000",
                  f"duration {(end - start) / 1000:.3f}"]
    return "\n".join(lines) + "\n"


def encode(frames: Sequence[Path], times_ms: Sequence[float], end_ms: float, video: Path) -> None:
    """Writes `frames` (spooled BMPs, captured at `times_ms`, epoch ms) to `video` as WebM.

    Raises ValueError when there is no frame or ffmpeg fails."""
    if not frames:
        raise ValueError("no frames to make a video of")
    video.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".ffconcat") as script:
        script.write(concat_list(frames, times_ms, end_ms))
        script.flush()
        cmd = [
            # -safe 0: the script names absolute paths and per-file options.
            FFMPEG, "-v", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0",
            "-i", script.name, *ENCODE_OPTIONS, "-pix_fmt", "yuv420p",
            "-enc_time_base", "1:1000", "-fps_mode", "passthrough", str(video),
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=ENCODE_TIMEOUT_S)
    if result.returncode != 0:
        raise ValueError(f"ffmpeg could not encode the frames: {result.stderr.strip()}")
