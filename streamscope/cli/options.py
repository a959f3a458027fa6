"""The command line's options: each flag once, with its check, for the commands that share it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from streamscope.config import Config
from streamscope.engines import ENGINE_NAMES


def urls_argument(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> list[str]:
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
                     help="Recordings at once, each lane with engines (and displays) of its "
                          "own, each stream beginning once the one before it shows content."),
        click.option("--take-turns/--one-at-a-time", default=None,
                     help="A lane an engine (or --jobs lanes, if more), the lanes taking turns "
                          "to stream: one page at a time, the engines' launches and each page's "
                          "set-up beside it; or one engine after another. Default: taking "
                          "turns where the paint capture may run at real-time priority, without "
                          "which the paint error's tail grows on a busy machine (README, \"How "
                          "long a run takes\")."),
    )):
        command = option(command)
    return command


def configured(config: Config, timeout: float | None, connect: str | None,
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
