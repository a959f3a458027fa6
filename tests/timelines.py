"""Hand-made recordings for tests that need no browser."""

from __future__ import annotations

from dataclasses import replace

from streamscope.judge.causes import Cause, Diagnosis
from streamscope.judge.verdict import Verdict
from streamscope.recording import (
    DomSample,
    EngineInfo,
    PaintFrame,
    PaintTimeline,
    Recording,
    WireChunk,
    WireTimeline,
)

ENGINE = EngineInfo(name="chromium", engine="Blink", product="Chromium", version="1.0",
                    launcher="playwright")


def wire(times_ms: list[float], size: int = 19, encoding: str | None = None) -> WireTimeline:
    headers = {"content-type": "text/html"} | ({"content-encoding": encoding} if encoding else {})
    return WireTimeline(status=200, headers=headers,
                        chunks=[WireChunk(t, size) for t in times_ms], ended=True)


def recording(samples: list[tuple[float, int, int]], *, end: float | None = 5000.0,
              committed: float = 10.0, error_ms: float = 0.0, ended: bool = True,
              paint: list[tuple[float, ...]] | None = None, paint_error_ms: float = 33.0,
              wire_times: list[float] | None = None) -> Recording:
    timeline = None
    if paint is not None:
        frames = [painted(*f) for f in paint]
        changed = [f.t_ms for f in frames if f.progress > 0 or f.content > 0]
        timeline = PaintTimeline(
            frames=frames,
            first_visual_change_ms=changed[0] if changed else None,
            visual_complete_ms=paint[-1][0] if paint else None,
            error_ms=paint_error_ms, method="test",
        )
    return Recording(
        url="http://127.0.0.1/x", engine=ENGINE, status=200,
        content_type="text/html", time_origin_epoch_ms=1.7e12, committed_ms=committed,
        response_end_ms=end, ended=ended, dom=[DomSample(*s) for s in samples],
        dom_error_ms=error_ms, paint=timeline,
        wire=wire(wire_times) if wire_times is not None else None,
    )


def painted(t_ms: float, progress: float, content: float | None = None,
            kept: float = 1.0) -> PaintFrame:
    """A captured frame; by default one on its way to the final picture, showing content
    wherever it has come any of that way."""
    return PaintFrame(t_ms, progress, progress if content is None else content, kept)


def streamed(steps: int = 10, every_ms: float = 500.0) -> list[tuple[float, int, int]]:
    """A list growing one item per step, as Chromium records /hello-world."""
    return [(10.0, 0, 0)] + [(20 + i * every_ms, 10 * (i + 1), i + 1) for i in range(steps)]


def elsewhere(original: Recording, *, browser: str = "chromium",
              url: str = "http://127.0.0.1/x") -> Recording:
    """The same timeline as if recorded in another engine, or of another URL."""
    engine = replace(ENGINE, name=browser, product=browser.title())
    return replace(original, engine=engine, url=url)


def with_cause(verdict: Verdict, cause: Cause, fix: str = "") -> Verdict:
    """`verdict` as if its diagnosis (DOM and paint alike) had found `cause` with `fix`."""
    diagnosis = Diagnosis(cause, "", fix)
    return replace(verdict, dom_diagnosis=diagnosis,
                   paint_diagnosis=diagnosis if verdict.paint_diagnosis else None)
