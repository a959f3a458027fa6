"""Recording a matrix of URLs × engines through the one pipeline, an engine started once a lane."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamscope.config import Config
from streamscope.lanes import Job, Progress, record_jobs
from streamscope.recording import Recording
from streamscope.verdict import Verdict, judge


@dataclass
class Run:
    recording: Recording
    verdict: Verdict

    @classmethod
    def of(cls, recording: Recording) -> Run:
        return cls(recording, judge(recording))

    def to_dict(self) -> dict[str, Any]:
        """The shape of `--json` output: the verdict's fields up front, the timeline below.

        `incremental` is the headline (what was painted, else the DOM), as `verdict_from` says.
        """
        v = self.verdict
        return {
            "url": self.recording.url,
            "browser": self.recording.browser,
            "incremental": v.incremental,
            "verdict_from": v.verdict_from,
            "reason": v.reason,
            "dom_incremental": v.dom_incremental,
            "dom_reason": v.dom_reason,
            "painted_incrementally": v.painted_incrementally,
            "paint_reason": v.paint_reason,
            "first_content_ms": v.first_content_ms,
            "first_paint_ms": v.first_paint_ms,
            "response_end_ms": v.response_end_ms,
            "timeline": self.recording.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        return cls.of(Recording.from_dict(data["timeline"]))


def record_runs(urls: Sequence[str], browsers: Sequence[str], config: Config, *,
                headed: bool = False, media: Path | None = None,
                progress: Progress | None = None, jobs: int = 1) -> list[Run]:
    """Every URL in every engine, ordered by URL then by `browsers`.

    With `media`, each engine runs in a window and every recording is filmed there, one
    numbered WebM each. An engine that cannot start yields runs carrying its error; the
    others still run. `jobs`: how many recordings run at once, each lane with engines of its
    own (lanes.py); the verdicts do not depend on it.
    """
    work = [Job(index, url, browser) for index, (browser, url)
            in enumerate((browser, url) for browser in browsers for url in urls)]
    recordings = record_jobs(work, config, lanes=jobs, headed=headed, media=media,
                             progress=progress)
    by_key = {(job.url, job.browser): recordings[job.index] for job in work}
    return [Run.of(by_key[url, browser]) for url in urls for browser in browsers]


def write_json(runs: Sequence[Run], path: Path, extra: dict[str, Any] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**(extra or {}), "runs": [run.to_dict() for run in runs]}
    path.write_text(json.dumps(document, indent=2))
