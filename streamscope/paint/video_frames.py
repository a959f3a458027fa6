"""Decoded video: every frame the recorder wrote, small, with the time it was captured.

Timestamps come from ffprobe, one per decoded frame; pixels from ffmpeg as raw RGB on stdout,
with `-fps_mode passthrough` so ffmpeg neither duplicates nor drops frames to fill a constant
rate. The recorder writes a variable frame rate (a frame's time is when it was grabbed), and
the gaps are part of the measurement.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
ANALYSIS_WIDTH = 160  # enough to see a line of text appear; small enough to keep every frame
# Area averaging turns each small pixel into the mean of its source block, which also
# averages away most of the encoder's noise.
SCALE_FLAGS = "area"


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


def index_at(times_s: npt.NDArray[np.float64], t_s: float) -> int:
    """The frame on screen at video time t_s: the last one captured at or before it.

    Before the first frame, the first frame: nothing else is known of the screen then.
    """
    return max(int(np.searchsorted(times_s, t_s, side="right")) - 1, 0)


def probe(video: Path) -> VideoInfo:
    """Frame size and every frame's timestamp, decoded by ffprobe."""
    cmd = [
        FFPROBE, "-v", "error", "-select_streams", "v:0", "-of", "json",
        "-show_entries", "stream=width,height:frame=best_effort_timestamp_time",
        str(video),
    ]  # fmt: skip
    data = json.loads(_run(cmd))
    if not data.get("streams"):
        raise ValueError(f"{video}: no video stream")
    stream = data["streams"][0]
    times = [float(f["best_effort_timestamp_time"]) for f in data.get("frames", [])]
    return VideoInfo(int(stream["width"]), int(stream["height"]), np.array(times, dtype=np.float64))


def scaled_size(info: VideoInfo, width: int | None) -> tuple[int, int]:
    """(width, height) at `width` keeping the aspect ratio; None keeps the native size."""
    if width is None or width >= info.width:
        return info.width, info.height
    return width, max(round(info.height * width / info.width), 1)


# (x, y, width, height) of a part of the frame, in the video's pixels.
Region = tuple[int, int, int, int]


def iter_frames(
    video: Path, size: tuple[int, int], region: Region | None = None
) -> Generator[npt.NDArray[np.uint8]]:
    """Each decoded frame (or its `region`) as an H x W x 3 RGB array scaled to `size`."""
    width, height = size
    frame_bytes = width * height * 3
    crop = "" if region is None else "crop={2}:{3}:{0}:{1},".format(*region)
    cmd = [
        FFMPEG, "-v", "error", "-nostdin", "-i", str(video), "-map", "0:v:0",
        "-fps_mode", "passthrough",
        "-vf", f"{crop}scale={width}:{height}:flags={SCALE_FLAGS}",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
    ]  # fmt: skip
    # stderr goes to a file: a pipe nobody reads while frames stream could fill and stall ffmpeg.
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log) as proc,
    ):
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(frame_bytes):
                if len(chunk) < frame_bytes:
                    raise ValueError(f"{video}: truncated frame from ffmpeg")
                yield np.frombuffer(chunk, dtype=np.uint8).reshape(height, width, 3)
            if proc.wait() != 0:
                log.seek(0)
                error = log.read().decode(errors="replace").strip()
                raise ValueError(f"{video}: ffmpeg could not decode it: {error}")
        finally:
            # The consumer may stop early (or be interrupted): never leave ffmpeg behind.
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def decode(video: Path, width: int | None = ANALYSIS_WIDTH) -> VideoFrames:
    """Every frame of `video`, scaled to `width` pixels wide, with its capture time."""
    info = probe(video)
    pixels = list(iter_frames(video, scaled_size(info, width)))
    if len(pixels) != len(info.times_s):
        raise ValueError(
            f"{video}: ffprobe saw {len(info.times_s)} frames but ffmpeg decoded {len(pixels)}"
        )
    if not pixels:
        raise ValueError(f"{video}: no frames")
    return VideoFrames(info.times_s, np.stack(pixels))


def _run(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError(f"{cmd[0]} failed on {cmd[-1]}: {result.stderr.strip()}")
    return result.stdout
