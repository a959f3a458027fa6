"""Recording one URL in one engine: DOM growth on the page's clock, and what was painted.

The recorder owns the in-page observer and the stopping rule; an engine only provides a
PageDriver. A recording ends as soon as the response has ended and the DOM has been quiet
for `settle_ms`, and never runs past `timeout_s`.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from streamscope import page_scripts
from streamscope.config import RecordingConfig
from streamscope.engines.info import EngineInfo
from streamscope.engines.page import NavigationResponse, PageDriver
from streamscope.errors import one_line
from streamscope.recording import DomSample, PaintTimeline, Recording

# After the observer is in place, polls only decide when to stop: they need not be frequent,
# and each one takes a little of the page's main thread.
WATCH_INTERVAL_S = 0.05

METHOD_INIT_SCRIPT = "MutationObserver on the document, installed by an init script before parsing"
METHOD_INJECTED = (
    "MutationObserver on the document, injected by the first script poll that found the new "
    "document (polls every {poll:.0f} ms); the commit and the first sample may be late by up to "
    "dom_error_ms"
)
METHOD_RESPONSE_END = (
    "Navigation Timing responseEnd, the later of Level 2 and Level 1 (Firefox ESR 153 reports "
    "a Level 2 responseEnd equal to responseStart for a streamed document)"
)


class Clock(Protocol):
    """Where the recorder's time limit and pauses come from: the system's, or a test's."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class _SystemClock:
    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)


SYSTEM_CLOCK: Clock = _SystemClock()


class PaintCapture(Protocol):
    """Records what the screen showed around one navigation (see streamscope/paint_capture.py)."""

    def before_navigation(self, page: PageDriver) -> None: ...

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline: ...

    def abort(self) -> None: ...


def record(page: PageDriver, info: EngineInfo, url: str, settings: RecordingConfig,
           paint: PaintCapture | None = None, clock: Clock = SYSTEM_CLOCK) -> Recording:
    """Records `url` in `page`; a failure is the recording's error, never an exception."""
    try:
        return _record(page, info, url, settings, paint, clock)
    finally:
        # Whatever happened, Ctrl-C included, the screen recorder ends with the recording;
        # after a finished analysis this does nothing.
        if paint is not None:
            paint.abort()


def _record(page: PageDriver, info: EngineInfo, url: str, settings: RecordingConfig,
            paint: PaintCapture | None, clock: Clock) -> Recording:
    recording = Recording(url=url, engine=info)
    response: NavigationResponse | None = None
    first: dict[str, Any] | None = None
    try:
        preinstalled = page.add_init_script(page_scripts.OBSERVER)
        if paint is not None:
            paint.before_navigation(page)
        marked_wall = page.evaluate(page_scripts.MARK_OLD_DOCUMENT)
        # The time limit is the page's: preparing the screen recording does not count.
        deadline = clock.monotonic() + settings.timeout_s
        response = page.navigate(url, timeout_s=settings.timeout_s)
        first = _await_document(page, clock, deadline, settings.poll_ms / 1000, marked_wall)
        _await_settled(page, clock, deadline, settings.settle_ms)
    except TimeoutError:
        recording.timed_out = True
    except Exception as exc:
        recording.error = one_line(exc)
        return recording
    try:
        data = page.evaluate(page_scripts.COLLECT)
    except Exception as exc:  # the page went away: navigated itself, or its renderer died
        recording.error = f"the page could not be read at the end: {one_line(exc)}"
        return recording
    if data["old"]:  # the time limit ran out before the new document existed
        return recording
    if response is None and not data["navigated"]:
        # Engines that report no navigation errors show an error page, or stay where they
        # were; neither has a navigation entry, which every loaded response has.
        recording.error = f"no response from {url}: the engine loaded no page"
        return recording
    _fill(recording, data, response, first, preinstalled, settings)
    if paint is not None:
        _finish_paint(recording, paint)
    return recording


def _finish_paint(recording: Recording, paint: PaintCapture) -> None:
    """A failed paint analysis costs the paint timeline, never the DOM recording."""
    assert recording.time_origin_epoch_ms is not None
    try:
        recording.paint = paint.finish(recording.time_origin_epoch_ms)
    except Exception as exc:
        recording.paint_error = one_line(exc)
        return
    recording.methods["paint"] = recording.paint.method


def _await_document(page: PageDriver, clock: Clock, deadline: float, interval_s: float,
                    marked_wall: float | None) -> dict[str, Any]:
    """Polls until the new document answers; returns that poll and the last old one's time.

    Where no poll saw the old document (a remote engine's navigation can take longer than
    its commit), the last time it was seen is when it was marked, before navigating.
    """
    last_old_wall = marked_wall
    while True:
        state = page.evaluate(page_scripts.POLL)
        if state and not state["old"]:
            state["last_old_wall"] = last_old_wall
            return dict(state)
        if state:
            last_old_wall = state["wall"]
        if clock.monotonic() > deadline:
            raise TimeoutError
        clock.sleep(interval_s)


def _await_settled(page: PageDriver, clock: Clock, deadline: float, settle_ms: float) -> None:
    """Until the response has ended (the parser is done) and the DOM was quiet for settle_ms."""
    while True:
        state = page.evaluate(page_scripts.POLL)
        pause_s = WATCH_INTERVAL_S
        if state and not state["old"] and state["readyState"] != "loading":
            quiet_ms = state["now"] - state["lastChange"]
            if quiet_ms >= settle_ms:
                return
            # Looked at again when it will have been quiet for long enough, not up to a whole
            # interval later: a change meanwhile is seen then, and the wait goes on.
            pause_s = min(pause_s, (settle_ms - quiet_ms) / 1000)
        if clock.monotonic() > deadline:
            raise TimeoutError
        clock.sleep(pause_s)


def _fill(recording: Recording, data: dict[str, Any], response: NavigationResponse | None,
          first: dict[str, Any] | None, preinstalled: bool, settings: RecordingConfig) -> None:
    recording.dom = [DomSample(t_ms=t, text_chars=c, elements=e) for t, c, e in data["samples"]]
    recording.time_origin_epoch_ms = data["timeOrigin"]
    recording.committed_ms = data["installed"]
    recording.ended = data["readyState"] != "loading"
    ends = [v for v in (data["responseEnd"], data["legacyResponseEnd"]) if v]
    recording.response_end_ms = max(ends) if ends and recording.ended else None
    recording.methods["response_end"] = METHOD_RESPONSE_END
    if response is not None:
        recording.status, recording.content_type = response.status, response.content_type
        recording.methods["status"] = "the automation library's response event"
    else:
        recording.status, recording.content_type = data["status"], data["contentType"]
        recording.methods["status"] = "Navigation Timing responseStatus and document.contentType"
    if preinstalled:
        recording.methods["dom"] = METHOD_INIT_SCRIPT
        recording.methods["committed"] = "when the init script ran in the new document"
        return
    recording.methods["dom"] = METHOD_INJECTED.format(poll=settings.poll_ms)
    recording.methods["committed"] = "when the first poll found the new document"
    if first is not None and first.get("last_old_wall") is not None:
        # The document was created after the last poll that still saw the old one.
        recording.dom_error_ms = max(0.0, first["wall"] - first["last_old_wall"])
