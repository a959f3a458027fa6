"""Recording one URL in one engine: DOM growth on the page's clock, and what was painted.

The recorder owns the in-page observer and the stopping rule; an engine only provides a
PageDriver. A recording ends as soon as the response has ended and the DOM has been quiet
for `settle_ms`, and never runs past `timeout_s`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from streamscope.config import RecordingConfig
from streamscope.engines.info import EngineInfo
from streamscope.engines.page_driver import NavigationResponse, PageDriver, ScriptTimeout
from streamscope.errors import one_line
from streamscope.record import page_scripts
from streamscope.recording import DomSample, PaintTimeline, Recording
from streamscope.wording import milliseconds

# After the observer is in place, polls only decide when to stop: they need not be frequent,
# and each one takes a little of the page's main thread.
WATCH_INTERVAL_S = 0.05
# Past the time limit, the last read of the page may take this long: the time limit holds
# within a second whatever the page does.
COLLECT_GRACE_S = 0.6
# How long polls may fail in a row (a document torn down under them) before that is an error.
POLL_FAILURES_S = 1.0
# How long a document that began to navigate away may take to be replaced.
LEAVE_WAIT_S = 2.0
# Once the response has ended and the DOM has been quiet this long, the page's stream is over
# (StreamMilestones.over) while it settles on. Its last paint has come by then: 7 to 53 ms
# after its last DOM change in each engine, in a repro at rest (2026-12-06).
HANDOVER_MS = 100.0

METHOD_INIT_SCRIPT = "MutationObserver on the document, installed by an init script before parsing"
METHOD_INJECTED = (
    "MutationObserver on the document, injected by the first script poll that found the new "
    "document (polls every {poll:.0f} ms); the commit and the first sample may be late by up to "
    "dom_error_ms"
)
# The later of the two: seen here in Firefox ESR 153 (a Level 2 responseEnd equal to
# responseStart while the streamed body went on arriving); no Firefox bug found for it.
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
    """Records what the screen showed around one navigation (see streamscope/paint/capture.py)."""

    def before_navigation(self, page: PageDriver) -> None: ...

    def finish(self, time_origin_epoch_ms: float) -> PaintTimeline: ...

    def abort(self) -> None: ...


class StreamMilestones(Protocol):
    """Told how a page's stream goes, each at most once, by the polls that see it (lanes that
    take turns hand theirs on at one of them, turns.Turns)."""

    def begun(self) -> None:
        """The page shows content, or its response ended without any."""

    def over(self) -> None:
        """The response ended and the DOM was quiet for HANDOVER_MS."""


# Entered right before the navigation, left once the page has settled (or failed): what the
# stream is, with what it tells of its milestones; nullcontext where nobody asks.
Streaming = Callable[[], AbstractContextManager[StreamMilestones | None]]


def record(page: PageDriver, info: EngineInfo, url: str, settings: RecordingConfig,
           paint: PaintCapture | None = None, clock: Clock = SYSTEM_CLOCK,
           no_page: Callable[[], str | None] | None = None,
           streaming: Streaming = nullcontext) -> Recording:
    """Records `url` in `page`; a failure is the recording's error, never an exception.

    `no_page`, where given, says once it is known that no document will come (the raw client
    saw a download, a redirect loop, a certificate no browser trusts), and why: an engine that
    reports no navigation errors is then not waited for until the time limit. `streaming`:
    entered at the navigation, after the page and its capture are readied, and told of the
    stream's milestones (lanes that take turns hold their turn with it, turns.Turns).
    """
    try:
        return _record(page, info, url, settings, paint, clock, no_page, streaming)
    finally:
        # Whatever happened, Ctrl-C included, the screen recorder ends with the recording;
        # after a finished analysis this does nothing.
        if paint is not None:
            paint.abort()


class _NoPage(Exception):
    """No document will come, for the reason given."""


class _Left(Exception):
    """The document navigated itself away before it had settled."""

    def __init__(self, href: str, at_ms: float | None, seen: dict[str, Any] | None) -> None:
        super().__init__(href)
        self.href, self.at_ms, self.seen = href, at_ms, seen


def _record(page: PageDriver, info: EngineInfo, url: str, settings: RecordingConfig,
            paint: PaintCapture | None, clock: Clock,
            no_page: Callable[[], str | None] | None, streaming: Streaming) -> Recording:
    recording = Recording(url=url, engine=info)
    response: NavigationResponse | None = None
    first: dict[str, Any] | None = None
    watch = _Watch(page, clock, clock.monotonic() + settings.timeout_s, no_page)
    try:
        preinstalled = page.add_init_script(page_scripts.OBSERVER)
        if paint is not None:
            paint.before_navigation(page)
        marked_wall = page.evaluate(page_scripts.MARK_OLD_DOCUMENT)
        with streaming() as milestones:
            # The time limit is the page's: preparing the screen recording, or waiting for a
            # turn to stream, does not count.
            watch.start(settings.timeout_s)
            response = page.navigate(url, timeout_s=settings.timeout_s)
            first = watch.document(settings.poll_ms / 1000, marked_wall)
            watch.settled(settings.settle_ms, first, milestones)
    except TimeoutError:  # the time limit, or a page too busy to answer when it ran out
        recording.timed_out = True
    except _NoPage as exc:
        recording.error = str(exc)
        return recording
    except _Left as left:
        if left.seen is not None:
            _fill(recording, left.seen, response, first, preinstalled, settings)
        recording.final_url = left.href
        at = f" at {milliseconds(left.at_ms)}" if left.at_ms is not None else ""
        recording.error = (f"the page navigated itself to {left.href}{at}, before it had "
                           f"finished loading: record that URL instead")
        return recording
    except Exception as exc:
        recording.error = one_line(exc)
        return recording
    try:
        data = page.evaluate(page_scripts.COLLECT, timeout_s=watch.left() + COLLECT_GRACE_S)
    except ScriptTimeout:
        recording.error = (f"the page's main thread was busy when the {settings.timeout_s:g} s "
                           f"time limit ran out: a script had not yielded for "
                           f"{clock.monotonic() - watch.answered:.1f} s, so nothing could be "
                           f"read from the page")
        return recording
    except Exception as exc:  # the page went away: navigated itself, or its renderer died
        recording.error = f"the page could not be read at the end: {one_line(exc)}"
        return recording
    if data["old"]:  # the time limit ran out before the new document existed
        return recording
    if response is None and not data["navigated"]:
        # Engines that report no navigation errors show an error page, or stay where they
        # were; neither has a navigation entry, which every loaded response has. (WebKitGTK's
        # navigation returns at once, page load strategy "none": WebDriver's design, no bug.)
        recording.error = f"no response from {url}: the engine loaded no page"
        return recording
    _fill(recording, data, response, first, preinstalled, settings)
    recording.never_ended = recording.timed_out and not recording.ended
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


class _Watch:
    """The polls of one recording, each given what is left of the time limit to answer in."""

    def __init__(self, page: PageDriver, clock: Clock, deadline: float,
                 no_page: Callable[[], str | None] | None) -> None:
        self.page, self.clock, self.deadline, self.no_page = page, clock, deadline, no_page
        self.answered = clock.monotonic()  # when the page last answered a poll

    def start(self, timeout_s: float) -> None:
        """The time limit starts now, as the navigation does."""
        now = self.clock.monotonic()
        self.deadline, self.answered = now + timeout_s, now

    def left(self) -> float:
        return max(self.deadline - self.clock.monotonic(), 0.0)

    def poll(self) -> Any:
        """One poll; ScriptTimeout, a TimeoutError, once the time limit passes unanswered."""
        state = self.page.evaluate(page_scripts.POLL, timeout_s=self.left())
        self.answered = self.clock.monotonic()
        return state

    def document(self, interval_s: float, marked_wall: float | None) -> dict[str, Any]:
        """Polls until the new document answers; returns that poll and the last old one's time.

        Where no poll saw the old document (a remote engine's navigation can take longer than
        its commit), the last time it was seen is when it was marked, before navigating.
        """
        last_old_wall = marked_wall
        while True:
            state = self.poll()
            if state and not state["old"]:
                state["last_old_wall"] = last_old_wall
                return dict(state)
            if state:
                last_old_wall = state["wall"]
            reason = self.no_page() if self.no_page is not None else None
            if reason is not None:
                raise _NoPage(reason)
            self._pause(interval_s)

    def settled(self, settle_ms: float, first: dict[str, Any],
                milestones: StreamMilestones | None = None) -> None:
        """Until the response has ended (the parser is done) and the DOM was quiet for
        settle_ms; raises _Left where another document replaces this one first. `milestones`
        are told by the first poll that sees each."""
        begun = over = False  # told to the milestones
        leaving_since: float | None = None  # when a poll saw this document begin to leave
        left_ms: float | None = None  # when it began to, on its own clock
        seen: dict[str, Any] | None = None  # what it had shown by then
        failed_since: float | None = None
        while True:
            try:
                state = self.poll()
            except ScriptTimeout:
                raise
            except Exception:
                # The document was torn down under the poll ("Execution context was
                # destroyed"): the next poll finds its successor. By design, not a bug: a script
                # cannot outlive its document (https://github.com/puppeteer/puppeteer/pull/2742
                # named the error Playwright reports).
                now = self.clock.monotonic()
                failed_since = now if failed_since is None else failed_since
                if now - failed_since > POLL_FAILURES_S:
                    raise
                self._pause(WATCH_INTERVAL_S)
                continue
            failed_since = None
            if not state or state["old"]:
                self._pause(WATCH_INTERVAL_S)
                continue
            if state["doc"] != first["doc"]:
                raise _Left(state["href"], left_ms, seen)
            if leaving_since is None and state["leaving"] is not None:
                leaving_since, left_ms = self.clock.monotonic(), state["leaving"]
                seen = self._read_before_it_goes()
            # A document on its way out stops loading, and would seem settled. One that stays
            # (its script only started a download) settles once LEAVE_WAIT_S has passed.
            staying = leaving_since is None or self.clock.monotonic() - leaving_since > LEAVE_WAIT_S
            loaded = state["readyState"] != "loading"
            if milestones is not None and not begun and (state["shown"] or loaded):
                milestones.begun()
                begun = True
            pause_s = WATCH_INTERVAL_S
            if staying and loaded:
                quiet_ms = state["now"] - state["lastChange"]
                if quiet_ms >= settle_ms:
                    return
                if milestones is not None and not over and quiet_ms >= HANDOVER_MS:
                    milestones.over()
                    over = True
                # Looked at again when it will have been quiet for long enough (to settle, or
                # first to hand on), not up to a whole interval later: a change meanwhile is
                # seen then, and the wait goes on.
                handing_on = milestones is not None and not over and quiet_ms < HANDOVER_MS
                next_ms = HANDOVER_MS if handing_on else settle_ms
                pause_s = min(pause_s, (next_ms - quiet_ms) / 1000)
            self._pause(pause_s)

    def _read_before_it_goes(self) -> dict[str, Any] | None:
        """Everything the leaving document recorded, while it is still there to ask."""
        try:
            data = self.page.evaluate(page_scripts.COLLECT, timeout_s=min(self.left(), 1.0))
        except Exception:
            return None  # already gone: its successor says where it went
        return dict(data) if data and not data["old"] else None

    def _pause(self, seconds: float) -> None:
        if self.clock.monotonic() > self.deadline:
            raise TimeoutError
        self.clock.sleep(seconds)


def _fill(recording: Recording, data: dict[str, Any], response: NavigationResponse | None,
          first: dict[str, Any] | None, preinstalled: bool, settings: RecordingConfig) -> None:
    recording.dom = [DomSample(t_ms=t, text_chars=c, elements=e) for t, c, e in data["samples"]]
    recording.time_origin_epoch_ms = data["timeOrigin"]
    recording.final_url = data.get("href") or (response.url if response is not None else None)
    recording.observer_ms = data.get("observerMs")
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
