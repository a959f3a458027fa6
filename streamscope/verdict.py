"""Judging a Recording: did the page render progressively, and if not, why not.

One rule, for the DOM and for the paint timeline alike: **a page rendered progressively when
content was shown earlier than the response's end by more than the method's error bound.**
That is what a person watching sees: part of the page while the rest was still arriving.
How much came later, and in how many pieces, is told in the reason, not judged: a header
shown for two seconds before the results arrive in one piece is progressive rendering.

The headline is what was painted whenever the paint was recorded, else the DOM's.
Pure functions of a Recording, so every rule is tested on hand-made timelines.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from streamscope.engines.info import Gate, GateKind
from streamscope.recording import DomSample, PaintFrame, Recording, WireTimeline
from streamscope.wording import milliseconds

# Visual progress below this is noise (a cursor, anti-aliasing), not content.
PAINT_NOISE = 0.01
# From this visual progress on, the first picture already was the final one.
PAINT_COMPLETE = 0.99
# Nothing is seen for less than one frame of a 60 Hz display: the DOM's error bound is never
# below it, though an init script times the DOM to the microsecond.
ONE_FRAME_MS = 1000 / 60

DOM, PAINT = "dom", "paint"


@dataclass(frozen=True)
class Verdict:
    incremental: bool  # the headline: painted progressively, or the DOM's where no paint
    verdict_from: str  # "paint" or "dom": which timeline the headline is
    reason: str  # the headline's reason
    dom_incremental: bool
    dom_reason: str
    first_content_ms: float | None  # when the DOM first held visible content
    response_end_ms: float | None
    growth_steps: int  # rises of the visible content while the response was arriving
    painted_incrementally: bool | None = None  # None: no paint timeline was recorded
    paint_reason: str | None = None
    first_paint_ms: float | None = None  # when the screen first showed content
    cause: str = "unexplained"
    fix: str = ""


def arriving_until(end_ms: float | None, error_ms: float) -> float:
    """Until when a moment counts as "while the response was still arriving": earlier than its
    end by more than the method's error. A response that never ended was arriving throughout."""
    return math.inf if end_ms is None else end_ms - error_ms


def shown_while_arriving(first_ms: float | None, end_ms: float | None, error_ms: float) -> bool:
    """The rule: content was shown earlier than the response's end by more than `error_ms`."""
    return first_ms is not None and first_ms < arriving_until(end_ms, error_ms)


def dom_error_ms(recording: Recording) -> float:
    return max(recording.dom_error_ms, ONE_FRAME_MS)


def growth_steps(samples: list[DomSample], before_ms: float = math.inf) -> int:
    """How many times, before `before_ms`, the visible text or content elements went up."""
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


def judge(recording: Recording) -> Verdict:
    end = recording.response_end_ms
    first = recording.first_content_ms
    dom_ok = recording.error is None and shown_while_arriving(first, end, dom_error_ms(recording))
    dom_reason = _dom_reason(recording, dom_ok)
    first_paint = first_paint_ms(recording)
    paint_ok, paint_reason = _judge_paint(recording, first_paint)
    if paint_ok is None or paint_reason is None:
        headline, verdict_from, reason = dom_ok, DOM, dom_reason
    else:
        headline, verdict_from, reason = paint_ok, PAINT, paint_reason
    return Verdict(
        incremental=headline,
        verdict_from=verdict_from,
        reason=reason,
        dom_incremental=dom_ok,
        dom_reason=dom_reason,
        first_content_ms=first,
        response_end_ms=end,
        growth_steps=growth_steps(recording.dom, arriving_until(end, dom_error_ms(recording))),
        painted_incrementally=paint_ok,
        paint_reason=paint_reason,
        first_paint_ms=first_paint,
    )


def first_paint_ms(recording: Recording) -> float | None:
    """When the screen first showed content: the first frame visibly on its way to the end."""
    frame = _first_painted(recording.paint.frames) if recording.paint is not None else None
    return frame.t_ms if frame is not None else None


def _first_painted(frames: list[PaintFrame]) -> PaintFrame | None:
    return next((f for f in frames if f.progress > PAINT_NOISE), None)



def _chars(count: int) -> str:
    return f"{count:,} visible character{'' if count == 1 else 's'}"


def _never_ended(recording: Recording) -> str:
    return "" if recording.ended else "; the response had not ended when the time limit ran out"


def _dom_reason(recording: Recording, progressive: bool) -> str:
    if recording.error is not None:
        return f"no recording: {recording.error}"
    end = recording.response_end_ms
    first = next((s for s in recording.dom if s.text_chars > 0 or s.elements > 0), None)
    if first is None:
        return "the page never showed any content" + _never_ended(recording)
    if not progressive:
        return _held(recording, first.t_ms) + _never_ended(recording)
    final = recording.dom[-1]
    shown = (f"the page showed {_chars(first.text_chars)} from {milliseconds(first.t_ms)}"
             + _before_end(first.t_ms, end))
    if _content(final) == _content(first):
        return shown + ("; everything it showed had arrived in that first piece, so nothing "
                        "was left to stream") + _never_ended(recording)
    bound = arriving_until(end, dom_error_ms(recording))
    early = [s for s in recording.dom if first.t_ms < s.t_ms < bound]
    rises = sum(1 for a, b in itertools.pairwise([first, *early]) if _content(b) > _content(a))
    last_early = early[-1] if early else first
    late = next((s for s in recording.dom
                 if s.t_ms >= bound and _content(s) > _content(last_early)), None)
    return (shown + _then(rises, "it grew", late.t_ms if late else None)
            + f" ({_chars(final.text_chars)} in all)" + _never_ended(recording))


def _content(sample: DomSample) -> tuple[int, int]:
    return sample.text_chars, sample.elements


def _then(rises: int, verb: str, late_ms: float | None) -> str:
    """What changed after the first content: rises while arriving, and the piece at the end."""
    text = ""
    if rises:
        text = f"; {verb} {rises:,} more time{'s' if rises > 1 else ''} while the rest arrived"
    if late_ms is not None:
        text += (f", the last of it at {milliseconds(late_ms)}" if rises
                 else f"; the rest came in one piece at {milliseconds(late_ms)}")
    return text


def _before_end(t_ms: float, end: float | None) -> str:
    if end is None:
        return ", while the response was still arriving"
    return f", {milliseconds(end - t_ms)} before the response ended at {milliseconds(end)}"


def _held(recording: Recording, first_ms: float) -> str:
    """Why content shown only at the end was not shown earlier, as far as was measured."""
    end = recording.response_end_ms
    committed = recording.committed_ms
    bound = arriving_until(end, dom_error_ms(recording))
    if committed is not None and committed >= bound:
        what = (f"the engine committed the document only at {milliseconds(committed)}, "
                f"once the response had ended ({milliseconds(end)})")
    else:
        what = (f"the page showed nothing until {milliseconds(first_ms)}, "
                f"when the response had ended ({milliseconds(end)})")
    return what + _likely_causes(recording)


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
    """Why the engine held a streamed response's first bytes: the gates it declares that apply
    to this response's type and headers."""
    content_type = wire.headers.get("content-type", "")
    nosniff = wire.headers.get("x-content-type-options", "").lower() == "nosniff"
    sniffers = [gate for gate in recording.engine.gates_of(GateKind.SNIFF)
                if gate.applies(content_type, nosniff)]
    if not sniffers:
        return "the engine held the first bytes (content sniffing or buffering) until the end"
    return ("; ".join(_gate(gate) for gate in sniffers)
            + ", and this stream ended before it let them through")


def _gate(gate: Gate) -> str:
    """A gate in a reader's words, with whether Safari shares it where that is a question."""
    safari = {"yes": " (Safari shares this gate)",
              "unknown": " (Safari's network layer is another: whether it holds this is unknown)"}
    return gate.mechanism + safari.get(gate.safari, "")


def _judge_paint(recording: Recording,
                 first_paint: float | None) -> tuple[bool | None, str | None]:
    paint = recording.paint
    if paint is None or recording.error is not None:
        return None, None
    end = recording.response_end_ms
    first = _first_painted(paint.frames)
    if first is None:
        return False, "nothing was painted" + _never_ended(recording)
    if shown_while_arriving(first.t_ms, end, paint.error_ms):
        return True, _paint_progressive(recording, first)
    first_dom = recording.first_content_ms
    if shown_while_arriving(first_dom, end, dom_error_ms(recording)):
        gates = recording.engine.gates_of(GateKind.FIRST_PAINT)
        held = ("; ".join(f"{_gate(gate)}; {gate.reference}" for gate in gates)
                or "was the content hidden, or painting held back?")
        return False, (
            f"the page held content from {milliseconds(first_dom)} but nothing was painted until "
            f"{milliseconds(first.t_ms)}, when the response had ended ({milliseconds(end)}); {held}"
        )
    return False, (f"nothing was painted until {milliseconds(first.t_ms)}, "
                   f"when the response had ended ({milliseconds(end)})")


def _paint_progressive(recording: Recording, first: PaintFrame) -> str:
    assert recording.paint is not None
    end = recording.response_end_ms
    shown = (f"the page was on screen from {milliseconds(first.t_ms)} "
             f"({first.progress:.0%} of the final picture){_before_end(first.t_ms, end)}")
    if first.progress >= PAINT_COMPLETE:
        return shown + ("; it already showed everything the page would show, so nothing was "
                        "left to stream") + _never_ended(recording)
    bound = arriving_until(end, recording.paint.error_ms)
    changes = _progress_rises(recording.paint.frames, after=first, before_ms=bound)
    late = next((f for f in recording.paint.frames if f.t_ms >= bound), None)
    return (shown + _then(changes, "the picture moved on", late.t_ms if late else None)
            + _never_ended(recording))


def _progress_rises(frames: list[PaintFrame], after: PaintFrame, before_ms: float) -> int:
    """How many frames after `after` and before `before_ms` moved visibly closer to the end."""
    rises = 0
    best = after.progress
    for frame in frames:
        if frame.t_ms <= after.t_ms:
            continue
        if frame.t_ms >= before_ms:
            break
        if frame.progress > best + PAINT_NOISE:
            rises += 1
            best = frame.progress
    return rises
