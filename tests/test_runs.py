"""Recording a matrix of URLs x engines: what comes back, in which order. No browser."""

from __future__ import annotations

import itertools

from streamscope import lanes
from streamscope.config import load_config
from streamscope.engines import EngineInfo
from streamscope.recording import Recording
from streamscope.runs import record_runs


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
