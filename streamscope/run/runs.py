"""Recording a matrix of URLs × engines through the one pipeline, an engine started once a lane."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamscope.errors import one_line
from streamscope.files import write_json_atomically
from streamscope.judge.verdict import Verdict, judge
from streamscope.prove.verify import FixReplay
from streamscope.recording import Recording
from streamscope.run.lanes import Job, record_jobs
from streamscope.run.options import RunOptions

# Every run finished so far, in the order record_runs returns them, after each recording.
Finished = Callable[[list["Run"]], None]
# The most of a run's time that rewriting its --json may take (RunsFile).
REWRITE_SHARE = 0.1


@dataclass
class Run:
    recording: Recording
    verdict: Verdict
    fix_replay: FixReplay | None = None  # the fix proved (or not) by a replay, where tried

    @classmethod
    def of(cls, recording: Recording, fix_replay: FixReplay | None = None) -> Run:
        return cls(recording, judge(recording), fix_replay)

    def to_dict(self) -> dict[str, Any]:
        """The shape of `--json` output: the verdict's fields up front, the timeline below.

        `incremental` is the headline (what was painted, else the DOM), as `verdict_from` says.
        `error` says why nothing was recorded; `status` and `final_url` are the document's (after
        redirects); `never_ended`: the response was still arriving at the time limit.
        """
        v, recording = self.verdict, self.recording
        return {
            "url": recording.url,
            "browser": recording.browser,
            "status": recording.status,
            "final_url": recording.final_url,
            "error": recording.error,
            "never_ended": recording.never_ended,
            "incremental": v.incremental,
            "verdict_from": v.verdict_from,
            "reason": v.reason,
            **v.diagnosis.to_dict(),
            **_prefixed("dom_", v.dom_diagnosis.to_dict()),
            **_prefixed("paint_", v.paint_diagnosis.to_dict() if v.paint_diagnosis else
                        dict.fromkeys(("cause", "fix", "evidence", "safari"))),
            "dom_incremental": v.dom_incremental,
            "dom_reason": v.dom_reason,
            "painted_incrementally": v.painted_incrementally,
            "paint_reason": v.paint_reason,
            "first_content_ms": v.first_content_ms,
            "first_paint_ms": v.first_paint_ms,
            "response_end_ms": v.response_end_ms,
            "fix_verified": None if self.fix_replay is None else self.fix_replay.verified,
            "fix_replay": None if self.fix_replay is None else self.fix_replay.to_dict(),
            "timeline": self.recording.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        replay = data.get("fix_replay")
        fix_replay = None if replay is None else FixReplay.from_dict(data["fix_verified"], replay)
        return cls.of(Recording.from_dict(data["timeline"]), fix_replay)


def _prefixed(prefix: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {prefix + key: value for key, value in fields.items()}


def record_runs(urls: Sequence[str], browsers: Sequence[str], options: RunOptions, *,
                finished: Finished | None = None,
                recorded: Finished | None = None) -> list[Run]:
    """Every URL in every engine, ordered by URL then by `browsers`, recorded as `options`
    says (options.py).

    An engine that cannot start yields runs carrying its error; the others still run. The
    verdicts do not depend on how many recordings run at once. `finished` gets the runs
    finished so far, in the same order, each time one finishes (so that --json holds them if
    the run is interrupted); `recorded` gets them all once the last is, before every video is
    written (lanes.py).
    """
    # Jobs numbered engine by engine (an engine starts once), returned URL by URL, each by its
    # place in `urls`, not by URL: a URL given three times is recorded, and returned, thrice.
    work = [Job(index, url, browser) for index, (browser, url)
            in enumerate((browser, url) for browser in browsers for url in urls)]
    order = [b * len(urls) + place for place in range(len(urls)) for b in range(len(browsers))]
    replays: dict[int, FixReplay] | None = {} if options.verify_fixes else None
    judged: dict[int, Run] = {}

    def runs_of(recordings: Mapping[int, Recording]) -> list[Run]:
        for i, recording in recordings.items():
            replay = (replays or {}).get(i)
            run = judged.get(i)
            if run is None or run.recording is not recording or run.fix_replay is not replay:
                judged[i] = Run.of(recording, replay)  # judged once, not at every later job
        return [judged[i] for i in order if i in recordings]

    recordings = record_jobs(
        work, options, replays=replays,
        stored=None if finished is None else (lambda so_far: finished(runs_of(so_far))),
        recorded=None if recorded is None else (lambda every: recorded(runs_of(every))))
    # Judged again: a recording whose video could not be written has lost its paint since.
    judged.clear()
    return runs_of(recordings)


def write_json(runs: Sequence[Run], path: Path, extra: dict[str, Any] | None = None) -> None:
    """`runs` and the `extra` keys as one JSON document, written whole (files.py)."""
    write_json_atomically(path, {**(extra or {}), "runs": [run.to_dict() for run in runs]})


class RunsFile:
    """A run's --json, holding the runs finished so far as they finish (write_json).

    Each rewrite costs as much as the runs so far (3,000 runs, 22 MB: 1.2 s, taken while the
    lanes wait), so rewriting after every run costs a long run its square: half an hour for
    those 3,000. A rewrite therefore waits until the last one's time, over REWRITE_SHARE, has
    passed since that one began; the runs it holds back go in with the next, or with flush(),
    which the run calls at its end and when it is interrupted. A short run's rewrites take
    milliseconds and none waits.
    """

    def __init__(self, path: Path, extra: dict[str, Any] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._extra = extra
        self._clock = clock
        self._held: list[Run] | None = None
        self._due = 0.0  # the clock's time from which the next rewrite may go
        self._lock = threading.Lock()

    def update(self, runs: Sequence[Run]) -> None:
        """`runs` are every run finished so far: written now, or held back for a while."""
        with self._lock:
            self._held = list(runs)
            if self._clock() >= self._due:
                self._write_held()

    def flush(self) -> None:
        """Writes the runs held back, if any."""
        with self._lock:
            if self._held is not None:
                self._write_held()

    def _write_held(self) -> None:
        runs, self._held = self._held, None
        assert runs is not None
        began = self._clock()
        write_json(runs, self.path, self._extra)
        self._due = began + (self._clock() - began) / REWRITE_SHARE


def read_json(path: Path) -> tuple[list[Run], dict[str, Any]]:
    """The runs of a file that write_json wrote, judged again from their timelines, and the
    file's other keys (such as `machine`). A file that is not one is a ValueError naming it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        runs = [Run.from_dict(run) for run in document["runs"]]
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path} is not a streamscope --json file "
                         f"({type(exc).__name__}: {one_line(exc)})") from exc
    if not runs:
        raise ValueError(f"{path} holds no runs")
    return runs, {key: value for key, value in document.items() if key != "runs"}
