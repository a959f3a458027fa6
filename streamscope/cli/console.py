"""What the CLI prints: progress while recording, then the verdict table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from streamscope.prove.thresholds.measure import EngineThresholds
from streamscope.run.runs import Run
from streamscope.wording import milliseconds, shared_origin, where, yes_no

# Wide enough for the table in a CI log, where there is no terminal to measure.
stdout = Console(highlight=False, width=None if Console().is_terminal else 140)
stderr = Console(stderr=True, highlight=False)


MARKS = ("[green]yes[/]", "[red]no[/]")  # yes_no's yes and no, in colour


def print_table(runs: Sequence[Run]) -> None:
    origin = shared_origin([run.recording.url for run in runs]) or ""
    title = "Did the page render progressively?" + (f" (on {origin})" if origin else "")
    table = Table(title=title, title_justify="left")
    table.add_column("URL" if not origin else "path", no_wrap=True)
    table.add_column("engine", no_wrap=True)
    table.add_column("status", justify="right")
    table.add_column("progressive")
    table.add_column("DOM")
    table.add_column("paint")
    table.add_column("first content", justify="right")
    table.add_column("first paint", justify="right")
    table.add_column("response end", justify="right")
    for run in runs:
        v, rec = run.verdict, run.recording
        engine = rec.browser if not rec.engine.version else f"{rec.browser} {rec.engine.version}"
        headline = ("[red]error[/]" if rec.error
                    else f"{yes_no(v.incremental, *MARKS)} ({v.verdict_from})")
        end = "never ended" if rec.never_ended else milliseconds(v.response_end_ms)
        table.add_row(escape(where(rec, origin)), engine, _status(rec.status), headline,
                      yes_no(v.dom_incremental, *MARKS), yes_no(v.painted_incrementally, *MARKS),
                      milliseconds(v.first_content_ms), milliseconds(v.first_paint_ms), end)
    stdout.print(table)
    stdout.print("[bold]Why[/]")
    for run in runs:
        v = run.verdict
        # The DOM's story, where it differs from the screen's: WebKit's DOM grows behind a
        # blank screen.
        differs = v.verdict_from == "paint" and v.dom_incremental != v.incremental
        also = f" DOM: {v.dom_reason}." if differs else ""
        if run.recording.paint_error:
            also += f" Paint not recorded: {run.recording.paint_error}."
        # Reasons cite sources in [brackets], which rich would take for markup.
        stdout.print(escape(f"- {run.recording.browser} {where(run.recording)}: {v.reason}.{also}"))
        diagnosis = v.diagnosis
        if diagnosis.fix:
            safari = {"yes": "Safari would be held too",
                      "unknown": "whether Safari would be held is unknown"
                      }.get(diagnosis.safari, "")
            stdout.print(f"  [bold]{diagnosis.cause}[/]: fix: {escape(diagnosis.fix)}."
                         + (f" {safari}." if safari else ""))
        if run.fix_replay is not None:
            color = "green" if run.fix_replay.verified else "red"
            stdout.print(f"  [{color}]{escape(run.fix_replay.summary)}[/]")
            for line in run.fix_replay.change():
                stdout.print(f"    {escape(line)}", highlight=False)


def _status(status: int | None) -> str:
    if status is None:
        return "—"
    return str(status) if status < 400 else f"[red]{status}[/]"


def print_thresholds(results: Sequence[EngineThresholds]) -> None:
    table = Table(title="What each engine needs before it shows a paused stream",
                  title_justify="left")
    for name in ("engine", "content type", "bytes", "visible characters", "probes"):
        table.add_column(name, justify="right" if name in ("bytes", "probes") else "left")
    for result in results:
        version = f" {result.engine.version}" if result.engine is not None else ""
        name = result.browser + version + (" (cached)" if result.cached else "")
        if result.error is not None:
            table.add_row(name, f"[red]error[/]: {result.error}", "", "", "")
        for t in result.thresholds:
            kind = t.content_type + (" + nosniff" if t.nosniff else "")
            table.add_row(name, kind, _amount(t.bytes), _amount(t.visible_chars),
                          str(t.probes))
        for failed in result.failed:
            kind = failed.content_type + (" + nosniff" if failed.nosniff else "")
            table.add_row(name, kind, "[red]error[/]", escape(failed.error), "")
    stdout.print(table)
    stdout.print("0: no such gate; more than the most probed shows as “> max”.")


def _amount(value: int | None) -> str:
    return "> max" if value is None else f"{value:,}"


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int, str, str], None]]:
    """Yields the callback that record_runs calls before each recording."""
    if not stderr.is_terminal:
        def log(done: int, total: int, url: str, browser: str) -> None:
            stderr.print(f"[{done + 1}/{total}] {browser}: {url}")

        yield log
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def advance(done: int, total: int, url: str, browser: str) -> None:
            progress.update(task, completed=done, total=total,
                            description=f"{browser}: {url}")

        yield advance
