"""Recording a matrix of URLs × engines, each engine started once, through the one pipeline."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamscope.config import Config
from streamscope.engines import EngineError, EngineInfo, create_engine
from streamscope.errors import one_line
from streamscope.pipeline import Pipeline
from streamscope.recording import Recording
from streamscope.verdict import Verdict, judge
from streamscope.verify import FixReplay, verify_fix

# (recordings done, recordings in all, url, browser) before each recording starts.
Progress = Callable[[int, int, str, str], None]
# Every run finished so far, in the order record_runs returns them, after each recording.
Finished = Callable[[list["Run"]], None]


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


def record_runs(urls: Sequence[str], browsers: Sequence[str], config: Config, *,
                headed: bool = False, media: Path | None = None, verify_fixes: bool = False,
                progress: Progress | None = None,
                finished: Finished | None = None) -> list[Run]:
    """Every URL in every engine, ordered by URL then by `browsers`.

    With `media`, each engine runs in a window and every recording is filmed there, one
    numbered WebM each. With `verify_fixes`, each held run whose fix the harness can apply is
    replayed with it (verify.py). An engine that cannot start yields runs carrying its error;
    the others still run. `finished` gets the runs finished so far after each recording.
    """
    total = len(urls) * len(browsers)
    order = [(url, browser) for url in urls for browser in browsers]
    recordings: dict[tuple[str, str], Recording] = {}
    replays: dict[tuple[str, str], FixReplay | None] = {}

    def done() -> list[Run]:
        return [Run.of(recordings[key], replays.get(key)) for key in order if key in recordings]
    for browser in browsers:
        try:
            engine = create_engine(config.engine(browser, headed=headed), window=media is not None)
            engine.start()
        except EngineError as exc:
            for url in urls:
                recordings[url, browser] = _failed(browser, url, one_line(exc))
            if finished is not None:
                finished(done())
            continue
        pipeline = Pipeline(engine, config)
        try:
            for url in urls:
                if progress is not None:
                    progress(len(recordings), total, url, browser)
                video = (media / f"{len(recordings) + 1:02d}-{browser}.webm"
                         if media is not None else None)
                recording = recordings[url, browser] = pipeline.record(url, video=video)
                if verify_fixes:
                    replays[url, browser] = verify_fix(pipeline, recording, judge(recording),
                                                       media)
                if finished is not None:
                    finished(done())
        finally:
            pipeline.close()
            engine.stop()
    return done()


def _failed(browser: str, url: str, error: str) -> Recording:
    info = EngineInfo(name=browser, engine="", product="", version="", launcher="")
    return Recording(url=url, engine=info, error=error)


def write_json(runs: Sequence[Run], path: Path, extra: dict[str, Any] | None = None) -> None:
    """Replaces `path` at once, never leaving it empty or half written: written beside it
    first, under another name, then renamed over it (an interrupted run stops either side)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**(extra or {}), "runs": [run.to_dict() for run in runs]}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(document, indent=2))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
