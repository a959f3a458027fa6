"""Every way a recording ends, driven by a scripted page and clock: no browser, milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from streamscope import page_scripts
from streamscope.config import RecordingConfig
from streamscope.engines import EngineInfo, NavigationResponse
from streamscope.recorder import record

INFO = EngineInfo("chromium", "Blink", "Chromium", "1", "test")
SETTINGS = RecordingConfig(timeout_s=2.0, settle_ms=250.0, poll_ms=5.0)
OLD = {"old": True, "wall": 1000.0}
WALL = 1.7e12


def new(ready: str = "complete", quiet_ms: float = 300.0, wall: float = WALL) -> dict[str, Any]:
    """A poll that found the new document, its DOM quiet for `quiet_ms`."""
    return {"old": False, "wall": wall, "now": 1000.0, "readyState": ready, "installed": 5.0,
            "lastChange": 1000.0 - quiet_ms, "samples": 2}


def collected(**changes: Any) -> dict[str, Any]:
    data = {"old": False, "navigated": True, "samples": [[5.0, 0, 0], [20.0, 40, 1]],
            "installed": 5.0, "timeOrigin": WALL, "responseEnd": 900.0,
            "legacyResponseEnd": 901.0, "status": 200, "contentType": "text/html",
            "readyState": "complete"}
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
    one repeats), and every evaluation costs `cost_s` of the fake clock."""

    clock: FakeClock
    polls: list[Any] = field(default_factory=lambda: [new()])
    collect: Any = field(default_factory=collected)
    init_scripts: bool = True
    response: NavigationResponse | None = NavigationResponse(200, "text/html")
    navigate_error: Exception | None = None
    cost_s: float = 0.001
    calls: list[str] = field(default_factory=list)

    def add_init_script(self, script: str) -> bool:
        return self.init_scripts

    def navigate(self, url: str, timeout_s: float) -> NavigationResponse | None:
        self.calls.append("navigate")
        if self.navigate_error is not None:
            raise self.navigate_error
        return self.response

    def evaluate(self, body: str) -> Any:
        self.clock.now += self.cost_s
        if body == page_scripts.MARK_OLD_DOCUMENT:
            return WALL
        if body == page_scripts.POLL:
            self.calls.append("poll")
            return self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]
        if body == page_scripts.COLLECT:
            if isinstance(self.collect, Exception):
                raise self.collect
            return self.collect
        raise AssertionError(f"unexpected script {body[:40]!r}")

    def evaluate_async(self, body: str) -> Any:
        raise AssertionError("no paint capture here")

    def screenshot(self, path: Path) -> None:
        raise AssertionError("not used")

    def close(self) -> None:
        pass


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def run(page: FakePage, clock: FakeClock, settings: RecordingConfig = SETTINGS):
    return record(page, INFO, "http://127.0.0.1/x", settings, clock=clock)


def test_a_page_that_loads_and_settles_is_recorded(clock):
    recording = run(FakePage(clock), clock)
    assert recording.error is None and not recording.timed_out
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
    assert page.calls == ["navigate", "poll", "poll", "poll", "poll"]


def test_a_quiet_page_is_looked_at_again_when_its_settle_time_is_up(clock):
    page = FakePage(clock, polls=[new(quiet_ms=0), new(ready="loading"), new(quiet_ms=230),
                                  new(quiet_ms=250)])
    run(page, clock)
    # While it loads, every interval; once quiet for 230 of 250 ms, 20 ms later.
    assert clock.pauses[-2:] == [pytest.approx(0.05), pytest.approx(0.02)]


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
    assert recording.timed_out and not recording.ended
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


def test_an_observer_injected_by_the_first_poll_is_bounded_by_the_navigation(clock):
    # The new document was there at the first poll (a remote round trip took longer than the
    # commit): it may have been created any time since the old one was marked.
    page = FakePage(clock, init_scripts=False, response=None, polls=[new(wall=WALL + 42.0)])
    assert run(page, clock).dom_error_ms == 42.0
