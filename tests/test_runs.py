"""Recording a matrix of URLs x engines: what comes back, in which order. No browser."""

from __future__ import annotations

import itertools
import json

from streamscope.config import load_config
from streamscope.engines import EngineInfo
from streamscope.recording import Recording
from streamscope.run import lanes
from streamscope.run import runs as runs_module
from streamscope.run.options import RunOptions
from streamscope.run.runs import Run, record_runs
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
                       RunOptions(load_config(None)))
    # Engine by engine when recorded, URL by URL when returned.
    assert [(r.recording.url[-1], r.recording.browser, r.recording.error) for r in runs] == [
        ("a", "chromium", "take 1"), ("a", "firefox", "take 4"),
        ("a", "chromium", "take 2"), ("a", "firefox", "take 5"),
        ("b", "chromium", "take 3"), ("b", "firefox", "take 6"),
    ]


def test_a_recording_that_lost_its_paint_after_it_was_stored_is_judged_without_it(monkeypatch):
    # Its video could not be written: the paint goes after --json already held the run.
    held = recording(streamed(), paint=[(60, 0.1), (560, 0.2), (5010, 1.0)])

    def record_jobs(jobs, options, *, stored, **_):
        stored({0: held})
        held.lose_paint("the video could not be written")
        return {0: held}

    monkeypatch.setattr(runs_module, "record_jobs", record_jobs)
    seen: list[list[str]] = []
    finished = [run.verdict.verdict_from for run in
                record_runs([held.url], ["chromium"], RunOptions(load_config(None)),
                            finished=lambda so_far: seen.append(
                                [run.verdict.verdict_from for run in so_far]))]
    assert seen == [["paint"]]
    assert finished == ["dom"]


class _Clock:
    """A clock that moves only when told, and by a write as long as `write_s`."""

    def __init__(self) -> None:
        self.now = 0.0
        self.write_s = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_json_is_rewritten_as_runs_finish_but_never_more_than_a_tenth_of_the_time(
    tmp_path, monkeypatch
):
    clock = _Clock()
    written: list[int] = []

    def write_json(runs, path, extra=None):
        written.append(len(runs))
        clock.now += clock.write_s
        path.write_text(json.dumps({"runs": len(runs)}))

    monkeypatch.setattr(runs_module, "write_json", write_json)
    out = runs_module.RunsFile(tmp_path / "out.json", clock=clock)
    finished = [Run.of(recording(streamed())) for _ in range(6)]
    out.update(finished[:1])
    out.update(finished[:2])  # cheap rewrites: every one goes at once
    assert written == [1, 2]
    clock.write_s = 1.0  # a long run's: 1 s each
    out.update(finished[:3])
    clock.now += 5.0
    out.update(finished[:4])  # 6 s after the 1 s rewrite began: held back
    out.update(finished[:5])
    assert written == [1, 2, 3]
    clock.now += 4.0
    out.update(finished[:6])  # 10 s after it began: due
    assert written == [1, 2, 3, 6]
    out.flush()  # nothing held back
    clock.now += 1.0
    out.update(finished[:5])
    out.flush()  # at the end, or on an interruption: what was held back goes in
    assert written == [1, 2, 3, 6, 5]
    assert json.loads((tmp_path / "out.json").read_text()) == {"runs": 5}
