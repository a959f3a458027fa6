"""Judging a Recording: did the page render incrementally, and if not, why not.

Pure functions of a Recording, so every rule is tested on hand-made timelines.
The reasons state what was measured; a known cause is offered as the likely explanation
only when the measurements point at it and the engine that ran is one that has it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from streamscope.recording import DomSample, PaintTimeline, Recording, WireTimeline

# Visual progress below this is noise (a cursor, anti-aliasing), not content.
PAINT_NOISE = 0.01


@dataclass(frozen=True)
class Verdict:
    incremental: bool
    first_content_ms: float | None
    response_end_ms: float | None
    growth_steps: int  # while the response was still arriving
    reason: str
    painted_incrementally: bool | None = None  # None: no paint timeline was recorded
    paint_reason: str | None = None


def arriving_until(end_ms: float | None, error_ms: float) -> float:
    """Until when a moment counts as "while the response was still arriving": earlier than its
    end by more than the method's error. A response that never ended was arriving throughout."""
    return math.inf if end_ms is None else end_ms - error_ms


def growth_steps(samples: list[DomSample], before_ms: float = math.inf) -> int:
    """How many times, before `before_ms`, the body's text or element count went up."""
    steps = 0
    previous = (0, 0)
    for sample in samples:
        if sample.t_ms >= before_ms:
            break
        current = (sample.text_chars, sample.elements)
        if current[0] > previous[0] or current[1] > previous[1]:
            steps += 1
        previous = current
    return steps


def is_incremental(first_content_ms: float | None, steps_while_arriving: int) -> bool:
    """The rule: content appeared while the response was still arriving, and grew in more than
    one step before it ended (so a page whose head comes early and the rest at the end is not).
    """
    return first_content_ms is not None and steps_while_arriving >= 2


def judge(recording: Recording) -> Verdict:
    end = recording.response_end_ms
    first = recording.first_content_ms
    steps = growth_steps(recording.dom, arriving_until(end, recording.dom_error_ms))
    incremental = recording.error is None and is_incremental(first, steps)
    paint_ok, paint_reason = _judge_paint(recording, end, first)
    return Verdict(
        incremental=incremental,
        first_content_ms=first,
        response_end_ms=end,
        growth_steps=steps,
        reason=_dom_reason(recording, incremental, first, end, steps),
        painted_incrementally=paint_ok,
        paint_reason=paint_reason,
    )


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} ms"


def _dom_reason(recording: Recording, incremental: bool, first: float | None,
                end: float | None, steps: int) -> str:
    if recording.error is not None:
        return f"no recording: {recording.error}"
    never_ended = (
        "" if recording.ended else "; the response had not ended when the time limit ran out"
    )
    if incremental and not recording.ended:
        return (f"content appeared at {_ms(first)} and grew in {steps} steps while the response "
                f"was still arriving; it had not ended when the time limit ran out")
    if incremental:
        return (f"content appeared at {_ms(first)}, before the response ended at {_ms(end)}, "
                f"and grew in {steps} steps")
    if first is None:
        return f"the body never held any content{never_ended}"
    causes = _likely_causes(recording)
    if end is not None and first >= end - recording.dom_error_ms:
        committed = recording.committed_ms
        if committed is not None and end is not None and committed >= end - recording.dom_error_ms:
            what = (f"the engine committed the document only at {_ms(committed)}, "
                    f"once the response had ended ({_ms(end)})")
        else:
            what = (f"the body stayed empty until {_ms(first)}, "
                    f"after the response ended at {_ms(end)}")
        return what + causes + never_ended
    return (f"content appeared at {_ms(first)} but in a single step; "
            f"nothing was added while the rest arrived") + causes + never_ended


def _likely_causes(recording: Recording) -> str:
    wire = recording.wire
    if wire is None:
        return ""
    encoding = wire.headers.get("content-encoding", "")
    if len(wire.chunks) <= 1:
        return ": the server sent the whole body in one piece, so there was nothing to stream"
    if encoding:
        return f": the body was {encoding}-encoded, and compressors hold data until flushed"
    spread = wire.chunks[-1].t_ms - wire.chunks[0].t_ms
    return (f": yet the server sent {wire.total_bytes} bytes in {len(wire.chunks)} chunks over "
            f"{spread:,.0f} ms; {_held_bytes(recording, wire)}")


def _held_bytes(recording: Recording, wire: WireTimeline) -> str:
    """Why an engine would hold a streamed response's first bytes, as far as we know it."""
    plain = "text/plain" in wire.headers.get("content-type", "")
    nosniff = wire.headers.get("x-content-type-options", "").lower() == "nosniff"
    if recording.engine.engine == "WebKit":
        return ("WebKitGTK's network layer (libsoup) holds a response's first bytes to sniff "
                "its type, and this stream did not fill that buffer before it ended")
    if recording.engine.engine == "Blink" and plain and not nosniff:
        return ("Chromium sniffs text/plain until it has enough bytes unless the response says "
                "X-Content-Type-Options: nosniff")
    return "the engine held the first bytes (content sniffing or buffering) until the end"


def _judge_paint(recording: Recording, end: float | None,
                 first_dom: float | None) -> tuple[bool | None, str | None]:
    paint = recording.paint
    if paint is None:
        return None, None
    # The first change that is content, by the same measure as the rises.
    changes = [f for f in paint.frames if f.progress > PAINT_NOISE]
    first_paint = changes[0].t_ms if changes else None
    rises = _progress_rises(paint, arriving_until(end, paint.error_ms))
    if is_incremental(first_paint, rises):
        return True, (f"first painted at {_ms(first_paint)}, and the screen changed {rises} "
                      f"times before the response ended at {_ms(end)}")
    if first_paint is None:
        return False, "nothing was painted"
    if first_dom is not None and end is not None and first_dom < end and first_paint >= end:
        held = (
            "WebKit paints nothing until a page is 'visually non-empty' (webkit.org/b/252413)"
            if recording.engine.engine == "WebKit"
            else "was the content hidden, or painting held back?"
        )
        return False, (
            f"the DOM grew from {_ms(first_dom)} but nothing was painted until "
            f"{_ms(first_paint)}, after the response ended at {_ms(end)}; {held}"
        )
    if end is not None and first_paint >= end - paint.error_ms:
        return False, (f"nothing was painted until {_ms(first_paint)}, "
                       f"after the response ended at {_ms(end)}")
    return False, f"the screen changed once, at {_ms(first_paint)}, not as the content arrived"


def _progress_rises(paint: PaintTimeline, before_ms: float) -> int:
    """How many frames, before `before_ms`, moved visibly closer to the final picture."""
    rises = 0
    best = 0.0
    for frame in paint.frames:
        if frame.t_ms >= before_ms:
            break
        if frame.progress > best + PAINT_NOISE:
            rises += 1
            best = frame.progress
    return rises
