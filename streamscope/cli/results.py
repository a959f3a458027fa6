"""What `run` and `repro` do once their flags are read: record, then write where the results go
(--json as the runs finish, the report, the step summary), and say which recordings failed."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from streamscope.cli.console import print_table, progress_bar, stderr
from streamscope.files import write_json_atomically
from streamscope.report import (
    RAW_JSON,
    FiguresAhead,
    import_plots_early,
    step_summary,
    write_report,
)
from streamscope.report.media import media_folder
from streamscope.report.stills import report_artifacts
from streamscope.report.stills_ahead import StillsAhead
from streamscope.run import interrupts
from streamscope.run.lanes import SharedScreenError
from streamscope.run.machine import describe_machine
from streamscope.run.options import RunOptions
from streamscope.run.runs import Run, RunsFile, record_runs, write_json


def write_json_file(path: Path, document: dict[str, Any]) -> None:
    try:
        write_json_atomically(path, document)
    except OSError as exc:
        raise click.ClickException(f"could not write {exc.filename}: {exc.strerror}") from exc


def record_and_report(options: RunOptions, urls: Sequence[str], browsers: Sequence[str], *,
                      json_path: Path | None, report_dir: Path | None, summary_path: Path | None,
                      paint: bool, title: str, schedule: str | None = None) -> int:
    """`options`: as the command line gave them; the media folder, the progress bar, the
    report's stills and the interruption are this function's to add. `schedule`: a line on
    how the run records, said once its outputs are known to be writable."""
    # Recordings name their videos by these paths: absolute, they hold from any folder.
    report_dir = report_dir.resolve() if report_dir is not None else None
    check_writable(report_dir, json_path, summary_path)
    if schedule is not None:
        stderr.print(escape(schedule), soft_wrap=True)
    extra = {"machine": describe_machine()}

    ahead: StillsAhead | None = None  # the report's stills, cut as the recordings go on
    runs_per_url = {url: urls.count(url) * len(browsers) for url in urls}
    # The report's figures, each drawn once every run of its URL is finished.
    figures = FiguresAhead(runs_per_url) if report_dir is not None else None

    runs_file = RunsFile(json_path, extra) if json_path is not None else None

    def save(runs: list[Run], *, now: bool = False) -> None:
        """--json holds every run finished so far, from the start (`now`: not held back): an
        interrupted run leaves it valid."""
        if ahead is not None:
            ahead.runs_finished(runs)
        if figures is not None:
            figures.runs_finished(runs)
        if report_dir is None:  # the videos go with the temporary folder
            runs = [_without_video(run) for run in runs]
        if runs_file is not None:
            try:
                runs_file.update(runs)
                if now:
                    runs_file.flush()
            except OSError as exc:
                raise click.ClickException(
                    f"could not write {exc.filename}: {exc.strerror}") from exc

    save([])
    if report_dir is not None:
        import_plots_early()
    with media_folder(report_dir) as media:
        if report_dir is not None:
            ahead = StillsAhead(media / "stills", runs_per_url)
        with progress_bar() as advance:
            try:
                running = replace(
                    options, media=media if paint else None, progress=advance,
                    stop=interrupts.requested_from_now(),
                    after_video=ahead.cut if ahead is not None else None,
                    note=lambda line: stderr.print(escape(line), soft_wrap=True))
                runs = record_runs(urls, browsers, running, finished=save,
                                   recorded=figures.start if figures is not None else None)
            except SharedScreenError as exc:  # checked before any engine starts
                raise click.UsageError(str(exc)) from exc
            except BaseException:
                if figures is not None:
                    figures.cancel()
                # Interrupted: the runs finished before it, should some be held back.
                with contextlib.suppress(OSError):
                    if runs_file is not None:
                        runs_file.flush()
                raise
        save(runs, now=True)
        print_table(runs)
        try:
            if report_dir is not None:
                index = write_report_folder(runs, report_dir, media / "stills", ahead, extra, title,
                                extra["machine"], figures)
                click.echo(f"Report: {index}")
            if json_path is not None:
                click.echo(f"JSON: {json_path}")
            if summary_path is not None:
                step_summary.append(summary_path, step_summary.markdown(runs, title))
        except OSError as exc:
            raise click.ClickException(f"could not write {exc.filename}: {exc.strerror}") from exc
    failed = [run for run in runs if run.recording.error is not None]
    for run in failed:
        click.echo(f"streamscope: {run.recording.browser} on {run.recording.url}: "
                   f"{run.recording.error}", err=True)
    return 1 if failed else 0


def write_report_folder(runs: Sequence[Run], report_dir: Path, stills: Path,
                        ahead: StillsAhead | None, extra: dict[str, Any], title: str,
                        machine: Mapping[str, object] | None,
                        figures: FiguresAhead | None = None) -> Path:
    """report.json and the report; its stills are cut (PyAV's work) on a thread of their
    own while its figures are drawn (matplotlib's). `ahead`, `figures`: what a run made of
    them as it went."""
    with ThreadPoolExecutor(1, thread_name_prefix="streamscope-report") as pool:
        cutting = pool.submit(report_artifacts, runs, stills, ahead)
        write_json(runs, report_dir / RAW_JSON, extra)
        return write_report(runs, report_dir, artifacts=cutting.result, title=title,
                            machine=machine, figures=figures)


def check_writable(report_dir: Path | None, *files: Path | None) -> None:
    """Before a minute of recording, not after: where the results go must be writable."""
    try:
        if report_dir is not None:
            report_dir.mkdir(parents=True, exist_ok=True)
        for file in filter(None, files):
            file.parent.mkdir(parents=True, exist_ok=True)
            if file.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(file))
            # Not touched: a --json file is written whole, at once (runs.write_json), and a
            # summary is appended to; neither is left empty by a run that stops here.
            if file.exists() and not os.access(file, os.W_OK):
                raise PermissionError(13, "Permission denied", str(file))
        for folder in {p for p in (report_dir, *(f.parent for f in files if f)) if p}:
            if not os.access(folder, os.W_OK):
                raise PermissionError(13, "Permission denied", str(folder))
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename}: {exc.strerror}") from exc


def _without_video(run: Run) -> Run:
    """The run as --json keeps it when its video is not kept. A copy: while the run goes on,
    its recording is still the lanes' (a video that cannot be written costs it the paint)."""
    paint = run.recording.paint
    if paint is None or paint.video is None:
        return run
    return replace(run, recording=replace(run.recording, paint=replace(paint, video=None)))
