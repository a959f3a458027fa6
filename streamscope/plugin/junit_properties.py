"""A test's recordings as JUnit XML properties, for the dashboards that read `--junitxml`.

Each recording adds `streamscope.<engine>.<name>` for the names below, through pytest's
record_property. A test's second recording in the same engine adds
`streamscope.<engine>.2.<name>`, its third `.3.`, and so on: the first keeps its names when a
test records more, so a dashboard's history of them goes on. Values are text, as JUnit XML
has it: `true` or `false`, times in ms with one decimal, and an empty value for what was not
measured (no paint recorded, no content shown, no response end).
"""

from __future__ import annotations

from collections.abc import Sequence

from streamscope.run.runs import Run

NAMES = ("incremental", "painted_incrementally", "cause", "first_content_ms", "first_paint_ms",
         "response_end_ms")


def junit_properties(runs: Sequence[Run]) -> list[tuple[str, str]]:
    """The properties of the last of a test's runs (in the order it recorded them)."""
    run = runs[-1]
    engine = run.recording.browser
    number = sum(1 for earlier in runs if earlier.recording.browser == engine)
    prefix = f"streamscope.{engine}." + (f"{number}." if number > 1 else "")
    verdict = run.verdict
    values = (verdict.incremental, verdict.painted_incrementally, verdict.cause,
              verdict.first_content_ms, verdict.first_paint_ms, verdict.response_end_ms)
    return [(prefix + name, _text(value)) for name, value in zip(NAMES, values, strict=True)]


def _text(value: bool | float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return f"{value:.1f}"
    return value
