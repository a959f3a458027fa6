"""Assertions for test suites, with failure messages that show the timeline and the reason."""

from __future__ import annotations

from streamscope.judge.verdict import Verdict, judge
from streamscope.recording import Recording
from streamscope.wording import milliseconds

# Enough rows to see the shape of a timeline without flooding a CI log.
MAX_ROWS = 25


def assert_rendering(recording: Recording, *, incremental: bool | None = None,
                     dom: bool | None = None, painted: bool | None = None) -> Verdict:
    """The headline verdict is `incremental` (what was painted where the screen was recorded,
    else the DOM's), the DOM verdict `dom`, the paint verdict `painted`; None: not checked.

    A recording that failed, or whose paint was asked for and could not be analysed, fails.
    """
    verdict = judge(recording)
    wanted = [(name, value) for name, value in (
        ("rendering", incremental), ("DOM growth", dom), ("paint", painted)) if value is not None]
    expectation = "expected " + " and ".join(
        f"{'' if value else 'no '}progressive {name}" for name, value in wanted)
    if recording.error is not None:
        raise AssertionError(_message(expectation, recording, []))
    problems = []
    if incremental is not None and verdict.incremental != incremental:
        problems.append(f"rendering (from the {verdict.verdict_from}): {verdict.reason}")
    if dom is not None and verdict.dom_incremental != dom:
        problems.append(f"DOM: {verdict.dom_reason}")
    if painted is not None:
        if recording.paint is None:
            problems.append(f"paint was not recorded: {recording.paint_error or 'not asked for'}")
        elif verdict.painted_incrementally != painted:
            problems.append(f"paint: {verdict.paint_reason}")
    if problems:
        raise AssertionError(_message(expectation, recording, problems))
    return verdict


def assert_incremental(recording: Recording) -> Verdict:
    """The page rendered progressively: on screen where the paint was recorded (a paint that
    was asked for and could not be analysed fails), else in the DOM."""
    return assert_rendering(recording, incremental=True,
                            painted=True if _paint_asked(recording) else None)


def assert_not_incremental(recording: Recording) -> Verdict:
    """Nothing was shown, on screen or in the DOM, until the response had ended."""
    return assert_rendering(recording, incremental=False, dom=False,
                            painted=False if _paint_asked(recording) else None)


def _paint_asked(recording: Recording) -> bool:
    return recording.paint is not None or recording.paint_error is not None


def _message(expectation: str, recording: Recording, problems: list[str]) -> str:
    engine = recording.engine
    if recording.error is not None:
        return (f"{expectation} of {recording.url} in {recording.browser}, but the recording "
                f"failed: {recording.error}")
    lines = [
        f"{expectation} of {recording.url} in {recording.browser} "
        f"({engine.product} {engine.version}), but:",
        *(f"  {p}" for p in problems),
        f"  status {recording.status}, {recording.content_type}; committed at "
        f"{milliseconds(recording.committed_ms)}, response ended at "
        f"{milliseconds(recording.response_end_ms)}"
        f"{'' if recording.ended else ' (never: time limit)'}",
        "  DOM (ms from navigation start, visible text chars, content elements):",
        *_rows([f"    {s.t_ms:9.1f} {s.text_chars:8d} {s.elements:6d}" for s in recording.dom]),
    ]
    if recording.paint is not None:
        lines.append("  paint (ms, share of the page showing content, share of it kept at the "
                     "end, visual progress):")
        lines += _rows([f"    {f.t_ms:9.1f} {f.content:8.2%} {f.kept:6.0%} {f.progress:6.0%}"
                        for f in recording.paint.frames])
    if recording.wire is not None:
        wire = recording.wire
        lines.append(f"  wire: {wire.total_bytes} bytes in {len(wire.chunks)} reads, "
                     f"headers {wire.headers}")
    return "\n".join(lines)


def _rows(rows: list[str]) -> list[str]:
    if len(rows) <= MAX_ROWS:
        return rows
    half = MAX_ROWS // 2
    return [*rows[:half], f"    … {len(rows) - 2 * half} more …", *rows[-half:]]

