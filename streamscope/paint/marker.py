"""The marker: a full-viewport colour the harness paints before navigating.

Before navigating, the harness paints MARKER_CSS over the whole viewport, then BLANK_CSS (the
baseline the visual progress starts from), and only then navigates. The marker shows where
the page is on screen (window_setup.py); in a capture, the first frame that is mostly marker
colour proves the capture shows the page, and marks where the blank baseline begins. The
frames are put on the page clock by the capture's own clock (alignment.py).

Paint on a document that has finished loading (a tiny real page, not the initial
about:blank): WebKit keeps the screen frozen until a *real* document load is
"visually non-empty", and a finished load always qualifies. Hold the blank page on screen
for at least two frame intervals before navigating, so that a frame of it is captured.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

MARKER_RGB = (255, 0, 255)  # pure magenta: no page in our matrix starts with it
MARKER_CSS = "#ff00ff"
BLANK_CSS = "#ffffff"

# How far a decoded channel may stray from MARKER_RGB: 4:2:0 chroma subsampling and VP8 move
# flat magenta by a few levels, and its edges by more; any other colour is far outside.
CHANNEL_TOLERANCE = 48
MAJORITY = 0.5  # share of the frame's pixels that must be marker colour

# Replaces the document with nothing but `color` and resolves, two animation frames later,
# with the page's wall-clock time (epoch ms): the first frame has then been produced, so in
# Blink the colour is on screen at most one display refresh before the time returned.
PAINT_FUNCTION = """(color) => new Promise((resolve) => {
  const root = document.documentElement;
  root.replaceChildren();
  root.style.background = color;
  requestAnimationFrame(() => requestAnimationFrame(
    () => resolve(performance.timeOrigin + performance.now())));
})"""

# page.evaluate(PLAYWRIGHT_PAINT, MARKER_CSS) -> epoch ms
PLAYWRIGHT_PAINT = PAINT_FUNCTION
# driver.execute_async_script(SELENIUM_PAINT, MARKER_CSS) -> epoch ms
SELENIUM_PAINT = f"({PAINT_FUNCTION})(arguments[0]).then(arguments[arguments.length - 1]);"


class MarkerNotFound(ValueError):
    """No frame of the video is mostly marker colour, so it cannot be put on the page clock."""


def _marker_mask(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Where every channel is within CHANNEL_TOLERANCE of MARKER_RGB.

    Compared channel by channel in uint8, as a range: widening a whole screen to int16 first
    took 35 to 110 ms of every recording's locating, this 2 ms.
    """
    mask = np.ones(frame.shape[:-1], dtype=np.bool_)
    for channel, level in enumerate(MARKER_RGB):
        values = frame[..., channel]
        mask &= values >= max(level - CHANNEL_TOLERANCE, 0)
        mask &= values <= min(level + CHANNEL_TOLERANCE, 255)
    return mask


def marker_share(frame: npt.NDArray[np.uint8]) -> float:
    """The share of an RGB frame's pixels that are marker colour."""
    return float(_marker_mask(frame).mean())


def marker_box(frame: npt.NDArray[np.uint8]) -> tuple[int, int, int, int] | None:
    """Where the marker is in a screen grab: (x, y, width, height), or None if absent.

    Painted over the whole page, the marker shows where the page is on screen, whatever
    the browser's toolbars, borders or window size.
    """
    mask = _marker_mask(frame)
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(mask.any(axis=0))
    x, y = int(columns[0]), int(rows[0])
    return x, y, int(columns[-1]) - x + 1, int(rows[-1]) - y + 1


def is_marker(frame: npt.NDArray[np.uint8]) -> bool:
    return marker_share(frame) > MAJORITY


def find_marker(frames: npt.NDArray[np.uint8]) -> int:
    """Index of the first frame (of an N x H x W x 3 RGB stack) that is mostly marker colour."""
    for index, frame in enumerate(frames):
        if is_marker(frame):
            return index
    best = max((marker_share(f) for f in frames), default=0.0)
    raise MarkerNotFound(
        f"no frame of the video is mostly marker colour {MARKER_CSS} "
        f"(best: {best:.0%} of a frame, need over {MAJORITY:.0%}): "
        "was the marker painted while the capture ran, over the recorded area?"
    )
