"""Why a page was held, and what to change: a cause with its evidence and fix, from measurements.

Pure functions of a Recording: the wire (what the server sent, and when), the DOM and paint
timelines, the gates the engine declares (engines/gates.py) and the thresholds measured on
this engine build (prove/thresholds/). Never the URL, never the engine's name. Every number in a
`why` or a `fix` is one of the evidence's, and the evidence is measured. A diagnosis that
would use a threshold the recording does not carry names it in `missing`: the run measures
it then (prove/thresholds/first_need.py) and judges again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from streamscope.engines.info import Gate, GateKind
from streamscope.judge.fix_place import places_of
from streamscope.judge.shown import LoadingState, loading_state
from streamscope.recording import ONE_FRAME_MS, Recording, Threshold, WireTimeline, media_type
from streamscope.wording import milliseconds

# A replay pads a little past a measured threshold: the gate is "at least N", and the padding
# must clear it by more than the bisection's resolution.
MARGIN_BYTES = 64
MARGIN_CHARS = 32


class Cause(StrEnum):
    STREAMED = "streamed"  # rendered progressively; nothing to fix
    SINGLE_STEP = "single_step"  # shown early, everything else in one late piece
    # Shown early, then replaced: a loading state (loading.tsx, a Suspense fallback, a
    # skeleton) is not the first part of the page but a stand-in for it, and its fix differs.
    LOADING_STATE = "loading_state"
    SENT_AT_ONCE = "sent_at_once"  # the body reached a plain client in one piece or at its end
    # The document was built from early bytes that held nothing visible (markup, scripts,
    # hidden content): the content itself came at the end.
    NO_EARLY_CONTENT = "no_early_content"
    COMPRESSED = "compressed"  # the compressor held it; uncompressed, it streams
    BELOW_BYTE_THRESHOLD = "below_byte_threshold"  # a sniffing gate held the first bytes
    TOO_FEW_VISIBLE_CHARS = "too_few_visible_chars"  # the DOM grew, the first-paint gate held
    NEVER_ENDED = "never_ended"  # nothing shown, and the response never ended
    NO_RECORDING = "no_recording"
    UNEXPLAINED = "unexplained"  # none of the above fits: what was seen is said


class Remedy(StrEnum):
    """What a replay of the recorded response can change to prove a fix."""

    LEADING_BYTES = "leading_bytes"  # invisible bytes before the first chunk's content
    LEADING_TEXT = "leading_text"  # visible characters in the first chunk
    NOSNIFF = "nosniff"  # X-Content-Type-Options: nosniff
    UNCOMPRESSED = "uncompressed"  # the uncompressed body, each chunk at its recorded time


@dataclass(frozen=True)
class Need:
    """A threshold a diagnosis would use: which gate, for which content type."""

    content_type: str  # the media type, e.g. "text/html"
    nosniff: bool
    kind: GateKind


@dataclass(frozen=True)
class Diagnosis:
    cause: Cause
    why: str  # the measured explanation, in a reader's words ("" where nothing was held)
    fix: str  # what to change; "" when there is nothing to fix
    evidence: dict[str, Any] = field(default_factory=dict)
    safari: str = "n/a"  # would Safari be held too: "yes", "unknown", or "n/a"
    remedies: dict[Remedy, int] = field(default_factory=dict)  # what a replay applies, amounts
    missing: tuple[Need, ...] = ()  # thresholds it would use that the recording does not carry

    def to_dict(self) -> dict[str, Any]:
        return {"cause": str(self.cause), "fix": self.fix, "evidence": self.evidence,
                "safari": self.safari}


SENT_AT_ONCE_FIX = (
    "make every layer flush as it goes: yield each part from the view (Flask: a generator, "
    "stream_template, stream_with_context); behind nginx set `proxy_buffering off` or send "
    "`X-Accel-Buffering: no`; send `Cache-Control: no-transform` so proxies and CDNs neither "
    "recompress nor buffer it; check that no middleware collects the body"
)


def diagnose_dom(recording: Recording, progressive: bool, bound_ms: float) -> Diagnosis:
    """Why the DOM did (not) show content before `bound_ms`, the end less its error bound."""
    if recording.error is not None:
        return Diagnosis(Cause.NO_RECORDING, recording.error, "", safari="unknown")
    if progressive:
        return _streamed(recording, bound_ms)
    if recording.first_content_ms is None and not recording.ended:
        return Diagnosis(Cause.NEVER_ENDED, "nothing was shown and the response had not ended "
                         "when the time limit ran out", "send content before the rest, or "
                         "record with a longer --timeout", safari="unknown")
    wire = recording.wire
    if wire is None:
        return Diagnosis(Cause.UNEXPLAINED, "no raw fetch of the URL to compare with", "",
                         safari=_safari(recording, "unknown"))
    if not wire.streamed:
        return _held_before_the_browser(recording, wire)
    if recording.committed_ms is not None and recording.committed_ms < bound_ms:
        return _no_early_content(recording, wire, recording.committed_ms)
    return _held_by_a_sniffer(recording, wire)


def diagnose_paint(recording: Recording, progressive: bool, dom: Diagnosis,
                   dom_progressive: bool, bound_ms: float) -> Diagnosis:
    """Why the screen did (not) show content before `bound_ms`; builds on the DOM's diagnosis."""
    if progressive:
        state = loading_state(recording.paint, recording.dom)
        if state is not None:
            return _loading_state(recording, state)
        return dom if dom.cause in (Cause.STREAMED, Cause.SINGLE_STEP) else _streamed(
            recording, bound_ms)
    if not dom_progressive:
        return _and_then_first_paint(recording, dom, bound_ms)
    gates = recording.engine.gates_of(GateKind.FIRST_PAINT)
    first_dom = recording.first_content_ms
    if not gates:
        return Diagnosis(Cause.UNEXPLAINED, f"the page held content from "
                         f"{milliseconds(first_dom)} but the screen showed none of it while "
                         f"the response arrived: hidden by CSS, or painting held back?", "",
                         safari=_safari(recording, "unknown"))
    return _too_few_visible_chars(recording, gates[0], bound_ms)


def _streamed(recording: Recording, bound_ms: float) -> Diagnosis:
    first = next((s for s in recording.dom if s.text_chars or s.elements), None)
    early = [s for s in recording.dom if first is not None and first.t_ms < s.t_ms < bound_ms]
    grew_early = any((s.text_chars, s.elements) != (first.text_chars, first.elements)
                     for s in early) if first is not None else False
    final = recording.dom[-1] if recording.dom else None
    late = final is not None and first is not None and final.t_ms >= bound_ms and (
        (final.text_chars, final.elements) != (first.text_chars, first.elements))
    safari = _safari(recording, "unknown")
    if first is None or grew_early or not late:
        return Diagnosis(Cause.STREAMED, "", "", safari=safari)
    evidence = {"first_content_ms": _ms(first.t_ms), "first_visible_chars": first.text_chars,
                "visible_chars_at_end": final.text_chars if final else None,
                "chunks": _chunk_timeline(recording.wire)}
    return Diagnosis(Cause.SINGLE_STEP, (
        f"{first.text_chars:,} visible characters were shown from {milliseconds(first.t_ms)}; "
        f"everything else arrived in one piece at the end"),
        "nothing holds the page; to show more sooner, send the rest in parts as each is ready",
        evidence, safari)


def _loading_state(recording: Recording, state: LoadingState) -> Diagnosis:
    replaced = (f"; the page replaced it at {milliseconds(state.replaced_ms)}"
                if state.replaced_ms is not None else "")
    evidence = {"loading_state_ms": _ms(state.shown_ms),
                "loading_state_visible_chars": state.visible_chars,
                "replaced_ms": _ms(state.replaced_ms),
                "response_end_ms": _ms(recording.response_end_ms)}
    return Diagnosis(Cause.LOADING_STATE, (
        f"the screen showed a loading state ({state.what}) from {milliseconds(state.shown_ms)}"
        f"{replaced}"),
        "nothing holds the page; to show the data sooner, stream it in parts as each is "
        "ready (a Suspense boundary, or a flush, per part) instead of one piece at the end",
        evidence, _safari(recording, "unknown"))


def _no_early_content(recording: Recording, wire: WireTimeline,
                      committed_ms: float) -> Diagnosis:
    early_bytes = wire.bytes_before((wire.end_ms or 0.0) - ONE_FRAME_MS)
    evidence = {"committed_ms": _ms(committed_ms), "bytes_before_end": early_bytes,
                "first_content_ms": _ms(recording.first_content_ms),
                "wire_chunks": len(wire.chunks), "wire_end_ms": _ms(wire.end_ms)}
    return Diagnosis(Cause.NO_EARLY_CONTENT, (
        f"the engine built the document from {milliseconds(committed_ms)}, but the "
        f"{early_bytes:,} bytes that arrived before the end held no visible text or image "
        f"(only markup, styles, scripts or hidden content): the content came at the end"),
        "send visible content first: the page's header, or a loading state, before the slow "
        "part", evidence, _safari(recording, "yes"))


def _held_before_the_browser(recording: Recording, wire: WireTimeline) -> Diagnosis:
    encoding = wire.headers.get("content-encoding", "")
    identity = recording.wire_identity
    evidence: dict[str, Any] = {"wire_chunks": len(wire.chunks), "wire_bytes": wire.total_bytes,
                                "wire_first_byte_ms": _ms(wire.chunks[0].t_ms if wire.chunks
                                                          else None),
                                "wire_end_ms": _ms(wire.end_ms),
                                "content_encoding": encoding or None}
    safari = _safari(recording, "yes")
    if encoding and identity is not None and identity.streamed:
        evidence |= {"uncompressed_chunks": len(identity.chunks),
                     "uncompressed_first_byte_ms": _ms(identity.chunks[0].t_ms)}
        return Diagnosis(Cause.COMPRESSED, (
            f"compressed ({encoding}), the body reached a plain HTTP client in "
            f"{_pieces(wire)}; the same URL without compression came in {len(identity.chunks)} "
            f"pieces from {milliseconds(identity.chunks[0].t_ms)}: the compressor held it"),
            "flush the compressor after each chunk (zlib Z_SYNC_FLUSH; Node's compression: "
            "res.flush()), or leave streamed responses uncompressed",
            evidence, safari, {Remedy.UNCOMPRESSED: 0})
    held = "the server, its framework, a proxy or the host held it"
    return Diagnosis(Cause.SENT_AT_ONCE,
                     f"the body reached a plain HTTP client in {_pieces(wire)}: {held}",
                     SENT_AT_ONCE_FIX, evidence, safari)


def _held_by_a_sniffer(recording: Recording, wire: WireTimeline) -> Diagnosis:
    content_type = wire.headers.get("content-type", recording.content_type or "")
    nosniff = _nosniff(recording)
    sniffers = [g for g in recording.engine.gates_of(GateKind.SNIFF)
                if g.applies(content_type, nosniff)]
    end = wire.end_ms or 0.0
    early_bytes = wire.bytes_before(end - ONE_FRAME_MS)
    threshold = recording.threshold_for(content_type, nosniff)
    needed = threshold.bytes if threshold is not None else None
    evidence: dict[str, Any] = {"bytes_before_end": early_bytes, "threshold_bytes": needed,
                                "wire_chunks": len(wire.chunks), "wire_end_ms": _ms(wire.end_ms)}
    if not sniffers or (needed is not None and early_bytes >= needed):
        return Diagnosis(Cause.UNEXPLAINED, (
            f"the server sent {wire.total_bytes:,} bytes in {len(wire.chunks)} pieces over "
            f"{milliseconds(end - wire.chunks[0].t_ms)}, {early_bytes:,} of them before the "
            f"end, yet the engine showed nothing until the end"), "", evidence,
            _safari(recording, "unknown"))
    gate = sniffers[0]
    amount = f"at least {needed:,} bytes" if needed is not None else "more bytes"
    why = (f"only {early_bytes:,} bytes arrived before the end, "
           + (f"fewer than the {needed:,} this engine needs: " if needed is not None
              else "and ")
           + _gate_text(gate) + _how_many(recording, threshold, needed))
    if media_type(content_type) == "text/plain":  # a comment would show: nothing is markup
        filler = "blank space"
    else:
        places = places_of(wire)
        filler = "an HTML comment of padding" + (
            f" {places.padding.words}" if places is not None else "")
    fix = f"send {amount} early ({filler} will do)"
    remedies: dict[Remedy, int] = {}
    if needed is not None:
        remedies[Remedy.LEADING_BYTES] = needed + MARGIN_BYTES
    if gate.lifted_by_nosniff:
        fix = "send X-Content-Type-Options: nosniff, or " + fix
        remedies = {Remedy.NOSNIFF: 0}
    missing = _missing(threshold, media_type(content_type), nosniff, GateKind.SNIFF)
    return Diagnosis(Cause.BELOW_BYTE_THRESHOLD, why, fix, evidence,
                     _safari(recording, gate.safari), remedies, missing)


def _too_few_visible_chars(recording: Recording, gate: Gate, bound_ms: float) -> Diagnosis:
    # The DOM's samples are counted before the end by the DOM's own error bound: the last
    # chunk can reach the DOM a few ms before the engine marks the response ended.
    end = recording.response_end_ms
    if end is not None:
        bound_ms = min(bound_ms, end - recording.dom_error_bound_ms)
    before = [s.text_chars for s in recording.dom if s.t_ms < bound_ms]
    shown = max(before, default=0)
    nosniff = _nosniff(recording)
    threshold = recording.threshold_for(recording.content_type, nosniff)
    needed = threshold.visible_chars if threshold is not None else None
    evidence = {"visible_chars_before_end": shown, "threshold_visible_chars": needed,
                "first_content_ms": _ms(recording.first_content_ms)}
    if needed is not None and shown >= needed:
        # The observer's count is not WebCore's: text it never renders still counts here.
        return Diagnosis(Cause.UNEXPLAINED, (
            f"the page held {shown:,} visible characters before the end, as many as the "
            f"{needed:,} this engine needs before it paints, yet the screen showed none of "
            f"them: text it does not render as such (after `</html>`, hidden by CSS, in a "
            f"web font still loading)?"), "", evidence, _safari(recording, "unknown"))
    why = (f"the page held {shown:,} visible characters before the end"
           + (f", fewer than the {needed:,} this engine needs: " if needed is not None
              else ", and ")
           + _gate_text(gate) + _how_many(recording, threshold, needed))
    amount = (f"at least {needed:,} visible characters" if needed is not None
              else "more visible characters")
    remedies = {Remedy.LEADING_TEXT: needed + MARGIN_CHARS} if needed is not None else {}
    return Diagnosis(Cause.TOO_FEW_VISIBLE_CHARS, why,
                     f"{_put(recording, amount)}, or an image, so the first paint comes before "
                     f"the rest", evidence, _safari(recording, gate.safari), remedies,
                     _missing(threshold, media_type(recording.content_type), nosniff,
                              GateKind.FIRST_PAINT))


def _and_then_first_paint(recording: Recording, dom: Diagnosis, bound_ms: float) -> Diagnosis:
    """The paint was held where the DOM was; past that gate, would the first-paint gate hold?"""
    gates = recording.engine.gates_of(GateKind.FIRST_PAINT)
    if gates and dom.cause is Cause.NO_EARLY_CONTENT:
        # Shapes and colours sent early (a skeleton) are not what this gate counts either:
        # it is the gate that held them, and what lifts it lifts both.
        gated = _too_few_visible_chars(recording, gates[0], bound_ms)
        return replace(gated, why=f"{dom.why}; {gated.why}",
                       evidence=dom.evidence | gated.evidence)
    nosniff = _nosniff(recording)
    threshold = recording.threshold_for(recording.content_type, nosniff)
    needed = threshold.visible_chars if threshold is not None else None
    total = max((s.text_chars for s in recording.dom), default=0)
    if not gates or dom.cause is not Cause.BELOW_BYTE_THRESHOLD:
        return dom
    gate = gates[0]
    # A plain-text page is one text node that the stream grows: a gate that counts a node's
    # text only as it is first laid out never sees what streams in after the first bytes.
    one_node = media_type(recording.content_type) == "text/plain" and not gate.counts_appended_text
    if needed is not None and total >= needed and not one_node:
        return dom
    past = (f"past it, the whole page has {total:,} visible characters" if not one_node
            else f"past it, a plain-text page is one text node whose characters count only as "
                 f"first laid out (not the {total:,} that stream into it)")
    if needed is None:  # the next gate is named, its number not guessed
        return Diagnosis(
            dom.cause,
            f"{dom.why}; {past}, and "
            f"{_gate_text(gate)}{_how_many(recording, threshold, needed)}",
            f"{dom.fix}; and send enough visible characters early, or an image",
            dom.evidence | {"visible_chars_in_page": total, "threshold_visible_chars": None},
            _safari(recording, gate.safari), dom.remedies,
            dom.missing + _missing(threshold, media_type(recording.content_type), nosniff,
                                   GateKind.FIRST_PAINT),
        )
    return Diagnosis(
        dom.cause,
        f"{dom.why}; {past}{': the' if one_node else ', fewer than the'} {needed:,} before "
        f"which {_gate_text(gate)}{' must come first' if one_node else ''}",
        f"{dom.fix}; and {_put(recording, f'at least {needed:,} visible characters')}"
        f"{'' if one_node else ', or an image'}",
        dom.evidence | {"visible_chars_in_page": total, "threshold_visible_chars": needed},
        _safari(recording, gate.safari),
        dom.remedies | {Remedy.LEADING_TEXT: needed + MARGIN_CHARS}, dom.missing,
    )


def _put(recording: Recording, amount: str) -> str:
    """Where to put visible text, as far as the structure of this page's first chunk shows."""
    places = places_of(recording.wire) if recording.wire is not None else None
    return f"put {amount} {places.text.words}" if places is not None else f"send {amount} early"


def _missing(threshold: Threshold | None, content_type: str, nosniff: bool,
             kind: GateKind) -> tuple[Need, ...]:
    """The threshold this diagnosis would use, where the recording carries none."""
    return () if threshold is not None else (Need(content_type, nosniff, kind),)


def _how_many(recording: Recording, threshold: Threshold | None, needed: int | None) -> str:
    """Why a gate's number is not in the reason, where it is not: never a command to run."""
    if needed is not None:
        return ""
    if threshold is None:
        why = recording.thresholds_unmeasured or "not measured on this engine build"
        return f" (how many this engine needs: {why})"
    return " (more than the most the measurement probed)"


def _ms(value: float | None) -> float | None:
    """A time in the evidence: to a tenth of a ms, finer than anything here is measured."""
    return None if value is None else round(value, 1)


def _safari(recording: Recording, answer: str) -> str:
    return answer if recording.engine.safari_core else "n/a"


def _gate_text(gate: Gate) -> str:
    """A gate in a reader's words: the mechanism, whether Safari shares it, where it lives."""
    safari = {"yes": "; Safari shares it",
              "unknown": "; Safari's network layer is another"}.get(gate.safari, "")
    return f"{gate.mechanism} [{gate.reference}{safari}]"


def _nosniff(recording: Recording) -> bool:
    headers = recording.wire.headers if recording.wire is not None else {}
    return headers.get("x-content-type-options", "").lower() == "nosniff"


def _pieces(wire: WireTimeline) -> str:
    content = [t_ms for t_ms, size in wire.content_chunks() if size]
    if len(content) <= 1:
        return f"one piece at {milliseconds(content[0] if content else wire.end_ms)}"
    return (f"{len(content)} reads between {milliseconds(content[0])} and "
            f"{milliseconds(content[-1])}, all at its end")


def _chunk_timeline(wire: WireTimeline | None) -> list[list[float]] | None:
    """[ms, bytes] per read of the wire, for the evidence; None without a wire."""
    if wire is None:
        return None
    return [[round(c.t_ms, 1), c.size] for c in wire.chunks]
