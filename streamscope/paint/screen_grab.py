"""One still of an X display, grabbed over MIT-SHM (mss), as an RGB array.

The grab is the DAMAGE listener's own (damage.py): 7 ms for 1280x720 on Xvfb, where starting
an ffmpeg x11grab for one frame took 0.2 to 0.4 s, paid by every recording that locates its
page. The pixels are the same: X's 32-bit BGRX, without the cursor (as `-draw_mouse 0`).
"""

from __future__ import annotations

import mss
import numpy as np
import numpy.typing as npt


def grab_frame(display: str, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """What `display` shows now: a height x width x 3 array."""
    width, height = size
    try:
        with mss.MSS(display=display) as grabber:
            shot = grabber.grab({"left": 0, "top": 0, "width": width, "height": height})
    except mss.ScreenShotError as exc:
        raise RuntimeError(f"could not grab {display}: {exc}") from exc
    bgrx = np.frombuffer(shot.raw, dtype=np.uint8).reshape(height, width, 4)
    return np.ascontiguousarray(bgrx[:, :, 2::-1])  # BGRX -> RGB
