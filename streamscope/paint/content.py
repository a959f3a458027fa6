"""Page content on screen: which pixels of a frame show something of the page.

A pixel of the page's box shows content when it differs, beyond the noise level, from the
frame's own background (each channel's median over the box), unless the blank page captured
before navigation already showed the same there. What counts, decided here and in the
README's "How it measures":
- text, images, a skeleton's grey blocks, a spinner (an image or a CSS animation): content,
  whatever replaces it later: a person saw it;
- a background colour alone: not content. A flat fill is its own background, so a page that
  only turns the screen blue shows no content until something is drawn on it;
- a scroll bar: not content. The strips where classic and overlay scroll bars are drawn, the
  right and bottom 16 px of the default 1280 px viewport, are left out;
- the mouse pointer is never in a capture (x11grab `-draw_mouse 0`, MIT-SHM grabs leave the
  sprite out), and a text caret is only drawn in a focused field, which is content itself.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from streamscope.paint.video_frames import ANALYSIS_WIDTH

# A pixel of the 160-px-wide analysis frame counts as changed when a channel moves by more
# than this (of 255): twice the screen film's noise on a still screen, which peaked at 6 (10 s
# each of text, gradients and coloured words at 1280x720, key frames included). One 16 px
# glyph added moved a pixel by 63 ("x"), 34 ("i"), 14 (a grey "i"); a lone full stop (10, or
# 4 in grey) goes unseen, a new line of text (66 to 117) never does.
NOISE_LEVEL = 12
# 16 px of a 1280 px wide viewport, at the analysis frame's width: 2 columns (and rows).
SCROLL_BAR_EDGE = math.ceil(16 * ANALYSIS_WIDTH / 1280)


def _inner(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.int16]:
    """The frame without its scroll bar strips, widened for differences."""
    return frame[:-SCROLL_BAR_EDGE, :-SCROLL_BAR_EDGE].astype(np.int16)


def _unlike_background(pixels: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
    """Where a frame differs from its own background: each channel's median over the box."""
    background = np.median(pixels.reshape(-1, 3), axis=0).astype(np.int16)
    mask: npt.NDArray[np.bool_] = np.abs(pixels - background).max(axis=-1) > NOISE_LEVEL
    return mask


class BlankPage:
    """The blank page captured before navigation, worked out once for every frame of the
    timeline measured against it."""

    def __init__(self, baseline: npt.NDArray[np.uint8]) -> None:
        self._pixels = _inner(baseline)
        self._drawn = _unlike_background(self._pixels)  # what it showed itself, if anything

    def content_mask(self, frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        """Where `frame` shows content (scroll bar strips left out): unlike its own
        background, and not what the blank page already showed there. Not "unlike the blank
        page" pixel by pixel: white text on a dark page matches a white blank page where it
        is drawn."""
        pixels = _inner(frame)
        already = self._drawn & (np.abs(pixels - self._pixels).max(axis=-1) <= NOISE_LEVEL)
        mask: npt.NDArray[np.bool_] = _unlike_background(pixels) & ~already
        return mask


def content_mask(frame: npt.NDArray[np.uint8],
                 baseline: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """BlankPage(baseline).content_mask(frame), for one frame."""
    return BlankPage(baseline).content_mask(frame)


def content_share(mask: npt.NDArray[np.bool_]) -> float:
    """The share of the box's pixels that show content: 0 for a blank or flat screen."""
    return float(mask.mean()) if mask.size else 0.0


def kept_share(frame: npt.NDArray[np.uint8], final: npt.NDArray[np.uint8],
               mask: npt.NDArray[np.bool_]) -> float:
    """Of the content `mask` marks in `frame`, the share the final frame still shows unchanged
    (1 where there is no content: nothing was replaced)."""
    if not mask.any():
        return 1.0
    same = np.abs(_inner(frame) - _inner(final)).max(axis=-1) <= NOISE_LEVEL
    return float(same[mask].mean())
