"""What one engine saw of one URL: DOM growth, paint and wire, on the page's own clock.

A Recording collects and never judges (see verdict.py). Every time is in milliseconds
from the page's navigation start (performance.timeOrigin), and every part names the
method that produced it, so a reader can tell a measurement from an estimate.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from streamscope.engines.info import EngineInfo, Gate, GateKind, Layer
from streamscope.files import write_json_atomically

# Nothing is seen for less than one frame of a 60 Hz display: the finest time a person can
# tell apart, and so the least error bound any "earlier than" in a verdict uses.
ONE_FRAME_MS = 1000 / 60
# What recordings saved without PaintFrame.content took for noise in their visual progress.
LEGACY_NOISE = 0.01


@dataclass(frozen=True)
class DomSample:
    """What a person could see of the page at one moment, as the in-page observer counts it.

    Visible means outside script, style, noscript, template and `hidden` subtrees (see
    observer.js); CSS that hides content is only caught by the paint timeline.
    """

    t_ms: float
    text_chars: int  # visible text, white space not counted
    elements: int  # content elements: those holding visible text, images, media, controls


def media_type(content_type: str | None) -> str:
    """A Content-Type's media type alone: "text/html; charset=utf-8" is "text/html"."""
    return (content_type or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class WireChunk:
    """Bytes a raw HTTP client received at one moment (ms from its request start)."""

    t_ms: float
    size: int


@dataclass(frozen=True)
class WireTimeline:
    """The same URL fetched by a raw HTTP client: what the server actually sent, and when.

    Measured by a separate request on its own clock (ms from that request's start), so it
    shows the server's pacing, not the browser's network stack.
    """

    status: int
    headers: dict[str, str]
    chunks: list[WireChunk]
    ended: bool
    method: str = "raw HTTP client, separate request"
    # The bytes themselves, for a replay of this response; kept in memory, never in JSON.
    body: bytes = field(default=b"", repr=False, compare=False)
    url: str = ""  # where the response came from, after any redirects

    @property
    def download(self) -> str | None:
        """Why a browser saves this response as a file instead of showing it, if it does."""
        disposition = self.headers.get("content-disposition", "")
        if disposition.split(";")[0].strip().lower() == "attachment":
            return f"the response is a download, not a page (Content-Disposition: {disposition})"
        if media_type(self.headers.get("content-type")) == "application/octet-stream":
            return ("the response is a download, not a page "
                    "(Content-Type: application/octet-stream)")
        return None

    @property
    def end_ms(self) -> float | None:
        """When the last byte arrived; None for an empty body."""
        return self.chunks[-1].t_ms if self.chunks else None

    @property
    def streamed(self) -> bool:
        """Did content arrive earlier than the last byte by more than a frame? A body that
        came in one piece, or all at its end, was held before it reached any browser. Of a
        compressed body, what counts is what it decodes to: a gzip header alone is no content.
        """
        end = self.end_ms
        if end is None:
            return False
        return any(size and t_ms < end - ONE_FRAME_MS for t_ms, size in self.content_chunks())

    def content_chunks(self) -> list[tuple[float, int]]:
        """(ms, bytes of content) per read: decoded where the body is compressed and kept."""
        encoding = self.headers.get("content-encoding", "").lower()
        decoded = self.decoded_pieces() if encoding in ("gzip", "deflate") and self.body else None
        if decoded is None:
            return [(c.t_ms, c.size) for c in self.chunks]
        return [(t_ms, len(data)) for t_ms, data in decoded]

    def pieces(self) -> list[tuple[float, bytes]]:
        """(ms, bytes) per read, as the raw client received them (empty where the body was
        not kept)."""
        pieces, offset = [], 0
        for chunk in self.chunks:
            pieces.append((chunk.t_ms, self.body[offset:offset + chunk.size]))
            offset += chunk.size
        return pieces

    def decoded_pieces(self) -> list[tuple[float, bytes]] | None:
        """(ms, bytes of content) per read, decoded where the body is gzip or deflate; None
        where it is in another encoding, or does not decode."""
        encoding = self.headers.get("content-encoding", "").lower()
        if encoding in ("", "identity"):
            return self.pieces()
        if encoding not in ("gzip", "x-gzip", "deflate"):
            return None
        # wbits 47: a zlib or gzip header, whichever the body has.
        decoder = zlib.decompressobj(wbits=47)
        try:
            return [(t_ms, decoder.decompress(data)) for t_ms, data in self.pieces()]
        except zlib.error:
            return None

    @property
    def total_bytes(self) -> int:
        return sum(c.size for c in self.chunks)

    def bytes_before(self, t_ms: float) -> int:
        return sum(c.size for c in self.chunks if c.t_ms <= t_ms)


@dataclass(frozen=True)
class PaintFrame:
    """One captured frame that differs from the one before: when, what of the page it showed,
    and how close it was to the final frame (paint/content.py, paint/visual_progress.py)."""

    t_ms: float
    progress: float  # 0 = the blank page before navigation, 1 = the final frame
    content: float  # share of the page's box showing content: 0 = blank, or a flat colour
    kept: float  # share of that content the final frame shows unchanged (1: none to keep)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaintFrame:
        if "content" in data:
            return cls(**data)
        # Saved before frames said what they showed: progress is the nearest measure they
        # kept, content whatever was on its way to the final picture, all of it kept.
        progress = data["progress"]
        return cls(data["t_ms"], progress, progress if progress > LEGACY_NOISE else 0.0, 1.0)


@dataclass(frozen=True)
class PaintTimeline:
    frames: list[PaintFrame]
    first_visual_change_ms: float | None
    visual_complete_ms: float | None
    error_ms: float  # how far a frame's time may be from when it reached the screen
    method: str
    video: str | None = None  # path of the video file, as written
    video_offset_ms: float | None = None  # page ms = video seconds * 1000 + this


@dataclass(frozen=True)
class Threshold:
    """What one engine build needs before it shows a paused stream, measured by bisection
    (`streamscope threshold`, or a run on first need). None: more than the largest amount
    probed; 0: no such gate."""

    content_type: str  # "text/html" or "text/plain"
    nosniff: bool
    bytes: int | None  # the fewest body bytes before the engine builds any DOM
    visible_chars: int | None  # the fewest visible characters before it paints anything
    probes: int  # recordings it took


@dataclass
class Recording:
    url: str
    engine: EngineInfo
    status: int | None = None
    content_type: str | None = None
    final_url: str | None = None  # the document's own URL: after redirects, or where it went
    time_origin_epoch_ms: float | None = None  # the page clock's zero on the wall clock
    committed_ms: float | None = None  # when the document existed
    response_end_ms: float | None = None
    ended: bool = False  # the response ended within the time limit
    timed_out: bool = False
    # The response was still arriving when the time limit ran out: a live feed, a long poll.
    never_ended: bool = False
    dom: list[DomSample] = field(default_factory=list)
    dom_error_ms: float = 0.0  # how late the first DOM sample may be
    observer_ms: float | None = None  # the page's main-thread time spent in the observer
    paint: PaintTimeline | None = None
    wire: WireTimeline | None = None
    # The same URL fetched without Accept-Encoding, where the body came compressed and held.
    wire_identity: WireTimeline | None = None
    # This engine build's measured thresholds: those cached, and those measured for it.
    thresholds: tuple[Threshold, ...] = ()
    # Why a threshold this recording's diagnosis needs is not among them, where one is not
    # ("not measured: --no-measure"); None: no reason known.
    thresholds_unmeasured: str | None = None
    methods: dict[str, str] = field(default_factory=dict)  # part -> how it was measured
    error: str | None = None  # nothing was recorded, and why
    paint_error: str | None = None  # the DOM was recorded but what was painted was not

    def lose_paint(self, error: str) -> None:
        """What was painted cannot be kept after all (its video could not be written): the
        recording is then as one whose paint analysis failed."""
        self.paint = None
        self.paint_error = error
        self.methods.pop("paint", None)

    def attach_wire(self, wire: WireTimeline | None) -> None:
        """Keeps what a raw client saw; it also tells the status where the engine would not."""
        self.wire = wire
        if wire is not None and self.final_url is None and wire.url:
            self.final_url = wire.url
        if wire is None or self.status is not None or not wire.status:
            return
        self.status = wire.status
        self.content_type = self.content_type or wire.headers.get("content-type")
        self.methods["status"] = "the raw HTTP client's own request (the engine exposes none)"

    @property
    def dom_error_bound_ms(self) -> float:
        """The DOM's error bound as verdicts take it: never below one frame, though an init
        script times the DOM to the microsecond."""
        return max(self.dom_error_ms, ONE_FRAME_MS)

    @property
    def first_content_ms(self) -> float | None:
        """When the page first held visible content."""
        for sample in self.dom:
            if sample.text_chars > 0 or sample.elements > 0:
                return sample.t_ms
        return None

    @property
    def browser(self) -> str:
        """The matrix name of the engine that ran: chromium, firefox or webkit."""
        return self.engine.name

    def threshold_for(self, content_type: str | None, nosniff: bool) -> Threshold | None:
        media = media_type(content_type)
        return next((t for t in self.thresholds
                     if t.content_type == media and t.nosniff == nosniff), None)

    def to_dict(self) -> dict[str, Any]:
        data = {"browser": self.browser, **asdict(self)}
        for wire in ("wire", "wire_identity"):
            if data[wire] is not None:
                del data[wire]["body"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recording:
        data = dict(data)
        data.pop("browser", None)  # derived from the engine
        engine = dict(data["engine"])
        engine["gates"] = tuple(
            Gate(**{**gate, "kind": GateKind(gate["kind"]), "layer": Layer(gate["layer"]),
                    "content_types": tuple(gate.get("content_types", ()))})
            for gate in engine.get("gates", ()))
        data["engine"] = EngineInfo(**engine)
        data["dom"] = [DomSample(**s) for s in data.get("dom", [])]
        if data.get("paint") is not None:
            paint = dict(data["paint"])
            paint["frames"] = [PaintFrame.from_dict(f) for f in paint["frames"]]
            data["paint"] = PaintTimeline(**paint)
        for key in ("wire", "wire_identity"):
            if data.get(key) is not None:
                wire = dict(data[key])
                wire["chunks"] = [WireChunk(**c) for c in wire["chunks"]]
                data[key] = WireTimeline(**wire)
        data["thresholds"] = tuple(Threshold(**t) for t in data.get("thresholds", ()))
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Recording:
        return cls.from_dict(json.loads(text))

    def save(self, path: Path) -> None:
        write_json_atomically(path, self.to_dict())
