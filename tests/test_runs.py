"""Recording a matrix of URLs x engines: what comes back, in which order. No browser."""

from __future__ import annotations

import itertools

from streamscope import lanes
from streamscope import runs as runs_module
from streamscope.config import load_config
from streamscope.engines import EngineInfo
from streamscope.recording import Recording
from streamscope.runs import record_runs
from tests.timelines import recording, streamed


class _Engine:
    def __init__(self, config: object, window: bool) -> None:
        self.name = config.name  # type: ignore[attr-defined]

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def test_a_url_given_twice_is_recorded_and_returned_twice(monkeypatch):
    taken = itertools.count(1)

    class Pipeline:
        def __init__(self, engine: _Engine, *_: object) -> None:
            self.engine = engine

        def record(self, url: str, **_: object) -> Recording:
            info = EngineInfo(self.engine.name, "", "", "", "")
            return Recording(url=url, engine=info, error=f"take {next(taken)}")

        def close(self) -> None:
            pass

    monkeypatch.setattr(lanes, "create_engine", _Engine)
    monkeypatch.setattr(lanes, "Pipeline", Pipeline)
    runs = record_runs(["http://h/a", "http://h/a", "http://h/b"], ["chromium", "firefox"],
                       load_config(None))
    # Engine by engine when recorded, URL by URL when returned.
    assert [(r.recording.url[-1], r.recording.browser, r.recording.error) for r in runs] == [
        ("a", "chromium", "take 1"), ("a", "firefox", "take 4"),
        ("a", "chromium", "take 2"), ("a", "firefox", "take 5"),
        ("b", "chromium", "take 3"), ("b", "firefox", "take 6"),
    ]


def test_a_recording_that_lost_its_paint_after_it_was_stored_is_judged_without_it(monkeypatch):
    # Its video could not be written: the paint goes after --json already held the run.
    held = recording(streamed(), paint=[(60, 0.1), (560, 0.2), (5010, 1.0)])

    def record_jobs(jobs, config, *, stored, **_):
        stored({0: held})
        held.lose_paint("the video could not be written")
        return {0: held}

    monkeypatch.setattr(runs_module, "record_jobs", record_jobs)
    seen: list[list[str]] = []
    finished = [run.verdict.verdict_from for run in
                record_runs([held.url], ["chromium"], load_config(None),
                            finished=lambda so_far: seen.append(
                                [run.verdict.verdict_from for run in so_far]))]
    assert seen == [["paint"]]
    assert finished == ["dom"]
