"""The `streamscope` command: thin click commands that parse, then call the library."""

from __future__ import annotations

import contextlib
import gc
import math
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from rich.markup import escape

from streamscope.cli.console import print_table, print_thresholds, progress_bar, stderr
from streamscope.cli.system_commands import doctor_command, install_deps_command
from streamscope.config import Config, load_config
from streamscope.demo_server.thread import WRITEUP_PATHS, demo_server
from streamscope.engines import ENGINE_NAMES
from streamscope.files import write_json_atomically
from streamscope.prove.thresholds.measure import measure_engines
from streamscope.report import (
    RAW_JSON,
    FiguresAhead,
    comparison,
    import_plots_early,
    step_summary,
    write_report,
)
from streamscope.report.artifacts import StillsAhead, find_videos, media_folder, report_artifacts
from streamscope.run import interrupts
from streamscope.run.interrupts import run_interruptibly
from streamscope.run.lanes import SharedScreenError
from streamscope.run.machine import describe_machine
from streamscope.run.malloc_arenas import cap_malloc_arenas
from streamscope.run.runs import Run, RunsFile, read_json, record_runs, write_json

RUN_TITLE = "streamscope: does it render progressively?"


class OneLineErrors(click.Group):
    """Any usage or run error is one line on stderr and a non-zero exit, not a usage screen."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            click.echo(f"streamscope: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("streamscope: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


class BadInput(click.ClickException):
    """A file named on the command line that cannot be used: exit status 2, as a bad flag."""

    exit_code = 2


def _urls(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> list[str]:
    for url in values:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(f"{url!r} is not an http(s) URL", ctx, param)
    return list(values)


def _timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 < value <= 3600):
        raise click.BadParameter(f"must be a number of seconds from 0 to 3600, got {value}")
    return value


browser_option = click.option(
    "--browser", "browsers", multiple=True, type=click.Choice(ENGINE_NAMES),
    help="An engine to record in; repeat for several. Default: the `browsers` of "
         "playwright.config.toml, else all three.",
)
json_option = click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Write every run, with its timeline, to this JSON file.",
)
report_option = click.option(
    "--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write the HTML report (index.html, plots, videos) into this folder.",
)
timeout_option = click.option(
    "--timeout", type=float, callback=_timeout,
    help="Longest time one recording may take, in seconds (default from playwright.config.toml).",
)
paint_option = click.option(
    "--paint/--no-paint", default=True, show_default=True,
    help="Also record what was painted: the screen's changes as the X server reports them, "
         "and a video of the browser window ([paint] method in playwright.config.toml).",
)
verify_option = click.option(
    "--verify-fix", "verify_fix", is_flag=True,
    help="Prove each fix: replay every held run's recorded response from loopback, unchanged "
         "and then fixed, in the same engine.",
)
headed_option = click.option(
    "--headed", is_flag=True, help="Show the browser windows on this machine's display.",
)
https_option = click.option(
    "--ignore-https-errors", is_flag=True,
    help="Accept certificates no browser trusts (self-signed, mkcert): a dev server's or a "
         "staging site's. Default: ignore_https_errors in [recording] of "
         "playwright.config.toml, else off.",
)
measure_option = click.option(
    "--measure/--no-measure", "measure", default=None,
    help="Measure a threshold a held page's reason needs (how many bytes or characters this "
         "engine build waits for) when it is first needed, once per engine build (up to "
         "40 s); --no-measure keeps the run time fixed, and such reasons without the number. "
         "Default: measure_thresholds in [recording] of playwright.config.toml, else on.",
)
summary_option = click.option(
    "--step-summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
    envvar="GITHUB_STEP_SUMMARY", show_envvar=True,
    help="Append the verdicts as a Markdown table to this file. GitHub Actions names its job "
         "summary in GITHUB_STEP_SUMMARY and shows it on the run's page.",
)
saved_runs = click.Path(exists=True, dir_okay=False, path_type=Path)


def recording_options(command: Any) -> Any:
    """What `run` and `repro` share: how long, proved how, shown where, written where, where
    the engines run and with which certificates."""
    for option in reversed((timeout_option, verify_option, headed_option, summary_option,
                            fleet_options, https_option, measure_option)):
        command = option(command)
    return command


def fleet_options(command: Any) -> Any:
    """Where the engines run, and how many recordings run at once."""
    for option in reversed((
        click.option("--connect", metavar="WS_URL",
                     help="Run the Playwright engines (chromium, firefox) on this Playwright "
                          "server (`playwright run-server`), e.g. ws://127.0.0.1:3000/."),
        click.option("--webdriver-url", metavar="URL",
                     help="Run WebKit through this remote WebDriver endpoint: a WebKitWebDriver "
                          "or a Selenium Grid relaying to one, e.g. http://127.0.0.1:4444."),
        click.option("--remote-display", metavar=":N",
                     help="The X display on this machine that the remote browsers show on: "
                          "film it for the paint verdict (else remote runs record the DOM only)."),
        click.option("--jobs", type=click.IntRange(1, 32), default=1, show_default=True,
                     help="Recordings at once, each lane with engines (and displays) of its own."),
    )):
        command = option(command)
    return command


def _configured(config: Config, timeout: float | None, connect: str | None,
                webdriver_url: str | None, remote_display: str | None,
                ignore_https_errors: bool, measure: bool | None) -> Config:
    """The file's settings with what `recording_options` gave on the command line."""
    if measure is not None:
        config = config.measuring_thresholds(measure)
    try:
        return config.with_timeout(timeout).ignoring_https_errors(
            ignore_https_errors).with_engine_settings(
            connect=connect, webdriver_url=webdriver_url, remote_display=remote_display)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(cls=OneLineErrors)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="The browser matrix (default: the nearest "
              "playwright.config.toml, or pyproject.toml with [tool.streamscope]).")
@click.version_option(package_name="streamscope")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Does streamed HTML render progressively, in every browser? Measure it."""
    try:
        ctx.obj = load_config(config_path)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


cli.add_command(install_deps_command)
cli.add_command(doctor_command)


@cli.command()
@click.argument("urls", nargs=-1, required=True, callback=_urls)
@browser_option
@json_option
@report_option
@paint_option
@recording_options
@click.pass_obj
def run(config: Config, urls: list[str], browsers: tuple[str, ...], json_path: Path | None,
        report_dir: Path | None, timeout: float | None, paint: bool, verify_fix: bool,
        headed: bool, summary_path: Path | None, connect: str | None,
        webdriver_url: str | None, remote_display: str | None, jobs: int,
        ignore_https_errors: bool, measure: bool | None) -> int:
    """Record each URL in each engine and say whether it rendered progressively, and why."""
    return _run(_configured(config, timeout, connect, webdriver_url, remote_display,
                            ignore_https_errors, measure),
                urls, browsers or config.matrix, json_path=json_path, report_dir=report_dir,
                summary_path=summary_path, paint=paint, headed=headed, verify_fix=verify_fix,
                jobs=jobs, title=RUN_TITLE)


@cli.command()
@browser_option
@json_option
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("streamscope-report"), show_default=True,
              help="Write the HTML report (index.html, plots, videos) into this folder.")
@recording_options
@click.pass_obj
def repro(config: Config, browsers: tuple[str, ...], json_path: Path | None, report_dir: Path,
          timeout: float | None, verify_fix: bool, headed: bool, summary_path: Path | None,
          connect: str | None, webdriver_url: str | None, remote_display: str | None,
          jobs: int, ignore_https_errors: bool, measure: bool | None) -> int:
    """Reproduce the write-up: the demo server's streams, recorded in every engine."""
    config = _configured(config, timeout, connect, webdriver_url, remote_display,
                         ignore_https_errors, measure)
    with demo_server() as base:
        click.echo(f"Demo server on {base}/")
        return _run(config, [base + p for p in WRITEUP_PATHS],
                    browsers or config.matrix, json_path=json_path, report_dir=report_dir,
                    summary_path=summary_path, paint=True, headed=headed, verify_fix=verify_fix,
                    jobs=jobs,
                    title="Does streamed HTML render progressively? The write-up, reproduced")


@cli.command()
@browser_option
@json_option
@click.option("--refresh", is_flag=True,
              help="Measure again, even where this engine build's thresholds are kept.")
@headed_option
@click.pass_obj
def threshold(config: Config, browsers: tuple[str, ...], json_path: Path | None, refresh: bool,
              headed: bool) -> int:
    """Measure how many bytes and visible characters each engine needs before it shows a
    paused stream; kept per engine build for every later verdict."""
    _check_writable(None, json_path)
    results = measure_engines(browsers or config.matrix, config, refresh=refresh,
                              headed=headed, progress=lambda line: stderr.print(line))
    print_thresholds(results)
    if json_path is not None:
        rows = [row for result in results for row in result.rows()]
        _write(json_path, {"thresholds": rows})
        click.echo(f"JSON: {json_path}")
    for result in results:
        if result.error is not None:
            click.echo(f"streamscope: {result.browser}: {result.error}", err=True)
        for failed in result.failed:
            nosniff = " + nosniff" if failed.nosniff else ""
            click.echo(f"streamscope: {result.browser} {failed.content_type}{nosniff}: "
                       f"{failed.error}", err=True)
    return 0 if all(result.ok for result in results) else 1


def _write(path: Path, document: dict[str, Any]) -> None:
    try:
        write_json_atomically(path, document)
    except OSError as exc:
        raise click.ClickException(f"could not write {exc.filename}: {exc.strerror}") from exc


@cli.command("report")
@click.argument("runs_json", metavar="RUNS.json", type=saved_runs)
@click.option("--report", "report_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Write the HTML report (index.html, plots, videos) into this folder.")
def report_command(runs_json: Path, report_dir: Path) -> int:
    """Draw the report again from a saved --json, judging its timelines anew."""
    runs, extra = _read(runs_json)
    report_dir = report_dir.resolve()
    _check_writable(report_dir)
    find_videos(runs, runs_json.parent)
    machine = extra.get("machine")
    try:
        # Stills beside the report, not in its media folder: that may hold the videos.
        with tempfile.TemporaryDirectory(prefix="streamscope-") as stills:
            index = _report(runs, report_dir, Path(stills), None, extra, RUN_TITLE,
                            machine if isinstance(machine, dict) else None)
    except OSError as exc:
        raise click.ClickException(f"could not write {exc.filename}: {exc.strerror}") from exc
    click.echo(f"Report: {index}")
    return 0


@cli.command()
@click.argument("old", metavar="OLD.json", type=saved_runs)
@click.argument("new", metavar="NEW.json", type=saved_runs)
def compare(old: Path, new: Path) -> int:
    """Say what changed per URL and engine between two saved --json files.

    Exits 1 when a run that rendered progressively in OLD no longer does in NEW.
    """
    comparisons = comparison.compare(_read(old)[0], _read(new)[0])
    for line in comparison.describe(comparisons):
        click.echo(line)
    return 1 if comparison.regressions(comparisons) else 0


def _read(path: Path) -> tuple[list[Run], dict[str, Any]]:
    try:
        return read_json(path)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def _run(config: Config, urls: Sequence[str], browsers: Sequence[str], *,
         json_path: Path | None, report_dir: Path | None, summary_path: Path | None,
         paint: bool, headed: bool, verify_fix: bool, jobs: int, title: str) -> int:
    # Recordings name their videos by these paths: absolute, they hold from any folder.
    report_dir = report_dir.resolve() if report_dir is not None else None
    _check_writable(report_dir, json_path, summary_path)
    extra = {"machine": describe_machine()}

    ahead: StillsAhead | None = None  # the report's stills, cut as the recordings go on
    figures = FiguresAhead() if report_dir is not None else None  # drawn as the run ends

    runs_file = RunsFile(json_path, extra) if json_path is not None else None

    def save(runs: list[Run], *, now: bool = False) -> None:
        """--json holds every run finished so far, from the start (`now`: not held back): an
        interrupted run leaves it valid."""
        if ahead is not None:
            ahead.runs_finished(runs)
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
            ahead = StillsAhead(media / "stills",
                                {url: urls.count(url) * len(browsers) for url in urls})
        with progress_bar() as advance:
            try:
                runs = record_runs(urls, browsers, config, headed=headed,
                                   media=media if paint else None, verify_fixes=verify_fix,
                                   progress=advance, jobs=jobs, finished=save,
                                   recorded=figures.start if figures is not None else None,
                                   stop=interrupts.requested_from_now(),
                                   after_video=ahead.cut if ahead is not None else None,
                                   note=lambda line: stderr.print(escape(line), soft_wrap=True))
            except SharedScreenError as exc:  # checked before any engine starts
                raise click.UsageError(str(exc)) from exc
            except BaseException:
                # Interrupted: the runs finished before it, should some be held back.
                with contextlib.suppress(OSError):
                    if runs_file is not None:
                        runs_file.flush()
                raise
        save(runs, now=True)
        print_table(runs)
        try:
            if report_dir is not None:
                index = _report(runs, report_dir, media / "stills", ahead, extra, title,
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


def _report(runs: Sequence[Run], report_dir: Path, stills: Path, ahead: StillsAhead | None,
            extra: dict[str, Any], title: str, machine: Mapping[str, object] | None,
            figures: FiguresAhead | None = None) -> Path:
    """report.json and the report; its stills are cut (ffmpeg's work) on a thread of their
    own while its figures are drawn (matplotlib's). `ahead`, `figures`: what a run made of
    them as it went."""
    with ThreadPoolExecutor(1, thread_name_prefix="streamscope-report") as pool:
        cutting = pool.submit(report_artifacts, runs, stills, ahead)
        write_json(runs, report_dir / RAW_JSON, extra)
        return write_report(runs, report_dir, artifacts=cutting.result, title=title,
                            machine=machine, figures=figures)


def _check_writable(report_dir: Path | None, *files: Path | None) -> None:
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


def main() -> None:
    cap_malloc_arenas()  # before any thread: a long run's RSS stays flat (malloc_arenas.py)
    # Ctrl-C and SIGTERM unwind the run through its `finally` blocks, then end whatever it
    # started that is still running: one line, exit 130 or 143.
    try:
        run_interruptibly(cli)
    finally:
        # All is written and ended by now. The interpreter's last garbage collection, over
        # numpy's, matplotlib's and Playwright's objects, took 0.15 s of every run; frozen
        # objects are left out of it (the memory goes back with the process anyway).
        gc.freeze()
