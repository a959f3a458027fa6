"""The verdicts as a Markdown table, for a CI job's summary page.

GitHub Actions renders the Markdown a step appends to the file named by GITHUB_STEP_SUMMARY
on the run's page (docs.github.com, "Adding a job summary"); `streamscope run` and `repro`
append this table there. A pure function of the runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from streamscope.report.inputs import Judged
from streamscope.wording import milliseconds, shared_origin, yes_no

MARKS = ("✅ yes", "❌ no")  # yes_no's yes and no, marked
_COLUMNS = ("URL", "engine", "progressive", "DOM", "paint", "cause", "fix",
            "first content", "first paint", "response end")


def markdown(runs: Sequence[Judged], title: str) -> str:
    """A heading, then one table row per run: its verdicts, cause and fix, and times."""
    origin = shared_origin([run.recording.url for run in runs]) if runs else None
    columns = ("path", *_COLUMNS[1:]) if origin else _COLUMNS
    lines = [f"### {_cell(title)}", ""]
    if origin:
        lines += [f"On `{origin}`.", ""]
    lines += [_row(columns), _row(["---"] * len(columns))]
    for run in runs:
        recording, verdict = run.recording, run.verdict
        url = recording.url.removeprefix(origin) if origin else recording.url
        headline = ("error" if recording.error is not None
                    else f"{yes_no(verdict.incremental, *MARKS)} ({verdict.verdict_from})")
        lines.append(_row([
            f"`{url or '/'}`", recording.browser, headline,
            yes_no(verdict.dom_incremental, *MARKS), yes_no(verdict.painted_incrementally, *MARKS),
            verdict.cause, verdict.fix or "—",
            milliseconds(verdict.first_content_ms), milliseconds(verdict.first_paint_ms),
            milliseconds(verdict.response_end_ms),
        ]))
    errors = [run for run in runs if run.recording.error is not None]
    if errors:
        lines.append("")
        lines += [f"- {run.recording.browser} on `{run.recording.url}`: "
                  f"{_cell(run.recording.error or '')}" for run in errors]
    return "\n".join(lines) + "\n"


def append(path: Path, text: str) -> None:
    """Adds `text` to the summary file, after what earlier steps wrote there."""
    with path.open("a", encoding="utf-8") as summary:
        summary.write(("\n" if path.stat().st_size else "") + text)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    """One line, with no bar that would end the cell early."""
    return " ".join(text.split()).replace("|", "\\|")
