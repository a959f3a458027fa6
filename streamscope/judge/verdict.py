"""Judging a Recording: did the page render progressively, and if not, why not.

One rule, for the DOM and for the paint timeline alike: **a page rendered progressively when
content was shown earlier than the response's end by more than the method's error bound.**
On screen, content is what shown.py says: anything of the page unlike the blank page and a
flat fill, a loading state the page later replaces included, since a person saw it.
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

from streamscope.judge.causes import Diagnosis, diagnose_dom, diagnose_paint
from streamscope.judge.shown import first_shown, flat_change_before, loading_state, shown_frames
from streamscope.recording import DomSample, PaintFrame, PaintTimeline, Recording
from streamscope.wording import milliseconds, visible_chars

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
    dom_diagnosis: Diagnosis
    painted_incrementally: bool | None = None  # None: no paint timeline was recorded
    paint_reason: str | None = None
    first_paint_ms: float | None = None  # when the screen first showed content
    paint_diagnosis: Diagnosis | None = None

    @property
    def diagnosis(self) -> Diagnosis:
        """The headline's cause, evidence and fix: the paint's where it was judged."""
        return self.paint_diagnosis if self.verdict_from == PAINT and self.paint_diagnosis \
            else self.dom_diagnosis

    @property
    def cause(self) -> str:
        return str(self.diagnosis.cause)

    @property
    def fix(self) -> str:
        return self.diagnosis.fix


def arriving_until(end_ms: float | None, error_ms: float) -> float:
    """Until when a moment counts as "while the response was still arriving": earlier than its
    end by more than the method's error. A response that never ended was arriving throughout."""
    return math.inf if end_ms is None else end_ms - error_ms


def shown_while_arriving(first_ms: float | None, end_ms: float | None, error_ms: float) -> bool:
    """The rule: content was shown earlier than the response's end by more than `error_ms`."""
    return first_ms is not None and first_ms < arriving_until(end_ms, error_ms)


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
    dom_bound = arriving_until(end, recording.dom_error_bound_ms)
    dom_ok = recording.error is None and shown_while_arriving(
        first, end, recording.dom_error_bound_ms)
    dom_diagnosis = diagnose_dom(recording, dom_ok, dom_bound)
    dom_reason = _dom_reason(recording, dom_ok, dom_diagnosis)
    first_paint = first_paint_ms(recording)
    paint_ok, paint_reason, paint_diagnosis = _judge_paint(recording, dom_ok, dom_diagnosis)
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
        growth_steps=growth_steps(recording.dom, dom_bound),
        dom_diagnosis=dom_diagnosis,
        painted_incrementally=paint_ok,
        paint_reason=paint_reason,
        first_paint_ms=first_paint,
        paint_diagnosis=paint_diagnosis,
    )


def first_paint_ms(recording: Recording) -> float | None:
    """When the screen first showed page content (shown.py), if it was recorded."""
    frame = first_shown(recording.paint)
    return frame.t_ms if frame is not None else None


def _never_ended(recording: Recording) -> str:
    return "" if recording.ended else "; the response had not ended when the time limit ran out"


def _dom_reason(recording: Recording, progressive: bool, diagnosis: Diagnosis) -> str:
    if recording.error is not None:
        return f"no recording: {recording.error}"
    end = recording.response_end_ms
    first = next((s for s in recording.dom if s.text_chars > 0 or s.elements > 0), None)
    if first is None:
        return "the page never showed any content" + _never_ended(recording)
    if not progressive:
        return _held(recording, first.t_ms, diagnosis) + _never_ended(recording)
    final = recording.dom[-1]
    shown = (f"the page showed {visible_chars(first.text_chars)} from {milliseconds(first.t_ms)}"
             + _before_end(first.t_ms, end))
    if _content(final) == _content(first):
        return shown + ("; everything it showed had arrived in that first piece, so nothing "
                        "was left to stream") + _never_ended(recording)
    bound = arriving_until(end, recording.dom_error_bound_ms)
    early = [s for s in recording.dom if first.t_ms < s.t_ms < bound]
    rises = sum(1 for a, b in itertools.pairwise([first, *early]) if _content(b) > _content(a))
    last_early = early[-1] if early else first
    late = next((s for s in recording.dom
                 if s.t_ms >= bound and _content(s) > _content(last_early)), None)
    return (shown + _then(rises, "it grew", late.t_ms if late else None)
            + f" ({visible_chars(final.text_chars)} in all)" + _never_ended(recording))


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


def _held(recording: Recording, first_ms: float, diagnosis: Diagnosis) -> str:
    """What was seen of content shown only at the end, and the measured reason for it."""
    end = recording.response_end_ms
    committed = recording.committed_ms
    bound = arriving_until(end, recording.dom_error_bound_ms)
    if committed is not None and committed >= bound:
        what = (f"the engine committed the document only at {milliseconds(committed)}, "
                f"once the response had ended ({milliseconds(end)})")
    else:
        what = (f"the page showed nothing until {milliseconds(first_ms)}, "
                f"when the response had ended ({milliseconds(end)})")
    return what + (f": {diagnosis.why}" if diagnosis.why else "")


def _judge_paint(recording: Recording, dom_ok: bool, dom: Diagnosis
                 ) -> tuple[bool | None, str | None, Diagnosis | None]:
    paint = recording.paint
    if paint is None or recording.error is not None:
        return None, None, None
    end = recording.response_end_ms
    bound = arriving_until(end, paint.error_ms)
    first = first_shown(paint)
    progressive = first is not None and shown_while_arriving(first.t_ms, end, paint.error_ms)
    diagnosis = diagnose_paint(recording, progressive, dom, dom_ok, bound)
    why = f": {diagnosis.why}" if diagnosis.why else ""
    if first is None:
        return False, (_no_content(paint, None) + _never_ended(recording) + why), diagnosis
    if progressive:
        return True, _paint_progressive(recording, paint, first, bound), diagnosis
    held = (f"the page held content from {milliseconds(recording.first_content_ms)} but "
            if dom_ok else "")
    return False, (f"{held}{_no_content(paint, first.t_ms)} until {milliseconds(first.t_ms)}, "
                   f"when the response had ended ({milliseconds(end)}){why}"), diagnosis


def _no_content(paint: PaintTimeline, first_ms: float | None) -> str:
    """"nothing was painted", or what was, where the screen changed without showing content."""
    flat = flat_change_before(paint, first_ms)
    if flat is None:
        return "nothing was painted"
    return (f"the screen changed from {milliseconds(flat)} without showing content (a flat "
            f"colour or a scroll bar)")


def _paint_progressive(recording: Recording, paint: PaintTimeline, first: PaintFrame,
                       bound: float) -> str:
    end = recording.response_end_ms
    shown = shown_frames(paint)
    state = loading_state(paint, recording.dom)
    if state is not None:
        text = (f"the screen showed a loading state ({state.what}) from "
                f"{milliseconds(first.t_ms)}"
                f"{_before_end(first.t_ms, end)}")
        if state.replaced_ms is not None:
            text += f"; the page replaced it at {milliseconds(state.replaced_ms)}"
            if state.replaced_ms >= bound:
                text += ", when the response had ended"
        return text + _never_ended(recording)
    text = (f"the page was on screen from {milliseconds(first.t_ms)} "
            f"({first.progress:.0%} of the final picture){_before_end(first.t_ms, end)}")
    later = [f for f in shown if f.t_ms > first.t_ms]
    if not later:
        return text + ("; it already showed everything the page would show, so nothing was "
                       "left to stream") + _never_ended(recording)
    changes = sum(1 for f in later if f.t_ms < bound)
    late = next((f for f in later if f.t_ms >= bound), None)
    return (text + _then(changes, "the screen changed", late.t_ms if late else None)
            + _never_ended(recording))
