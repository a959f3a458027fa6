"""Every way a recording ends, driven by a scripted page and clock: no browser, milliseconds."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from streamscope.config import RecordingConfig
from streamscope.engines import EngineInfo, NavigationResponse, ScriptTimeout
from streamscope.record import page_scripts
from streamscope.record.dom_recorder import COLLECT_GRACE_S, HANDOVER_MS, LEAVE_WAIT_S, record

INFO = EngineInfo("chromium", "Blink", "Chromium", "1", "test")
SETTINGS = RecordingConfig(timeout_s=2.0, settle_ms=250.0, poll_ms=5.0)
OLD = {"old": True, "wall": 1000.0}
WALL = 1.7e12
# An evaluation the page leaves unanswered: its main thread runs a script for BUSY_S.
BUSY = "busy"
BUSY_S = 30.0


def new(ready: str = "complete", quiet_ms: float = 300.0, wall: float = WALL,
        doc: str = "first", leaving: float | None = None,
        href: str = "http://127.0.0.1/x", shown: bool = True) -> dict[str, Any]:
    """A poll that found the new document `doc`, its DOM quiet for `quiet_ms`, showing
    content or not."""
    return {"old": False, "wall": wall, "now": 1000.0, "readyState": ready, "installed": 5.0,
            "lastChange": 1000.0 - quiet_ms, "samples": 2, "doc": doc, "href": href,
            "leaving": leaving, "shown": shown}


def collected(**changes: Any) -> dict[str, Any]:
    data = {"old": False, "navigated": True, "samples": [[5.0, 0, 0], [20.0, 40, 1]],
            "installed": 5.0, "timeOrigin": WALL, "responseEnd": 900.0,
            "legacyResponseEnd": 901.0, "status": 200, "contentType": "text/html",
            "readyState": "complete", "href": "http://127.0.0.1/x", "observerMs": 3.5}
    return data | changes


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@dataclass
class FakePage:
    """Answers the recorder's scripts from a script: each poll takes the next answer (the last
    one repeats), and every evaluation costs `cost_s` of the fake clock. An answer that is an
    exception is raised; BUSY holds the page for BUSY_S, or for the evaluation's time limit,
    which then raises ScriptTimeout."""

    clock: FakeClock
    polls: list[Any] = field(default_factory=lambda: [new()])
    collect: Any = field(default_factory=collected)
    init_scripts: bool = True
    response: NavigationResponse | None = NavigationResponse(200, "text/html")
    navigate_error: Exception | None = None
    cost_s: float = 0.001
    calls: list[str] = field(default_factory=list)
    limits: list[float | None] = field(default_factory=list)  # each evaluation's timeout_s

    def add_init_script(self, script: str) -> bool:
        return self.init_scripts

    def navigate(self, url: str, timeout_s: float) -> NavigationResponse | None:
        self.calls.append("navigate")
        if self.navigate_error is not None:
            raise self.navigate_error
        return self.response

    def evaluate(self, body: str, timeout_s: float | None = None) -> Any:
        self.clock.now += self.cost_s
        if body == page_scripts.MARK_OLD_DOCUMENT:
            return WALL
        self.limits.append(timeout_s)
        if body == page_scripts.POLL:
            self.calls.append("poll")
            answer = self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]
        elif body == page_scripts.COLLECT:
            self.calls.append("collect")
            answer = self.collect
        else:
            raise AssertionError(f"unexpected script {body[:40]!r}")
        if isinstance(answer, Exception):
            raise answer
        if answer == BUSY:
            if timeout_s is None or timeout_s >= BUSY_S:
                raise AssertionError("a busy page held the recorder past its time limit")
            self.clock.now += timeout_s
            raise ScriptTimeout("busy")
        return answer

    def evaluate_async(self, body: str) -> Any:
        raise AssertionError("no paint capture here")

    def screenshot(self, path: Path) -> None:
        raise AssertionError("not used")

    def close(self) -> None:
        pass


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def run(page: FakePage, clock: FakeClock, settings: RecordingConfig = SETTINGS, no_page=None):
    return record(page, INFO, "http://127.0.0.1/x", settings, clock=clock, no_page=no_page)


def test_a_page_that_loads_and_settles_is_recorded(clock):
    recording = run(FakePage(clock), clock)
    assert recording.error is None and not recording.timed_out and not recording.never_ended
    assert recording.final_url == "http://127.0.0.1/x" and recording.observer_ms == 3.5
    assert recording.ended and recording.response_end_ms == 901.0
    assert [(s.t_ms, s.text_chars) for s in recording.dom] == [(5.0, 0), (20.0, 40)]
    assert recording.status == 200 and recording.committed_ms == 5.0
    assert recording.dom_error_ms == 0.0
    assert "init script" in recording.methods["dom"]


def test_it_waits_until_the_dom_is_quiet_for_settle_ms(clock):
    page = FakePage(clock, polls=[new(quiet_ms=0), new(quiet_ms=0), new(quiet_ms=100),
                                  new(quiet_ms=300)])
    run(page, clock)
    # The first poll found the document; the settling polls went on until one was quiet.
    assert page.calls == ["navigate", "poll", "poll", "poll", "poll", "collect"]


def test_a_quiet_page_is_looked_at_again_when_its_settle_time_is_up(clock):
    page = FakePage(clock, polls=[new(quiet_ms=0), new(ready="loading"), new(quiet_ms=230),
                                  new(quiet_ms=250)])
    run(page, clock)
    # While it loads, every interval; once quiet for 230 of 250 ms, 20 ms later.
    assert clock.pauses[-2:] == [pytest.approx(0.05), pytest.approx(0.02)]


class Milestones:
    """What the recorder tells of a stream's milestones, with the polls made by then."""

    def __init__(self, page: FakePage) -> None:
        self.page, self.told = page, []

    def begun(self) -> None:
        self.told.append(("begun", self.page.calls.count("poll")))

    def over(self) -> None:
        self.told.append(("over", self.page.calls.count("poll")))


def told(page: FakePage, clock: FakeClock) -> list[tuple[str, int]]:
    milestones = Milestones(page)
    entered = []

    @contextmanager
    def streaming():
        entered.append(list(page.calls))
        try:
            yield milestones
        finally:
            milestones.told.append(("left", page.calls.count("poll")))

    record(page, INFO, "http://127.0.0.1/x", SETTINGS, clock=clock, streaming=streaming)
    assert entered == [[]]  # before the navigation
    return milestones.told


def test_a_stream_has_begun_once_the_page_shows_content_and_is_over_once_quiet(clock):
    page = FakePage(clock, polls=[new(ready="loading", shown=False),
                                  new(ready="loading", shown=False),
                                  new(ready="loading", quiet_ms=0), new(quiet_ms=HANDOVER_MS - 1),
                                  new(quiet_ms=HANDOVER_MS), new(quiet_ms=200),
                                  new(quiet_ms=300)])
    # The first poll found the document; the third showed content; the fifth, quiet long
    # enough (lanes taking turns hand on there); the seventh, settled.
    assert told(page, clock) == [("begun", 3), ("over", 5), ("left", 7)]
    # Once loaded and quiet for 99 ms, looked at again 1 ms later, not a whole interval.
    assert clock.pauses[2] == pytest.approx(0.001)


def test_a_page_that_shows_nothing_has_begun_when_its_response_has_ended(clock):
    page = FakePage(clock, polls=[new(ready="loading", shown=False),
                                  new(ready="loading", shown=False), new(shown=False)])
    # Settled at that poll too: the stream ends with the recording, told no more.
    assert told(page, clock) == [("begun", 3), ("left", 3)]


def test_a_page_that_never_ends_is_told_of_no_milestone_but_content(clock):
    page = FakePage(clock, polls=[new(ready="loading")], collect=collected(readyState="loading"))
    assert [what for what, _ in told(page, clock)] == ["begun", "left"]
    assert clock.now == pytest.approx(SETTINGS.timeout_s, abs=0.06)


def test_the_time_limit_while_the_old_document_is_still_there(clock):
    page = FakePage(clock, polls=[OLD], collect=collected(old=True))
    recording = run(page, clock)
    assert recording.timed_out and recording.error is None
    assert recording.dom == [] and not recording.ended
    assert clock.now == pytest.approx(SETTINGS.timeout_s, abs=0.05)


def test_a_response_that_never_ends_is_recorded_up_to_the_time_limit(clock):
    page = FakePage(clock, polls=[new(ready="loading")],
                    collect=collected(readyState="loading"))
    recording = run(page, clock)
    assert recording.timed_out and not recording.ended and recording.never_ended
    assert recording.error is None
    assert recording.response_end_ms is None
    assert len(recording.dom) == 2  # what was seen stands
    assert clock.now <= SETTINGS.timeout_s + 0.1


def test_a_navigation_error_is_the_recordings_error(clock):
    page = FakePage(clock, navigate_error=RuntimeError("net::ERR_CONNECTION_REFUSED\ncall log"))
    recording = run(page, clock)
    assert recording.error == "net::ERR_CONNECTION_REFUSED"
    assert recording.dom == []


def test_a_page_gone_at_the_end_is_the_recordings_error(clock):
    page = FakePage(clock, collect=RuntimeError("Target page, context or browser has been closed"))
    recording = run(page, clock)
    assert recording.error == ("the page could not be read at the end: Target page, context or "
                               "browser has been closed")


def test_an_engine_that_loaded_no_page_says_so(clock):
    page = FakePage(clock, response=None, collect=collected(navigated=False))
    recording = run(page, clock)
    assert recording.error == "no response from http://127.0.0.1/x: the engine loaded no page"


def test_an_injected_observer_states_its_error_bound(clock):
    # No init scripts: the observer is injected by the first poll that finds the new document,
    # so the commit may be as late as the gap since the last poll that saw the old one.
    page = FakePage(clock, init_scripts=False, response=None,
                    polls=[{"old": True, "wall": WALL - 7.5}, new(wall=WALL)])
    recording = run(page, clock)
    assert recording.dom_error_ms == 7.5
    assert "injected" in recording.methods["dom"]
    assert "Navigation Timing" in recording.methods["status"]


def test_a_busy_main_thread_holds_no_poll_past_the_time_limit(clock):
    # The page answers twice, then runs a script for longer than the time limit.
    page = FakePage(clock, polls=[new(ready="loading"), new(ready="loading"), BUSY],
                    collect=BUSY)
    recording = run(page, clock)
    assert recording.timed_out
    assert recording.error.startswith("the page's main thread was busy when the 2 s time limit")
    assert "nothing could be read" in recording.error
    # Every script was given what was left of the time limit, and the last read a grace.
    assert None not in page.limits
    assert clock.now <= SETTINGS.timeout_s + COLLECT_GRACE_S + 0.01


def test_a_page_busy_until_just_after_the_time_limit_is_read_in_the_grace(clock):
    page = FakePage(clock, polls=[new(ready="loading"), BUSY],
                    collect=collected(readyState="loading"))
    recording = run(page, clock)
    assert recording.timed_out and recording.never_ended and recording.error is None
    assert len(recording.dom) == 2


def test_a_page_that_navigates_itself_away_says_where_and_keeps_what_it_showed(clock):
    leaving = new(ready="loading", leaving=312.0)
    gone = RuntimeError("Execution context was destroyed, most likely because of a navigation")
    successor = new(doc="next", href="http://127.0.0.1/elsewhere")
    page = FakePage(clock, polls=[new(ready="loading"), leaving, gone, successor],
                    collect=collected(readyState="loading"))
    recording = run(page, clock)
    assert recording.error == ("the page navigated itself to http://127.0.0.1/elsewhere at "
                               "312 ms, before it had finished loading: record that URL instead")
    assert recording.final_url == "http://127.0.0.1/elsewhere"
    # What the document showed before it left was read while it was leaving.
    assert [s.text_chars for s in recording.dom] == [0, 40]
    assert page.calls.count("collect") == 1


def test_a_document_replaced_unannounced_is_seen_by_its_new_mark(clock):
    # An observer injected after the page left (WebKitGTK) saw no beforeunload.
    successor = new(doc="next", href="http://127.0.0.1/elsewhere")
    page = FakePage(clock, polls=[new(ready="loading"), successor])
    recording = run(page, clock)
    assert recording.error.startswith("the page navigated itself to http://127.0.0.1/elsewhere,")
    assert recording.dom == []


def test_a_document_whose_time_origin_moves_is_still_the_same_document(clock):
    # WebKitGTK computes performance.timeOrigin anew at each call, from two clocks: on a busy
    # machine one document's polls saw it move by up to 100 ms. The recorder once took that
    # for another document, "the page navigated itself to" its own URL (streamscope#22).
    polls = [new(ready="loading") | {"origin": WALL}, new(ready="loading") | {"origin": WALL + 1},
             new() | {"origin": WALL + 99}]
    page = FakePage(clock, polls=polls)
    recording = run(page, clock)
    assert recording.error is None
    assert recording.final_url == "http://127.0.0.1/x"


def test_a_page_that_began_to_leave_but_stayed_settles_after_the_wait(clock):
    # Its script started a download: the document stays.
    page = FakePage(clock, polls=[new(leaving=100.0)])
    recording = run(page, clock)
    assert recording.error is None and not recording.timed_out
    assert LEAVE_WAIT_S <= clock.now < LEAVE_WAIT_S + 0.2


def test_polls_that_keep_failing_are_the_recordings_error(clock):
    page = FakePage(clock, polls=[new(ready="loading"), RuntimeError("Target crashed")])
    recording = run(page, clock)
    assert recording.error == "Target crashed"
    assert clock.now < 1.5


def test_the_raw_clients_reason_ends_the_wait_for_a_document_that_will_not_come(clock):
    # WebKitGTK reports no navigation errors: it keeps showing the page it was on.
    page = FakePage(clock, polls=[OLD], response=None)
    answers = iter([None, None, "the response is a download, not a page"])
    recording = run(page, clock, no_page=lambda: next(answers))
    assert recording.error == "the response is a download, not a page"
    assert page.calls.count("poll") == 3 and clock.now < 0.1


def test_an_observer_injected_by_the_first_poll_is_bounded_by_the_navigation(clock):
    # The new document was there at the first poll (a remote round trip took longer than the
    # commit): it may have been created any time since the old one was marked.
    page = FakePage(clock, init_scripts=False, response=None, polls=[new(wall=WALL + 42.0)])
    assert run(page, clock).dom_error_ms == 42.0
