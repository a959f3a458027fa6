"""What the screen showed, read from a paint timeline: the frames that showed page content,
the first of them, and whether it was a loading state the page later replaced.

The paint verdict asks what the DOM verdict asks: did the screen show page content before the
response ended? A frame shows content when part of the page's box differs from the frame's own
background beyond the noise level, where the blank page before navigation did not: a flat
fill of colour is none (the `content` share the paint analysis measures, paint/content.py).
A frame counts once its content stays for at least one frame of a 60 Hz display: a flash
shorter than that is not seen. Nothing here reads visual progress (the distance to the final
picture): a loading state that the page replaces brings the screen no closer to its final
picture, yet a person saw it.

Pure functions of a PaintTimeline, and of the DOM samples for what the content was.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamscope.recording import ONE_FRAME_MS, DomSample, PaintFrame, PaintTimeline
from streamscope.wording import visible_chars

# The first content counts as a loading state when less than this share of it is still on
# screen, unchanged, in the final picture: "Loading…", a spinner or a skeleton is replaced; a
# header that stays, or the first items of a list, are kept.
KEPT_MAJORITY = 0.5


@dataclass(frozen=True)
class LoadingState:
    """Content shown early that the page later replaced, and when."""

    shown_ms: float
    replaced_ms: float | None  # the first frame mostly kept in the final picture; None: never
    visible_chars: int  # visible characters in the DOM while it was shown (0: shapes, images)

    @property
    def what(self) -> str:
        """What it showed, in a reader's words: "8 visible characters"."""
        return visible_chars(self.visible_chars) if self.visible_chars else (
            "no text: shapes or images")


def shown_frames(paint: PaintTimeline) -> list[PaintFrame]:
    """The frames that showed page content and stayed on screen for at least one frame."""
    frames = paint.frames
    shown = []
    for index, frame in enumerate(frames):
        if frame.content <= 0:
            continue
        after = frames[index + 1] if index + 1 < len(frames) else None
        if after is None or after.content > 0 or after.t_ms - frame.t_ms >= ONE_FRAME_MS:
            shown.append(frame)
    return shown


def first_shown(paint: PaintTimeline | None) -> PaintFrame | None:
    """The first frame that showed page content, if any."""
    if paint is None:
        return None
    frames = shown_frames(paint)
    return frames[0] if frames else None


def flat_change_before(paint: PaintTimeline, before_ms: float | None) -> float | None:
    """When the screen first changed without showing content (a background colour), where that
    was before `before_ms` (None: before any content at all); else None."""
    first = paint.first_visual_change_ms
    if first is None or (before_ms is not None and first >= before_ms):
        return None
    return first


def loading_state(paint: PaintTimeline | None, dom: list[DomSample]) -> LoadingState | None:
    """The first content, where the final picture kept little of it: a loading state."""
    if paint is None:
        return None
    frames = shown_frames(paint)
    if not frames or frames[0].kept >= KEPT_MAJORITY:
        return None
    first = frames[0]
    replaced = next((f.t_ms for f in frames[1:] if f.kept >= KEPT_MAJORITY), None)
    # The DOM may be sampled a little after the frame that shows it: within the paint's bound.
    return LoadingState(first.t_ms, replaced,
                        visible_chars_at(dom, first.t_ms + paint.error_ms))


def visible_chars_at(dom: list[DomSample], t_ms: float) -> int:
    """The visible characters the DOM held at `t_ms`: its last sample at or before then."""
    chars = 0
    for sample in dom:
        if sample.t_ms > t_ms:
            break
        chars = sample.text_chars
    return chars
