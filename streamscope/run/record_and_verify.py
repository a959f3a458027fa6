"""One URL recorded and proved: record -> thresholds on first need -> judge -> verify.

The one place the CLI's lanes and the pytest plugin take these steps, in this order. A
caller that keeps the recording while its replay runs (the lanes: --json holds it then) is
told of it in between.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from streamscope.judge.verdict import judge
from streamscope.prove.thresholds.first_need import measure_on_first_need
from streamscope.prove.verify import FixReplay, verify_fix
from streamscope.record.pipeline import Pipeline
from streamscope.recording import Recording
from streamscope.run.options import RunOptions


class Proved(NamedTuple):
    recording: Recording
    replay: FixReplay | None  # where options.verify_fixes and the harness can apply the fix


def record_and_verify(pipeline: Pipeline, url: str, options: RunOptions, *,
                      video: Path | None, replays_in: Path | None, prefix: str = "",
                      recorded: Callable[[Recording], None] | None = None) -> Proved:
    """`url` recorded in `pipeline` (filmed into `video`, where given), carrying the thresholds
    its reason needs, and, with options.verify_fixes, its fix replayed in the same engine
    (the replays' videos in `replays_in`, named with `prefix`). `recorded`: told of the
    recording before its replay begins."""
    recording = measure_on_first_need(
        pipeline, pipeline.record(url, video=video, wire=options.wire), options.note)
    if recorded is not None:
        recorded(recording)
    replay = (verify_fix(pipeline, recording, judge(recording), replays_in, prefix=prefix)
              if options.verify_fixes else None)
    return Proved(recording, replay)
