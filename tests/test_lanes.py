"""Planning recordings onto lanes, a lane's clock, and an interrupted run: no browser."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

import pytest
from playwright._impl import _transport

from streamscope.config import load_config
from streamscope.engines import EngineError, EngineInfo, playwright_driver
from streamscope.prove.verify import FixReplay
from streamscope.recording import Recording
from streamscope.run import lanes as lanes_module
from streamscope.run.lanes import Job, plan_lanes, record_jobs
from streamscope.run.options import RunOptions
from streamscope.run.turns import CancellableClock, Cancelled, Turns
from tests.timelines import recording, wire

URLS = ("/a", "/b", "/c")


def jobs(browsers: tuple[str, ...] = ("chromium", "firefox", "webkit"),
         urls: tuple[str, ...] = URLS) -> list[Job]:
    pairs = [(browser, url) for browser in browsers for url in urls]
    return [Job(index, url, browser) for index, (browser, url) in enumerate(pairs)]


def shape(lanes: list[list[Job]]) -> list[list[str]]:
    return [[f"{job.browser}{job.url}" for job in lane] for lane in lanes]


def test_one_lane_records_everything_in_order():
    work = jobs()
    assert plan_lanes(work, 1, {}) == [work]


def test_one_lane_per_engine_when_there_are_as_many_lanes_as_engines():
    assert shape(plan_lanes(jobs(), 3, {})) == [
        ["chromium/a", "chromium/b", "chromium/c"],
        ["firefox/a", "firefox/b", "firefox/c"],
        ["webkit/a", "webkit/b", "webkit/c"],
    ]


def test_fewer_lanes_than_engines_keep_each_engine_whole():
    lanes = plan_lanes(jobs(), 2, {})
    assert sorted(len(lane) for lane in lanes) == [3, 6]
    assert all(len({job.browser for job in lane}) == len(lane) // 3 for lane in lanes)


def test_spare_lanes_split_the_busiest_engine():
    lanes = plan_lanes(jobs(("chromium",), ("/a", "/b", "/c", "/d")), 3, {})
    assert shape(lanes) == [["chromium/a", "chromium/b"], ["chromium/c"], ["chromium/d"]]


def test_an_engine_gets_no_more_lanes_than_it_may_run_at_once():
    lanes = plan_lanes(jobs(("chromium", "webkit")), 6, {"webkit": 1})
    assert shape(lanes) == [["chromium/a"], ["chromium/b"], ["chromium/c"],
                            ["webkit/a", "webkit/b", "webkit/c"]]


def test_no_lane_is_empty_and_every_job_is_planned_once():
    work = jobs(urls=("/a",))
    lanes = plan_lanes(work, 8, {})
    assert all(lanes) and sorted(job.index for lane in lanes for job in lane) == [0, 1, 2]


def test_the_lane_clock_pauses_until_the_run_is_cancelled():
    cancelled = threading.Event()
    clock = CancellableClock(cancelled)
    clock.sleep(0.001)
    cancelled.set()
    with pytest.raises(Cancelled):
        clock.sleep(60)


class _Engine:
    """Enough of an Engine for a lane: a name, start and stop."""

    def __init__(self, config: object, window: bool) -> None:
        self.name = config.name  # type: ignore[attr-defined]
        self.stopped = False

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_recording_cut_by_an_interruption_is_not_stored(monkeypatch, lanes):
    # The signal reached the automation library, which took it for its call's failure: the
    # recording comes back with an error, as if the page had failed. It is not a finished run.
    stop = threading.Event()
    engines: list[_Engine] = []

    class Pipeline:
        def __init__(self, engine: _Engine, *_: object) -> None:
            engines.append(engine)

        def record(self, url: str, **_: object) -> Recording:
            stop.set()
            return Recording(url=url, engine=EngineInfo("chromium", "", "", "", ""),
                             error="Connection closed while reading from the driver")

        def close(self) -> None:
            pass

    monkeypatch.setattr(lanes_module, "create_engine", _Engine)
    monkeypatch.setattr(lanes_module, "Pipeline", Pipeline)
    stored: list[dict[int, Recording]] = []
    with pytest.raises(Cancelled):
        record_jobs(jobs(("chromium", "firefox"), ("/a",)),
                    RunOptions(load_config(None), jobs=lanes, stop=stop), stored=stored.append)
    assert stored == []
    assert engines and all(engine.stopped for engine in engines)


class FakeDriver:
    """sync_playwright() as the driver module uses it: start() gives a driver to stop()."""

    def __init__(self) -> None:
        self.started = 0
        self.stopped = 0

    def __call__(self) -> FakeDriver:
        return self

    def start(self) -> FakeDriver:
        self.started += 1
        return self

    def stop(self) -> None:
        self.stopped += 1


def test_a_lane_starts_one_playwright_driver_for_all_its_engines(monkeypatch):
    fake = FakeDriver()
    monkeypatch.setattr(playwright_driver, "sync_playwright", fake)
    with playwright_driver.kept():
        for _engine in ("chromium", "firefox", "webkit's look for Playwright's build"):
            playwright_driver.acquire()
            playwright_driver.release()
        assert (fake.started, fake.stopped) == (1, 0)
    assert (fake.started, fake.stopped) == (1, 1)
    playwright_driver.acquire()  # outside a lane, a driver lasts as long as its engine
    playwright_driver.release()
    assert (fake.started, fake.stopped) == (2, 2)


def test_our_driver_has_a_temporary_folder_of_its_own_removed_once_it_stopped(monkeypatch):
    # Where a driver killed mid-launch leaves what it made (its playwright-artifacts-* folder).
    monkeypatch.setattr(playwright_driver, "sync_playwright", FakeDriver())
    before = _transport.get_driver_env()
    assert before.get("TMPDIR") == os.environ.get("TMPDIR")
    playwright_driver.acquire()
    folder = Path(_transport.get_driver_env()["TMPDIR"])
    assert folder.is_dir() and folder.name.startswith(playwright_driver.TEMPORARY_PREFIX)
    (folder / "playwright-artifacts-left").mkdir()
    seen_elsewhere: list[str | None] = []
    other = threading.Thread(target=lambda: seen_elsewhere.append(
        _transport.get_driver_env().get("TMPDIR")))
    other.start()
    other.join()
    assert seen_elsewhere == [os.environ.get("TMPDIR")]  # another lane's driver: not ours
    playwright_driver.release()
    assert not folder.exists()


@pytest.mark.parametrize("lanes", [1, 2])
def test_the_run_is_told_once_when_the_last_recording_is_in_before_the_engines_stop(
    monkeypatch, lanes
):
    # What comes after the recordings (a report's figures) can begin while the engines stop.
    engines: list[_Engine] = []
    told: list[tuple[list[int], list[bool]]] = []

    class Pipeline:
        def __init__(self, engine: _Engine, *_: object) -> None:
            engines.append(engine)

        def record(self, url: str, **_: object) -> Recording:
            return Recording(url=url, engine=EngineInfo("chromium", "", "", "", ""))

        def close(self) -> None:
            pass

    def recorded(recordings: dict[int, Recording]) -> None:
        told.append((sorted(recordings), [engine.stopped for engine in engines]))

    monkeypatch.setattr(lanes_module, "create_engine", _Engine)
    monkeypatch.setattr(lanes_module, "Pipeline", Pipeline)
    record_jobs(jobs(("chromium", "firefox"), ("/a", "/b")),
                RunOptions(load_config(None), jobs=lanes), recorded=recorded)
    ((indexes, stopped),) = told
    assert indexes == [0, 1, 2, 3]
    assert not all(stopped)  # the last lane's engine was still up


def test_replays_on_two_lanes_of_one_engine_are_filmed_to_videos_of_their_own(
    monkeypatch, tmp_path
):
    # Each lane replays its held recording, unchanged then fixed, into the same media folder.
    filmed: list[Path] = []

    def held(url: str) -> Recording:
        """Held by a compressor: a fix the harness replays (the body uncompressed)."""
        rec = replace(recording([(5010, 100, 10)], committed=5010,
                                paint=[(0.0, 0.0), (5020.0, 1.0)]), url=url)
        rec.wire = replace(wire([4990, 4991], encoding="gzip"), body=b"x")
        rec.wire_identity = replace(wire([i * 500.0 for i in range(10)]), body=b"<li>x</li>")
        return rec

    class Pipeline:
        def __init__(self, engine: _Engine, *_: object) -> None:
            self.engine = engine

        def record(self, url: str, video: Path | None = None, wire: bool = True) -> Recording:
            if video is not None:
                filmed.append(video)
            return held(url)  # a replay too: the unchanged one reproduces the verdict

        def discard_video(self, video: Path) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(lanes_module, "create_engine", _Engine)
    monkeypatch.setattr(lanes_module, "Pipeline", Pipeline)
    replays: dict[int, FixReplay] = {}
    record_jobs(jobs(("chromium",), ("/a", "/b")),
                RunOptions(load_config(None), media=tmp_path, verify_fixes=True, jobs=2),
                replays=replays)
    assert sorted(replays) == [0, 1]
    replayed = [video for video in filmed if "replay" in video.name]
    assert len(replayed) == 4 and len(set(replayed)) == 4


def test_lanes_taking_turns_stream_one_page_at_a_time_as_their_engines_start(monkeypatch):
    # repro's lanes: the engines start side by side, the pages stream one at a time from the
    # first engine up, and no engine stops beside a page that streams.
    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def log(what: str, name: str) -> None:
        with lock:
            events.append((what, name))

    class Engine(_Engine):
        def start(self) -> None:
            log("starting", self.name)
            if self.name == "firefox":  # the slow one: the others stream meanwhile
                threading.Event().wait(0.2)
            log("started", self.name)

        def stop(self) -> None:
            log("stop", self.name)

    class Pipeline:
        def __init__(self, engine: Engine, config: object, clock: object, videos: object,
                     turn: Callable[[], AbstractContextManager[object]]) -> None:
            self.engine, self.turn = engine, turn

        def record(self, url: str, **_: object) -> Recording:
            log("set up", self.engine.name)
            with self.turn():
                log("stream", self.engine.name)
                threading.Event().wait(0.01)
                log("settled", self.engine.name)
            return Recording(url=url, engine=EngineInfo(self.engine.name, "", "", "", ""))

        def close(self) -> None:
            pass

    monkeypatch.setattr(lanes_module, "create_engine", Engine)
    monkeypatch.setattr(lanes_module, "Pipeline", Pipeline)
    recordings = record_jobs(jobs(urls=("/a", "/b")),
                             RunOptions(load_config(None), jobs=3, taking_turns=True))
    assert len(recordings) == 6 and not any(r.error for r in recordings.values())
    kinds = [what for what, _ in events]
    streaming = [what for what in kinds if what in ("stream", "settled")]
    assert streaming == ["stream", "settled"] * 6  # one at a time
    # The slow engine was still starting when the first page streamed.
    assert kinds.index("stream") < events.index(("started", "firefox"))
    assert kinds.index("stop") > max(i for i, what in enumerate(kinds) if what == "settled")


def test_a_lane_whose_engine_cannot_start_holds_no_turn_up(monkeypatch):
    class Engine(_Engine):
        def start(self) -> None:
            if self.name == "webkit":
                raise EngineError("webkit: WebKitWebDriver is missing")

    class Pipeline:
        def __init__(self, engine: Engine, config: object, clock: object, videos: object,
                     turn: Callable[[], AbstractContextManager[object]]) -> None:
            self.engine, self.turn = engine, turn

        def record(self, url: str, **_: object) -> Recording:
            with self.turn():
                return Recording(url=url, engine=EngineInfo(self.engine.name, "", "", "", ""))

        def close(self) -> None:
            pass

    monkeypatch.setattr(lanes_module, "create_engine", Engine)
    monkeypatch.setattr(lanes_module, "Pipeline", Pipeline)
    recordings = record_jobs(jobs(urls=("/a",)),
                             RunOptions(load_config(None), jobs=3, taking_turns=True))
    assert [(r.browser, r.error) for r in recordings.values()].count(
        ("webkit", "webkit: WebKitWebDriver is missing")) == 1
    assert sum(r.error is None for r in recordings.values()) == 2


def test_a_lane_waiting_for_its_turn_leaves_the_line_when_the_run_is_cancelled():
    cancelled = threading.Event()
    turns = Turns(1, cancelled.is_set)
    raised: list[BaseException] = []

    def wait_for_a_turn() -> None:
        try:
            with turns.turn():
                pass
        except BaseException as exc:
            raised.append(exc)

    with turns.turn():
        waiting = threading.Thread(target=wait_for_a_turn)
        waiting.start()
        cancelled.set()
        waiting.join()
    assert len(raised) == 1 and isinstance(raised[0], Cancelled)
    cancelled.clear()
    with turns.turn():  # the line is free again
        pass


@pytest.mark.parametrize(("until", "hands_on_at"), [("over", "over"), ("begun", "begun")])
def test_a_turn_is_handed_on_at_the_milestone_its_turns_name(until, hands_on_at):
    # --take-turns hands a turn on once the stream is over, --jobs once it has begun.
    turns = Turns(1, lambda: False, until=until)
    order: list[str] = []
    second_began = threading.Event()

    def second() -> None:
        with turns.turn():
            order.append("second")
            second_began.set()

    with turns.turn() as first:
        waiting = threading.Thread(target=second)
        waiting.start()
        for milestone in ("begun", "over"):
            order.append(milestone)
            getattr(first, milestone)()
            if milestone == hands_on_at:
                assert second_began.wait(5)
            elif not second_began.is_set():
                assert not second_began.wait(0.05)  # held on past this milestone
        order.append("left")
    waiting.join()
    assert order.index("second") == order.index(hands_on_at) + 1
