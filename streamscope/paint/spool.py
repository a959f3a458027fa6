"""Captured frames on disk, one BMP each, as the X server gave them (32-bit BGRX, top down).

The capture writes each frame as it grabs it, so that a long or busy page never holds its
frames in memory (a 1280x720 frame is 3.6 MiB). BMP stores those bytes as they are behind a
54-byte header, which costs the capture nothing, and both ffmpeg and Pillow read it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

HEADER_BYTES = 54
PIXELS_PER_METRE = 2835  # 72 dpi: only for viewers that ask


def frame_path(spool: Path, number: int) -> Path:
    return spool / f"{number:06d}.bmp"


def bmp_header(size: tuple[int, int]) -> bytes:
    """The header of a top-down (negative height) 32-bit uncompressed BMP of `size` pixels."""
    width, height = size
    data = width * height * 4
    return struct.pack("<2sIHHI", b"BM", HEADER_BYTES + data, 0, 0, HEADER_BYTES) + struct.pack(
        "<IiiHHIIiiII", 40, width, -height, 1, 32, 0, data, PIXELS_PER_METRE, PIXELS_PER_METRE, 0, 0
    )


def write_frame(path: Path, bgrx: bytes | bytearray, size: tuple[int, int]) -> None:
    with path.open("wb") as file:
        file.write(bmp_header(size))
        file.write(bgrx)


def read_frame(path: Path, width: int | None = None) -> npt.NDArray[np.uint8]:
    """A spooled frame as an H x W x 3 RGB array, scaled down to `width` by area averaging
    (as the video analysis scales its frames); None keeps the captured size."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    if width is not None and width < rgb.width:
        height = max(round(rgb.height * width / rgb.width), 1)
        rgb = rgb.resize((width, height), Image.Resampling.BOX)
    return np.asarray(rgb)
