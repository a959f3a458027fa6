"""The `streamscope` command: thin click commands that parse, then call the library."""

from __future__ import annotations

import math
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from streamscope.artifacts import media_folder, report_artifacts
from streamscope.config import Config, load_config
from streamscope.console import print_table, progress_bar
from streamscope.demo import WRITEUP_PATHS, demo_server
from streamscope.engines import ENGINE_NAMES
from streamscope.lanes import SharedScreenError
from streamscope.machine import describe_machine
from streamscope.recording import Recording
from streamscope.report import RAW_JSON, write_report
from streamscope.runs import record_runs, write_json


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
    help="Also record what was painted, from a video of the browser window.",
)
headed_option = click.option(
    "--headed", is_flag=True, help="Show the browser windows on this machine's display.",
)


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
                webdriver_url: str | None, remote_display: str | None) -> Config:
    try:
        return config.with_timeout(timeout).with_engine_settings(
            connect=connect, webdriver_url=webdriver_url, remote_display=remote_display)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(cls=OneLineErrors)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="The browser matrix (default: the nearest "
              "playwright.config.toml).")
@click.version_option(package_name="streamscope")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Does streamed HTML render progressively, in every browser? Measure it."""
    try:
        ctx.obj = load_config(config_path)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.argument("urls", nargs=-1, required=True, callback=_urls)
@browser_option
@json_option
@report_option
@timeout_option
@paint_option
@headed_option
@fleet_options
@click.pass_obj
def run(config: Config, urls: list[str], browsers: tuple[str, ...], json_path: Path | None,
        report_dir: Path | None, timeout: float | None, paint: bool, headed: bool,
        connect: str | None, webdriver_url: str | None, remote_display: str | None,
        jobs: int) -> int:
    """Record each URL in each engine and say whether it rendered incrementally."""
    return _run(_configured(config, timeout, connect, webdriver_url, remote_display), urls,
                browsers or config.matrix, json_path=json_path, report_dir=report_dir,
                paint=paint, headed=headed, jobs=jobs,
                title="streamscope: does it render progressively?")


@cli.command()
@browser_option
@json_option
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("streamscope-report"), show_default=True,
              help="Write the HTML report (index.html, plots, videos) into this folder.")
@timeout_option
@headed_option
@fleet_options
@click.pass_obj
def repro(config: Config, browsers: tuple[str, ...], json_path: Path | None, report_dir: Path,
          timeout: float | None, headed: bool, connect: str | None, webdriver_url: str | None,
          remote_display: str | None, jobs: int) -> int:
    """Reproduce the write-up: the demo server's streams, recorded in every engine."""
    config = _configured(config, timeout, connect, webdriver_url, remote_display)
    with demo_server() as base:
        click.echo(f"Demo server on {base}/")
        return _run(config, [base + p for p in WRITEUP_PATHS],
                    browsers or config.matrix, json_path=json_path, report_dir=report_dir,
                    paint=True, headed=headed, jobs=jobs,
                    title="Does streamed HTML render progressively? The write-up, reproduced")


def _run(config: Config, urls: Sequence[str], browsers: Sequence[str], *,
         json_path: Path | None, report_dir: Path | None, paint: bool, headed: bool,
         jobs: int, title: str) -> int:
    # Recordings name their videos by these paths: absolute, they hold from any folder.
    report_dir = report_dir.resolve() if report_dir is not None else None
    _check_writable(json_path, report_dir)
    with media_folder(report_dir) as media:
        with progress_bar() as advance:
            try:
                runs = record_runs(urls, browsers, config, headed=headed,
                                   media=media if paint else None, progress=advance, jobs=jobs)
            except SharedScreenError as exc:  # checked before any engine starts
                raise click.UsageError(str(exc)) from exc
        if report_dir is None:
            for run in runs:  # the videos go with the temporary folder
                _forget_video(run.recording)
        print_table(runs)
        extra = {"machine": describe_machine()}
        try:
            if report_dir is not None:
                artifacts = report_artifacts(runs, media / "stills")
                write_json(runs, report_dir / RAW_JSON, extra)
                index = write_report(runs, report_dir, artifacts=artifacts, title=title,
                                     machine=extra["machine"])
                click.echo(f"Report: {index}")
            if json_path is not None:
                write_json(runs, json_path, extra)
                click.echo(f"JSON: {json_path}")
        except OSError as exc:
            raise click.ClickException(f"could not write {exc.filename}: {exc.strerror}") from exc
    failed = [run for run in runs if run.recording.error is not None]
    for run in failed:
        click.echo(f"streamscope: {run.recording.browser} on {run.recording.url}: "
                   f"{run.recording.error}", err=True)
    return 1 if failed else 0


def _check_writable(json_path: Path | None, report_dir: Path | None) -> None:
    """Before a minute of recording, not after: where the results go must be writable."""
    try:
        if report_dir is not None:
            report_dir.mkdir(parents=True, exist_ok=True)
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.touch()
        for folder in {p for p in (report_dir, json_path and json_path.parent) if p}:
            if not os.access(folder, os.W_OK):
                raise PermissionError(13, "Permission denied", str(folder))
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename}: {exc.strerror}") from exc


def _forget_video(recording: Recording) -> None:
    if recording.paint is not None:
        recording.paint = replace(recording.paint, video=None)


def main() -> None:
    # A terminated run cleans up as an interrupted one does: every engine, display and
    # recorder is stopped by the `finally` blocks that SystemExit passes through.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    cli()
