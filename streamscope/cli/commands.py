"""The `streamscope` command: thin click commands that parse, then call the library."""

from __future__ import annotations

import gc
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from streamscope.cli.console import print_thresholds, stderr
from streamscope.cli.options import (
    browser_option,
    configured,
    headed_option,
    json_option,
    paint_option,
    recording_options,
    report_option,
    saved_runs,
    urls_argument,
)
from streamscope.cli.results import (
    check_writable,
    record_and_report,
    write_json_file,
    write_report_folder,
)
from streamscope.cli.system_commands import doctor_command, install_deps_command
from streamscope.config import Config, load_config
from streamscope.demo_server.thread import WRITEUP_PATHS, demo_server
from streamscope.prove.thresholds.measure import measure_engines
from streamscope.report import comparison
from streamscope.report.media import find_videos
from streamscope.run.interrupts import run_interruptibly
from streamscope.run.lanes import shares_a_screen
from streamscope.run.malloc_arenas import cap_malloc_arenas
from streamscope.run.options import DefaultSchedule, RunOptions
from streamscope.run.other_work import other_work
from streamscope.run.runs import Run, read_json

RUN_TITLE = "streamscope: does it render progressively?"


class OneLineErrors(click.Group):
    """Any usage or run error is one line on stderr and a non-zero exit, not a usage screen."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
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
@click.argument("urls", nargs=-1, required=True, callback=urls_argument)
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
        take_turns: bool | None, ignore_https_errors: bool, measure: bool | None) -> int:
    """Record each URL in each engine and say whether it rendered progressively, and why."""
    browsers = browsers or tuple(config.matrix)
    options, schedule = _options(configured(config, timeout, connect, webdriver_url,
                                            remote_display, ignore_https_errors, measure),
                                 browsers, headed=headed, verify_fix=verify_fix, jobs=jobs,
                                 take_turns=take_turns)
    return record_and_report(options, urls, browsers, json_path=json_path,
                             report_dir=report_dir, summary_path=summary_path, paint=paint,
                             title=RUN_TITLE, schedule=schedule)


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
          jobs: int, take_turns: bool | None, ignore_https_errors: bool,
          measure: bool | None) -> int:
    """Reproduce the write-up: the demo server's streams, recorded in every engine."""
    config = configured(config, timeout, connect, webdriver_url, remote_display,
                        ignore_https_errors, measure)
    browsers = browsers or tuple(config.matrix)
    options, schedule = _options(config, browsers, headed=headed, verify_fix=verify_fix,
                                 jobs=jobs, take_turns=take_turns)
    with demo_server() as base:
        click.echo(f"Demo server on {base}/")
        return record_and_report(
            options, [base + p for p in WRITEUP_PATHS], browsers, json_path=json_path,
            report_dir=report_dir, summary_path=summary_path, paint=True,
            title="Does streamed HTML render progressively? The write-up, reproduced",
            schedule=schedule)


def _schedule_note(schedule: DefaultSchedule) -> str:
    """Why the run took turns, or did not, of its own accord."""
    others = schedule.others
    used = f"other processes used {others.cores:g} of {others.of_cores} cores"
    if schedule.taking_turns:
        return (f"Taking turns to stream, a lane an engine: the machine is quiet ({used}) and "
                f"the paint capture runs at real-time priority (--one-at-a-time: one engine "
                f"after another).")
    why = (f"the machine is busy ({used})" if schedule.busy
           else "the paint capture cannot run at real-time priority here")
    return (f"One engine after another: {why}, and taking turns would cost fidelity "
            f"(--take-turns: all the same).")


def _options(config: Config, browsers: Sequence[str], *, headed: bool, verify_fix: bool,
             jobs: int, take_turns: bool | None) -> tuple[RunOptions, str | None]:
    """The run's options from the command line: --take-turns gives each engine a lane; without
    --take-turns or --one-at-a-time, the run takes turns where that holds its fidelity, and
    the line to say why (None where there was nothing to choose)."""
    schedule = None
    # One window at a time on a shared screen: nothing to take turns on (lanes.py).
    if (take_turns is None and len(browsers) > 1 and jobs == 1
            and not shares_a_screen(config, browsers, headed=headed)):
        chosen = DefaultSchedule.now(other_work())
        take_turns, schedule = chosen.taking_turns, _schedule_note(chosen)
    options = RunOptions(config, headed=headed, verify_fixes=verify_fix,
                         jobs=max(jobs, len(browsers)) if take_turns else jobs,
                         taking_turns=bool(take_turns))
    return options, schedule


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
    check_writable(None, json_path)
    results = measure_engines(browsers or config.matrix, config, refresh=refresh,
                              headed=headed, progress=lambda line: stderr.print(line))
    print_thresholds(results)
    if json_path is not None:
        rows = [row for result in results for row in result.rows()]
        write_json_file(json_path, {"thresholds": rows})
        click.echo(f"JSON: {json_path}")
    for result in results:
        if result.error is not None:
            click.echo(f"streamscope: {result.browser}: {result.error}", err=True)
        for failed in result.failed:
            nosniff = " + nosniff" if failed.nosniff else ""
            click.echo(f"streamscope: {result.browser} {failed.content_type}{nosniff}: "
                       f"{failed.error}", err=True)
    return 0 if all(result.ok for result in results) else 1


@cli.command("report")
@click.argument("runs_json", metavar="RUNS.json", type=saved_runs)
@click.option("--report", "report_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Write the HTML report (index.html, plots, videos) into this folder.")
def report_command(runs_json: Path, report_dir: Path) -> int:
    """Draw the report again from a saved --json, judging its timelines anew."""
    runs, extra = _read(runs_json)
    report_dir = report_dir.resolve()
    check_writable(report_dir)
    find_videos(runs, runs_json.parent)
    machine = extra.get("machine")
    try:
        # Stills beside the report, not in its media folder: that may hold the videos.
        with tempfile.TemporaryDirectory(prefix="streamscope-") as stills:
            index = write_report_folder(runs, report_dir, Path(stills), None, extra, RUN_TITLE,
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
