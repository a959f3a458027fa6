"""Thresholds measured on first need: a held page's diagnosis that would use a threshold this
engine build has not measured gets it measured, then and there, and is judged again.

Only what the diagnosis asks for (causes.Need) is measured: its content type's case, by the
bisection `streamscope threshold` runs (measure.py), in an engine of the recording's settings
started with a window for it (the recording's own engine is left as it was). The
result is kept in the cache as `threshold` keeps it, so every later run of that engine build
reads it and measures nothing. The verdict stays a pure function of the recording: the
thresholds are attached to the recording, and where they could not be measured (turned off,
a type /probe cannot serve, a failed bisection) the recording says why, for the reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from streamscope.demo_server.thread import demo_server
from streamscope.engines import EngineError, create_engine
from streamscope.errors import one_line
from streamscope.judge.causes import Need
from streamscope.judge.verdict import Verdict, judge
from streamscope.prove.thresholds.measure import Case, CaseError, measure
from streamscope.record.pipeline import Pipeline
from streamscope.record.threshold_cache import cache_lock, cached_thresholds, write_thresholds
from streamscope.recording import Recording, Threshold

# The progress output's lines ("measuring ... once per engine build ...").
Note = Callable[[str], None]

NOT_MEASURING = "not measured: measuring is off (--no-measure, or measure_thresholds = false)"

# (engine build, case) -> why its measurement failed, in this process: a case that could not
# be measured is not tried again at every recording of the run, and its reason holds for all.
_failed: dict[tuple[str, str, str, Case], str] = {}
_failed_lock = threading.Lock()


def missing(verdict: Verdict) -> tuple[Need, ...]:
    """The thresholds the verdict's diagnoses would use and the recording does not carry."""
    needs = verdict.dom_diagnosis.missing + (
        verdict.paint_diagnosis.missing if verdict.paint_diagnosis is not None else ())
    return tuple(dict.fromkeys(needs))


def measure_on_first_need(pipeline: Pipeline, recording: Recording,
                          note: Note | None = None) -> Recording:
    """`recording`, carrying the thresholds its diagnosis needs: read from the cache (another
    run may have measured them since), else measured now; or, where they cannot be, why not."""
    needs = missing(judge(recording)) if recording.error is None else ()
    if not needs:
        return recording
    if not pipeline.config.recording.measure_thresholds:
        recording.thresholds_unmeasured = NOT_MEASURING
        return recording
    cases = list(dict.fromkeys(Case.of(need.content_type, need.nosniff) for need in needs))
    if None in cases:
        served = ", ".join(sorted({need.content_type or "no type" for need in needs}))
        recording.thresholds_unmeasured = (f"not measured: the threshold probe serves text/html "
                                           f"and text/plain, not {served}")
        return recording
    todo = [case for case in cases if case is not None]
    info = recording.engine
    kept = cached_thresholds(info)  # measured since this recording began, by another run
    if all(case.measured_in(kept) for case in todo):
        recording.thresholds = kept
        return recording
    build = (info.name, info.product, info.version)
    with _failed_lock:
        known = [_failed[(*build, case)] for case in todo if (*build, case) in _failed]
    if known:
        recording.thresholds_unmeasured = known[0]
        return recording
    try:
        thresholds, failed = _measure(pipeline, todo, note)
    except EngineError as exc:
        failed_why = f"could not be measured: {one_line(exc)}"
        with _failed_lock:
            for case in todo:
                _failed[(*build, case)] = failed_why
        recording.thresholds_unmeasured = failed_why
        return recording
    recording.thresholds = thresholds
    if failed:
        why = f"could not be measured: {failed[0].error}"
        with _failed_lock:
            for case in todo:
                if not case.measured_in(thresholds):
                    _failed[(*build, case)] = why
        recording.thresholds_unmeasured = why
    return recording


def _measure(pipeline: Pipeline, cases: list[Case], note: Note | None
             ) -> tuple[tuple[Threshold, ...], tuple[CaseError, ...]]:
    """Every threshold kept for the engine build once `cases` are measured, and those that
    could not be. Under the cache's lock, so that a case another lane or run measured while
    this one waited is read, not measured again (nor an engine started for it).

    Measured in an engine of the recording's settings, started with a window for the
    measurement and ended with it: the recording's own engine keeps its page (for a
    screenshot), its screen and its videos as they were. An engine on a remote endpoint, which
    may take one session at a time, is measured in through a pipeline of its own instead."""
    info = pipeline.engine.info
    with cache_lock(info, pipeline.clock.sleep):
        kept = cached_thresholds(info)
        todo = [case for case in cases if not case.measured_in(kept)]
        if not todo:
            return kept, ()
        if note is not None:
            note(f"measuring {info.product} {info.version}'s "
                 f"{' and '.join(case.name for case in todo)} gates, once per engine build …")
        remote = bool(pipeline.engine.endpoint)
        # On a virtual display of its own even in a --headed run: the probes are no one's
        # to watch, and a shared screen is filmed one window at a time.
        engine = pipeline.engine if remote else create_engine(
            replace(pipeline.engine.config, headed=False), window=True)
        # Its probes stream in turn with the lanes' pages, where lanes take turns (lanes.py).
        own = Pipeline(engine, pipeline.config, pipeline.clock, turn=pipeline.turn)
        try:
            if not remote:
                engine.start()
            with demo_server() as base_url:
                measured, failed = measure(own, base_url, _indented(note, engine.name), todo)
        finally:
            try:
                own.close()
            finally:
                if not remote:
                    engine.stop()
        if measured:
            write_thresholds(info, measured)
        return cached_thresholds(info) or measured, failed


def _indented(note: Note | None, name: str) -> Note | None:
    """The measurement's own lines, under the line that announced it."""
    if note is None:
        return None
    return lambda line: note(f"  {line}") if line.startswith(name) else None
